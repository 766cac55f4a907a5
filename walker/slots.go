package walker

import "context"

// Slots is a budget of workers shared by several walks: a walk given
// Options.Slots computes a commit only while it holds one of the slots, so
// walks of several repositories running at once compute at most n commits
// between them, however many goroutines each runs. The budget bounds the
// work (and the arenas in use), not which walk gets it: a worker takes the
// first slot that is free. Safe for concurrent use; the zero value is not
// usable, make one with NewSlots.
type Slots struct {
	c chan struct{}
}

// NewSlots returns a budget of n slots (n <= 0: GOMAXPROCS).
func NewSlots(n int) *Slots {
	if n <= 0 {
		n = (&Options{}).workers()
	}
	return &Slots{c: make(chan struct{}, n)}
}

// Cap returns the number of slots.
func (s *Slots) Cap() int { return cap(s.c) }

// acquire takes a slot, or returns ctx's error when it is cancelled first.
func (s *Slots) acquire(ctx context.Context) error {
	select {
	case s.c <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives a slot back.
func (s *Slots) release() { <-s.c }
