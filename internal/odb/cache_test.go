package odb

import (
	"math/rand/v2"
	"testing"
)

func TestSizeClassCoversTheRequestWithLittleWaste(t *testing.T) {
	for _, n := range []int64{0, 1, 1023, 1024, 1025, 8192, 8193, 9216, 9217, 16384, 16385, 1 << 20, 3<<20 + 7, maxClassedBuffer} {
		class, capacity, ok := sizeClass(n)
		if !ok {
			t.Fatalf("sizeClass(%d): no class", n)
		}
		if capacity < n || capacity > n+n/8+classGranule {
			t.Errorf("sizeClass(%d) = capacity %d: want at least n and at most n+n/8+1KiB", n, capacity)
		}
		// The capacity is itself exactly a class size, of the same class.
		if c2, cap2, _ := sizeClass(capacity); c2 != class || cap2 != capacity {
			t.Errorf("sizeClass(%d) = (%d, %d) but its capacity is class (%d, %d)", n, class, capacity, c2, cap2)
		}
		if class < 0 || class >= numSizeClasses {
			t.Errorf("sizeClass(%d) = class %d, outside [0, %d)", n, class, numSizeClasses)
		}
	}
	if _, _, ok := sizeClass(maxClassedBuffer + 1); ok {
		t.Error("a buffer beyond the last class got a class")
	}
}

func TestDeltaCacheRecyclesBuffers(t *testing.T) {
	p := &pack{}
	t.Run("an evicted base's buffer serves the next request of its size", func(t *testing.T) {
		var c deltaCache
		c.init(64 << 10)
		b := c.getBuf(5000)
		c.add(cacheKey{p, 1}, b, Blob)
		c.evictTo(0)
		got := c.getBuf(4500)
		if &got[:1][0] != &b[:1][0] {
			t.Error("getBuf allocated a new buffer while one of its class was free")
		}
	})
	t.Run("a pinned entry's buffer is not reused until released", func(t *testing.T) {
		var c deltaCache
		c.init(64 << 10)
		b := c.getBuf(5000)
		c.add(cacheKey{p, 1}, b, Blob)
		e := c.get(p, 1)
		if e == nil {
			t.Fatal("the entry just added is not cached")
		}
		c.evictTo(0)
		if c.get(p, 1) != nil {
			t.Fatal("an evicted entry is still found")
		}
		if got := c.getBuf(5000); &got[:1][0] == &b[:1][0] {
			t.Fatal("getBuf handed out the buffer of a pinned entry")
		}
		c.release(e)
		if got := c.getBuf(5000); &got[:1][0] != &b[:1][0] {
			t.Error("the buffer was not recycled once its entry was released")
		}
	})
	t.Run("recycled buffers stay within a quarter of the limit", func(t *testing.T) {
		var c deltaCache
		c.init(64 << 10)
		for i := range 40 {
			c.putFree(c.getBuf(int64(1000 + i*100)))
		}
		if c.freeBytes > c.limit/4 {
			t.Errorf("free lists hold %d bytes, over the bound %d", c.freeBytes, c.limit/4)
		}
	})
}

// regionCache returns a cache bounded to limit bytes with a region of
// size bytes.
func regionCache(t *testing.T, limit, size int64) *deltaCache {
	t.Helper()
	var c deltaCache
	c.init(limit)
	c.reg = mustRegion(t, size)
	return &c
}

func fill(b []byte, v byte) {
	b = b[:cap(b)]
	for i := range b {
		b[i] = v
	}
}

func holds(b []byte, v byte) bool {
	for _, x := range b[:cap(b)] {
		if x != v {
			return false
		}
	}
	return true
}

