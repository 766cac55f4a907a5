package walker

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestAttributesAreNotReadFromTheIndex: git's attr.c falls back to the
// index for a .gitattributes missing from the work tree, but git log
// 2.39 does not load the index, so the fallback never applies to its
// numstat: a .gitattributes deleted from the work tree, or left out by a
// sparse checkout, applies no rule, though the index still holds it. The
// walk must count as git log does, and no "index fallback" be added.
func TestAttributesAreNotReadFromTheIndex(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	git := func(args ...string) string { return string(gitOut(t, dir, args...)) }
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	git("config", "user.name", "a")
	git("config", "user.email", "a@example.com")
	write("a.txt", "x\n")
	write("d/b.txt", "x\n")
	write("top", "k\n")
	git("add", "-A")
	git("commit", "-qm", "one")
	write(".gitattributes", "/a.txt -diff\n")
	write("d/.gitattributes", "*.txt -diff\n")
	write("a.txt", "x\ny\n")
	write("d/b.txt", "x\ny\n")
	git("add", "-A")
	git("commit", "-qm", "two")

	// numstat is git log's counts, or the walk's, one line per change.
	gitNumstat := func() string {
		var b strings.Builder
		for _, line := range strings.Split(git("log", "--numstat", "--no-renames", "--format=%H"), "\n") {
			if f := strings.Split(line, "\t"); len(f) == 3 {
				fmt.Fprintf(&b, "%s %s %s\n", f[2], f[0], f[1])
			}
		}
		return b.String()
	}
	walkNumstat := func() string {
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var b strings.Builder
		commits, _ := walkAll(t, r, Options{Renames: RenamesOff})
		for _, c := range commits {
			for _, ch := range c.Changes {
				if ch.Binary {
					fmt.Fprintf(&b, "%s - -\n", ch.Path)
				} else {
					fmt.Fprintf(&b, "%s %d %d\n", ch.Path, ch.Added, ch.Deleted)
				}
			}
		}
		return b.String()
	}
	check := func(what, wantA, wantB string) {
		t.Helper()
		got, want := walkNumstat(), gitNumstat()
		if got != want {
			t.Fatalf("%s: the walk counts\n%s\ngit log\n%s", what, got, want)
		}
		// The case is the one meant: git applies the rules the work tree
		// holds, and none that only the index does.
		if !strings.Contains(want, "a.txt "+wantA+"\n") || !strings.Contains(want, "d/b.txt "+wantB+"\n") {
			t.Fatalf("%s: git log counts\n%s\nwant a.txt %s and d/b.txt %s", what, want, wantA, wantB)
		}
	}
	check("both files in the work tree", "- -", "- -")
	if err := os.Remove(filepath.Join(dir, ".gitattributes")); err != nil {
		t.Fatal(err)
	}
	check("the top .gitattributes deleted from the work tree, still in the index", "1 0", "- -")
	git("checkout", "--", ".gitattributes")
	git("sparse-checkout", "set", "--no-cone", "/top", "/a.txt", "/.gitattributes")
	if _, err := os.Stat(filepath.Join(dir, "d")); !os.IsNotExist(err) {
		t.Fatalf("the sparse checkout left d/ in the work tree (%v)", err)
	}
	check("d/ left out by a sparse checkout", "- -", "1 0")
}
