// Package attributes reads gitattributes as `git log` and `git check-attr`
// do (git 2.39 attr.c): the system's file (/etc/gitattributes, unless
// GIT_ATTR_NOSYSTEM), core.attributesFile or its XDG default, the work
// tree's .gitattributes files from the top folder down, then
// $GIT_DIR/info/attributes (highest), with git's pattern rules (wildmatch
// with pathname matching, patterns with a '/' anchored to their file's
// folder), quoted patterns, the lines git ignores whole (a negative
// pattern, a name that is no attribute's, a macro defined in a sub-folder:
// parseLine), and macros: the built-in binary and those the top-level
// files define, used in any file, expanded as git's fill does (a higher
// rule that gives the macro another value keeps it from expanding), and
// core.ignoreCase (IgnoreCase) as git's match_basename and match_pathname
// fold case. Diff answers the one attribute numstat depends on, diff;
// Checker answers any named attributes; Diff.Digest names every diff rule
// in force, for the cache's key; Diff.Warnings names the lines and files
// git warns it ignores, once each.
//
// The tests build work trees with attribute files at several levels and
// compare with `git check-attr` path by path.
package attributes
