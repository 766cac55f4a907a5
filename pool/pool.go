// Package pool keeps a bounded set of pre-warmed instances of something expensive to build
// (object readers with open pack files, parsers, connections) that only one goroutine at a time
// may use. A Pool builds its warm instances up front, hands idle ones out most recent first,
// builds more on demand up to a hard cap, and optionally closes instances left idle too long.
//
// All methods of a Pool are safe for concurrent use. An instance belongs to the caller from
// Acquire until it is given back with Release or Discard, and to the pool otherwise.
// The pool never calls the factory, a reset function or an instance's Close with its lock held.
package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ErrExhausted is matched (errors.Is) by the error of an acquire refused because MaxInstances
// instances are live and none is idle. The error's message names the cap and the live count.
var ErrExhausted = errors.New("pool exhausted")

// ErrClosed is returned by Acquire and AcquireContext once the pool has been closed.
var ErrClosed = errors.New("pool closed")

// Config sets a pool's size and idle policy. Its zero value is usable: see each field.
type Config struct {
	// MaxInstances caps the instances live at once: idle, handed out, or being built.
	// Zero means runtime.GOMAXPROCS(0) at the time of New.
	MaxInstances int

	// WarmCount instances are built by New, before the first Acquire, and the idle reaper never
	// lets the live count drop below it. Zero means none. Values above MaxInstances are
	// lowered to MaxInstances.
	WarmCount int

	// IdleTimeout is how long an instance may sit idle before the reaper may close it, while more
	// than WarmCount are live. The reaper wakes every IdleTimeout, so an instance is closed after
	// between one and two IdleTimeouts idle. Zero means never: instances stay until Close, and no
	// reaper goroutine runs.
	IdleTimeout time.Duration
}

// Metrics is a snapshot of a pool's counters, taken under the pool's lock so that its fields
// agree with one another. Counters only grow; Live and Idle are the state at the snapshot.
type Metrics struct {
	Hits        uint64        // acquires served by an idle instance, or one handed over on release
	Misses      uint64        // acquires that built a new instance (cold builds, warm-up excluded)
	Exhausted   uint64        // acquires refused at the cap: Acquire, or AcquireContext whose ctx ended first
	Live        int           // instances idle, handed out or being built
	Idle        int           // instances idle in the pool
	Discarded   uint64        // instances given to Discard, or whose reset failed on Release
	Reaped      uint64        // idle instances closed by the reaper
	BuildErrors uint64        // factory calls that failed (warm-up excluded: New returns that error)
	Waits       uint64        // AcquireContext calls that had to wait for an instance
	Waited      time.Duration // total time those calls spent waiting
	CloseErrors uint64        // instances whose Close returned an error when the pool dropped them
}

// Option changes an optional behaviour of a pool; pass options to New.
type Option func(*options)

type options struct {
	reset any // func(T) error for the pool's T, checked by New
	clock Clock
}

// WithReset makes Release call reset on each instance before it goes back to the idle set or to a
// waiting acquirer. An instance whose reset returns an error is discarded (closed, its slot freed)
// instead of being handed to the next caller. reset runs on the releasing goroutine, without the
// pool's lock. T must be the pool's instance type, or New returns an error.
func WithReset[T any](reset func(T) error) Option {
	return func(o *options) { o.reset = reset }
}

// WithClock makes the pool read time from c instead of the system clock: the reaper's timer and
// time waited. Tests use it to drive the reaper exactly. A nil c means the system clock.
func WithClock(c Clock) Option {
	return func(o *options) { o.clock = c }
}

// Pool is a bounded pool of instances of T. Create one with New; its methods are safe for
// concurrent use. The pool cannot tell instances apart (T need not be comparable), so each
// acquired instance must be given back exactly once, with Release or Discard.
type Pool[T any] struct {
	factory func() (T, error)
	reset   func(T) error
	clock   Clock
	cfg     Config
	name    string // the instance type, for messages

	mu       sync.Mutex
	idle     []T          // a stack: the most recently released instance is last
	lowWater int          // the fewest idle instances since the reaper's last pass: idle[:lowWater] sat idle throughout
	out      int          // handed out (or granted to a waiter) and not yet given back
	building int          // slots reserved for factory calls under way
	waiters  []*waiter[T] // AcquireContext calls waiting, oldest first
	closed   bool
	m        Metrics // counters only; Live, Idle and CloseErrors are filled in by Metrics

	closeErrors atomic.Uint64 // counted without the lock: instances are closed outside it

	stop       chan struct{} // closed by Close to stop the reaper; nil when no reaper runs
	reaperDone chan struct{} // closed by the reaper when it has returned
}

// A waiter is one AcquireContext call blocked at the cap. Whoever removes it from p.waiters
// (under p.mu) sends it exactly one grant; ch has room for it, so the send never blocks.
type waiter[T any] struct {
	ch chan grant[T]
}

