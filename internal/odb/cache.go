package odb

import (
	"math/bits"
	"sync/atomic"
)

// cacheKey names a pack entry.
type cacheKey struct {
	p   *pack
	off int64
}

// cacheEntry is one cached object in a doubly linked LRU list.
type cacheEntry struct {
	key        cacheKey
	data       []byte
	typ        Type
	prev, next *cacheEntry
	// same is the next entry cached at the same offset of another pack.
	same *cacheEntry
	// refs counts the readers using data now (see deltaCache.get); an
	// entry evicted while pinned keeps its buffer until the last release.
	refs    int32
	evicted bool
}

// deltaCache is an LRU cache of delta bases, bounded in bytes. Its buffers
// are recycled: an evicted entry's buffer goes to a free list of its size
// class (bounded too), and getBuf serves new bases from there, so that
// resolving delta chains in steady state does not allocate. An entry is
// pinned while a reader uses its data, and its buffer is reused only once
// nobody does.
//
// A cache with a region (a SharedCache) takes its buffers from there first:
// a region buffer goes back to the region when its entry is evicted, and
// the size-class free lists keep only heap buffers, those of requests the
// region could not serve.
type deltaCache struct {
	limit int64
	used  int64
	// m holds the entries by offset, with those of other packs at the
	// same offset chained through cacheEntry.same: a map keyed by an
	// integer takes the runtime's fast path, where the pack and offset
	// together were a generic key to hash, and the lookups, under the
	// shared cache's lock, were 8% of a walk of the generated history.
	m   map[int64]*cacheEntry
	lru cacheEntry // sentinel: lru.next is the most recently used

	// held counts the entries of m by a hash of their offset, a byte per
	// slot and four slots to a word, so that a lookup whose count is 0
	// looks no further: the shared cache reads it without its lock. Most
	// lookups find nothing (a read asks for the object itself, then for
	// each base down its chain until one is cached; 285,000 of 483,000 on
	// the generated history), and each took the lock and searched the map
	// (the search alone was 7.5% of the walk's CPU). A read
	// without the lock may miss an entry just added, which only costs a
	// hit; a byte that overflows into its neighbour makes that one look
	// held, which only costs a search.
	held     []atomic.Uint32
	heldBits uint

	freeEntries []*cacheEntry
	free        [numSizeClasses][][]byte // recycled heap buffers by size class
	freeBytes   int64

	reg *region // nil: every buffer is on the heap
	// regSize is the region to map when a buffer is first asked for (0:
	// none). A walk served by the store asks for none, and mapping the
	// region and making its lists was half a MiB and four syscalls of
	// every warm run.
	regSize int64
	closed  bool // see close

	// Buffers getBuf took from the region and, with a region, from the
	// heap because the region could not serve them.
	regionBufs, heapBufs int64
}

// Size classes of the recycled buffers: 1 KiB granules up to 8 KiB, then
// 8 classes per power of two, so a buffer wastes at most an eighth of
// itself (plus the granule) and one that fits a class serves every request
// of that class. Buffers beyond the last class are not recycled.
const (
	classGranule     = 1 << 10
	classSubBits     = 3 // 8 classes per power of two
	maxClassShift    = 30
	numSmallClasses  = 8 // 1 KiB .. 8 KiB
	numSizeClasses   = numSmallClasses + (maxClassShift-13)<<classSubBits + 1
	maxClassedBuffer = 1 << maxClassShift
	maxClassStretch  = 2 << classSubBits // classes above its own a request may take
)

// sizeClass returns the class of a request of n bytes and the capacity of
// that class's buffers; ok is false for a size beyond the last class.
func sizeClass(n int64) (class int, capacity int64, ok bool) {
	if n <= numSmallClasses*classGranule {
		g := (n + classGranule - 1) / classGranule
		if g == 0 {
			g = 1
		}
		return int(g - 1), g * classGranule, true
	}
	if n > maxClassedBuffer {
		return 0, 0, false
	}
	// n in (2^k, 2^(k+1)], k >= 13: classes step by 2^(k-3).
	k := bits.Len64(uint64(n-1)) - 1
	step := int64(1) << (k - classSubBits)
	sub := (n - (1 << k) + step - 1) / step // 1..8
	class = numSmallClasses + (k-13)<<classSubBits + int(sub) - 1
	return class, int64(1)<<k + sub*step, true
}

func (c *deltaCache) init(limit int64) {
	c.m = make(map[int64]*cacheEntry)
	c.lru.next, c.lru.prev = &c.lru, &c.lru
	c.limit = limit
}

