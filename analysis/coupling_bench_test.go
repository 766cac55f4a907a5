package analysis_test

import (
	"fmt"
	"testing"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// BenchmarkCouplingObserve feeds commits of 1 to 12 files drawn from 2,000
// paths: once every path and pair has been seen, Observe should not
// allocate.
func BenchmarkCouplingObserve(b *testing.B) {
	paths := make([]string, 2000)
	for i := range paths {
		paths[i] = fmt.Sprintf("src/pkg%02d/file%04d.go", i%50, i)
	}
	commits := make([]*walker.Commit, 512)
	for i := range commits {
		n := 1 + i%12
		c := &walker.Commit{Changes: make([]walker.Change, n)}
		for j := range c.Changes {
			c.Changes[j] = walker.Change{Path: paths[(i*7+j*131)%len(paths)], Added: 1}
		}
		commits[i] = c
	}
	st := analysis.DefaultCoupling().NewState()
	for _, c := range commits {
		st.Observe(c)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st.Observe(commits[i%len(commits)])
	}
}

// BenchmarkCouplingWalk is coupling's share of a walk: two workers' states
// fed 2,700 commits of 1 to 12 files drawn from 2,000 paths (go-git has
// 2,729 without merges), merged, then its rows. Each state starts empty,
// so its tables grow as a walk's do.
func BenchmarkCouplingWalk(b *testing.B) {
	paths := make([]string, 2000)
	for i := range paths {
		paths[i] = fmt.Sprintf("src/pkg%02d/file%04d.go", i%50, i)
	}
	commits := make([]*walker.Commit, 2700)
	for i := range commits {
		n := 1 + (i*5)%12
		c := &walker.Commit{Changes: make([]walker.Change, n)}
		for j := range c.Changes {
			c.Changes[j] = walker.Change{Path: paths[(i*7+j*131)%len(paths)], Added: 1}
		}
		commits[i] = c
	}
	a := analysis.DefaultCoupling()
	b.ReportAllocs()
	for b.Loop() {
		x, y := a.NewState(), a.NewState()
		for i, c := range commits {
			if i%2 == 0 {
				x.Observe(c)
			} else {
				y.Observe(c)
			}
		}
		x.Merge(y)
		if len(x.(*analysis.CouplingState).Rows()) == 0 {
			b.Fatal("no pairs")
		}
	}
}
