//go:build linux

package cli

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/internal/store"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestCacheAcrossProcesses runs the built binary (one build for both
// cases: building is much of the time) as users do: killed, and two at once.
func TestCacheAcrossProcesses(t *testing.T) {
	bin := buildGitwalk(t) // before IsolateGit moves HOME and the build cache
	t.Run("two at once", func(t *testing.T) { twoProcessesOnOneCache(t, bin) })
	t.Run("killed mid-run", func(t *testing.T) { killedRunKeepsWhatItComputed(t, bin) })
}

// killedRunKeepsWhatItComputed kills the built gitwalk with SIGKILL
// while it walks and writes the cache, once the cache has grown (a batch
// of records committed), then runs it again: the rerun reads what the
// killed run kept and prints git's numstat, with nothing on stderr.
func killedRunKeepsWhatItComputed(t *testing.T, bin string) {
	repo := bigRepo(t)
	testrepos.IsolateGit(t)
	want, err := gitNumstat(t, repo, nil)
	must(t, err)
	cache := t.TempDir()
	path := filepath.Join(cache, store.FileName)

	cmd := exec.Command(bin, "numstat", repo, "--cache", cache, "-j2")
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	// The walk has started (and opened the store) when output arrives;
	// the test then stops reading, so the walk blocks on a full pipe and
	// is still running when killed.
	first := make([]byte, 1)
	if _, err := io.ReadFull(stdout, first); err != nil {
		t.Fatalf("no output: %v (%s)", err, stderr.String())
	}
	fi, err := os.Stat(path)
	must(t, err)
	start := fi.Size()
	// The store commits a batch within its batch delay (2 s): wait, a
	// bounded time, for the file to grow and then keep its size for half
	// a second (the blocked walk adds nothing, so the batch's commit has
	// ended; a kill inside a commit loses that batch, which the rerun
	// would survive too, but it would show nothing resumed).
	grown := false
	last, stableSince := start, time.Now()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		fi, err := os.Stat(path)
		if err != nil {
			continue
		}
		if fi.Size() != last {
			last, stableSince = fi.Size(), time.Now()
		}
		if last > start && time.Since(stableSince) > 500*time.Millisecond {
			grown = true
			break
		}
	}
	must(t, cmd.Process.Kill())
	cmd.Wait()
	if !grown {
		t.Fatalf("the store never grew from %d bytes while the walk ran", start)
	}

	out, errOut, code := runBinary(t, bin, cache, "numstat", repo, "--cache", cache, "--stats")
	if code != 0 || out != want {
		t.Fatalf("rerun after SIGKILL: exit %d, same as git: %v; %s", code, out == want, errOut)
	}
	m := regexp.MustCompile(`(?m)^cache: +(\d+) hits, (\d+) misses`).FindStringSubmatch(errOut)
	if m == nil || m[1] == "0" {
		t.Fatalf("the rerun read nothing the killed run computed: %q", errOut)
	}
	if strings.Contains(errOut, "gitwalk: cache") {
		t.Fatalf("the rerun complained about the cache: %q", errOut)
	}
	t.Logf("rerun: %s hits, %s misses", m[1], m[2])
}

// twoProcessesOnOneCache starts two built gitwalks at
// once on one cache (different repositories, then the same one), a few
// times: both print git's output, each with at most one line on stderr
// (the other holds the cache past the wait).
func twoProcessesOnOneCache(t *testing.T, bin string) {
	testrepos.IsolateGit(t)
	cache := t.TempDir()
	dirs := []string{testrepos.Path(t, "renames"), testrepos.Path(t, "merges")}
	wants := make([]string, len(dirs))
	for i, d := range dirs {
		var err error
		wants[i], err = gitNumstat(t, d, []string{"--all"})
		must(t, err)
	}
	for round := 0; round < 4; round++ {
		var wg sync.WaitGroup
		for p := 0; p < 2; p++ {
			i := p
			if round%2 == 1 {
				i = 0 // both on the same repository
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, errOut, code := runBinary(t, bin, cache, "numstat", dirs[i], "--all", "--cache", cache)
				if code != 0 || out != wants[i] || strings.Count(errOut, "\n") > 1 {
					t.Errorf("round %d, %s: exit %d, same as git: %v, stderr %q", round, filepath.Base(dirs[i]), code, out == wants[i], errOut)
				}
			}()
		}
		wg.Wait()
	}
	out, _, _ := runBinary(t, bin, cache, "cache", "check", "--cache", cache)
	if !strings.Contains(out, "sound") {
		t.Fatalf("the cache after concurrent runs: %q", out)
	}
}
