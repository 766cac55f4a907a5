package renames

import "github.com/gitwalk/gitwalk/internal/quote"

// AppendPath appends to dst the name numstat prints for a pair from old to
// new (diff.c pprint_rename). When either path needs C-quoting (quotePath
// is git's core.quotePath), it is `old => new` with each side quoted if it
// needs it. Otherwise the common leading directories and the common
// trailing part that starts at a slash are written once around braces,
// `a/{b => c}/d`; with nothing in common it is `old => new`.
func AppendPath(dst []byte, old, new string, quotePath bool) []byte {
	start := len(dst)
	dst = quote.Path(dst, old, quotePath)
	quoted := len(dst)-start != len(old)
	mid := len(dst)
	dst = quote.Path(append(dst, " => "...), new, quotePath)
	if quoted || len(dst)-mid-len(" => ") != len(new) {
		return dst
	}
	dst = dst[:start]

	// The prefix: common leading bytes, cut back to just after the last
	// slash among them.
	pfx := 0
	for k := 0; k < len(old) && k < len(new) && old[k] == new[k]; k++ {
		if old[k] == '/' {
			pfx = k + 1
		}
	}
	// The suffix: common trailing bytes, counted from the last slash met
	// walking backwards. The walk may reach the prefix's closing slash (so
	// that slash can open the suffix too), but no further.
	lo := 0
	if pfx > 0 {
		lo = pfx - 1
	}
	at := func(s string, k int) byte { // the end of a path reads as git's NUL
		if k == len(s) {
			return 0
		}
		return s[k]
	}
	sfx := 0
	for ko, kn := len(old), len(new); ko >= lo && kn >= lo && at(old, ko) == at(new, kn); ko, kn = ko-1, kn-1 {
		if at(old, ko) == '/' {
			sfx = len(old) - ko
		}
	}
	midOld := max(len(old)-pfx-sfx, 0)
	midNew := max(len(new)-pfx-sfx, 0)
	if pfx+sfx == 0 {
		dst = append(dst, old...)
		dst = append(dst, " => "...)
		return append(dst, new...)
	}
	dst = append(dst, old[:pfx]...)
	dst = append(dst, '{')
	dst = append(dst, old[pfx:pfx+midOld]...)
	dst = append(dst, " => "...)
	dst = append(dst, new[pfx:pfx+midNew]...)
	dst = append(dst, '}')
	return append(dst, old[len(old)-sfx:]...)
}

// FormatPath returns the name numstat prints for a pair from old to new:
// AppendPath as a string.
func FormatPath(old, new string, quotePath bool) string {
	return string(AppendPath(nil, old, new, quotePath))
}
