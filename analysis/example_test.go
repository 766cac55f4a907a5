package analysis_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// Weekdays is a user's own analyzer: lines changed (added + deleted) and
// commits per weekday of the author date, in the author's own time zone.
type Weekdays struct{}

// NewState returns an empty *WeekdayState.
func (Weekdays) NewState() analysis.State { return &WeekdayState{} }

// WeekdayState holds one worker's counts. Arrays of sums merge by adding,
// which is associative and does not care who saw which commit.
type WeekdayState struct {
	Commits [7]int
	Lines   [7]int
}

// Observe counts one commit.
func (s *WeekdayState) Observe(c *walker.Commit) {
	d := c.Author.When.Weekday()
	s.Commits[d]++
	for _, ch := range c.Changes {
		s.Lines[d] += ch.Added + ch.Deleted
	}
}

// Merge adds another worker's counts.
func (s *WeekdayState) Merge(other analysis.State) {
	o := other.(*WeekdayState)
	for d := range s.Lines {
		s.Commits[d] += o.Commits[d]
		s.Lines[d] += o.Lines[d]
	}
}

// A custom analyzer, run on every branch of a small fixture with the
// built-in churn alongside it. Both see the same walk; merges are left out
// as the built-in analyses do.
func Example_customAnalyzer() {
	repo, err := walker.Open(filepath.Join("..", "testdata", "repos", "merges.git"))
	if err != nil {
		log.Fatal(err)
	}
	defer repo.Close()

	opts := walker.Options{Revisions: []string{"--all"}, NoMerges: true}
	states, err := analysis.Run(context.Background(), repo, opts, Weekdays{}, analysis.Churn{})
	if err != nil {
		log.Fatal(err)
	}
	days := states[0].(*WeekdayState)
	for d := time.Monday; d <= time.Saturday+1; d++ {
		wd := d % 7
		fmt.Printf("%-9s %2d commits %3d lines\n", wd, days.Commits[wd], days.Lines[wd])
	}
	top := states[1].(*analysis.ChurnState).Rows()[0]
	fmt.Printf("most churn: %s (%d lines in %d commits)\n", top.Key, top.Churn, top.Commits)
	// Output:
	// Monday     0 commits   0 lines
	// Tuesday   16 commits  36 lines
	// Wednesday  0 commits   0 lines
	// Thursday   0 commits   0 lines
	// Friday     0 commits   0 lines
	// Saturday   0 commits   0 lines
	// Sunday     0 commits   0 lines
	// most churn: a.txt (18 lines in 6 commits)
}

// The knowledge analysis on a small fixture, with bots left out by the
// scope and files classified by linguist's rules: who authors what, and
// the truck factor. (The fixture is bare: git reads no .gitattributes from
// its tree, so its linguist-generated gen/ counts here, as in git.)
func ExampleKnowledge() {
	repo, err := walker.Open(filepath.Join("..", "testdata", "repos", "people.git"))
	if err != nil {
		log.Fatal(err)
	}
	defer repo.Close()
	mm, err := repo.Mailmap()
	if err != nil {
		log.Fatal(err)
	}
	classes := analysis.Classifier{Attrs: repo.AttrChecker(analysis.LinguistAttributes()...).Check}
	scope := analysis.Scope{Mailmap: mm, Exclude: classes.Exclude}
	k := analysis.Knowledge{Mailmap: mm, Files: classes.InLanguageStats}
	opts := walker.Options{Revisions: []string{"--all"}, NoMerges: true}
	states, err := analysis.Run(context.Background(), repo, opts, scope.Wrap(k))
	if err != nil {
		log.Fatal(err)
	}
	st := states[0].(*analysis.ScopedState).Inner().(*analysis.KnowledgeState)
	r, err := st.ResultAt(context.Background(), repo)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range r.Files {
		fmt.Println(f.Path, f.Authors)
	}
	fmt.Println("truck factor", r.Repository.Factor, r.Repository.People[0].Person)
	// Output:
	// ext/lib.c [Jane Doe <jane@example.com>]
	// gen/api.pb.go [Jane Doe <jane@example.com> Carol Smith <carol@example.com>]
	// src/main.go [Jane Doe <jane@example.com>]
	// src/util.go [Jane D <jane@example.com> Bob Builder <bob@example.com>]
	// web/app.js [Jane Doe <jane@example.com>]
	// truck factor 1 Jane Doe <jane@example.com>
}
