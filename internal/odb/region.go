package odb

import (
	"fmt"
	"math/bits"
	"unsafe"

	"github.com/gitwalk/gitwalk/internal/mmap"
)

// region is a fixed block of memory mapped outside the Go heap, with huge
// pages where the system gives them, from which a delta-base cache carves
// its buffers. Its point is that resolving delta chains writes into memory
// that is already resident: a buffer from the Go heap is often a fresh
// page (the heap grows, the scavenger returns pages and they fault again),
// and a first touch of a 4 KiB page costs about 11 us on a VM.
//
// The allocator is a two-level segregated fit (TLSF): free blocks sit in
// lists by size, 16 lists per power of two of granules, found through two
// bitmaps; a request takes the first block of the first list whose blocks
// all fit, splits off the rest, and a freed block merges with its free
// neighbours at once. So a buffer wastes less than a granule (a buddy
// allocator rounds up to a power of two, a quarter wasted on average, and
// the cache counts capacities: it would hold a fifth fewer bases), memory
// freed by one size serves any other, and the resident memory is at most
// the region's size whatever the mix of sizes. alloc fails only when no
// free block is large enough, and the cache then uses the Go heap.
//
// The bookkeeping is in side tables, not in the blocks, so that free
// memory is never written (nor touched, when it never was). Not safe for
// concurrent use: the cache's lock guards it.
type region struct {
	mem  []byte  // the mapping, as mmap returned it
	buf  []byte  // its usable part: whole granules from a 2 MiB boundary
	base uintptr // &buf[0]

	// At a block's first granule: its size in granules, negative when
	// free. At its last granule: its first. Other entries are stale.
	head, tail []int32
	// The free lists, doubly linked through the first granule of their
	// blocks; -1 ends them.
	next, prev []int32
	lists      [regionFL][regionSL]int32
	flMap      uint32           // bit f: some list of level f is not empty
	slMap      [regionFL]uint32 // bit s: lists[f][s] is not empty

	used int64 // bytes in allocated blocks
}

const (
	regionGranule  = 1 << 10 // bytes; also the buffers' alignment
	regionSLBits   = 4
	regionSL       = 1 << regionSLBits
	regionFL       = 32 - regionSLBits
	hugePage       = 2 << 20
	maxRegionBytes = 1 << 40 // granule indexes fit in an int32 below this
)

