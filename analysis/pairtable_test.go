package analysis

import (
	"math/rand/v2"
	"testing"
)

// TestPairTableCountsAsAMapDoes adds pairs of ids drawn from small and
// large ranges (id 0 included, whose pair with itself is key 0), and
// checks every count and the number of pairs against a Go map fed the
// same, through the table's growth.
func TestPairTableCountsAsAMapDoes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, ids := range []int32{1, 3, 50, 2000, 1 << 30} {
		var tab pairTable
		want := map[uint64]int32{}
		for i := range 20000 {
			a, b := r.Int32N(ids), r.Int32N(ids)
			if ids == 1<<30 && i%3 == 0 {
				a, b = ids-1, ids-1-int32(i%7) // the largest ids
			}
			n := int32(1 + i%3)
			tab.add(pairKey(a, b), n)
			want[pairKey(a, b)] += n
			if tab.len() != len(want) {
				t.Fatalf("ids < %d: after %d adds, %d pairs, want %d", ids, i+1, tab.len(), len(want))
			}
		}
		seen := 0
		for k, n := range tab.all() {
			seen++
			if want[k] != n {
				t.Fatalf("ids < %d: pair %#x counted %d, want %d", ids, k, n, want[k])
			}
		}
		if seen != len(want) {
			t.Fatalf("ids < %d: %d pairs yielded, want %d", ids, seen, len(want))
		}
		if 2*tab.len() > len(tab.slots) {
			t.Fatalf("ids < %d: %d pairs in %d slots, more than half full", ids, tab.len(), len(tab.slots))
		}
	}
}