type grantKind uint8

const (
	grantInstance grantKind = iota // t is handed over, already counted in p.out
	grantSlot                      // a slot is reserved (counted in p.building): build one
	grantClosed                    // the pool was closed
)

type grant[T any] struct {
	kind grantKind
	t    T
}

// New returns a pool that builds instances with factory, after building
// min(cfg.WarmCount, cfg.MaxInstances) of them so that the first Acquire costs what a
// steady-state hit costs. If one of those builds fails, the instances already built are
// closed and the error is returned. A negative field in cfg or a nil factory is an error.
// When cfg.IdleTimeout > 0 and WarmCount < MaxInstances, New starts one reaper goroutine,
// which Close stops.
func New[T any](cfg Config, factory func() (T, error), opts ...Option) (*Pool[T], error) {
	name := reflect.TypeFor[T]().String()
	if factory == nil {
		return nil, fmt.Errorf("pool.New[%s]: nil factory", name)
	}
	switch {
	case cfg.MaxInstances < 0:
		return nil, fmt.Errorf("pool.New[%s]: MaxInstances %d is negative", name, cfg.MaxInstances)
	case cfg.WarmCount < 0:
		return nil, fmt.Errorf("pool.New[%s]: WarmCount %d is negative", name, cfg.WarmCount)
	case cfg.IdleTimeout < 0:
		return nil, fmt.Errorf("pool.New[%s]: IdleTimeout %s is negative", name, cfg.IdleTimeout)
	}
	if cfg.MaxInstances == 0 {
		cfg.MaxInstances = runtime.GOMAXPROCS(0)
	}
	cfg.WarmCount = min(cfg.WarmCount, cfg.MaxInstances)

	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	p := &Pool[T]{
		factory: factory,
		clock:   o.clock,
		cfg:     cfg,
		name:    name,
		// Capacity MaxInstances: the idle set never holds more than the live count, so
		// Release never grows it.
		idle: make([]T, 0, cfg.MaxInstances),
	}
	if p.clock == nil {
		p.clock = systemClock{}
	}
	if o.reset != nil {
		reset, ok := o.reset.(func(T) error)
		if !ok {
			return nil, fmt.Errorf("pool.New[%s]: WithReset was given a %T, want a func(%s) error", name, o.reset, name)
		}
		p.reset = reset
	}

	for i := range cfg.WarmCount {
		t, err := factory()
		if err != nil {
			err = fmt.Errorf("pool.New[%s]: warm instance %d of %d: %w", name, i+1, cfg.WarmCount, err)
			for _, x := range p.idle {
				if cerr := p.closeInstance(x); cerr != nil {
					err = errors.Join(err, cerr)
				}
			}
			return nil, err
		}
		p.idle = append(p.idle, t)
	}
	p.lowWater = len(p.idle)

	if cfg.IdleTimeout > 0 && cfg.WarmCount < cfg.MaxInstances {
		p.stop = make(chan struct{})
		p.reaperDone = make(chan struct{})
		go p.reap()
	}
	return p, nil
}

// Config returns the pool's configuration with the defaults New applied.
func (p *Pool[T]) Config() Config { return p.cfg }

// Acquire returns an idle instance (the most recently released) if there is one; otherwise it
// builds one with the factory if fewer than MaxInstances are live, without holding the pool's
// lock, so several builds may run at once. At the cap it returns at once an error matching
// ErrExhausted; a factory error is returned wrapped, and its slot is freed. After Close it
// returns ErrClosed. The instance belongs to the caller until Release or Discard.
func (p *Pool[T]) Acquire() (T, error) {
	t, done, err := p.acquireNow()
	if done {
		return t, err
	}
	p.m.Exhausted++
	live := p.liveLocked()
	p.mu.Unlock()
	return t, fmt.Errorf("%w: pool[%s] has %d instances live, MaxInstances is %d", ErrExhausted, p.name, live, p.cfg.MaxInstances)
}

// acquireNow does what Acquire and AcquireContext share: hand out an idle
// instance, build one in a free slot, or refuse after Close (done is true,
// the lock released). At the cap it returns done false with p.mu still
// held, for the caller to refuse or wait.
func (p *Pool[T]) acquireNow() (t T, done bool, err error) {
	p.mu.Lock()
	t, o := p.takeLocked()
	switch o {
	case tookIdle:
		p.mu.Unlock()
		return t, true, nil
	case mustBuild:
		p.mu.Unlock()
		t, err = p.build()
		return t, true, err
	case poolClosed:
		p.mu.Unlock()
		return t, true, ErrClosed
	}
	return t, false, nil
}

