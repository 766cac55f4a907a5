package arena

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/internal/mmap"
)

// memoryCalls counts the memory system calls the arena package makes.
type memoryCalls struct{ maps, unmaps, releases, protects atomic.Int64 }

// countMemoryCalls wraps the package's memory hooks with counters for the
// duration of the test.
func countMemoryCalls(t *testing.T) *memoryCalls {
	t.Helper()
	c := &memoryCalls{}
	mp, um, rl, pr := mapMemory, unmapMemory, releaseMemory, protectMemory
	t.Cleanup(func() { mapMemory, unmapMemory, releaseMemory, protectMemory = mp, um, rl, pr })
	mapMemory = func(size int, populate bool) ([]byte, error) { c.maps.Add(1); return mp(size, populate) }
	unmapMemory = func(b []byte) error { c.unmaps.Add(1); return um(b) }
	releaseMemory = func(b []byte) error { c.releases.Add(1); return rl(b) }
	protectMemory = func(b []byte, a mmap.Access) error { c.protects.Add(1); return pr(b, a) }
	return c
}

func mmapFactory(size int) func() (Backing, error) {
	return func() (Backing, error) { return NewMmap(size) }
}

func heapFactory(size int) func() (Backing, error) {
	return func() (Backing, error) { return NewHeap(size), nil }
}

func mustCheckout(t *testing.T, p *Pool) *Arena {
	t.Helper()
	a, err := p.Checkout()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func closePool(t *testing.T, p *Pool) {
	t.Helper()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckoutReusesTheMostRecentlyGivenBackArena(t *testing.T) {
	p := NewPool(4, heapFactory(64))
	defer closePool(t, p)
	a1, a2, a3 := mustCheckout(t, p), mustCheckout(t, p), mustCheckout(t, p)
	p.GiveBack(a1)
	p.GiveBack(a3)
	p.GiveBack(a2)
	for i, want := range []*Arena{a2, a3, a1} {
		if got := mustCheckout(t, p); got != want {
			t.Fatalf("checkout %d did not return the most recently given back arena", i)
		}
	}
	if m := p.Metrics(); m.Mints != 3 || m.Reuses != 3 || m.Checkouts != 6 || m.InUse != 3 {
		t.Fatalf("metrics %+v, want 3 mints, 3 reuses, 6 checkouts, 3 in use", m)
	}
}

func TestCheckedOutArenasStartEmpty(t *testing.T) {
	p := NewPool(1, heapFactory(64))
	defer closePool(t, p)
	a := mustCheckout(t, p)
	m := a.Mark()
	_, _ = a.Alloc(50, 1)
	p.GiveBack(a)
	a = mustCheckout(t, p)
	if a.Len() != 0 || a.Remaining() != 64 {
		t.Fatalf("reused arena has Len %d Remaining %d, want an empty arena", a.Len(), a.Remaining())
	}
	if msg := panicMessage(func() { a.RewindTo(m) }); msg == "" {
		t.Fatal("a mark from before the give-back was accepted")
	}
	if a.LifetimePeak() != 50 {
		t.Fatalf("LifetimePeak %d, want 50 kept across give-backs", a.LifetimePeak())
	}
}

func TestGiveBackRetainsUpToTheCapAndReleasesTheRest(t *testing.T) {
	tests := []struct {
		name      string
		cap       int
		checkouts int
		wantIdle  int
	}{
		{"cap 0 retains nothing", 0, 3, 0},
		{"below the cap all are retained", 4, 3, 3},
		{"above the cap the extra are released", 2, 5, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := countMemoryCalls(t)
			p := NewPool(tc.cap, mmapFactory(4096))
			var out []*Arena
			for range tc.checkouts {
				out = append(out, mustCheckout(t, p))
			}
			for _, a := range out {
				p.GiveBack(a)
			}
			if p.IdleCount() != tc.wantIdle {
				t.Fatalf("IdleCount %d, want %d", p.IdleCount(), tc.wantIdle)
			}
			if got, want := calls.unmaps.Load(), int64(tc.checkouts-tc.wantIdle); got != want {
				t.Fatalf("%d unmaps, want %d", got, want)
			}
			if m := p.Metrics(); m.Drops != uint64(tc.checkouts-tc.wantIdle) || m.Idle != tc.wantIdle {
				t.Fatalf("metrics %+v", m)
			}
			closePool(t, p)
			if got := calls.unmaps.Load(); got != calls.maps.Load() {
				t.Fatalf("after Close %d unmaps for %d maps", got, calls.maps.Load())
			}
		})
	}
}

func TestAnArenaUsedAfterItsPoolDroppedItHasNoRoom(t *testing.T) {
	if debug {
		t.Skip("arenadebug panics on any use of a given-back arena; see debug_test.go")
	}
	p := NewPool(0, mmapFactory(4096))
	defer closePool(t, p)
	a := mustCheckout(t, p)
	p.GiveBack(a)
	if _, err := a.Alloc(1, 1); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Alloc on a dropped arena = %v, want ErrExhausted", err)
	}
}