// countEntries gives the cache its held counts, for a cache read without
// its lock (the shared one). A Reader's own cache has none: its map is
// searched without a lock anyway, and the counts, a quarter of a MiB at
// the default bound, were allocated and cleared for every Reader, of
// which a warm run of go-git made six.
func (c *deltaCache) countEntries() {
	// A slot per 128 to 256 bytes of the bound (a power of two), from
	// 4,096 to 262,144 (a quarter of a MiB of counts).
	c.heldBits = uint(min(max(bits.Len64(uint64(max(c.limit, 0))>>8), 12), 18))
	c.held = make([]atomic.Uint32, 1<<c.heldBits/4)
}

// heldSlot returns the word and the shift of off's count in held.
func (c *deltaCache) heldSlot(off int64) (*atomic.Uint32, uint) {
	h := uint64(off) * 0x9e3779b97f4a7c15 >> (64 - c.heldBits)
	return &c.held[h>>2], uint(h&3) * 8
}

// mayHold reports whether an entry at offset off may be cached: false
// means it is not (or was added a moment ago by another goroutine).
func (c *deltaCache) mayHold(off int64) bool {
	if c.held == nil {
		return true
	}
	w, shift := c.heldSlot(off)
	return w.Load()>>shift&0xff != 0
}

// countHeld adds d (1 or -1) to the count of off's slot.
func (c *deltaCache) countHeld(off int64, d int32) {
	if c.held == nil {
		return
	}
	w, shift := c.heldSlot(off)
	w.Add(uint32(d) << shift)
}

func (c *deltaCache) setLimit(limit int64) {
	c.limit = limit
	c.evictTo(limit)
	c.trimFree()
}

func (c *deltaCache) unlink(e *cacheEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
}

func (c *deltaCache) pushFront(e *cacheEntry) {
	e.prev = &c.lru
	e.next = c.lru.next
	c.lru.next.prev = e
	c.lru.next = e
}

// get returns the cached entry for (p, off), marking it recently used and
// pinned: its data stays valid and unchanged until release(e), even if it
// is evicted meanwhile. It returns nil when (p, off) is not cached.
func (c *deltaCache) get(p *pack, off int64) *cacheEntry {
	if len(c.m) == 0 || !c.mayHold(off) {
		return nil
	}
	e := c.find(cacheKey{p, off})
	if e == nil {
		return nil
	}
	if c.lru.next != e {
		c.unlink(e)
		c.pushFront(e)
	}
	e.refs++
	return e
}

// find returns the entry cached under key, or nil.
func (c *deltaCache) find(key cacheKey) *cacheEntry {
	e := c.m[key.off]
	for e != nil && e.key.p != key.p {
		e = e.same
	}
	return e
}

// forget takes e out of m.
func (c *deltaCache) forget(e *cacheEntry) {
	head := c.m[e.key.off]
	if head == e {
		if e.same == nil {
			delete(c.m, e.key.off)
		} else {
			c.m[e.key.off] = e.same
		}
	} else {
		for head.same != e {
			head = head.same
		}
		head.same = e.same
	}
	e.same = nil
	c.countHeld(e.key.off, -1)
}

// release unpins an entry get returned.
func (c *deltaCache) release(e *cacheEntry) {
	e.refs--
	if e.refs == 0 && e.evicted {
		c.recycle(e)
	}
}

// add caches data (owned by the cache from now on) under key.
func (c *deltaCache) add(key cacheKey, data []byte, typ Type) {
	size := int64(cap(data))
	if size > c.limit/2 || c.closed {
		c.putFree(data)
		return
	}
	if old := c.find(key); old != nil {
		c.remove(old)
	}
	c.evictTo(c.limit - size)
	var e *cacheEntry
	if n := len(c.freeEntries); n > 0 {
		e = c.freeEntries[n-1]
		c.freeEntries = c.freeEntries[:n-1]
	} else {
		e = new(cacheEntry)
	}
	*e = cacheEntry{key: key, data: data, typ: typ, same: c.m[key.off]}
	c.m[key.off] = e
	c.countHeld(key.off, 1)
	c.pushFront(e)
	c.used += size
}

// remove takes e out of the cache; its buffer is recycled now, or when the
// last reader using it releases it.
func (c *deltaCache) remove(e *cacheEntry) {
	c.unlink(e)
	c.forget(e)
	c.used -= int64(cap(e.data))
	if e.refs > 0 {
		e.evicted = true
		return
	}
	c.recycle(e)
}

