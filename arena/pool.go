package arena

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gitwalk/gitwalk/internal/mmap"
)

// ErrClosed is returned by Checkout and Prewarm on a closed Pool.
var ErrClosed = errors.New("arena: pool closed")

// Pool recycles arenas: Checkout hands one out, GiveBack resets it in O(1)
// and keeps it for the next Checkout, up to a cap of idle arenas. With
// checkouts and give-backs balanced under the cap, the pool makes no system
// calls and no heap allocations: the same memory, already faulted in, serves
// unit after unit.
//
// A Pool is safe for concurrent use; the arenas it hands out are not, and
// belong to whoever checked them out until they are given back. The idle
// arenas are kept in LIFO order, so a checkout gets the most recently used
// memory, the likeliest to be resident and in cache.
type Pool struct {
	mu      sync.Mutex
	idle    []*Arena // LIFO: the warmest arena is last
	cap     int
	closed  bool
	factory func() (Backing, error)
	retain  int // trim give-backs above this many bytes; -1: never
	stats   Metrics

	stopReaper chan struct{} // closed by Close; nil without a reaper
	reaperDone chan struct{}
}

// Metrics is a snapshot of a Pool's counters since NewPool.
type Metrics struct {
	Checkouts uint64 // successful Checkout calls
	Reuses    uint64 // checkouts served by an idle arena
	Mints     uint64 // backings made by the factory (Checkout and Prewarm)
	GiveBacks uint64 // GiveBack calls
	Drops     uint64 // backings released: give-backs above the cap, Clear, Close
	Releases  uint64 // idle arenas whose pages were released (ReleaseIdle, reaper)
	Trims     uint64 // give-backs that released pages above the retain size
	Failures  uint64 // backing release, page release or trim calls that failed
	PeakBytes int    // highest Peak() of an arena at give-back: the size units need
	Idle      int    // arenas retained now
	InUse     int    // arenas checked out now
}

// PoolOption configures a Pool; see WithRetain and WithReaper.
type PoolOption func(*poolConfig)

type poolConfig struct {
	retain    int
	reapAfter time.Duration
	tick      <-chan time.Time // tests drive the reaper with their own ticks
	reaped    chan<- struct{}  // tests learn that a reaper pass ended
}

// WithRetain makes GiveBack release the pages an arena touched beyond its
// first bytes bytes (rounded up to a page), so that one giant unit of work
// does not keep its memory resident for the rest of the run. Backings that
// cannot release pages are left alone. Without it, give-backs keep all pages.
func WithRetain(bytes int) PoolOption {
	if bytes < 0 {
		panic(fmt.Sprintf("arena: WithRetain(%d): retain size must not be negative", bytes))
	}
	return func(c *poolConfig) { c.retain = bytes }
}

// WithReaper starts a goroutine that releases the pages of idle arenas (as
// ReleaseIdle does) once the pool has seen no Checkout or GiveBack for a
// whole period of quiet, checking every quiet interval. Close stops it.
func WithReaper(quiet time.Duration) PoolOption {
	if quiet <= 0 {
		panic(fmt.Sprintf("arena: WithReaper(%v): the quiet period must be positive", quiet))
	}
	return func(c *poolConfig) { c.reapAfter = quiet }
}

// NewPool returns an empty pool that retains up to cap idle arenas and makes
// new backings with factory, for example
//
//	arena.NewPool(runtime.NumCPU(), func() (arena.Backing, error) { return arena.NewMmap(64 << 20) })
//
// A cap of 0 retains nothing: every give-back releases its backing. A
// negative cap or a nil factory is a programmer error and panics.
func NewPool(cap int, factory func() (Backing, error), opts ...PoolOption) *Pool {
	if cap < 0 {
		panic(fmt.Sprintf("arena: NewPool(%d, ...): cap must not be negative", cap))
	}
	if factory == nil {
		panic("arena: NewPool with a nil factory: pass a func returning a new Backing, such as NewMmap(size)")
	}
	cfg := poolConfig{retain: -1}
	for _, o := range opts {
		o(&cfg)
	}
	p := &Pool{
		idle:    make([]*Arena, 0, min(cap, 64)),
		cap:     cap,
		factory: factory,
		retain:  cfg.retain,
	}
	if cfg.reapAfter > 0 || cfg.tick != nil {
		tick := cfg.tick
		var ticker *time.Ticker
		if tick == nil {
			ticker = time.NewTicker(cfg.reapAfter)
			tick = ticker.C
		}
		p.stopReaper = make(chan struct{})
		p.reaperDone = make(chan struct{})
		go p.reap(tick, ticker, cfg.reaped)
	}
	return p
}

