package walker

import (
	"runtime"
	"sync"
	"time"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// readAhead reads commits ahead of the revision walk, on goroutines of
// their own, in the order they lie in the packs.
//
// Without a commit-graph file or a store, the revision walk inflates
// every commit, one after the other: it learns a commit's parents only by
// reading it, so it cannot read on before it. That chain is the serial
// part of a walk, the stage no number of workers shortens (a tenth of a
// one-worker walk of the generated history, almost all of it finding and
// inflating commits). git writes a pack's commits first and newest
// first, in a history that is mostly a line in about the order git log
// walks them: read in the pack's order (odb.PackOrder), they arrive
// before the walk asks for them, and the walk's goroutine only looks them
// up. (Not in git/git's, whose merges interleave branches by date in the
// walk and not in the pack: there it gives up, see below.) The readers take runs of
// readAheadRun objects in turn, so that several can share the reading
// where there are processors for them (readAheadReaders).
//
// It is a guess, and checked as it goes:
//   - it starts once the walk has read readAheadStart commits itself, so
//     that short walks, and walks served by a commit-graph or the store,
//     never pay for the pack order;
//   - it keeps at most readAheadBytes of commits not yet asked for, and reads
//     no further than readAheadRanks objects past the furthest commit the
//     walk asked for;
//   - a commit the walk read itself that lies further on in the pack moves
//     it there, and the commits it holds from more than readAheadDrop
//     objects before what the walk asks are dropped as not needed;
//   - once it dropped more commits than the walk used (past
//     readAheadStart), or the walk read more than twice as many itself as
//     it took from the read-ahead (past readAheadGiveUp), the pack's order
//     is not the walk's (a pack fetched in another order, a walk of an old
//     branch, git/git's merges): it stops, on git/git after 600 to 2,000
//     commits.
//
// It runs only where another processor can run it: with GOMAXPROCS 1 it
// would take the workers' time.
type readAhead struct {
	db      *odb.DB
	stash   *commitStash
	readers int // goroutines that read (readAheadReaders)

	mu      sync.Mutex
	cond    sync.Cond
	m       map[odb.ID]aheadCommit // read, not asked for yet
	bytes   int                    // their buffers' capacity
	next    int                    // the next rank to look at
	asked   int                    // the furthest rank the walk asked for
	misses  int                    // commits the walk read itself
	last    odb.ID                 // the last of them
	before  int                    // of them, before the packs were ordered
	swept   int                    // asked at the last sweep
	started bool
	running int  // readers not ended
	idle    int  // readers waiting for room
	stopped bool // by close, by the waste rules, or at the packs' end
	order   *odb.PackOrder
	done    chan struct{} // closed when the last reader ends

	used, dropped int
	busy          time.Duration
}

type aheadCommit struct {
	data []byte
	rank int
}

// The read-ahead's bounds. It holds up to readAheadBytes of commits:
// redis's pack interleaves the commits of its release branches with
// those of the branch walked, a third of what it reads, which it holds
// until the walk has passed them by readAheadDrop objects; with room for
// 512 it was soon full of them and gave up.
const (
	readAheadStart = 256
	readAheadRanks = 1 << 14
	readAheadRun   = 32
	readAheadDrop  = 2048
)

// readAheadBytes bounds the commits held not yet asked for (their
// buffers' capacity, whole KiB: about 2,000 commits), and
// readAheadGiveUp is how many commits the walk reads itself, once the
// packs are ordered, before the read-ahead may give up (variables for
// tests).
var (
	readAheadBytes  = 2 << 20
	readAheadGiveUp = 1024
)

// newReadAhead returns a read-ahead for stash, or nil when one processor
// is all there is.
func newReadAhead(db *odb.DB, stash *commitStash) *readAhead {
	procs := runtime.GOMAXPROCS(0)
	if procs < 2 {
		return nil
	}
	ra := &readAhead{db: db, stash: stash, readers: readAheadReaders(procs), m: map[odb.ID]aheadCommit{}, asked: -1, done: make(chan struct{})}
	ra.cond.L = &ra.mu
	return ra
}

// take returns commit id's content when it was read ahead, and forgets it.
func (ra *readAhead) take(id odb.ID) ([]byte, bool) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if len(ra.m) == 0 {
		return nil, false
	}
	c, ok := ra.m[id]
	if !ok {
		return nil, false
	}
	delete(ra.m, id)
	ra.bytes -= cap(c.data)
	ra.used++
	ra.asked = max(ra.asked, c.rank)
	ra.wake()
	return c.data, true
}

// missed notes commit id, which the walk read itself: it starts the
// read-ahead after readAheadStart of them, and moves it on to id when id
// lies further on in the pack.
func (ra *readAhead) missed(id odb.ID) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if ra.stopped {
		return
	}
	ra.misses++
	ra.last = id
	if !ra.started {
		if ra.misses >= readAheadStart {
			ra.started = true
			go ra.run()
		}
		return
	}
	if ra.order == nil {
		ra.before = ra.misses
		return // still ordering the packs
	}
	if after := ra.misses - ra.before; after > readAheadGiveUp && after > 2*ra.used {
		// The walk reads on by itself: the pack's order is not its own.
		ra.stopped = true
		ra.cond.Broadcast()
		return
	}
	// A commit stored as a delta lies where its base put it, not in the
	// pack's order of commits: it says nothing of where the walk is.
	if rank, ok := ra.order.Rank(id); ok && ra.order.IsCommit(rank) {
		ra.asked = max(ra.asked, rank)
		if rank >= ra.next {
			ra.next = rank + 1
		}
		if ra.idle > 0 {
			ra.sweep()
			ra.wake()
		}
	}
}

