package analysis_test

import (
	"context"
	"fmt"
	"path"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/linguist"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// expectedChurn aggregates git's own log by hand: the oracle for Churn.
func expectedChurn(commits []gitCommit, by analysis.Grouping) map[string]analysis.ChurnRow {
	rows := map[string]analysis.ChurnRow{}
	for _, c := range commits {
		counted := map[string]bool{}
		for _, ch := range c.changes {
			var key string
			switch by {
			case analysis.ByFile:
				key = ch.path
			case analysis.ByDir:
				key = path.Dir(ch.path)
			case analysis.ByAuthor:
				key = c.author
			case analysis.ByDay:
				key = c.day
			case analysis.ByWeek:
				key = c.week
			case analysis.ByMonth:
				key = c.month
			case analysis.ByLanguage:
				if key = linguist.Language(ch.path); key == "" {
					key = analysis.UnknownLanguage
				}
			}
			r := rows[key]
			r.Key = key
			if !counted[key] {
				counted[key] = true
				r.Commits++
			}
			r.Added += ch.added
			r.Deleted += ch.deleted
			r.Churn += ch.added + ch.deleted
			if by == analysis.ByFile && ch.oldPath != "" && ch.oldPath != key && !slices.Contains(r.Earlier, ch.oldPath) {
				r.Earlier = append(r.Earlier, ch.oldPath) // the names git renamed the file from
				sort.Strings(r.Earlier)
			}
			rows[key] = r
		}
	}
	return rows
}

// runAnalyzers walks dir with the given worker count and returns the states.
func runAnalyzers(t *testing.T, dir string, opts walker.Options, workers int, as ...analysis.Analyzer) []analysis.State {
	t.Helper()
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	opts.Workers = workers
	states, err := analysis.Run(context.Background(), repo, opts, as...)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return states
}

// fixtureDirs returns every fixture with commits, and the people repository.
func fixtureDirs(t *testing.T) map[string]string {
	t.Helper()
	dirs := map[string]string{"people": buildPeopleRepo(t)}
	for _, name := range testrepos.Names() {
		if name != "empty" {
			dirs[name] = testrepos.Path(t, name)
		}
	}
	return dirs
}

var groupings = []analysis.Grouping{analysis.ByFile, analysis.ByDir, analysis.ByAuthor, analysis.ByDay, analysis.ByWeek, analysis.ByMonth, analysis.ByLanguage}

func TestChurnAndSummaryMatchGitLogForEveryGroupingAndWorkerCount(t *testing.T) {
	dirs := fixtureDirs(t)
	names := make([]string, 0, len(dirs))
	for n := range dirs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		dir := dirs[name]
		commits := gitLog(t, dir, "--all", "--no-merges")
		analyzers := make([]analysis.Analyzer, len(groupings))
		for i, g := range groupings {
			analyzers[i] = analysis.Churn{By: g}
		}
		// The summary rides on the same walks (TestSummary... walks merges).
		analyzers = append(analyzers, analysis.Summary{})
		wantSummary := expectedSummary(commits)
		for _, workers := range []int{1, 2, 8} {
			states := runAnalyzers(t, dir, walker.Options{Revisions: []string{"--all"}, NoMerges: true}, workers, analyzers...)
			if got := states[len(groupings)].(*analysis.SummaryState).Result(); got != wantSummary {
				t.Errorf("%s summary with %d workers:\n got  %+v\n want %+v", name, workers, got, wantSummary)
			}
			for i, g := range groupings {
				t.Run(fmt.Sprintf("%s by %s with %d workers", name, g, workers), func(t *testing.T) {
					want := expectedChurn(commits, g)
					rows := states[i].(*analysis.ChurnState).Rows()
					got := map[string]analysis.ChurnRow{}
					for _, r := range rows {
						got[r.Key] = r
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("churn differs from git log's:\n got  %v\n want %v", got, want)
					}
					checkSorted(t, rows)
				})
			}
		}
	}
}

func checkSorted(t *testing.T, rows []analysis.ChurnRow) {
	t.Helper()
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		ordered := a.Churn > b.Churn || a.Churn == b.Churn && (a.Commits > b.Commits || a.Commits == b.Commits && a.Key < b.Key)
		if !ordered {
			t.Fatalf("rows %d and %d out of order: %+v before %+v", i-1, i, a, b)
		}
	}
}

