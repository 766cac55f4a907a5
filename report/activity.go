package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// Activity is the analysis behind the report's "activity over time" and
// "authors over time" charts: per author day (UTC) and top-level directory,
// the commits with a kept change there and the lines they added and deleted;
// and per author day and author, the commits. Days are rolled up into weeks
// or months only when the rows are asked for, once the span of the history
// is known. Authors are grouped as analysis.Authors groups them (through
// Mailmap when set). Activity is a value; its zero value applies no mailmap
// and keeps every path. It is written on the public analysis API, like any
// user's analyzer.
type Activity struct {
	Mailmap analysis.Mailmap
	Filter  analysis.PathFilter
}

// NewState returns an empty *ActivityState.
func (a Activity) NewState() analysis.State {
	return &ActivityState{mailmap: a.Mailmap, filter: a.Filter,
		dirs: map[dayDir]*lines{}, authors: map[dayDir]int{}, canon: map[string]string{}}
}

// dayDir keys a day's figures: days since the Unix epoch (UTC) and a
// directory or an author.
type dayDir struct {
	day int32
	key string
}

type lines struct{ commits, added, deleted int }

// ActivityState accumulates Activity. It is not safe for concurrent use:
// analysis.Run gives each worker its own and merges them.
type ActivityState struct {
	mailmap analysis.Mailmap
	filter  analysis.PathFilter
	dirs    map[dayDir]*lines
	authors map[dayDir]int    // commits per day and author
	canon   map[string]string // raw "name\x00email" -> "Name <email>"
	seen    []string          // the top-level directories of the commit being observed
}

// TopDir is the first segment of a path as git prints it, or "." for a
// file at the top of the repository (as analysis.ByDir names the top).
func TopDir(p string) string {
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return "."
}

// Observe adds one commit.
func (s *ActivityState) Observe(c *walker.Commit) {
	sec := c.Author.When.Unix()
	day := sec / 86400
	if sec%86400 < 0 {
		day-- // floor, for dates before 1970
	}
	s.seen = s.seen[:0]
	kept := false
	for i := range c.Changes {
		ch := &c.Changes[i]
		if !s.filter.Match(ch.Path) {
			continue
		}
		kept = true
		dir := TopDir(ch.Path)
		l := s.dirs[dayDir{int32(day), dir}]
		if l == nil {
			l = &lines{}
			s.dirs[dayDir{int32(day), dir}] = l
		}
		if !contains(s.seen, dir) {
			s.seen = append(s.seen, dir)
			l.commits++
		}
		l.added += ch.Added
		l.deleted += ch.Deleted
	}
	// Authors over time counts the commits that the activity chart counts:
	// those with a kept change (as churn by week or month counts them).
	if !kept {
		return
	}
	raw := c.Author.Name + "\x00" + c.Author.Email
	who, ok := s.canon[raw]
	if !ok {
		name, email := c.Author.Name, c.Author.Email
		if s.mailmap != nil {
			name, email, _ = s.mailmap.Lookup(name, email)
		}
		who = name + " <" + email + ">"
		s.canon[raw] = who
	}
	s.authors[dayDir{int32(day), who}]++
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Merge adds other's figures to s; other must be an *ActivityState. Sums per
// key make it associative and commutative.
func (s *ActivityState) Merge(other analysis.State) {
	o, ok := other.(*ActivityState)
	if !ok {
		panic("report: ActivityState.Merge given another analyzer's state: merge only states of the same analyzer")
	}
	for k, l := range o.dirs {
		if m := s.dirs[k]; m != nil {
			m.commits += l.commits
			m.added += l.added
			m.deleted += l.deleted
		} else {
			s.dirs[k] = l
		}
	}
	for k, n := range o.authors {
		s.authors[k] += n
	}
	o.dirs, o.authors = nil, nil
}

// Period is the length of the buckets Activity rows are rolled up into.
type Period uint8

// The periods; their keys are those of analysis.ByWeek and analysis.ByMonth
// ("2006-W01", "2006-01"), so the rows line up with `gitwalk churn --by week`
// and `--by month`.
const (
	Week Period = iota
	Month
)

// String returns "week" or "month", the grouping names churn's --by takes.
func (p Period) String() string {
	if p == Month {
		return "month"
	}
	return "week"
}

// Grouping returns the churn grouping with the same buckets.
func (p Period) Grouping() analysis.Grouping {
	if p == Month {
		return analysis.ByMonth
	}
	return analysis.ByWeek
}

// PeriodFor chooses the bucket a history spanning first to last is drawn
// in: weeks up to about two years (at most ~100 bars), months beyond.
func PeriodFor(first, last time.Time) Period {
	if last.Sub(first) > 2*366*24*time.Hour {
		return Month
	}
	return Week
}

func periodKey(day int32, p Period) string {
	t := time.Unix(int64(day)*86400, 0).UTC()
	if p == Month {
		return t.Format("2006-01")
	}
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Other is the name the report gives to what it folds together beyond a
// section's top N (directories, authors, files).
const Other = "(other)"

// DirsReport returns the "activity" Report: one row per period and
// top-level directory with a kept change, columns period, dir, commits,
// added, deleted, sorted by period then by directory (byte order). Only the
// top directories by churn (added+deleted over the whole walk; ties by
// name) keep their name; the others are summed into Other (its commits are
// the sum of the folded directories' counts, so a commit touching two of
// them counts twice there). top <= 0 keeps every directory.
func (s *ActivityState) DirsReport(p Period, top int) *analysis.Report {
	total := map[string]int{}
	for k, l := range s.dirs {
		total[k.key] += l.added + l.deleted
	}
	keep := topKeys(total, top)
	type pk struct{ period, dir string }
	acc := map[pk]*lines{}
	for k, l := range s.dirs {
		dir := k.key
		if !keep[dir] {
			dir = Other
		}
		key := pk{periodKey(k.day, p), dir}
		a := acc[key]
		if a == nil {
			a = &lines{}
			acc[key] = a
		}
		a.commits += l.commits
		a.added += l.added
		a.deleted += l.deleted
	}
	keys := make([]pk, 0, len(acc))
	for k := range acc {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].period != keys[j].period {
			return keys[i].period < keys[j].period
		}
		return keys[i].dir < keys[j].dir
	})
	r := &analysis.Report{
		Analysis: "activity",
		Options:  map[string]any{"period": p.String(), "top": top},
		Columns:  []analysis.Column{{Name: "period"}, {Name: "dir", Cut: true}, {Name: "commits"}, {Name: "added"}, {Name: "deleted"}},
		Rows:     make([][]any, len(keys)),
	}
	for i, k := range keys {
		a := acc[k]
		r.Rows[i] = []any{k.period, k.dir, a.commits, a.added, a.deleted}
	}
	return r
}

