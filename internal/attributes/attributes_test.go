package attributes

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

func TestAttrCheckerAnswersAsGitCheckAttr(t *testing.T) {
	testrepos.IsolateGit(t)
	work := filepath.Join(t.TempDir(), "people")
	if out, err := exec.Command("git", "clone", "-q", testrepos.Path(t, "people"), work).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v: %s", err, out)
	}
	// Rules in a sub-folder's file and in info/attributes, on top of the
	// committed top-level .gitattributes.
	if err := os.WriteFile(filepath.Join(work, "web", ".gitattributes"), []byte("*.js linguist-generated=false\napp.js linguist-vendored\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, ".git", "info", "attributes"), []byte("ext/** !linguist-vendored\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	names := []string{"linguist-generated", "linguist-vendored"}
	ac := New(work, filepath.Join(work, ".git"), "").Checker(names...)
	paths := []string{"gen/api.pb.go", "ext/lib.c", "vendor/ours/ours.go", "vendor/lib/lib.go", "web/app.js", "web/app.min.js", "src/main.go", "gen", "deep/gen/x"}
	out, err := exec.Command("git", append([]string{"-C", work, "check-attr"}, append(names, append([]string{"--"}, paths...)...)...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, ": ", 3)
		want[f[0]+" "+f[1]] = f[2]
	}
	for _, p := range paths {
		got := ac.Check(p)
		for i, n := range names {
			if got[i] != want[p+" "+n] {
				t.Errorf("%s %s: %q, git check-attr says %q", p, n, got[i], want[p+" "+n])
			}
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
	write := func(name, content string) { t.Helper(); writeUnder(t, dir, name, content) }
	write(".gitattributes", "*.bin binary\n*.txt diff\n/top.dat -diff\nsub/*.x diff=hex\n[attr]nodiff -diff\n*.nd nodiff\n\"q u.c\" -diff\n")
	write("sub/.gitattributes", "*.txt -diff\ninner.bin !diff\n")
	write(".git/info/attributes", "force.bin diff\n")
	paths := []string{"a.bin", "sub/a.bin", "sub/inner.bin", "a.txt", "sub/a.txt", "top.dat", "sub/top.dat",
		"sub/y.x", "sub/deep/y.x", "z.nd", "q u.c", "force.bin", "plain.c"}
	a := New(dir, filepath.Join(dir, ".git"), "")
	for _, p := range paths {
		out := strings.TrimSpace(run("check-attr", "diff", "--", p))
		val := out[strings.LastIndex(out, ": ")+2:]
		var want Result
		switch val {
		case "set":
			want.State = DiffSet
		case "unset":
			want.State = DiffUnset
		case "unspecified":
		default:
			want = Result{State: DiffDriver, Driver: val}
		}
		if got := a.Lookup(p); got != want {
			t.Errorf("%s: gitwalk reads diff attribute %+v, git check-attr says %q", p, got, val)
		}
	}
}

func TestAttributesKeepNoView(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".gitattributes"), []byte("*.bin -diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := New(dir, t.TempDir(), "")
	buf := []byte("x.bin")
	a.Lookup(unsafe.String(&buf[0], len(buf))) // a view, as the tree diff passes
	copy(buf, "y.txt")
	if got := a.Lookup("x.bin"); got.State != DiffUnset {
		t.Fatalf("cache entry changed with the caller's buffer: %+v", got)
	}
}

// TestAttrCheckerInABareRepositoryAnswersAsGitCheckAttr holds a bare
// repository's checker to git check-attr there: without info/attributes
// every name is unspecified (the committed .gitattributes is not read, as
// git does not read it without a work tree), and with one its rules count.
func TestAttrCheckerInABareRepositoryAnswersAsGitCheckAttr(t *testing.T) {
	testrepos.IsolateGit(t)
	bare := filepath.Join(t.TempDir(), "people.git")
	if out, err := exec.Command("git", "clone", "-q", "--bare", testrepos.Path(t, "people"), bare).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v: %s", err, out)
	}
	names := []string{"linguist-generated", "linguist-vendored"}
	paths := []string{"gen/api.pb.go", "ext/lib.c", "vendor/lib/lib.go", "web/app.js", "src/main.go"}
	for _, info := range []string{"", "ext/** linguist-vendored\n*.go -linguist-generated\n"} {
		if info != "" {
			if err := os.MkdirAll(filepath.Join(bare, "info"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(bare, "info", "attributes"), []byte(info), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ac := New("", bare, "").Checker(names...)
		out, err := exec.Command("git", append([]string{"-C", bare, "check-attr"}, append(names, append([]string{"--"}, paths...)...)...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		set := 0
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.SplitN(line, ": ", 3)
			want[f[0]+" "+f[1]] = f[2]
			if f[2] != "unspecified" {
				set++
			}
		}
		if info != "" && set == 0 {
			t.Fatalf("git check-attr gives no value from info/attributes: %s", out)
		}
		for _, p := range paths {
			got := ac.Check(p)
			for i, n := range names {
				if got[i] != want[p+" "+n] {
					t.Errorf("info %q: %s %s: %q, git check-attr says %q", info, p, n, got[i], want[p+" "+n])
				}
			}
		}
	}
}

// TestFilesAndLinesAsGitReadsThem: git 2.39.5 drops a UTF-8 byte order
// mark, reads CRLF as LF, ignores a line of 2,048 bytes or more (not one of
// 2,047), and does not follow a work tree's .gitattributes that is a
// symbolic link (it opens them with O_NOFOLLOW), while info/attributes may
// be one. Diff.Lookup, read lazily and after Digest, and a Checker must
// answer each path as git check-attr does.
func TestFilesAndLinesAsGitReadsThem(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	write := func(name, content string) { t.Helper(); writeUnder(t, dir, name, content) }
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	pad := func(line string, n int) string { return line + strings.Repeat(" ", n-len(line)) }
	write(".gitattributes", "\xef\xbb\xbf*.bom -diff\r\n*.crlf diff=hex\r\n"+
		pad("*.long -diff", 2048)+"\n"+pad("*.ok -diff", 2047)+"\n"+pad("  *.longer diff=x", 4000)+"\n")
	write("targets/attrs", "*.txt -diff\n*.sym diff=sym\n")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	link("../targets/attrs", "sub/.gitattributes")
	write("info-target", "*.info -diff\n")
	if err := os.Remove(filepath.Join(dir, ".git", "info", "attributes")); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	link(filepath.Join(dir, "info-target"), ".git/info/attributes")
	paths := []string{"a.bom", "a.crlf", "a.long", "a.ok", "a.longer", "sub/a.txt", "sub/b.sym", "a.txt", "x.info"}

	want := gitCheckAttr(t, dir, nil, "diff", paths)
	if want["sub/a.txt"] != "unspecified" || want["a.ok"] != "unset" || want["a.long"] != "unspecified" || want["x.info"] != "unset" {
		t.Fatalf("git check-attr no longer reads these files as this test expects: %v", want)
	}
	text := func(r Result) string {
		switch r.State {
		case DiffSet:
			return "set"
		case DiffUnset:
			return "unset"
		case DiffDriver:
			return r.Driver
		}
		return "unspecified"
	}
	lazy := New(dir, filepath.Join(dir, ".git"), "")
	digested := New(dir, filepath.Join(dir, ".git"), "")
	if _, err := digested.Digest(); err != nil {
		t.Fatal(err)
	}
	checker := New(dir, filepath.Join(dir, ".git"), "").Checker("diff")
	for _, p := range paths {
		if got := text(lazy.Lookup(p)); got != want[p] {
			t.Errorf("%s: Lookup says %s, git check-attr %s", p, got, want[p])
		}
		if got := text(digested.Lookup(p)); got != want[p] {
			t.Errorf("%s: Lookup after Digest says %s, git check-attr %s", p, got, want[p])
		}
		if got := checker.Check(p)[0]; got != want[p] {
			t.Errorf("%s: Checker says %s, git check-attr %s", p, got, want[p])
		}
	}
}

// writeUnder writes content to dir/name (slash-separated), making its
// folders.
func writeUnder(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