// Cap returns the most idle arenas the pool retains.
func (p *Pool) Cap() int { return p.cap }

// IdleCount returns the number of arenas retained and ready for Checkout.
func (p *Pool) IdleCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// Metrics returns a snapshot of the pool's counters.
func (p *Pool) Metrics() Metrics {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.stats
	m.Idle = len(p.idle)
	m.InUse = int(m.Checkouts - m.GiveBacks)
	return m
}

// Checkout returns an empty arena: the most recently given back idle one,
// or else a new one around a backing from the factory. A factory error is
// returned wrapped and leaves the pool unchanged. The arena is the caller's
// until GiveBack; after Close, Checkout returns ErrClosed.
func (p *Pool) Checkout() (*Arena, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 && !p.closed {
		a := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.stats.Checkouts++
		p.stats.Reuses++
		p.mu.Unlock()
		a.idle = false
		if debug {
			protectArena(a, true)
		}
		return a, nil
	}
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	a, err := p.mint()
	if err != nil {
		return nil, fmt.Errorf("arena: pool checkout: %w", err)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.drop(a)
		return nil, ErrClosed
	}
	p.stats.Checkouts++
	p.stats.Mints++
	p.mu.Unlock()
	return a, nil
}

// mint makes an arena around a new backing from the factory.
func (p *Pool) mint() (*Arena, error) {
	b, err := p.factory()
	if err != nil {
		return nil, fmt.Errorf("new backing: %w", err)
	}
	if b == nil {
		return nil, errors.New("new backing: factory returned nil and no error")
	}
	a := New(b)
	a.pool = p
	return a, nil
}

// GiveBack resets a (O(1), its memory is not zeroed) and retains it for a
// later Checkout if fewer than Cap arenas are idle and the pool is open;
// otherwise it releases a's backing. Nothing from a may be used afterwards.
// With WithRetain, pages touched above the retain size are released first.
//
// a must have come from this pool's Checkout (or from New, which the pool
// then adopts) and be given back once: anything else is a programmer error
// and panics.
func (p *Pool) GiveBack(a *Arena) {
	if a == nil {
		panic("arena: GiveBack(nil): give back the arena Checkout returned")
	}
	if a.pool != p {
		if a.pool != nil {
			panic("arena: GiveBack of an arena from another pool: give it back to the pool it came from")
		}
		a.pool = p
	}
	if a.idle {
		panic("arena: GiveBack of an arena already given back: give each checkout back once")
	}
	peak := a.Peak()
	a.Reset()
	trimmed, failed := 0, 0
	if p.retain >= 0 && a.dirty > p.retain {
		if r, ok := a.backing.(PageReleaser); ok {
			from := mmap.RoundUp(p.retain)
			to := min(mmap.RoundUp(a.dirty), len(a.buf))
			if from < to {
				if r.ReleasePages(from, to-from) == nil {
					a.dirty = from
					trimmed = 1
				} else {
					failed = 1
				}
			}
		}
	}
	if debug {
		protectArena(a, false)
	}
	a.idle = true

	p.mu.Lock()
	p.stats.GiveBacks++
	p.stats.Trims += uint64(trimmed)
	p.stats.Failures += uint64(failed)
	if peak > p.stats.PeakBytes {
		p.stats.PeakBytes = peak
	}
	if !p.closed && len(p.idle) < p.cap {
		p.idle = append(p.idle, a)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	p.drop(a)
}

// drop releases the backing of an arena the pool will not keep.
func (p *Pool) drop(a *Arena) {
	err := a.release()
	p.mu.Lock()
	p.stats.Drops++
	if err != nil {
		p.stats.Failures++
	}
	p.mu.Unlock()
}

// Prewarm makes up to n new idle arenas, fewer if the pool would exceed its
// cap, so that the first checkouts pay no backing construction. It returns
// how many it added; on a factory error it stops and returns the error
// wrapped, keeping those already added.
func (p *Pool) Prewarm(n int) (int, error) {
	p.mu.Lock()
	room := min(n, p.cap-len(p.idle))
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return 0, ErrClosed
	}
	added := 0
	for range room {
		a, err := p.mint()
		if err != nil {
			return added, fmt.Errorf("arena: pool prewarm: %w", err)
		}
		if debug {
			protectArena(a, false)
		}
		a.idle = true
		p.mu.Lock()
		p.stats.Mints++
		if p.closed || len(p.idle) >= p.cap {
			p.mu.Unlock()
			p.drop(a)
			break
		}
		p.idle = append(p.idle, a)
		p.mu.Unlock()
		added++
	}
	return added, nil
}

