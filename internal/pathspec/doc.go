// Package pathspec reproduces git's pathspecs for `git log -- PATH...`
// (git 2.39 pathspec.c and dir.c match_pathspec_item, with the magic
// gitwalk supports) and git's wildmatch.c, which pathspecs, attribute
// patterns and ref globs share.
//
// A Spec answers two questions: whether a file is selected (Matches) and,
// during a tree walk, whether a folder needs reading at all (Dir). The
// tests hold the files `git log -- SPEC` selects, read off git 2.39.5 for
// each spec, and a table of wildmatch cases that follow git's rules.
package pathspec
