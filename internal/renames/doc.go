// Package renames reproduces git's rename and copy detection (diffcore-rename
// as git 2.39 runs it for `git log --numstat`, with -M<n>, -l<n>, -C, -C -C
// and --no-rename-empty): given the files one commit's tree diff deleted,
// added and (for copies) kept, it pairs them exactly as git does, and it
// prints a pair's path as numstat does (`old => new`, `pre/{a => b}/suf`).
//
// Detection runs in git's steps: exact renames by blob id (a hash join,
// linear in the number of files); pairs whose basenames are unique on both
// sides; then, unless the rename limit is exceeded, the full comparison of
// every remaining destination with every remaining source on git's
// chunk-hash similarity estimate, keeping the best four sources per
// destination and pairing greedily by score. Blob sizes are asked only for
// the comparisons, and contents only when the sizes leave a pair possible.
// A Detector keeps its scratch between commits; everything else a
// detection computes (signatures, the candidate matrix, the Result) lives
// in the arena it is given, or on the Go heap, counted, when that is full.
//
// A walker builds the sources and destinations from the tree diff in path
// order, calls Detect, and writes its rows in the same order: a paired
// destination becomes the rename or copy (Result.ForDest), a used deleted
// source disappears (Result.SourceUsed), and the name is AppendPath's.
//
// The tests build repositories with C git and compare, commit by commit,
// the pairs, scores and row order with `git diff-tree -M --raw`, the names
// with `git log --numstat`, and the limit warnings with git's stderr: on
// the reference sheet's cases, on scenarios aimed at single rules, and on
// random histories of similar files under many option sets.
package renames
