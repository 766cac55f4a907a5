// Package treediff compares two raw tree objects as git's tree-diff.c does
// for `git diff-tree -r --no-renames` and `git log --raw`: both trees walked
// in git's name order, equal subtrees skipped by id, a file and a folder of
// the same name treated as two entries, and only the paths a pathspec
// selects. Its output is the list of changed files (added, deleted or
// modified, with both modes and ids), which line counts and rename
// detection work from; Same is git's TREESAME test for the revision walk.
//
// The tests build histories with git (folders that become files, mode and
// symlink changes, submodules, pathspecs with wildcards and excludes) and
// compare every change with `git diff-tree -r --no-renames --raw`.
package treediff
