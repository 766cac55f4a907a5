package diff

import (
	"fmt"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
)

// unrelatedLines makes n lines drawn from pool distinct ones with a
// deterministic generator: two such files of one pool size share every line
// many times over, yet have no long common run.
func unrelatedLines(n, pool int, seed uint64) []byte {
	var b []byte
	s := seed
	for i := 0; i < n; i++ {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		b = fmt.Appendf(b, "line %d\n", s%uint64(pool))
	}
	return b
}

// traceCount runs count with a trace in a heap arena.
func traceCount(t testing.TB, old, new []byte, minimal bool) (Stat, trace) {
	t.Helper()
	a := arena.New(arena.NewHeap(ScratchBound(len(old), len(new))))
	var tr trace
	st, err := count(a, old, new, minimal, &tr)
	if err != nil {
		t.Fatal(err)
	}
	return st, tr
}

// TestMyersWorstCaseIsBoundedByGitsHeuristics diffs two large unrelated
// files that share every line many times over (each of n/50 distinct lines
// occurs about 50 times on each side, below the count at which git's
// xdl_cleanup_records discards a line, so all reach Myers): the minimal
// diff's work grows as n·D, quadratically. Default Myers gives up each split
// after mxcost rounds (xdl_split's cost cutoff, mxcost = max(sqrt(N), 256)),
// so its work, counted deterministically as diagonals visited plus snake
// lines followed, must stay within 2·(n1+n2)·mxcost (measured: 1.2 to 1.4
// times (n1+n2)·mxcost for n from 5,000 to 40,000), far below the minimal
// diff's; and the counts must be git's, heuristics and all.
func TestMyersWorstCaseIsBoundedByGitsHeuristics(t *testing.T) {
	var pairs []pair
	var want []Stat
	for _, n := range []int{5000, 10000, 20000} {
		old, new := unrelatedLines(n, n/50, 1), unrelatedLines(n, n/50, 2)
		st, tr := traceCount(t, old, new, false)
		lines := int64(countLines(old) + countLines(new))
		bound := 2 * lines * int64(tr.mxcost)
		t.Logf("%d+%d lines: %+v in %d steps (bound %d, mxcost %d, splits ended %v)", n, n, st, tr.steps, bound, tr.mxcost, tr.ends)
		if tr.steps > bound {
			t.Errorf("%d lines: Myers took %d steps, above 2·(n1+n2)·mxcost = %d", n, tr.steps, bound)
		}
		if tr.ends[endCutoff] == 0 {
			t.Errorf("%d lines: no split reached the cost cutoff: not a worst case", n)
		}
		pairs = append(pairs, pair{fmt.Sprintf("unrelated-%d", n), old, new})
		want = append(want, st)
		if n == 5000 { // --minimal is quadratic: 152M steps at 10,000 lines, slow under -race
			stm, trm := traceCount(t, old, new, true)
			t.Logf("%d+%d lines, --minimal: %+v in %d steps", n, n, stm, trm.steps)
			if trm.steps < 8*tr.steps {
				t.Errorf("--minimal took %d steps, not 8 times default Myers' %d: the input is no worst case", trm.steps, tr.steps)
			}
			if got := gitNumstat(t, pairs[:1], true); got[0] != stm {
				t.Errorf("--minimal counts %+v, git says %+v", stm, got[0])
			}
		}
	}
	for i, g := range gitNumstat(t, pairs, false) {
		if g != want[i] {
			t.Errorf("%s: counts %+v, git says %+v", pairs[i].name, want[i], g)
		}
	}
}
