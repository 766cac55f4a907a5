package cli

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

func TestBadInputGetsOneClearLineAndExitCode(t *testing.T) {
	testrepos.IsolateGit(t)
	notRepo := t.TempDir()
	fixture := testrepos.Path(t, testrepos.Names()[0])
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"a folder that is not a repository", []string{"numstat", notRepo}, exitFailed, "not a git repository"},
		{"a path that does not exist", []string{"numstat", "-C", filepath.Join(notRepo, "nope")}, exitFailed, "no such file"},
		{"an unknown revision", []string{"numstat", fixture, "no-such-branch"}, exitFailed, "no-such-branch"},
		{"an unknown option", []string{"numstat", fixture, "--frobnicate"}, exitUsage, "unknown option --frobnicate"},
		{"a bad count", []string{"numstat", fixture, "-n", "many"}, exitUsage, "not a number"},
		{"a bad date", []string{"numstat", fixture, "--since", "the day before"}, exitUsage, "date"},
		{"an unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"an unsupported diff algorithm", []string{"numstat", fixture, "--diff-algorithm=patience"}, exitUsage, "myers and minimal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runGitwalk(t, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d (stderr %q)", code, tc.wantCode, stderr)
			}
			if out != "" {
				t.Errorf("wrote %q to stdout on failure", out)
			}
			first := strings.SplitN(stderr, "\n", 2)[0]
			if !strings.HasPrefix(first, "gitwalk: ") || !strings.Contains(strings.ToLower(first), strings.ToLower(tc.wantMsg)) {
				t.Errorf("first stderr line %q does not say %q", first, tc.wantMsg)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("stderr shows a crash: %q", stderr)
			}
		})
	}
}

func TestNumstatWithCountZeroPrintsNothing(t *testing.T) {
	testrepos.IsolateGit(t)
	fixture := testrepos.Path(t, testrepos.Names()[0])
	out, stderr, code := runGitwalk(t, "numstat", fixture, "-n", "0")
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0 and nothing", code, out, stderr)
	}
}

func TestRepositoryIsFoundFromAFolderInsideTheWorkTree(t *testing.T) {
	testrepos.IsolateGit(t)
	src := testrepos.Path(t, testrepos.Names()[0])
	work := filepath.Join(t.TempDir(), "clone")
	gitRun(t, "", "clone", "-q", src, work)
	sub := filepath.Join(work, "inner", "deeper")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	want, err := gitNumstat(t, work, []string{"HEAD"})
	if err != nil {
		t.Fatal(err)
	}
	got, stderr, code := runGitwalk(t, "numstat", sub)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got != want {
		t.Fatalf("from a subfolder: %s", firstDifference(want, got))
	}
}

func TestHelpAndVersion(t *testing.T) {
	out, _, code := runGitwalk(t, "numstat", "--help")
	if code != 0 || !strings.Contains(out, "git log --numstat") || !strings.Contains(out, "--first-parent") {
		t.Errorf("numstat --help (exit %d) does not describe the command: %q", code, out)
	}
	out, _, code = runGitwalk(t, "version")
	if code != 0 || !strings.HasPrefix(out, "gitwalk ") {
		t.Errorf("version (exit %d) printed %q", code, out)
	}
}

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmdArgs := args
	if dir != "" {
		cmdArgs = append([]string{"-C", dir}, args...)
	}
	out, err := execCommand("git", cmdArgs...)
	if err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return out
}