func TestDeltaCacheWithARegion(t *testing.T) {
	p := &pack{}
	t.Run("an evicted base's memory goes back to the region and serves another size", func(t *testing.T) {
		c := regionCache(t, 1<<20, 1<<20)
		b := c.getBuf(300 << 10)
		if !c.reg.owns(b) || len(b) != 300<<10 || cap(b) != 300<<10 {
			t.Fatalf("getBuf(300 KiB): len %d cap %d, from the region %v", len(b), cap(b), c.reg.owns(b))
		}
		c.add(cacheKey{p, 1}, b, Blob)
		c.evictTo(0)
		if c.reg.used != 0 || c.freeBytes != 0 {
			t.Fatalf("after eviction the region holds %d bytes and the heap free lists %d, want 0 and 0", c.reg.used, c.freeBytes)
		}
		big := c.getBuf(1 << 20)
		if !c.reg.owns(big) {
			t.Fatal("the region's whole size, freed, did not serve a request for it")
		}
		c.putFree(big)
		checkRegion(t, c.reg)
	})
	t.Run("a request the region cannot serve comes from the heap", func(t *testing.T) {
		c := regionCache(t, 1<<20, 64<<10)
		held := c.getBuf(40 << 10)
		b := c.getBuf(40 << 10)
		if c.reg.owns(b) || len(b) != 40<<10 || c.heapBufs != 1 || c.regionBufs != 1 {
			t.Fatalf("second 40 KiB from a 64 KiB region: from the region %v, len %d, %d heap and %d region buffers",
				c.reg.owns(b), len(b), c.heapBufs, c.regionBufs)
		}
		// The heap buffer is recycled as before, not given to the region.
		c.putFree(b)
		if c.freeBytes != int64(cap(b)) {
			t.Fatalf("a heap buffer given back: free lists hold %d bytes, want %d", c.freeBytes, cap(b))
		}
		c.putFree(held)
		if c.reg.used != 0 {
			t.Fatalf("region holds %d bytes after its buffer came back", c.reg.used)
		}
	})
	t.Run("a request no free block fits evicts the oldest entries to make room", func(t *testing.T) {
		// A region of 40 granules filled with ten cached bases of 4, the
		// oldest pinned: 8 granules need two unpinned neighbours evicted.
		c := regionCache(t, 1<<20, 40*regionGranule)
		for off := range int64(10) {
			b := c.getBuf(4 * regionGranule)
			fill(b, byte(off))
			c.add(cacheKey{p, off}, b, Blob)
		}
		pinned := c.get(p, 0)
		if c.reg.used != c.reg.size() {
			t.Fatalf("region holds %d of %d bytes, want it full", c.reg.used, c.reg.size())
		}
		b := c.getBuf(8 * regionGranule)
		if !c.reg.owns(b) {
			t.Fatal("a full region of unpinned entries did not make room")
		}
		for _, gone := range []int64{1, 2} {
			if c.get(p, gone) != nil {
				t.Fatalf("entry %d, among the oldest, is still cached", gone)
			}
		}
		for off := int64(3); off < 10; off++ {
			e := c.get(p, off)
			if e == nil || !holds(e.data, byte(off)) {
				t.Fatalf("entry %d was evicted or changed, though room was made without it", off)
			}
			c.release(e)
		}
		if !holds(pinned.data, 0) {
			t.Fatal("a pinned entry lost its bytes while room was made")
		}
		c.release(pinned)
		checkRegion(t, c.reg)
	})
	t.Run("a pinned entry keeps its bytes through eviction and reuse", func(t *testing.T) {
		c := regionCache(t, 256<<10, 320<<10)
		b := c.getBuf(100 << 10)
		fill(b, 7)
		c.add(cacheKey{p, 1}, b, Blob)
		e := c.get(p, 1)
		c.evictTo(0)
		if c.used != 0 {
			t.Fatalf("used %d after evicting everything", c.used)
		}
		// Take and write everything else the region has.
		var others [][]byte
		for {
			o := c.getBuf(10 << 10)
			if !c.reg.owns(o) {
				break
			}
			fill(o, 9)
			others = append(others, o)
		}
		if !holds(e.data, 7) {
			t.Fatal("a pinned entry's bytes changed once evicted: its memory was handed out again")
		}
		c.release(e)
		for _, o := range others {
			c.putFree(o)
		}
		if c.reg.used != 0 {
			t.Fatalf("region holds %d bytes once everything is released", c.reg.used)
		}
	})
	t.Run("the bound holds and entries keep their bytes under random use", func(t *testing.T) {
		const limit = 512 << 10
		c := regionCache(t, limit, regionBytes(limit))
		rnd := rand.New(rand.NewPCG(5, 5))
		for i := range 4000 {
			off := int64(rnd.IntN(200))
			if e := c.get(p, off); e != nil {
				if !holds(e.data, byte(off)) {
					t.Fatalf("entry %d does not hold its bytes", off)
				}
				c.release(e)
				continue
			}
			n := rnd.Int64N(64 << 10)
			if i%50 == 0 {
				n = rnd.Int64N(4 * limit)
			}
			b := c.getBuf(n)
			fill(b, byte(off))
			c.add(cacheKey{p, off}, b, Blob)
			if c.used > c.limit || c.freeBytes > c.limit/4 || c.reg.used > c.reg.size() {
				t.Fatalf("op %d: %d bytes cached (limit %d), %d in free lists, region %d of %d",
					i, c.used, c.limit, c.freeBytes, c.reg.used, c.reg.size())
			}
		}
		if c.regionBufs == 0 || c.heapBufs == 0 {
			t.Errorf("%d region and %d heap buffers: the test did not use both", c.regionBufs, c.heapBufs)
		}
		var inRegion int64
		for _, e := range c.m {
			for ; e != nil; e = e.same {
				if c.reg.owns(e.data) {
					inRegion += int64(cap(e.data))
				}
			}
		}
		if inRegion != c.reg.used {
			t.Errorf("cached region buffers hold %d bytes, the region counts %d: a buffer leaked", inRegion, c.reg.used)
		}
		checkRegion(t, c.reg)
	})
	t.Run("close unmaps the region once the last pinned entry is released", func(t *testing.T) {
		c := regionCache(t, 256<<10, 320<<10)
		b := c.getBuf(10 << 10)
		fill(b, 3)
		c.add(cacheKey{p, 1}, b, Blob)
		c.add(cacheKey{p, 2}, c.getBuf(10<<10), Blob)
		e := c.get(p, 1)
		out := c.getBuf(5 << 10) // a buffer a reader is filling
		c.close()
		if c.reg == nil || c.get(p, 2) != nil {
			t.Fatalf("after close: region %v, entries still found %v", c.reg != nil, c.get(p, 2) != nil)
		}
		if !holds(e.data, 3) {
			t.Fatal("a pinned entry lost its bytes at close")
		}
		if h := c.getBuf(1 << 10); c.reg.owns(h) {
			t.Fatal("a closed cache handed out region memory")
		}
		c.release(e)
		if c.reg == nil {
			t.Fatal("region unmapped while a buffer handed out was not back")
		}
		c.add(cacheKey{p, 3}, out, Blob)
		if c.reg != nil || len(c.m) != 0 {
			t.Fatalf("after the last buffer came back: region still mapped %v, %d entries", c.reg != nil, len(c.m))
		}
	})
}

