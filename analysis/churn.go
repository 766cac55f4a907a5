package analysis

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"

	"github.com/gitwalk/gitwalk/walker"
)

// ErrUnknownGrouping is returned (wrapped) by ParseGrouping for a name it
// does not know.
var ErrUnknownGrouping = errors.New("unknown grouping")

// Grouping is what Churn adds lines up by.
type Grouping uint8

// The groupings. Time buckets use the author date (when the change was
// written, as `git log` shows by default), converted to UTC, so that a
// history's buckets do not depend on the committers' time zones.
const (
	ByFile     Grouping = iota // the file's path, as git prints it (raw, unquoted)
	ByDir                      // the file's folder (path.Dir: "." for the top)
	ByAuthor                   // "Name <email>" of the author, as recorded
	ByDay                      // author date in UTC, "2006-01-02"
	ByWeek                     // ISO 8601 week (weeks start on Monday) of the author date in UTC, "2006-W01"
	ByMonth                    // author date in UTC, "2006-01"
	ByLanguage                 // the file's language by linguist's rules (Churn.Language); "(unknown)" when none
)

var groupingNames = [...]string{ByFile: "file", ByDir: "dir", ByAuthor: "author", ByDay: "day", ByWeek: "week", ByMonth: "month",
	ByLanguage: "language"}

// UnknownLanguage is the ByLanguage group of files linguist names no language for.
const UnknownLanguage = "(unknown)"

// String returns the grouping's name as --by takes it.
func (g Grouping) String() string {
	if int(g) < len(groupingNames) {
		return groupingNames[g]
	}
	return fmt.Sprintf("Grouping(%d)", uint8(g))
}

// ParseGrouping reads a grouping name: file, dir, author, day, week, month or language.
func ParseGrouping(s string) (Grouping, error) {
	for g, name := range groupingNames {
		if s == name {
			return Grouping(g), nil
		}
	}
	return 0, fmt.Errorf("%w %q: want file, dir, author, day, week, month or language", ErrUnknownGrouping, s)
}

// Churn is the churn analysis: for each group (a file by default), the
// commits that changed it and the lines they added and deleted. A binary
// change counts as a commit with no lines, as git's numstat prints it.
// Churn is a value; its zero value groups by file and keeps every path.
type Churn struct {
	By     Grouping
	Filter PathFilter
	// Language names a path's language for ByLanguage ("" when none); nil
	// is linguist's rules by path alone (Classifier{}.Language). It must be
	// safe for concurrent use.
	Language func(path string) string
}

// NewState returns an empty *ChurnState.
func (a Churn) NewState() State {
	s := &ChurnState{by: a.By, filter: a.Filter, groups: map[string]*churnGroup{}}
	if a.By == ByLanguage {
		s.language = a.Language
		if s.language == nil {
			s.language = Classifier{}.Language
		}
		s.languages = map[string]string{}
	}
	return s
}

// ChurnRow is one group's totals. Churn is Added+Deleted. Commits counts the
// commits with at least one kept change in the group: a commit without
// changes (an empty commit, or a merge walked without FirstParent) counts
// in no group.
type ChurnRow struct {
	Key     string
	Commits int
	Added   int
	Deleted int
	Churn   int
	// Earlier are the other paths the file had in the walk, sorted: the
	// names it was renamed from (grouping by file, with renames followed;
	// nil otherwise).
	Earlier []string
}

// ChurnState accumulates Churn. It is not safe for concurrent use: Run gives
// each worker its own and merges them.
type ChurnState struct {
	by     Grouping
	filter PathFilter
	groups map[string]*churnGroup
	// observed numbers the commits Observe was given; a group whose stamp
	// is the current number has counted this commit already. (A stamp, not
	// a set cleared per commit: clearing a map costs its capacity, which one
	// huge commit would leave large for every commit after it.)
	observed int
	keyBuf   []byte
	// language and its answers per path, for ByLanguage (each path is
	// asked once per state: linguist's rules are regular expressions).
	language  func(string) string
	languages map[string]string
}

// churnGroup is a row being accumulated.
type churnGroup struct {
	ChurnRow
	stamp   int
	earlier map[string]struct{} // ByFile: the paths the file was renamed from
}

