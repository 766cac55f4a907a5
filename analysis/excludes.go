package analysis

import (
	"path"
	"strings"
)

// vendorDirs are the folders of third-party code left out by default, at
// any depth.
var vendorDirs = []string{"vendor", "node_modules", "third_party"}

// lockFiles are package managers' lock files, left out by default at any
// depth: they are written by tools, and their churn says nothing of the code.
var lockFiles = []string{"go.sum", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock",
	"poetry.lock", "Gemfile.lock", "composer.lock"}

// DefaultExclude says why a path is left out by default by its name alone:
// under a vendor folder (vendor/, node_modules/, third_party/ at any depth),
// a lock file, or a minified file (*.min.js, *.min.css). The attribute
// reasons (ExcludedGenerated, ExcludedVendored) need the repository's
// attributes: see walker.Repo.Attributes. Safe for concurrent use.
func DefaultExclude(p string) ExcludeReason {
	dir, base := path.Split(p)
	if dir != "" {
		for _, seg := range strings.Split(strings.TrimSuffix(dir, "/"), "/") {
			for _, v := range vendorDirs {
				if seg == v {
					return ExcludedVendorDir
				}
			}
		}
	}
	for _, l := range lockFiles {
		if base == l {
			return ExcludedLockFile
		}
	}
	if strings.HasSuffix(base, ".min.js") || strings.HasSuffix(base, ".min.css") {
		return ExcludedMinified
	}
	return NotExcluded
}
