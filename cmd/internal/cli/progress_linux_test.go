//go:build linux

package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
	"golang.org/x/sys/unix"
)

// openPty opens a pseudo-terminal pair: the master to read what a program
// writes, the terminal to give it as a stream.
func openPty(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open the terminal side: %v", err)
	}
	return m, s
}

// terminalEnv is the environment with an ordinary terminal and no CI.
func terminalEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CI=") && !strings.HasPrefix(kv, "TERM=") {
			env = append(env, kv)
		}
	}
	return append(env, "TERM=xterm")
}

func TestProgressBarIsDrawnOnlyOnATerminalsStderr(t *testing.T) {
	bin := buildGitwalk(t) // before IsolateGit moves HOME, and the build cache with it
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "order")
	// report draws the same bar (it walks through runAnalyses too), but its
	// page records the walk's time, so two runs' outputs cannot be compared.
	for _, cmd := range []string{"churn", "summary", "authors", "hotspots"} {
		t.Run(cmd, func(t *testing.T) {
			args := []string{cmd, dir, "--all"}
			// stderr a pipe: the output, and nothing on stderr.
			run := exec.Command(bin, args...)
			run.Env = terminalEnv()
			var want, piped bytes.Buffer
			run.Stdout, run.Stderr = &want, &piped
			if err := run.Run(); err != nil {
				t.Fatalf("%v: %s", err, piped.String())
			}
			if piped.Len() != 0 || want.Len() == 0 {
				t.Fatalf("stderr a pipe: stdout %d bytes, stderr %q; want output and no bar", want.Len(), piped.String())
			}

			for _, tc := range []struct {
				name    string
				extra   []string
				env     string
				wantBar bool
			}{
				{"a terminal", nil, "", true},
				{"a terminal with --no-progress", []string{"--no-progress"}, "", false},
				{"a terminal under CI", nil, "CI=true", false},
				{"a dumb terminal", nil, "TERM=dumb", false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					master, tty := openPty(t)
					defer master.Close()
					run := exec.Command(bin, append(args, tc.extra...)...)
					run.Env = terminalEnv()
					if tc.env != "" {
						run.Env = append(run.Env, tc.env)
					}
					var out bytes.Buffer
					run.Stdout, run.Stderr = &out, tty
					if err := run.Start(); err != nil {
						t.Fatal(err)
					}
					tty.Close() // the child holds it; the master reads EIO once it exits
					screen := make(chan []byte)
					go func() {
						b, _ := io.ReadAll(master) // ends with EIO when the terminal closes
						screen <- b
					}()
					err := run.Wait()
					got := string(<-screen)
					if err != nil {
						t.Fatalf("%v: terminal shows %q", err, got)
					}
					if out.String() != want.String() {
						t.Errorf("stdout with stderr on a terminal differs: %s", firstDifference(want.String(), out.String()))
					}
					drawn := strings.Contains(got, "walking") && strings.Contains(got, "commits")
					if drawn != tc.wantBar {
						t.Errorf("bar drawn: %v, want %v; the terminal shows %q", drawn, tc.wantBar, got)
					}
					if tc.wantBar && !strings.HasSuffix(strings.TrimRight(got, " "), "\r") {
						t.Errorf("the bar is not cleared at the end: %q", got)
					}
				})
			}
		})
	}
}
