package walker

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

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
