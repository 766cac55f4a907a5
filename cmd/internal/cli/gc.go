package cli

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/gitwalk/gitwalk/internal/mmap"

	"github.com/gitwalk/gitwalk/walker"
)

// GC targets (debug.SetGCPercent). A walk that diffs commits makes large,
// short-lived, pointer-free buffers (inflated objects, blobs), and each GC
// cycle's headroom is resident memory: a target of 25% instead of Go's
// 100% cut redis's peak RSS from 336 to 282 MB at the same wall time. A
// walk that reads its commits from the cache makes small objects that
// live (paths, changes, the analyses' maps) and no large buffers; there
// the 25% target runs the GC about three times as often (101 collections
// against 35 on git/git warm) for little memory: medians of 3 warm runs on
// git/git, 0.84 s and 1.22 s of user CPU at 25% against 0.75 s and 1.03 s
// at 100% (0.78 s and 1.05 s tuned), peak RSS 211 against 233 MB.
//
// The 25% is for a large heap, and was set when delta bases lived on the
// heap (they live in the shared cache's region now). Below smallHeapBytes
// of live heap the target is smallHeapGCPercent: a cold walk's heap is
// 10 MB (the generated history, redis) to 33 MB (git/git), and at 25% the
// GC ran 29 to 67 times a walk. GC CPU (GODEBUG=gctrace=1) went from
// 67-90 to 18-21 ms on the generated history, 43 to 10 ms on redis, 203
// to 68 ms on git/git; peak RSS rose by 3 to 10 MB. The walls moved less
// than this VM's noise (the generated history, medians of 9: 0.88 s
// against 0.87 s).
const (
	diffingGCPercent   = 25
	cachedGCPercent    = 100
	smallHeapGCPercent = 100
	smallHeapBytes     = 64 << 20
)

// gcTuned says the GC's target is gitwalk's to set: GOGC was not given.
var gcTuned bool

// gcInterval is how often tuneGC looks at the cache's hits and misses: a
// warm walk of a small history is over in 50 ms.
const gcInterval = 10 * time.Millisecond

// tuneGC sets the GC's target by what the walks have been doing since its
// last look: cachedGCPercent, or more to keep the heap's next GC at
// cachedHeapFloor, while at most one commit in ten was computed rather
// than read from the cache s (nil: no cache), else
// smallHeapGCPercent while the live heap is under smallHeapBytes, else
// diffingGCPercent. It starts at cachedGCPercent (with a cache, at the
// floor's): until the first look the heap is small, and at 25% of a small
// heap the GC ran 16 times in a warm walk of go-git (6 at 100%), which
// took 89 ms against 78. It returns what stops it, and leaves the target
// where it was: the walks are over, and what is left of the command (the
// output, closing the cache) allocates little. Putting diffingGCPercent
// back started a collection of the heap a warm walk had grown while the
// cache was closed, in every warm run.
func tuneGC(s *walker.Store) (stop func()) {
	if !gcTuned {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	start := cachedGCPercent
	if s != nil {
		start = max(start, floorPercent(0))
	}
	debug.SetGCPercent(start)
	go func() {
		defer close(done)
		t := time.NewTicker(gcInterval)
		defer t.Stop()
		percent := start
		var lastHits, lastMisses int64
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			var dh, dm int64
			if s != nil {
				hits, misses := s.Served()
				dh, dm = hits-lastHits, misses-lastMisses
				lastHits, lastMisses = hits, misses
			}
			metrics.Read(live)
			var liveBytes uint64 = smallHeapBytes // unknown: as if large
			if live[0].Value.Kind() == metrics.KindUint64 {
				liveBytes = live[0].Value.Uint64()
			}
			want, ok := gcTarget(s != nil, dh, dm, liveBytes, percent)
			if ok && want != percent {
				debug.SetGCPercent(want)
				percent = want
			}
		}
	}()
	return func() { close(quit); <-done }
}

// gcTarget is tuneGC's rule: the target for a walk that read dh commits
// from its cache and computed dm since the last look (cached: it has a
// cache), with liveBytes of live heap, the target being current; ok is
// false when there is nothing to go by (a cache, and no commit served:
// between walks, or in one's revision walk). Even then a target above
// cachedGCPercent, the floor's, follows the live heap: a revision walk
// that reads for seconds before its first commit (a path-limited walk of
// git/git) grows it, and 1500% of 50 MB would put the next GC at 800 MB.
func gcTarget(cached bool, dh, dm int64, liveBytes uint64, current int) (percent int, ok bool) {
	switch {
	case cached && dh+dm == 0 && current > cachedGCPercent:
		return max(cachedGCPercent, floorPercent(liveBytes)), true
	case cached && dh+dm == 0:
		return 0, false
	case cached && dm*10 <= dh+dm:
		return max(cachedGCPercent, floorPercent(liveBytes)), true
	case liveBytes < smallHeapBytes:
		return smallHeapGCPercent, true
	}
	return diffingGCPercent, true
}

// cachedHeapFloor is the least heap a walk reading from the cache lets
// grow before a GC. Such a walk's live heap is small and grows (the
// commits' paths and the analyses' maps): at 100% the GC ran 8 times in a
// warm churn of redis (about 100 ms) and 6 in one of go-git, each cycle
// taking a quarter of the CPU and waking threads. With the floor, none ran
// during a warm walk of redis (gctrace: the forced one at start and one
// as the walk ends): user+system CPU 135 to 122 ms on redis
// and 79 to 71 ms on go-git (medians of 21), peak RSS 48 to 64 MB and 29
// to 34 MB, still far below the cold runs' (225 and 79 MB).
const cachedHeapFloor = 64 << 20

// floorPercent is the target that puts the next GC at cachedHeapFloor with
// liveBytes of live heap (the runtime's least goal is 4 MiB at 100%, which
// is what it goes by before its first cycle), or 0 when the usual target
// already puts it there.
func floorPercent(liveBytes uint64) int {
	liveBytes = max(liveBytes, 4<<20)
	if liveBytes >= cachedHeapFloor/2 {
		return 0
	}
	return int(cachedHeapFloor*100/liveBytes) - 100
}

// hugeHeapBytes is how much of the heap readyHeap asks huge pages for:
// more than a walk's heap (git/git's cold walk peaks at about 340 MB of
// resident memory, its packs' mapped pages and the arenas included).
const hugeHeapBytes = 256 << 20

// readyHeap asks for huge pages behind the heap a walk is about to grow
// (mmap.AdviseHeapHuge), once per process. A walk touches its heap once,
// page by page, as it grows; with small pages that was 53,000 faults in a
// numstat walk of redis, 5,700 with huge pages, and 16,000 against 3,600
// in a warm churn of git/git. Main calls it first thing: asked later (it
// was, once the command had read its repository's mailmap), the block
// could take in memory the heap had used and freed, which the runtime
// then clears whole, 256 MiB of small pages: 2 in 100 warm runs of go-git
// took 0.9 s instead of 0.08.
var readyHeap = sync.OnceFunc(func() { mmap.AdviseHeapHuge(hugeHeapBytes) })

// walks says whether the command args name is one that walks a history in
// this process: every command but those that only print or manage the
// cache, and export, which runs the gitwalk-export program (that program
// readies its own heap).
func walks(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "version", "help", "cache", "export", "completion", "__complete", "__completeNoDesc", "-h", "--help", "--version":
		return false
	}
	return true
}