func TestPrewarmAddsUpToTheRemainingCap(t *testing.T) {
	tests := []struct {
		name      string
		cap, idle int
		n         int
		want      int
	}{
		{"fewer than the cap are all added", 5, 0, 3, 3},
		{"more than the cap are clamped", 5, 0, 9, 5},
		{"idle arenas count toward the cap", 5, 3, 9, 2},
		{"a full pool adds none", 2, 2, 1, 0},
		{"cap 0 adds none", 0, 0, 3, 0},
		{"a negative count adds none", 3, 0, -1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPool(tc.cap, heapFactory(64))
			defer closePool(t, p)
			if _, err := p.Prewarm(tc.idle); err != nil {
				t.Fatal(err)
			}
			got, err := p.Prewarm(tc.n)
			if err != nil || got != tc.want {
				t.Fatalf("Prewarm(%d) = %d, %v; want %d", tc.n, got, err, tc.want)
			}
			if p.IdleCount() != tc.idle+tc.want {
				t.Fatalf("IdleCount %d, want %d", p.IdleCount(), tc.idle+tc.want)
			}
		})
	}
}

var errFactory = errors.New("no memory for you")

// failingFactory makes ok heap backings, then fails.
func failingFactory(ok int) func() (Backing, error) {
	return func() (Backing, error) {
		if ok == 0 {
			return nil, errFactory
		}
		ok--
		return NewHeap(64), nil
	}
}

func TestPrewarmStopsAtTheFirstFactoryErrorKeepingWhatItAdded(t *testing.T) {
	p := NewPool(10, failingFactory(2))
	defer closePool(t, p)
	n, err := p.Prewarm(5)
	if n != 2 || !errors.Is(err, errFactory) {
		t.Fatalf("Prewarm(5) = %d, %v; want 2 and the factory's error", n, err)
	}
	if p.IdleCount() != 2 {
		t.Fatalf("IdleCount %d, want 2", p.IdleCount())
	}
}

func TestCheckoutFactoryErrorLeavesThePoolUnchanged(t *testing.T) {
	p := NewPool(2, failingFactory(0))
	defer closePool(t, p)
	before := p.Metrics()
	a, err := p.Checkout()
	if a != nil || !errors.Is(err, errFactory) || !strings.Contains(err.Error(), "checkout") {
		t.Fatalf("Checkout = %v, %v; want the factory's error, wrapped", a, err)
	}
	if p.Metrics() != before || p.IdleCount() != 0 {
		t.Fatalf("metrics changed from %+v to %+v", before, p.Metrics())
	}
	nilFactory := NewPool(1, func() (Backing, error) { return nil, nil })
	defer closePool(t, nilFactory)
	if _, err := nilFactory.Checkout(); err == nil {
		t.Fatal("a factory returning nil, nil did not fail Checkout")
	}
}

func TestGiveBackMisusePanicsWithAdvice(t *testing.T) {
	p, q := NewPool(2, heapFactory(64)), NewPool(2, heapFactory(64))
	defer closePool(t, p)
	defer closePool(t, q)
	tests := []struct {
		name string
		run  func()
		want string
	}{
		{"nil", func() { p.GiveBack(nil) }, "Checkout returned"},
		{"twice", func() {
			a := mustCheckout(t, p)
			p.GiveBack(a)
			p.GiveBack(a)
		}, "once"},
		{"to another pool", func() { q.GiveBack(mustCheckout(t, p)) }, "pool it came from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if msg := panicMessage(tc.run); !strings.Contains(msg, tc.want) {
				t.Fatalf("panic %q, want one containing %q", msg, tc.want)
			}
		})
	}
}

