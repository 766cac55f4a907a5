//go:build linux

package cli

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/rivo/uniseg"
	"golang.org/x/sys/unix"
)

// TestTablesAreCutToTheTerminalsWidthOnlyOnATerminal runs the binary with
// stdout on a pseudo-terminal 50 columns wide: every line fits, the long
// path is cut in the middle, and the numbers stay right-aligned. With
// stdout a pipe, or in CSV, nothing is cut.
func TestTablesAreCutToTheTerminalsWidthOnlyOnATerminal(t *testing.T) {
	bin := buildGitwalk(t)
	testrepos.IsolateGit(t)
	const long = "src/a/folder/with/a/rather/long/name/and/then/more/handler_test.go"
	repo := filepath.Join(t.TempDir(), "repo")
	gitRun(t, "", "init", "-q", repo)
	for i, p := range []string{long, "main.go", long} {
		full := filepath.Join(repo, filepath.FromSlash(p))
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		must(t, os.WriteFile(full, []byte(strings.Repeat("line\n", 10*(i+1))), 0o644))
		gitRun(t, repo, "add", ".")
		gitRun(t, repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", p)
	}

	onTerminal := func(t *testing.T, cols uint16, args ...string) string {
		t.Helper()
		master, tty := openPty(t)
		defer master.Close()
		if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: cols}); err != nil {
			t.Skipf("set the terminal's size: %v", err)
		}
		run := exec.Command(bin, args...)
		run.Env = terminalEnv()
		var stderr bytes.Buffer
		run.Stdout, run.Stderr = tty, &stderr
		must(t, run.Start())
		tty.Close()
		screen := make(chan []byte)
		go func() {
			b, _ := io.ReadAll(master) // ends with EIO when the terminal closes
			screen <- b
		}()
		err := run.Wait()
		got := <-screen
		if err != nil {
			t.Fatalf("%v: %s", err, stderr.String())
		}
		// The terminal turns each \n into \r\n.
		return strings.ReplaceAll(string(got), "\r\n", "\n")
	}

	table := onTerminal(t, 50, "churn", repo, "--no-progress")
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and two rows, the terminal shows %q", table)
	}
	for _, l := range lines {
		if w := uniseg.StringWidth(l); w > 50 {
			t.Errorf("line %q is %d columns on a 50-column terminal", l, w)
		}
		if w := uniseg.StringWidth(l); w != uniseg.StringWidth(lines[0]) {
			t.Errorf("line %q is %d columns, the header %d: numbers not aligned on the right", l, w, uniseg.StringWidth(lines[0]))
		}
	}
	cut := strings.Fields(lines[1])[0]
	if cut == long || !strings.Contains(cut, "...") || !strings.HasPrefix(cut, "src/a/f") || !strings.HasSuffix(cut, "_test.go") {
		t.Errorf("long path shown as %q, want it cut in the middle", cut)
	}
	// The numbers leave 18 columns of 50 to the path. Its row: 10 lines
	// added, then 20 more, in 2 commits.
	if f := strings.Fields(lines[1]); strings.Join(f[1:], " ") != "30 0 2 30" || uniseg.StringWidth(f[0]) != 18 {
		t.Errorf("row %q, want its numbers whole", lines[1])
	}

	if wide := onTerminal(t, 200, "churn", repo, "--no-progress"); !strings.Contains(wide, long+"  ") {
		t.Errorf("on a 200-column terminal the path is cut: %q", wide)
	}
	if csvOut := onTerminal(t, 50, "churn", repo, "--no-progress", "--format", "csv"); !strings.Contains(csvOut, long+",30,0,2,30\n") {
		t.Errorf("csv on a terminal is cut: %q", csvOut)
	}
	piped, stderr, code := runBinary(t, bin, t.TempDir(), "churn", repo)
	if code != 0 || !strings.Contains(piped, long+"  ") {
		t.Errorf("exit %d (%s); through a pipe the path is cut: %q", code, stderr, piped)
	}
}
