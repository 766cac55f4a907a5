package walker

import (
	"os"
	"os/exec"
	"path/filepath"
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
		if got := wildmatch(tc.pattern, tc.text, tc.pathname); got != tc.want {
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
		ps, err := parsePathspec(tc.spec, "")
		if err != nil {
			t.Fatalf("%q: %v", tc.spec, err)
		}
		var got []string
		for _, f := range files {
			if ps.matches(f) && ps.walkReaches(f) {
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
func (ps *pathspec) walkReaches(path string) bool {
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			switch ps.dir(path[:i]) {
			case dirSkip:
				return false
			case dirAll:
				return true
			}
		}
	}
	return true
}

func TestPathspecRefusesMagicItLacks(t *testing.T) {
	for _, spec := range []string{":(attr:foo)x", ":(bogus)x", ":(literal,glob)x", ":(glob"} {
		if _, err := parsePathspec([]string{spec}, ""); err == nil {
			t.Errorf("pathspec %q was accepted; want an error naming what is unsupported", spec)
		}
	}
}

func TestPathspecJoinsThePrefixOfTheFolderTheUserIsIn(t *testing.T) {
	ps, err := parsePathspec([]string{"x.c", ":/top.c"}, "sub/")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{"sub/x.c": true, "x.c": false, "top.c": true, "sub/top.c": false} {
		if got := ps.matches(path); got != want {
			t.Errorf("matches(%q) = %v, want %v", path, got, want)
		}
	}
}

// TestAttributesAgreeWithGitCheckAttr builds a work tree with attribute files
// at several levels and asks git check-attr for the diff attribute of each path.
func TestAttributesAgreeWithGitCheckAttr(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	run("init", "-q")
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitattributes", "*.bin binary\n*.txt diff\n/top.dat -diff\nsub/*.x diff=hex\n[attr]nodiff -diff\n*.nd nodiff\n\"q u.c\" -diff\n")
	write("sub/.gitattributes", "*.txt -diff\ninner.bin !diff\n")
	write(".git/info/attributes", "force.bin diff\n")
	paths := []string{"a.bin", "sub/a.bin", "sub/inner.bin", "a.txt", "sub/a.txt", "top.dat", "sub/top.dat",
		"sub/y.x", "sub/deep/y.x", "z.nd", "q u.c", "force.bin", "plain.c"}
	r := &Repo{workTree: dir, commonDir: filepath.Join(dir, ".git"), gitDir: filepath.Join(dir, ".git")}
	r.cfg.quotePath = true
	a := newAttributes(r)
	for _, p := range paths {
		out := strings.TrimSpace(run("check-attr", "diff", "--", p))
		val := out[strings.LastIndex(out, ": ")+2:]
		var want attrResult
		switch val {
		case "set":
			want.state = diffSet
		case "unset":
			want.state = diffUnset
		case "unspecified":
		default:
			want = attrResult{state: diffDriver, driver: val}
		}
		if got := a.lookup(p); got != want {
			t.Errorf("%s: gitwalk reads diff attribute %+v, git check-attr says %q", p, got, val)
		}
	}
}

func TestAttributesKeepNoView(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".gitattributes"), []byte("*.bin -diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newAttributes(&Repo{workTree: dir, commonDir: t.TempDir()})
	buf := []byte("x.bin")
	a.lookup(unsafeString(buf))
	copy(buf, "y.txt")
	if got := a.lookup("x.bin"); got.state != diffUnset {
		t.Fatalf("cache entry changed with the caller's buffer: %+v", got)
	}
}
