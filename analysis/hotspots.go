package analysis

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/gitwalk/gitwalk/walker"
)

// ErrUnknownSort is returned (wrapped) by ParseHotspotSort for a name it
// does not know.
var ErrUnknownSort = errors.New("unknown sort")

// HotspotSort is what hotspot rows are sorted by, largest first.
type HotspotSort uint8

// The sorts. Ties go to the other figures in the order revisions, churn,
// lines, then to the path in byte order.
const (
	ByRevisions HotspotSort = iota
	ByChurn
	ByLines
)

var hotspotSortNames = [...]string{ByRevisions: "revisions", ByChurn: "churn", ByLines: "lines"}

// String returns the sort's name as --sort takes it.
func (h HotspotSort) String() string {
	if int(h) < len(hotspotSortNames) {
		return hotspotSortNames[h]
	}
	return fmt.Sprintf("HotspotSort(%d)", uint8(h))
}

// ParseHotspotSort reads a sort name: revisions, churn or lines.
func ParseHotspotSort(s string) (HotspotSort, error) {
	for i, n := range hotspotSortNames {
		if s == n {
			return HotspotSort(i), nil
		}
	}
	return 0, fmt.Errorf("%w %q: want revisions, churn or lines", ErrUnknownSort, s)
}

// Hotspots is the hotspots analysis: per file, the commits that changed it,
// its churn (lines added + deleted), its distinct authors (canonical, after
// Mailmap) and its size now, in lines, at the walk's first commit in walk
// order (HEAD for a plain walk: the newest). Files that do not exist at that
// commit are not hotspots and get no row. Hotspots is a value; its zero
// value applies no mailmap, keeps every path and sorts by revisions.
type Hotspots struct {
	Mailmap Mailmap
	Filter  PathFilter
	Sort    HotspotSort
}

// NewState returns an empty *HotspotsState.
func (a Hotspots) NewState() State {
	return &HotspotsState{opts: a, authors: canonAuthors{mailmap: a.Mailmap}, files: map[string]*hotFile{}, first: firstCommit{seq: -1}}
}

// HotspotRow is one file's figures. Lines is nil for a binary file (git's
// binary detection, as walker.LineCounts decides it) and an int otherwise.
type HotspotRow struct {
	Entity         string
	Revisions      int
	Authors        int
	Added, Deleted int
	Churn          int
	Lines          int
	Binary         bool
}

// HotspotsState accumulates Hotspots. It is not safe for concurrent use:
// Run gives each worker its own and merges them.
type HotspotsState struct {
	opts    Hotspots
	authors canonAuthors
	files   map[string]*hotFile
	first   firstCommit
}

type hotFile struct {
	revs, added, deleted int
	authors              map[string]struct{}
}

// firstCommit is the commit of smallest walker.Commit.Seq seen: the first
// in walk order whichever worker saw it. seq -1: none yet.
type firstCommit struct {
	seq  int
	hash walker.Hash
}

func (f *firstCommit) see(seq int, h walker.Hash) {
	if f.seq < 0 || seq < f.seq {
		f.seq, f.hash = seq, h
	}
}

// Observe adds one commit.
func (s *HotspotsState) Observe(c *walker.Commit) {
	s.first.see(c.Seq, c.Hash)
	var who string
	for i := range c.Changes {
		ch := &c.Changes[i]
		if !s.opts.Filter.Match(ch.Path) {
			continue
		}
		if who == "" {
			who = s.authors.of(c.Author)
		}
		f := s.files[ch.Path]
		if f == nil {
			f = &hotFile{authors: map[string]struct{}{}}
			s.files[ch.Path] = f
		}
		f.revs++
		f.added += ch.Added
		f.deleted += ch.Deleted
		f.authors[who] = struct{}{}
	}
}

// Merge adds other's figures to s.
func (s *HotspotsState) Merge(other State) {
	o := mustBe[*HotspotsState](other)
	if o.first.seq >= 0 {
		s.first.see(o.first.seq, o.first.hash)
	}
	for p, of := range o.files {
		f := s.files[p]
		if f == nil {
			s.files[p] = of
			continue
		}
		f.revs += of.revs
		f.added += of.added
		f.deleted += of.deleted
		for a := range of.authors {
			f.authors[a] = struct{}{}
		}
	}
	o.files = nil
}

// First returns the walk's first commit in walk order, where sizes are
// taken; ok is false when no commit was observed.
func (s *HotspotsState) First() (h walker.Hash, ok bool) { return s.first.hash, s.first.seq >= 0 }

// Rows returns the files that exist at First, sized with repo.LineCounts,
// sorted as Sort says. repo must be the walked repository. The slice is the
// caller's. First is not always the commit meant (see AgeState.Rows);
// RowsIn takes the commit whose files count and are sized.
func (s *HotspotsState) Rows(ctx context.Context, repo *walker.Repo) ([]HotspotRow, error) {
	if s.first.seq < 0 {
		return nil, nil
	}
	return s.RowsIn(ctx, repo, s.first.hash)
}

// RowsIn is Rows with the files that exist at commit, sized there.
func (s *HotspotsState) RowsIn(ctx context.Context, repo *walker.Repo, commit walker.Hash) ([]HotspotRow, error) {
	paths := make([]string, 0, len(s.files))
	for p := range s.files {
		paths = append(paths, p)
	}
	sizes, err := repo.LineCounts(ctx, commit, paths)
	if err != nil {
		return nil, err
	}
	rows := make([]HotspotRow, 0, len(sizes))
	for p, f := range s.files {
		sz, ok := sizes[p]
		if !ok {
			continue
		}
		rows = append(rows, HotspotRow{Entity: p, Revisions: f.revs, Authors: len(f.authors), Added: f.added,
			Deleted: f.deleted, Churn: f.added + f.deleted, Lines: sz.Lines, Binary: sz.Binary})
	}
	key := func(r *HotspotRow) [3]int {
		switch s.opts.Sort {
		case ByChurn:
			return [3]int{r.Churn, r.Revisions, r.Lines}
		case ByLines:
			return [3]int{r.Lines, r.Revisions, r.Churn}
		}
		return [3]int{r.Revisions, r.Churn, r.Lines}
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := key(&rows[i]), key(&rows[j])
		for k := range a {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		return rows[i].Entity < rows[j].Entity
	})
	return rows, nil
}