func (c *deltaCache) recycle(e *cacheEntry) {
	c.putFree(e.data)
	*e = cacheEntry{}
	c.freeEntries = append(c.freeEntries, e)
}

// evictTo evicts least recently used entries until used <= target.
func (c *deltaCache) evictTo(target int64) {
	for c.used > target && c.lru.prev != &c.lru {
		c.remove(c.lru.prev)
	}
}

// putFree gives b back: to the region it came from, or, if it is a whole
// heap buffer of a size class and the free lists have room (a quarter of
// the limit), to the free lists for reuse by getBuf.
func (c *deltaCache) putFree(b []byte) {
	if c.reg != nil && c.reg.owns(b) {
		c.reg.free(b)
		c.unmapIfDone()
		return
	}
	if c.closed {
		return
	}
	n := int64(cap(b))
	class, capacity, ok := sizeClass(n)
	if !ok || capacity != n || c.freeBytes+n > c.limit/4 {
		return
	}
	c.free[class] = append(c.free[class], b[:0])
	c.freeBytes += n
}

// trimFree drops free buffers, largest classes first, until the free lists
// are within their bound.
func (c *deltaCache) trimFree() {
	for class := numSizeClasses - 1; class >= 0 && c.freeBytes > c.limit/4; class-- {
		for len(c.free[class]) > 0 && c.freeBytes > c.limit/4 {
			l := c.free[class]
			c.freeBytes -= int64(cap(l[len(l)-1]))
			l[len(l)-1] = nil
			c.free[class] = l[:len(l)-1]
		}
	}
}

// getBuf returns a buffer of n bytes: from the region when it has room,
// else from the heap, a recycled one of n's size class when there is one.
// A heap buffer's capacity is the class's, so that it can be recycled in
// turn. The buffer is the caller's until it gives it to add or putFree.
func (c *deltaCache) getBuf(n int64) []byte {
	if c.regSize > 0 && !c.closed {
		c.reg, _ = newRegion(c.regSize) // nil when it cannot be mapped: the heap serves
		c.regSize = 0
	}
	if c.reg != nil && !c.closed {
		if b := c.allocRegion(n); b != nil {
			c.regionBufs++
			return b[:n]
		}
		c.heapBufs++
	}
	class, capacity, ok := sizeClass(n)
	if !ok {
		return make([]byte, n)
	}
	// A buffer of a larger class serves too, up to four times the size: it
	// goes back to its own class when recycled. Sizes drift (a blob grows
	// over its history), so this is what keeps a steady state from
	// allocating in one class while dropping buffers of its neighbour.
	for k := class; k < min(class+maxClassStretch+1, numSizeClasses); k++ {
		if l := c.free[k]; len(l) > 0 {
			b := l[len(l)-1]
			l[len(l)-1] = nil
			c.free[k] = l[:len(l)-1]
			c.freeBytes -= int64(cap(b))
			return b[:n]
		}
	}
	return make([]byte, n, capacity)
}

// close empties the cache and keeps nothing from now on. The region is
// unmapped once the last of its buffers comes back: pinned entries and
// buffers handed out by getBuf stay valid until released or given back,
// so that closing never pulls memory from under a reader still at work.
func (c *deltaCache) close() {
	c.closed = true
	c.regSize = 0
	c.evictTo(-1)
	c.free = [numSizeClasses][][]byte{}
	c.freeBytes = 0
	c.unmapIfDone()
}

// unmapIfDone unmaps the region of a closed cache once none of its
// buffers is in use. An unmap error leaves the memory mapped (a leak of
// address space, not of correctness), so it is dropped.
func (c *deltaCache) unmapIfDone() {
	if c.closed && c.reg != nil && c.reg.used == 0 {
		_ = c.reg.unmap()
		c.reg = nil
	}
}

// regionBytes is the size of the region of a cache bounded to limit
// bytes: room for the cached bases and the quarter more the free lists may
// hold, so that its resident memory is at most what the heap would hold,
// in whole huge pages.
func regionBytes(limit int64) int64 {
	if limit <= 0 {
		return 0
	}
	return (limit + limit/4 + hugePage - 1) &^ (hugePage - 1)
}

