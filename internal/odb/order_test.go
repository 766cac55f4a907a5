package odb

import (
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSortKeysSortsByOffset holds the radix sort to slices.Sort on keys of
// every width of offset, in one pass and in several.
func TestSortKeysSortsByOffset(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, offBits := range []uint{1, 8, 16, 17, 31, 32, 33, 40} {
		for _, n := range []int{0, 1, 2, 1000} {
			limit := uint64(1) << offBits
			m := n
			if uint64(m) > limit {
				m = int(limit)
			}
			seen := map[uint64]bool{}
			keys := make([]uint64, 0, m)
			for len(keys) < m {
				off := rng.Uint64() % limit
				if seen[off] {
					continue
				}
				seen[off] = true
				keys = append(keys, off<<orderPosBits|uint64(len(keys)))
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			if got := sortKeys(keys, offBits); !slices.Equal(got, want) {
				t.Fatalf("%d keys of %d-bit offsets: not sorted by offset", len(keys), offBits)
			}
		}
	}
}

// TestPackOrderListsThePackAsGitDoes: the objects by rank are those git
// verify-pack -v lists (in the pack's order), every object's rank comes
// back from Rank, and Commit finds exactly the whole commits, packed as
// fast-import leaves them, after git repack -f has deltified some
// commits, and from the reverse index git writes beside the pack. A
// reverse index of the wrong shape is passed over; one that names no
// objects orders none.
func TestPackOrderListsThePackAsGitDoes(t *testing.T) {
	dir := newRepo(t, 120)
	for _, stage := range []string{"fast-import", "repack", "reverse index", "reverse index cut short", "reverse index of nothing"} {
		revs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.rev"))
		switch stage {
		case "repack":
			git(t, dir, nil, "repack", "-adfq", "--window=250", "--depth=50")
		case "reverse index":
			git(t, dir, nil, "-c", "pack.writeReverseIndex=true", "repack", "-adfq", "--window=250", "--depth=50")
			if revs, _ = filepath.Glob(filepath.Join(dir, "objects", "pack", "*.rev")); len(revs) != 1 {
				t.Fatalf("git wrote %d reverse indexes", len(revs))
			}
		case "reverse index cut short":
			if err := os.Truncate(revs[0], 100); err != nil {
				t.Fatal(err)
			}
		case "reverse index of nothing":
			// Every position past the index's objects.
			git(t, dir, nil, "-c", "pack.writeReverseIndex=true", "repack", "-adfq", "--window=250", "--depth=50")
			revs, _ = filepath.Glob(filepath.Join(dir, "objects", "pack", "*.rev"))
			data, err := os.ReadFile(revs[0])
			if err != nil {
				t.Fatal(err)
			}
			for i := 12; i < len(data)-40; i++ {
				data[i] = 0xff
			}
			os.Chmod(revs[0], 0o644)
			if err := os.WriteFile(revs[0], data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		packs := packFiles(t, dir)
		if len(packs) != 1 {
			t.Fatalf("%s: %d packs, want 1", stage, len(packs))
		}
		// verify-pack -v: "id type size packed-size offset [depth base]".
		type entry struct {
			id        string
			typ       string
			deltified bool
		}
		var want []entry
		for _, line := range strings.Split(string(git(t, dir, nil, "verify-pack", "-v", strings.TrimSuffix(packs[0], ".pack")+".idx")), "\n") {
			f := strings.Fields(line)
			if len(f) < 5 || len(f[0]) != 40 {
				continue
			}
			if _, err := strconv.Atoi(f[4]); err != nil {
				continue
			}
			want = append(want, entry{f[0], f[1], len(f) > 5})
		}
		db, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		o := db.PackOrder()
		if stage == "reverse index of nothing" {
			for rank := range o.Len() {
				if _, ok := o.Commit(rank); ok {
					t.Fatalf("%s: a commit at %d", stage, rank)
				}
			}
			for _, w := range want {
				id, _ := ParseID(w.id)
				if _, ok := o.Rank(id); ok {
					t.Fatalf("%s: a rank for %s", stage, w.id)
				}
			}
			o.Close()
			db.Close()
			continue
		}
		if o.Len() != len(want) {
			t.Fatalf("%s: %d objects ordered, verify-pack lists %d", stage, o.Len(), len(want))
		}
		whole, deltas := 0, 0
		for rank, w := range want {
			id, err := ParseID(w.id)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := o.Rank(id); !ok || got != rank {
				t.Fatalf("%s: Rank(%s) = %d, %v; verify-pack lists it at %d", stage, w.id, got, ok, rank)
			}
			isCommit := w.typ == "commit" && !w.deltified
			got, ok := o.Commit(rank)
			if ok != isCommit || o.IsCommit(rank) != isCommit || (ok && got != id) {
				t.Fatalf("%s: Commit(%d) = %s, %v; verify-pack lists %s %s (deltified %v)", stage, rank, got, ok, w.id, w.typ, w.deltified)
			}
			if isCommit {
				whole++
			} else if w.typ == "commit" {
				deltas++
			}
		}
		if whole == 0 {
			t.Fatalf("%s: no whole commits", stage)
		}
		if _, ok := o.Commit(-1); ok {
			t.Error("a commit before the first rank")
		}
		if _, ok := o.Commit(o.Len()); ok {
			t.Error("a commit past the last rank")
		}
		if _, ok := o.Rank(ID{0xff, 0xfe}); ok {
			t.Error("a rank for an object the pack does not hold")
		}
		t.Logf("%s: %d objects, %d whole commits, %d deltified", stage, o.Len(), whole, deltas)
		if (stage == "reverse index") != (o.revs[0] != nil) {
			t.Fatalf("%s: the order read the reverse index: %v", stage, o.revs[0] != nil)
		}
		o.Close()
		db.Close()
	}
}
