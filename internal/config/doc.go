// Package config reads the few git configuration settings that change what
// `git log --numstat` and `git blame` print (core.quotePath,
// core.bigFileThreshold, diff.algorithm, diff.<driver>.binary, mailmap.*,
// blame.ignoreRevsFile and a handful more), from the files git reads and in
// git's order: system, global (XDG then ~/.gitconfig), repository; a later
// file wins (git 2.39 config.c do_git_config_sequence).
//
// The tests write settings with `git config` and check that Load reads the
// values `git config --get` gives back, precedence and typed values included.
package config
