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
// commits come from the cache, else 100% below
// smallHeapBytes of live heap and 25% above, and no decision from a cache
// that served nothing.
func TestGCTargetFollowsTheCacheAndTheHeap(t *testing.T) {
	for _, tc := range []struct {
		cached  bool
		dh, dm  int64
		live    uint64
		percent int
		ok      bool
	}{
		{true, 95, 5, 1 << 30, cachedGCPercent, true},
		{true, 95, 5, 16 << 20, 300, true},             // next GC at the 64 MiB floor
		{true, 100, 0, 0, 1500, true},                  // nothing marked yet: 4 MiB
		{true, 95, 5, 40 << 20, cachedGCPercent, true}, // 100% reaches the floor
		{true, 50, 50, 10 << 20, smallHeapGCPercent, true},
		{true, 50, 50, 200 << 20, diffingGCPercent, true},
		{true, 0, 0, 10 << 20, 0, false},
		{false, 0, 0, 10 << 20, smallHeapGCPercent, true},
		{false, 0, 0, smallHeapBytes, diffingGCPercent, true},
		{false, 0, 0, 1 << 30, diffingGCPercent, true},
	} {
		percent, ok := gcTarget(tc.cached, tc.dh, tc.dm, tc.live)
		if percent != tc.percent || ok != tc.ok {
			t.Errorf("gcTarget(%v, %d, %d, %d) = %d, %v; want %d, %v", tc.cached, tc.dh, tc.dm, tc.live, percent, ok, tc.percent, tc.ok)
		}
	}
	if smallHeapGCPercent == diffingGCPercent {
		t.Fatal("the small-heap target is the large heap's: the test tells nothing")
	}
}
