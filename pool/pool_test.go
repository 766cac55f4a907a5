package pool

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewAppliesDefaultsAndRejectsBadInput(t *testing.T) {
	m := &maker{}
	tests := []struct {
		name    string
		cfg     Config
		factory func() (*thing, error)
		opts    []Option
		want    Config
		wantErr string
	}{
		{name: "the zero config caps at GOMAXPROCS with nothing warm and no reaping",
			factory: m.make, want: Config{MaxInstances: runtime.GOMAXPROCS(0)}},
		{name: "a warm count above the cap is lowered to the cap",
			cfg: Config{MaxInstances: 2, WarmCount: 5}, factory: m.make, want: Config{MaxInstances: 2, WarmCount: 2}},
		{name: "an explicit config is kept as given",
			cfg:     Config{MaxInstances: 3, WarmCount: 1, IdleTimeout: time.Minute},
			factory: m.make, want: Config{MaxInstances: 3, WarmCount: 1, IdleTimeout: time.Minute}},
		{name: "a nil factory is an error", factory: nil, wantErr: "nil factory"},
		{name: "a negative cap is an error",
			cfg: Config{MaxInstances: -1}, factory: m.make, wantErr: "MaxInstances -1 is negative"},
		{name: "a negative warm count is an error",
			cfg: Config{WarmCount: -1}, factory: m.make, wantErr: "WarmCount -1 is negative"},
		{name: "a negative idle timeout is an error",
			cfg: Config{IdleTimeout: -time.Second}, factory: m.make, wantErr: "IdleTimeout -1s is negative"},
		{name: "a reset for another instance type is an error",
			factory: m.make, opts: []Option{WithReset(func(string) error { return nil })},
			wantErr: "WithReset was given a func(string) error, want a func(*pool.thing) error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.cfg, tc.factory, tc.opts...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New(%+v) error = %v, want one containing %q", tc.cfg, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%+v): %v", tc.cfg, err)
			}
			defer p.Close()
			if got := p.Config(); got != tc.want {
				t.Errorf("Config() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestWarmCountGivesLiveInstancesBeforeTheFirstAcquire(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 4, WarmCount: 3}, m)
	defer p.Close()
	if got := m.builds(); got != 3 {
		t.Errorf("New built %d instances, want 3", got)
	}
	wantMetrics(t, p, Metrics{Live: 3, Idle: 3})
	acquire(t, p)
	wantMetrics(t, p, Metrics{Hits: 1, Live: 3, Idle: 2})
}

func TestAcquireHitsThenMissesThenHitsAfterRelease(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 2, WarmCount: 1}, m)
	defer p.Close()

	a := acquire(t, p)
	wantMetrics(t, p, Metrics{Hits: 1, Live: 1})
	b := acquire(t, p)
	if a == b {
		t.Fatal("the miss returned the instance already handed out")
	}
	wantMetrics(t, p, Metrics{Hits: 1, Misses: 1, Live: 2})

	p.Release(a)
	p.Release(b)
	if got := acquire(t, p); got != b {
		t.Errorf("Acquire after releasing a then b returned thing %d, want the most recent, thing %d", got.id, b.id)
	}
	if got := acquire(t, p); got != a {
		t.Errorf("second Acquire returned thing %d, want thing %d", got.id, a.id)
	}
	wantMetrics(t, p, Metrics{Hits: 3, Misses: 1, Live: 2})
}

func TestCapOfOneRefusesTheSecondAcquireAndCountsIt(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 1}, m)
	defer p.Close()

	a := acquire(t, p)
	_, err := p.Acquire()
	if !errors.Is(err, ErrExhausted) {
		t.Fatalf("second Acquire error = %v, want ErrExhausted", err)
	}
	for _, part := range []string{"1 instances live", "MaxInstances is 1", "*pool.thing"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name %q", err, part)
		}
	}
	wantMetrics(t, p, Metrics{Misses: 1, Exhausted: 1, Live: 1})

	p.Release(a)
	if got := acquire(t, p); got != a {
		t.Errorf("Acquire after release returned thing %d, want thing %d", got.id, a.id)
	}
}

