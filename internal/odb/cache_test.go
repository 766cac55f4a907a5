package odb

import "testing"

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
