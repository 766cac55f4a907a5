package analysis

import (
	"time"

	"github.com/gitwalk/gitwalk/walker"
)

// Summary is the summary analysis: how many commits, merges and authors the
// walk saw, how many files and lines its kept changes touched, and the first
// and last author dates. Filter decides which files and lines count; the
// commits, merges, authors and dates are those of every walked commit (limit
// the walk itself, with a pathspec, to count fewer). Summary is a value; its
// zero value keeps every path.
type Summary struct {
	Filter PathFilter
}

// NewState returns an empty *SummaryState.
func (a Summary) NewState() State {
	return &SummaryState{filter: a.Filter, authors: map[string]struct{}{}, files: map[string]struct{}{}}
}

// SummaryResult is a summary's figures. Authors are distinct name and email
// pairs, as recorded (no .mailmap). Files are distinct paths with a kept
// change. First and Last are the earliest and latest author dates, in UTC;
// both are zero when no commit was walked.
type SummaryResult struct {
	Commits int
	Merges  int // commits with more than one parent (0 unless merges were walked)
	Authors int
	Files   int
	Added   int
	Deleted int
	First   time.Time
	Last    time.Time
}

// SummaryState accumulates Summary. It is not safe for concurrent use: Run
// gives each worker its own and merges them.
type SummaryState struct {
	filter  PathFilter
	res     SummaryResult
	authors map[string]struct{}
	files   map[string]struct{}
}

// Observe adds one commit.
func (s *SummaryState) Observe(c *walker.Commit) {
	s.res.Commits++
	if len(c.Parents) > 1 {
		s.res.Merges++
	}
	s.authors[c.Author.Name+"\x00"+c.Author.Email] = struct{}{}
	s.addDate(c.Author.When.UTC())
	for i := range c.Changes {
		ch := &c.Changes[i]
		if !s.filter.Match(ch.Path) {
			continue
		}
		s.files[ch.Path] = struct{}{}
		s.res.Added += ch.Added
		s.res.Deleted += ch.Deleted
	}
}

func (s *SummaryState) addDate(t time.Time) {
	if s.res.First.IsZero() || t.Before(s.res.First) {
		s.res.First = t
	}
	if s.res.Last.IsZero() || t.After(s.res.Last) {
		s.res.Last = t
	}
}

// Merge adds other's figures to s; other must be a *SummaryState. Authors and
// files are unions of sets and dates a min and a max, so the merge is
// associative and commutative.
func (s *SummaryState) Merge(other State) {
	o := mustBe[*SummaryState](other)
	s.res.Commits += o.res.Commits
	s.res.Merges += o.res.Merges
	s.res.Added += o.res.Added
	s.res.Deleted += o.res.Deleted
	for k := range o.authors {
		s.authors[k] = struct{}{}
	}
	for k := range o.files {
		s.files[k] = struct{}{}
	}
	if o.res.Commits > 0 {
		s.addDate(o.res.First)
		s.addDate(o.res.Last)
	}
}

// AddMerges adds n merge commits that the walk left out to the count (a
// summary counts the merges of the range even when the analyses leave
// them out).
func (s *SummaryState) AddMerges(n int) { s.res.Merges += n }

// Result returns the figures observed so far.
func (s *SummaryState) Result() SummaryResult {
	r := s.res
	r.Authors = len(s.authors)
	r.Files = len(s.files)
	return r
}