func TestGiveBackAdoptsAnArenaMadeWithNew(t *testing.T) {
	p := NewPool(1, failingFactory(0))
	defer closePool(t, p)
	a := New(NewHeap(32))
	p.GiveBack(a)
	if got := mustCheckout(t, p); got != a {
		t.Fatal("the adopted arena was not reused")
	}
}

func TestNewPoolMisusePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"negative cap":     func() { NewPool(-1, heapFactory(1)) },
		"nil factory":      func() { NewPool(1, nil) },
		"negative retain":  func() { WithRetain(-1) },
		"zero reaper time": func() { WithReaper(0) },
	} {
		if panicMessage(f) == "" {
			t.Errorf("%s did not panic", name)
		}
	}
}

func TestClearReleasesIdleArenasAndThePoolStaysUsable(t *testing.T) {
	calls := countMemoryCalls(t)
	p := NewPool(3, mmapFactory(4096))
	defer closePool(t, p)
	if _, err := p.Prewarm(3); err != nil {
		t.Fatal(err)
	}
	if err := p.Clear(); err != nil {
		t.Fatal(err)
	}
	if p.IdleCount() != 0 || calls.unmaps.Load() != 3 {
		t.Fatalf("after Clear: %d idle, %d unmaps; want 0 and 3", p.IdleCount(), calls.unmaps.Load())
	}
	p.GiveBack(mustCheckout(t, p))
	if p.IdleCount() != 1 || calls.maps.Load() != 4 {
		t.Fatalf("after reuse: %d idle, %d maps; want 1 and 4", p.IdleCount(), calls.maps.Load())
	}
}

func TestClosedPoolRefusesCheckoutsAndReleasesWhatComesBack(t *testing.T) {
	calls := countMemoryCalls(t)
	p := NewPool(3, mmapFactory(4096))
	if _, err := p.Prewarm(2); err != nil {
		t.Fatal(err)
	}
	out := mustCheckout(t, p)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Checkout(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Checkout after Close = %v, want ErrClosed", err)
	}
	if _, err := p.Prewarm(1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Prewarm after Close = %v, want ErrClosed", err)
	}
	p.GiveBack(out)
	if p.IdleCount() != 0 || calls.unmaps.Load() != 2 {
		t.Fatalf("%d idle, %d unmaps; want 0 and 2", p.IdleCount(), calls.unmaps.Load())
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}

func TestReleaseIdleDropsResidentPagesAndArenasStayUsable(t *testing.T) {
	if !mmap.Native() {
		t.Skip("no page release on this system")
	}
	const size = 1 << 20
	p := NewPool(2, mmapFactory(size))
	defer closePool(t, p)
	a := mustCheckout(t, p)
	mem := a.Backing().Bytes()
	touch(t, a, size)
	assertResident(t, mem, size/mmap.PageSize())
	p.GiveBack(a)
	assertResident(t, mem, size/mmap.PageSize())
	if err := p.ReleaseIdle(); err != nil {
		t.Fatal(err)
	}
	assertResident(t, mem, 0)
	if m := p.Metrics(); m.Releases != 1 {
		t.Fatalf("Releases %d, want 1", m.Releases)
	}
	a = mustCheckout(t, p)
	touch(t, a, 3*mmap.PageSize())
	assertResident(t, mem, 3)
	p.GiveBack(a)
}

func TestReleaseIdleSkipsArenasNotTouchedSinceTheLastRelease(t *testing.T) {
	if !mmap.Native() {
		t.Skip("no page release on this system")
	}
	calls := countMemoryCalls(t)
	p := NewPool(2, mmapFactory(1<<16))
	defer closePool(t, p)
	a := mustCheckout(t, p)
	touch(t, a, 100)
	p.GiveBack(a)
	if _, err := p.Prewarm(1); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := p.ReleaseIdle(); err != nil {
			t.Fatal(err)
		}
	}
	if got := calls.releases.Load(); got != 1 {
		t.Fatalf("%d page releases, want 1: only the touched arena, once", got)
	}
}

