package arena

import (
	"errors"
	"fmt"
)

// ErrExhausted is returned by allocations that do not fit in what is left of
// an arena. The arena is left unchanged: it never grows. Callers either fall
// back to the Go heap (and count it) or fail the unit of work; check with
// errors.Is, as the error may come back wrapped by higher layers.
var ErrExhausted = errors.New("arena: exhausted")

// ErrInvalidSize is returned by allocations asked for a negative size or
// element count, which usually means a size read from corrupt input.
var ErrInvalidSize = errors.New("arena: negative allocation size")

// Arena is a bump allocator over one Backing: each allocation takes the next
// bytes of the range, Reset frees them all at once without zeroing them, and
// Mark/RewindTo free everything allocated after a point. The slices it
// returns are valid until the arena is Reset, rewound past them, or given
// back to a Pool; they must hold no Go pointers (see the package doc).
//
// An Arena is not safe for concurrent use. The zero Arena has capacity 0.
type Arena struct {
	buf  []byte  // the backing's bytes, cached so that Alloc makes no interface call
	base uintptr // address of buf[0], to align absolute addresses
	off  int     // the cursor: bytes [0, off) are allocated
	last int     // start of the most recent allocation, which ends at off; -1 if none

	peak     int    // highest off since Reset, except the current one (see Peak)
	lifetime int    // highest peak of earlier cycles
	gen      uint32 // incremented by Reset so that stale marks are caught

	backing Backing
	pool    *Pool // the pool that owns the arena, if any
	idle    bool  // given back to pool and not checked out again
	dirty   int   // bytes from the start that may have resident pages (pool trimming)
}

// New returns an empty arena allocating from b. The arena uses b.Bytes()
// from now on; b must not be used otherwise while the arena is, and it is the
// caller's to release unless the arena is given to a Pool.
func New(b Backing) *Arena {
	if b == nil {
		panic("arena: New(nil): pass a Backing such as NewHeap(size) or one from NewMmap(size)")
	}
	buf := b.Bytes()
	return &Arena{buf: buf, base: addr(buf), last: -1, backing: b}
}

// Backing returns the backing the arena allocates from.
func (a *Arena) Backing() Backing { return a.backing }

// Alloc returns size bytes whose address is a multiple of align (a power of
// two). Padding to reach the alignment counts toward exhaustion. The bytes
// are not zeroed: they hold whatever the arena's earlier cycles left there
// (zeros only for fresh memory). The result's capacity equals its length, so
// appending to it copies to the Go heap rather than overwriting the next
// allocation.
//
// If the request does not fit, Alloc returns ErrExhausted and leaves the
// arena unchanged. A negative size returns ErrInvalidSize. An align that is
// not a positive power of two is a programmer error and panics.
func (a *Arena) Alloc(size, align int) ([]byte, error) {
	if align <= 0 || align&(align-1) != 0 {
		panicAlign(align)
	}
	if debug {
		a.checkUsable("Alloc")
	}
	start := a.off + int(-(a.base+uintptr(a.off))&uintptr(align-1))
	if size > len(a.buf)-start || size < 0 {
		return nil, a.allocError(size)
	}
	end := start + size
	a.off, a.last = end, start
	return a.buf[start:end:end], nil
}

func (a *Arena) allocError(size int) error {
	if size < 0 {
		return ErrInvalidSize
	}
	return ErrExhausted
}

func panicAlign(align int) {
	panic(fmt.Sprintf("arena: alignment %d is not a positive power of two: pass 1, 2, 4, 8 ...", align))
}

// Mark is a position in an arena, taken by Arena.Mark for Arena.RewindTo.
type Mark struct {
	off, last int
	gen       uint32
}

// Mark returns the arena's current position.
func (a *Arena) Mark() Mark { return Mark{off: a.off, last: a.last, gen: a.gen} }

// RewindTo frees everything allocated since m was taken, so that the memory
// is handed out again; slices allocated since then must no longer be used,
// and an allocation grown in place since then (see Grow) is back to the
// length it had at the mark.
// Marks are undone in reverse order: rewinding to a mark taken before the
// last Reset, or to one past the current position (because the arena was
// already rewound before it), is a programmer error and panics.
func (a *Arena) RewindTo(m Mark) {
	if m.gen != a.gen || m.off > a.off {
		panic("arena: RewindTo a mark taken before the last Reset or already rewound past; " +
			"take marks after Reset and rewind to them in reverse order")
	}
	if a.off > a.peak {
		a.peak = a.off
	}
	if debug {
		a.checkUsable("RewindTo")
		poison(a.buf[m.off:a.off])
	}
	a.off, a.last = m.off, m.last
}

// Reset frees every allocation in O(1), without zeroing: slices from the
// arena must no longer be used. The lifetime peak keeps this cycle's peak.
func (a *Arena) Reset() {
	peak := a.Peak()
	if debug {
		a.checkUsable("Reset")
		poison(a.buf[:peak])
	}
	if peak > a.lifetime {
		a.lifetime = peak
	}
	if peak > a.dirty {
		a.dirty = peak
	}
	a.off, a.last, a.peak = 0, -1, 0
	a.gen++
}

// Len returns the number of bytes allocated, padding included.
func (a *Arena) Len() int { return a.off }

// Cap returns the size of the arena's range.
func (a *Arena) Cap() int { return len(a.buf) }

// Remaining returns Cap() - Len(): the largest allocation with alignment 1
// that still fits.
func (a *Arena) Remaining() int { return len(a.buf) - a.off }

// Peak returns the highest Len() since the last Reset (or since New),
// including what was rewound since.
func (a *Arena) Peak() int {
	if a.off > a.peak {
		return a.off
	}
	return a.peak
}

// LifetimePeak returns the highest Peak() over the arena's whole life, the
// number to size arenas by.
func (a *Arena) LifetimePeak() int {
	if p := a.Peak(); p > a.lifetime {
		return p
	}
	return a.lifetime
}
