package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/export"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/parquet-go/parquet-go"
)

// TestMain runs main instead of the tests when asked to (beProgram): the
// test binary is then gitwalk-export, run as a user runs it.
func TestMain(m *testing.M) {
	if os.Getenv(beProgram) == "1" {
		main()
	}
	os.Exit(m.Run())
}

const beProgram = "GITWALK_EXPORT_TEST_AS_PROGRAM"

// runProgram runs this test binary as gitwalk-export with args and returns
// its stdout, stderr and exit code. The cache is the test's own.
func runProgram(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), beProgram+"=1", "GITWALK_CACHE="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run gitwalk-export %v: %v", args, err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

func readRows[T any](t *testing.T, file string) []T {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := parquet.NewGenericReader[T](f)
	defer r.Close()
	rows := make([]T, r.NumRows())
	if n, err := r.Read(rows); n != len(rows) {
		t.Fatalf("%s: read %d of %d rows: %v", file, n, len(rows), err)
	}
	return rows
}

// The program writes what git log --numstat says, with what the program
// wires into package export's writer: the repository's name, the mailmap's
// bots, --max-changeset and the default excludes.
func TestProgramWritesGitsCommitsAndMarksThemAsTheAnalyses(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	out := filepath.Join(t.TempDir(), "tables")
	stdout, stderr, code := runProgram(t, dir, "--all", "--max-changeset", "1", "--out", out, "--stats", "--no-progress")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "max changeset 1") {
		t.Errorf("--stats without the policy line:\n%s", stderr)
	}
	commits := readRows[export.CommitRow](t, filepath.Join(out, "commits.parquet"))
	changes := readRows[export.ChangeRow](t, filepath.Join(out, "changes.parquet"))
	git, err := exec.Command("git", "-C", dir, "log", "--all", "--no-merges", "--numstat", "--format=@%H").Output()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	files := map[string]int{}
	added := map[string]int64{}
	for _, line := range strings.Split(string(git), "\n") {
		if id, ok := strings.CutPrefix(line, "@"); ok {
			ids = append(ids, id)
		} else if f := strings.Split(line, "\t"); len(f) == 3 {
			id := ids[len(ids)-1]
			files[id]++
			n, _ := strconv.ParseInt(f[0], 10, 64) // "-" for a binary file: 0
			added[id] += n
		}
	}
	if len(commits) != len(ids) {
		t.Fatalf("%d commit rows, git log lists %d commits", len(commits), len(ids))
	}
	var bots int
	for i, c := range commits {
		if c.Commit != ids[i] || c.Added != added[c.Commit] || c.Files != int64(files[c.Commit]) {
			t.Errorf("row %d: commit %s, %d files, %d added; git: %s, %d, %d", i, c.Commit, c.Files, c.Added, ids[i], files[ids[i]], added[ids[i]])
		}
		if c.Large != (files[c.Commit] > 1) {
			t.Errorf("commit %s changes %d files: large %v with --max-changeset 1", c.Commit, files[c.Commit], c.Large)
		}
		if c.Repository != "people" {
			t.Errorf("repository %q, want the fixture's name people", c.Repository)
		}
		if c.Bot {
			bots++
		}
	}
	reasons := map[string]bool{}
	for _, ch := range changes {
		if ch.LeftOut != nil {
			reasons[*ch.LeftOut] = true
		}
	}
	if bots == 0 || !reasons[export.LeftOutLarge] || len(reasons) < 2 {
		t.Errorf("the fixture's bots and left-out files are not marked: %d bot commits, left_out values %v", bots, reasons)
	}
}

// Bad input gets gitwalk export's one line and usage exit code: the
// program is the command.
func TestProgramRefusesAsTheCommand(t *testing.T) {
	stdout, stderr, code := runProgram(t, "--format", "json")
	want := "gitwalk: export does not take --format: it writes Parquet tables\nRun 'gitwalk export --help' for usage.\n"
	if stdout != "" || stderr != want || code != 2 {
		t.Errorf("stdout %q, stderr %q, exit %d; want %q, exit 2", stdout, stderr, code, want)
	}
}
