package walker

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/revwalk"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestReplayedWalksAreTheWalks walks every fixture with Options.Replay:
// without a store, then with one three times (the first keeps the walk's
// order, the next hand the commits out from it when the walk may be
// replayed), then under other settings, whose records the store lacks:
// those units are computed from replayed commits, which carry no parent
// nodes. Every walk must give the Commits of the walk without a store.
func TestReplayedWalksAreTheWalks(t *testing.T) {
	cases := []struct {
		name       string
		opts       Options
		replayable bool
	}{
		{"all", Options{Revisions: []string{"--all"}}, true},
		{"HEAD, no merges, two workers", Options{NoMerges: true, Workers: 2}, true},
		{"all, merges diffed", Options{Revisions: []string{"--all"}, DiffMerges: true}, true},
		{"first parent", Options{Revisions: []string{"--all"}, FirstParent: true}, false},
		{"paths", Options{Revisions: []string{"--all"}, Paths: []string{"a"}}, false},
		{"topo order", Options{Revisions: []string{"--all"}, TopoOrder: true}, false},
		// With progress, a lookahead goroutine takes the commits first.
		{"all, progress", Options{Revisions: []string{"--all"}, Progress: func(int, int) {}}, true},
	}
	for _, name := range testrepos.Names() {
		if name == "empty" || name == "large" {
			continue
		}
		r := openFixture(t, name)
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				dir := t.TempDir()
				o := tc.opts
				o.Replay = true
				want, _ := walkAll(t, r, o)
				other := o
				other.Renames, other.Algorithm, other.AlgorithmSet = RenamesOff, Minimal, true
				wantOther, _ := walkAll(t, r, other)
				// The shallow fixture's history is cut: it is never replayed.
				replayable := tc.replayable && name != "shallow"
				for round, what := range []string{"cold", "warm", "warm again", "other settings"} {
					s := openStore(t, dir)
					ro, w := o, want
					if what == "other settings" {
						ro, w = other, wantOther
					}
					ro.Store = s
					got, st := walkAll(t, r, ro)
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					if s.Err() != nil {
						t.Fatalf("%s: store error %v", what, s.Err())
					}
					if !reflect.DeepEqual(got, w) {
						t.Fatalf("%s: the walk with the store differs from the walk without", what)
					}
					if want := 0; round > 0 && replayable {
						if st.WalkCommitsReplayed != len(w) || st.WalkCommitsRead != 0 {
							t.Fatalf("%s: %d commits replayed, %d read; want all %d replayed", what, st.WalkCommitsReplayed, st.WalkCommitsRead, len(w))
						}
					} else if st.WalkCommitsReplayed != want {
						t.Fatalf("%s: %d commits replayed; want none", what, st.WalkCommitsReplayed)
					}
				}
			})
		}
	}
}

// TestAReplayServesOnlyItsTips: one replay is kept per repository; a
// walk from other tips walks (and keeps its own), and a replay that does
// not read whole is not used.
func TestAReplayServesOnlyItsTips(t *testing.T) {
	r := openFixture(t, "merges")
	s := openStore(t, t.TempDir())
	defer s.Close()
	all := Options{Revisions: []string{"--all"}, Replay: true, Store: s}
	head := Options{Replay: true, Store: s}
	noStore := func(o Options) []*Commit {
		o.Store = nil
		c, _ := walkAll(t, r, o)
		return c
	}
	walk := func(what string, o Options, replayed bool) {
		t.Helper()
		got, st := walkAll(t, r, o)
		if !reflect.DeepEqual(got, noStore(o)) {
			t.Fatalf("%s: the walk differs from the walk without a store", what)
		}
		if (st.WalkCommitsReplayed > 0) != replayed {
			t.Fatalf("%s: %d commits replayed, want replayed %v", what, st.WalkCommitsReplayed, replayed)
		}
	}
	walk("--all, cold", all, false)
	walk("--all, warm", all, true)
	walk("HEAD after --all", head, false)
	walk("HEAD again", head, true)
	walk("--all after HEAD", all, false)
	walk("--all again", all, true)

	name := replayName(all)
	kept := s.Memo(r, name)
	if kept == nil {
		t.Fatal("no replay kept")
	}
	for _, bad := range [][]byte{kept[:len(kept)-1], append(append([]byte(nil), kept...), 0), kept[:40]} {
		s.SetMemo(r, name, bad)
		walk("a replay that does not read whole", all, false)
	}
	if data := s.Memo(r, name); data == nil || openReplay(data, replayKey(nil)) != nil {
		t.Fatal("the walk kept no replay of its own, or a replay answers another key")
	}
}