func TestGoroutinesReleasedTogetherGetExactlyTheCap(t *testing.T) {
	const goroutines, limit = 32, 4
	m := &maker{}
	p := newPool(t, Config{MaxInstances: limit}, m)
	defer p.Close()

	start := make(chan struct{})
	var ok, exhausted atomic.Int32
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			<-start
			_, err := p.Acquire()
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrExhausted):
				exhausted.Add(1)
			default:
				t.Errorf("Acquire: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()

	if ok.Load() != limit || exhausted.Load() != goroutines-limit {
		t.Errorf("%d acquires succeeded and %d were exhausted, want %d and %d", ok.Load(), exhausted.Load(), limit, goroutines-limit)
	}
	wantMetrics(t, p, Metrics{Misses: limit, Exhausted: goroutines - limit, Live: limit})
	if got := m.builds(); got != limit {
		t.Errorf("the factory ran %d times, want %d", got, limit)
	}
}

func TestFactoryErrorIsReturnedAndFreesTheSlot(t *testing.T) {
	m := &maker{failAt: map[int]error{1: errBoom}}
	p := newPool(t, Config{MaxInstances: 1}, m)
	defer p.Close()

	_, err := p.Acquire()
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "build instance") {
		t.Fatalf("Acquire error = %v, want the factory's error wrapped", err)
	}
	wantMetrics(t, p, Metrics{Misses: 1, BuildErrors: 1})
	if x := acquire(t, p); x.id != 2 {
		t.Errorf("Acquire after a failed build returned thing %d, want a new thing 2", x.id)
	}
}

func TestFactoryPanicFreesTheSlot(t *testing.T) {
	calls := 0
	p, err := New(Config{MaxInstances: 1}, func() (int, error) {
		calls++
		if calls == 1 {
			panic("factory bug")
		}
		return calls, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	func() {
		defer func() {
			if r := recover(); r != "factory bug" {
				t.Errorf("recovered %v, want the factory's panic", r)
			}
		}()
		p.Acquire()
	}()
	if got := p.Metrics().Live; got != 0 {
		t.Errorf("Live = %d after the factory panicked, want 0", got)
	}
	if x, err := p.Acquire(); err != nil || x != 2 {
		t.Errorf("Acquire = %d, %v; want 2, nil", x, err)
	}
}

func TestWarmUpFailureClosesWhatWasBuilt(t *testing.T) {
	m := &maker{failAt: map[int]error{3: errBoom}}
	p, err := New(Config{MaxInstances: 4, WarmCount: 4}, m.make)
	if p != nil || !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "warm instance 3 of 4") {
		t.Fatalf("New = %v, %v; want nil and the third build's error", p, err)
	}
	if got := m.closedIDs(t); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("closed things %v, want [1 2]", got)
	}
}

func TestDiscardClosesTheInstanceAndFreesItsSlot(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 1, WarmCount: 1}, m)
	defer p.Close()

	a := acquire(t, p)
	p.Discard(a)
	if got := m.closedIDs(t); !slices.Equal(got, []int{1}) {
		t.Errorf("closed things %v, want [1]", got)
	}
	wantMetrics(t, p, Metrics{Hits: 1, Discarded: 1})
	if b := acquire(t, p); b == a {
		t.Error("a discarded instance was handed out again")
	}
	wantMetrics(t, p, Metrics{Hits: 1, Misses: 1, Discarded: 1, Live: 1})
}

