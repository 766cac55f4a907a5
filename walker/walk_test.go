package walker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

func openFixture(t *testing.T, name string) *Repo {
	t.Helper()
	testrepos.IsolateGit(t)
	r, err := Open(testrepos.Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// collect walks and renders each commit as "hash: path +a -d, ..." lines.
func collect(t *testing.T, r *Repo, opts Options) []string {
	t.Helper()
	var out []string
	err := r.Walk(context.Background(), opts, func(c *Commit) error {
		var b strings.Builder
		b.WriteString(c.Hash.String())
		for _, ch := range c.Changes {
			fmt.Fprintf(&b, " %s:+%d-%d:%v", ch.Path, ch.Added, ch.Deleted, ch.Binary)
		}
		out = append(out, b.String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWalkEndsEarlyOnErrStopWithoutError(t *testing.T) {
	r := openFixture(t, "order")
	calls := 0
	err := r.Walk(context.Background(), Options{Revisions: []string{"--all"}, Workers: 2}, func(c *Commit) error {
		calls++
		if calls == 3 {
			return ErrStop
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Walk returned %v after %d calls; want nil after 3", err, calls)
	}
}

func TestWalkReturnsTheCallbacksError(t *testing.T) {
	r := openFixture(t, "order")
	boom := errors.New("boom")
	err := r.Walk(context.Background(), Options{Revisions: []string{"--all"}}, func(c *Commit) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Walk returned %v, want the callback's error", err)
	}
}

func TestWalkStopsOnCancelAndLeavesNoGoroutine(t *testing.T) {
	r := openFixture(t, "order")
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	err := r.Walk(ctx, Options{Revisions: []string{"--all"}, Workers: 4}, func(c *Commit) error {
		calls++
		if calls == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Walk returned %v, want context.Canceled", err)
	}
	if calls > 2 {
		t.Errorf("callback ran %d times after cancellation at 2", calls)
	}
	checkGoroutinesBack(t, before)
}

func TestConcurrentWalksShareOneArenaPool(t *testing.T) {
	r := openFixture(t, "content")
	arenas := arena.NewPool(4, func() (arena.Backing, error) { return arena.NewMmap(16 << 20) })
	defer arenas.Close()
	want := collect(t, r, Options{Revisions: []string{"--all"}, Workers: 1})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got []string
			err := r.Walk(context.Background(), Options{Revisions: []string{"--all"}, Workers: 2, Arenas: arenas}, func(c *Commit) error {
				var b strings.Builder
				b.WriteString(c.Hash.String())
				for _, ch := range c.Changes {
					fmt.Fprintf(&b, " %s:+%d-%d:%v", ch.Path, ch.Added, ch.Deleted, ch.Binary)
				}
				got = append(got, b.String())
				return nil
			})
			if err == nil && strings.Join(got, "\n") != strings.Join(want, "\n") {
				err = fmt.Errorf("a concurrent walk's result differs from a lone one")
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
		t.Errorf("the shared pool was not used: %+v", m)
	}
}

func TestCommitsOwnTheirParents(t *testing.T) {
	r := openFixture(t, "merges")
	var kept []*Commit
	err := r.Walk(context.Background(), Options{Revisions: []string{"--all"}}, func(c *Commit) error {
		kept = append(kept, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seenMerge := false
	for _, c := range kept {
		if len(c.Parents) > 1 {
			seenMerge = true
		}
		for i := range c.Parents {
			c.Parents[i][0] ^= 0xff // must not disturb anything else
		}
	}
	if !seenMerge {
		t.Fatal("fixture has no merge")
	}
	again := collect(t, r, Options{Revisions: []string{"--all"}})
	if len(again) != len(kept) {
		t.Fatalf("second walk saw %d commits, first %d", len(again), len(kept))
	}
}

func TestAMissingObjectIsAnErrorNamingIt(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "types") // loose objects only
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Find a blob some commit changes and delete its loose file.
	var victim Hash
	err = r.Walk(context.Background(), Options{Revisions: []string{"--all"}}, func(c *Commit) error {
		for _, ch := range c.Changes {
			if ch.NewMode == 0o100644 && victim.IsZero() {
				victim = ch.NewHash
			}
		}
		return nil
	})
	if err != nil || victim.IsZero() {
		t.Fatalf("walk: %v, victim %s", err, victim)
	}
	hex := victim.String()
	if err := os.Remove(filepath.Join(dir, "objects", hex[:2], hex[2:])); err != nil {
		t.Fatal(err)
	}
	err = r.Walk(context.Background(), Options{Revisions: []string{"--all"}}, func(c *Commit) error { return nil })
	if err == nil || !strings.Contains(err.Error(), hex) {
		t.Fatalf("walk over a missing blob returned %v; want an error naming %s", err, hex)
	}
}

func TestOpenRefusesWhatIsNotARepository(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(empty folder) = %v, want ErrNotRepository", err)
	}
	f := filepath.Join(dir, "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(f); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Open(file) = %v, want an error saying it is not a directory", err)
	}
}

func TestAnEmptyRepositorySaysSo(t *testing.T) {
	r := openFixture(t, "empty")
	err := r.Walk(context.Background(), Options{}, func(c *Commit) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "does not have any commits yet") {
		t.Fatalf("walk of an empty repository returned %v", err)
	}
}

func TestWalkParallelSeesWhatWalkSeesForAnyWorkerCount(t *testing.T) {
	r := openFixture(t, "merges")
	want := collect(t, r, Options{Revisions: []string{"--all"}, Workers: 1})
	for _, workers := range []int{1, 2, 8} {
		// Per-worker state with no lock: the race detector checks that calls
		// with one worker number never overlap.
		seen := make([][]string, workers)
		err := r.WalkParallel(context.Background(), Options{Revisions: []string{"--all"}, Workers: workers}, func(w int, c *Commit) error {
			var b strings.Builder
			b.WriteString(c.Hash.String())
			for _, ch := range c.Changes {
				fmt.Fprintf(&b, " %s:+%d-%d:%v", ch.Path, ch.Added, ch.Deleted, ch.Binary)
			}
			seen[w] = append(seen[w], b.String())
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range seen {
			got = append(got, s...)
		}
		sort.Strings(got)
		sorted := append([]string(nil), want...)
		sort.Strings(sorted)
		if strings.Join(got, "\n") != strings.Join(sorted, "\n") {
			t.Errorf("%d workers: WalkParallel saw other commits than Walk", workers)
		}
	}
}

func TestWalkParallelReturnsACallbacksError(t *testing.T) {
	r := openFixture(t, "order")
	boom := errors.New("boom")
	var mu sync.Mutex
	calls := 0
	err := r.WalkParallel(context.Background(), Options{Revisions: []string{"--all"}, Workers: 2}, func(w int, c *Commit) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WalkParallel returned %v, want the callback's error", err)
	}
	if err := r.WalkParallel(context.Background(), Options{Revisions: []string{"--all"}}, func(int, *Commit) error { return ErrStop }); err != nil {
		t.Errorf("ErrStop from a callback ended WalkParallel with %v", err)
	}
}

func TestMessagesAreGivenOnlyWhenAsked(t *testing.T) {
	r := openFixture(t, "people")
	for _, messages := range []bool{false, true} {
		n := 0
		err := r.Walk(context.Background(), Options{Messages: messages, NoChanges: true}, func(c *Commit) error {
			if messages != (c.Message != "") {
				t.Errorf("Messages %v: commit %s has message %q", messages, c.Hash, c.Message)
			}
			if messages && !strings.HasPrefix(c.Message, c.Subject) {
				t.Errorf("message %q does not start with its subject %q", c.Message, c.Subject)
			}
			n++
			return nil
		})
		if err != nil || n == 0 {
			t.Fatalf("walk: %v, %d commits", err, n)
		}
	}
}

// The time figures of Stats add up: each is within the walk's wall time,
// the workers' busy time within what the workers had, and the ordered
// callback's time holds what the callback spent. A walk stopped early
// (ErrStop) still ends and reports them.
func TestStatsTimeTheWalksParts(t *testing.T) {
	r := openFixture(t, "order")
	for _, stop := range []int{0, 3} {
		var st Stats
		calls := 0
		const pause = 2 * time.Millisecond
		err := r.Walk(context.Background(), Options{Revisions: []string{"--all"}, Workers: 2, Stats: &st}, func(c *Commit) error {
			calls++
			time.Sleep(pause)
			if calls == stop {
				return ErrStop
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if st.Setup <= 0 || st.Busy <= 0 {
			t.Errorf("stop at %d: setup %v, busy %v; want both > 0", stop, st.Setup, st.Busy)
		}
		if st.Setup+st.RevWalk > st.Wall || st.Ordered > st.Wall {
			t.Errorf("stop at %d: setup %v + revision walk %v, ordered %v: more than the wall time %v", stop, st.Setup, st.RevWalk, st.Ordered, st.Wall)
		}
		if st.Busy > time.Duration(st.Workers)*st.Wall {
			t.Errorf("stop at %d: workers busy %v, more than %d x wall %v", stop, st.Busy, st.Workers, st.Wall)
		}
		if st.Ordered < time.Duration(calls)*pause {
			t.Errorf("stop at %d: ordered callback %v, less than the %d x %v it slept", stop, st.Ordered, calls, pause)
		}
	}
	// WalkParallel's callbacks run on the workers: their time is busy time.
	var st Stats
	var n atomic.Int64
	err := r.WalkParallel(context.Background(), Options{Revisions: []string{"--all"}, Workers: 2, Stats: &st}, func(_ int, c *Commit) error {
		n.Add(1)
		time.Sleep(2 * time.Millisecond)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Busy < time.Duration(n.Load())*2*time.Millisecond || st.Ordered != 0 {
		t.Errorf("WalkParallel: busy %v for %d callbacks of 2ms, ordered %v (want 0)", st.Busy, n.Load(), st.Ordered)
	}
}

// Untimed leaves the time figures after the setup zero and the rest of
// Stats as a timed walk gives it, in Walk and in WalkParallel.
func TestUntimedStatsLeaveTheTimesOut(t *testing.T) {
	r := openFixture(t, "order")
	for _, parallel := range []bool{false, true} {
		var timed, untimed Stats
		for _, st := range []*Stats{&timed, &untimed} {
			opts := Options{Revisions: []string{"--all"}, Workers: 2, Stats: st, Untimed: st == &untimed}
			var err error
			if parallel {
				err = r.WalkParallel(context.Background(), opts, func(int, *Commit) error { return nil })
			} else {
				err = r.Walk(context.Background(), opts, func(*Commit) error { return nil })
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if u := untimed; u.Setup <= 0 || u.RevWalk != 0 || u.Ordered != 0 || u.Busy != 0 || u.Wall <= 0 {
			t.Errorf("parallel %v, untimed: setup %v, revision walk %v, ordered %v, busy %v, wall %v; want the setup and wall only",
				parallel, u.Setup, u.RevWalk, u.Ordered, u.Busy, u.Wall)
		}
		if timed.Setup <= 0 || timed.Busy <= 0 {
			t.Errorf("parallel %v, timed: setup %v, busy %v; want both > 0", parallel, timed.Setup, timed.Busy)
		}
		if timed.Commits == 0 || untimed.Commits != timed.Commits || untimed.FilesDiffed != timed.FilesDiffed {
			t.Errorf("parallel %v: untimed %d commits, %d files; timed %d, %d", parallel, untimed.Commits, untimed.FilesDiffed, timed.Commits, timed.FilesDiffed)
		}
	}
}

// Stats.Bases counts the readers' delta work and BasesBound gives the
// cache's bound: a cache too small to hold a base rebuilds more bases and
// inflates more than one that holds them all, and the figures are the same
// through a shared ReaderPool.
func TestStatsCountTheDeltaBases(t *testing.T) {
	r := openFixture(t, "content")
	walk := func(o Options) Stats {
		t.Helper()
		var st Stats
		o.Stats, o.Workers = &st, 1
		collect(t, r, o)
		return st
	}
	big, small := walk(Options{CacheBytes: 64 << 20}), walk(Options{CacheBytes: 4 << 10})
	if big.BasesBound != 64<<20 || small.BasesBound != 4<<10 {
		t.Fatalf("bounds %d and %d, want the CacheBytes given", big.BasesBound, small.BasesBound)
	}
	// The region holds the bound and the free lists' quarter, in huge pages.
	if big.BasesRegion != 80<<20 || small.BasesRegion != 2<<20 {
		t.Fatalf("regions of %d and %d bytes, want 80 MiB and 2 MiB", big.BasesRegion, small.BasesRegion)
	}
	if big.Bases.Deltas == 0 || big.Bases.Hits == 0 || big.Bases.Inflated == 0 {
		t.Fatalf("a history of deltas counted %+v", big.Bases)
	}
	if small.Bases.Misses <= big.Bases.Misses || small.Bases.Inflated <= big.Bases.Inflated || small.Bases.Hits >= big.Bases.Hits {
		t.Fatalf("a 4 KiB cache: %+v; 64 MiB: %+v; want more misses and bytes inflated, fewer hits", small.Bases, big.Bases)
	}
	p, err := r.NewReaderPool(1, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if shared := walk(Options{Readers: p}); shared.BasesBound != 64<<20 || shared.Bases != big.Bases {
		t.Fatalf("through a ReaderPool: bound %d, %+v; want %d, %+v", shared.BasesBound, shared.Bases, int64(64<<20), big.Bases)
	}
}