// snapshot records every file under dir with its mode, size, mtime and bytes.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		var data []byte
		if fi.Mode().IsRegular() {
			if data, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		files[rel] = fmt.Sprintf("%v %d %d %x", fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Every command, on a bare repository and on a work tree (where a careless
// git call could refresh the index or write a lock), leaves every file's
// bytes, mode and mtime as they were and adds none.
func TestNoCommandWritesIntoTheRepository(t *testing.T) {
	testrepos.IsolateGit(t)
	bare := testrepos.Path(t, "merges")
	work := filepath.Join(t.TempDir(), "work")
	gitRun(t, "", "clone", "-q", testrepos.Path(t, "content"), work)
	page := filepath.Join(t.TempDir(), "report.html")
	runs := [][]string{
		{"numstat", "--all"}, {"numstat", "--all", "--topo-order", "--", "a.txt"}, {"numstat", "no-such-rev"},
		{"churn", "--all"}, {"summary", "--all"}, {"authors", "--all"},
		{"coupling", "--all"}, {"ownership", "--all"}, {"hotspots", "--all"}, {"age", "--all"},
		{"branches"}, {"identities", "--all"}, {"files", "--all"}, {"report", "--all", "-o", page},
	}
	for _, dir := range []string{bare, work} {
		before := snapshot(t, dir)
		for _, args := range runs {
			cmd := append([]string{args[0], dir}, args[1:]...)
			if _, stderr, code := runGitwalk(t, cmd...); code != 0 && args[len(args)-1] != "no-such-rev" {
				t.Errorf("%v: exit %d: %s", cmd, code, stderr)
			}
		}
		after := snapshot(t, dir)
		if len(before) != len(after) {
			t.Errorf("%s: %d entries before, %d after", dir, len(before), len(after))
		}
		for p, b := range before {
			if a := after[p]; a != b {
				t.Errorf("%s: %s changed:\n before %s\n after  %s", dir, p, b, a)
			}
		}
	}
}

// TestTraceWritesAnExecutionTrace runs a walk with --trace: the output is
// the one without it, and the file is a Go execution trace (go tool trace
// reads it); a trace file that cannot be created is one clear line.
func TestTraceWritesAnExecutionTrace(t *testing.T) {
	fixture := testrepos.Path(t, "content")
	want, _, code := runGitwalk(t, "churn", "--no-cache", fixture)
	if code != 0 {
		t.Fatalf("churn: exit %d", code)
	}
	file := filepath.Join(t.TempDir(), "walk.trace")
	got, stderr, code := runGitwalk(t, "churn", "--no-cache", "--trace", file, fixture)
	if code != 0 || got != want {
		t.Fatalf("churn --trace: exit %d, stderr %q, output the same as without: %v", code, stderr, got == want)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("go 1.")) || !bytes.Contains(b[:32], []byte(" trace")) || len(b) < 1024 {
		t.Fatalf("--trace wrote %d bytes starting %q: not an execution trace", len(b), b[:min(len(b), 32)])
	}
	_, stderr, code = runGitwalk(t, "churn", "--no-cache", "--trace", filepath.Join(t.TempDir(), "no", "such", "dir", "x"), fixture)
	if code != 1 || !strings.HasPrefix(stderr, "gitwalk: trace: ") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("--trace into a missing folder: exit %d, stderr %q; want 1 and one line", code, stderr)
	}
}

// TestDatesAreGits reads the dates --since and --until take, relative ones
// included, and compares them with git's (git rev-parse --since=DATE
// prints --max-age=EPOCH), within the seconds between the two readings of
// the clock. A date git would take as "now" silently is a usage error.
func TestDatesAreGits(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	for _, d := range []string{"3 days ago", "2.weeks.ago", "1 month ago", "10 seconds", "yesterday", "now",
		"2 years ago", "5 hours ago", "1.minute.ago", "2024-03-01", "2024-03-01 12:30:00", "@1500000000"} {
		got, err := parseDate(d, false)
		if err != nil {
			t.Errorf("%q: %v", d, err)
			continue
		}
		out, err := exec.Command("git", "-C", dir, "rev-parse", "--since="+d).Output()
		if err != nil {
			t.Fatalf("git rev-parse --since=%q: %v", d, err)
		}
		want, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(string(out)), "--max-age="), 10, 64)
		if err != nil {
			t.Fatalf("git rev-parse --since=%q: %q", d, out)
		}
		if diff := got.Unix() - want; diff < -3 || diff > 3 {
			t.Errorf("%q: %d, git says %d", d, got.Unix(), want)
		}
	}
	if _, err := parseDate("next tuesday-ish", false); err == nil {
		t.Errorf("a date gitwalk cannot read was taken")
	}
}
