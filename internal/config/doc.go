// Package config reads the few git configuration settings that change what
// `git log --numstat` and `git blame` print (core.quotePath,
// core.bigFileThreshold, diff.algorithm, diff.<driver>.binary, mailmap.*,
// blame.ignoreRevsFile and a handful more) from where git 2.39 reads them,
// in its order (do_git_config_sequence): system, global (XDG then
// ~/.gitconfig), repository, a linked worktree's config.worktree, then the
// command line's variables from the environment (GIT_CONFIG_COUNT,
// GIT_CONFIG_PARAMETERS); a later one wins. Files are parsed as git's own
// parser does (parse.go) and their includes followed (include.go:
// include.path, includeIf on gitdir:, gitdir/i:, onbranch:,
// hasconfig:remote.*.url:).
//
// The tests compare with git itself: `git config --get` on settings written
// with `git config`, `git config --list` variable by variable on hand-written
// texts, on includes under every condition, on config.worktree and the
// environment, and `git config --type=path` on path settings; the parser is
// fuzzed.
package config
