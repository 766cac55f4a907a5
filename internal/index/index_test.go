package index

import (
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=A", "-c", "user.email=a@x"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkAgainstGit looks up every path `git ls-files --stage` lists, and
// one it does not, and compares with git's stages and ids.
func checkAgainstGit(t *testing.T, dir, what string) {
	t.Helper()
	want := map[string]Entry{}
	for _, line := range strings.Split(strings.TrimSpace(git(t, dir, "ls-files", "--stage", "-z")), "\x00") {
		if line == "" {
			continue
		}
		meta, path, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		e := want[path]
		if f[2] == "0" {
			e.Found = true
			mode, _ := strconv.ParseUint(f[0], 8, 32)
			e.Mode = uint32(mode)
			id, _ := hex.DecodeString(f[1])
			copy(e.ID[:], id)
		} else {
			e.Unmerged = true
		}
		want[path] = e
	}
	want["no/such/path"] = Entry{}
	for path, w := range want {
		got, err := Lookup(filepath.Join(dir, ".git", "index"), path)
		if err != nil || got != w {
			t.Errorf("%s: %q: %+v, %v; git: %+v", what, path, got, err, w)
		}
	}
}

// TestLookupIsGitsIndex: entries of versions 2, 3 (extended flags) and 4
// (compressed paths), a long path, and a conflict's stages, as git lists
// them; a split index is refused, and a missing file is an empty index.
func TestLookupIsGitsIndex(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	write(t, dir, ".gitmodules", "[submodule \"s\"]\n\tpath = s\n\tignore = all\n")
	write(t, dir, "a/b/c.txt", "1\n")
	write(t, dir, "a/b/d.txt", "2\n")
	write(t, dir, "z", "4\n")
	git(t, dir, "add", "-A")
	// A name over 4,095 bytes, staged without a file (too long for one).
	blob := strings.TrimSpace(git(t, dir, "hash-object", "-w", "z"))
	git(t, dir, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+strings.Repeat("long/", 900)+"x")
	checkAgainstGit(t, dir, "version 2")
	git(t, dir, "update-index", "--skip-worktree", "a/b/c.txt") // extended flags: version 3
	if head, err := os.ReadFile(filepath.Join(dir, ".git", "index")); err != nil || head[7] != 3 {
		t.Fatalf("the index is not of version 3 (%v)", err)
	}
	checkAgainstGit(t, dir, "version 3")
	git(t, dir, "update-index", "--no-skip-worktree", "a/b/c.txt")
	git(t, dir, "update-index", "--index-version", "4")
	checkAgainstGit(t, dir, "version 4")
	git(t, dir, "update-index", "--index-version", "2")
	git(t, dir, "commit", "-q", "-m", "one")

	// A conflict on .gitmodules: stages 1 to 3, no stage 0.
	git(t, dir, "checkout", "-q", "-b", "side")
	write(t, dir, ".gitmodules", "[submodule \"s\"]\n\tpath = s\n\tignore = none\n")
	git(t, dir, "commit", "-q", "-am", "side")
	git(t, dir, "checkout", "-q", "-")
	write(t, dir, ".gitmodules", "[submodule \"s\"]\n\tpath = s\n\tignore = dirty\n")
	git(t, dir, "commit", "-q", "-am", "main")
	if _, err := exec.Command("git", "-C", dir, "-c", "user.name=A", "-c", "user.email=a@x", "merge", "-q", "side").CombinedOutput(); err == nil {
		t.Fatal("the merge did not conflict")
	}
	checkAgainstGit(t, dir, "a conflict")
	if e, _ := Lookup(filepath.Join(dir, ".git", "index"), ".gitmodules"); !e.Unmerged || e.Found {
		t.Errorf(".gitmodules in conflict: %+v", e)
	}
	git(t, dir, "merge", "--abort")

	git(t, dir, "update-index", "--split-index")
	if _, err := Lookup(filepath.Join(dir, ".git", "index"), "z"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("split index: %v, want ErrUnsupported", err)
	}
	if e, err := Lookup(filepath.Join(dir, "no-index"), "z"); err != nil || e != (Entry{}) {
		t.Errorf("no index file: %+v, %v", e, err)
	}
}
