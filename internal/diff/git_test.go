package diff

import (
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
)

// envInt reads a test size knob from the environment.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return n
}

// TestCountMatchesGit compares Count with git 2.39.5 itself on random pairs
// from every generator and on a few large files, in both modes.
// GITWALK_DIFF_PAIRS sets the pairs per generator, GITWALK_DIFF_LARGE the
// large pairs, GITWALK_DIFF_SEED the seed.
func TestCountMatchesGit(t *testing.T) {
	perGen := envInt(t, "GITWALK_DIFF_PAIRS", 60)
	large := envInt(t, "GITWALK_DIFF_LARGE", 2)
	seed := uint64(envInt(t, "GITWALK_DIFF_SEED", 1))
	if testing.Short() {
		perGen, large = 20, 0
	}
	r := rand.New(rand.NewPCG(seed, 2))
	var pairs []pair
	for _, g := range generators {
		for i := range perGen {
			old, new := g.gen(r)
			pairs = append(pairs, pair{name: g.name + " #" + strconv.Itoa(i), old: old, new: new})
		}
	}
	small := len(pairs)
	for i := range large {
		old, new := genLarge(r)
		pairs = append(pairs, pair{name: "large #" + strconv.Itoa(i), old: old, new: new})
	}
	a := arena.New(arena.NewHeap(64 << 20))
	differ := 0
	var splitEnds [2][4]int
	for _, alg := range []Algorithm{Myers, Minimal} {
		want := gitNumstat(t, pairs, alg == Minimal)
		mismatches := 0
		for i, p := range pairs {
			got, err := Count(a, p.old, p.new, alg)
			if err != nil {
				t.Fatalf("%s: Count(%v): %v", p.name, alg, err)
			}
			if got != want[i] {
				mismatches++
				if mismatches <= 10 {
					t.Errorf("%s, %v: Count = %+v, git says %+v", p.name, alg, got, want[i])
					dumpPair(t, p)
				}
			}
			ends := checkTrace(t, p, alg)
			for e := range ends {
				splitEnds[alg][e] += ends[e]
			}
			if alg == Minimal && i < small {
				if ref := refMinimal(p.old, p.new, refOptions{}); ref != got {
					t.Errorf("%s: Count(Minimal) = %+v, reference LCS says %+v", p.name, got, ref)
				}
			}
		}
		t.Logf("%v: %d of %d pairs match git (%d large)", alg, len(pairs)-mismatches, len(pairs), large)
		if alg == Myers {
			minimal := gitNumstat(t, pairs, true)
			for i := range pairs {
				if minimal[i] != want[i] {
					differ++
				}
			}
		}
	}
	t.Logf("git's default and --minimal counts differ in %d pairs", differ)
	t.Logf("Myers splits (overlap, forward snake, backward snake, cutoff): default %v, minimal %v", splitEnds[Myers], splitEnds[Minimal])
}

// dumpPair writes a failing pair to a temporary directory for a look.
func dumpPair(t *testing.T, p pair) {
	t.Helper()
	dir, err := os.MkdirTemp("", "diffpair")
	if err != nil {
		return
	}
	os.WriteFile(dir+"/old", p.old, 0o644)
	os.WriteFile(dir+"/new", p.new, 0o644)
	t.Logf("pair written to %s", dir)
}

// checkTrace runs count with a trace and checks that the lines it leaves
// unchanged are the same sequence in both files, so that the counts belong
// to a real alignment, and that the marks add up to the counts.
func checkTrace(t *testing.T, p pair, alg Algorithm) (ends [4]int) {
	t.Helper()
	a := arena.New(arena.NewHeap(ScratchBound(len(p.old), len(p.new))))
	var tr trace
	st, err := count(a, p.old, p.new, alg == Minimal, &tr)
	if err != nil {
		t.Fatalf("%s: count: %v", p.name, err)
	}
	if st == (Stat{}) && slices.Equal(p.old, p.new) {
		return tr.ends
	}
	var kept [2][]string
	var changed [2]int
	for f, data := range [2][]byte{p.old, p.new} {
		lines := splitLines(data)
		mid := lines[tr.prefix : len(lines)-tr.suffix]
		if len(mid) != len(tr.discarded[f]) {
			t.Fatalf("%s: file %d: %d middle lines, trace has %d", p.name, f, len(mid), len(tr.discarded[f]))
		}
		k := 0
		for i, l := range mid {
			switch {
			case tr.discarded[f][i]:
				changed[f]++
			case tr.changed[f][k]:
				changed[f]++
				k++
			default:
				kept[f] = append(kept[f], l)
				k++
			}
		}
		if k != len(tr.changed[f]) {
			t.Fatalf("%s: file %d: %d kept lines, trace has %d", p.name, f, k, len(tr.changed[f]))
		}
	}
	if !slices.Equal(kept[0], kept[1]) {
		t.Errorf("%s, %v: the unchanged lines differ between the files", p.name, alg)
	}
	if changed[0] != st.Deleted || changed[1] != st.Added {
		t.Errorf("%s, %v: marks %d/%d, counts %+v", p.name, alg, changed[0], changed[1], st)
	}
	if a.Peak() > ScratchBound(len(p.old), len(p.new)) {
		t.Errorf("%s: used %d arena bytes, ScratchBound says %d", p.name, a.Peak(), ScratchBound(len(p.old), len(p.new)))
	}
	return tr.ends
}