// newRegion maps a region of size bytes, rounded up to whole granules
// (callers round to huge pages, tests make small regions). The memory is
// reserved, not resident: pages become resident as buffers first touch
// them.
func newRegion(size int64) (*region, error) {
	if size <= 0 || size > maxRegionBytes || int64(int(size)) != size {
		return nil, fmt.Errorf("delta-base region of %d bytes: out of range", size)
	}
	size = (size + regionGranule - 1) &^ (regionGranule - 1)
	// A huge page needs a huge-page-aligned range: map one more and use
	// the aligned part; the slack is never touched, so never resident.
	slack := 0
	if size >= hugePage {
		slack = hugePage
	}
	mem, err := mmap.MapHuge(int(size) + slack)
	if err != nil {
		return nil, err
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	skip := 0
	if slack > 0 {
		skip = int((hugePage - start%hugePage) % hugePage)
	}
	r := &region{mem: mem, buf: mem[skip : skip+int(size) : skip+int(size)]}
	r.base = uintptr(unsafe.Pointer(unsafe.SliceData(r.buf)))
	n := int(size / regionGranule)
	r.head = make([]int32, n)
	r.tail = make([]int32, n)
	r.next = make([]int32, n)
	r.prev = make([]int32, n)
	for f := range r.lists {
		for s := range r.lists[f] {
			r.lists[f][s] = -1
		}
	}
	r.setFree(0, int32(n))
	return r, nil
}

// size returns the region's usable bytes.
func (r *region) size() int64 { return int64(len(r.buf)) }

// mapping returns the list (f, s) of free blocks of n granules.
func mapping(n int32) (f, s int) {
	if n < regionSL {
		return 0, int(n)
	}
	k := bits.Len32(uint32(n)) - 1
	return k - regionSLBits + 1, int(n>>(k-regionSLBits)) - regionSL
}

// alloc returns a buffer of n bytes (capacity rounded up to a granule),
// or nil when no free block is large enough.
func (r *region) alloc(n int64) []byte {
	if r.buf == nil || n > r.size() {
		return nil
	}
	g := int32(max((n+regionGranule-1)/regionGranule, 1))
	h := r.findFree(g)
	if h < 0 {
		return nil
	}
	r.unlink(h)
	if size := -r.head[h]; size > g {
		r.setFree(h+g, size-g)
	}
	r.head[h], r.tail[h+g-1] = g, h
	r.used += int64(g) * regionGranule
	lo, hi := int(h)*regionGranule, int(h+g)*regionGranule
	b := r.buf[lo:hi:hi]
	if debug {
		checkPoison(b)
	}
	return b
}

// findFree returns the first granule of a free block of at least g
// granules, or -1. The lists from the one above g's up hold only blocks
// that fit: the first non-empty one serves. Failing that, g's own list
// holds blocks both smaller and larger than g, searched one by one; so
// the search fails only when no free block fits.
func (r *region) findFree(g int32) int32 {
	f, s := mapping(g)
	if g >= regionSL {
		// Round up to the next list boundary.
		k := bits.Len32(uint32(g)) - 1
		f, s = mapping(g + 1<<(k-regionSLBits) - 1)
	}
	if f < regionFL {
		if m := r.slMap[f] &^ (1<<s - 1); m != 0 {
			return r.lists[f][bits.TrailingZeros32(m)]
		}
		if m := r.flMap &^ (1<<(f+1) - 1); m != 0 {
			f = bits.TrailingZeros32(m)
			return r.lists[f][bits.TrailingZeros32(r.slMap[f])]
		}
	}
	f, s = mapping(g)
	for h := r.lists[f][s]; h >= 0; h = r.next[h] {
		if -r.head[h] >= g {
			return h
		}
	}
	return -1
}

// free gives back a buffer alloc returned (any slice of it from its
// start with its capacity), merging it with its free neighbours.
func (r *region) free(b []byte) {
	h, g := r.block(b)
	r.used -= int64(g) * regionGranule
	if debug {
		poisonRegion(r.buf[int(h)*regionGranule : int(h+g)*regionGranule])
	}
	// A head merged away is zeroed, so that freeing it again panics.
	if nb := h + g; int(nb) < len(r.head) && r.head[nb] < 0 {
		r.unlink(nb)
		g += -r.head[nb]
		r.head[nb] = 0
	}
	if h > 0 {
		if pb := r.tail[h-1]; r.head[pb] < 0 {
			r.unlink(pb)
			g += h - pb
			r.head[h] = 0
			h = pb
		}
	}
	r.setFree(h, g)
}

// block returns the first granule and the size of the allocated block
// that b is; it panics on a slice that is not one, a programmer error
// that would corrupt the lists.
func (r *region) block(b []byte) (int32, int32) {
	off := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - r.base
	if cap(b) == 0 || off%regionGranule != 0 || off >= uintptr(len(r.buf)) {
		panic("odb: region.free of a buffer that is not a region block")
	}
	h := int32(off / regionGranule)
	g := r.head[h]
	if g <= 0 || int64(g)*regionGranule != int64(cap(b)) {
		panic(fmt.Sprintf("odb: region.free of a buffer of %d bytes at granule %d, which holds no block of that size (freed twice?)", cap(b), h))
	}
	return h, g
}

// owns reports whether b (a slice with a capacity) points into the region.
// Comparing addresses is all the unsafe here does: the region's memory
// does not move, and b's is either in it or elsewhere.
func (r *region) owns(b []byte) bool {
	if cap(b) == 0 || r.buf == nil {
		return false
	}
	off := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - r.base
	return off < uintptr(len(r.buf))
}

// setFree makes granules [h, h+g) one free block and lists it.
func (r *region) setFree(h, g int32) {
	r.head[h], r.tail[h+g-1] = -g, h
	f, s := mapping(g)
	first := r.lists[f][s]
	r.next[h], r.prev[h] = first, -1
	if first >= 0 {
		r.prev[first] = h
	}
	r.lists[f][s] = h
	r.flMap |= 1 << f
	r.slMap[f] |= 1 << s
}

// unlink takes the free block at h out of its list.
func (r *region) unlink(h int32) {
	f, s := mapping(-r.head[h])
	nx, pv := r.next[h], r.prev[h]
	if nx >= 0 {
		r.prev[nx] = pv
	}
	if pv >= 0 {
		r.next[pv] = nx
		return
	}
	r.lists[f][s] = nx
	if nx < 0 {
		r.slMap[f] &^= 1 << s
		if r.slMap[f] == 0 {
			r.flMap &^= 1 << f
		}
	}
}

// unmap frees the mapping. No buffer of the region may be in use: the
// caller checks that used is 0.
func (r *region) unmap() error {
	mem := r.mem
	*r = region{}
	return mmap.Unmap(mem)
}
