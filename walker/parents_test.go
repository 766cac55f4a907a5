package walker

import (
	"reflect"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestParentsOnlyIsTheWalksShape: a walk with ParentsOnly hands out the
// commits of the same walk with NoChanges, with their ids, parents and
// sequence numbers and nothing else; with a store, a second such walk
// replays them and reads no commit (no object reader is acquired). And
// ReadCommit gives each commit as the walk with NoChanges and Messages
// does (its parents as its object has them).
func TestParentsOnlyIsTheWalksShape(t *testing.T) {
	for _, name := range testrepos.Names() {
		if name == "empty" || name == "large" {
			continue
		}
		r := openFixture(t, name)
		for _, revs := range [][]string{nil, {"--all"}} {
			full, _ := walkAll(t, r, Options{Revisions: revs, NoChanges: true, Messages: true})
			var want []*Commit
			for _, c := range full {
				want = append(want, &Commit{Hash: c.Hash, Parents: c.Parents, Seq: c.Seq})
			}
			dir := t.TempDir()
			for round, what := range []string{"no store", "cold", "warm"} {
				o := Options{Revisions: revs, ParentsOnly: true}
				if round > 0 {
					o.Store, o.Replay = openStore(t, dir), true
				}
				got, st := walkAll(t, r, o)
				if o.Store != nil {
					if err := o.Store.Close(); err != nil {
						t.Fatal(err)
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %v, %s: the walk with ParentsOnly is not the walk's ids and parents", name, revs, what)
				}
				if st.Readers.Hits+st.Readers.Misses != 0 {
					t.Errorf("%s %v, %s: %d object readers acquired, want none", name, revs, what, st.Readers.Hits+st.Readers.Misses)
				}
				if what == "warm" && name != "shallow" && (st.WalkCommitsReplayed != len(want) || st.WalkCommitsRead != 0) {
					t.Errorf("%s %v, warm: %d commits replayed, %d read; want all %d replayed", name, revs, st.WalkCommitsReplayed, st.WalkCommitsRead, len(want))
				}
			}
			for _, c := range full {
				got, err := r.ReadCommit(c.Hash)
				if err != nil {
					t.Fatal(err)
				}
				c := *c
				c.Seq = 0
				if name == "shallow" {
					got.Parents = c.Parents // the walk cuts the history where the object does not
				}
				if !reflect.DeepEqual(got, &c) {
					t.Fatalf("%s: ReadCommit(%s) = %+v, the walk gave %+v", name, c.Hash, got, &c)
				}
			}
		}
	}
}
