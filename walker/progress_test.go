package walker

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

// progressLog records Options.Progress calls and checks, call by call, what
// the hook promises: done never goes back, total is -1 or one fixed number
// not below done.
type progressLog struct {
	t           *testing.T
	calls       int
	done, total int
	fixed       int // the total once known, else -1
}

func newProgressLog(t *testing.T) *progressLog {
	return &progressLog{t: t, fixed: -1, total: -1}
}

func (p *progressLog) record(done, total int) {
	p.t.Helper()
	p.calls++
	if done < p.done {
		p.t.Errorf("call %d: done went back from %d to %d", p.calls, p.done, done)
	}
	if total != -1 {
		if p.fixed != -1 && total != p.fixed {
			p.t.Errorf("call %d: total changed from %d to %d", p.calls, p.fixed, total)
		}
		p.fixed = total
		if done > total {
			p.t.Errorf("call %d: done %d above total %d", p.calls, done, total)
		}
	}
	p.done, p.total = done, total
}

func TestProgressEndsWithEveryCommitDoneOfTheTotal(t *testing.T) {
	r := openFixture(t, "order")
	for _, tc := range []struct {
		name     string
		opts     Options
		parallel bool
	}{
		{"an ordered walk of all refs", Options{Revisions: []string{"--all"}, Workers: 2}, false},
		{"a parallel walk of all refs", Options{Revisions: []string{"--all"}, Workers: 2}, true},
		{"a limited walk in topological order", Options{Revisions: []string{"--all"}, TopoOrder: true, Workers: 3}, true},
		{"a walk with a count, a skip and no merges", Options{Revisions: []string{"--all"}, MaxCount: 7, Skip: 2, NoMerges: true}, false},
		{"a reversed walk under a path", Options{Revisions: []string{"--all"}, Reverse: true, Paths: []string{"n7.txt"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := len(collect(t, r, tc.opts))
			log := newProgressLog(t)
			opts := tc.opts
			opts.Progress = log.record
			got := 0
			var err error
			if tc.parallel {
				// One worker number per call never overlaps; count under it.
				counts := make([]int, opts.workers())
				err = r.WalkParallel(context.Background(), opts, func(w int, c *Commit) error { counts[w]++; return nil })
				for _, n := range counts {
					got += n
				}
			} else {
				err = r.Walk(context.Background(), opts, func(c *Commit) error { got++; return nil })
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("walked %d commits with Progress set, %d without", got, want)
			}
			if log.calls == 0 || log.done != want || log.total != want {
				t.Fatalf("last of %d progress calls said %d of %d; want %d of %d", log.calls, log.done, log.total, want, want)
			}
		})
	}
}

func TestProgressWalkStopsOnCancelAndLeavesNoGoroutine(t *testing.T) {
	r := openFixture(t, "order")
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := newProgressLog(t)
	calls := 0
	err := r.Walk(ctx, Options{Revisions: []string{"--all"}, Workers: 4, Progress: log.record}, func(c *Commit) error {
		calls++
		if calls == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Walk returned %v, want context.Canceled", err)
	}
	checkGoroutinesBack(t, before)
}

func TestProgressIsNotCalledAfterAFailedWalkEnds(t *testing.T) {
	r := openFixture(t, "order")
	boom := errors.New("boom")
	log := newProgressLog(t)
	err := r.WalkParallel(context.Background(), Options{Revisions: []string{"--all"}, Progress: log.record},
		func(int, *Commit) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("WalkParallel returned %v, want the callback's error", err)
	}
	if log.done != 0 {
		t.Errorf("progress reported %d commits done when every callback failed", log.done)
	}
}