func TestReleaseIdleOnHeapBackingsSaysItCannot(t *testing.T) {
	p := NewPool(2, heapFactory(64))
	defer closePool(t, p)
	a := mustCheckout(t, p)
	touch(t, a, 10)
	p.GiveBack(a)
	err := p.ReleaseIdle()
	if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "1 idle arenas") {
		t.Fatalf("ReleaseIdle = %v, want ErrUnsupported naming 1 arena", err)
	}
	if got := mustCheckout(t, p); got != a {
		t.Fatal("the arena was not kept")
	}
}

func TestGiveBackTrimsPagesTouchedAboveTheRetainSize(t *testing.T) {
	if !mmap.Native() {
		t.Skip("no page release on this system")
	}
	const size, retain = 1 << 20, 64 << 10
	p := NewPool(1, mmapFactory(size), WithRetain(retain))
	defer closePool(t, p)
	ps := mmap.PageSize()

	small := mustCheckout(t, p)
	mem := small.Backing().Bytes()
	touch(t, small, retain/2)
	p.GiveBack(small)
	if m := p.Metrics(); m.Trims != 0 {
		t.Fatalf("a unit within the retain size was trimmed: %+v", m)
	}

	giant := mustCheckout(t, p)
	touch(t, giant, size)
	p.GiveBack(giant)
	if m := p.Metrics(); m.Trims != 1 || m.PeakBytes != size {
		t.Fatalf("metrics %+v, want 1 trim and a peak of %d", m, size)
	}
	assertResident(t, mem, retain/ps)

	again := mustCheckout(t, p)
	touch(t, again, retain)
	p.GiveBack(again)
	if m := p.Metrics(); m.Trims != 1 {
		t.Fatalf("a give-back within the retain size after a trim was trimmed again: %+v", m)
	}
}

func TestReaperReleasesIdlePagesOnlyAfterAQuietPeriodAndStopsOnClose(t *testing.T) {
	if !mmap.Native() {
		t.Skip("no page release on this system")
	}
	calls := countMemoryCalls(t)
	tick := make(chan time.Time)
	reaped := make(chan struct{})
	p := NewPool(2, mmapFactory(1<<16), func(c *poolConfig) { c.tick, c.reaped = tick, reaped })
	pass := func() {
		t.Helper()
		tick <- time.Time{}
		<-reaped
	}
	a := mustCheckout(t, p)
	touch(t, a, 1<<16)
	p.GiveBack(a)
	pass() // first look: activity seen
	if calls.releases.Load() != 0 {
		t.Fatal("the reaper released pages of a pool that was just used")
	}
	p.GiveBack(mustCheckout(t, p))
	pass() // activity since the last look
	if calls.releases.Load() != 0 {
		t.Fatal("the reaper released pages although the pool was used in the period")
	}
	pass() // a whole quiet period
	if m := p.Metrics(); m.Releases != 1 {
		t.Fatalf("after a quiet period Releases = %d, want 1", m.Releases)
	}
	assertResident(t, a.Backing().Bytes(), 0)
	closePool(t, p)
	select {
	case tick <- time.Time{}:
		t.Fatal("the reaper still takes ticks after Close")
	default:
	}
}

func TestReaperWithARealTickerIsStoppedByClose(t *testing.T) {
	p := NewPool(1, heapFactory(64), WithReaper(time.Hour))
	select {
	case <-p.reaperDone:
		t.Fatal("the reaper ended before Close")
	default:
	}
	closePool(t, p)
	select {
	case <-p.reaperDone: // the goroutine has returned
	default:
		t.Fatal("Close returned while the reaper goroutine was still running")
	}
}

// steadyCycles is how many checkout/give-back cycles the steady-state tests
// run: 100,000, or fewer under arenadebug, whose mprotect per checkout and
// per give-back is slow by design (and slower still in virtual machines).
var steadyCycles = map[bool]int{false: 100_000, true: 2_000}[debug]

func TestSteadyStateMakesNoSystemCallsAndNoAllocations(t *testing.T) {
	calls := countMemoryCalls(t)
	p := NewPool(4, mmapFactory(1<<16))
	defer closePool(t, p)
	if _, err := p.Prewarm(4); err != nil {
		t.Fatal(err)
	}
	maps, unmaps := calls.maps.Load(), calls.unmaps.Load()
	allocs := testing.AllocsPerRun(1, func() {
		for range steadyCycles {
			a, err := p.Checkout()
			if err != nil {
				panic(err)
			}
			b, _ := a.Alloc(64, 8)
			b[0] = 1
			p.GiveBack(a)
		}
	})
	checkNoAllocations(t, allocs)
	if got, got2 := calls.maps.Load()-maps, calls.unmaps.Load()-unmaps; got != 0 || got2 != 0 {
		t.Errorf("%d maps and %d unmaps in steady state, want none", got, got2)
	}
	if m := p.Metrics(); m.Mints != 4 || m.Reuses != uint64(2*steadyCycles) {
		t.Errorf("metrics %+v, want 4 mints and every checkout a reuse", m)
	}
}

