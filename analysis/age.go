package analysis

import (
	"context"
	"sort"
	"time"

	"github.com/gitwalk/gitwalk/walker"
)

// Age is code-maat's age analysis: per file present at the walk's first
// commit in walk order (HEAD for a plain walk), the author date of its last
// change (in UTC), that change's author (canonical, after Mailmap), and its
// age relative to Now in whole months (code-maat's age-months) and days.
// Both count calendar dates in UTC: days are the dates' difference; months
// are whole months from the change's date, where a month from the 31st
// ends on the last day of a shorter month (Jan 31 to Feb 28 is one month).
// Changes dated after Now are not counted, as code-maat counts only changes
// before its "now"; a file changed only after Now gets no row. The zero Now
// means no cut-off. Age is a value; its zero value applies no mailmap.
type Age struct {
	Mailmap Mailmap
	Filter  PathFilter
	Now     time.Time
	// OldestFirst sorts the oldest files first; by default the youngest
	// come first, as code-maat sorts them.
	OldestFirst bool
}

// NewState returns an empty *AgeState.
func (a Age) NewState() State {
	return &AgeState{opts: a, authors: canonAuthors{mailmap: a.Mailmap}, files: map[string]*ageFile{}, first: firstCommit{seq: -1}}
}

// AgeRow is one file's age.
type AgeRow struct {
	Entity     string
	AgeMonths  int
	AgeDays    int
	LastChange time.Time // author date, UTC
	Author     string    // "Name <email>" of the last change
}

// AgeState accumulates Age. It is not safe for concurrent use: Run gives
// each worker its own and merges them.
type AgeState struct {
	opts    Age
	authors canonAuthors
	files   map[string]*ageFile
	first   firstCommit
	// latest is the newest author date observed, Now or not: kept results
	// stand for a later Now only when none of their commits was after
	// either (see UnmarshalBinary).
	latest time.Time
}

// ageFile is a file's last change: the newest author date, ties going to
// the commit first in walk order.
type ageFile struct {
	when   time.Time
	seq    int
	author string
}

func (f *ageFile) later(o *ageFile) bool {
	return o.when.After(f.when) || o.when.Equal(f.when) && o.seq < f.seq
}

// Observe adds one commit.
func (s *AgeState) Observe(c *walker.Commit) {
	s.first.see(c.Seq, c.Hash)
	when := c.Author.When
	if when.After(s.latest) {
		s.latest = when
	}
	if !s.opts.Now.IsZero() && when.After(s.opts.Now) {
		return
	}
	var who string
	for i := range c.Changes {
		ch := &c.Changes[i]
		if !s.opts.Filter.Match(ch.Path) {
			continue
		}
		if who == "" {
			who = s.authors.of(c.Author)
		}
		cand := ageFile{when: when, seq: c.Seq, author: who}
		if f := s.files[ch.Path]; f == nil {
			s.files[ch.Path] = &cand
		} else if f.later(&cand) {
			*f = cand
		}
	}
}

// Merge keeps, per file, the later of the two last changes.
func (s *AgeState) Merge(other State) {
	o := mustBe[*AgeState](other)
	if o.first.seq >= 0 {
		s.first.see(o.first.seq, o.first.hash)
	}
	if o.latest.After(s.latest) {
		s.latest = o.latest
	}
	for p, of := range o.files {
		if f := s.files[p]; f == nil {
			s.files[p] = of
		} else if f.later(of) {
			*f = *of
		}
	}
	o.files = nil
}

// Rows returns the files present at the walk's first commit (looked up with
// repo.FilesAt, which reads trees, no blob; repo must be the walked
// repository), youngest first
// (oldest first with OldestFirst), ties by entity in byte order. now is the
// reference time when the Age's Now is zero.
//
// The first commit observed is not always the one meant (see
// KnowledgeState.ResultAt: with merges left out and a merge at the head, it
// can be a side branch's); RowsIn takes the commit whose files count.
func (s *AgeState) Rows(ctx context.Context, repo *walker.Repo, now time.Time) ([]AgeRow, error) {
	if s.first.seq < 0 {
		return nil, nil
	}
	return s.RowsIn(ctx, repo, s.first.hash, now)
}

// RowsIn is Rows with the files present at commit.
func (s *AgeState) RowsIn(ctx context.Context, repo *walker.Repo, commit walker.Hash, now time.Time) ([]AgeRow, error) {
	if !s.opts.Now.IsZero() {
		now = s.opts.Now
	}
	paths := make([]string, 0, len(s.files))
	for p := range s.files {
		paths = append(paths, p)
	}
	present, err := repo.FilesAt(ctx, commit, paths)
	if err != nil {
		return nil, err
	}
	rows := make([]AgeRow, 0, len(present))
	for p, f := range s.files {
		if _, ok := present[p]; !ok {
			continue
		}
		last := f.when.UTC()
		months, days := ageBetween(last, now.UTC())
		rows = append(rows, AgeRow{Entity: p, AgeMonths: months, AgeDays: days, LastChange: last, Author: f.author})
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if !a.LastChange.Equal(b.LastChange) {
			return a.LastChange.After(b.LastChange) != s.opts.OldestFirst
		}
		return a.Entity < b.Entity
	})
	return rows, nil
}

// ageBetween counts whole months and days from from's date to to's date
// (both UTC), as Age documents.
func ageBetween(from, to time.Time) (months, days int) {
	fy, fm, fd := from.Date()
	ty, tm, td := to.Date()
	d0 := time.Date(fy, fm, fd, 0, 0, 0, 0, time.UTC)
	d1 := time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)
	days = int(d1.Sub(d0).Hours() / 24)
	months = (ty-fy)*12 + int(tm) - int(fm)
	// The day from's day falls on in to's month, clamped to its last day.
	last := time.Date(ty, tm+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if min(fd, last) > td {
		months--
	}
	return months, days
}
