package walker

import "path/filepath"

// appendIgnoreRevsFile adds one blame.ignoreRevsFile value: the key may be
// given several times, and an empty value clears the list (git's
// blame_ignore_revs_files handling in builtin/blame.c).
func appendIgnoreRevsFile(list []string, v string) []string {
	if v == "" {
		return nil
	}
	return append(list, expandHome(v))
}

// IgnoreRevsFiles returns the files the repository's blame.ignoreRevsFile
// settings name, in order, relative paths joined to the work tree's top (the
// git directory when bare), as git reads them after changing to the top.
// Safe for concurrent use.
func (r *Repo) IgnoreRevsFiles() []string {
	base := r.workTree
	if base == "" {
		base = r.gitDir
	}
	out := make([]string, len(r.cfg.ignoreRevsFiles))
	for i, f := range r.cfg.ignoreRevsFiles {
		if !filepath.IsAbs(f) {
			f = filepath.Join(base, f)
		}
		out[i] = f
	}
	return out
}
