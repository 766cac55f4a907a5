package analysis

import (
	"fmt"
	"strings"
	"time"
)

// KnowledgeView is which table of a KnowledgeResult a report shows.
type KnowledgeView uint8

// The views.
const (
	ViewTruck  KnowledgeView = iota // the truck factor of the repository, then of each folder
	ViewFiles                       // each file's authors
	ViewPeople                      // each person's files, islands, last commit, departure
	ViewLoss                        // the files no author is left for, hot first
)

var knowledgeViewNames = [...]string{ViewTruck: "truck", ViewFiles: "files", ViewPeople: "people", ViewLoss: "loss"}

// String returns the view's name as --view takes it.
func (v KnowledgeView) String() string {
	if int(v) < len(knowledgeViewNames) {
		return knowledgeViewNames[v]
	}
	return fmt.Sprintf("KnowledgeView(%d)", uint8(v))
}

// ParseKnowledgeView reads a view name: truck, files, people or loss.
func ParseKnowledgeView(s string) (KnowledgeView, error) {
	for v, name := range knowledgeViewNames {
		if s == name {
			return KnowledgeView(v), nil
		}
	}
	return 0, fmt.Errorf("knowledge view %q: want truck, files, people or loss", s)
}

// KnowledgeReport makes the Report of one view of r, its first top rows (0:
// all), with notes every view carries: the repository's truck factor and
// its people, the files, the islands, the departure cutoff and the files
// lost. Lists of people in a cell are joined by "; ". Options is left for
// the caller to fill.
//   - truck: folder ("." for the repository, first), files, truck-factor,
//     people (removed, in order), orphans (files with no author at all),
//     coverage (share of files with an author left after the removals);
//   - files: entity, authors (by DOA), n-authors, main-doa (the highest
//     DOA, two decimals), commits, churn;
//   - people: author, files (authored), islands, commits, last-commit,
//     departed, leaving;
//   - loss: entity, authors (all gone), commits, churn.
//
// When r.NoLineCounts, the churn columns are left out (churn was not read)
// and a "line-counts" note says so; else that note says they were read.
func KnowledgeReport(r *KnowledgeResult, view KnowledgeView, top int) *Report {
	rep := &Report{Analysis: "knowledge"}
	cut := func(n int) int {
		if top > 0 && n > top {
			return top
		}
		return n
	}
	switch view {
	case ViewTruck:
		rep.Columns = []Column{{Name: "folder", Cut: true}, {Name: "files"}, {Name: "truck-factor", Short: "tf"},
			{Name: "people", Cut: true}, {Name: "orphans"}, {Name: "coverage"}}
		tfs := append([]TruckFactor{r.Repository}, r.Folders...)
		for _, tf := range tfs[:cut(len(tfs))] {
			rep.Rows = append(rep.Rows, []any{tf.Folder, tf.Files, tf.Factor, joinPeople(tf.People), tf.Orphans, tf.Coverage})
		}
	case ViewFiles:
		rep.Columns = []Column{{Name: "entity", Cut: true}, {Name: "authors", Cut: true}, {Name: "n-authors"},
			{Name: "main-doa"}, {Name: "commits"}, {Name: "churn"}}
		for _, f := range r.Files[:cut(len(r.Files))] {
			var doa any
			if len(f.People) > 0 {
				doa = round2(f.People[0].DOA)
			}
			rep.Rows = append(rep.Rows, []any{f.Path, strings.Join(f.Authors, "; "), len(f.Authors), doa, f.Commits, f.Churn})
		}
		dropChurn(rep, r)
	case ViewPeople:
		rep.Columns = []Column{{Name: "author", Cut: true}, {Name: "files"}, {Name: "islands"}, {Name: "commits"},
			{Name: "last-commit"}, {Name: "departed"}, {Name: "leaving"}}
		for _, p := range r.People[:cut(len(r.People))] {
			rep.Rows = append(rep.Rows, []any{p.Person, len(p.Authored), p.Islands, p.Commits, p.Last.UTC(), p.Departed, p.Leaving})
		}
	case ViewLoss:
		rep.Columns = []Column{{Name: "entity", Cut: true}, {Name: "authors", Cut: true}, {Name: "commits"}, {Name: "churn"}}
		for _, l := range r.Lost[:cut(len(r.Lost))] {
			rep.Rows = append(rep.Rows, []any{l.Path, strings.Join(l.Authors, "; "), l.Commits, l.Churn})
		}
		dropChurn(rep, r)
	}
	tf := r.Repository
	rep.Notes = []Note{
		{Name: "truck-factor", Value: tf.Factor, Text: fmt.Sprintf("truck factor %d: %s", tf.Factor, joinPeople(tf.People))},
		{Name: "truck-factor-people", Value: joinPeople(tf.People)}, // in the line above for a table
		{Name: "files", Value: len(r.Files), Text: fmt.Sprintf("%d files alive at the newest commit walked", len(r.Files))},
		{Name: "islands", Value: len(r.Islands), Text: fmt.Sprintf("%d files with a single author (knowledge islands)", len(r.Islands))},
	}
	var departed []string
	for _, p := range r.People {
		if p.Departed {
			departed = append(departed, p.Person)
		}
	}
	if !r.DepartedBefore.IsZero() {
		rep.Notes = append(rep.Notes, Note{Name: "departed-before", Value: r.DepartedBefore.UTC(),
			Text: fmt.Sprintf("%d people departed: no commit since %s (the newest commit's date less --departed-after months)",
				len(departed), r.DepartedBefore.UTC().Format(time.DateOnly))})
	}
	rep.Notes = append(rep.Notes, Note{Name: "lost-files", Value: len(r.Lost),
		Text: fmt.Sprintf("%d files have no author left once the departed and leaving are gone", len(r.Lost))},
		Note{Name: "left-out-files", Value: r.LeftOut,
			Text: fmt.Sprintf("%d paths walked left out by the file selection (by default: not in linguist's languages)", r.LeftOut)})
	lines := Note{Name: "line-counts", Value: "read", Text: "line counts read: lost files ranked by churn"}
	if r.NoLineCounts {
		lines = Note{Name: "line-counts", Value: "not read",
			Text: "line counts not read (authorship needs none; --churn reads them): lost files ranked by commits"}
	}
	rep.Notes = append(rep.Notes, lines)
	return rep
}

// dropChurn removes the churn column, the last, when churn was not read.
func dropChurn(rep *Report, r *KnowledgeResult) {
	if !r.NoLineCounts {
		return
	}
	rep.Columns = rep.Columns[:len(rep.Columns)-1]
	for i := range rep.Rows {
		rep.Rows[i] = rep.Rows[i][:len(rep.Rows[i])-1]
	}
}

func joinPeople(ps []TruckPerson) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Person
	}
	return strings.Join(names, "; ")
}

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }
