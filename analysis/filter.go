package analysis

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// ErrBadPattern is returned (wrapped, naming the pattern) for a malformed
// --include or --exclude glob.
var ErrBadPattern = errors.New("bad path pattern")

// PathFilter decides which files an analysis counts. A path is kept when it
// matches at least one Include pattern (or Include is empty) and no Exclude
// pattern. The zero value keeps every path. A PathFilter is read-only once
// built and safe for concurrent use.
//
// Patterns are slash-separated globs matched segment by segment with
// path.Match ('*', '?', '[...]', '\' escapes; '*' does not cross '/'), plus:
//   - a segment "**" matches zero or more whole segments ("src/**/*.go",
//     "**/testdata/**", "vendor/**");
//   - a pattern without '/' matches the file's base name at any depth
//     ("*.go" keeps every Go file), as in .gitignore;
//   - a trailing '/' ("docs/") matches everything under that folder.
//
// Patterns are matched against the paths git prints, relative to the top of
// the repository.
type PathFilter struct {
	Include []string
	Exclude []string
}

// Validate reports the first malformed pattern, wrapping ErrBadPattern.
func (f PathFilter) Validate() error {
	for _, list := range [][]string{f.Include, f.Exclude} {
		for _, p := range list {
			if err := checkPattern(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// IsZero says whether the filter keeps every path.
func (f PathFilter) IsZero() bool { return len(f.Include) == 0 && len(f.Exclude) == 0 }

// Match says whether p is kept. A malformed pattern matches nothing: call
// Validate first to report it.
func (f PathFilter) Match(p string) bool {
	if f.IsZero() {
		return true
	}
	if len(f.Include) > 0 {
		ok := false
		for _, pat := range f.Include {
			if matchGlob(pat, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, pat := range f.Exclude {
		if matchGlob(pat, p) {
			return false
		}
	}
	return true
}

// String gives the filter as the command-line flags that make it.
func (f PathFilter) String() string {
	var b strings.Builder
	for _, p := range f.Include {
		fmt.Fprintf(&b, " --include=%s", p)
	}
	for _, p := range f.Exclude {
		fmt.Fprintf(&b, " --exclude=%s", p)
	}
	return strings.TrimSpace(b.String())
}

func checkPattern(pat string) error {
	if pat == "" {
		return fmt.Errorf("pattern %q: %w: empty", pat, ErrBadPattern)
	}
	for _, seg := range strings.Split(strings.TrimSuffix(pat, "/"), "/") {
		if seg == "**" {
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("pattern %q: %w", pat, ErrBadPattern)
		}
	}
	return nil
}

// matchGlob matches p against pat as PathFilter documents.
func matchGlob(pat, p string) bool {
	if strings.HasSuffix(pat, "/") {
		pat += "**"
	}
	if !strings.Contains(pat, "/") {
		pat = "**/" + pat
	}
	return matchSegments(strings.Split(pat, "/"), strings.Split(p, "/"))
}

func matchSegments(pats, segs []string) bool {
	for len(pats) > 0 {
		if pats[0] == "**" {
			// Collapse runs of "**"; then try every split point.
			for len(pats) > 0 && pats[0] == "**" {
				pats = pats[1:]
			}
			if len(pats) == 0 {
				return true
			}
			for i := 0; i <= len(segs); i++ {
				if matchSegments(pats, segs[i:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 {
			return false
		}
		if ok, err := path.Match(pats[0], segs[0]); err != nil || !ok {
			return false
		}
		pats, segs = pats[1:], segs[1:]
	}
	return len(segs) == 0
}
