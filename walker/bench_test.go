package walker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/bench/repogen"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// The benchmarks walk a large generated repository (bench/repogen: 20,000
// commits over 2,000 files), made once and kept under the user's cache
// folder, keyed by the generator's parameters. GITWALK_BENCH_REPO names
// another repository to walk instead (it is only read).

var benchRepoOnce struct {
	sync.Once
	path string
	err  error
}

// benchRepoPath returns the benchmark repository, generating it on first use.
func benchRepoPath(b *testing.B) string {
	b.Helper()
	if p := os.Getenv("GITWALK_BENCH_REPO"); p != "" {
		return p
	}
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git not found on PATH: the benchmark repository is generated with git fast-import")
	}
	benchRepoOnce.Do(func() {
		benchRepoOnce.path, benchRepoOnce.err = generateBenchRepo(repogen.Config{})
	})
	if benchRepoOnce.err != nil {
		b.Fatal(benchRepoOnce.err)
	}
	return benchRepoOnce.path
}

func generateBenchRepo(cfg repogen.Config) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "gitwalk-bench", cfg.Key()+".git")
	if _, err := os.Stat(filepath.Join(dir, "packed-refs")); err == nil {
		return dir, nil // complete: packed-refs is written last
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), cfg.Key()+".tmp")
	if err != nil {
		return "", err
	}
	start := time.Now()
	fmt.Fprintf(os.Stderr, "generating the benchmark repository %s (once)\n", dir)
	if err := repogen.Generate(tmp, cfg, os.Stderr); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, "packed-refs")); serr == nil {
			return dir, nil // made by another run meanwhile
		}
		return "", err
	}
	fmt.Fprintf(os.Stderr, "generated in %s\n", time.Since(start).Round(time.Millisecond))
	return dir, nil
}

func openBenchRepo(b *testing.B) *Repo {
	b.Helper()
	path := benchRepoPath(b)
	home := b.TempDir()
	b.Setenv("HOME", home)
	b.Setenv("XDG_CONFIG_HOME", home)
	b.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	r, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	return r
}

// BenchmarkWalk is a whole `gitwalk numstat` walk of HEAD (without the
// printing): one op is one walk. It reports commits/s and heap allocations
// per commit, the channels, result copy-out and walk included.
func BenchmarkWalk(b *testing.B) {
	r := openBenchRepo(b)
	counts := []int{1}
	if n := runtime.GOMAXPROCS(0); n > 1 {
		counts = append(counts, n) // the default -j
	}
	for _, workers := range counts {
		for _, withProgress := range []bool{false, true} {
			name := fmt.Sprintf("j%d", workers)
			opts := Options{Workers: workers}
			if withProgress {
				// The revision walk runs ahead and a ticker reports: the
				// cost of gitwalk's progress bar, without drawing it.
				name += "/progress"
				opts.Progress = func(done, total int) {}
			}
			benchWalk(b, r, name, opts)
		}
	}
}

func benchWalk(b *testing.B, r *Repo, name string, opts Options) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		commits, changes := 0, 0
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		start := time.Now()
		for b.Loop() {
			err := r.Walk(context.Background(), opts, func(c *Commit) error {
				commits++
				changes += len(c.Changes)
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		runtime.ReadMemStats(&ms1)
		if commits == 0 {
			b.Fatal("the walk gave no commits")
		}
		b.ReportMetric(float64(commits)/elapsed.Seconds(), "commits/s")
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(commits), "allocs/commit")
		b.ReportMetric(float64(changes)/float64(commits), "changes/commit")
	})
}

// unitBench is one worker's unit over the first commits of HEAD, with one
// fixed arena reset after each commit: the per-commit step in steady state,
// without the pool, channels or ordering of a walk.
type unitBench struct {
	u     *unit
	a     *arena.Arena
	nodes []*revwalk.Commit
}

// benchWindow is how many commits the unit benchmarks cycle through; the
// first pass is a warm-up outside the timer.
const benchWindow = 2000

func newUnitBench(b *testing.B) *unitBench {
	b.Helper()
	r := openBenchRepo(b)
	rw, err := r.newRevWalk(Options{})
	if err != nil {
		b.Fatal(err)
	}
	ub := &unitBench{}
	for len(ub.nodes) < benchWindow {
		n, err := rw.Next()
		if err != nil {
			b.Fatal(err)
		}
		if n == nil {
			break
		}
		// The walk parsed n's parents; the unit reads only their trees.
		ub.nodes = append(ub.nodes, n)
	}
	rw.close()
	if len(ub.nodes) == 0 {
		b.Fatal("no commits in the benchmark repository")
	}
	backing, err := arena.NewMmap(arenaSize)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { backing.Release() })
	ub.a = arena.New(backing)
	sc := odb.NewSharedCache(r.defaultCacheBytes())
	b.Cleanup(func() { sc.Close() })
	rd := r.db.NewReaderShared(sc)
	alg, err := r.algorithm(Options{})
	if err != nil {
		b.Fatal(err)
	}
	ub.u = &unit{repo: r, rd: rd, alg: alg, opts: &Options{}}
	return ub
}

