package walker

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// fakeObjects is an ObjectSource of fixed objects, reusing one buffer for
// what it returns, as the walk's own source reuses its arena.
type fakeObjects struct {
	objs map[odb.ID]fakeObject
	buf  []byte
}

type fakeObject struct {
	typ  odb.Type
	data []byte
}

func (f *fakeObjects) ReadObject(id odb.ID) (odb.Type, []byte, error) {
	o := f.objs[id]
	f.buf = append(f.buf[:0], o.data...)
	return o.typ, f.buf, nil
}

func (f *fakeObjects) ResolvePrefix(string) (odb.ID, error) { return odb.ID{}, nil }

// TestCommitStashKeepsCommitsUntilTaken checks the stash the revision walk
// reads through: a commit read is kept (a copy, not the source's reused
// buffer) until taken once; trees and blobs are not kept; nothing is kept
// past stashLimit; a buffer given back serves a later commit.
func TestCommitStashKeepsCommitsUntilTaken(t *testing.T) {
	commit, tree, big := odb.ID{1}, odb.ID{2}, odb.ID{3}
	src := &fakeObjects{objs: map[odb.ID]fakeObject{
		commit: {odb.Commit, []byte("tree 0000\nauthor A\n\nsubject\n")},
		tree:   {odb.Tree, []byte("100644 a\x00")},
		big:    {odb.Commit, bytes.Repeat([]byte("x"), stashLimit)},
	}}
	s := newCommitStash(src)
	for _, id := range []odb.ID{commit, tree, big} {
		if _, _, err := s.ReadObject(id); err != nil {
			t.Fatal(err)
		}
	}
	got := s.take(commit)
	if !bytes.Equal(got, src.objs[commit].data) {
		t.Fatalf("take(commit) = %q, want the commit's content", got)
	}
	if s.take(commit) != nil {
		t.Error("a commit taken twice")
	}
	if s.take(tree) != nil {
		t.Error("a tree was kept")
	}
	if s.take(big) != nil {
		t.Error("a commit past the bound was kept")
	}
	if s.bytes != 0 || len(s.m) != 0 || s.kept.Load() != 0 {
		t.Errorf("%d bytes in %d entries (%d counted) left after every take", s.bytes, len(s.m), s.kept.Load())
	}
	s.release(got)
	if _, _, err := s.ReadObject(commit); err != nil {
		t.Fatal(err)
	}
	again := s.take(commit)
	if &again[:1][0] != &got[:1][0] || !bytes.Equal(again, src.objs[commit].data) {
		t.Error("the buffer given back did not serve the next commit")
	}
}

// TestAWalkHandsItsCommitsToTheWorkers: without a commit-graph file or a
// store, every commit a walk computes comes with the content the revision
// walk read, and the results are those of a walk whose units read each
// commit themselves (a stash of no room).
func TestAWalkHandsItsCommitsToTheWorkers(t *testing.T) {
	r, err := Open(testrepos.Path(t, "renames"))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Workers: 2, Messages: true}
	handed, st := walkAll(t, r, opts)
	if st.WalkCommitsHanded != len(handed) || st.HandedBound != int64(stashLimit) || len(handed) == 0 {
		t.Fatalf("%d of %d commits handed over, bound %d; want all, bound %d", st.WalkCommitsHanded, len(handed), st.HandedBound, stashLimit)
	}
	defer func(n int) { stashLimit = n }(stashLimit)
	stashLimit = 0
	read, st := walkAll(t, r, opts)
	if st.WalkCommitsHanded != 0 {
		t.Fatalf("a stash of no room handed over %d commits", st.WalkCommitsHanded)
	}
	if !reflect.DeepEqual(handed, read) {
		t.Fatal("the commits computed from the content handed over differ from those read by the units")
	}
}
