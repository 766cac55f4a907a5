//go:build linux

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/bench/repogen"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// bigRepo returns a repository whose walk takes seconds: the git directory
// GITWALK_BIG_REPO names, or else a repository of bench/repogen (10,000
// commits, 1,000 files: about 10 s to make, 0.9 s of CPU to walk with one
// worker, 1 MB of numstat), generated once into the user's cache directory
// beside the walker benchmarks' larger one.
func bigRepo(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("GITWALK_BIG_REPO"); p != "" {
		return p
	}
	if testing.Short() {
		t.Skip("-short: no large repository (set GITWALK_BIG_REPO)")
	}
	cfg := repogen.Config{Commits: 10000, Files: 1000}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "gitwalk-bench", cfg.Key()+".git")
	if _, err := os.Stat(filepath.Join(dir, "packed-refs")); err == nil {
		return dir // complete: packed-refs is written last
	}
	must(t, os.MkdirAll(filepath.Dir(dir), 0o755))
	tmp, err := os.MkdirTemp(filepath.Dir(dir), cfg.Key()+".tmp")
	must(t, err)
	t.Logf("generating %s (once)", dir)
	if err := repogen.Generate(tmp, cfg, nil); err != nil {
		os.RemoveAll(tmp)
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, "packed-refs")); serr != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// cpuTicks returns the user+system CPU time process pid has used, in clock
// ticks (1/100 s on Linux), from /proc/PID/stat.
func cpuTicks(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s, nil
}

// maxInterruptLatency is how soon after SIGINT gitwalk must have exited.
const maxInterruptLatency = time.Second

// TestSIGINTStopsTheBuiltCommand sends SIGINT to the built binary during
// long walks (one build for all cases: building is most of the test's time).
func TestSIGINTStopsTheBuiltCommand(t *testing.T) {
	// Both before IsolateGit moves HOME, and with it the user cache (where
	// the repository is kept) and the go build cache.
	repo := bigRepo(t)
	bin := buildGitwalk(t)
	testrepos.IsolateGit(t)
	t.Run("numstat stops at a commit boundary", func(t *testing.T) { interruptNumstat(t, bin, repo) })
	t.Run("analyses print nothing", func(t *testing.T) { interruptAnalyses(t, bin, repo) })
}

// interruptNumstat holds a numstat walk
// mid-way (its stdout is a pipe the test stops reading, so the walk blocks
// on a full pipe and cannot finish), sends SIGINT, then reads on: gitwalk
// must exit 130 within a second, say "interrupted", and have printed whole
// commits only: a prefix of the full output ending where a commit starts.
func interruptNumstat(t *testing.T, bin, repo string) {
	full, err := exec.Command(bin, "numstat", repo).Output()
	must(t, err)

	cmd := exec.Command(bin, "numstat", repo)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	// The first bytes arrive with the first flush of numstat's 256 KiB
	// buffer; the pipe then fills and the walk waits for the reader.
	first := make([]byte, 1)
	if _, err := io.ReadFull(stdout, first); err != nil {
		t.Fatalf("no output: %v (%s)", err, stderr.String())
	}
	if len(full) < 512<<10 {
		t.Fatalf("the full output is %d bytes: too small to block the walk on a 64 KiB pipe after a 256 KiB flush", len(full))
	}
	sent := time.Now()
	must(t, cmd.Process.Signal(os.Interrupt))
	rest, _ := io.ReadAll(stdout)
	waitErr := cmd.Wait()
	latency := time.Since(sent)
	got := append(first, rest...)
	code := cmd.ProcessState.ExitCode()
	t.Logf("interrupted after %d of %d bytes; exited %d in %s", len(got), len(full), code, latency)
	if code != exitInterrupted {
		t.Fatalf("exit %d (%v), want %d; stderr %q", code, waitErr, exitInterrupted, stderr.String())
	}
	if latency > maxInterruptLatency {
		t.Errorf("exited %s after SIGINT, want within %s", latency, maxInterruptLatency)
	}
	if s := stderr.String(); s != "gitwalk: interrupted\n" {
		t.Errorf("stderr %q, want \"gitwalk: interrupted\\n\"", s)
	}
	if !bytes.HasPrefix(full, got) || len(got) >= len(full) {
		t.Fatalf("the %d bytes printed are not a proper prefix of the full output", len(got))
	}
	next := full[len(got):]
	if got[len(got)-1] != '\n' || len(next) < 41 || next[40] != '\n' {
		t.Fatalf("output stops inside a commit: ...%q | %q...", got[max(0, len(got)-60):], next[:min(60, len(next))])
	}
}

// interruptAnalyses sends SIGINT to churn and
// authors with machine formats once they have used some CPU time in their
// walk: they must exit 130 within a second with nothing on stdout, or, if
// the walk won the race, exit 0 with a complete document. The walk of the
// big repository takes about 0.9 s of CPU with -j1; the signal goes at 0.35 s,
// well after start-up (package initialisation, which took about 0.1 s of
// CPU when go-enry's tables were linked, runs before main can install its
// handler, and a signal before that kills the process as the default action
// would).
func interruptAnalyses(t *testing.T, bin, repo string) {
	for _, args := range [][]string{
		{"churn", repo, "-j1", "--format", "json"},
		{"churn", repo, "-j2", "--format", "csv", "--by", "author"},
		{"authors", repo, "-j1", "--format", "ndjson"},
	} {
		t.Run(strings.Join(args[2:], " "), func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			must(t, cmd.Start())
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			// Poll the process's CPU time (a process, not a goroutine of
			// the test, is waited for): every 5 ms, for at most 30 s.
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			giveUp := time.After(30 * time.Second)
			var sent time.Time
		poll:
			for {
				select {
				case <-exited:
					t.Logf("the walk ended before 0.35 s of CPU; checking its complete output only")
					checkComplete(t, args[4], stdout.Bytes())
					return
				case <-giveUp:
					cmd.Process.Kill()
					t.Fatal("no CPU time used in 30 s")
				case <-tick.C:
					if n, err := cpuTicks(cmd.Process.Pid); err == nil && n >= 35 {
						sent = time.Now()
						must(t, cmd.Process.Signal(syscall.SIGINT))
						break poll
					}
				}
			}
			select {
			case <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("still running 30 s after SIGINT")
			}
			latency := time.Since(sent)
			code := cmd.ProcessState.ExitCode()
			t.Logf("exited %d in %s after SIGINT", code, latency)
			switch code {
			case exitInterrupted:
				if stdout.Len() != 0 {
					t.Errorf("interrupted, yet printed %d bytes: %q", stdout.Len(), stdout.String()[:min(80, stdout.Len())])
				}
				if latency > maxInterruptLatency {
					t.Errorf("exited %s after SIGINT, want within %s", latency, maxInterruptLatency)
				}
			case 0:
				checkComplete(t, args[4], stdout.Bytes())
			default:
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
		})
	}
}

// checkComplete fails unless out is a whole document of the format.
func checkComplete(t *testing.T, format string, out []byte) {
	t.Helper()
	switch format {
	case "json":
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("incomplete JSON: %v", err)
		}
	case "ndjson":
		for _, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
			var v any
			if err := json.Unmarshal(line, &v); err != nil {
				t.Fatalf("incomplete NDJSON line %q: %v", line, err)
			}
		}
	default:
		if len(out) == 0 || out[len(out)-1] != '\n' {
			t.Fatalf("CSV does not end with a newline")
		}
	}
}
