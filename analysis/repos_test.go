package analysis_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// Authors over several repositories: a repository listed twice (two copies
// of one fixture) doubles every figure, files included, since a path of one
// repository is never a file of another; merging in any order gives the
// same rows.
func TestMergeRepositoriesKeepsFilesOfEachRepositoryApart(t *testing.T) {
	testrepos.IsolateGit(t)
	names := []string{"people", "content", "people-copy"}
	dirs := []string{testrepos.Path(t, "people"), testrepos.Path(t, "content"), testrepos.Path(t, "people")}
	run := func(i int) analysis.State {
		return runAnalyzers(t, dirs[i], walker.Options{NoMerges: true}, 2,
			analysis.Authors{Mailmap: mailmapOf(t, dirs[i])}, analysis.Summary{})[0]
	}
	single := run(0).(*analysis.AuthorsState).Rows()
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}} {
		var ns []string
		var sts []analysis.State
		for _, i := range order {
			ns = append(ns, names[i])
			sts = append(sts, run(i))
		}
		got := map[string]analysis.AuthorRow{}
		for _, r := range analysis.MergeRepositories(ns, sts).(*analysis.AuthorsState).Rows() {
			got[r.Name+" <"+r.Email+">"] = r
		}
		content := map[string]analysis.AuthorRow{}
		for _, r := range run(1).(*analysis.AuthorsState).Rows() {
			content[r.Name+" <"+r.Email+">"] = r
		}
		for _, r := range single {
			k := r.Name + " <" + r.Email + ">"
			want := analysis.AuthorRow{Name: r.Name, Email: r.Email, Commits: 2 * r.Commits, Files: 2 * r.Files,
				Added: 2 * r.Added, Deleted: 2 * r.Deleted, First: r.First, Last: r.Last}
			if c, ok := content[k]; ok {
				want.Commits += c.Commits
				want.Files += c.Files
				want.Added += c.Added
				want.Deleted += c.Deleted
				want.First, want.Last = minTime(want.First, c.First), maxTime(want.Last, c.Last)
			}
			if fmt.Sprint(got[k]) != fmt.Sprint(want) {
				t.Errorf("order %v: %s is %+v, want %+v", order, k, got[k], want)
			}
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// mapOf is a mailmap of whole identities, for tests.
type mapOf map[[2]string][2]string

func (m mapOf) Lookup(name, email string) (string, string, bool) {
	if c, ok := m[[2]string{name, email}]; ok {
		return c[0], c[1], true
	}
	return name, email, false
}

// One identity each repository's mailmap maps differently keeps each
// mapping after the merge: identities are mapped by their own repository.
func TestMergeRepositoriesMapsIdentitiesByTheirOwnMailmap(t *testing.T) {
	commit := func(name, email string) *walker.Commit {
		return &walker.Commit{Author: walker.Signature{Name: name, Email: email, When: time.Unix(1700000000, 0)}}
	}
	a := analysis.Identities{Mailmap: mapOf{{"Pat", "pat@x"}: {"Pat Jones", "pat@example.com"}}}.NewState()
	b := analysis.Identities{Mailmap: mapOf{{"Pat", "pat@x"}: {"Patricia", "pat@example.org"}}}.NewState()
	a.Observe(commit("Pat", "pat@x"))
	b.Observe(commit("Pat", "pat@x"))
	b.Observe(commit("Pat", "pat@x"))
	rows := analysis.MergeRepositories([]string{"a", "b"}, []analysis.State{a, b}).(*analysis.IdentitiesState).Rows()
	want := "[{Pat pat@x Pat Jones pat@example.com 1 false} {Pat pat@x Patricia pat@example.org 2 false}]"
	if fmt.Sprint(rows) != want {
		t.Errorf("identities merged across two mailmaps: %v\nwant %s", rows, want)
	}
}

// A repository listed twice: every person authors twice the files, the
// files are named apart, and the truck factor of the two is the search's
// over both copies (each file then needs its authors of either copy gone,
// so the same people are removed, in the same order).
func TestMergeKnowledgeOfARepositoryTwice(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	one := runKnowledge(t, dir, analysis.Knowledge{Mailmap: mailmapOf(t, dir)}, 2)
	two := analysis.MergeKnowledge([]string{"a", "b"}, []*analysis.KnowledgeResult{one, one}, 0)
	if len(two.Files) != 2*len(one.Files) || len(two.Islands) != 2*len(one.Islands) {
		t.Fatalf("%d files, %d islands; want %d and %d", len(two.Files), len(two.Islands), 2*len(one.Files), 2*len(one.Islands))
	}
	if len(two.Files) > 0 && two.Files[0].Path != "a/"+one.Files[0].Path {
		t.Errorf("first file %q, want a/%s", two.Files[0].Path, one.Files[0].Path)
	}
	if len(two.People) != len(one.People) {
		t.Fatalf("%d people, want %d", len(two.People), len(one.People))
	}
	for i, p := range two.People {
		q := one.People[i]
		if p.Person != q.Person || len(p.Authored) != 2*len(q.Authored) || p.Islands != 2*q.Islands || p.Commits != 2*q.Commits || !p.Last.Equal(q.Last) {
			t.Errorf("person %d: %s %d files %d islands %d commits; want %s with twice %d, %d, %d", i, p.Person,
				len(p.Authored), p.Islands, p.Commits, q.Person, len(q.Authored), q.Islands, q.Commits)
		}
	}
	names := func(tf analysis.TruckFactor) (out []string) {
		for _, p := range tf.People {
			out = append(out, p.Person)
		}
		return out
	}
	if fmt.Sprint(names(two.Repository)) != fmt.Sprint(names(one.Repository)) || two.Repository.Files != 2*one.Repository.Files ||
		two.Repository.Coverage != one.Repository.Coverage {
		t.Errorf("truck factor of the two %+v; want the people of one's %+v over twice the files", two.Repository, one.Repository)
	}
}