func TestReleaseRunsResetAndDiscardsWhatFailsIt(t *testing.T) {
	m := &maker{}
	resets := 0
	reset := func(x *thing) error {
		resets++
		if x.dirty {
			return errBoom
		}
		return nil
	}
	p := newPool(t, Config{MaxInstances: 2, WarmCount: 1}, m, WithReset(reset))
	defer p.Close()

	a := acquire(t, p)
	p.Release(a)
	if resets != 1 {
		t.Errorf("reset ran %d times on one release, want 1", resets)
	}
	a = acquire(t, p)
	a.dirty = true
	p.Release(a)
	if got := m.closedIDs(t); !slices.Equal(got, []int{1}) {
		t.Errorf("closed things %v, want [1]: the instance that failed reset", got)
	}
	wantMetrics(t, p, Metrics{Hits: 2, Discarded: 1})
	if b := acquire(t, p); b == a {
		t.Error("an instance that failed its reset was handed out again")
	}
}

func TestReleaseDropsAnInstanceNothingAccountsFor(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 2, WarmCount: 1}, m)
	defer p.Close()

	a := acquire(t, p)
	p.Release(a)
	p.Release(a) // twice: the second has no checkout to match
	stranger := &thing{id: 99, maker: m}
	p.Release(stranger)
	if a.closed != 1 || stranger.closed != 1 {
		t.Errorf("closed %d and %d times, want 1 each: the second release and the stranger are over the cap", a.closed, stranger.closed)
	}
	wantMetrics(t, p, Metrics{Hits: 1, Live: 1, Idle: 1})
}

func TestCloseWithInstancesCheckedOut(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 3, WarmCount: 3}, m)

	a := acquire(t, p) // thing 3, the top of the warm stack
	b := acquire(t, p) // thing 2
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := m.closedIDs(t); !slices.Equal(got, []int{1}) {
		t.Errorf("Close closed things %v, want only the idle one, [1]", got)
	}
	if _, err := p.Acquire(); !errors.Is(err, ErrClosed) {
		t.Errorf("Acquire after Close error = %v, want ErrClosed", err)
	}
	if _, err := p.AcquireContext(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("AcquireContext after Close error = %v, want ErrClosed", err)
	}
	wantMetrics(t, p, Metrics{Hits: 2, Live: 2})

	p.Release(a)
	p.Discard(b)
	if got := m.closedIDs(t); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("closed things %v after giving both back, want [1 2 3]", got)
	}
	wantMetrics(t, p, Metrics{Hits: 2, Discarded: 1})
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v, want nil", err)
	}
	if !strings.Contains(p.String(), "closed") {
		t.Errorf("String() = %q, want it to say closed", p)
	}
}

func TestCloseReturnsTheIdleInstancesCloseErrors(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 2, WarmCount: 2}, m)
	a, b := acquire(t, p), acquire(t, p)
	a.closeErr = errBoom
	p.Release(a)
	p.Release(b)
	err := p.Close()
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "close idle instance") {
		t.Errorf("Close error = %v, want errBoom wrapped", err)
	}
	if got := p.Metrics().CloseErrors; got != 1 {
		t.Errorf("CloseErrors = %d, want 1", got)
	}
}

func TestStringNamesTypeCapAndState(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 2, WarmCount: 1, IdleTimeout: time.Hour}, m)
	defer p.Close()
	acquire(t, p)
	acquire(t, p)
	want := "pool[*pool.thing]{open, live 2 of max 2, idle 0, waiting 0, warm 1, idle timeout 1h0m0s}"
	if got := p.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// startWaiter runs AcquireContext on a goroutine and returns when it is queued.
func startWaiter(t *testing.T, p *Pool[*thing], ctx context.Context) <-chan result {
	t.Helper()
	waits := p.Metrics().Waits
	ch := make(chan result, 1)
	go func() {
		x, err := p.AcquireContext(ctx)
		ch <- result{x, err}
	}()
	eventually(t, "AcquireContext waits", func() bool { return p.Metrics().Waits > waits })
	return ch
}

// receive waits for a waiter's result, failing the test instead of hanging it.
func receive(t *testing.T, ch <-chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("AcquireContext never returned")
		return result{}
	}
}

type result struct {
	x   *thing
	err error
}