// AcquireContext is Acquire, except that at the cap it waits, in arrival order with other
// waiters, until an instance is released to it, a slot is freed (it then builds an instance),
// the pool is closed (ErrClosed), or ctx ends. In the last case it returns an error matching
// both ErrExhausted and ctx.Err(). It does not wait, and ignores ctx, when an instance or a slot
// is free. ctx must not be nil.
func (p *Pool[T]) AcquireContext(ctx context.Context) (T, error) {
	if ctx == nil {
		panic("pool: AcquireContext called with a nil Context; pass context.Background() to wait without limit")
	}
	t, done, err := p.acquireNow()
	if done {
		return t, err
	}
	if err := ctx.Err(); err != nil {
		p.m.Exhausted++
		live := p.liveLocked()
		p.mu.Unlock()
		return t, p.gaveUp(live, err)
	}
	// Waiting is the slow path: the waiter and its channel are allocated here, never on a hit.
	w := &waiter[T]{ch: make(chan grant[T], 1)}
	p.waiters = append(p.waiters, w)
	p.m.Waits++
	start := p.clock.Now() // under the lock, so a test's clock cannot move between Waits and start
	p.mu.Unlock()

	select {
	case g := <-w.ch:
		return p.accept(g, start)
	case <-ctx.Done():
	}

	p.mu.Lock()
	p.m.Waited += p.clock.Now().Sub(start)
	if p.removeWaiterLocked(w) {
		p.m.Exhausted++
		live := p.liveLocked()
		p.mu.Unlock()
		return t, p.gaveUp(live, ctx.Err())
	}
	// w left the queue under p.mu, so its grant is already in w.ch. The caller has given up:
	// pass what it was granted on, as if it had been given back unused.
	g := <-w.ch
	drop := false
	switch g.kind {
	case grantClosed:
		p.mu.Unlock()
		return t, ErrClosed
	case grantInstance:
		drop = p.putLocked(g.t)
	case grantSlot:
		p.building--
		p.freeSlotLocked()
	}
	p.m.Exhausted++
	live := p.liveLocked()
	p.mu.Unlock()
	if drop {
		p.closeInstance(g.t)
	}
	return t, p.gaveUp(live, ctx.Err())
}

// Release gives t back: it goes to the longest-waiting AcquireContext call if there is one, else
// on top of the idle set, so the next Acquire gets it (most recent first). With WithReset, reset
// runs first and an instance it fails on is discarded. If the pool is closed, or nothing is
// handed out (t did not come from this pool, or was given back twice), t is dropped instead:
// closed if it implements io.Closer.
func (p *Pool[T]) Release(t T) {
	if p.reset != nil {
		if err := p.reset(t); err != nil {
			p.Discard(t)
			return
		}
	}
	p.mu.Lock()
	drop := p.putLocked(t)
	p.mu.Unlock()
	if drop {
		p.closeInstance(t)
	}
}

// Discard gives back an instance that failed or is in a bad state: it is closed if it implements
// io.Closer (before its slot is freed, so the cap also bounds what is open) and never handed
// out again. Its slot goes to the longest-waiting AcquireContext call, if any.
func (p *Pool[T]) Discard(t T) {
	p.closeInstance(t)
	p.mu.Lock()
	p.m.Discarded++
	if p.out > 0 {
		p.out--
		p.freeSlotLocked()
	}
	p.mu.Unlock()
}

// Metrics returns a snapshot of the pool's counters and state.
func (p *Pool[T]) Metrics() Metrics {
	p.mu.Lock()
	m := p.m
	m.Live = p.liveLocked()
	m.Idle = len(p.idle)
	p.mu.Unlock()
	m.CloseErrors = p.closeErrors.Load()
	return m
}

// String describes the pool for diagnostics: instance type, configuration and current state.
func (p *Pool[T]) String() string {
	p.mu.Lock()
	live, idle, waiting, closed := p.liveLocked(), len(p.idle), len(p.waiters), p.closed
	p.mu.Unlock()
	state := "open"
	if closed {
		state = "closed"
	}
	return fmt.Sprintf("pool[%s]{%s, live %d of max %d, idle %d, waiting %d, warm %d, idle timeout %s}",
		p.name, state, live, p.cfg.MaxInstances, idle, waiting, p.cfg.WarmCount, p.cfg.IdleTimeout)
}

// Close closes the pool: it stops the reaper, wakes waiting AcquireContext calls with ErrClosed,
// and closes the idle instances, returning their Close errors joined. Instances handed out are
// closed when they are released or discarded. Later acquires return ErrClosed; a second Close
// returns nil. When Close returns, no goroutine of the pool is left running.
func (p *Pool[T]) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	idle := p.idle
	p.idle = nil
	for _, w := range p.waiters {
		w.ch <- grant[T]{kind: grantClosed}
	}
	p.waiters = nil
	p.mu.Unlock()

	if p.stop != nil {
		close(p.stop)
		<-p.reaperDone
	}
	var errs []error
	for i, x := range idle {
		if err := p.closeInstance(x); err != nil {
			errs = append(errs, fmt.Errorf("pool[%s]: close idle instance %d of %d: %w", p.name, i+1, len(idle), err))
		}
	}
	return errors.Join(errs...)
}