// AuthorsReport returns the "activity-authors" Report: one row per period
// and author with a commit there, columns period, author, commits, sorted by
// period then author. Only the top authors by commits over the whole walk
// (ties by name) keep their name; the others are summed into Other. top <= 0
// keeps every author.
func (s *ActivityState) AuthorsReport(p Period, top int) *analysis.Report {
	total := map[string]int{}
	for k, n := range s.authors {
		total[k.key] += n
	}
	keep := topKeys(total, top)
	type pk struct{ period, who string }
	acc := map[pk]int{}
	for k, n := range s.authors {
		who := k.key
		if !keep[who] {
			who = Other
		}
		acc[pk{periodKey(k.day, p), who}] += n
	}
	keys := make([]pk, 0, len(acc))
	for k := range acc {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].period != keys[j].period {
			return keys[i].period < keys[j].period
		}
		return keys[i].who < keys[j].who
	})
	r := &analysis.Report{
		Analysis: "activity-authors",
		Options:  map[string]any{"period": p.String(), "top": top},
		Columns:  []analysis.Column{{Name: "period"}, {Name: "author", Cut: true}, {Name: "commits"}},
		Rows:     make([][]any, len(keys)),
	}
	for i, k := range keys {
		r.Rows[i] = []any{k.period, k.who, acc[k]}
	}
	return r
}

// topKeys returns the set of the n keys with the largest totals (ties: by
// name, byte order); every key when n <= 0 or there are no more than n.
func topKeys(total map[string]int, n int) map[string]bool {
	names := make([]string, 0, len(total))
	for k := range total {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if total[names[i]] != total[names[j]] {
			return total[names[i]] > total[names[j]]
		}
		return names[i] < names[j]
	})
	if n > 0 && len(names) > n {
		names = names[:n]
	}
	keep := make(map[string]bool, len(names))
	for _, k := range names {
		keep[k] = true
	}
	return keep
}
