package walker

import (
	"runtime"
	"sync"
	"time"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// readAhead reads commits ahead of the revision walk, on a goroutine of
// its own, in the order they lie in the packs.
//
// Without a commit-graph file or a store, the revision walk inflates
// every commit, one after the other: it learns a commit's parents only by
// reading it, so it cannot read on before it. That chain is the serial
// part of a walk, the stage no number of workers shortens (a tenth of a
// one-worker walk of the generated history, almost all of it finding and
// inflating commits). git writes a pack's commits first and newest
// first, in about the order git log walks them: read in the pack's order
// (odb.PackOrder), they arrive before the walk asks for them, and the
// walk's goroutine only looks them up.
//
// It is a guess, and checked as it goes:
//   - it starts once the walk has read readAheadStart commits itself, so
//     that short walks, and walks served by a commit-graph or the store,
//     never pay for the pack order;
//   - it keeps at most readAheadMax commits not yet asked for, and reads
//     no further than readAheadRanks objects past the last commit the walk
//     asked for;
//   - a commit the walk read itself that lies further on in the pack moves
//     it there, and the commits it holds from more than readAheadRanks
//     objects before what the walk asks are dropped as not needed;
//   - once it dropped more commits than the walk used (past
//     readAheadStart), or the walk read more than twice as many itself as
//     it took from the read-ahead (past readAheadGiveUp), the pack's order is not the walk's (a pack
//     fetched in another order, a walk of an old branch): it stops.
//
// It runs only where another processor can run it: with GOMAXPROCS 1 it
// would take the workers' time.
type readAhead struct {
	db    *odb.DB
	stash *commitStash

	mu      sync.Mutex
	cond    sync.Cond
	m       map[odb.ID]aheadCommit // read, not asked for yet
	next    int                    // the next rank to look at
	asked   int                    // the furthest rank the walk asked for
	misses  int                    // commits the walk read itself
	last    odb.ID                 // the last of them
	before  int                    // of them, before the packs were ordered
	started bool
	waiting bool // the goroutine waits for room
	stopped bool // by close, or by the waste rule
	order   *odb.PackOrder
	done    chan struct{}

	used, dropped int
	busy          time.Duration
}

type aheadCommit struct {
	data []byte
	rank int
}

const (
	readAheadStart  = 256
	readAheadMax    = 512
	readAheadRanks  = 1 << 14
	readAheadResume = readAheadMax * 3 / 4
	readAheadRun    = 32
	readAheadDrop   = 2048
	readAheadGiveUp = 1024
)

// newReadAhead returns a read-ahead for stash, or nil when one processor
// is all there is.
func newReadAhead(db *odb.DB, stash *commitStash) *readAhead {
	if runtime.GOMAXPROCS(0) < 2 {
		return nil
	}
	ra := &readAhead{db: db, stash: stash, m: map[odb.ID]aheadCommit{}, asked: -1, done: make(chan struct{})}
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
		ra.cond.Signal()
		return
	}
	// A commit stored as a delta lies where its base put it, not in the
	// pack's order of commits: it says nothing of where the walk is.
	if rank, ok := ra.order.Rank(id); ok && ra.order.IsCommit(rank) {
		ra.asked = max(ra.asked, rank)
		if rank >= ra.next {
			ra.next = rank + 1
		}
		if ra.waiting {
			ra.sweep()
			ra.wake()
		}
	}
}

// wake wakes the read-ahead's goroutine when it waits and there is room
// again: a quarter of what it may hold or read ahead. Called with mu held.
func (ra *readAhead) wake() {
	if ra.waiting && len(ra.m) <= readAheadResume && ra.next <= ra.asked+readAheadRanks*3/4 {
		ra.waiting = false
		ra.cond.Signal()
	}
}

// run is the read-ahead's goroutine. It starts after the last commit the
// walk read itself by the time the packs are ordered.
func (ra *readAhead) run() {
	defer close(ra.done)
	t0 := time.Now()
	order := ra.db.PackOrder()
	rd := ra.db.NewReader()
	rd.SetCacheLimit(revwalk.CacheBytes)
	a := arena.New(arena.NewHeap(1 << 20))
	ra.mu.Lock()
	defer ra.mu.Unlock()
	// Once it returns, the order is released: nothing asks it again.
	defer func() {
		ra.stopped, ra.order = true, nil
		order.Close()
	}()
	ra.order = order
	if rank, ok := order.Rank(ra.last); ok {
		ra.asked = max(ra.asked, rank)
		ra.next = rank + 1
	} else {
		ra.stopped = true
	}
	type read struct {
		id   odb.ID
		data []byte
		rank int
	}
	var got []read
	for !ra.stopped {
		if len(ra.m) >= readAheadMax || ra.next > ra.asked+readAheadRanks {
			ra.sweep()
			if len(ra.m) >= readAheadMax || ra.next > ra.asked+readAheadRanks {
				ra.busy += time.Since(t0)
				ra.waiting = true
				for ra.waiting && !ra.stopped {
					ra.cond.Wait()
				}
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
			} else {
				ra.dropped++
			}
		}
	}
	ra.busy += time.Since(t0)
}

// sweep drops the commits held from well before what the walk asks for,
// and stops the read-ahead once it has dropped more than the walk used.
// Called with mu held.
func (ra *readAhead) sweep() {
	for id, c := range ra.m {
		if c.rank < ra.asked-readAheadDrop {
			delete(ra.m, id)
			ra.dropped++
		}
	}
	if ra.dropped > readAheadStart && ra.dropped > ra.used {
		ra.stopped = true
	}
}

// close stops the read-ahead and waits for its goroutine.
func (ra *readAhead) close() {
	ra.mu.Lock()
	ra.stopped = true
	ra.waiting = false
	started := ra.started
	ra.cond.Broadcast()
	ra.mu.Unlock()
	if started {
		<-ra.done
	}
}

// figures returns the commits the walk took from the read-ahead, those it
// read and dropped (counting those it held at the end) and its goroutine's
// busy time. Call after close.
func (ra *readAhead) figures() (used, dropped int, busy time.Duration) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	return ra.used, ra.dropped + len(ra.m), ra.busy
}