// allocRegion returns a region buffer of n bytes, or nil. When no free
// block is large enough it evicts least recently used entries and tries
// again after each, up to evictBudget times n bytes of entries (and at
// most a quarter of the limit): the region's free memory is in pieces
// between entries, and the oldest entries are the likeliest to neighbour
// the pieces freed by earlier evictions, since entries were placed as they
// came. They would be the next evicted anyway. Measured on redis's
// history (92 MiB bound): without evicting, 129 bases went to the heap
// for want of a free block, with up to 20 to 50 MB of the region free in
// pieces under 400 KB; evicting up to 4 times n left 28, 16 times 2, with
// the same cache misses, and page faults fell from 15,800 to 7,300.
func (c *deltaCache) allocRegion(n int64) []byte {
	if b := c.reg.alloc(n); b != nil {
		return b
	}
	if n > c.reg.size() {
		return nil
	}
	for budget := min(evictBudget*n, c.limit/4); budget > 0 && c.lru.prev != &c.lru; {
		e := c.lru.prev
		budget -= int64(cap(e.data))
		inRegion := e.refs == 0 && c.reg.owns(e.data)
		c.remove(e)
		if !inRegion {
			continue
		}
		if b := c.reg.alloc(n); b != nil {
			return b
		}
	}
	return nil
}

// evictBudget bounds what allocRegion evicts to make room, in multiples of
// the request.
const evictBudget = 16

// SharedCache is a delta-base cache that several Readers share (see
// DB.NewReaderShared), so that workers splitting one history between them
// reuse each other's bases. It is safe for concurrent use. A Reader pins
// the entry whose data it reads, so that another Reader evicting it does
// not recycle its buffer until the first is done with it.
//
// Its buffers come from a region of memory mapped outside the Go heap,
// with huge pages where the system gives them, of the bound plus a quarter
// in whole huge pages: reserved at once, resident as it is first used, and
// reused as bases are evicted. A request the region cannot serve, even
// after evicting the oldest bases, uses the heap and its free lists as a
// cache without a region does; the bound counts both. Close unmaps the
// region. Without the region, filling fresh heap pages with bases was most
// of a walk's page faults: on redis's history 52,000 faults came down to
// 7,400, and peak RSS from 231 to 205 MB.
type SharedCache struct {
	mu spinningMutex
	c  deltaCache
}

// NewSharedCache returns a shared cache bounded to limit bytes of cached
// bases, plus a quarter of that in buffers kept for reuse (the region's
// free memory, or heap buffers). The caller closes it once its Readers
// are done.
func NewSharedCache(limit int64) *SharedCache {
	return newSharedCache(limit, regionBytes(limit))
}

// newSharedCache is NewSharedCache with a region of size bytes (none for
// 0). When the region cannot be mapped the cache works from the heap.
func newSharedCache(limit, size int64) *SharedCache {
	s := &SharedCache{}
	s.c.init(limit)
	s.c.countEntries()
	s.c.regSize = max(size, 0) // mapped by the first getBuf
	return s
}

// Close empties the cache and frees its region once the Readers sharing
// it have given back the buffers they are using; a Reader may go on using
// the cache after Close, without caching. Close is idempotent.
func (s *SharedCache) Close() error {
	s.mu.Lock()
	s.c.close()
	s.mu.Unlock()
	return nil
}

func (s *SharedCache) putFree(b []byte) {
	s.mu.Lock()
	s.c.putFree(b)
	s.mu.Unlock()
}

func (s *SharedCache) get(p *pack, off int64) *cacheEntry {
	if !s.c.mayHold(off) {
		return nil
	}
	s.mu.Lock()
	e := s.c.get(p, off)
	s.mu.Unlock()
	return e
}

func (s *SharedCache) release(e *cacheEntry) {
	s.mu.Lock()
	s.c.release(e)
	s.mu.Unlock()
}

func (s *SharedCache) add(key cacheKey, data []byte, typ Type) {
	s.mu.Lock()
	s.c.add(key, data, typ)
	s.mu.Unlock()
}

// getBuf is deltaCache.getBuf; onHeap says the region could not serve n.
func (s *SharedCache) getBuf(n int64) (b []byte, onHeap bool) {
	s.mu.Lock()
	before := s.c.heapBufs
	b = s.c.getBuf(n)
	onHeap = s.c.heapBufs != before
	s.mu.Unlock()
	return b, onHeap
}

// RegionBytes returns the size of the region the cache's buffers come
// from, once the first buffer is asked for, or before: 0 when it has none
// (mapping failed, or the cache was closed).
func (s *SharedCache) RegionBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c.reg == nil {
		return s.c.regSize
	}
	return s.c.reg.size()
}

// Bytes returns the bytes the cache holds now: cached bases and heap
// buffers kept for reuse (the region's free memory is not counted).
func (s *SharedCache) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.used + s.c.freeBytes
}