type takeOutcome uint8

const (
	tookIdle takeOutcome = iota
	mustBuild
	atCap
	poolClosed
)

// takeLocked is the common start of both acquires: pop an idle instance, or reserve a slot for
// a build, or report the cap or closing.
func (p *Pool[T]) takeLocked() (T, takeOutcome) {
	var zero T
	if p.closed {
		return zero, poolClosed
	}
	if n := len(p.idle); n > 0 {
		t := p.idle[n-1]
		p.idle[n-1] = zero // let the collector have what the pool no longer holds
		p.idle = p.idle[:n-1]
		p.lowWater = min(p.lowWater, n-1)
		p.out++
		p.m.Hits++
		return t, tookIdle
	}
	if p.liveLocked() < p.cfg.MaxInstances {
		p.building++
		p.m.Misses++
		return zero, mustBuild
	}
	return zero, atCap
}

func (p *Pool[T]) liveLocked() int { return len(p.idle) + p.out + p.building }

// build runs the factory for a slot already reserved in p.building.
func (p *Pool[T]) build() (T, error) {
	var zero T
	done := false
	defer func() {
		if !done { // the factory panicked: free its slot before the panic goes on
			p.mu.Lock()
			p.building--
			p.freeSlotLocked()
			p.mu.Unlock()
		}
	}()
	t, err := p.factory()
	done = true

	p.mu.Lock()
	p.building--
	if err != nil {
		p.m.BuildErrors++
		p.freeSlotLocked()
		p.mu.Unlock()
		return zero, fmt.Errorf("pool[%s]: build instance: %w", p.name, err)
	}
	if p.closed {
		p.mu.Unlock()
		p.closeInstance(t)
		return zero, ErrClosed
	}
	p.out++
	p.mu.Unlock()
	return t, nil
}

// accept finishes an AcquireContext call that was sent a grant while waiting.
func (p *Pool[T]) accept(g grant[T], start time.Time) (T, error) {
	p.mu.Lock()
	p.m.Waited += p.clock.Now().Sub(start)
	switch g.kind {
	case grantInstance:
		p.m.Hits++
		p.mu.Unlock()
		return g.t, nil
	case grantSlot:
		p.m.Misses++
		p.mu.Unlock()
		return p.build()
	}
	p.mu.Unlock()
	return g.t, ErrClosed
}

// putLocked takes back a handed-out instance, and reports whether the caller must drop it
// (close it, outside the lock) instead.
func (p *Pool[T]) putLocked(t T) (drop bool) {
	if p.out == 0 {
		return true // over the cap: nothing handed out can account for t
	}
	if p.closed {
		p.out--
		return true
	}
	if len(p.waiters) > 0 {
		// Hand t straight to the oldest waiter; it stays counted in p.out.
		w := p.waiters[0]
		p.waiters[0] = nil
		p.waiters = p.waiters[1:]
		w.ch <- grant[T]{kind: grantInstance, t: t}
		return false
	}
	p.out--
	p.idle = append(p.idle, t)
	return false
}

// freeSlotLocked is called when the live count has just dropped: the free slot goes to the
// oldest waiter, which will build an instance in it.
func (p *Pool[T]) freeSlotLocked() {
	if p.closed || len(p.waiters) == 0 || p.liveLocked() >= p.cfg.MaxInstances {
		return
	}
	w := p.waiters[0]
	p.waiters[0] = nil
	p.waiters = p.waiters[1:]
	p.building++
	w.ch <- grant[T]{kind: grantSlot}
}

func (p *Pool[T]) removeWaiterLocked(w *waiter[T]) bool {
	for i, x := range p.waiters {
		if x == w {
			copy(p.waiters[i:], p.waiters[i+1:])
			p.waiters[len(p.waiters)-1] = nil
			p.waiters = p.waiters[:len(p.waiters)-1]
			return true
		}
	}
	return false
}

func (p *Pool[T]) gaveUp(live int, ctxErr error) error {
	return fmt.Errorf("%w: pool[%s] has %d instances live, MaxInstances is %d; stopped waiting: %w",
		ErrExhausted, p.name, live, p.cfg.MaxInstances, ctxErr)
}

// closeInstance closes t if it is an io.Closer, counting a failure. Never call it with p.mu held:
// Close may be slow or call back into the pool.
func (p *Pool[T]) closeInstance(t T) error {
	c, ok := any(t).(io.Closer)
	if !ok {
		return nil
	}
	err := c.Close()
	if err != nil {
		p.closeErrors.Add(1)
	}
	return err
}
