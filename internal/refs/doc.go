// Package refs lists and resolves a repository's refs as git does: loose
// and packed refs merged (a loose ref wins), symbolic refs followed, broken
// ones left out (git 2.39 refs.c and refs/files-backend.c), the HEADs of
// linked worktrees for --all (other_head_refs), the "commondir" file of a
// linked worktree and the "shallow" file.
//
// The tests build repositories with git (loose, packed and symbolic refs)
// and compare List and Resolve with `git for-each-ref` and `git rev-parse`.
package refs