// TestAReplayedWalkReadsNoClosure: a walk handed out from a replay
// resolves its tips from the replay's own entries of them, and reads no
// graph closure; a walk that walks, from the same tips or past them,
// reads the closures as before (no commit object read), and every walk
// is the walk without a store.
func TestAReplayedWalkReadsNoClosure(t *testing.T) {
	r := openFixture(t, "merges")
	s := openStore(t, t.TempDir())
	defer s.Close()
	noStore := func(o Options) []*Commit {
		o.Store = nil
		c, _ := walkAll(t, r, o)
		return c
	}
	// closures is how many closures the walk of o reads before its first
	// commit, and whether it is a replay.
	closures := func(o Options) (int, bool) {
		rw, err := r.newRevWalk(o)
		if err != nil {
			t.Fatal(err)
		}
		defer rw.close()
		return len(rw.storeSrc.closures), rw.replay != nil
	}
	head := Options{Replay: true, Store: s}
	if _, st := walkAll(t, r, head); st.WalkCommitsReplayed != 0 {
		t.Fatal("the cold walk was replayed")
	}
	if n, replayed := closures(head); !replayed || n != 0 {
		t.Fatalf("warm walk of HEAD: replayed %v, %d closures read; want a replay and none", replayed, n)
	}
	got, st := walkAll(t, r, head)
	if !reflect.DeepEqual(got, noStore(head)) || st.WalkCommitsReplayed != len(got) {
		t.Fatalf("warm walk of HEAD: %d of %d commits replayed, or it differs from the walk without a store", st.WalkCommitsReplayed, len(got))
	}
	for _, revs := range [][]string{{"HEAD~1"}, {"HEAD~1..HEAD"}, {"HEAD", "HEAD~2"}, {"--all"}} {
		o := head
		o.Revisions = revs
		if n, replayed := closures(o); replayed || n == 0 {
			t.Fatalf("%v: replayed %v, %d closures read; want a walk that reads its closure", revs, replayed, n)
		}
		got, st := walkAll(t, r, o)
		if !reflect.DeepEqual(got, noStore(o)) {
			t.Fatalf("%v: the walk differs from the walk without a store", revs)
		}
		if st.WalkCommitsRead != 0 && revs[0] != "--all" {
			t.Fatalf("%v: %d commits read from their objects; want all from the store", revs, st.WalkCommitsRead)
		}
		// HEAD's replay again, kept in place of the others' own.
		walkAll(t, r, head)
	}
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
}

// replaySources is the digest of the sources that decide a replayed walk
// for each replayVersion (see TestReplayVersionNamesTheWalksSources).
var replaySources = map[int]string{
	1: "27f2f206b0507a4e192d1b9f3e172952cbcd4a22d85e56c2eacfb770f3ef31f1",
	// 2: the same order and layout; replay.go's comments changed.
	2: "86fe1f1f5422c714234c3e453e055bb2dbfbcf9c0927be65c94c776cf6a24268",
	// 3: a replay keeps its tips' own entries (tree, date, parents); then
	// (same order and layout, before any release of 3) a walk that may
	// exclude commits does not read the replay, and the options' part of
	// meetsAll is written once.
	3: "00f4fae88d24777b24695d1d9bf384f4b682380c06971e0c12a3912d247ea390",
	// 4: the same order and layout; walks with --min-parents or
	// --max-parents are walked, never replayed (meetsAllOpts).
	4: "33de60077020d8806b8d0e874b66966dbfff6f9e247f3289596817a0a0e3b22e",
	// 5: a replay holds every commit the walk popped, those it did not hand
	// out (merges under --no-merges) marked, so that it keeps the walk's
	// checkpoint along (Options.Resume); a walk that resumes from one is
	// not replayed, and the revision walk keeps or stops at checkpoints.
	5: "9d00cff27c52ef38a766d083d8802197e134d8057dd8bf35f58b464392e0e859",
}

// A replay hands out the order an older walk kept: a change to how the
// walk orders commits (internal/revwalk's date-order walk), to which walks
// may be replayed or to what a replay holds, without a new replayVersion,
// would replay an older gitwalk's order as this one's. This fails until
// the version and its digest are set anew.
func TestReplayVersionNamesTheWalksSources(t *testing.T) {
	h := sha256.New()
	for _, f := range []string{"../internal/revwalk/revwalk.go", "revglue.go", "replay.go"} {
		data, err := os.ReadFile(filepath.FromSlash(f))
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		fmt.Fprintf(h, "%s %d\n", f, len(data))
		h.Write(data)
	}
	got := fmt.Sprintf("%x", h.Sum(nil))
	if want := replaySources[replayVersion]; got != want {
		t.Fatalf("the replayed walk's sources changed (digest %s, version %d has %q): bump replayVersion and give the new version this digest in replaySources", got, replayVersion, want)
	}
}

