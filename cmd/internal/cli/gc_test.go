package cli

import "testing"

func TestWalksNamesTheCommandsThatWalkHere(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"version"}, false},
		{[]string{"cache", "prune"}, false},
		{[]string{"export", "repo", "--out", "x"}, false}, // runs gitwalk-export
		{[]string{"--help"}, false},
		{[]string{"churn", "repo"}, true},
		{[]string{"numstat"}, true},
		{[]string{"report", "."}, true},
	} {
		if got := walks(c.args); got != c.want {
			t.Errorf("walks(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}

// TestGCTargetFollowsTheCacheAndTheHeap checks tuneGC's rule: the cached
// target, or the one that puts the next GC at the floor, while nine in ten
// commits come from the cache, else 100% below smallHeapBytes of live heap
// and 25% above; no decision from a cache that served nothing, unless the
// target is the floor's, which then follows the live heap.
func TestGCTargetFollowsTheCacheAndTheHeap(t *testing.T) {
	for _, tc := range []struct {
		cached  bool
		dh, dm  int64
		live    uint64
		current int
		percent int
		ok      bool
	}{
		{true, 95, 5, 1 << 30, 1500, cachedGCPercent, true},
		{true, 95, 5, 16 << 20, 100, 300, true},             // next GC at the 64 MiB floor
		{true, 100, 0, 0, 100, 1500, true},                  // nothing marked yet: 4 MiB
		{true, 95, 5, 40 << 20, 300, cachedGCPercent, true}, // 100% reaches the floor
		{true, 50, 50, 10 << 20, 1500, smallHeapGCPercent, true},
		{true, 50, 50, 200 << 20, 100, diffingGCPercent, true},
		{true, 0, 0, 10 << 20, diffingGCPercent, 0, false},
		{true, 0, 0, 10 << 20, cachedGCPercent, 0, false},
		{true, 0, 0, 16 << 20, 1500, 300, true},             // the floor, with the heap grown
		{true, 0, 0, 50 << 20, 1500, cachedGCPercent, true}, // past half the floor: 100%
		{false, 0, 0, 10 << 20, 100, smallHeapGCPercent, true},
		{false, 0, 0, smallHeapBytes, 100, diffingGCPercent, true},
		{false, 0, 0, 1 << 30, 100, diffingGCPercent, true},
	} {
		percent, ok := gcTarget(tc.cached, tc.dh, tc.dm, tc.live, tc.current)
		if percent != tc.percent || ok != tc.ok {
			t.Errorf("gcTarget(%v, %d, %d, %d, %d) = %d, %v; want %d, %v", tc.cached, tc.dh, tc.dm, tc.live, tc.current, percent, ok, tc.percent, tc.ok)
		}
	}
	if smallHeapGCPercent == diffingGCPercent {
		t.Fatal("the small-heap target is the large heap's: the test tells nothing")
	}
}
