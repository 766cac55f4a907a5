// Package arena provides bump arenas over fixed ranges of memory, and a pool
// that recycles them, for work split into units that each need scratch memory
// and keep little of it.
//
// An Arena hands out memory from one Backing (an mmap'd range, a Go byte
// slice, or a range of your own) by moving a cursor; Reset makes all of it
// free again in O(1). A Pool hands arenas out with Checkout and takes them
// back with GiveBack, so that in steady state the same memory is reused with
// no mmap, no munmap and no page faults.
//
// The arena rule: arena memory holds only pointer-free data (bytes, numbers,
// and arrays and structs of those), because the garbage collector does not
// scan it; Make and friends refuse other types with a panic. Nothing that
// points into an arena may be used after the arena's Reset, RewindTo past it,
// or GiveBack: copy out what you keep. Built with -tags arenadebug, the
// package poisons memory it takes back and makes idle pooled arenas
// inaccessible, so a violation faults at once instead of reading stale data.
//
// An Arena is not safe for concurrent use; a Pool is.
package arena