func TestAcquireContextWaitsForARelease(t *testing.T) {
	m := &maker{}
	clock := newFakeClock()
	p := newPool(t, Config{MaxInstances: 1, WarmCount: 1}, m, WithClock(clock))
	defer p.Close()

	a := acquire(t, p)
	done := startWaiter(t, p, context.Background())
	clock.Advance(3 * time.Second)
	p.Release(a)
	r := receive(t, done)
	if r.err != nil || r.x != a {
		t.Fatalf("AcquireContext = thing %v, %v; want the released thing 1", r.x, r.err)
	}
	wantMetrics(t, p, Metrics{Hits: 2, Waits: 1, Waited: 3 * time.Second, Live: 1})
}

func TestAcquireContextWaitsForAFreedSlot(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 1, WarmCount: 1}, m, WithClock(newFakeClock())) // time stands still: Waited is 0
	defer p.Close()

	a := acquire(t, p)
	done := startWaiter(t, p, context.Background())
	p.Discard(a)
	r := receive(t, done)
	if r.err != nil || r.x == nil || r.x.id != 2 {
		t.Fatalf("AcquireContext = %v, %v; want a newly built thing 2", r.x, r.err)
	}
	wantMetrics(t, p, Metrics{Hits: 1, Misses: 1, Discarded: 1, Waits: 1, Live: 1})
}

func TestAFailedBuildPassesItsSlotToTheNextWaiter(t *testing.T) {
	m := &maker{failAt: map[int]error{2: errBoom}}
	p := newPool(t, Config{MaxInstances: 1, WarmCount: 1}, m, WithClock(newFakeClock()))
	defer p.Close()

	a := acquire(t, p)
	first := startWaiter(t, p, context.Background())
	second := startWaiter(t, p, context.Background())
	p.Discard(a)
	if r := receive(t, first); !errors.Is(r.err, errBoom) {
		t.Errorf("the first waiter got %v, %v; want build 2's error", r.x, r.err)
	}
	if r := receive(t, second); r.err != nil || r.x.id != 3 {
		t.Errorf("the second waiter got %v, %v; want thing 3 built in the freed slot", r.x, r.err)
	}
	wantMetrics(t, p, Metrics{Hits: 1, Misses: 2, Discarded: 1, BuildErrors: 1, Waits: 2, Live: 1})
}

func TestAcquireContextStopsWhenTheContextEnds(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 1, WarmCount: 1}, m, WithClock(newFakeClock())) // time stands still: Waited is 0
	defer p.Close()

	a := acquire(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	done := startWaiter(t, p, ctx)
	cancel()
	r := receive(t, done)
	if !errors.Is(r.err, context.Canceled) || !errors.Is(r.err, ErrExhausted) || !strings.Contains(r.err.Error(), "MaxInstances is 1") {
		t.Fatalf("AcquireContext error = %v, want context.Canceled and ErrExhausted, naming the cap", r.err)
	}
	wantMetrics(t, p, Metrics{Hits: 1, Exhausted: 1, Waits: 1, Live: 1})

	p.Release(a) // no one is waiting any more: it goes idle
	wantMetrics(t, p, Metrics{Hits: 1, Exhausted: 1, Waits: 1, Live: 1, Idle: 1})
	if p.String() != "pool[*pool.thing]{open, live 1 of max 1, idle 1, waiting 0, warm 1, idle timeout 0s}" {
		t.Errorf("String() = %q", p)
	}
}

func TestAcquireContextWithAnEndedContext(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 1, WarmCount: 1}, m)
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	a, err := p.AcquireContext(ctx)
	if err != nil {
		t.Fatalf("AcquireContext with an idle instance and an ended context: %v, want the instance", err)
	}
	_, err = p.AcquireContext(ctx)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrExhausted) {
		t.Errorf("AcquireContext at the cap with an ended context: %v, want context.Canceled at once", err)
	}
	wantMetrics(t, p, Metrics{Hits: 1, Exhausted: 1, Live: 1})
	p.Release(a)
}

