// Package mmap maps anonymous private memory outside the Go heap, and
// releases, protects and unmaps it; it also asks for huge pages behind
// the Go heap (AdviseHeapHuge). It is the arena package's view of the
// operating system: on Linux and the BSDs (including macOS) it uses mmap,
// madvise and mprotect through golang.org/x/sys/unix; elsewhere it falls back
// to Go heap memory so that callers build and work everywhere, with the
// limits documented on each function.
//
// Every system call goes through a package-level function value so that
// tests can count and fail them; nothing else in the package is mutable.
package mmap

import (
	"errors"
	"fmt"
	"os"
)

// ErrSize is returned (wrapped) by Map for a size that is zero or negative.
var ErrSize = errors.New("mmap: size must be positive")

// Access says what a mapping may be used for; see Protect.
type Access int

const (
	// NoAccess makes every read or write of the range fault.
	NoAccess Access = iota
	// ReadOnly allows reads and makes writes fault.
	ReadOnly
	// ReadWrite allows reads and writes, as Map returns it.
	ReadWrite
)

// String names the access level.
func (a Access) String() string {
	switch a {
	case NoAccess:
		return "none"
	case ReadOnly:
		return "read"
	case ReadWrite:
		return "read-write"
	}
	return fmt.Sprintf("Access(%d)", int(a))
}

// PageSize returns the operating system's page size in bytes (a power of
// two). Map rounds sizes up to it; Release and Protect work in whole pages.
func PageSize() int { return pageSize }

// RoundUp returns n rounded up to a whole number of pages.
func RoundUp(n int) int { return (n + pageSize - 1) &^ (pageSize - 1) }

// Native reports whether this build maps memory with the operating system
// (true) or falls back to the Go heap (false), in which case Release and
// Protect are no-ops.
func Native() bool { return native }

// Map returns a new anonymous, private, read-write mapping of size bytes
// rounded up to whole pages, reading as zeros. With populate set the pages
// are faulted in at once (MAP_POPULATE on Linux, a touch of each page
// elsewhere), so first use pays no page faults. The mapping does not move
// and is not scanned by the garbage collector: it must hold no Go pointers.
// Free it with Unmap, passing the slice Map returned.
func Map(size int, populate bool) ([]byte, error) {
	if size <= 0 {
		return nil, fmt.Errorf("map %d bytes: %w", size, ErrSize)
	}
	if size > maxSize {
		return nil, fmt.Errorf("map %d bytes: %w", size, ErrSize)
	}
	b, err := mapAnon(RoundUp(size), populate)
	if err != nil {
		return nil, fmt.Errorf("mmap: map %d bytes: %w", size, err)
	}
	return b, nil
}

// MapHuge is Map (not populated) for a buffer filled at once and read for
// a while, where the system backs it with huge pages if it will (Linux's
// transparent huge pages on request). A first touch of a page is costly
// where a fault traps to a hypervisor: on a 2-vCPU VM, touching 64 MiB of
// fresh pages took 180 ms, of huge pages 3.5 ms. Free it with Unmap.
func MapHuge(size int) ([]byte, error) {
	b, err := Map(size, false)
	if err != nil {
		return nil, err
	}
	if native {
		_ = adviseHuge(b) // advice only: without it the pages are small
	}
	return b, nil
}

// Unmap frees a mapping made by Map. b must be exactly the slice Map
// returned; no slice of it may be used afterwards.
func Unmap(b []byte) error {
	if err := unmap(b); err != nil {
		return fmt.Errorf("mmap: unmap %d bytes: %w", len(b), err)
	}
	return nil
}

// Release drops the physical pages under b (madvise MADV_DONTNEED) while
// keeping the range mapped: later use faults pages back in. On Linux they
// read back as zeros; on other systems their contents are unspecified. b
// must start on a page boundary (any whole pages of a mapping from Map); a
// partial last page is left alone. In the heap fallback Release is a no-op.
func Release(b []byte) error {
	b = wholePages(b)
	if len(b) == 0 {
		return nil
	}
	if err := release(b); err != nil {
		return fmt.Errorf("mmap: release %d bytes: %w", len(b), err)
	}
	return nil
}

// Protect sets the access allowed to the whole pages of b (see Release for
// alignment). In the heap fallback it is a no-op.
func Protect(b []byte, access Access) error {
	b = wholePages(b)
	if len(b) == 0 {
		return nil
	}
	if err := protect(b, access); err != nil {
		return fmt.Errorf("mmap: protect %d bytes %s: %w", len(b), access, err)
	}
	return nil
}

// wholePages trims b to its whole pages; the caller guarantees b starts on
// a page boundary.
func wholePages(b []byte) []byte {
	return b[:len(b)&^(pageSize-1)]
}

// maxSize bounds Map so that rounding up to a page cannot overflow.
const maxSize = int(^uint(0) >> 2)

// MapFile maps the whole of the open file f read-only and shared, so its
// pages come from the page cache; f may be closed afterwards. Unmap frees
// the mapping. An empty file gives an empty slice (nothing to unmap). In
// the heap fallback the file is read into memory. The bytes must not be
// written, and a file truncated by another process while mapped faults on
// access: map only files that are replaced by rename, never rewritten in
// place (git writes its commit-graph and pack files that way).
func MapFile(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	size := fi.Size()
	if size == 0 {
		return []byte{}, nil
	}
	if size < 0 || size > int64(maxSize) {
		return nil, fmt.Errorf("mmap: %s: file too large to map (%d bytes)", f.Name(), size)
	}
	b, err := mapFile(f, int(size))
	if err != nil {
		return nil, fmt.Errorf("mmap: map %s: %w", f.Name(), err)
	}
	return b, nil
}
