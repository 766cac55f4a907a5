// Package revision turns `git log` revision arguments into the walk's
// starting points as git 2.39's setup_revisions does: names resolved by
// git's dwim rules (refs, abbreviated ids), REV~n, REV^n, REV^{...},
// A..B, A...B (with merge bases), ^A, --not, and the pseudo-revisions
// --all, --branches, --tags, --remotes and --glob.
//
// The tests hold it, with package revwalk behind it, to `git log
// --format=%H` on repositories built with git fast-import, on the fixture
// repositories and on random histories with random options.
package revision