func TestAcquireContextWaitersAreServedInArrivalOrder(t *testing.T) {
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 2, WarmCount: 2}, m)
	defer p.Close()

	a, b := acquire(t, p), acquire(t, p)
	first := startWaiter(t, p, context.Background())
	second := startWaiter(t, p, context.Background())
	p.Release(b)
	if r := receive(t, first); r.x != b {
		t.Errorf("the first waiter got %v, want thing %d", r.x, b.id)
	}
	p.Release(a)
	if r := receive(t, second); r.x != a {
		t.Errorf("the second waiter got %v, want thing %d", r.x, a.id)
	}
}

func TestCloseWakesWaitersWithErrClosed(t *testing.T) {
	check := noGoroutineLeak(t)
	m := &maker{}
	p := newPool(t, Config{MaxInstances: 1, WarmCount: 1, IdleTimeout: time.Hour}, m)
	a := acquire(t, p)
	w1 := startWaiter(t, p, context.Background())
	w2 := startWaiter(t, p, context.Background())
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, w := range []<-chan result{w1, w2} {
		if r := receive(t, w); !errors.Is(r.err, ErrClosed) {
			t.Errorf("waiter woke with %v, want ErrClosed", r.err)
		}
	}
	p.Release(a)
	if got := m.closedIDs(t); !slices.Equal(got, []int{1}) {
		t.Errorf("closed things %v, want [1]", got)
	}
	check()
}

func TestNoGoroutineIsLeftAfterClose(t *testing.T) {
	for _, timeout := range []time.Duration{0, time.Hour} {
		t.Run(fmt.Sprintf("with idle timeout %s", timeout), func(t *testing.T) {
			check := noGoroutineLeak(t)
			m := &maker{}
			p := newPool(t, Config{MaxInstances: 3, WarmCount: 1, IdleTimeout: timeout}, m)
			x := acquire(t, p)
			y := acquire(t, p)
			p.Release(x)
			p.Release(y)
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			check()
		})
	}
}

func TestNoReaperRunsWhenNothingCouldBeReaped(t *testing.T) {
	for _, cfg := range []Config{
		{MaxInstances: 2, WarmCount: 1},
		{MaxInstances: 2, WarmCount: 2, IdleTimeout: time.Second},
	} {
		before := runtime.NumGoroutine()
		p := newPool(t, cfg, &maker{})
		if p.stop != nil || runtime.NumGoroutine() > before {
			t.Errorf("New(%+v) started a reaper", cfg)
		}
		p.Close()
	}
}

func TestReaperClosesInstancesIdleForAWholeIntervalDownToTheWarmCount(t *testing.T) {
	m := &maker{}
	clock := newFakeClock()
	p := newPool(t, Config{MaxInstances: 4, WarmCount: 1, IdleTimeout: 10 * time.Second}, m, WithClock(clock))
	defer p.Close()
	pass := func(what string) {
		t.Helper()
		clock.Advance(10 * time.Second)
		if d := clock.waitArmed(t); d != 10*time.Second {
			t.Fatalf("%s: the reaper slept %s, want the idle timeout", what, d)
		}
	}
	if d := clock.waitArmed(t); d != 10*time.Second {
		t.Fatalf("the reaper first slept %s, want the idle timeout", d)
	}

	a, b, c := acquire(t, p), acquire(t, p), acquire(t, p) // 1 hit, 2 misses
	p.Release(a)
	p.Release(b)
	p.Release(c)
	pass("a pass after all three were in use")
	wantMetrics(t, p, Metrics{Hits: 1, Misses: 2, Live: 3, Idle: 3})

	p.Release(acquire(t, p)) // c is used again; a and b stay idle throughout
	pass("a pass after a and b sat idle throughout")
	if got := m.closedIDs(t); !slices.Equal(got, []int{a.id, b.id}) {
		t.Errorf("reaped things %v, want [%d %d]", got, a.id, b.id)
	}
	wantMetrics(t, p, Metrics{Hits: 2, Misses: 2, Live: 1, Idle: 1, Reaped: 2})

	pass("a pass at the warm count")
	pass("another pass at the warm count")
	wantMetrics(t, p, Metrics{Hits: 2, Misses: 2, Live: 1, Idle: 1, Reaped: 2})
	if got := acquire(t, p); got != c {
		t.Errorf("Acquire after reaping returned thing %d, want the warm thing %d", got.id, c.id)
	}
}

