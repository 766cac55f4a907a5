// Package attributes reads gitattributes as `git log` and `git check-attr`
// do (git 2.39 attr.c): core.attributesFile or its XDG default (lowest),
// the work tree's .gitattributes files from the top folder down, then
// $GIT_DIR/info/attributes (highest), with git's pattern rules (wildmatch
// with pathname matching, patterns with a '/' anchored to their file's
// folder), quoted patterns and the binary macro. Diff answers the one
// attribute numstat depends on, diff; Checker answers any named attributes;
// Diff.Digest names every diff rule in force, for the cache's key.
//
// The tests build work trees with attribute files at several levels and
// compare with `git check-attr` path by path.
package attributes