// run calls step on every commit of the window once (warm-up), then times
// b.N calls going round the window. One op is one commit.
func (ub *unitBench) run(b *testing.B, step func(*revwalk.Commit) error) {
	b.Helper()
	for _, n := range ub.nodes {
		if err := step(n); err != nil {
			b.Fatal(err)
		}
		ub.a.Reset()
	}
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if err := step(ub.nodes[i%len(ub.nodes)]); err != nil {
			b.Fatal(err)
		}
		ub.a.Reset()
		i++
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	// allocs/op rounds to a whole number; this keeps the fraction, which is
	// what tells a steady state (0.00) from an allocation every few commits.
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(i), "allocs/commit")
}

// diffBase is the tree a commit is diffed against as compute picks it; ok
// is false when compute shows no diff (a merge).
func diffBase(n *revwalk.Commit) (base odb.ID, ok bool) {
	switch {
	case len(n.Parents) == 0:
		return base, true
	case len(n.Parents) > 1:
		return base, false
	}
	base, _ = n.FirstParentTree()
	return base, true
}

var errBenchNotCommit = errors.New("not a commit")

// benchSink keeps benchmark results alive, so that they escape as the
// unit's real results do.
var benchSink *Commit

// BenchmarkUnit splits the per-commit unit into its parts, one op being one
// commit:
//   - compute: all of it, the Commit result copied out included;
//   - diff: the diff path alone (tree diff, blob loads, line counts into a
//     Change on the stack), which should not allocate from the heap;
//   - treediff: the tree diff alone;
//   - commit: reading and parsing the commit object and copying its
//     metadata out (Parents, signatures, subject): the result side.
func BenchmarkUnit(b *testing.B) {
	ub := newUnitBench(b)
	u := ub.u
	treeDiff := func(n *revwalk.Commit) (bool, error) {
		base, ok := diffBase(n)
		if !ok {
			return false, nil
		}
		u.td.Reset(u.rd, ub.a, u.ps)
		return true, u.td.Diff(base, n.Tree)
	}
	b.Run("compute", func(b *testing.B) {
		var st unitStats
		ub.run(b, func(n *revwalk.Commit) error {
			c, s, err := u.compute(ub.a, n, nil)
			benchSink = c
			st.filesDiffed += s.filesDiffed
			return err
		})
		if st.filesDiffed == 0 {
			b.Fatal("no file was diffed")
		}
	})
	b.Run("diff", func(b *testing.B) {
		var st unitStats
		ub.run(b, func(n *revwalk.Commit) error {
			ok, err := treeDiff(n)
			if !ok || err != nil {
				return err
			}
			for i := range u.td.Changes() {
				fc := &u.td.Changes()[i]
				ch := Change{
					// A view of the paths buffer: count only reads it.
					Path:    unsafe.String(unsafe.SliceData(u.td.Path(fc)), fc.PathLen),
					OldMode: FileMode(fc.OldMode), NewMode: FileMode(fc.NewMode),
					OldHash: fc.OldID, NewHash: fc.NewID,
				}
				if err := u.count(ub.a, &ch, &st); err != nil {
					return err
				}
			}
			return nil
		})
		if st.filesDiffed == 0 {
			b.Fatal("no file was diffed")
		}
	})
	b.Run("treediff", func(b *testing.B) {
		ub.run(b, func(n *revwalk.Commit) error {
			_, err := treeDiff(n)
			return err
		})
	})
	b.Run("commit", func(b *testing.B) {
		ub.run(b, func(n *revwalk.Commit) error {
			typ, data, err := u.rd.Read(n.ID, ub.a)
			if err != nil {
				return err
			}
			if typ != odb.Commit {
				return errBenchNotCommit
			}
			info, err := odb.ParseCommit(data)
			if err != nil {
				return err
			}
			c := &Commit{Hash: n.ID, Tree: info.Tree, Parents: append([]odb.ID(nil), n.Parents...),
				Author: u.signature(info.Author), Committer: u.signature(info.Committer), Subject: subject(info.Message)}
			benchSink = c
			return nil
		})
	})
}