func TestChurnBucketsAuthorDatesInUTC(t *testing.T) {
	// The people repository's first commit is 2020-12-31 23:30 at -05:00:
	// in UTC, 2021-01-01, a Friday of ISO week 2020-W53; its second is a
	// Sunday, still 2020-W53; the third is 2021-01-04 00:30 at +02:00,
	// 2021-01-03 in UTC; the fifth, 2021-02-28 23:59:59 at -01:00, is
	// 2021-03-01 (a Monday, 2021-W09) in UTC.
	dir := buildPeopleRepo(t)
	states := runAnalyzers(t, dir, walker.Options{NoMerges: true}, 2,
		analysis.Churn{By: analysis.ByDay}, analysis.Churn{By: analysis.ByWeek})
	keys := func(s analysis.State) []string {
		var k []string
		for _, r := range s.(*analysis.ChurnState).Rows() {
			k = append(k, r.Key)
		}
		sort.Strings(k)
		return k
	}
	wantDays := []string{"2021-01-01", "2021-01-03", "2021-01-04", "2021-03-01", "2021-03-15", "2021-04-01"}
	if got := keys(states[0]); !reflect.DeepEqual(got, wantDays) {
		t.Errorf("days %v, want %v", got, wantDays)
	}
	wantWeeks := []string{"2020-W53", "2021-W01", "2021-W09", "2021-W11", "2021-W13"}
	if got := keys(states[1]); !reflect.DeepEqual(got, wantWeeks) {
		t.Errorf("weeks %v, want %v", got, wantWeeks)
	}
}

func TestChurnFilterMatchesGitGlobPathspecs(t *testing.T) {
	cases := []struct {
		name     string
		filter   analysis.PathFilter
		pathspec []string
	}{
		{"include a base-name glob keeps it at any depth", analysis.PathFilter{Include: []string{"*.go"}}, []string{":(glob)**/*.go"}},
		{"exclude a folder drops everything under it", analysis.PathFilter{Exclude: []string{"vendor/**"}}, []string{".", ":(exclude,glob)vendor/**"}},
		{"include a folder with a trailing slash", analysis.PathFilter{Include: []string{"src/"}}, []string{":(glob)src/**"}},
		{"exclude wins over include", analysis.PathFilter{Include: []string{"src/**"}, Exclude: []string{"src/lib/*"}}, []string{":(glob)src/**", ":(exclude,glob)src/lib/*"}},
		{"double star in the middle", analysis.PathFilter{Include: []string{"**/b.go"}}, []string{":(glob)**/b.go"}},
	}
	dir := buildPeopleRepo(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := expectedChurn(gitLog(t, dir, append([]string{"--no-merges", "--"}, tc.pathspec...)...), analysis.ByFile)
			states := runAnalyzers(t, dir, walker.Options{NoMerges: true}, 2, analysis.Churn{Filter: tc.filter})
			got := map[string]analysis.ChurnRow{}
			for _, r := range states[0].(*analysis.ChurnState).Rows() {
				got[r.Key] = r
			}
			if len(want) == 0 {
				t.Fatal("git kept nothing: the case proves nothing")
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v\nwant %v", got, want)
			}
		})
	}
}

func TestPathFilterMatches(t *testing.T) {
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"*.go", "a.go", true},
		{"*.go", "deep/er/a.go", true},
		{"*.go", "a.gox", false},
		{"src/*.go", "src/a.go", true},
		{"src/*.go", "src/x/a.go", false},
		{"src/**/*.go", "src/a.go", true},
		{"src/**/*.go", "src/x/y/a.go", true},
		{"src/**", "srcx/a.go", false},
		{"docs/", "docs/a/b.md", true},
		{"docs/", "docsx/a.md", false},
		{"**/testdata/**", "a/testdata/b/c", true},
		{"[ab].txt", "b.txt", true},
		{"question?.txt", "question!.txt", true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s against %s gives %v", tc.pattern, tc.path, tc.want), func(t *testing.T) {
			f := analysis.PathFilter{Include: []string{tc.pattern}}
			if err := f.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := f.Match(tc.path); got != tc.want {
				t.Errorf("Match = %v", got)
			}
		})
	}
	if err := (analysis.PathFilter{Exclude: []string{"src/[a"}}).Validate(); err == nil {
		t.Error("a malformed pattern validates")
	}
}