// Observe adds one commit's kept changes.
func (s *ChurnState) Observe(c *walker.Commit) {
	s.observed++
	var commitGroup *churnGroup // the group of author and time groupings, found once per commit
	for i := range c.Changes {
		ch := &c.Changes[i]
		if !s.filter.Match(ch.Path) {
			continue
		}
		var row *churnGroup
		switch s.by {
		case ByFile:
			row = s.group(ch.Path)
			if ch.Kind == walker.Renamed && ch.OldPath != ch.Path {
				row.addEarlier(ch.OldPath)
			}
		case ByDir:
			row = s.group(path.Dir(ch.Path))
		case ByLanguage:
			row = s.group(s.languageOf(ch.Path))
		default:
			if commitGroup == nil {
				// Built in a reused buffer: looking a []byte up as a string
				// does not allocate, so only a new group costs a string.
				s.keyBuf = appendCommitKey(s.keyBuf[:0], s.by, c)
				commitGroup = s.groups[string(s.keyBuf)]
				if commitGroup == nil {
					commitGroup = s.group(string(s.keyBuf))
				}
			}
			row = commitGroup
		}
		if row.stamp != s.observed {
			row.stamp = s.observed
			row.Commits++
		}
		row.Added += ch.Added
		row.Deleted += ch.Deleted
		row.Churn += ch.Added + ch.Deleted
	}
}

// languageOf returns p's ByLanguage group.
func (s *ChurnState) languageOf(p string) string {
	l, ok := s.languages[p]
	if !ok {
		l = s.language(p)
		if l == "" {
			l = UnknownLanguage
		}
		s.languages[p] = l
	}
	return l
}

// group returns the group named key, adding it if new.
func (s *ChurnState) group(key string) *churnGroup {
	g := s.groups[key]
	if g == nil {
		g = &churnGroup{ChurnRow: ChurnRow{Key: key}}
		s.groups[key] = g
	}
	return g
}

// appendCommitKey appends the name of c's group for the author and time
// groupings: "Name <email>", or the author date's UTC day, ISO week or month.
func appendCommitKey(dst []byte, by Grouping, c *walker.Commit) []byte {
	t := c.Author.When.UTC()
	switch by {
	case ByAuthor:
		dst = append(dst, c.Author.Name...)
		dst = append(dst, " <"...)
		dst = append(dst, c.Author.Email...)
		return append(dst, '>')
	case ByWeek:
		y, w := t.ISOWeek()
		dst = appendPadded(dst, y, 4)
		dst = append(dst, "-W"...)
		return appendPadded(dst, w, 2)
	case ByMonth:
		return t.AppendFormat(dst, "2006-01")
	}
	return t.AppendFormat(dst, "2006-01-02")
}

// appendPadded appends n with leading zeros to at least width digits.
func appendPadded(dst []byte, n, width int) []byte {
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(n), 10)
	for i := len(d); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

// Merge adds other's totals to s; other must be a *ChurnState of the same
// Churn. Sums per key make it associative and commutative.
func (s *ChurnState) Merge(other State) {
	o := mustBe[*ChurnState](other)
	for k, r := range o.groups {
		row := s.groups[k]
		if row == nil {
			// The stamp stays 0: Observe's numbers start at 1, and s.observed
			// only grows, so a merged group never looks counted already.
			row = &churnGroup{ChurnRow: ChurnRow{Key: k}}
			s.groups[k] = row
		}
		row.Commits += r.Commits
		row.Added += r.Added
		row.Deleted += r.Deleted
		row.Churn += r.Churn
		for p := range r.earlier {
			row.addEarlier(p)
		}
	}
}

func (g *churnGroup) addEarlier(p string) {
	if g.earlier == nil {
		g.earlier = map[string]struct{}{}
	}
	g.earlier[p] = struct{}{}
}

// Rows returns every group, by churn descending, then commits descending,
// then key ascending (byte order), so ties always sort the same way. The
// slice is the caller's; cut it for a top N.
func (s *ChurnState) Rows() []ChurnRow {
	rows := make([]ChurnRow, 0, len(s.groups))
	for _, r := range s.groups {
		row := r.ChurnRow
		if len(r.earlier) > 0 {
			row.Earlier = make([]string, 0, len(r.earlier))
			for p := range r.earlier {
				row.Earlier = append(row.Earlier, p)
			}
			sort.Strings(row.Earlier)
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if a.Churn != b.Churn {
			return a.Churn > b.Churn
		}
		if a.Commits != b.Commits {
			return a.Commits > b.Commits
		}
		return a.Key < b.Key
	})
	return rows
}
