package odb

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// testIndex makes a version 2 pack index's names table and fan-out over
// ids, which it sorts (unless keepOrder, for a damaged index).
func testIndex(ids []ID, keepOrder bool) *pack {
	if !keepOrder {
		slices.SortFunc(ids, func(a, b ID) int { return bytes.Compare(a[:], b[:]) })
	}
	p := &pack{version: 2, count: len(ids)}
	for _, id := range ids {
		p.names = append(p.names, id[:]...)
		for b := int(id[0]); b < 256; b++ {
			p.fanout[b]++
		}
	}
	return p
}

// find's interpolation must find every id, and no other, however the ids
// lie: spread as hashes, bunched at one end of their buckets, sharing all
// but their last bytes, or all in one bucket.
func TestFindLocatesEveryIdWhereverTheyLie(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	spread := func(id *ID) {
		for i := range id {
			id[i] = byte(r.Uint32())
		}
	}
	layouts := map[string]func(id *ID){
		"spread": spread,
		"bunched": func(id *ID) {
			spread(id)
			id[1], id[2] = 0, 0
		},
		"shared prefix": func(id *ID) {
			spread(id)
			for i := 1; i < 18; i++ {
				id[i] = 0x5a
			}
		},
		"one bucket": func(id *ID) {
			spread(id)
			id[0] = 0xff
		},
	}
	for name, fill := range layouts {
		t.Run(name, func(t *testing.T) {
			seen := map[ID]bool{}
			var ids []ID
			for len(ids) < 20000 {
				var id ID
				fill(&id)
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			p := testIndex(ids, false)
			for i, id := range ids {
				if got := p.find(&id); got != i {
					t.Fatalf("find(%s) = %d, want %d", id, got, i)
				}
			}
			for n := 0; n < 20000; n++ {
				var id ID
				fill(&id)
				if seen[id] {
					continue
				}
				if got := p.find(&id); got != -1 {
					t.Fatalf("find of absent %s = %d, want -1", id, got)
				}
			}
		})
	}
}

// A damaged index, its ids out of order and in the wrong buckets, gives
// wrong answers but never a position outside the bucket or a panic.
func TestFindOnAnIndexOutOfOrderStaysInItsBucket(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ids []ID
	for range 5000 {
		var id ID
		for i := range id {
			id[i] = byte(r.Uint32())
		}
		ids = append(ids, id)
	}
	p := testIndex(ids, true) // the fan-out counts first bytes, the names are in no order
	// The last bucket's bounds reach the top of the range; a name of the
	// first byte 0 there takes its lower bound to the bottom.
	ids[len(ids)-1] = ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	copy(p.names[(len(ids)-1)*20:], ids[len(ids)-1][:])
	copy(p.names[(len(ids)-2)*20:], make([]byte, 20))
	for n := 0; n < 20000; n++ {
		var id ID
		for i := range id {
			id[i] = byte(r.Uint32())
		}
		switch n % 3 {
		case 0:
			id = ids[r.IntN(len(ids))]
		case 1:
			id[0] = 0xff
		}
		got := p.find(&id)
		lo := 0
		if id[0] > 0 {
			lo = int(p.fanout[id[0]-1])
		}
		if got != -1 && (got < lo || got >= int(p.fanout[id[0]])) {
			t.Fatalf("find(%s) = %d, outside its bucket [%d, %d)", id, got, lo, p.fanout[id[0]])
		}
	}
}

// SearchIDs finds every id of a table of wider entries (a 56-byte stride,
// as the walker's closures hold) and no absent one, over the whole range
// of 64-bit keys, and nothing in an empty table.
func TestSearchIDsInATableOfEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const stride = 56
	var ids []ID
	seen := map[ID]bool{}
	for len(ids) < 5000 {
		var id ID
		for i := range id {
			id[i] = byte(r.Uint32())
		}
		if len(ids)%500 == 0 {
			id[0] = 0xff // some at the top of the range
			for i := 1; i < 8; i++ {
				id[i] = 0xff
			}
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b ID) int { return bytes.Compare(a[:], b[:]) })
	table := make([]byte, len(ids)*stride)
	for i, id := range ids {
		copy(table[i*stride:], id[:])
		table[i*stride+20] = 0xaa // what follows an id is not searched
	}
	for i := range ids {
		if got := SearchIDs(table, stride, &ids[i]); got != i {
			t.Fatalf("SearchIDs(%s) = %d, want %d", ids[i], got, i)
		}
	}
	for range 5000 {
		var id ID
		for i := range id {
			id[i] = byte(r.Uint32())
		}
		if !seen[id] && SearchIDs(table, stride, &id) != -1 {
			t.Fatalf("SearchIDs found the absent %s", id)
		}
	}
	if got := SearchIDs(nil, stride, &ids[0]); got != -1 {
		t.Fatalf("SearchIDs in an empty table = %d", got)
	}
}
