package arena

import (
	"errors"
	"fmt"

	"github.com/gitwalk/gitwalk/internal/mmap"
)

// Backing is one fixed range of memory for an Arena: Bytes returns the same
// range, which never moves, until Release frees it. Implement it to bring
// your own memory; it must hold no Go pointers (the arena puts none there).
type Backing interface {
	// Bytes returns the range. The arena calls it once, in New.
	Bytes() []byte
	// Release frees the range; it is called at most once, when the Pool
	// drops the arena, and nothing uses the range afterwards.
	Release() error
}

// PageReleaser is implemented by backings that can drop the physical pages
// of part of their range while keeping it usable (the Pool's ReleaseIdle,
// trimming and reaper). Released bytes read back as zeros or as their old
// contents; the arena assumes neither.
type PageReleaser interface {
	// ReleasePages drops the whole pages inside bytes [off, off+n).
	ReleasePages(off, n int) error
}

// Protector is implemented by backings that can forbid all access to their
// range. The arenadebug build uses it to make idle pooled arenas fault.
type Protector interface {
	// Protect allows reads and writes of the range (true) or forbids them.
	Protect(access bool) error
}

// Mmap is a Backing of anonymous private memory mapped with mmap, outside the
// Go heap, that can release its pages and protect itself. Where the system
// has no mmap (see mmap.Native), it is Go heap memory and ReleasePages
// reports errors.ErrUnsupported.
//
// An Mmap is not safe for concurrent use; an Arena or Pool owns it.
type Mmap struct {
	b []byte
}

// The memory calls of Mmap, as values so that tests can count them.
var (
	mapMemory     = mmap.Map
	unmapMemory   = mmap.Unmap
	releaseMemory = mmap.Release
	protectMemory = mmap.Protect
)

// NewMmap maps size bytes, rounded up to whole pages, reading as zeros. Pages
// are faulted in as they are first touched.
func NewMmap(size int) (*Mmap, error) {
	b, err := mapMemory(size, false)
	if err != nil {
		return nil, fmt.Errorf("arena: new mmap backing: %w", err)
	}
	return &Mmap{b: b}, nil
}

// Bytes returns the mapping, or nil once released.
func (m *Mmap) Bytes() []byte { return m.b }

// Release unmaps the memory. Calling it again does nothing.
func (m *Mmap) Release() error {
	if m.b == nil {
		return nil
	}
	b := m.b
	m.b = nil
	if err := unmapMemory(b); err != nil {
		return fmt.Errorf("arena: release mmap backing: %w", err)
	}
	return nil
}

// ReleasePages drops the physical pages wholly inside bytes [off, off+n)
// (madvise MADV_DONTNEED), keeping the mapping: they fault back in, as
// zeros on Linux, when next touched. A range outside the backing is a
// programmer error and panics.
func (m *Mmap) ReleasePages(off, n int) error {
	if !mmap.Native() {
		return fmt.Errorf("arena: release pages of mmap backing: %w", errors.ErrUnsupported)
	}
	if off < 0 || n < 0 || off > len(m.b) || n > len(m.b)-off {
		panic(fmt.Sprintf("arena: ReleasePages(%d, %d) outside a %d-byte backing", off, n, len(m.b)))
	}
	start := mmap.RoundUp(off)
	end := off + n
	if end < len(m.b) {
		end &^= mmap.PageSize() - 1
	}
	if end <= start {
		return nil
	}
	if err := releaseMemory(m.b[start:end]); err != nil {
		return fmt.Errorf("arena: release pages of mmap backing: %w", err)
	}
	return nil
}

// Protect allows reads and writes of the whole mapping (true) or makes every
// access fault (false). Where the system has no mmap it does nothing.
func (m *Mmap) Protect(access bool) error {
	a := mmap.NoAccess
	if access {
		a = mmap.ReadWrite
	}
	if err := protectMemory(m.b, a); err != nil {
		return fmt.Errorf("arena: protect mmap backing: %w", err)
	}
	return nil
}

// Heap is a Backing made of one Go byte slice: portable, with no page
// release or protection. The garbage collector frees it after Release once
// nothing refers to it.
type Heap struct {
	b []byte
}

// NewHeap returns a heap backing of exactly size bytes, zeroed. A negative
// size is a programmer error and panics.
func NewHeap(size int) *Heap {
	if size < 0 {
		panic(fmt.Sprintf("arena: NewHeap(%d): size must not be negative", size))
	}
	return &Heap{b: make([]byte, size)}
}

// Bytes returns the slice, or nil once released.
func (h *Heap) Bytes() []byte { return h.b }

// Release lets go of the slice; it always returns nil.
func (h *Heap) Release() error {
	h.b = nil
	return nil
}