// FuzzReplay: a replay's bytes come from the store, whose checksum has
// passed, but are parsed before anything checks what they say. Whatever
// they are, reading the head and opening the replay never panic; a replay
// that opens hands out exactly its count of commits and uses every byte;
// and what it holds, kept again by a recorder, reads back the same.
func FuzzReplay(f *testing.F) {
	id := func(b byte) odb.ID { return odb.ID{b, b + 1, b + 2} }
	c := func(b byte, date uint64, parents ...byte) *revwalk.Commit {
		n := &revwalk.Commit{ID: id(b), Tree: id(b + 100), Date: date}
		for _, p := range parents {
			n.Parents = append(n.Parents, id(p))
		}
		return n
	}
	tips := []*revwalk.Commit{c(1, 300, 2, 3), c(9, 250)}
	rec := newReplayRecorder(replayKey([]revwalk.Tip{{ID: id(1)}, {ID: id(9)}}), tips)
	rec.shown = func(n *revwalk.Commit) bool { return n.ID != id(3) } // 3 was popped, not handed out
	for _, n := range []*revwalk.Commit{c(1, 300, 2, 3), c(2, 200, 4), c(3, 150, 4), c(4, 100), c(9, 250)} {
		rec.pop(n)
	}
	good := rec.bytes()
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(good[:40])
	f.Add(newReplayRecorder([32]byte{}, nil).bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		key, tips, _, ok := readReplayHead(data)
		if !ok {
			if openReplay(data, key) != nil {
				t.Fatal("a replay whose head does not read opened")
			}
			return
		}
		rp := openReplay(data, key)
		if rp == nil {
			return
		}
		var got []*revwalk.Commit
		for n := rp.next(); n != nil; n = rp.next() {
			got = append(got, n)
		}
		if len(got)+rp.hidden != rp.n || len(rp.data) != 0 {
			t.Fatalf("%d commits handed out and %d not, of %d, %d bytes left", len(got), rp.hidden, rp.n, len(rp.data))
		}
		nodes := make([]*revwalk.Commit, len(tips))
		for i := range tips {
			nodes[i] = &revwalk.Commit{ID: tips[i].id, Tree: tips[i].info.Tree, Date: tips[i].info.Date, Parents: tips[i].info.Parents}
		}
		again := newReplayRecorder(key, nodes)
		again.shown = func(*revwalk.Commit) bool { return true }
		for _, n := range got {
			again.pop(n)
		}
		b := again.bytes()
		key2, tips2, _, ok := readReplayHead(b)
		if !ok || key2 != key || !reflect.DeepEqual(tips2, tips) {
			t.Fatalf("the head kept again reads %v %v, want %v", ok, tips2, tips)
		}
		rp2 := openReplay(b, key)
		if rp2 == nil {
			t.Fatal("the replay kept again does not open")
		}
		for _, want := range got {
			n := rp2.next()
			if n == nil || n.ID != want.ID || n.Date != want.Date || !slices.Equal(n.Parents, want.Parents) {
				t.Fatalf("the replay kept again hands out %+v, want %+v", n, want)
			}
		}
		if rp2.next() != nil {
			t.Fatal("the replay kept again hands out more")
		}
	})
}

// TestClonesOfOneOriginShareTheirMemos: the memos of a repository (the
// replay) are named by its origin's URL, so that a clone of it in a new
// folder (a CI job's) replays the walk the last one kept; a copy without
// an origin is named by its folder, and one of another origin shares
// nothing.
func TestClonesOfOneOriginShareTheirMemos(t *testing.T) {
	testrepos.IsolateGit(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	clone := func(url string) *Repo {
		t.Helper()
		dir := testrepos.Path(t, "merges") // a private copy in a folder of its own
		if url != "" {
			f, err := os.OpenFile(filepath.Join(dir, "config"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			_, err = fmt.Fprintf(f, "[remote \"origin\"]\n\turl = %s\n\turl = https://example.com/mirror.git\n", url)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	o := Options{Replay: true, Store: s}
	replayed := func(r *Repo) bool {
		t.Helper()
		_, st := walkAll(t, r, o)
		return st.WalkCommitsReplayed > 0
	}
	const url = "https://example.com/project.git"
	if replayed(clone(url)) {
		t.Fatal("the first walk replayed")
	}
	if !replayed(clone(url)) {
		t.Error("a second clone of the origin does not replay the first one's walk")
	}
	if replayed(clone("https://example.com/other.git")) {
		t.Error("a clone of another origin replays")
	}
	plain := clone("")
	if replayed(plain) || !replayed(plain) {
		t.Error("a copy without an origin does not keep and replay its own")
	}
	if replayed(clone("")) {
		t.Error("a copy without an origin in another folder replays")
	}
}
