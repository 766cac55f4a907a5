package odb

import "sync"

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
}

// deltaCache is a Reader's LRU cache of delta bases, bounded in bytes. It
// also keeps evicted buffers for reuse (bounded too), so that resolving
// delta chains in steady state allocates little.
type deltaCache struct {
	limit int64
	used  int64
	m     map[cacheKey]*cacheEntry
	lru   cacheEntry // sentinel: lru.next is the most recently used

	freeEntries []*cacheEntry
	spare       [][]byte
	spareBytes  int64
	noSpare     bool // evicted buffers may still be read: never reuse them
}

const maxSpareBuffers = 64

func (c *deltaCache) init(limit int64) {
	c.m = make(map[cacheKey]*cacheEntry)
	c.lru.next, c.lru.prev = &c.lru, &c.lru
	c.limit = limit
}

func (c *deltaCache) setLimit(limit int64) {
	c.limit = limit
	c.evictTo(limit)
	c.trimSpare()
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

// get returns the cached entry for (p, off), marking it recently used,
// or nil.
func (c *deltaCache) get(p *pack, off int64) *cacheEntry {
	if len(c.m) == 0 {
		return nil
	}
	e := c.m[cacheKey{p, off}]
	if e != nil && c.lru.next != e {
		c.unlink(e)
		c.pushFront(e)
	}
	return e
}

// add caches data (owned by the cache from now on) under key.
func (c *deltaCache) add(key cacheKey, data []byte, typ Type) {
	size := int64(cap(data))
	if size > c.limit/2 {
		c.putSpare(data)
		return
	}
	if old := c.m[key]; old != nil {
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
	*e = cacheEntry{key: key, data: data, typ: typ}
	c.m[key] = e
	c.pushFront(e)
	c.used += size
}

func (c *deltaCache) remove(e *cacheEntry) {
	c.unlink(e)
	delete(c.m, e.key)
	c.used -= int64(cap(e.data))
	c.putSpare(e.data)
	*e = cacheEntry{}
	c.freeEntries = append(c.freeEntries, e)
}

// evictTo evicts least recently used entries until used <= target.
func (c *deltaCache) evictTo(target int64) {
	for c.used > target && c.lru.prev != &c.lru {
		c.remove(c.lru.prev)
	}
}

// putSpare keeps b for reuse by getBuf if there is room.
func (c *deltaCache) putSpare(b []byte) {
	if c.noSpare || cap(b) == 0 || len(c.spare) >= maxSpareBuffers || c.spareBytes+int64(cap(b)) > c.limit/4 {
		return
	}
	c.spare = append(c.spare, b[:0])
	c.spareBytes += int64(cap(b))
}

func (c *deltaCache) trimSpare() {
	for len(c.spare) > 0 && c.spareBytes > c.limit/4 {
		last := c.spare[len(c.spare)-1]
		c.spare = c.spare[:len(c.spare)-1]
		c.spareBytes -= int64(cap(last))
	}
}

// getBuf returns a heap buffer of n bytes, reusing a spare one that fits
// without wasting more than half of it.
func (c *deltaCache) getBuf(n int64) []byte {
	best := -1
	for i, b := range c.spare {
		cp := int64(cap(b))
		if cp >= n && cp <= 2*n+4096 && (best < 0 || cp < int64(cap(c.spare[best]))) {
			best = i
		}
	}
	if best >= 0 {
		b := c.spare[best]
		last := len(c.spare) - 1
		c.spare[best] = c.spare[last]
		c.spare[last] = nil
		c.spare = c.spare[:last]
		c.spareBytes -= int64(cap(b))
		return b[:n]
	}
	// Round small sizes up so that buffers are reusable for neighbours.
	capacity := n
	if n < 1<<20 {
		capacity = (n + 1023) &^ 1023
	}
	return make([]byte, n, capacity)
}

// SharedCache is a delta-base cache that several Readers share (see
// DB.NewReaderShared), so that workers splitting one history between them
// reuse each other's bases. It is safe for concurrent use. Its entries are
// never modified or reused once cached: a Reader may go on reading one
// after another Reader evicted it (the garbage collector keeps it).
type SharedCache struct {
	mu sync.Mutex
	c  deltaCache
}

// NewSharedCache returns a shared cache bounded to limit bytes.
func NewSharedCache(limit int64) *SharedCache {
	s := &SharedCache{}
	s.c.init(limit)
	s.c.noSpare = true
	return s
}

func (s *SharedCache) get(p *pack, off int64) ([]byte, Type, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.c.get(p, off); e != nil {
		return e.data, e.typ, true
	}
	return nil, BadType, false
}

func (s *SharedCache) add(key cacheKey, data []byte, typ Type) {
	s.mu.Lock()
	s.c.add(key, data, typ)
	s.mu.Unlock()
}
