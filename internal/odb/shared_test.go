package odb

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
)

// TestSharedCacheRegionGivesGitsBytes reads every object of a repository
// with deep delta chains through two Readers at once sharing a cache whose
// bound and region are tiny, so that bases are evicted all the time and
// those larger than the region come from the heap, and compares each with
// git cat-file. Closing the cache then unmaps its region: no buffer leaked.
func TestSharedCacheRegionGivesGitsBytes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo.git")
	copyDir(t, newRepo(t, 80), dir)
	git(t, dir, nil, "repack", "-q", "-adf", "--depth=50", "--window=250")
	want := gitAllObjects(t, dir)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sc := newSharedCache(64<<10, 96<<10)
	// The region is mapped when a first buffer is asked for.
	if sc.c.reg != nil || sc.RegionBytes() != 96<<10 {
		t.Fatalf("before any read: region mapped %v, RegionBytes %d, want none mapped and %d", sc.c.reg != nil, sc.RegionBytes(), 96<<10)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 2)
	var onHeap [2]int64
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := db.NewReaderShared(sc)
			defer func() { onHeap[w] = r.Stats().HeapBases }()
			a := arena.New(arena.NewHeap(1 << 20))
			for i := range want {
				o := want[(i+w*len(want)/2)%len(want)] // the readers start apart
				a.Reset()
				typ, data, err := r.Read(o.id, a)
				if err != nil || typ.String() != o.typ || !bytes.Equal(data, o.data) {
					errs <- o.id.String() + ": not what git cat-file gives"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	sc.mu.Lock()
	regionBufs, heapBufs := sc.c.regionBufs, sc.c.heapBufs
	sc.mu.Unlock()
	if regionBufs == 0 || heapBufs == 0 {
		t.Errorf("%d bases in the region, %d on the heap: want both", regionBufs, heapBufs)
	}
	if onHeap[0]+onHeap[1] != heapBufs {
		t.Errorf("the readers count %d+%d bases on the heap, the cache %d", onHeap[0], onHeap[1], heapBufs)
	}
	if got := sc.RegionBytes(); got != 96<<10 || sc.c.reg == nil {
		t.Errorf("RegionBytes() = %d (mapped %v), want %d mapped", got, sc.c.reg != nil, 96<<10)
	}
	sc.Close()
	if sc.c.reg != nil {
		t.Errorf("the region is still mapped after Close with no reader at work: %d bytes not given back", sc.c.reg.used)
	}
	// A reader of a closed cache still reads, from the heap.
	r := db.NewReaderShared(sc)
	o := want[len(want)-1]
	if typ, data, err := r.Read(o.id, nil); err != nil || typ.String() != o.typ || !bytes.Equal(data, o.data) {
		t.Errorf("Read %s after Close: %v, %v", o.id, typ, err)
	}
}

// TestSharedCacheRegionGetsBuffersBackFromFailedReads reads objects whose
// delta chains break part-way: the bases taken from the cache for them
// must come back, or the region could never be unmapped.
func TestSharedCacheRegionGetsBuffersBackFromFailedReads(t *testing.T) {
	blob := bytes.Repeat([]byte("hello, base object\n"), 100)
	good := makeDelta(int64(len(blob)), 8, 0x91, 7, 4, 3, 'x', 'y', 'z', 1, '\n')
	entries := []craftEntry{
		{id: idOf("A"), typ: packBlob, data: blob},
		{id: idOf("B"), typ: packOfsDelta, data: good},
		// C: a delta on B copying beyond it; D: a valid delta on C.
		{id: idOf("C"), typ: packOfsDelta, data: makeDelta(8, 10, 0x91, 5, 10)},
		{id: idOf("D"), typ: packOfsDelta, data: makeDelta(10, 4, 0x90, 4)},
	}
	for i := 1; i < len(entries); i++ {
		prev := entries[i-1]
		entries[i].baseRel = int64(len(encodeEntryHeader(prev.typ, int64(len(prev.data))))) + zlibLen(prev.data)
	}
	dir := writeCraftedPack(t, entries)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sc := newSharedCache(1<<20, 1<<20)
	r := db.NewReaderShared(sc)
	for _, id := range []ID{idOf("C"), idOf("D"), idOf("D")} {
		if _, _, err := r.Read(id, nil); err == nil {
			t.Fatalf("Read %s of a broken chain succeeded", id)
		}
	}
	if _, data, err := r.Read(idOf("B"), nil); err != nil || string(data) != "basexyz\n" {
		t.Fatalf("Read B = %q, %v", data, err)
	}
	sc.Close()
	if sc.c.reg != nil {
		t.Fatalf("the region is still mapped after Close: failed reads kept %d bytes of it", sc.c.reg.used)
	}
}
