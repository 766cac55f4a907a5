//go:build unix

package cli

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// BenchmarkWarmRunRealRepo runs `gitwalk churn` (GITWALK_BENCH_CMD names
// another analysis) over GITWALK_BENCH_REPO in this process, warm: a first
// run, not timed, fills a cache of the benchmark's own. cpu-ms/op is the
// process's user and system CPU a run, both workers and the GC included,
// which moves less than the wall on a shared VM: compare builds on it, in
// alternating runs. What the process's start costs is not in it (see
// bench/cache.sh for whole runs).
func BenchmarkWarmRunRealRepo(b *testing.B) {
	repo := os.Getenv("GITWALK_BENCH_REPO")
	if repo == "" {
		b.Skip("set GITWALK_BENCH_REPO to a git directory to run this on a real repository")
	}
	cmd := os.Getenv("GITWALK_BENCH_CMD")
	if cmd == "" {
		cmd = "churn"
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	args := []string{"gitwalk", cmd, "--no-progress", "--format", "csv", "--cache", b.TempDir(), repo}
	run := func() {
		saved, out, errOut := os.Args, os.Stdout, os.Stderr
		os.Args, os.Stdout, os.Stderr = args, null, null
		rc := Main(nil)
		os.Args, os.Stdout, os.Stderr = saved, out, errOut
		if rc != 0 {
			b.Fatalf("gitwalk %s %s: exit %d", cmd, repo, rc)
		}
	}
	run() // cold: fills the cache
	b.ReportAllocs()
	c0 := cpuTime()
	n := 0
	for b.Loop() {
		run()
		n++
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(n)/1e6, "cpu-ms/op")
}

// cpuTime is the process's user and system CPU so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
