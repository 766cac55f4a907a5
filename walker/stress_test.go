package walker

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/arena"
)

// checkGoroutinesBack fails t, with every goroutine's stack, unless the
// goroutine count comes back to at most before. A walk returns once its
// goroutines have signalled that they are done (WaitGroup.Done, a channel
// closed), which each does as its last work; a goroutine may still be
// between that and its exit, and the thread running it may have been
// descheduled there. So it yields (runtime.Gosched, no sleeping) until the
// count settles, bounded by wall time, not by a number of yields: with more
// Ps than cores under -race, 10,000 yields ran out before the thread got a
// CPU back in about one run in fifteen. A goroutine truly left blocked never
// exits and fails the test, after 5 s.
func checkGoroutinesBack(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	n := runtime.NumGoroutine()
	for n > before && time.Now().Before(deadline) {
		runtime.Gosched()
		n = runtime.NumGoroutine()
	}
	if n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// render is one commit as a line, for comparing walks.
func render(c *Commit) string {
	var b strings.Builder
	b.WriteString(c.Hash.String())
	for _, ch := range c.Changes {
		fmt.Fprintf(&b, " %q:+%d-%d:%v", ch.Path, ch.Added, ch.Deleted, ch.Binary)
	}
	return b.String()
}

// TestWalkParallelStopsWhenCancelledFromOutside cancels a walk from another
// goroutine while its workers run, as a signal handler does: WalkParallel
// must return ctx's error, start no callback once every worker has seen
// the cancellation (at most one per worker is already past its check), and
// leave no goroutine behind. Walks given pools of the caller's must also
// have given back every arena and released every reader when they return.
func TestWalkParallelStopsWhenCancelledFromOutside(t *testing.T) {
	r := openFixture(t, "large")
	const workers = 3
	for _, tc := range []struct{ parallel, shared bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		parallel := tc.parallel
		t.Run(fmt.Sprintf("parallel=%v,shared pools=%v", tc.parallel, tc.shared), func(t *testing.T) {
			before := runtime.NumGoroutine()
			opts := Options{Revisions: []string{"--all"}, Workers: workers}
			if tc.shared {
				opts.Arenas = NewArenaPool(workers)
				defer opts.Arenas.Close()
				rp, err := r.NewReaderPool(workers, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer rp.Close()
				opts.Readers = rp
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			started := make(chan struct{})
			var once sync.Once
			var cancelled atomic.Bool
			var after atomic.Int32
			resume := make(chan struct{})
			fn := func(c *Commit) error {
				if cancelled.Load() {
					after.Add(1)
				}
				// The first callback holds the walk until cancel has
				// returned, so the walk cannot have ended before it.
				once.Do(func() { close(started); <-resume })
				return nil
			}
			done := make(chan error, 1)
			go func() {
				if parallel {
					done <- r.WalkParallel(ctx, opts, func(_ int, c *Commit) error { return fn(c) })
				} else {
					done <- r.Walk(ctx, opts, fn)
				}
			}()
			<-started
			cancelled.Store(true)
			cancel()
			close(resume)
			err := <-done
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("walk returned %v, want context.Canceled", err)
			}
			// Walk checks ctx before every callback on the calling goroutine:
			// none may run after cancel returned. WalkParallel's workers each
			// may be between their check and the call.
			limit := int32(0)
			if parallel {
				limit = workers
			}
			if n := after.Load(); n > limit {
				t.Errorf("%d callbacks ran after cancellation, at most %d may", n, limit)
			}
			if tc.shared {
				if m := opts.Arenas.Metrics(); m.InUse != 0 || m.GiveBacks != m.Checkouts {
					t.Errorf("arenas not all given back after the cancelled walk: %+v", m)
				}
				if m := opts.Readers.Metrics(); m.Idle != m.Live {
					t.Errorf("readers not all released after the cancelled walk: %+v", m)
				}
			}
			if tc.shared {
				// The pools' own goroutines (a reaper) end with Close.
				opts.Arenas.Close()
				opts.Readers.Close()
			}
			checkGoroutinesBack(t, before)
		})
	}
}

// TestConcurrentWalksUnderStress runs walks of several fixtures at once,
// ordered and parallel, with 1 to 4 workers each, all checking arenas out of
// one pool holding fewer arenas than there are workers, and the walks of
// each fixture taking object readers from one ReaderPool of that repository
// holding two readers (its three walks have 6 workers), so that workers may
// wait on both pools. Run under -race by scripts/test.sh. Every walk must
// give what a lone single-worker walk gives, every commit must have been
// computed with a reader of the shared pools, and no goroutine may outlive
// the walks or the pools.
func TestConcurrentWalksUnderStress(t *testing.T) {
	names := []string{"content", "large", "merges", "types"}
	repos := map[string]*Repo{}
	readers := map[string]*ReaderPool{}
	want := map[string][]string{} // in walk order
	for _, n := range names {
		repos[n] = openFixture(t, n)
		want[n] = walkLines(t, repos[n], Options{Revisions: []string{"--all"}, Workers: 1}, false)
	}
	before := runtime.NumGoroutine()
	arenas := arena.NewPool(3, func() (arena.Backing, error) { return arena.NewMmap(64 << 20) })
	for _, n := range names {
		rp, err := repos[n].NewReaderPool(2, 0)
		if err != nil {
			t.Fatal(err)
		}
		readers[n] = rp
	}

	const walks = 12
	var wg sync.WaitGroup
	errs := make(chan error, walks)
	for i := 0; i < walks; i++ {
		name := names[i%len(names)]
		opts := Options{Revisions: []string{"--all"}, Workers: 1 + i%4, Arenas: arenas, Readers: readers[name]}
		parallel := i%2 == 1
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := walkLinesErr(repos[name], opts, parallel)
			w := want[name]
			if parallel {
				w = append([]string(nil), w...)
				sort.Strings(w)
			}
			if err == nil && strings.Join(got, "\n") != strings.Join(w, "\n") {
				err = fmt.Errorf("%s with %d workers (parallel %v): result differs from a lone walk", name, opts.Workers, parallel)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if m := arenas.Metrics(); m.Checkouts == 0 {
		t.Errorf("the shared arena pool was not used: %+v", m)
	}
	var commits, acquires uint64
	for _, n := range names {
		m := readers[n].Metrics()
		t.Logf("%s: readers %+v", n, m)
		commits += 3 * uint64(len(want[n]))
		acquires += m.Hits + m.Misses
		if m.Live != 2 || m.Idle != 2 {
			t.Errorf("%s: the shared reader pool has %d readers, %d idle, after the walks; want 2 and 2", n, m.Live, m.Idle)
		}
	}
	// A worker takes a reader for each commit it computes: every commit of
	// every walk went through the shared pools.
	if acquires != commits {
		t.Errorf("%d readers taken from the shared pools for %d commits", acquires, commits)
	}
	for _, n := range names {
		if err := readers[n].Close(); err != nil {
			t.Error(err)
		}
	}
	arenas.Close()
	checkGoroutinesBack(t, before)
}

// TestReaderPoolOfAnotherRepositoryIsRefused: a reader reads one
// repository's objects, so a walk must not take readers of another.
func TestReaderPoolOfAnotherRepositoryIsRefused(t *testing.T) {
	a, b := openFixture(t, "content"), openFixture(t, "merges")
	rp, err := b.NewReaderPool(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	err = a.Walk(context.Background(), Options{Readers: rp}, func(*Commit) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "another repository") {
		t.Fatalf("walk with another repository's readers: err = %v", err)
	}
}

func walkLines(t *testing.T, r *Repo, opts Options, parallel bool) []string {
	t.Helper()
	got, err := walkLinesErr(r, opts, parallel)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// walkLinesErr walks and renders every commit: in walk order for Walk,
// sorted for WalkParallel, which gives commits in no particular order.
func walkLinesErr(r *Repo, opts Options, parallel bool) ([]string, error) {
	if !parallel {
		var out []string
		err := r.Walk(context.Background(), opts, func(c *Commit) error {
			out = append(out, render(c))
			return nil
		})
		return out, err
	}
	var mu sync.Mutex
	var out []string
	err := r.WalkParallel(context.Background(), opts, func(_ int, c *Commit) error {
		line := render(c)
		mu.Lock()
		out = append(out, line)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}
