// Package renames reproduces git's rename and copy detection (diffcore-rename
// as git 2.39 runs it for `git log --numstat`): given the files one commit's
// tree diff deleted and added, it pairs them exactly as git does, and it
// prints a pair's path as numstat does (`old => new`, `pre/{a => b}/suf`).
//
// Detection runs in git's steps, each documented where it is implemented:
// exact renames by blob id (a hash join, linear in the number of files);
// pairs whose basenames are unique on both sides; then, unless the rename
// limit is exceeded, the full comparison of every remaining destination
// with every remaining source on git's chunk-hash similarity estimate,
// keeping the best four sources per destination and pairing greedily by
// score. Copies (-C) use modified files as extra sources. Blob contents are
// read only when the full comparison or the basename step needs them, and
// sizes before contents; everything a detection computes lives in the
// arena it is given.
//
// The tests build repositories with C git and compare, commit by commit,
// the pairs and scores with `git diff-tree -M --raw`, the path forms and row
// order with `git log --numstat`, and the limit warnings with git's stderr,
// on hand-written cases and on random histories.
package renames