func TestSteadyStateFromSeveralGoroutinesMakesNoSystemCallsAndNoAllocations(t *testing.T) {
	const workers = 4
	calls := countMemoryCalls(t)
	p := NewPool(workers, mmapFactory(1<<16))
	defer closePool(t, p)
	if _, err := p.Prewarm(workers); err != nil {
		t.Fatal(err)
	}
	start, done := make(chan struct{}), make(chan error)
	for w := range workers {
		go func() {
			for range start {
				done <- churn(p, byte(w), steadyCycles/workers)
			}
		}()
	}
	defer close(start)
	var failed error
	maps, unmaps := calls.maps.Load(), calls.unmaps.Load()
	allocs := testing.AllocsPerRun(1, func() {
		for range workers {
			start <- struct{}{}
		}
		for range workers {
			if err := <-done; err != nil {
				failed = err
			}
		}
	})
	if failed != nil {
		t.Fatal(failed)
	}
	checkNoAllocations(t, allocs)
	if got, got2 := calls.maps.Load()-maps, calls.unmaps.Load()-unmaps; got != 0 || got2 != 0 {
		t.Errorf("%d maps and %d unmaps in steady state, want none", got, got2)
	}
	if m := p.Metrics(); m.Mints != workers || m.InUse != 0 || m.Idle != workers {
		t.Errorf("metrics %+v, want %d mints, all idle again", m, workers)
	}
}

// checkNoAllocations fails the test if the steady state allocated. Under
// arenadebug the count is only logged: each cycle makes two mprotect system
// calls there, and a slow system call can make the runtime start a thread,
// which it counts as a heap allocation that is none of the pool's.
func checkNoAllocations(t *testing.T, allocs float64) {
	t.Helper()
	if debug {
		t.Logf("arenadebug: %v heap allocations in %d cycles", allocs, steadyCycles)
		return
	}
	if allocs != 0 {
		t.Errorf("%v heap allocations in %d cycles, want 0", allocs, steadyCycles)
	}
}

// errCorrupt is what churn reports when another goroutine wrote into its arena.
var errCorrupt = errors.New("arena memory changed under its owner")

// churn checks arenas out of p and back n times, filling each with id and
// checking that nobody else wrote to it meanwhile.
func churn(p *Pool, id byte, n int) error {
	for range n {
		a, err := p.Checkout()
		if err != nil {
			return err
		}
		b, err := a.Alloc(256, 8)
		if err != nil {
			return err
		}
		for i := range b {
			b[i] = id
		}
		runtime.Gosched()
		for _, v := range b {
			if v != id {
				return errCorrupt
			}
		}
		p.GiveBack(a)
	}
	return nil
}

func TestConcurrentUseNeverSharesAnArena(t *testing.T) {
	p := NewPool(3, heapFactory(4096), WithRetain(1024))
	defer closePool(t, p)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() { errs <- churn(p, byte(w+1), 2000) })
	}
	wg.Go(func() {
		for range 200 {
			_ = p.ReleaseIdle()
			_ = p.Metrics()
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if m := p.Metrics(); m.InUse != 0 || m.Checkouts != 16000 || m.Mints-m.Drops != uint64(m.Idle) || m.Idle > 3 {
		t.Fatalf("metrics %+v", m)
	}
}

// touch allocates n bytes from a and writes to every page of them.
func touch(t *testing.T, a *Arena, n int) {
	t.Helper()
	b, err := a.Alloc(n, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(b); i += 512 {
		b[i] = 1
	}
	if n > 0 {
		b[n-1] = 1
	}
}

func assertResident(t *testing.T, b []byte, want int) {
	t.Helper()
	got, err := mmap.Resident(b)
	if errors.Is(err, errors.ErrUnsupported) {
		return // no mincore here: the other checks of the test still hold
	}
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%d pages resident, want %d", got, want)
	}
}
