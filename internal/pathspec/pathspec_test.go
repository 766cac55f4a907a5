package pathspec

import (
	"strings"
	"testing"
)

func TestWildmatchFollowsGitsRules(t *testing.T) {
	cases := []struct {
		pattern, text string
		pathname      bool
		want          bool
	}{
		{"*.c", "a.c", false, true},
		{"*.c", "sub/deep/z.c", false, true},
		{"*.c", "sub/deep/z.c", true, false},
		{"sub/*.c", "sub/deep/z.c", false, true},
		{"sub/*.c", "sub/deep/z.c", true, false},
		{"**/*.c", "sub/deep/z.c", true, true},
		{"**/*.c", "z.c", true, true},
		{"sub/**", "sub/a/b", true, true},
		{"a/**/b", "a/b", true, true},
		{"a/**/b", "a/x/y/b", true, true},
		{"a**b", "a/x/b", true, false},
		{"?", "/", true, false},
		{"?", "/", false, true},
		{"[a-c]x", "bx", false, true},
		{"[!a-c]x", "bx", false, false},
		{"[^a-c]x", "dx", false, true},
		{"[[:digit:]]*", "7up", false, true},
		{"[[:upper:]]", "a", false, false},
		{`\*`, "*", false, true},
		{`\*`, "x", false, false},
		{"a[", "a[", false, true},
		{"di?", "dir/x", false, false},
		{"d*", "dir/x", false, true},
		{"", "", false, true},
		{"*", "", false, true},
	}
	for _, tc := range cases {
		if got := Wildmatch(tc.pattern, tc.text, tc.pathname); got != tc.want {
			t.Errorf("wildmatch(%q, %q, pathname=%v) = %v, want %v", tc.pattern, tc.text, tc.pathname, got, tc.want)
		}
	}
}

func TestPathspecSelectsAsGitDoes(t *testing.T) {
	// Expected results were read off git 2.39.5 (`git log -- SPEC` on a tree
	// holding dir/x, dirx, sub/deep/z.c and top.c).
	files := []string{"dir/x", "dirx", "sub/deep/z.c", "top.c"}
	cases := []struct {
		spec []string
		want []string
	}{
		{[]string{"di?"}, nil},
		{[]string{"d*"}, []string{"dir/x", "dirx"}},
		{[]string{"dir/"}, []string{"dir/x"}},
		{[]string{"dir"}, []string{"dir/x"}},
		{[]string{"sub/*.c"}, []string{"sub/deep/z.c"}},
		{[]string{"su"}, nil},
		{[]string{":(glob)*.c"}, []string{"top.c"}},
		{[]string{":(glob)**/*.c"}, []string{"sub/deep/z.c", "top.c"}},
		{[]string{"*"}, files},
		{[]string{":!dir"}, []string{"dirx", "sub/deep/z.c", "top.c"}},
		{[]string{"DIR"}, nil},
		{[]string{":(icase)DIR"}, []string{"dir/x"}},
		{[]string{"."}, files},
		{[]string{"./sub/../dir"}, []string{"dir/x"}},
		{[]string{":(literal)d*"}, nil},
	}
	for _, tc := range cases {
		ps, err := Parse(tc.spec, "")
		if err != nil {
			t.Fatalf("%q: %v", tc.spec, err)
		}
		var got []string
		for _, f := range files {
			if ps.Matches(f) && ps.walkReaches(f) {
				got = append(got, f)
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("pathspec %q selects %q, git selects %q", tc.spec, got, tc.want)
		}
	}
}

// walkReaches reports whether a tree walk guided by ps.dir would descend to
// the folder holding path, so the test checks pruning and matching together.
func (ps *Spec) walkReaches(path string) bool {
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			switch ps.Dir(path[:i]) {
			case DirSkip:
				return false
			case DirAll:
				return true
			}
		}
	}
	return true
}

func TestPathspecRefusesMagicItLacks(t *testing.T) {
	for _, spec := range []string{":(attr:foo)x", ":(bogus)x", ":(literal,glob)x", ":(glob"} {
		if _, err := Parse([]string{spec}, ""); err == nil {
			t.Errorf("pathspec %q was accepted; want an error naming what is unsupported", spec)
		}
	}
}

func TestPathspecJoinsThePrefixOfTheFolderTheUserIsIn(t *testing.T) {
	ps, err := Parse([]string{"x.c", ":/top.c"}, "sub/")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{"sub/x.c": true, "x.c": false, "top.c": true, "sub/top.c": false} {
		if got := ps.Matches(path); got != want {
			t.Errorf("matches(%q) = %v, want %v", path, got, want)
		}
	}
}

// FuzzWildmatch: whatever the pattern and text, neither matcher panics, and
// where neither holds an upper-case letter, a backslash or a bracket (the
// places git's WM_CASEFOLD treats apart) folding changes nothing.
func FuzzWildmatch(f *testing.F) {
	for _, s := range [][2]string{{"*.c", "a.c"}, {"**/x", "a/b/x"}, {"[A-C]?", "bz"}, {"\\Q*", "q"}, {"a*", ""}, {"[[:upper:]]", "a"}} {
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, pattern, text string, pathname bool) {
		plain := Wildmatch(pattern, text, pathname)
		folded := WildmatchFold(pattern, text, pathname)
		if strings.ContainsAny(pattern+text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ\\[]") {
			return
		}
		if plain != folded {
			t.Fatalf("wildmatch(%q, %q, %v): %v, folded %v", pattern, text, pathname, plain, folded)
		}
	})
}

// TestFollowTakesOneItemAndLiteralPaths: --follow's path is the one
// item's pattern from the top; two items, an exclude (git adds an item
// beside it), glob and icase magic are refused; the path followed after a
// rename is literal, so a name with wildcards matches only itself.
func TestFollowTakesOneItemAndLiteralPaths(t *testing.T) {
	ps, err := Parse([]string{"./b.txt"}, "sub/")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := ps.Follow(); err != nil || p != "sub/b.txt" || !ps.One() {
		t.Errorf("Follow of ./b.txt in sub/: %q, %v, One %v", p, err, ps.One())
	}
	for _, args := range [][]string{nil, {"a", "b"}, {":!a"}, {":(glob)*.c"}, {":(icase)A"}} {
		ps, err := Parse(args, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ps.Follow(); err == nil {
			t.Errorf("Follow of %q: no error", args)
		}
	}
	lit := Literal("a*b")
	if !lit.Matches("a*b") || lit.Matches("axb") || lit.Matches("a*b2") || !lit.Matches("a*b/c") {
		t.Error("Literal(a*b) does not match as git's literal pathspec")
	}
}
