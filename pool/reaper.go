package pool

import "time"

// Clock is where a pool reads time: After for the reaper's timer, Now for time waited. The
// default is the system clock; tests pass a fake one (WithClock) to move time by hand.
// A Clock must be safe for concurrent use.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once, when d has passed.
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// reap is the reaper goroutine: every IdleTimeout it closes the idle instances that sat idle
// through the whole interval since its last pass, oldest first, while more than WarmCount are
// live. An instance is thus closed after between one and two IdleTimeouts idle.
//
// It needs no release times: the idle set is a stack, so the instances idle throughout are
// exactly those below the lowest depth it reached (p.lowWater), and keeping that mark costs
// Acquire one comparison where a timestamp would cost Release a clock read (~50-100 ns on a VM).
func (p *Pool[T]) reap() {
	defer close(p.reaperDone)
	for {
		select {
		case <-p.stop:
			return
		case <-p.clock.After(p.cfg.IdleTimeout):
		}
		for _, x := range p.takeExpired() {
			p.closeInstance(x)
		}
	}
}

// takeExpired removes from the idle set the instances due for closing, and starts a new interval.
func (p *Pool[T]) takeExpired() []T {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil // Close is about to stop the reaper
	}
	n := min(p.lowWater, len(p.idle), max(0, p.liveLocked()-p.cfg.WarmCount))
	var expired []T
	if n > 0 {
		expired = make([]T, n)
		copy(expired, p.idle[:n])
		rest := copy(p.idle, p.idle[n:])
		clear(p.idle[rest:])
		p.idle = p.idle[:rest]
		p.m.Reaped += uint64(n)
	}
	p.lowWater = len(p.idle)
	return expired
}
