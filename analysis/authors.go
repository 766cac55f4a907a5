package analysis

import (
	"sort"
	"strings"
	"time"

	"github.com/gitwalk/gitwalk/walker"
)

// Mailmap maps an identity to its canonical one, as git applies .mailmap.
// The *mailmap.Map that walker.Repo.Mailmap returns is one; ok says whether
// an entry applied. Implementations must be safe for concurrent lookups.
type Mailmap interface {
	Lookup(name, email string) (canonName, canonEmail string, ok bool)
}

// Authors is the authors analysis: per author, the commits, the distinct
// files touched, the lines added and deleted, and the first and last author
// dates. Authors are canonical name and email pairs, as `git shortlog -sne`
// groups them: the author line mapped through Mailmap when set, then
// compared byte for byte. Filter decides which files and lines count;
// commits and dates are those of every walked commit (limit the walk with a
// pathspec to count fewer). Authors is a value; its zero value applies no
// mailmap and keeps every path.
type Authors struct {
	Mailmap Mailmap
	Filter  PathFilter
}

// NewState returns an empty *AuthorsState.
func (a Authors) NewState() State {
	return &AuthorsState{mailmap: a.Mailmap, filter: a.Filter, byAuthor: map[authorKey]*authorAcc{}, canon: map[authorKey]authorKey{}}
}

// AuthorRow is one author's figures. First and Last are in UTC.
type AuthorRow struct {
	Name, Email string
	Commits     int
	Files       int // distinct paths with a kept change
	Added       int
	Deleted     int
	First, Last time.Time
}

// AuthorsState accumulates Authors. It is not safe for concurrent use: Run
// gives each worker its own and merges them.
type AuthorsState struct {
	mailmap  Mailmap
	filter   PathFilter
	byAuthor map[authorKey]*authorAcc
	canon    map[authorKey]authorKey // raw identity -> canonical, so each is looked up once
}

type authorKey struct{ name, email string }

type authorAcc struct {
	commits, added, deleted int
	files                   map[string]struct{}
	first, last             time.Time
}

// Observe adds one commit.
func (s *AuthorsState) Observe(c *walker.Commit) {
	raw := authorKey{c.Author.Name, c.Author.Email}
	key, ok := s.canon[raw]
	if !ok {
		key = raw
		if s.mailmap != nil {
			key.name, key.email, _ = s.mailmap.Lookup(raw.name, raw.email)
		}
		s.canon[raw] = key
	}
	acc := s.byAuthor[key]
	if acc == nil {
		acc = &authorAcc{files: map[string]struct{}{}}
		s.byAuthor[key] = acc
	}
	acc.commits++
	acc.addDates(c.Author.When.UTC(), c.Author.When.UTC())
	for i := range c.Changes {
		ch := &c.Changes[i]
		if !s.filter.Match(ch.Path) {
			continue
		}
		acc.files[ch.Path] = struct{}{}
		acc.added += ch.Added
		acc.deleted += ch.Deleted
	}
}

func (a *authorAcc) addDates(first, last time.Time) {
	if a.first.IsZero() || first.Before(a.first) {
		a.first = first
	}
	if a.last.IsZero() || last.After(a.last) {
		a.last = last
	}
}

// Merge adds other's figures to s; other must be a *AuthorsState of the
// same Authors. Sums, unions, minimum and maximum make it associative and
// independent of which state saw which commit.
func (s *AuthorsState) Merge(other State) {
	o := mustBe[*AuthorsState](other)
	for key, oa := range o.byAuthor {
		acc := s.byAuthor[key]
		if acc == nil {
			s.byAuthor[key] = oa
			continue
		}
		acc.commits += oa.commits
		acc.added += oa.added
		acc.deleted += oa.deleted
		for p := range oa.files {
			acc.files[p] = struct{}{}
		}
		acc.addDates(oa.first, oa.last)
	}
	o.byAuthor = nil
}

// Rows returns one row per author, by commits (most first), then name and
// email in byte order, so that ties always sort the same way.
func (s *AuthorsState) Rows() []AuthorRow {
	rows := make([]AuthorRow, 0, len(s.byAuthor))
	for key, acc := range s.byAuthor {
		rows = append(rows, AuthorRow{Name: key.name, Email: key.email, Commits: acc.commits, Files: len(acc.files),
			Added: acc.added, Deleted: acc.deleted, First: acc.first, Last: acc.last})
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if a.Commits != b.Commits {
			return a.Commits > b.Commits
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c < 0
		}
		return a.Email < b.Email
	})
	return rows
}

// AuthorsReport makes the Report of author rows: author, email, commits,
// files, added, deleted, first, last. Options is left for the caller to fill.
func AuthorsReport(rows []AuthorRow) *Report {
	r := &Report{
		Analysis: "authors",
		Columns: []Column{{Name: "author", Cut: true}, {Name: "email", Cut: true}, {Name: "commits"}, {Name: "files"},
			{Name: "added"}, {Name: "deleted"}, {Name: "first"}, {Name: "last"}},
		Rows: make([][]any, len(rows)),
	}
	for i, row := range rows {
		r.Rows[i] = []any{row.Name, row.Email, row.Commits, row.Files, row.Added, row.Deleted, row.First.UTC(), row.Last.UTC()}
	}
	return r
}
