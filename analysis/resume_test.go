package analysis

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// resumeHistory is two years of a main line, a commit every four days
// (files renamed now and then), and branches merged after the commit
// "m170" (about four months before the end of the main line):
//   - recent: begun at m180, dated among the main line's commits after it;
//   - old: begun at m60, more than a year before m170, dated then;
//   - moved: renames a file the whole history changed.
//
// Tips: "m170" (the run the others resume from), "withRecent" (m199 and
// recent merged), "withOld" (recent and old merged), "withMove" (recent
// and moved merged), "forced" (a line from m150 that m170 is not in).
func resumeHistory(t *testing.T) *testrepos.History {
	t.Helper()
	h := testrepos.NewHistory(t)
	const day = 24 * 3600
	t0 := int64(1_600_000_000)
	date := func(i int) int64 { return t0 + int64(i)*4*day }
	prev := ""
	for i := range 200 {
		name := fmt.Sprintf("m%d", i)
		edits := fmt.Sprintf("f%d.go=v%d common.go=c%d", i%7, i, i)
		if i%25 == 10 {
			// a rename: the file of i%7 goes to a new path
			edits = fmt.Sprintf("f%d.go=- g%d.go=v%d common.go=c%d", i%7, i, i-1, i)
		}
		if prev == "" {
			h.Commit(name, date(i), edits)
		} else {
			h.Commit(name, date(i), edits, prev)
		}
		prev = name
	}
	h.Commit("r1", date(181)+3600, "recent.go=r1 common.go=rc1", "m180")
	h.Commit("r2", date(185)+3600, "recent.go=r2 f1.go=rf1", "r1")
	h.Commit("withRecent", date(200), "", "m199", "r2")
	h.Commit("o1", date(61)+3600, "old.go=o1 f2.go=of2", "m60")
	h.Commit("o2", date(62)+3600, "old.go=o2", "o1")
	h.Commit("withOld", date(201), "", "withRecent", "o2")
	h.Commit("mv", date(200)+3600, "common.go=- moved.go=c199", "m199")
	h.Commit("withMove", date(201), "", "withRecent", "mv")
	h.Commit("x1", date(151)+3600, "f3.go=x1", "m150")
	h.Commit("forced", date(202), "f4.go=x2", "x1")
	for _, name := range []string{"m170", "withRecent", "withOld", "withMove", "forced"} {
		h.Branch(name, name)
	}
	h.Build("m170")
	return h
}

// resumeAnalyzers are churn, coupling, authors and ownership, and churn
// by author under a scope.
func resumeAnalyzers() []Analyzer {
	notF2 := func(p string) bool { return p != "f2.go" }
	return []Analyzer{Churn{}, Coupling{}, Scope{Bots: BotsInclude}.Wrap(Churn{By: ByAuthor}), Authors{}, Ownership{}, Hotspots{},
		Summary{}, Age{Now: time.Unix(1_700_000_000, 0)}, Knowledge{Files: notF2, FilesName: "not f2.go"}}
}

// resumeRows is what the states say, to compare (hotspots without
// their sizes, which are read at the first commit: that commit is compared).
// Age's and knowledge's figures are compared whole, their commits'
// positions (Seq) too, which a resumed walk must shift to a walk's.
func resumeRows(states []State) []any {
	hot := states[5].(*HotspotsState)
	first, _ := hot.First()
	age, know := states[7].(*AgeState), states[8].(*KnowledgeState)
	var leftOut []string
	for p, ok := range know.counts {
		if !ok {
			leftOut = append(leftOut, p)
		}
	}
	slices.Sort(leftOut)
	return []any{states[0].(*ChurnState).Rows(), states[1].(*CouplingState).Rows(),
		states[2].(*ScopedState).Inner().(*ChurnState).Rows(), states[2].(*ScopedState).LeftOut(),
		states[3].(*AuthorsState).Rows(), states[4].(*OwnershipState).Rows(), hot.files, first, hot.first.seq,
		states[6].(*SummaryState).Result(), age.files, age.first, age.latest,
		know.files, know.away, know.people, know.newest, know.first, leftOut, know.Result()}
}

// runFromAndRun runs analyzers as RunFrom from memo, with opts (its Store
// set), and as Run without the store: the states to compare, and how many
// commits each walk's figures count.
func runFromAndRun(t *testing.T, repo *walker.Repo, opts walker.Options, memo []byte,
	analyzers func() []Analyzer) (got Resumed, want []State, gotCommits, wantCommits int) {
	t.Helper()
	var gs, ws walker.Stats
	opts.Stats = &gs
	got, err := RunFrom(context.Background(), repo, opts, memo, analyzers()...)
	if err != nil {
		t.Fatal(err)
	}
	opts.Store, opts.Stats = nil, &ws
	if want, err = Run(context.Background(), repo, opts, analyzers()...); err != nil {
		t.Fatal(err)
	}
	return got, want, gs.Commits, ws.Commits
}

