package walker

import "path/filepath"

// IgnoreRevsFiles returns the files the repository's blame.ignoreRevsFile
// settings name, in order, relative paths joined to the work tree's top (the
// git directory when bare), as git reads them after changing to the top.
// Safe for concurrent use.
func (r *Repo) IgnoreRevsFiles() []string {
	base := r.workTree
	if base == "" {
		base = r.gitDir
	}
	out := make([]string, len(r.cfg.IgnoreRevsFiles))
	for i, f := range r.cfg.IgnoreRevsFiles {
		if !filepath.IsAbs(f) {
			f = filepath.Join(base, f)
		}
		out[i] = f
	}
	return out
}
