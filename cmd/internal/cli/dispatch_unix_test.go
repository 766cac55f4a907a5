//go:build unix

package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// runProgramIn runs bin with args, stdin and the environment's PATH set to
// path, and returns its stdout, stderr, exit code and process id.
func runProgramIn(t *testing.T, bin, path, stdin string, args ...string) (string, string, int, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "PATH="+path)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run %s %v: %v", bin, args, err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode(), cmd.Process.Pid
}

// fakeExportProgram writes into dir a gitwalk-export that echoes its
// arguments and stdin, its process id and the streams it was given, and
// exits with 7.
func fakeExportProgram(t *testing.T, dir string) {
	t.Helper()
	// Builtins only: the tests' PATH may hold nothing else.
	script := "#!/bin/sh\necho \"pid $$\"\nprintf 'arg %s\\n' \"$@\"\n" +
		"while IFS= read -r line; do echo \"$line\"; done\necho 'to stderr' >&2\nexit 7\n"
	if err := os.WriteFile(filepath.Join(dir, "gitwalk-export"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// gitwalk export runs gitwalk-export as the same process (exec), with its
// arguments, streams and exit code, whether it is next to gitwalk's
// executable (through a symbolic link to gitwalk) or on PATH.
func TestExportRunsTheGitwalkExportProgram(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	bin := buildGitwalk(t)
	beside := filepath.Dir(bin)
	fakeExportProgram(t, beside)
	links := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(links, "gitwalk")); err != nil {
		t.Fatal(err)
	}
	onPath := t.TempDir()
	alone := filepath.Join(onPath, "gitwalk")
	if out, err := exec.Command("cp", bin, alone).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	pathDir := t.TempDir()
	fakeExportProgram(t, pathDir)
	for _, tc := range []struct {
		name, bin, path string
	}{
		{"beside the executable", bin, t.TempDir()},
		{"beside the executable a symbolic link leads to", filepath.Join(links, "gitwalk"), t.TempDir()},
		{"on PATH", alone, pathDir + string(os.PathListSeparator) + os.Getenv("PATH")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"export", "repo dir", "--out", "x", "--", "a b"}
			out, errOut, code, pid := runProgramIn(t, tc.bin, tc.path, "from stdin\n", args...)
			want := "pid " + strconv.Itoa(pid) + "\narg repo dir\narg --out\narg x\narg --\narg a b\nfrom stdin\n"
			if out != want || errOut != "to stderr\n" || code != 7 {
				t.Errorf("gitwalk %q: stdout %q, stderr %q, exit %d; want stdout %q, stderr %q, exit 7",
					args, out, errOut, code, want, "to stderr\n")
			}
		})
	}
}

// Without gitwalk-export, gitwalk export says where to get it in one line,
// with the usage exit code; its help and gitwalk's list it all the same.
func TestExportWithoutTheProgramSaysWhereToGetIt(t *testing.T) {
	bin := buildGitwalk(t)
	empty := t.TempDir()
	out, errOut, code, _ := runProgramIn(t, bin, empty, "", "export", "--out", t.TempDir())
	want := "gitwalk: export needs the gitwalk-export program (go install github.com/gitwalk/gitwalk/cmd/gitwalk-export@latest), not found next to gitwalk or on PATH\n"
	if out != "" || errOut != want || code != exitUsage {
		t.Errorf("stdout %q, stderr %q, exit %d; want no output, %q, exit %d", out, errOut, code, want, exitUsage)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--help"}, "export writes the walk's per-commit records as two Parquet tables"},
		{[]string{"help"}, "export      Write the walk's commits and changed files as Parquet tables"},
	} {
		out, errOut, code, _ := runProgramIn(t, bin, empty, "", tc.args...)
		if code != 0 || errOut != "" || !strings.Contains(out, tc.want) {
			t.Errorf("gitwalk %q: exit %d, stderr %q, stdout without %q:\n%s", tc.args, code, errOut, tc.want, out)
		}
	}
}

// The real gitwalk-export, beside gitwalk, writes the tables the export
// command writes in-process, and fails as it does: gitwalk export is
// gitwalk-export.
func TestExportThroughTheProgramIsTheCommand(t *testing.T) {
	bin := buildPrograms(t, t.TempDir(), "gitwalk", "gitwalk-export")
	testrepos.IsolateGit(t)
	repo := testrepos.Path(t, "people")
	empty := t.TempDir()
	out := filepath.Join(t.TempDir(), "tables")
	stdout, stderr, code, _ := runProgramIn(t, bin, empty, "", "export", repo, "--all", "--out", out, "--no-progress")
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("gitwalk export: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got, want := readExport(t, out), runExportCmd(t, repo, "--all"); !reflect.DeepEqual(got, want) || len(got.changes) == 0 {
		t.Errorf("gitwalk-export's tables differ from the export command's in-process ones:\n%+v\n%+v", got, want)
	}
	for _, args := range [][]string{
		{"export", repo, "--format", "json"},                             // usage: 2
		{"export", repo, "--out", filepath.Join(out, "commits.parquet")}, // exists: 1
		{"export", repo, "--help"},
	} {
		wantOut, wantErr, wantCode := runGitwalk(t, args...)
		gotOut, gotErr, gotCode, _ := runProgramIn(t, bin, empty, "", args...)
		if gotOut != wantOut || gotErr != wantErr || gotCode != wantCode {
			t.Errorf("gitwalk %q through gitwalk-export: stdout %q, stderr %q, exit %d; in-process: %q, %q, %d",
				args, gotOut, gotErr, gotCode, wantOut, wantErr, wantCode)
		}
	}
}
