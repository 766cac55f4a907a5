package analysis_test

import (
	"sort"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// expectedSummary works a summary out of git's own log.
func expectedSummary(commits []gitCommit) analysis.SummaryResult {
	var r analysis.SummaryResult
	authors, files := map[string]bool{}, map[string]bool{}
	var first, last int64
	for i, c := range commits {
		r.Commits++
		if c.parents > 1 {
			r.Merges++
		}
		authors[c.author] = true
		if i == 0 || c.epoch < first {
			first = c.epoch
		}
		if i == 0 || c.epoch > last {
			last = c.epoch
		}
		for _, ch := range c.changes {
			files[ch.path] = true
			r.Added += ch.added
			r.Deleted += ch.deleted
		}
	}
	r.Authors, r.Files = len(authors), len(files)
	if r.Commits > 0 {
		r.First, r.Last = time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC()
	}
	return r
}

// TestSummaryCountsMergesWhenWalked covers the walks with merges; the
// summary without them is checked alongside churn.
func TestSummaryCountsMergesWhenWalked(t *testing.T) {
	dirs := fixtureDirs(t)
	names := make([]string, 0, len(dirs))
	for n := range dirs {
		names = append(names, n)
	}
	sort.Strings(names)
	sawMerges := false
	for _, name := range names {
		want := expectedSummary(gitLog(t, dirs[name], "--all"))
		sawMerges = sawMerges || want.Merges > 0
		for _, workers := range []int{1, 8} {
			states := runAnalyzers(t, dirs[name], walker.Options{Revisions: []string{"--all"}}, workers, analysis.Summary{})
			if got := states[0].(*analysis.SummaryState).Result(); got != want {
				t.Errorf("%s (%d workers):\n got  %+v\n want %+v", name, workers, got, want)
			}
		}
	}
	if !sawMerges {
		t.Fatal("no fixture has a merge: the test proves nothing")
	}
}
