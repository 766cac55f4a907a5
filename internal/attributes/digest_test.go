package attributes

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestDigestNamesEveryDiffRuleAndNothingElse changes a work tree's
// attribute sources one way at a time: a change to a diff rule anywhere
// (a deep folder, info/attributes, core.attributesFile, a folder reached
// through a link) changes the digest; a change to other attributes does
// not.
func TestDigestNamesEveryDiffRuleAndNothingElse(t *testing.T) {
	work := t.TempDir()
	git := filepath.Join(work, ".git")
	global := filepath.Join(t.TempDir(), "attributes")
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	digest := func() [32]byte {
		t.Helper()
		d, err := New(work, git, global).Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	write(filepath.Join(work, "a", "b", "c.txt"), "x\n")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(git, "info"), 0o755))
	prev := digest()
	if again := digest(); again != prev {
		t.Fatal("two digests of the same sources differ")
	}
	for _, step := range []struct {
		name    string
		do      func()
		changes bool
	}{
		{"a deep .gitattributes about eol", func() { write(filepath.Join(work, "a", "b", ".gitattributes"), "*.txt eol=lf\n") }, false},
		{"a deep .gitattributes about diff", func() { write(filepath.Join(work, "a", "b", ".gitattributes"), "*.txt eol=lf\n*.txt -diff\n") }, true},
		{"the same rule moved up a folder", func() {
			must(os.Remove(filepath.Join(work, "a", "b", ".gitattributes")))
			write(filepath.Join(work, "a", ".gitattributes"), "*.txt -diff\n")
		}, true},
		{"a .gitattributes inside .git", func() { write(filepath.Join(git, "x", ".gitattributes"), "* -diff\n") }, false},
		{"info/attributes", func() { write(filepath.Join(git, "info", "attributes"), "*.c diff=cpp\n") }, true},
		{"core.attributesFile", func() { write(global, "*.bin binary\n") }, true},
		// The same rule said another way is another digest: rules keep the
		// macros they name, whose effect depends on the other rules
		// (a higher one setting the macro keeps it from expanding).
		{"a macro's meaning", func() { write(global, "[attr]bin -diff\n*.bin bin\n") }, true},
		{"an eol macro", func() { write(global, "[attr]bin -diff\n*.bin bin\n[attr]crlf eol=crlf\n") }, false},
		{"a linked folder's .gitattributes", func() {
			write(filepath.Join(work, "real", ".gitattributes"), "*.md diff\n")
			must(os.Symlink("real", filepath.Join(work, "link")))
		}, true},
	} {
		step.do()
		d := digest()
		if (d != prev) != step.changes {
			t.Errorf("%s: digest changed %v, want %v", step.name, d != prev, step.changes)
		}
		prev = d
	}
}

