package walker

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/revwalk"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestReadAheadFollowsThePackOrderAndStopsWhereItIsWrong walks a linear
// history of 1,500 commits twice: packed as fast-import leaves it (oldest
// first, the opposite of the walk's order) and after git repack (newest
// first, git's order), with workers: whatever the read-ahead serves, both
// walks compute what a walk without it computes. (How many it serves
// depends on the goroutines' turns; TestReadAheadServesTheWalkInPackOrder
// checks that.)
func TestReadAheadFollowsThePackOrderAndStopsWhereItIsWrong(t *testing.T) {
	const n = 1500
	h := readAheadHistory(t, n)
	walk := func(ahead bool) ([]*Commit, Stats) {
		t.Helper()
		if !ahead {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		}
		r, err := Open(h.Dir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		return walkAll(t, r, Options{Workers: 2, Messages: true})
	}
	for _, packed := range []string{"oldest first", "newest first"} {
		if packed == "newest first" {
			h.Git("repack", "-adq")
		}
		want, st := walk(false)
		if st.WalkCommitsAhead+st.WalkAheadDropped != 0 || len(want) != n {
			t.Fatalf("%s, one processor: %d commits, %d read ahead, %d dropped; want %d, none read ahead", packed, len(want), st.WalkCommitsAhead, st.WalkAheadDropped, n)
		}
		got, st := walk(true)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the walk with the read-ahead computed other commits", packed)
		}
		if st.WalkCommitsRead != n {
			t.Fatalf("%s: %d commits read, want %d", packed, st.WalkCommitsRead, n)
		}
		t.Logf("%s: %d of %d commits read ahead, %d dropped", packed, st.WalkCommitsAhead, n, st.WalkAheadDropped)
		if packed == "oldest first" && st.WalkCommitsAhead != 0 {
			t.Errorf("%s: %d commits read ahead used; every guess lies behind the walk", packed, st.WalkCommitsAhead)
		}
	}
}

// TestReadAheadServesTheWalkInPackOrder drives a read-ahead by hand, in
// the order git log walks a history of 1,500 commits, letting it read as
// far as it may before each next commit, with one reader and with three:
// packed newest first (git's order), every commit after the first
// readAheadStart comes from it, as git has it, and none is read for
// nothing; packed oldest first, none comes from it, and it gives up after
// readAheadGiveUp more.
func TestReadAheadServesTheWalkInPackOrder(t *testing.T) {
	const n = 1500
	h := readAheadHistory(t, n)
	defer func(k, m int) { readAheadGiveUp, readAheadBytes = k, m }(readAheadGiveUp, readAheadBytes)
	readAheadGiveUp = 300      // within the half of the history walked
	readAheadBytes = 512 << 10 // 512 commits of 1 KiB buffers: fewer than the newer ones, so it waits
	for _, run := range []struct {
		packed  string
		readers int
	}{{"oldest first", 1}, {"oldest first", 3}, {"newest first", 1}, {"newest first", 3}} {
		packed := run.packed
		if packed == "newest first" && run.readers == 1 {
			h.Git("repack", "-adq")
		}
		// Oldest first, the walk starts halfway: the read-ahead then finds
		// newer commits to read, all of them behind the walk.
		tip := "main"
		if packed == "oldest first" {
			tip = h.Git("rev-parse", fmt.Sprintf("main~%d", n/2))
		}
		var order []odb.ID
		for _, line := range strings.Fields(h.Git("rev-list", strings.TrimSpace(tip))) {
			id, err := odb.ParseID(line)
			if err != nil {
				t.Fatal(err)
			}
			order = append(order, id)
		}
		db, err := odb.Open(h.Dir)
		if err != nil {
			t.Fatal(err)
		}
		stash := newCommitStash(revwalk.NewODBSource(db))
		ra := newReadAhead(db, stash)
		ra.readers = run.readers
		stash.ahead = ra
		rd := db.NewReader()
		a := arena.New(arena.NewHeap(1 << 20))
		for i, id := range order {
			typ, got, err := stash.ReadObject(id)
			if err != nil {
				t.Fatal(err)
			}
			a.Reset()
			_, want, err := rd.Read(id, a)
			if err != nil {
				t.Fatal(err)
			}
			if typ != odb.Commit || !bytes.Equal(got, want) {
				t.Fatalf("%s: commit %d (%s): %s %q, want the commit %q", packed, i, id, typ, got, want)
			}
			if data := stash.take(id); !bytes.Equal(data, want) {
				t.Fatalf("%s: commit %d was kept as %q", packed, i, data)
			}
			settle(t, ra)
			// Within its bound, but for the runs of commits its readers
			// were reading when they found it reached (1 KiB buffers).
			ra.mu.Lock()
			held := ra.bytes
			ra.mu.Unlock()
			if held > readAheadBytes+run.readers*readAheadRun<<10 {
				t.Fatalf("%s: %d bytes held, bound %d", packed, held, readAheadBytes)
			}
		}
		ra.close()
		used, dropped, _ := ra.figures()
		t.Logf("%s, %d readers: %d of %d commits read ahead, %d dropped", packed, run.readers, used, n, dropped)
		switch packed {
		case "oldest first":
			// The walk's reads stop being counted once it gives up.
			if after := ra.misses - ra.before; used != 0 || dropped > readAheadBytes>>10+readAheadRun || after != readAheadGiveUp+1 {
				t.Errorf("%s: %d used, %d dropped, %d read by the walk once the packs were ordered; want none used, and it gave up after %d", packed, used, dropped, after, readAheadGiveUp)
			}
		case "newest first":
			if used != n-readAheadStart || dropped != 0 {
				t.Errorf("%s: %d used, %d dropped; want the %d after the first %d, none dropped", packed, used, dropped, n-readAheadStart, readAheadStart)
			}
		}
		db.Close()
	}
}

// settle waits until the read-ahead has read all it may for now.
func settle(t *testing.T, ra *readAhead) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Microsecond) {
		ra.mu.Lock()
		settled := !ra.started || ra.stopped || ra.order != nil && ra.idle == ra.running && !ra.roomy()
		ra.mu.Unlock()
		if settled {
			return
		}
		select {
		case <-ra.done:
			return // read to the end of the packs
		default:
		}
	}
	t.Fatal("the read-ahead did not settle in 10 s")
}

// readAheadHistory builds a linear history of n commits for the
// read-ahead's tests, with at least two processors for the test (the
// read-ahead does not run on one).
func readAheadHistory(t *testing.T, n int) *testrepos.History {
	t.Helper()
	testrepos.IsolateGit(t)
	if procs := runtime.GOMAXPROCS(0); procs < 2 {
		runtime.GOMAXPROCS(2)
		t.Cleanup(func() { runtime.GOMAXPROCS(procs) })
	}
	return linearHistory(t, n, func(i int) string { return fmt.Sprintf("f%d=%d", i%7, i) })
}
