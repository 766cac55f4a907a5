package odb

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

func mustRegion(t *testing.T, size int64) *region {
	t.Helper()
	r, err := newRegion(size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.buf != nil {
			if err := r.unmap(); err != nil {
				t.Error(err)
			}
		}
	})
	return r
}

// offsetIn returns b's offset in the region.
func offsetIn(r *region, b []byte) int64 {
	return int64(uintptr(unsafe.Pointer(unsafe.SliceData(b))) - r.base)
}

// checkRegion walks the region's blocks end to end and checks its
// bookkeeping: the blocks tile the region, their tails name their heads,
// no two free blocks touch, every free block is in the one list its size
// maps to, the lists hold nothing else, the bitmaps say which lists are
// not empty, and used is the allocated blocks' bytes.
func checkRegion(t *testing.T, r *region) {
	t.Helper()
	n := int32(len(r.head))
	freeBlocks := map[int32]bool{}
	var used int64
	prevFree := false
	for h := int32(0); h < n; {
		g := r.head[h]
		if g == 0 {
			t.Fatalf("granule %d: a block of size 0", h)
		}
		size := max(g, -g)
		if h+size > n {
			t.Fatalf("block at %d of %d granules runs past the region's %d", h, size, n)
		}
		if r.tail[h+size-1] != h {
			t.Fatalf("block at %d of %d granules: its tail names %d", h, size, r.tail[h+size-1])
		}
		if g < 0 {
			if prevFree {
				t.Fatalf("free block at %d follows a free block: not merged", h)
			}
			freeBlocks[h] = true
		} else {
			used += int64(g) * regionGranule
		}
		prevFree = g < 0
		h += size
	}
	if used != r.used {
		t.Fatalf("allocated blocks hold %d bytes, used says %d", used, r.used)
	}
	listed := 0
	for f := range r.lists {
		for s := range r.lists[f] {
			nonEmpty := r.lists[f][s] >= 0
			if nonEmpty != (r.slMap[f]&(1<<s) != 0) {
				t.Fatalf("list (%d, %d): non-empty %v, bitmap says otherwise", f, s, nonEmpty)
			}
			prev := int32(-1)
			for h := r.lists[f][s]; h >= 0; h = r.next[h] {
				if !freeBlocks[h] {
					t.Fatalf("list (%d, %d) holds %d, not a free block", f, s, h)
				}
				if lf, ls := mapping(-r.head[h]); lf != f || ls != s {
					t.Fatalf("free block at %d of %d granules in list (%d, %d), belongs in (%d, %d)", h, -r.head[h], f, s, lf, ls)
				}
				if r.prev[h] != prev {
					t.Fatalf("free block at %d: prev link %d, want %d", h, r.prev[h], prev)
				}
				prev = h
				listed++
			}
		}
		if (r.slMap[f] != 0) != (r.flMap&(1<<f) != 0) {
			t.Fatalf("level %d: first-level bitmap disagrees with its lists", f)
		}
	}
	if listed != len(freeBlocks) {
		t.Fatalf("%d blocks listed, %d free blocks", listed, len(freeBlocks))
	}
}

func TestRegionMappingPutsEachSizeInAListOfItsRange(t *testing.T) {
	// Lists are ordered: a larger size never maps to an earlier list,
	// and the rounding in findFree lands on a list of blocks that all fit.
	lastF, lastS := 0, 0
	for n := int32(1); n < 1<<20; n += 1 + n/64 {
		f, s := mapping(n)
		if f < lastF || f == lastF && s < lastS {
			t.Fatalf("mapping(%d) = (%d, %d) comes before the previous size's (%d, %d)", n, f, s, lastF, lastS)
		}
		if f >= regionFL || s >= regionSL || s < 0 {
			t.Fatalf("mapping(%d) = (%d, %d) out of range", n, f, s)
		}
		lastF, lastS = f, s
	}
}

func TestRegionAllocatesAndMergesFreedBlocks(t *testing.T) {
	const granules = 64
	r := mustRegion(t, granules*regionGranule)
	if r.size() != granules*regionGranule {
		t.Fatalf("size %d, want %d", r.size(), granules*regionGranule)
	}
	t.Run("a request is rounded up to whole granules", func(t *testing.T) {
		for _, n := range []int64{0, 1, regionGranule, regionGranule + 1} {
			b := r.alloc(n)
			want := max((n+regionGranule-1)/regionGranule, 1) * regionGranule
			if b == nil || int64(cap(b)) != want || !r.owns(b) {
				t.Fatalf("alloc(%d): capacity %d, owned %v; want %d from the region", n, cap(b), r.owns(b), want)
			}
			r.free(b)
		}
		checkRegion(t, r)
	})
	t.Run("a full region refuses, and freed neighbours merge", func(t *testing.T) {
		blocks := make([][]byte, granules)
		for i := range blocks {
			if blocks[i] = r.alloc(1); blocks[i] == nil {
				t.Fatalf("alloc %d of %d granules failed", i, granules)
			}
		}
		if b := r.alloc(1); b != nil {
			t.Fatal("a full region gave a block")
		}
		for i := 0; i < granules; i += 2 {
			r.free(blocks[i])
		}
		checkRegion(t, r)
		if b := r.alloc(2 * regionGranule); b != nil {
			t.Fatal("two granules from a region with no two adjacent ones free")
		}
		for i := 1; i < granules; i += 2 {
			r.free(blocks[i])
		}
		checkRegion(t, r)
		whole := r.alloc(granules * regionGranule)
		if whole == nil {
			t.Fatal("the freed region does not serve a request of its whole size: blocks were not merged")
		}
		if r.alloc(1) != nil {
			t.Fatal("a region given out whole gave another block")
		}
		r.free(whole)
		checkRegion(t, r)
	})
	t.Run("a request larger than the region is refused", func(t *testing.T) {
		if b := r.alloc(granules*regionGranule + 1); b != nil {
			t.Fatal("a request beyond the region was served")
		}
	})
	t.Run("a buffer that is not a live block is refused loudly", func(t *testing.T) {
		b := r.alloc(3 * regionGranule)
		mustPanic(t, "a slice inside a block", func() { r.free(b[regionGranule:]) })
		mustPanic(t, "a heap buffer", func() { r.free(make([]byte, regionGranule)) })
		r.free(b)
		mustPanic(t, "a block freed twice", func() { r.free(b) })
		checkRegion(t, r)
	})
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("free of %s did not panic", what)
		}
	}()
	f()
}

