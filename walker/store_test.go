package walker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/internal/store"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// walkAll walks and keeps every Commit, with the walk's Stats.
func walkAll(t *testing.T, r *Repo, opts Options) ([]*Commit, Stats) {
	t.Helper()
	var st Stats
	opts.Stats = &st
	var out []*Commit
	if err := r.Walk(context.Background(), opts, func(c *Commit) error {
		out = append(out, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out, st
}

func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStoreGivesTheWalksOwnCommits walks every fixture with settings that
// change records (renames, copies, path limits, merges diffed, messages)
// without a store, then cold and warm with one, and wants the same
// Commits and the same result figures each time.
func TestStoreGivesTheWalksOwnCommits(t *testing.T) {
	cases := []struct {
		name string
		opts Options
	}{
		{"default", Options{Revisions: []string{"--all"}}},
		{"no renames, messages", Options{Revisions: []string{"--all"}, Renames: RenamesOff, Messages: true}},
		{"copies, first parent, two workers", Options{Revisions: []string{"--all"}, Renames: RenamesAndCopies, FirstParent: true, Workers: 2}},
		{"merges diffed, minimal, one worker", Options{Revisions: []string{"--all"}, DiffMerges: true, Algorithm: Minimal, AlgorithmSet: true, Workers: 1}},
		{"tiny blob limit", Options{Revisions: []string{"--all"}, MaxBlobSize: 20}},
		{"topo order, since, reverse", Options{Revisions: []string{"--all"}, TopoOrder: true, Reverse: true, Since: time.Unix(1700000000, 0)}},
	}
	dir := t.TempDir() // one store for every fixture and case: keys must keep them apart
	for _, name := range testrepos.Names() {
		if name == "empty" {
			continue
		}
		r := openFixture(t, name)
		for _, tc := range cases {
			if name == "large" && tc.name != "default" {
				continue // big files: seconds of diffs, for nothing the other fixtures miss
			}
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				want, wantSt := walkAll(t, r, tc.opts)
				for _, round := range []string{"cold", "warm"} {
					s := openStore(t, dir)
					o := tc.opts
					o.Store = s
					got, st := walkAll(t, r, o)
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					if s.Err() != nil {
						t.Fatalf("%s: store error %v", round, s.Err())
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s: the walk with the store differs from the walk without", round)
					}
					if st.Commits != wantSt.Commits || st.Binary != wantSt.Binary || st.Renames != wantSt.Renames || st.RenameLimitNeeded != wantSt.RenameLimitNeeded {
						t.Fatalf("%s: stats %+v, without the store %+v", round, st, wantSt)
					}
					if round == "warm" && (st.StoreHits != len(want) || st.StoreMisses != 0) {
						t.Fatalf("warm: %d hits, %d misses; want %d hits", st.StoreHits, st.StoreMisses, len(want))
					}
				}
			})
		}
	}
}

// TestStoreKeysByPathspecAndParent: a path-limited walk rewrites parents
// and lists only matching files; its records must not serve the full walk,
// nor the other way round.
func TestStoreKeysByPathspecAndParent(t *testing.T) {
	r := openFixture(t, "paths")
	dir := t.TempDir()
	walks := []Options{
		{Revisions: []string{"--all"}, Paths: []string{"src"}},
		{Revisions: []string{"--all"}},
		{Revisions: []string{"--all"}, Paths: []string{"src"}, FullDiff: true},
		{Revisions: []string{"--all"}, Paths: []string{"src"}, FullDiff: true, DiffMerges: true},
		{Revisions: []string{"--all"}, DiffMerges: true},
	}
	want := make([][]*Commit, len(walks))
	for i, o := range walks {
		want[i], _ = walkAll(t, r, o)
	}
	for round := 0; round < 2; round++ {
		for i, o := range walks {
			s := openStore(t, dir)
			o.Store = s
			got, _ := walkAll(t, r, o)
			s.Close()
			if !reflect.DeepEqual(got, want[i]) {
				t.Fatalf("round %d: walk %+v with a shared store differs from its walk without", round, o)
			}
		}
	}
}

// TestStoreSeesChangedAttributes changes a work tree's .gitattributes
// between two warm walks: the second must count as the new attributes say.
func TestStoreSeesChangedAttributes(t *testing.T) {
	testrepos.IsolateGit(t)
	work := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@x", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@x")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	if err := os.MkdirAll(filepath.Join(work, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "sub", "a.txt"), []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "a")
	dir := t.TempDir()
	walkWith := func() *Commit {
		r, err := Open(work)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		s := openStore(t, dir)
		defer s.Close()
		got, _ := walkAll(t, r, Options{Store: s})
		return got[0]
	}
	if c := walkWith(); c.Changes[0].Binary {
		t.Fatal("a.txt is binary before any attribute")
	}
	// An untracked .gitattributes in a folder: git log reads it, so the
	// warm walk must too.
	if err := os.WriteFile(filepath.Join(work, "sub", ".gitattributes"), []byte("*.txt -diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := walkWith(); !c.Changes[0].Binary {
		t.Fatal("a.txt counted as text after sub/.gitattributes says -diff: a record of other attributes was used")
	}
}

// TestStoreErrorsLeaveTheWalkRight: a store that fails under a walk is
// reported by Err, and the walk's commits are right.
func TestStoreErrorsLeaveTheWalkRight(t *testing.T) {
	r := openFixture(t, "content")
	want, _ := walkAll(t, r, Options{})
	dir := t.TempDir()
	s := openStore(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenStore(filepath.Join(dir, "store.db", "x")); err == nil {
		t.Fatal("a store folder under a file opened")
	}
	s = openStore(t, dir)
	s.s.Close() // the store fails under the walk: every Get and Put is ErrClosed
	got, st := walkAll(t, r, Options{Store: s})
	if !reflect.DeepEqual(got, want) {
		t.Fatal("the walk over a failing store differs from the walk without")
	}
	if s.Err() == nil || st.StoreHits != 0 {
		t.Fatalf("Err() = %v, %d hits; want the store's error and no hits", s.Err(), st.StoreHits)
	}
	if errors.Is(s.Err(), ErrStoreDamaged) {
		t.Fatalf("a closed store reported as damaged: %v", s.Err())
	}
}

// storeKeysOf lists the store's keys of one kind of graph record: the
// closures (closure set) or the commits' own records.
func storeKeysOf(t *testing.T, s *Store, closure bool) []store.Key {
	t.Helper()
	g := newGraphSource(nil, s)
	f := g.key.Settings
	if closure {
		f = g.closureKey.Settings
	}
	keys, err := s.s.Keys(f)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// closuresIn returns the anchors of the store's closures (not aliases),
// failing when an alias names no closure.
func closuresIn(t *testing.T, s *Store) []Hash {
	t.Helper()
	var anchors []Hash
	aliased := map[Hash]bool{}
	for _, k := range storeKeysOf(t, s, true) {
		if k.Order != 0 {
			continue // a part of a closure kept in parts
		}
		v, ok, err := s.s.Get(k)
		if err != nil || !ok || len(v) == 0 {
			t.Fatalf("closure key %x: %v, %v", k.Commit, ok, err)
		}
		switch v[0] {
		case closureRecord, partsRecord:
			anchors = append(anchors, k.Commit)
		case aliasRecord:
			aliased[Hash(v[1:])] = true
		default:
			t.Fatalf("closure key %x: kind %q", k.Commit, v[0])
		}
	}
	for a := range aliased {
		if !slices.Contains(anchors, a) {
			t.Fatalf("an alias names %s, which is no closure", a)
		}
	}
	return anchors
}

// TestAClosureServesTheRevisionWalk: a walk keeps one closure of the
// commits it read, and no record per commit; the closure serves the next
// walk's revision walk; new commits are read from their objects and a new
// closure replaces those whose every commit the walk walked.
func TestAClosureServesTheRevisionWalk(t *testing.T) {
	testrepos.IsolateGit(t)
	h := pathRepo(t)
	r, err := Open(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	all := Options{Revisions: []string{"--all"}}
	want, _ := walkAll(t, r, all)
	s := openStore(t, t.TempDir())
	defer s.Close()
	o := all
	o.Store = s
	walk := func(what string, o Options) Stats {
		t.Helper()
		got, st := walkAll(t, r, o)
		if s.Err() != nil {
			t.Fatalf("%s: store error %v", what, s.Err())
		}
		if len(o.Revisions) == 1 && o.Revisions[0] == "--all" && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the walk with the store differs from the walk without", what)
		}
		return st
	}
	total := len(h.Names)
	if st := walk("cold", o); st.WalkCommitsRead != total || st.WalkCommitsFromStore != 0 {
		t.Fatalf("cold: %d commits read, %d from the store; want %d read", st.WalkCommitsRead, st.WalkCommitsFromStore, total)
	}
	if n := len(closuresIn(t, s)); n != 1 {
		t.Fatalf("cold: %d closures, want 1", n)
	}
	if n := len(storeKeysOf(t, s, true)); n != 1+3 {
		t.Fatalf("cold: %d closure and alias records, want 1 and an alias for each of the 3 other branches", n)
	}
	if n := len(storeKeysOf(t, s, false)); n != 0 {
		t.Fatalf("cold: %d records of single commits, want none after a walk to its end", n)
	}
	if st := walk("warm", o); st.WalkCommitsRead != 0 || st.WalkCommitsFromStore != total {
		t.Fatalf("warm: %d commits read, %d from the store; want all %d from the store", st.WalkCommitsRead, st.WalkCommitsFromStore, total)
	}
	// Two new commits on main: read from their objects, the rest from the
	// closure. It holds the other branches' commits too, which this walk
	// does not walk, so it stays beside the new one, anchored at main.
	extendHistory(t, h, "main", "main", "N1", 1400, "")
	extendHistory(t, h, "main", "main", "N2", 1410, "")
	main := o
	main.Revisions = []string{"main"}
	if st := walk("two new commits", main); st.WalkCommitsRead != 2 {
		t.Fatalf("two new commits: %d commits read from objects, want 2", st.WalkCommitsRead)
	}
	closures := closuresIn(t, s)
	newMain := strings.TrimSpace(h.Git("rev-parse", "main"))
	if len(closures) != 2 || !slices.ContainsFunc(closures, func(a Hash) bool { return a.String() == newMain }) {
		t.Fatalf("after the new commits: closures %v, want the first and one anchored at main %s", closures, newMain)
	}
	// Every branch again: all from the two closures, and the walk is
	// still git's. It walks every commit of both, but two are a short
	// chain: they stay as they are (see maxChain).
	want, _ = walkAll(t, r, all)
	keys := storeKeysOf(t, s, true)
	st := walk("all again", o)
	if st.WalkCommitsRead != 0 || st.WalkCommitsFromStore != total+2 {
		t.Fatalf("all again: %d read, %d from the store, of %d", st.WalkCommitsRead, st.WalkCommitsFromStore, total+2)
	}
	if after := storeKeysOf(t, s, true); !reflect.DeepEqual(after, keys) {
		t.Fatalf("after every branch again: closure keys %v, want those before, %v", after, keys)
	}
	// With a chain as long as maxChain, one closure replaces them.
	defer func(n int) { maxChain = n }(maxChain)
	maxChain = 2
	walk("all, a long chain", o)
	if closures := closuresIn(t, s); len(closures) != 1 || len(storeKeysOf(t, s, true)) != 1+3 {
		t.Fatalf("after every branch with a long chain: closures %v and %d keys, want one closure and 3 aliases", closures, len(storeKeysOf(t, s, true)))
	}
	if st := walk("all from the merged closure", o); st.WalkCommitsRead != 0 || st.WalkCommitsFromStore != total+2 {
		t.Fatalf("all from the merged closure: %d read, %d from the store", st.WalkCommitsRead, st.WalkCommitsFromStore)
	}
}

// closureSize returns how many commits the closure anchored at a holds.
func closureSize(t *testing.T, s *Store, a Hash) int {
	t.Helper()
	g := newGraphSource(nil, s)
	defer g.release()
	v, _ := g.closureRecord(a)
	if len(v) == 0 || v[0] != closureRecord {
		t.Fatalf("closure %s: %d bytes, %v", a, len(v), s.Err())
	}
	d := recordDecoder{data: v[1:]}
	for n := d.uvarint(); n > 0; n-- {
		var alias Hash
		d.hash(&alias)
	}
	n := int(d.uvarint())
	if d.err != nil {
		t.Fatalf("closure %s: %v", a, d.err)
	}
	return n
}

// checkedWalk returns a walk of r under o with the store s, which fails the
// test when the store failed or the walk's output differs from the same
// walk's without the store (walked again each time: the history may have
// grown).
func checkedWalk(t *testing.T, r *Repo, s *Store, o Options) func(what string) Stats {
	return func(what string) Stats {
		t.Helper()
		want, _ := walkAll(t, r, o)
		with := o
		with.Store = s
		got, st := walkAll(t, r, with)
		if s.Err() != nil {
			t.Fatalf("%s: store error %v", what, s.Err())
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the walk with the store differs from the walk without", what)
		}
		return st
	}
}

// TestNewCommitsMakeAClosureOfTheirOwn: a nightly re-run after a few new
// commits keeps them in a small closure beside the one it walked whole,
// which it does not rewrite; the chain serves the next walks, and once it
// is maxChain long, one closure replaces it.
func TestNewCommitsMakeAClosureOfTheirOwn(t *testing.T) {
	t.Run("whole", testNewCommitsMakeAClosureOfTheirOwn)
	// Closures in parts of 64 bytes: each of this history's is in several,
	// and the test reads them back through closureRecord.
	defer func(part, whole int) { closurePart, closureWhole = part, whole }(closurePart, closureWhole)
	closurePart, closureWhole = 64, 64
	t.Run("in parts", testNewCommitsMakeAClosureOfTheirOwn)
}

func testNewCommitsMakeAClosureOfTheirOwn(t *testing.T) {
	testrepos.IsolateGit(t)
	h := pathRepo(t)
	r, err := Open(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { maxChain = n }(maxChain)
	maxChain = 3
	s := openStore(t, t.TempDir())
	defer s.Close()
	walk := checkedWalk(t, r, s, Options{Revisions: []string{"main"}})
	walk("cold")
	first := closuresIn(t, s)
	if len(first) != 1 {
		t.Fatalf("cold: closures %v, want 1", first)
	}
	whole := closureSize(t, s, first[0])
	for i, name := range []string{"N1", "N2"} {
		extendHistory(t, h, "main", "main", name, int64(1400+10*i), "")
		if st := walk(name); st.WalkCommitsRead != 1 {
			t.Fatalf("%s: %d commits read from objects, want 1", name, st.WalkCommitsRead)
		}
		tip := strings.TrimSpace(h.Git("rev-parse", "main"))
		closures := closuresIn(t, s)
		if len(closures) != 2+i || !slices.ContainsFunc(closures, func(a Hash) bool { return a.String() == tip }) {
			t.Fatalf("after %s: closures %v, want %d, one anchored at main %s", name, closures, 2+i, tip)
		}
		tipID, err := ParseHash(tip)
		if err != nil {
			t.Fatal(err)
		}
		if n := closureSize(t, s, tipID); n != 1 {
			t.Fatalf("after %s: the new closure holds %d commits, want the new one", name, n)
		}
		if n := closureSize(t, s, first[0]); n != whole {
			t.Fatalf("after %s: the first closure holds %d commits, want its %d", name, n, whole)
		}
		if i == 0 {
			// Warm on a chain shorter than maxChain: served from it, which
			// stays as it is.
			if st := walk("warm after N1"); st.WalkCommitsRead != 0 || st.WalkCommitsFromStore != whole+1 {
				t.Fatalf("warm after N1: %d read, %d from the store, want %d from the store", st.WalkCommitsRead, st.WalkCommitsFromStore, whole+1)
			}
			if after := closuresIn(t, s); !slices.Equal(after, closures) {
				t.Fatalf("warm after N1: closures %v, want %v as they were", after, closures)
			}
		}
	}
	// Warm: all from the chain of three, which is maxChain: one replaces it.
	if st := walk("warm"); st.WalkCommitsRead != 0 || st.WalkCommitsFromStore != whole+2 {
		t.Fatalf("warm: %d read, %d from the store, want %d from the store", st.WalkCommitsRead, st.WalkCommitsFromStore, whole+2)
	}
	if closures := closuresIn(t, s); len(closures) != 1 || closureSize(t, s, closures[0]) != whole+2 {
		t.Fatalf("after the warm walk: closures %v, want one of %d commits", closures, whole+2)
	}
	if st := walk("warm again"); st.WalkCommitsRead != 0 || st.WalkCommitsFromStore != whole+2 {
		t.Fatalf("warm again: %d read, %d from the store", st.WalkCommitsRead, st.WalkCommitsFromStore)
	}
}

// linearHistory builds a history of n commits, C0 to C(n-1), each the
// parent of the next, commit i changing what change(i) says (testrepos'
// "path=content"), with main at the last.
func linearHistory(t *testing.T, n int, change func(i int) string) *testrepos.History {
	t.Helper()
	h := testrepos.NewHistory(t)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("C%d", i)
		if i == 0 {
			h.Commit(name, int64(1000+i), change(i))
		} else {
			h.Commit(name, int64(1000+i), change(i), fmt.Sprintf("C%d", i-1))
		}
	}
	h.Branch("main", fmt.Sprintf("C%d", n-1))
	h.Build("main")
	return h
}

// TestAWalkStoppedEarlyKeepsNoClosure: a closure is kept only by a
// revision walk that reached its end; one stopped keeps a record of each
// commit it read. The history is longer than the window of commits the
// revision walk may run ahead of the callback, so a callback that stops at
// the second commit stops it short of the end; the same walk to its end
// then reads those records, keeps one closure and deletes the records.
func TestAWalkStoppedEarlyKeepsNoClosure(t *testing.T) {
	testrepos.IsolateGit(t)
	const n = 150 // well past the window of 8 x 1 worker + 32
	h := linearHistory(t, n, func(i int) string { return fmt.Sprintf("f=%d", i) })
	r, err := Open(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := openStore(t, t.TempDir())
	defer s.Close()
	seen := 0
	err = r.Walk(context.Background(), Options{Store: s, Workers: 1}, func(c *Commit) error {
		if seen++; seen == 2 {
			return ErrStop
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if k := storeKeysOf(t, s, true); len(k) != 0 {
		t.Fatalf("a stopped walk kept %d closures", len(k))
	}
	read := len(storeKeysOf(t, s, false))
	if read < 2 || read >= n {
		t.Fatalf("a stopped walk kept %d records of single commits, want those it read: 2 or more, fewer than %d", read, n)
	}
	_, st := walkAll(t, r, Options{Store: s, Workers: 1})
	if st.Commits != n || st.WalkCommitsFromStore != read || st.WalkCommitsRead != n-read {
		t.Fatalf("the whole walk: %d commits, %d from the store, %d read; want %d, %d and %d", st.Commits, st.WalkCommitsFromStore, st.WalkCommitsRead, n, read, n-read)
	}
	if a := closuresIn(t, s); len(a) != 1 {
		t.Fatalf("the whole walk kept %d closures, want 1", len(a))
	}
	if k := storeKeysOf(t, s, false); len(k) != 0 {
		t.Fatalf("the whole walk left %d records of single commits, want them deleted", len(k))
	}
}

// A closure read into memory of its own (mapped, as a large one is) serves
// the warm walk, and the memory is let go at the walk's end: a later walk
// that used it after would fault.
func TestAMappedClosureServesAndIsLetGo(t *testing.T) {
	defer func(n int) { closureMapMin = n }(closureMapMin)
	closureMapMin = 1
	r := openFixture(t, "merges")
	all := Options{Revisions: []string{"--all"}}
	want, st := walkAll(t, r, all)
	s := openStore(t, t.TempDir())
	defer s.Close()
	all.Store = s
	for _, what := range []string{"cold", "warm", "warm again"} {
		got, wst := walkAll(t, r, all)
		if s.Err() != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: store error %v, or the walk differs from the walk without", what, s.Err())
		}
		if what != "cold" && (wst.WalkCommitsFromStore != st.WalkCommitsRead || wst.WalkCommitsRead != 0) {
			t.Fatalf("%s: %d commits from the store, %d read; want all %d from the store", what, wst.WalkCommitsFromStore, wst.WalkCommitsRead, st.WalkCommitsRead)
		}
	}
}

// TestWarmWalksInBatchesAreGits: a warm walk hands commits to its workers
// in batches (batchFor); its output is the walk's without the store, for
// any worker count, and a callback's ErrStop or a cancelled context ends
// it after exactly the commits given, wherever that falls in a batch.
func TestWarmWalksInBatchesAreGits(t *testing.T) {
	testrepos.IsolateGit(t)
	const n = 300 // many batches, well past the window of 8 x workers + 32
	h := linearHistory(t, n, func(i int) string { return fmt.Sprintf("f%d=%d", i%7, i) })
	r, err := Open(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want, _ := walkAll(t, r, Options{})
	s := openStore(t, t.TempDir())
	defer s.Close()
	walkAll(t, r, Options{Store: s}) // cold
	for _, workers := range []int{1, 2, 3} {
		got, st := walkAll(t, r, Options{Store: s, Workers: workers})
		if st.StoreHits != n {
			t.Fatalf("-j%d: %d store hits, want %d", workers, st.StoreHits, n)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("-j%d: the warm walk differs from the walk without the store", workers)
		}
		for _, stop := range []int{1, 16, 17, 40, n - 1} {
			seen := 0
			err := r.Walk(context.Background(), Options{Store: s, Workers: workers}, func(c *Commit) error {
				if c.Hash != want[seen].Hash {
					t.Fatalf("-j%d, stop at %d: commit %d is %s, want %s", workers, stop, seen, c.Hash, want[seen].Hash)
				}
				if seen++; seen == stop {
					return ErrStop
				}
				return nil
			})
			if err != nil || seen != stop {
				t.Fatalf("-j%d: stopped at %d: %d callbacks, %v", workers, stop, seen, err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		seen := 0
		err := r.Walk(ctx, Options{Store: s, Workers: workers}, func(c *Commit) error {
			if seen++; seen == 33 {
				cancel()
			}
			return nil
		})
		cancel()
		if !errors.Is(err, context.Canceled) || seen != 33 {
			t.Fatalf("-j%d, cancelled at 33: %d callbacks, %v", workers, seen, err)
		}
		var mu sync.Mutex
		once := map[Hash]int{}
		if err := r.WalkParallel(context.Background(), Options{Store: s, Workers: workers}, func(_ int, c *Commit) error {
			mu.Lock()
			once[c.Hash]++
			mu.Unlock()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(once) != n {
			t.Fatalf("-j%d: WalkParallel saw %d commits, want %d", workers, len(once), n)
		}
		for id, k := range once {
			if k != 1 {
				t.Fatalf("-j%d: WalkParallel saw %s %d times", workers, id, k)
			}
		}
	}
}

// TestAClosureMissingAPartIsReadAgain: a closure kept in parts, one of
// which is gone (as a prune by size may take some and not others), is as
// if absent: the walk reads the commits from their objects, gives the
// same output, finds no damage, and keeps the closure whole again.
func TestAClosureMissingAPartIsReadAgain(t *testing.T) {
	testrepos.IsolateGit(t)
	defer func(part, whole int) { closurePart, closureWhole = part, whole }(closurePart, closureWhole)
	closurePart, closureWhole = 64, 64
	h := pathRepo(t)
	r, err := Open(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, t.TempDir())
	defer s.Close()
	main := Options{Revisions: []string{"main"}}
	_, st := walkAll(t, r, main)
	n := st.Commits
	walk := checkedWalk(t, r, s, main)
	walk("cold")
	var parts []store.Key
	for _, k := range storeKeysOf(t, s, true) {
		if k.Order > 0 {
			parts = append(parts, k)
		}
	}
	if len(parts) < 2 {
		t.Fatalf("%d parts kept: the closure must be in several", len(parts))
	}
	if st := walk("warm"); st.WalkCommitsRead != 0 {
		t.Fatalf("warm: %d commits read from objects, want none", st.WalkCommitsRead)
	}
	if err := s.s.Delete(parts[len(parts)/2]); err != nil {
		t.Fatal(err)
	}
	if err := s.s.Flush(); err != nil {
		t.Fatal(err)
	}
	if st := walk("a part missing"); st.WalkCommitsRead == 0 || st.WalkCommitsFromStore != 0 {
		t.Fatalf("a part missing: %d commits read from objects, %d from the store; want all %d from objects", st.WalkCommitsRead, st.WalkCommitsFromStore, n)
	}
	if st := walk("after"); st.WalkCommitsRead != 0 {
		t.Fatalf("after: %d commits read from objects, want none: the closure is whole again", st.WalkCommitsRead)
	}
}

// TestClosureFindsEveryEntryByItsFanOut checks closure.find against the
// entries it was built over: every id at its index, ids it lacks (between
// entries, before the first, after the last, in a full slot) not found, for
// closures of no entries, one, ids crowded into a few slots, and many.
func TestClosureFindsEveryEntryByItsFanOut(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randomID := func(crowd bool) Hash {
		var id Hash
		for i := range id {
			id[i] = byte(rng.Uint32())
		}
		if crowd { // the same first 20 bits: one slot up to 2^20 entries
			id[0], id[1], id[2] = 0x5a, 0xa5, id[2]&0x0f
		}
		return id
	}
	for _, tc := range []struct {
		n     int
		crowd bool
	}{{0, false}, {1, false}, {2, true}, {300, true}, {5000, false}} {
		ids := make([]Hash, tc.n)
		for i := range ids {
			ids[i] = randomID(tc.crowd)
		}
		slices.SortFunc(ids, func(a, b Hash) int { return bytes.Compare(a[:], b[:]) })
		ids = slices.Compact(ids)
		c := &closure{entries: make([]byte, len(ids)*entrySize)}
		for i, id := range ids {
			copy(c.entries[i*entrySize:], id[:])
		}
		c.fanOut()
		for i, id := range ids {
			if got := c.find(&id); got != i {
				t.Fatalf("n=%d: find(entry %d) = %d", tc.n, i, got)
			}
		}
		for k := 0; k < 2000; k++ {
			id := randomID(tc.crowd && k%2 == 0)
			if k == 0 {
				id = Hash{}
			} else if k == 1 {
				for i := range id {
					id[i] = 0xff
				}
			}
			want := -1
			if i, ok := slices.BinarySearchFunc(ids, id, func(a, b Hash) int { return bytes.Compare(a[:], b[:]) }); ok {
				want = i
			}
			if got := c.find(&id); got != want {
				t.Fatalf("n=%d: find(%s) = %d, want %d", tc.n, id, got, want)
			}
		}
	}
}

// TestBatchesShrinkToAShareOfWhatIsLeft: with an expected count, a batch
// takes at most a share of the commits left for each worker, down to 8,
// so that the workers end together; without one, batchFor's size (at
// most half the window) holds to the end.
func TestBatchesShrinkToAShareOfWhatIsLeft(t *testing.T) {
	cases := []struct {
		size, window, seq, expect, workers, want int
	}{
		{storedBatch, storedWindow, 0, 0, 2, storedBatch},             // unknown: as before
		{storedBatch, storedWindow, 2700, 0, 2, storedBatch},          // unknown, late
		{storedBatch, storedWindow, 0, 100000, 2, storedBatch},        // far from the end
		{storedBatch, storedWindow, 0, 2729, 2, 512},                  // 2729/4 = 682
		{storedBatch, storedWindow, 2000, 2729, 2, 182},               // 729/4
		{storedBatch, storedWindow, 2700, 2729, 2, 8},                 // the last few
		{storedBatch, storedWindow, 3000, 2729, 2, 8},                 // past an estimate too low
		{storedBatch, 48, 0, 100000, 2, 24},                           // half the window
		{8, storedWindow, 0, 2729, 2, 8},                              // diffing: batchFor's 8
		{storedBatch, storedWindow, 1000, 2729, 4, (2729 - 1000) / 8}, // more workers, smaller shares
	}
	for _, c := range cases {
		if got := batchLimit(c.size, c.window, c.seq, c.expect, c.workers); got != c.want {
			t.Errorf("batchLimit(%d, %d, seq %d, expect %d, %d workers) = %d, want %d", c.size, c.window, c.seq, c.expect, c.workers, got, c.want)
		}
	}
}

// TestAWarmWalkExpectsTheCommitsItHandsOut: a walk that meets every
// commit its stored closures hold expects as many commits as it hands out,
// merges left out when it leaves them out, so that its last batches
// shrink where it ends (batchLimit).
func TestAWarmWalkExpectsTheCommitsItHandsOut(t *testing.T) {
	r := openFixture(t, "merges")
	s := openStore(t, t.TempDir())
	defer s.Close()
	for _, o := range []Options{{Revisions: []string{"--all"}}, {Revisions: []string{"--all"}, NoMerges: true}} {
		want, _ := walkAll(t, r, o)
		o.Store = s
		walkAll(t, r, o) // keeps the closure
		rw, err := r.newRevWalk(o)
		if err != nil {
			t.Fatal(err)
		}
		got := rw.expect
		rw.close()
		if got != len(want) {
			t.Errorf("no merges %v: the walk expects %d commits, hands out %d", o.NoMerges, got, len(want))
		}
	}
}
