package treediff

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/pathspec"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// gitTree runs git in dir and returns its trimmed output.
func gitTree(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@x", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@x")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestDiffAgreesWithGitDiffTree commits two trees whose differences cover
// what tree-diff.c orders and pairs, and compares every change and the
// TREESAME answer with git, with and without pathspecs.
func TestDiffAgreesWithGitDiffTree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	gitTree(t, dir, "init", "-q")
	write := func(name, content string, mode os.FileMode) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("a.c", "1\n", 0o644)
	write("a-b", "1\n", 0o644)
	write("a/x", "1\n", 0o644) // "a" the folder sorts after "a-b" and "a.c"
	write("sub/deep/z.c", "1\n", 0o644)
	write("sub/keep", "1\n", 0o644)
	write("gone/y", "1\n", 0o644)
	write("run.sh", "echo\n", 0o644)
	write("flip", "1\n", 0o644)
	gitTree(t, dir, "add", "-A")
	gitTree(t, dir, "update-index", "--add", "--cacheinfo", "160000,1111111111111111111111111111111111111111,mod")
	gitTree(t, dir, "commit", "-q", "-m", "one")

	write("a.c", "2\n", 0o644)
	os.RemoveAll(filepath.Join(dir, "a"))
	write("a", "now a file\n", 0o644)
	write("sub/deep/z.c", "2\n", 0o644)
	write("sub/new.c", "1\n", 0o644)
	os.RemoveAll(filepath.Join(dir, "gone"))
	write("gone", "a file too\n", 0o644)
	if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "flip"))
	if err := os.Symlink("a.c", filepath.Join(dir, "flip")); err != nil {
		t.Fatal(err)
	}
	gitTree(t, dir, "add", "-A")
	gitTree(t, dir, "update-index", "--add", "--cacheinfo", "160000,2222222222222222222222222222222222222222,mod")
	gitTree(t, dir, "commit", "-q", "-m", "two")

	db, err := odb.Open(filepath.Join(dir, ".git"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tree := func(rev string) odb.ID {
		id, err := odb.ParseID(gitTree(t, dir, "rev-parse", rev+"^{tree}"))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	oldTree, newTree := tree("HEAD~1"), tree("HEAD")
	for _, spec := range [][]string{nil, {"sub"}, {"*.c"}, {"a"}, {":(exclude)sub", "."}, {"nothing"}} {
		t.Run(strings.Join(spec, " "), func(t *testing.T) {
			ps, err := pathspec.Parse(spec, "")
			if err != nil {
				t.Fatal(err)
			}
			d := New(db.NewReader(), arena.New(arena.NewHeap(1<<20)), ps)
			if err := d.Diff(oldTree, newTree); err != nil {
				t.Fatal(err)
			}
			var got []string
			for i := range d.Changes() {
				c := &d.Changes()[i]
				status := map[Kind]string{Added: "A", Deleted: "D", Modified: "M"}[c.Kind()]
				if c.Kind() == Modified && c.OldMode&0o170000 != c.NewMode&0o170000 {
					status = "T"
				}
				got = append(got, fmt.Sprintf(":%06o %06o %s %s %s\t%s", c.OldMode, c.NewMode, c.OldID, c.NewID, status, d.Path(c)))
			}
			args := append([]string{"diff-tree", "-r", "--no-renames", "--raw", "--abbrev=40", "HEAD~1", "HEAD", "--"}, spec...)
			want := gitTree(t, dir, args...)
			if strings.Join(got, "\n") != want {
				t.Errorf("changes:\n%s\ngit diff-tree:\n%s", strings.Join(got, "\n"), want)
			}
			same, err := New(db.NewReader(), arena.New(arena.NewHeap(1<<20)), ps).Same(oldTree, newTree)
			if err != nil {
				t.Fatal(err)
			}
			if same != (want == "") {
				t.Errorf("Same = %v, but git diff-tree lists %d changes", same, len(got))
			}
		})
	}
	// Unmodified lists what both trees hold alike, in ls-tree's order
	// (ls-tree's pathspecs are literal prefixes: those cases only).
	for _, spec := range [][]string{nil, {"sub"}, {"a"}, {"a.c"}, {"nothing"}} {
		t.Run("unmodified "+strings.Join(spec, " "), func(t *testing.T) {
			ps, err := pathspec.Parse(spec, "")
			if err != nil {
				t.Fatal(err)
			}
			d := New(db.NewReader(), arena.New(arena.NewHeap(1<<20)), ps)
			if err := d.Diff(oldTree, newTree); err != nil {
				t.Fatal(err)
			}
			if err := d.Unmodified(oldTree, newTree); err != nil {
				t.Fatal(err)
			}
			var got []string
			for i := range d.Unchanged() {
				c := &d.Unchanged()[i]
				got = append(got, fmt.Sprintf("%06o %s\t%s", c.NewMode, c.NewID, d.Path(c)))
			}
			list := func(rev string) []string {
				var out []string
				for _, l := range strings.Split(gitTree(t, dir, append([]string{"ls-tree", "-r", rev, "--"}, spec...)...), "\n") {
					if l != "" {
						mode, rest, _ := strings.Cut(l, " ")
						_, rest, _ = strings.Cut(rest, " ") // the type
						out = append(out, mode+" "+rest)
					}
				}
				return out
			}
			inOld := map[string]bool{}
			for _, l := range list("HEAD~1") {
				inOld[l] = true
			}
			var want []string
			for _, l := range list("HEAD") {
				if inOld[l] {
					want = append(want, l)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("unmodified:\n%s\ngit ls-tree, in both trees alike:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if len(spec) == 0 && len(want) != 2 { // a-b and sub/keep: the case must test something
				t.Fatalf("the fixture's trees share %d files alike, want 2: %v", len(want), want)
			}
		})
	}
}
