package walker

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// fixtureCommits walks every commit of a fixture with its whole message and
// merges diffed, so the records hold everything a walk can put in them.
func fixtureCommits(t testing.TB, name string) []*Commit {
	t.Helper()
	testrepos.IsolateGit(t)
	r, err := Open(testrepos.Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []*Commit
	opts := Options{Revisions: []string{"--all"}, Messages: true, DiffMerges: true, Workers: 2}
	err = r.Walk(context.Background(), opts, func(c *Commit) error {
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRecordRoundTripsEveryCommitOfTheFixtures(t *testing.T) {
	for _, name := range []string{"content", "merges", "order", "paths", "people", "types", "branches", "attributes", "shallow"} {
		t.Run(name, func(t *testing.T) {
			commits := fixtureCommits(t, name)
			if len(commits) == 0 {
				t.Fatal("the fixture walked no commits")
			}
			var buf []byte
			// A worker's scratch decodes every record too, its commits kept
			// to the end: carved from its slabs, none may overwrite another.
			worker := &recordScratch{zones: map[string]zone{}, slabs: true}
			var kept []*Commit
			for _, c := range commits {
				var err error
				buf, err = c.AppendBinary(buf[:0])
				if err != nil {
					t.Fatal(err)
				}
				w := worker.commit()
				if err := w.unmarshal(buf, worker, true); err != nil {
					t.Fatalf("commit %s, a worker's scratch: %v", c.Hash, err)
				}
				kept = append(kept, w)
				var got Commit
				if err := got.UnmarshalBinary(buf); err != nil {
					t.Fatalf("commit %s: %v", c.Hash, err)
				}
				want := *c
				want.Seq = 0 // not part of the record
				if !reflect.DeepEqual(&got, &want) {
					t.Fatalf("commit %s came back as\n%+v\nwant\n%+v", c.Hash, got, want)
				}
				// The zones print as the walk's do: git's raw text.
				if got.Author.When.Format(time.RFC3339Nano+" MST") != c.Author.When.Format(time.RFC3339Nano+" MST") {
					t.Fatalf("commit %s: author time %v, want %v", c.Hash, got.Author.When, c.Author.When)
				}
			}
			// Appending to a commit's carved slices copies them: the
			// commits after it in the slab keep theirs.
			for _, w := range kept {
				_ = append(w.Parents, Hash{0xff})
				_ = append(w.Changes, Change{Path: "appended"})
			}
			for i, w := range kept {
				want := *commits[i]
				want.Seq = 0
				if !reflect.DeepEqual(w, &want) {
					t.Fatalf("commit %s, decoded by a worker and kept, is now\n%+v\nwant\n%+v", want.Hash, *w, want)
				}
			}
		})
	}
}

func TestRecordKeepsTheWalksTimeZonesExactly(t *testing.T) {
	var u unit
	// One map of zones serves every case below, as a worker's does a
	// walk: a zone decoded before is taken from it, and one of the same
	// name for another offset is not.
	zones := map[string]zone{}
	odd := zone{time.FixedZone("+0530", 0), 0} // the name of the first case, another offset
	zones["+0530"] = odd
	for _, tc := range []struct {
		name string
		sig  odb.Signature
	}{
		{"an east zone", odb.Signature{Name: []byte("A"), Email: []byte("a@x"), When: 1700000000, HasTime: true, Zone: []byte("+0530"), Offset: 330}},
		{"a west zone", odb.Signature{When: 1, HasTime: true, Zone: []byte("-0800"), Offset: -480}},
		{"minus zero, kept apart from plus zero", odb.Signature{When: 5, HasTime: true, Zone: []byte("-0000")}},
		{"plus zero", odb.Signature{When: 5, HasTime: true, Zone: []byte("+0000")}},
		{"an odd zone as git reads it", odb.Signature{When: 99, HasTime: true, Zone: []byte("+0099"), Offset: 99}},
		{"a line with no time", odb.Signature{Name: []byte("N")}},
		{"a time before 1970", odb.Signature{When: -86400 * 365 * 80, HasTime: true, Zone: []byte("+0100"), Offset: 60}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := Commit{Author: u.signature(tc.sig), Committer: u.signature(tc.sig)}
			b, err := want.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got, shared Commit
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if err := shared.unmarshal(b, &recordScratch{zones: zones}, true); err != nil {
				t.Fatal(err)
			}
			for _, got := range []Commit{got, shared} {
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got %v, want %v", got.Author.When, want.Author.When)
				}
				name, off := got.Committer.When.Zone()
				if name != string(tc.sig.Zone) || off != tc.sig.Offset*60 {
					t.Fatalf("zone %q %d, want %q %d", name, off, tc.sig.Zone, tc.sig.Offset*60)
				}
			}
			if shared.Author.When.Location() != shared.Committer.When.Location() && tc.sig.HasTime && (tc.sig.Offset != 0 || tc.sig.Zone[0] == '-') {
				t.Fatalf("the two signatures' zone was made twice")
			}
		})
	}
}

func TestRecordKeepsEveryFieldOfAHandMadeCommit(t *testing.T) {
	h := func(b byte) Hash { var x Hash; x[0], x[19] = b, b; return x }
	want := Commit{
		Hash: h(1), Tree: h(2), Parents: []Hash{h(3), h(4), h(5)},
		Author:    Signature{Name: "Zoë", Email: "z@x", When: time.Unix(1e9, 123).UTC()},
		Committer: Signature{Name: "C", Email: "", When: time.Unix(-5, 999999999).In(time.FixedZone("Mars", -3601))},
		Subject:   "s\x00ubject",
		Message:   "s\x00ubject\n\nbody\n",
		Changes: []Change{
			{Path: "a/b/c.go", Kind: Added, NewMode: 0o100644, NewHash: h(6), Added: 10},
			{Path: "a/b/d.go", OldPath: "a/b/c_old.go", Score: 87, Kind: Renamed, OldMode: 0o100644, NewMode: 0o100755, OldHash: h(7), NewHash: h(8), Added: 1, Deleted: 2},
			{Path: "a/b/e", OldPath: "x/y", Score: 100, Kind: Copied, OldMode: 0o120000, NewMode: 0o120000, OldHash: h(9), NewHash: h(9)},
			{Path: "bin", Kind: Modified, OldMode: 0o100644, NewMode: 0o100644, OldHash: h(10), NewHash: h(11), Binary: true},
			{Path: "bin/x", Kind: Deleted, OldMode: 0o160000, OldHash: h(12), Deleted: 1 << 40},
			{Path: "", Kind: Modified, Added: -1}, // not from a walk, kept all the same
		},
	}
	b, err := want.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Commit
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", got, want)
	}
	// Without its message (a walk that does not ask for messages): every
	// other field as before.
	var short Commit
	if err := short.unmarshal(b, nil, false); err != nil {
		t.Fatal(err)
	}
	want.Message = ""
	if !reflect.DeepEqual(short, want) {
		t.Fatalf("without the message, got\n%+v\nwant\n%+v", short, want)
	}
	if !bytes.Contains(b, []byte("c_old.go")) || bytes.Contains(b, []byte("a/b/c_old.go")) {
		t.Error("the old path is not written against its new path's folder")
	}
}

func TestRecordRefusesBadInput(t *testing.T) {
	good, err := (&Commit{Subject: "x", Changes: []Change{{Path: "p", Kind: Added, NewMode: 0o100644}}}).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"nothing", nil},
		{"a newer version", append([]byte{recordVersion + 1}, good[1:]...)},
		{"a truncated record", good[:len(good)-1]},
		{"trailing bytes", append(append([]byte{}, good...), 0)},
		{"a count larger than the record", append(append([]byte{}, good[:41]...), 0xff, 0xff, 0xff, 0xff, 0x0f)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Commit{Subject: "unchanged"}
			err := c.UnmarshalBinary(tc.data)
			if !errors.Is(err, errRecord) {
				t.Fatalf("got %v, want a bad record error", err)
			}
			if c.Subject != "unchanged" {
				t.Fatal("a failed decode changed the commit")
			}
		})
	}
	if _, err := (&Commit{Changes: []Change{{Kind: Copied + 1}}}).MarshalBinary(); err == nil {
		t.Error("a change of an unknown kind was encoded")
	}
}

func FuzzCommitRecord(f *testing.F) {
	for _, name := range []string{"merges", "paths", "types"} {
		for _, c := range fixtureCommits(f, name) {
			b, err := c.MarshalBinary()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Commit
		if err := c.UnmarshalBinary(data); err != nil {
			return
		}
		enc, err := c.MarshalBinary()
		if err != nil {
			t.Fatalf("a decoded commit does not encode: %v", err)
		}
		var again Commit
		if err := again.UnmarshalBinary(enc); err != nil {
			t.Fatalf("an encoded commit does not decode: %v", err)
		}
		if !reflect.DeepEqual(again, c) {
			t.Fatalf("round trip changed the commit:\n%+v\n%+v", c, again)
		}
		if enc2, _ := again.MarshalBinary(); !bytes.Equal(enc2, enc) {
			t.Fatal("the encoding of a decoded commit is not stable")
		}
	})
}
