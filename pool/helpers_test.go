package pool

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

// thing is a pooled instance that records how it was treated.
type thing struct {
	id       int
	closed   int // times Close was called; guarded by maker.mu
	closeErr error
	dirty    bool
	maker    *maker
}

func (x *thing) Close() error {
	x.maker.mu.Lock()
	x.closed++
	x.maker.mu.Unlock()
	return x.closeErr
}

// maker is a factory of things that counts builds and can be told to fail.
type maker struct {
	mu     sync.Mutex
	built  []*thing
	failAt map[int]error // build number (1-based) -> error to return
}

func (m *maker) make() (*thing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.built) + 1
	if err := m.failAt[n]; err != nil {
		m.built = append(m.built, nil) // a failed build still uses up its number
		return nil, err
	}
	x := &thing{id: n, maker: m}
	m.built = append(m.built, x)
	return x, nil
}

func (m *maker) builds() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.built)
}

// closedIDs returns the ids of the things closed so far, and fails on a thing closed twice.
func (m *maker) closedIDs(t *testing.T) []int {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []int
	for _, x := range m.built {
		if x == nil {
			continue
		}
		if x.closed > 1 {
			t.Errorf("thing %d was closed %d times", x.id, x.closed)
		}
		if x.closed > 0 {
			ids = append(ids, x.id)
		}
	}
	return ids
}

func newPool(t *testing.T, cfg Config, m *maker, opts ...Option) *Pool[*thing] {
	t.Helper()
	p, err := New(cfg, m.make, opts...)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return p
}

func acquire(t *testing.T, p *Pool[*thing]) *thing {
	t.Helper()
	x, err := p.Acquire()
	if err != nil {
		t.Fatalf("Acquire: %v (%s)", err, p)
	}
	return x
}

// eventually waits, without sleeping, until cond holds; it yields the processor between checks
// and gives up after a generous bound so that a bug fails the test instead of hanging it.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		runtime.Gosched()
	}
}

// noGoroutineLeak records the goroutine count and returns a check, to run after Close, that the
// count comes back down to it.
func noGoroutineLeak(t *testing.T) func() {
	t.Helper()
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		eventually(t, "no goroutine is left behind", func() bool { return runtime.NumGoroutine() <= before })
	}
}

// wantMetrics compares the fields of got named in want; fields left zero in want must be zero.
func wantMetrics(t *testing.T, p *Pool[*thing], want Metrics) {
	t.Helper()
	got := p.Metrics()
	if got != want {
		t.Errorf("Metrics:\n got %+v\nwant %+v", got, want)
	}
}

var errBoom = errors.New("boom")

// fakeClock is a Clock moved by hand. Each After call is announced on armed, so a test knows
// when the reaper has finished a pass and is waiting again.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	armed  chan time.Duration
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), armed: make(chan time.Duration, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
	} else {
		c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	}
	c.mu.Unlock()
	c.armed <- d
	return ch
}

// Advance moves the clock on by d and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if !tm.at.After(c.now) {
			tm.ch <- c.now
		} else {
			kept = append(kept, tm)
		}
	}
	c.timers = kept
}

// waitArmed waits until the reaper sets its next timer, and returns the duration it asked for.
func (c *fakeClock) waitArmed(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-c.armed:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("the reaper never set its timer")
		return 0
	}
}
