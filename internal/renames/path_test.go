package renames

import (
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/quote"
)

// TestFormatPath checks the forms of the reference sheet (git-renames.md
// §7, each checked there with git); the tests against git repositories
// check more.
func TestFormatPath(t *testing.T) {
	for _, tc := range []struct {
		old, new  string
		quotePath bool
		want      string
	}{
		{"a/b/c", "a/d/c", true, "a/{b => d}/c"},
		{"a/b", "a/c", true, "a/{b => c}"},
		{"x/a/f", "y/a/f", true, "{x => y}/a/f"},
		{"a/f", "a/new/f", true, "a/{ => new}/f"},
		{"a/old/g", "a/g", true, "a/{old => }/g"},
		{"file", "dir/file", true, "file => dir/file"},
		{"dir/file", "file", true, "dir/file => file"},
		{"d1/f", "d2/d1/f", true, "{d1 => d2/d1}/f"},
		{"a/b", "a/b/c", true, "a/{b => b/c}"},
		{"ab/c", "a/c", true, "{ab => a}/c"},
		{"a.b.c", "a.x.c", true, "a.b.c => a.x.c"},
		{"src/app/util/io.c", "src/lib/util/io.c", true, "src/{app => lib}/util/io.c"},
		{"d/café.txt", "d/cafés.txt", true, `"d/caf\303\251.txt" => "d/caf\303\251s.txt"`},
		{"d/café.txt", "d/cafés.txt", false, "d/{café.txt => cafés.txt}"},
		{"d/t\tab", "d/tab", false, `"d/t\tab" => d/tab`},
		{"d/my file.txt", "d/my notes.txt", true, "d/{my file.txt => my notes.txt}"},
		{"a/x/b", "a/x/b/c", true, "a/x/{b => b/c}"},
		{"same", "same", true, "same => same"},
	} {
		if got := FormatPath(tc.old, tc.new, tc.quotePath); got != tc.want {
			t.Errorf("FormatPath(%q, %q, %v) = %q, want %q", tc.old, tc.new, tc.quotePath, got, tc.want)
		}
	}
}

// referencePath is pprint_rename written as git writes it, with pointers
// that walk the strings (the end of a string reads as its NUL): the
// oracle for the fuzz test.
func referencePath(a, b string, quotePath bool) string {
	qa, qb := string(quote.Path(nil, a, quotePath)), string(quote.Path(nil, b, quotePath))
	if qa != a || qb != b {
		return qa + " => " + qb
	}
	at := func(s string, i int) byte {
		if i >= len(s) {
			return 0
		}
		return s[i]
	}
	pfx := 0
	i, j := 0, 0
	for at(a, i) != 0 && at(b, j) != 0 && at(a, i) == at(b, j) {
		if at(a, i) == '/' {
			pfx = i + 1
		}
		i++
		j++
	}
	adj := 0
	if pfx > 0 {
		adj = 1
	}
	sfx := 0
	i, j = len(a), len(b)
	for pfx-adj <= i && pfx-adj <= j && at(a, i) == at(b, j) {
		if at(a, i) == '/' {
			sfx = len(a) - i
		}
		i--
		j--
	}
	am, bm := max(len(a)-pfx-sfx, 0), max(len(b)-pfx-sfx, 0)
	if pfx+sfx == 0 {
		return a[:am] + " => " + b[:bm]
	}
	return a[:pfx] + "{" + a[pfx:pfx+am] + " => " + b[pfx:pfx+bm] + "}" + a[len(a)-sfx:]
}

// FuzzFormatPath compares FormatPath with the reference, and checks that
// a braced form spells both paths out again.
func FuzzFormatPath(f *testing.F) {
	for _, s := range [][2]string{{"a/b/c", "a/d/c"}, {"file", "dir/file"}, {"d1/f", "d2/d1/f"},
		{"a/b", "a/b/c"}, {"ab/c", "a/c"}, {"/", "//"}, {"a//b", "a/b"}, {"d/café", "d/t\tab"}} {
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, old, new string, quotePath bool) {
		// Paths in a tree hold no NUL and are not empty.
		if old == "" || new == "" || strings.IndexByte(old, 0) >= 0 || strings.IndexByte(new, 0) >= 0 {
			return
		}
		got := FormatPath(old, new, quotePath)
		if want := referencePath(old, new, quotePath); got != want {
			t.Fatalf("FormatPath(%q, %q) = %q, the reference says %q", old, new, got, want)
		}
		if !treePath(old) || !treePath(new) || old == new {
			return // the spelling out below holds for paths a tree can hold
		}
		if got == old+" => "+new || string(quote.Path(nil, old, quotePath)) != old ||
			string(quote.Path(nil, new, quotePath)) != new {
			return
		}
		// pre{a => b}suf spells old as pre+a+suf and new as pre+b+suf,
		// where an empty middle shares the slash that ends pre and starts
		// suf ("a/{ => new}/f" is a/f and a/new/f).
		join := func(pre, mid, suf string) string {
			if mid == "" && strings.HasSuffix(pre, "/") && strings.HasPrefix(suf, "/") {
				return pre + suf[1:]
			}
			return pre + mid + suf
		}
		for open := strings.IndexByte(got, '{'); open >= 0; open = nextIndex(got, open, '{') {
			for end := strings.LastIndexByte(got, '}'); end > open; end = strings.LastIndexByte(got[:end], '}') {
				pre, mid, suf := got[:open], got[open+1:end], got[end+1:]
				if a, b, ok := strings.Cut(mid, " => "); ok && join(pre, a, suf) == old && join(pre, b, suf) == new {
					return
				}
			}
		}
		t.Fatalf("FormatPath(%q, %q) = %q does not spell the paths out", old, new, got)
	})
}

// nextIndex returns the index of c in s after position k, or -1.
func nextIndex(s string, k int, c byte) int {
	n := strings.IndexByte(s[k+1:], c)
	if n < 0 {
		return -1
	}
	return k + 1 + n
}

// treePath reports whether p can name a file in a tree: no empty
// component.
func treePath(p string) bool {
	return !strings.HasPrefix(p, "/") && !strings.HasSuffix(p, "/") && !strings.Contains(p, "//")
}