// roomy reports whether a waiting reader may go on: the read-ahead
// holds and reads ahead a quarter less than it may (so that readers wake
// once a run of commits was taken, not for every one). Called with mu
// held.
func (ra *readAhead) roomy() bool {
	return ra.bytes <= readAheadBytes*3/4 && ra.next <= ra.asked+readAheadRanks*3/4
}

// full reports whether the readers must wait: they hold readAheadBytes,
// or have read readAheadRanks objects past the walk. Called with mu held.
func (ra *readAhead) full() bool {
	return ra.bytes >= readAheadBytes || ra.next > ra.asked+readAheadRanks
}

// wake wakes the waiting readers when there is room again. Called with mu
// held.
func (ra *readAhead) wake() {
	if ra.idle > 0 && ra.roomy() {
		ra.cond.Broadcast()
	}
}

// readAheadReaders is how many goroutines read ahead with procs
// processors: one up to 7 (what one reads ahead of the walk is not what
// bounds the walk there), then one for every four, up to 4.
func readAheadReaders(procs int) int {
	return min(max(procs/4, 1), 4)
}

// run orders the packs and starts the readers. It starts after the last
// commit the walk read itself by the time the packs are ordered.
func (ra *readAhead) run() {
	t0 := time.Now()
	order := ra.db.PackOrder()
	ra.mu.Lock()
	ra.busy += time.Since(t0)
	ra.order = order
	if rank, ok := order.Rank(ra.last); ok {
		ra.asked = max(ra.asked, rank)
		ra.next = rank + 1
	} else {
		ra.stopped = true
	}
	ra.running = ra.readers
	ra.mu.Unlock()
	for i := 1; i < ra.readers; i++ {
		go ra.read()
	}
	ra.read()
}

// read is one reader: it takes runs of ranks in turn and reads their
// commits. The last reader to end releases the order.
func (ra *readAhead) read() {
	t0 := time.Now()
	rd := ra.db.NewReader()
	rd.SetCacheLimit(revwalk.CacheBytes)
	a := arena.New(arena.NewHeap(1 << 20))
	order := ra.order // set before the readers start, and kept until they end
	type read struct {
		id   odb.ID
		data []byte
		rank int
	}
	var got []read
	ra.mu.Lock()
	defer ra.mu.Unlock()
	for !ra.stopped {
		if ra.full() {
			ra.sweep()
			if ra.full() {
				ra.busy += time.Since(t0)
				ra.idle++
				for !ra.roomy() && !ra.stopped {
					ra.cond.Wait()
				}
				ra.idle--
				t0 = time.Now()
				continue
			}
		}
		if ra.next >= order.Len() {
			break
		}
		// A run of ranks is looked at without the lock, which the walk
		// takes for every commit.
		lo := ra.next
		hi := min(lo+readAheadRun, order.Len(), ra.asked+readAheadRanks+1)
		ra.next = hi
		ra.mu.Unlock()
		got = got[:0]
		for rank := lo; rank < hi; rank++ {
			id, ok := order.Commit(rank)
			if !ok {
				continue
			}
			a.Reset()
			if typ, data, err := rd.Read(id, a); err == nil && typ == odb.Commit {
				got = append(got, read{id, ra.stash.copyOf(data), rank})
			}
		}
		ra.mu.Lock()
		for _, c := range got {
			if _, have := ra.m[c.id]; !have && c.rank >= ra.asked-readAheadDrop {
				ra.m[c.id] = aheadCommit{data: c.data, rank: c.rank}
				ra.bytes += cap(c.data)
			} else {
				ra.dropped++
			}
		}
	}
	ra.busy += time.Since(t0)
	// Once the last reader ends, nothing asks the order again.
	if ra.running--; ra.running == 0 {
		ra.stopped, ra.order = true, nil
		order.Close()
		close(ra.done)
	}
	ra.cond.Broadcast() // the other readers see stopped
}

// sweep drops the commits held from well before what the walk asks for,
// and stops the read-ahead once it has dropped more than the walk used.
// Called with mu held.
func (ra *readAhead) sweep() {
	// Nothing more lies behind the walk until it has moved on: a sweep
	// goes through every commit held.
	if ra.asked < ra.swept+readAheadDrop/8 {
		return
	}
	ra.swept = ra.asked
	for id, c := range ra.m {
		if c.rank < ra.asked-readAheadDrop {
			delete(ra.m, id)
			ra.bytes -= cap(c.data)
			ra.dropped++
		}
	}
	if ra.dropped > readAheadStart && ra.dropped > ra.used {
		ra.stopped = true
	}
}

// close stops the read-ahead and waits for its readers.
func (ra *readAhead) close() {
	ra.mu.Lock()
	ra.stopped = true
	started := ra.started
	ra.cond.Broadcast()
	ra.mu.Unlock()
	if started {
		<-ra.done
	}
}

// figures returns the commits the walk took from the read-ahead, those it
// read and dropped (counting those it held at the end) and its readers'
// busy time, added up. Call after close.
func (ra *readAhead) figures() (used, dropped int, busy time.Duration) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	return ra.used, ra.dropped + len(ra.m), ra.busy
}