// Entries at the same offset of different packs share a slot of the map;
// each is found, replaced and removed on its own.
func TestDeltaCacheKeepsEntriesOfPacksAtTheSameOffsetApart(t *testing.T) {
	var c deltaCache
	c.init(1 << 20)
	packs := []*pack{{path: "a"}, {path: "b"}, {path: "c"}}
	put := func(p *pack, off int64, v string) {
		b := c.getBuf(int64(len(v)))
		copy(b, v)
		c.add(cacheKey{p, off}, b, Blob)
	}
	check := func(p *pack, off int64, want string) {
		t.Helper()
		e := c.get(p, off)
		if want == "" {
			if e != nil {
				t.Fatalf("%s@%d: cached %q, want nothing", p.path, off, e.data)
			}
			return
		}
		if e == nil || string(e.data) != want {
			t.Fatalf("%s@%d: %v, want %q", p.path, off, e, want)
		}
		c.release(e)
	}
	for _, p := range packs {
		put(p, 12, "first of "+p.path)
		put(p, 99, "later in "+p.path)
	}
	for _, p := range packs {
		check(p, 12, "first of "+p.path)
		check(p, 99, "later in "+p.path)
	}
	put(packs[1], 12, "again b") // replaces b's alone
	check(packs[0], 12, "first of a")
	check(packs[1], 12, "again b")
	check(packs[2], 12, "first of c")
	for _, k := range []int{1, 0, 2} { // the middle of a chain, its head, the rest
		c.remove(c.find(cacheKey{packs[k], 12}))
		check(packs[k], 12, "")
		for _, p := range packs {
			check(p, 99, "later in "+p.path)
		}
	}
	if len(c.m) != 1 {
		t.Fatalf("%d offsets in the map, want 1 (99)", len(c.m))
	}
}

// TestDeltaCacheCountsWhatItHolds checks the counts the shared cache reads
// without its lock: every cached offset reads as held, entries evicted or
// replaced are counted out, a slot whose count overflows its byte still
// reads as held, and an emptied cache reads nothing as held.
func TestDeltaCacheCountsWhatItHolds(t *testing.T) {
	p, q := &pack{}, &pack{}
	var c deltaCache
	c.init(1 << 20)
	c.countEntries() // 8,192 slots
	if c.heldBits != 13 {
		t.Fatalf("heldBits %d for a 1 MiB bound, want 13", c.heldBits)
	}
	// 300 offsets in one slot: its byte wraps past 255.
	var same []int64
	w0, s0 := c.heldSlot(0)
	for off := int64(1); len(same) < 300; off++ {
		if w, s := c.heldSlot(off); w == w0 && s == s0 {
			same = append(same, off)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	offs := append([]int64(nil), same...)
	for i := 0; i < 700; i++ {
		offs = append(offs, rng.Int64N(1<<40))
	}
	for i, off := range offs {
		pk := p
		if i%3 == 0 {
			pk = q
		}
		c.add(cacheKey{pk, off}, make([]byte, 64), Blob)
		c.add(cacheKey{pk, off}, make([]byte, 64), Blob) // replaces the first
	}
	for e := c.lru.next; e != &c.lru; e = e.next {
		if !c.mayHold(e.key.off) {
			t.Fatalf("offset %d is cached but reads as not held", e.key.off)
		}
	}
	if len(c.m) == 0 {
		t.Fatal("nothing cached: the test tests nothing")
	}
	// Evict half, then check again; then empty it.
	c.evictTo(c.used / 2)
	for e := c.lru.next; e != &c.lru; e = e.next {
		if !c.mayHold(e.key.off) {
			t.Fatalf("offset %d is cached but reads as not held after evictions", e.key.off)
		}
	}
	c.evictTo(0)
	for i := range c.held {
		if v := c.held[i].Load(); v != 0 {
			t.Fatalf("empty cache: word %d of the counts is %#x", i, v)
		}
	}
	if c.mayHold(same[0]) || c.get(p, same[0]) != nil {
		t.Error("an emptied cache reads an offset as held")
	}
}