// ReleaseIdle drops the physical pages of every idle arena (madvise
// MADV_DONTNEED) but keeps their ranges for reuse: the next Checkout faults
// back only the pages it touches. It holds the pool's lock while it works.
//
// Backings without the ability (that do not implement PageReleaser, such as
// Heap, or Mmap where the system has no mmap) keep their memory, and
// ReleaseIdle then returns an error matching errors.ErrUnsupported that says
// how many; the others are released all the same.
func (p *Pool) ReleaseIdle() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	unsupported := 0
	for _, a := range p.idle {
		if a.dirty == 0 {
			continue // nothing touched since the last release
		}
		r, ok := a.backing.(PageReleaser)
		if !ok {
			unsupported++
			continue
		}
		if err := r.ReleasePages(0, min(mmap.RoundUp(a.dirty), len(a.buf))); err != nil {
			if errors.Is(err, errors.ErrUnsupported) {
				unsupported++
			} else {
				p.stats.Failures++
				errs = append(errs, err)
			}
			continue
		}
		a.dirty = 0
		p.stats.Releases++
	}
	if unsupported > 0 {
		errs = append(errs, fmt.Errorf("arena: release idle: %d idle arenas have backings that cannot release pages: %w",
			unsupported, errors.ErrUnsupported))
	}
	return errors.Join(errs...)
}

// Clear releases the backings of all idle arenas; the pool stays usable and
// mints new ones as needed. It returns the release errors, joined.
func (p *Pool) Clear() error {
	p.mu.Lock()
	idle := p.takeIdle()
	p.mu.Unlock()
	return p.dropAll(idle)
}

// Close releases the backings of all idle arenas and stops the reaper, if
// any, before returning. Arenas checked out are released when given back;
// Checkout and Prewarm return ErrClosed. Calling Close again does nothing.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	idle := p.takeIdle()
	p.mu.Unlock()
	if p.stopReaper != nil {
		close(p.stopReaper)
		<-p.reaperDone
	}
	return p.dropAll(idle)
}

// takeIdle empties the idle list, returning its arenas; p.mu is held.
func (p *Pool) takeIdle() []*Arena {
	idle := append([]*Arena(nil), p.idle...)
	clear(p.idle)
	p.idle = p.idle[:0]
	return idle
}

func (p *Pool) dropAll(idle []*Arena) error {
	var errs []error
	for _, a := range idle {
		if err := a.release(); err != nil {
			errs = append(errs, err)
		}
	}
	p.mu.Lock()
	p.stats.Drops += uint64(len(idle))
	p.stats.Failures += uint64(len(errs))
	p.mu.Unlock()
	return errors.Join(errs...)
}

// reap is the reaper goroutine: on each tick, if no checkout or give-back
// happened since the previous tick, it releases the idle arenas' pages.
// It reads the activity counters rather than the clock, so the hot paths
// pay nothing for it.
func (p *Pool) reap(tick <-chan time.Time, ticker *time.Ticker, reaped chan<- struct{}) {
	defer close(p.reaperDone)
	if ticker != nil {
		defer ticker.Stop()
	}
	last := ^uint64(0)
	for {
		select {
		case <-p.stopReaper:
			return
		case <-tick:
		}
		p.mu.Lock()
		activity := p.stats.Checkouts + p.stats.GiveBacks
		p.mu.Unlock()
		if activity == last {
			_ = p.ReleaseIdle() // best effort: unsupported backings keep their pages
		}
		last = activity
		if reaped != nil {
			select {
			case reaped <- struct{}{}:
			case <-p.stopReaper:
				return
			}
		}
	}
}

// release frees a's backing and forgets its range, so that an arena used
// after it was dropped has no room rather than memory that is gone.
func (a *Arena) release() error {
	a.buf, a.base, a.off, a.last = nil, 0, 0, -1
	return a.backing.Release()
}

// protectArena opens or closes an idle arena's memory in debug builds.
func protectArena(a *Arena, access bool) {
	if pr, ok := a.backing.(Protector); ok {
		if err := pr.Protect(access); err != nil {
			panic(fmt.Sprintf("arena: arenadebug could not protect an arena: %v", err))
		}
	}
}
