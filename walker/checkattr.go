package walker

import "github.com/gitwalk/gitwalk/internal/attributes"

// AttrChecker answers `git check-attr NAME... -- PATH` for a fixed list of
// attribute names, reading the sources `git log` reads: core.attributesFile
// (lowest), the work tree's .gitattributes files from the top folder down,
// then $GIT_DIR/info/attributes (highest); a bare repository has no work
// tree files. Check(path) returns git's values: "set", "unset",
// "unspecified" or the value given with NAME=VALUE. Safe for concurrent
// use; answers are cached per path.
type AttrChecker = attributes.Checker

// AttrChecker returns a checker of the attributes names for paths of r.
func (r *Repo) AttrChecker(names ...string) *AttrChecker { return r.attrs.Checker(names...) }
