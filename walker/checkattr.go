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

// AttrCheckerWhole is AttrChecker made after every attribute file has been
// read at once, as the store's key of a commit's record reads them (a
// work tree's whole): its answers are those of the files read then, later
// changes unseen, and its Digest names the rules they hold. It costs a
// walk of the work tree's folders, once per Repo.
func (r *Repo) AttrCheckerWhole(names ...string) (*AttrChecker, error) {
	if _, err := r.attrsDigest(); err != nil {
		return nil, err
	}
	return r.attrs.Checker(names...), nil
}