// TestRegionAgainstAModel runs random allocations and frees of mixed sizes
// and checks, against a list of the live blocks: that live blocks never
// overlap and keep their bytes, that used counts them, and that a refused
// request really fits in no gap between them.
func TestRegionAgainstAModel(t *testing.T) {
	const size = 4 << 20
	for seed := uint64(1); seed <= 4; seed++ {
		r := mustRegion(t, size)
		rnd := rand.New(rand.NewPCG(seed, 99))
		type live struct {
			b   []byte
			tag byte
		}
		var lives []live
		verify := func() {
			t.Helper()
			var used int64
			spans := make([][2]int64, 0, len(lives))
			for _, l := range lives {
				for i, v := range l.b[:cap(l.b)] {
					if v != l.tag {
						t.Fatalf("seed %d: byte %d of a live block is %d, want its tag %d: blocks overlap", seed, i, v, l.tag)
					}
				}
				used += int64(cap(l.b))
				off := offsetIn(r, l.b)
				spans = append(spans, [2]int64{off, off + int64(cap(l.b))})
			}
			if used != r.used {
				t.Fatalf("seed %d: live blocks hold %d bytes, used says %d", seed, used, r.used)
			}
			slices.SortFunc(spans, func(a, b [2]int64) int { return int(a[0] - b[0]) })
			for i := 1; i < len(spans); i++ {
				if spans[i][0] < spans[i-1][1] {
					t.Fatalf("seed %d: blocks [%d, %d) and [%d, %d) overlap", seed, spans[i-1][0], spans[i-1][1], spans[i][0], spans[i][1])
				}
			}
			checkRegion(t, r)
		}
		largestGap := func() int64 {
			var ends [][2]int64
			for _, l := range lives {
				off := offsetIn(r, l.b)
				ends = append(ends, [2]int64{off, off + int64(cap(l.b))})
			}
			slices.SortFunc(ends, func(a, b [2]int64) int { return int(a[0] - b[0]) })
			var gap, at int64
			for _, e := range ends {
				gap = max(gap, e[0]-at)
				at = e[1]
			}
			return max(gap, r.size()-at)
		}
		refused := 0
		for op := range 3000 {
			if len(lives) > 0 && rnd.IntN(5) < 2 {
				k := rnd.IntN(len(lives))
				r.free(lives[k].b)
				lives[k] = lives[len(lives)-1]
				lives = lives[:len(lives)-1]
			} else {
				var n int64
				switch rnd.IntN(10) {
				case 0, 1, 2, 3:
					n = rnd.Int64N(4 << 10)
				case 4, 5, 6:
					n = rnd.Int64N(64 << 10)
				case 7, 8:
					n = rnd.Int64N(1 << 20)
				default:
					n = rnd.Int64N(size + size/4)
				}
				b := r.alloc(n)
				if b == nil {
					if g := max((n+regionGranule-1)/regionGranule, 1) * regionGranule; largestGap() >= g {
						t.Fatalf("seed %d: alloc(%d) refused with a free gap of %d bytes", seed, n, largestGap())
					}
					refused++
					continue
				}
				if want := max((n+regionGranule-1)/regionGranule, 1) * regionGranule; int64(cap(b)) != want {
					t.Fatalf("seed %d: alloc(%d) has capacity %d, want %d", seed, n, cap(b), want)
				}
				tag := byte(op%251 + 1)
				b = b[:cap(b)]
				for i := range b {
					b[i] = tag
				}
				lives = append(lives, live{b, tag})
			}
			if op%100 == 0 {
				verify()
			}
		}
		verify()
		if refused == 0 {
			t.Errorf("seed %d: no request was refused: the test never filled the region", seed)
		}
		for _, l := range lives {
			r.free(l.b)
		}
		checkRegion(t, r)
		if b := r.alloc(size); b == nil {
			t.Fatalf("seed %d: once everything is freed the region does not serve its whole size", seed)
		}
	}
}