// TestChurnMergeIsAssociativeAndOrderFree feeds the same commits to states
// split in different ways and merged in different orders.
func TestChurnMergeIsAssociativeAndOrderFree(t *testing.T) {
	at := func(day int) time.Time { return time.Date(2024, 3, day, 12, 0, 0, 0, time.UTC) }
	commits := []*walker.Commit{
		{Author: walker.Signature{Name: "A", Email: "a@x", When: at(1)}, Changes: []walker.Change{{Path: "x/1", Added: 3}, {Path: "x/2", Deleted: 1}}},
		{Author: walker.Signature{Name: "B", Email: "b@x", When: at(2)}, Changes: []walker.Change{{Path: "x/1", Added: 1, Deleted: 1}}},
		{Author: walker.Signature{Name: "A", Email: "a@x", When: at(9)}, Changes: []walker.Change{{Path: "y", Added: 2}, {Path: "x/2", Binary: true}}},
		{Author: walker.Signature{Name: "C", Email: "c@x", When: at(9)}, Changes: []walker.Change{{Path: "y", Deleted: 2}}},
	}
	for _, g := range groupings {
		t.Run("by "+g.String(), func(t *testing.T) {
			a := analysis.Churn{By: g}
			one := a.NewState()
			for _, c := range commits {
				one.Observe(c)
			}
			parts := make([]analysis.State, len(commits))
			for i, c := range commits {
				parts[i] = a.NewState()
				parts[i].Observe(c)
			}
			// (p3 + p1) + (p0 + p2)
			left := parts[3]
			left.Merge(parts[1])
			right := parts[0]
			right.Merge(parts[2])
			left.Merge(right)
			if got, want := left.(*analysis.ChurnState).Rows(), one.(*analysis.ChurnState).Rows(); !reflect.DeepEqual(got, want) {
				t.Fatalf("merged %v, one state %v", got, want)
			}
		})
	}
}

// BenchmarkChurnObserve feeds commits of 20 changes over 2,000 paths, the
// shape of an ordinary history, to one state.
func BenchmarkChurnObserve(b *testing.B) {
	commits := make([]*walker.Commit, 100)
	for i := range commits {
		c := &walker.Commit{Author: walker.Signature{Name: "A", Email: "a@x", When: time.Unix(int64(i)*86400, 0)}}
		for j := 0; j < 20; j++ {
			c.Changes = append(c.Changes, walker.Change{Path: fmt.Sprintf("dir%d/file%d.go", (i*20+j)%50, (i*7+j)%2000), Added: j, Deleted: 1})
		}
		commits[i] = c
	}
	for _, g := range []analysis.Grouping{analysis.ByFile, analysis.ByDir, analysis.ByAuthor, analysis.ByWeek} {
		b.Run("by "+g.String(), func(b *testing.B) {
			b.ReportAllocs()
			s := analysis.Churn{By: g}.NewState()
			for i := 0; b.Loop(); i++ {
				s.Observe(commits[i%len(commits)])
			}
		})
	}
}

// TestChurnOfALongHistoryIsTheSameForEveryWorkerCount walks a history
// longer than the runs of commits handed to each observer and than a
// batch of stored commits, with 1 to 3 workers, without and then with a
// store (cold, then warm): every count is the one the history was built
// with.
func TestChurnOfALongHistoryIsTheSameForEveryWorkerCount(t *testing.T) {
	const commits, files = 1200, 7
	h := testrepos.NewHistory(t)
	want := map[string]analysis.ChurnRow{}
	parent := []string{}
	for i := range commits {
		path := fmt.Sprintf("f%d.c", i%files)
		r := want[path]
		r.Key, r.Commits, r.Added = path, r.Commits+1, r.Added+1
		if i >= files {
			r.Deleted++
		}
		r.Churn = r.Added + r.Deleted
		want[path] = r
		name := fmt.Sprintf("c%d", i)
		h.Commit(name, int64(1_000_000+i*60), fmt.Sprintf("%s=v%d", path, i), parent...)
		parent = []string{name}
	}
	h.Branch("main", parent[0])
	h.Build("main")
	store, err := walker.OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for pass, s := range []*walker.Store{nil, store, store} {
		for _, workers := range []int{1, 2, 3} {
			var st walker.Stats
			states := runAnalyzers(t, h.Dir, walker.Options{Store: s, Stats: &st}, workers, analysis.Churn{By: analysis.ByFile})
			if pass == 2 && st.StoreHits != commits {
				t.Fatalf("warm walk with %d workers: %d commits from the store, want %d", workers, st.StoreHits, commits)
			}
			got := map[string]analysis.ChurnRow{}
			for _, r := range states[0].(*analysis.ChurnState).Rows() {
				got[r.Key] = r
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%d workers, store %t:\n got  %v\n want %v", workers, s != nil, got, want)
			}
		}
	}
}
