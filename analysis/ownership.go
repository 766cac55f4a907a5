package analysis

import (
	"math"
	"sort"

	"github.com/gitwalk/gitwalk/walker"
)

// canonAuthors names commit authors as "Name <email>" after Mailmap, looking
// each raw identity up once. Not safe for concurrent use.
type canonAuthors struct {
	mailmap Mailmap
	canon   map[authorKey]string
}

func (c *canonAuthors) of(sig walker.Signature) string {
	raw := authorKey{sig.Name, sig.Email}
	if s, ok := c.canon[raw]; ok {
		return s
	}
	name, email := raw.name, raw.email
	if c.mailmap != nil {
		name, email, _ = c.mailmap.Lookup(name, email)
	}
	if c.canon == nil {
		c.canon = map[authorKey]string{}
	}
	s := name + " <" + email + ">"
	c.canon[raw] = s
	return s
}

// Ownership is code-maat's main-dev analysis: per file, the author who added
// the most lines to it (its main developer), those lines, the lines all
// authors added, the main developer's share of them, and how many distinct
// authors changed the file. Authors are canonical "Name <email>" after
// Mailmap, as Authors groups them. Ties between authors go to more commits
// on the file, then to the name in byte order. Files with no added lines in
// the walk (binary files, files only deleted from) have no main developer by
// lines and are left out (OwnershipState.NoAdded counts them). Ownership is a
// value; its zero value applies no mailmap and keeps every path.
type Ownership struct {
	Mailmap Mailmap
	Filter  PathFilter
}

// NewState returns an empty *OwnershipState.
func (a Ownership) NewState() State {
	return &OwnershipState{filter: a.Filter, authors: canonAuthors{mailmap: a.Mailmap}, files: map[string]*ownFile{}}
}

// OwnershipRow is one file's main developer. Ownership is Added/TotalAdded
// rounded to two decimals (code-maat's fraction, 0 to 1).
type OwnershipRow struct {
	Entity     string
	MainDev    string // "Name <email>"
	Added      int    // lines the main developer added
	TotalAdded int
	Ownership  float64
	Authors    int // distinct authors with a kept change to the file
}

// OwnershipState accumulates Ownership. It is not safe for concurrent use:
// Run gives each worker its own and merges them.
type OwnershipState struct {
	filter  PathFilter
	authors canonAuthors
	files   map[string]*ownFile
}

type ownFile struct {
	total   int
	authors map[string]*ownAuthor
}

type ownAuthor struct{ added, commits int }

// Observe adds one commit's kept changes.
func (s *OwnershipState) Observe(c *walker.Commit) {
	var who string
	for i := range c.Changes {
		ch := &c.Changes[i]
		if !s.filter.Match(ch.Path) {
			continue
		}
		if who == "" {
			who = s.authors.of(c.Author)
		}
		f := s.files[ch.Path]
		if f == nil {
			f = &ownFile{authors: map[string]*ownAuthor{}}
			s.files[ch.Path] = f
		}
		a := f.authors[who]
		if a == nil {
			a = &ownAuthor{}
			f.authors[who] = a
		}
		a.added += ch.Added
		a.commits++ // a path is listed once per commit
		f.total += ch.Added
	}
}

// Merge adds other's figures to s: sums per file and author.
func (s *OwnershipState) Merge(other State) {
	o := mustBe[*OwnershipState](other)
	for p, of := range o.files {
		f := s.files[p]
		if f == nil {
			s.files[p] = of
			continue
		}
		f.total += of.total
		for who, oa := range of.authors {
			if a := f.authors[who]; a != nil {
				a.added += oa.added
				a.commits += oa.commits
			} else {
				f.authors[who] = oa
			}
		}
	}
	o.files = nil
}

// NoAdded returns how many changed files had no added lines in the walk
// (and so no row).
func (s *OwnershipState) NoAdded() int {
	n := 0
	for _, f := range s.files {
		if f.total == 0 {
			n++
		}
	}
	return n
}

// Rows returns one row per file with added lines, by total added lines
// descending, then entity in byte order. The slice is the caller's.
func (s *OwnershipState) Rows() []OwnershipRow {
	rows := make([]OwnershipRow, 0, len(s.files))
	for p, f := range s.files {
		if f.total == 0 {
			continue
		}
		var best string
		var ba *ownAuthor
		for who, a := range f.authors {
			if ba == nil || a.added > ba.added || a.added == ba.added && (a.commits > ba.commits || a.commits == ba.commits && who < best) {
				best, ba = who, a
			}
		}
		rows = append(rows, OwnershipRow{Entity: p, MainDev: best, Added: ba.added, TotalAdded: f.total,
			Ownership: math.Round(100*float64(ba.added)/float64(f.total)) / 100, Authors: len(f.authors)})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].TotalAdded != rows[j].TotalAdded {
			return rows[i].TotalAdded > rows[j].TotalAdded
		}
		return rows[i].Entity < rows[j].Entity
	})
	return rows
}