// TestLookupAnswersFromWhatDigestRead: after Digest, a change to a
// .gitattributes file changes no answer, so the answers are the ones the
// digest names.
func TestLookupAnswersFromWhatDigestRead(t *testing.T) {
	work := t.TempDir()
	p := filepath.Join(work, "d", ".gitattributes")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("*.txt -diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := New(work, filepath.Join(work, ".git"), filepath.Join(work, "none"))
	if _, err := a.Digest(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("*.txt diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, ".gitattributes"), []byte("*.txt diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := a.Lookup("d/x.txt"); got.State != DiffUnset {
		t.Fatalf("d/x.txt: %v, want the -diff the digest read", got)
	}
	if got := a.Lookup("y.txt"); got.State != DiffUnspecified {
		t.Fatalf("y.txt: %v, want nothing: the top .gitattributes came after the digest", got)
	}
}

// A Checker made after Digest answers from the files Digest read, as the
// lazy one answers from the disk: the same as git check-attr on the same
// files, later changes unseen. It answers every path at once (uniform) when no file names a checked
// attribute (files about other attributes do not count), and not when
// one does, at any depth or in info/attributes.
func TestCheckerAfterDigestAnswersFromWhatDigestRead(t *testing.T) {
	testrepos.IsolateGit(t)
	names := []string{"linguist-generated", "linguist-vendored"}
	paths := []string{"a.go", "web/app.js", "web/lib/x.js", "deep/er/gen.go", "deep/er/y.txt"}
	write := func(t *testing.T, p, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		files   map[string]string // work-tree-relative path -> content
		uniform bool
	}{
		{"no files", nil, true},
		{"other attributes only", map[string]string{".gitattributes": "* text=auto\n*.png binary\n", "web/.gitattributes": "*.js eol=lf\n"}, true},
		{"a deep file names one", map[string]string{".gitattributes": "* text=auto\n", "deep/er/.gitattributes": "gen.go linguist-generated\n"}, false},
		{"info names one", map[string]string{".git/info/attributes": "web/** linguist-vendored\n"}, false},
		{"the top file unsets one", map[string]string{".gitattributes": "*.js -linguist-vendored\n"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			if out, err := exec.Command("git", "init", "-q", work).CombinedOutput(); err != nil {
				t.Fatalf("git init: %v: %s", err, out)
			}
			for p, data := range tc.files {
				write(t, filepath.Join(work, filepath.FromSlash(p)), data)
			}
			a := New(work, filepath.Join(work, ".git"), filepath.Join(work, "no-global"))
			lazy := New(work, filepath.Join(work, ".git"), filepath.Join(work, "no-global")).Checker(names...)
			if _, err := a.Digest(); err != nil {
				t.Fatal(err)
			}
			c := a.Checker(names...)
			if c.uniform() != tc.uniform {
				t.Errorf("uniform: %v, want %v", c.uniform(), tc.uniform)
			}
			out, err := exec.Command("git", append([]string{"-C", work, "check-attr"}, append(names, append([]string{"--"}, paths...)...)...)...).Output()
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				f := strings.SplitN(line, ": ", 3)
				i := slices.Index(names, f[1])
				if got := c.Check(f[0])[i]; got != f[2] {
					t.Errorf("%s %s: %q, git check-attr says %q", f[0], f[1], got, f[2])
				}
				if got := lazy.Check(f[0])[i]; got != f[2] {
					t.Errorf("lazy: %s %s: %q, git check-attr says %q", f[0], f[1], got, f[2])
				}
			}
			// A file written after the digest is not read.
			write(t, filepath.Join(work, "web", "lib", ".gitattributes"), "x.js linguist-generated\n")
			if got := c.Check("web/lib/x.js")[0]; got != "unspecified" {
				t.Errorf("web/lib/x.js: linguist-generated %q from a file written after the digest", got)
			}
		})
	}
}

// A checker's digest names the rules it answers from: the same files give
// the same digest, a changed rule about a checked name another, a rule
// about other names none; a checker that reads the work tree lazily has
// none to give.
func TestCheckerDigestNamesItsRules(t *testing.T) {
	names := []string{"linguist-generated", "linguist-vendored"}
	digest := func(files map[string]string) ([32]byte, bool) {
		t.Helper()
		work := t.TempDir()
		for p, data := range files {
			f := filepath.Join(work, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		a := New(work, filepath.Join(work, ".git"), filepath.Join(work, "no-global"))
		if _, ok := a.Checker(names...).Digest(); ok {
			t.Error("a checker made before Diff.Digest gave a digest")
		}
		if _, err := a.Digest(); err != nil {
			t.Fatal(err)
		}
		return a.Checker(names...).Digest()
	}
	base := map[string]string{".gitattributes": "* text=auto\n", "web/.gitattributes": "*.js linguist-vendored\n"}
	d0, ok := digest(base)
	if !ok {
		t.Fatal("no digest after Diff.Digest")
	}
	if d, _ := digest(base); d != d0 {
		t.Error("the same files gave another digest")
	}
	for name, files := range map[string]map[string]string{
		"a rule unset":   {".gitattributes": "* text=auto\n", "web/.gitattributes": "*.js -linguist-vendored\n"},
		"another folder": {".gitattributes": "* text=auto\n", "lib/.gitattributes": "*.js linguist-vendored\n"},
		"info adds one":  {".gitattributes": "* text=auto\n", "web/.gitattributes": "*.js linguist-vendored\n", ".git/info/attributes": "x linguist-generated\n"},
	} {
		if d, _ := digest(files); d == d0 {
			t.Errorf("%s: the same digest", name)
		}
	}
	if d, _ := digest(map[string]string{".gitattributes": "*.png binary\n", "web/.gitattributes": "*.js linguist-vendored\n*.js eol=lf\n"}); d != d0 {
		t.Error("rules about other attributes changed the digest")
	}
}

// TestDigestWalksEveryFolderInNameOrder: the walk behind Digest finds a
// .gitattributes among more entries than one read of a folder returns,
// follows a link to a folder inside the work tree but not one back up to
// a folder it is in or one out of the tree, and reads the files in the
// order of a walk by name (the order of the warnings): "a", then "a/b",
// before "a-b" and "a.b", though "a-b/" sorts before "a/" as a path.
func TestDigestWalksEveryFolderInNameOrder(t *testing.T) {
	t.Setenv("GIT_ATTR_NOSYSTEM", "1")
	work := t.TempDir()
	outside := t.TempDir()
	writeUnder(t, outside, ".gitattributes", "*.out -diff\n")
	for i := range 1500 {
		writeUnder(t, work, fmt.Sprintf("big/file-with-a-long-name-%04d.txt", i), "")
	}
	writeUnder(t, work, "big/.gitattributes", "*.big -diff\n")
	writeUnder(t, work, "big/zz/.gitattributes", "*.zz -diff\n")
	for _, d := range []string{"a.b", "a-b", "a/b", "a"} {
		writeUnder(t, work, d+"/.gitattributes", "!neg -diff\n*."+strings.NewReplacer("/", "", ".", "", "-", "").Replace(d)+" -diff\n")
	}
	for link, target := range map[string]string{"a/b/up": "..", "a/here": ".", "big/zz/top": "../..", "in": "big/zz", "out": outside} {
		if err := os.Symlink(target, filepath.Join(work, link)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	a := New(work, filepath.Join(work, ".git"), filepath.Join(work, "no-global"))
	if _, err := a.Digest(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]DiffState{
		"big/x.big": DiffUnset, "big/zz/x.zz": DiffUnset, "in/x.zz": DiffUnset, "out/x.out": DiffUnspecified,
		"a/x.a": DiffUnset, "a/b/x.ab": DiffUnset, "a-b/x.ab": DiffUnset, "a.b/x.ab": DiffUnset,
	} {
		if got := a.Lookup(p).State; got != want {
			t.Errorf("%s: diff state %v, want %v", p, got, want)
		}
	}
	var order []string
	for _, w := range a.Warnings() {
		order = append(order, strings.TrimSuffix(w[:strings.Index(w, ":")], "/.gitattributes"))
	}
	if want := []string{"a", "a/b", "a-b", "a.b"}; !slices.Equal(order, want) {
		t.Errorf("files read in the order %q, want %q", order, want)
	}
}

// BenchmarkDigestWorkTree is Digest of a work tree of 250 folders two
// deep, each with 20 files, three with a .gitattributes: the walk of the
// folders is most of it.
func BenchmarkDigestWorkTree(b *testing.B) {
	b.Setenv("GIT_ATTR_NOSYSTEM", "1")
	work := b.TempDir()
	for d := range 250 {
		dir := filepath.Join(work, fmt.Sprintf("d%02d", d/10), fmt.Sprintf("s%d", d%10))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 20 {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%02d.go", f)), nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		if d%100 == 7 {
			if err := os.WriteFile(filepath.Join(dir, ".gitattributes"), []byte("*.pb.go -diff\n"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(work, filepath.Join(work, ".git"), filepath.Join(work, "no-global")).Digest(); err != nil {
			b.Fatal(err)
		}
	}
}