func TestReaperNeverGoesBelowTheWarmCount(t *testing.T) {
	m := &maker{}
	clock := newFakeClock()
	p := newPool(t, Config{MaxInstances: 3, WarmCount: 2, IdleTimeout: time.Second}, m, WithClock(clock))
	defer p.Close()
	clock.waitArmed(t)

	a, b, c := acquire(t, p), acquire(t, p), acquire(t, p) // 2 hits, 1 miss
	p.Release(a)
	p.Release(b)
	p.Release(c)
	for range 5 {
		clock.Advance(time.Second)
		clock.waitArmed(t)
	}
	if got := m.closedIDs(t); !slices.Equal(got, []int{a.id}) {
		t.Errorf("reaped things %v, want only the oldest, [%d]", got, a.id)
	}
	wantMetrics(t, p, Metrics{Hits: 2, Misses: 1, Live: 2, Idle: 2, Reaped: 1})
}

func TestReaperLeavesInstancesInUseDuringTheInterval(t *testing.T) {
	m := &maker{}
	clock := newFakeClock()
	p := newPool(t, Config{MaxInstances: 2, IdleTimeout: 10 * time.Second}, m, WithClock(clock))
	defer p.Close()
	clock.waitArmed(t)

	for range 3 {
		clock.Advance(9 * time.Second)
		p.Release(acquire(t, p)) // used once in every interval
		clock.Advance(time.Second)
		clock.waitArmed(t)
	}
	wantMetrics(t, p, Metrics{Hits: 2, Misses: 1, Live: 1, Idle: 1})
	clock.Advance(10 * time.Second) // released at 29s, idle through the pass interval (30s, 40s]: due
	clock.waitArmed(t)
	wantMetrics(t, p, Metrics{Hits: 2, Misses: 1, Reaped: 1})
}

// TestConcurrentUseKeepsAccountsStraight mixes every call under -race and checks that no
// instance is ever used by two goroutines and that the counts balance at the end.
func TestConcurrentUseKeepsAccountsStraight(t *testing.T) {
	check := noGoroutineLeak(t)
	const goroutines, rounds, limit = 8, 300, 3
	m := &maker{failAt: map[int]error{5: errBoom, 9: errBoom}}
	inUse := make([]atomic.Bool, goroutines*rounds+1) // by thing id
	p := newPool(t, Config{MaxInstances: limit, WarmCount: 1}, m,
		WithReset(func(x *thing) error {
			if x.dirty {
				return errBoom
			}
			return nil
		}))

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range rounds {
				ctx, cancel := context.WithCancel(context.Background())
				if i%4 == g%4 {
					go cancel() // races the wait, the hand-over and the build
				}
				var x *thing
				var err error
				if i%5 == 0 {
					x, err = p.Acquire()
				} else {
					x, err = p.AcquireContext(ctx)
				}
				cancel()
				if err != nil {
					if !errors.Is(err, ErrExhausted) && !errors.Is(err, errBoom) {
						t.Errorf("acquire: %v", err)
					}
					continue
				}
				if !inUse[x.id].CompareAndSwap(false, true) {
					t.Errorf("thing %d handed to two goroutines at once", x.id)
				}
				runtime.Gosched() // hold it a moment, so an overlap has a chance to show
				inUse[x.id].Store(false)
				switch i % 7 {
				case 0:
					p.Discard(x)
				case 1:
					x.dirty = true
					p.Release(x)
				default:
					p.Release(x)
				}
			}
		})
	}
	wg.Wait()

	got := p.Metrics()
	if got.Live > limit || got.Idle != got.Live {
		t.Errorf("after every instance came back: %+v, want Live = Idle <= %d", got, limit)
	}
	if got.BuildErrors != 2 {
		t.Errorf("BuildErrors = %d, want 2", got.BuildErrors)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	built := m.builds() - 2
	if closed := len(m.closedIDs(t)); closed != built {
		t.Errorf("%d things built and %d closed after Close, want all closed", built, closed)
	}
	check()
}

