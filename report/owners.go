package report

import (
	"math"
	"sort"
	"strings"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// DirOwnership is the analysis behind the report's knowledge silos by
// directory: the ownership analysis (main developer by lines added) with
// folders in place of files. A change to a/b/c.go counts for a and for a/b
// (down to Depth folders); a file at the top counts for ".". Per folder it
// gives the author who added the most lines under it, those lines, the lines
// all authors added, the share, and how many distinct authors changed
// something there. Ties between authors go to more commits under the
// folder, then to the name in byte order. Authors are "Name <email>" after
// Mailmap, as analysis.Ownership names them. DirOwnership is a value; its
// zero value keeps two levels of folders, applies no mailmap and keeps every
// path.
type DirOwnership struct {
	Mailmap analysis.Mailmap
	Filter  analysis.PathFilter
	Depth   int // folder levels counted; 0 means 2
}

// NewState returns an empty *DirOwnershipState.
func (a DirOwnership) NewState() analysis.State {
	depth := a.Depth
	if depth <= 0 {
		depth = 2
	}
	return &DirOwnershipState{mailmap: a.Mailmap, filter: a.Filter, depth: depth,
		by: map[dirAuthor]*owned{}, canon: map[string]string{}}
}

type dirAuthor struct{ dir, who string }

type owned struct{ added, commits int }

// DirOwnershipState accumulates DirOwnership. It is not safe for concurrent
// use: analysis.Run gives each worker its own and merges them.
type DirOwnershipState struct {
	mailmap analysis.Mailmap
	filter  analysis.PathFilter
	depth   int
	by      map[dirAuthor]*owned
	canon   map[string]string // raw "name\x00email" -> "Name <email>"
	seen    []string          // the folders of the commit being observed
}

// Observe adds one commit's kept changes.
func (s *DirOwnershipState) Observe(c *walker.Commit) {
	who := ""
	s.seen = s.seen[:0]
	for i := range c.Changes {
		ch := &c.Changes[i]
		if !s.filter.Match(ch.Path) {
			continue
		}
		if who == "" {
			who = s.author(c.Author)
		}
		s.add(".", who, ch, strings.IndexByte(ch.Path, '/') < 0)
		for level, end := 0, 0; level < s.depth; level++ {
			j := strings.IndexByte(ch.Path[end:], '/')
			if j < 0 {
				break
			}
			end += j
			s.add(ch.Path[:end], who, ch, true)
			end++
		}
	}
}

// add counts ch for dir when counted is true (so that "." holds only the
// files at the top, as analysis.ByDir names them).
func (s *DirOwnershipState) add(dir, who string, ch *walker.Change, counted bool) {
	if !counted {
		return
	}
	k := dirAuthor{dir, who}
	o := s.by[k]
	if o == nil {
		o = &owned{}
		s.by[k] = o
	}
	o.added += ch.Added
	if !contains(s.seen, dir) {
		s.seen = append(s.seen, dir)
		o.commits++
	}
}

func (s *DirOwnershipState) author(sig walker.Signature) string {
	raw := sig.Name + "\x00" + sig.Email
	if who, ok := s.canon[raw]; ok {
		return who
	}
	name, email := sig.Name, sig.Email
	if s.mailmap != nil {
		name, email, _ = s.mailmap.Lookup(name, email)
	}
	who := name + " <" + email + ">"
	s.canon[raw] = who
	return who
}

// Merge adds other's figures to s; other must be a *DirOwnershipState.
// Sums per key make it associative and commutative.
func (s *DirOwnershipState) Merge(other analysis.State) {
	o, ok := other.(*DirOwnershipState)
	if !ok {
		panic("report: DirOwnershipState.Merge given another analyzer's state: merge only states of the same analyzer")
	}
	for k, v := range o.by {
		if m := s.by[k]; m != nil {
			m.added += v.added
			m.commits += v.commits
		} else {
			s.by[k] = v
		}
	}
	o.by = nil
}

// Report returns the "ownership-dirs" Report: columns dir, main-dev, added,
// total-added, ownership (added/total-added rounded to two decimals, 0 to
// 1), n-authors, one row per folder with lines added under it, sorted by
// total-added, largest first (ties: by name), the first top rows (top <= 0:
// all).
func (s *DirOwnershipState) Report(top int) *analysis.Report {
	type dir struct {
		total, authors int
		main           string
		best           owned
	}
	dirs := map[string]*dir{}
	for k, o := range s.by {
		d := dirs[k.dir]
		if d == nil {
			d = &dir{}
			dirs[k.dir] = d
		}
		d.total += o.added
		d.authors++
		if d.main == "" || o.added > d.best.added ||
			(o.added == d.best.added && (o.commits > d.best.commits || (o.commits == d.best.commits && k.who < d.main))) {
			d.main, d.best = k.who, *o
		}
	}
	names := make([]string, 0, len(dirs))
	for name, d := range dirs {
		if d.total > 0 {
			names = append(names, name)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := dirs[names[i]], dirs[names[j]]
		if a.total != b.total {
			return a.total > b.total
		}
		return names[i] < names[j]
	})
	if top > 0 && len(names) > top {
		names = names[:top]
	}
	r := &analysis.Report{
		Analysis: "ownership-dirs",
		Options:  map[string]any{"depth": s.depth, "top": top},
		Columns: []analysis.Column{{Name: "dir", Cut: true}, {Name: "main-dev", Cut: true}, {Name: "added"},
			{Name: "total-added"}, {Name: "ownership"}, {Name: "n-authors"}},
		Rows: make([][]any, len(names)),
	}
	for i, name := range names {
		d := dirs[name]
		r.Rows[i] = []any{name, d.main, d.best.added, d.total,
			math.Round(100*float64(d.best.added)/float64(d.total)) / 100, d.authors}
	}
	return r
}