// RunFrom gives Run's results whatever it resumes from: a walk of newer
// commits above the kept checkpoint resumes; one with a branch merged that
// began below it, one whose renames name files the kept states name
// otherwise, and one that left the kept commits walk whole; a re-run of
// the same tip walks only what is above the checkpoint.
func TestRunFromIsRun(t *testing.T) {
	testrepos.IsolateGit(t)
	h := resumeHistory(t)
	repo, err := walker.Open(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	for _, workers := range []int{1, 3} {
		st, err := walker.OpenStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		run := func(rev string, memo []byte) Resumed {
			t.Helper()
			opts := walker.Options{Revisions: []string{rev}, Workers: workers, Store: st}
			got, want, gotCommits, wantCommits := runFromAndRun(t, repo, opts, memo, resumeAnalyzers)
			if g, w := resumeRows(got.States), resumeRows(want); !reflect.DeepEqual(g, w) {
				t.Errorf("-j%d %s: RunFrom's results differ from Run's:\n%v\nwant\n%v", workers, rev, g, w)
			}
			if gotCommits != wantCommits {
				t.Errorf("-j%d %s: the walk's figures count %d commits, want %d", workers, rev, gotCommits, wantCommits)
			}
			return got
		}
		first := run("m170", nil)
		if first.Memo == nil || first.Resumed {
			t.Fatalf("-j%d: the first run kept no memo (%+v)", workers, first)
		}
		for _, c := range []struct {
			rev              string
			resumed, redone  bool
			walkedBelowWhole bool
		}{
			{rev: "m170", resumed: true},
			{rev: "withRecent", resumed: true},
			{rev: "withOld"},                // o1 and o2 are older than the checkpoint
			{rev: "withMove", redone: true}, // common.go is moved.go below the checkpoint now
			{rev: "forced"},                 // m170 is not in it
		} {
			got := run(c.rev, first.Memo)
			if got.Resumed != c.resumed || got.Redone != c.redone {
				t.Errorf("-j%d %s: resumed %t, redone %t; want %t, %t", workers, c.rev, got.Resumed, got.Redone, c.resumed, c.redone)
			}
			if got.Resumed && got.Walked >= first.Walked {
				t.Errorf("-j%d %s: resumed, but walked %d commits of %d", workers, c.rev, got.Walked, first.Walked)
			}
			if !got.Resumed && got.Memo == nil {
				t.Errorf("-j%d %s: walked whole and kept no memo", workers, c.rev)
			}
			if got.Memo != nil {
				// What it kept resumes the same walk again.
				again := run(c.rev, got.Memo)
				if !again.Resumed {
					t.Errorf("-j%d %s: the memo it kept does not resume it", workers, c.rev)
				}
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// Age's kept results stand for a later Now, not for one that a kept
// commit is dated after: a run whose Now leaves out kept commits walks
// whole, and a run whose own Now left some out keeps no age results.
func TestKeptAgeStandsForItsNow(t *testing.T) {
	testrepos.IsolateGit(t)
	h := resumeHistory(t)
	repo, err := walker.Open(h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	st, err := walker.OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The main line's commits are 4 days apart from t0: m100 is dated
	// t0+400 days, below m170's checkpoint.
	t0 := time.Unix(1_600_000_000, 0)
	day := 24 * time.Hour
	run := func(now time.Time, memo []byte) Resumed {
		t.Helper()
		opts := walker.Options{Revisions: []string{"m170"}, Store: st}
		got, want, _, _ := runFromAndRun(t, repo, opts, memo, func() []Analyzer { return []Analyzer{Age{Now: now}} })
		g, w := got.States[0].(*AgeState), want[0].(*AgeState)
		if !reflect.DeepEqual(g.files, w.files) {
			t.Errorf("now %s: RunFrom's ages differ from Run's", now)
		}
		return got
	}
	kept := run(t0.Add(1000*day), nil)
	if kept.Memo == nil {
		t.Fatal("a run whose Now is after every commit kept nothing")
	}
	if later := run(t0.Add(2000*day), kept.Memo); !later.Resumed {
		t.Errorf("a later Now did not resume: %+v", later)
	}
	if earlier := run(t0.Add(400*day), kept.Memo); earlier.Resumed || !earlier.Redone {
		t.Errorf("a Now before kept commits resumed, or did not walk again: resumed %t, redone %t", earlier.Resumed, earlier.Redone)
	}
	if cut := run(t0.Add(400*day), nil); cut.Memo != nil {
		t.Error("a run whose Now left kept commits out kept them")
	}
}