// gatedContext holds AcquireContext at its select (the only place Done is called) until the
// test opens the gate, so that a hand-over and the end of the context can both be ready there.
type gatedContext struct {
	context.Context
	reached chan struct{}
	gate    chan struct{}
}

func (c *gatedContext) Done() <-chan struct{} {
	close(c.reached)
	<-c.gate
	return c.Context.Done()
}

// TestAcquireContextGivingUpPassesOnWhatItWasGranted covers a waiter whose context ends just as
// it is granted an instance, a slot or the pool's closing: whichever its select picks, nothing
// may be lost. Both outcomes happen at random, so each case is run until both were seen.
func TestAcquireContextGivingUpPassesOnWhatItWasGranted(t *testing.T) {
	tests := []struct {
		name  string
		both  bool // whether giving up and being served can be told apart
		grant func(p *Pool[*thing], a *thing)
		check func(t *testing.T, p *Pool[*thing], r result)
	}{
		{name: "an instance released to it goes to the idle set", both: true,
			grant: func(p *Pool[*thing], a *thing) { p.Release(a) },
			check: func(t *testing.T, p *Pool[*thing], r result) {
				if r.err == nil {
					p.Release(r.x)
				}
				if m := p.Metrics(); m.Live != 1 || m.Idle != 1 {
					t.Errorf("after the waiter %v: Metrics %+v, want the one instance idle", r.err, m)
				}
			}},
		{name: "a slot freed for it is freed again", both: true,
			grant: func(p *Pool[*thing], a *thing) { p.Discard(a) },
			check: func(t *testing.T, p *Pool[*thing], r result) {
				if r.err == nil {
					p.Release(r.x)
				}
				if m := p.Metrics(); m.Live > 1 || m.Live != m.Idle {
					t.Errorf("after the waiter %v: Metrics %+v, want everything given back", r.err, m)
				}
			}},
		{name: "the pool's closing is reported",
			grant: func(p *Pool[*thing], a *thing) { p.Close(); p.Release(a) },
			check: func(t *testing.T, p *Pool[*thing], r result) {
				if !errors.Is(r.err, ErrClosed) {
					t.Errorf("waiter error = %v, want ErrClosed", r.err)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var gaveUp, served int
			rounds := 1000
			if !tc.both {
				rounds = 20
			}
			for round := 0; round < rounds && (gaveUp == 0 || served == 0); round++ {
				p := newPool(t, Config{MaxInstances: 1, WarmCount: 1}, &maker{})
				a := acquire(t, p)
				inner, cancel := context.WithCancel(context.Background())
				ctx := &gatedContext{Context: inner, reached: make(chan struct{}), gate: make(chan struct{})}
				done := make(chan result, 1)
				go func() {
					x, err := p.AcquireContext(ctx)
					done <- result{x, err}
				}()
				<-ctx.reached
				tc.grant(p, a)
				cancel()
				close(ctx.gate)
				r := receive(t, done)
				if errors.Is(r.err, context.Canceled) {
					gaveUp++
				} else {
					served++
				}
				tc.check(t, p, r)
				p.Close()
			}
			if tc.both && (gaveUp == 0 || served == 0) {
				t.Errorf("in 1000 rounds the waiter gave up %d times and was served %d times; want both", gaveUp, served)
			}
		})
	}
}
