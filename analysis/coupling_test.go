package analysis_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// TestCouplingMergeIsAssociativeAndOrderFree splits commits between states
// of very different sizes (so that Merge adds the smaller table into the
// larger either way round), merges them in different trees and orders, and
// checks the rows, counts and pairs against one state fed them all.
func TestCouplingMergeIsAssociativeAndOrderFree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	commits := make([]*walker.Commit, 600)
	for i := range commits {
		c := &walker.Commit{Changes: make([]walker.Change, 1+r.IntN(8))}
		for j := range c.Changes {
			c.Changes[j] = walker.Change{Path: fmt.Sprintf("d%d/f%02d", r.IntN(3), r.IntN(40)), Added: 1}
		}
		commits[i] = c
	}
	a := analysis.Coupling{MinShared: 2, MaxChangesetSize: 6}
	one := a.NewState().(*analysis.CouplingState)
	for _, c := range commits {
		one.Observe(c)
	}
	want := one.Rows()
	if len(want) == 0 || one.LeftOut() == 0 {
		t.Fatalf("%d rows, %d commits left out: the test proves nothing", len(want), one.LeftOut())
	}
	// Parts of 500, 60, 30 and 10 commits, made afresh for each merge.
	parts := func() []analysis.State {
		var ps []analysis.State
		rest := commits
		for _, n := range []int{500, 60, 30, 10} {
			s := a.NewState()
			for _, c := range rest[:n] {
				s.Observe(c)
			}
			rest = rest[n:]
			ps = append(ps, s)
		}
		return ps
	}
	for name, merge := range map[string]func(p []analysis.State) analysis.State{
		"small into large": func(p []analysis.State) analysis.State {
			p[0].Merge(p[1])
			p[0].Merge(p[2])
			p[0].Merge(p[3])
			return p[0]
		},
		"large into small": func(p []analysis.State) analysis.State {
			p[3].Merge(p[2])
			p[3].Merge(p[1])
			p[3].Merge(p[0])
			return p[3]
		},
		"trees": func(p []analysis.State) analysis.State {
			p[2].Merge(p[0]) // (p2 + p0) + (p3 + p1)
			p[3].Merge(p[1])
			p[3].Merge(p[2])
			return p[3]
		},
	} {
		got := merge(parts()).(*analysis.CouplingState)
		if rows := got.Rows(); !reflect.DeepEqual(rows, want) {
			t.Errorf("%s: rows %+v, one state %+v", name, rows, want)
		}
		if got.Commits() != one.Commits() || got.LeftOut() != one.LeftOut() || got.Pairs() != one.Pairs() {
			t.Errorf("%s: %d commits, %d left out, %d pairs; one state %d, %d, %d", name,
				got.Commits(), got.LeftOut(), got.Pairs(), one.Commits(), one.LeftOut(), one.Pairs())
		}
	}
}
