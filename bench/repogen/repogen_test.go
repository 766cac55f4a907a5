package repogen

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = gitEnv(t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

func TestGenerate(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found on PATH")
	}
	cfg := Config{Commits: 300, Files: 60, Seed: 7}
	dirs := []string{filepath.Join(t.TempDir(), "a.git"), filepath.Join(t.TempDir(), "b.git")}
	for _, d := range dirs {
		if err := Generate(d, cfg, nil); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("the same config gives the same commits", func(t *testing.T) {
		a, b := gitOut(t, dirs[0], "rev-parse", "HEAD"), gitOut(t, dirs[1], "rev-parse", "HEAD")
		if a != b {
			t.Fatalf("HEAD %s and %s differ", a, b)
		}
	})
	t.Run("the history has the commits asked for, merges among them", func(t *testing.T) {
		if n := gitOut(t, dirs[0], "rev-list", "--count", "HEAD"); n != "300" {
			t.Errorf("%s commits on HEAD; want 300", n)
		}
		if n := gitOut(t, dirs[0], "rev-list", "--merges", "--count", "HEAD"); n == "0" {
			t.Error("no merge commit")
		}
	})
	t.Run("every file slot is used by the end", func(t *testing.T) {
		files := strings.Split(gitOut(t, dirs[0], "ls-tree", "-r", "--name-only", "HEAD"), "\n")
		if len(files) < 55 {
			t.Errorf("%d files at HEAD; want about 60", len(files))
		}
	})
	t.Run("everything is in one pack", func(t *testing.T) {
		out := gitOut(t, dirs[0], "count-objects", "-v")
		if !strings.Contains(out, "count: 0") || !strings.Contains(out, "packs: 1") {
			t.Errorf("count-objects:\n%s", out)
		}
	})
	t.Run("a non-empty target is refused", func(t *testing.T) {
		if err := Generate(dirs[0], cfg, nil); err == nil {
			t.Error("Generate into an existing repository succeeded")
		}
	})
}

func TestGenerateWithoutGitFails(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := Generate(filepath.Join(t.TempDir(), "r.git"), Config{Commits: 5, Files: 5}, nil)
	if !errors.Is(err, ErrNoGit) {
		t.Fatalf("Generate without git: %v; want ErrNoGit", err)
	}
}
