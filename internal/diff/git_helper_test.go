package diff

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// pair is one old/new input for comparisons.
type pair struct {
	name     string
	old, new []byte
}

// gitNumstat runs `git diff --no-index --numstat` (with --minimal if asked)
// once over all pairs, written as files of two directories, and returns
// git's counts per pair. git prints no row for a pair it finds unchanged,
// which reads as 0/0.
func gitNumstat(t testing.TB, pairs []pair, minimal bool) []Stat {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not found: cannot compare with git")
	}
	dir := t.TempDir()
	for _, side := range []string{"a", "b"} {
		if err := os.Mkdir(filepath.Join(dir, side), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range pairs {
		name := fmt.Sprintf("p%05d", i)
		if err := os.WriteFile(filepath.Join(dir, "a", name), p.old, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "b", name), p.new, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"diff", "--no-index", "--numstat", "--no-renames"}
	if minimal {
		args = append(args, "--minimal")
	}
	args = append(args, "a", "b")
	cmd := exec.Command(git, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "XDG_CONFIG_HOME="+dir, "GIT_CONFIG_GLOBAL=/dev/null")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 1) {
		t.Fatalf("git %v: %v: %s", args, err, stderr.Bytes())
	}
	got := make([]Stat, len(pairs))
	for _, row := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if row == "" {
			continue
		}
		f := strings.SplitN(row, "\t", 3)
		if len(f) != 3 {
			t.Fatalf("git numstat row %q: want three fields", row)
		}
		i, err := strconv.Atoi(strings.TrimPrefix(f[2][strings.LastIndexByte(f[2], '/')+1:], "p"))
		if err != nil {
			t.Fatalf("git numstat row %q: %v", row, err)
		}
		add, err1 := strconv.Atoi(f[0])
		del, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("git numstat row %q: counts are not numbers (binary?)", row)
		}
		got[i] = Stat{Added: add, Deleted: del}
	}
	return got
}
