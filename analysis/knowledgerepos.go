package analysis

import (
	"sort"
)

// MergeKnowledge is the knowledge of several repositories together, from
// each one's result (results[i] of the repository named names[i]), for
// what is per person or for the whole run: People (a person is one across
// repositories: files authored and islands add up, commits too, the last
// commit is the newest, and departure is decided again from the newest
// commit of every repository) and Repository, the truck factor of all the
// files together, found by the same search over them (cover: the coverage,
// 0 for the default). A file is named REPOSITORY/PATH in Files, Islands,
// Lost and People's Authored, so files of two repositories stay apart.
// Folders are left empty: a folder is one repository's. UnknownLeavers are
// the names no repository knew. The results are not changed.
func MergeKnowledge(names []string, results []*KnowledgeResult, cover float64) *KnowledgeResult {
	out := &KnowledgeResult{NoLineCounts: true}
	people := map[string]*PersonKnowledge{}
	unknown := map[string]int{}
	for i, r := range results {
		if r == nil {
			continue
		}
		q := func(p string) string { return names[i] + "/" + p }
		if r.Newest.After(out.Newest) {
			out.Newest = r.Newest
		}
		if r.DepartedBefore.After(out.DepartedBefore) {
			out.DepartedBefore = r.DepartedBefore
		}
		out.NoLineCounts = out.NoLineCounts && r.NoLineCounts
		out.LeftOut += r.LeftOut
		for _, f := range r.Files {
			f.Path = q(f.Path)
			out.Files = append(out.Files, f)
		}
		for _, p := range r.Islands {
			out.Islands = append(out.Islands, q(p))
		}
		for _, l := range r.Lost {
			l.Path = q(l.Path)
			out.Lost = append(out.Lost, l)
		}
		for _, name := range r.UnknownLeavers {
			unknown[name]++
		}
		for _, p := range r.People {
			m := people[p.Person]
			if m == nil {
				m = &PersonKnowledge{Person: p.Person}
				people[p.Person] = m
			}
			for _, f := range p.Authored {
				m.Authored = append(m.Authored, q(f))
			}
			m.Islands += p.Islands
			m.Commits += p.Commits
			if p.Last.After(m.Last) {
				m.Last = p.Last
			}
			m.Leaving = m.Leaving || p.Leaving
		}
	}
	for name, n := range unknown {
		if n == len(nonNil(results)) {
			out.UnknownLeavers = append(out.UnknownLeavers, name)
		}
	}
	sort.Strings(out.UnknownLeavers)
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].Path < out.Files[j].Path })
	sort.Strings(out.Islands)
	sort.SliceStable(out.Lost, func(i, j int) bool {
		a, b := &out.Lost[i], &out.Lost[j]
		if a.Churn != b.Churn {
			return a.Churn > b.Churn
		}
		if a.Commits != b.Commits {
			return a.Commits > b.Commits
		}
		return a.Path < b.Path
	})
	for _, m := range people {
		sort.Strings(m.Authored)
		m.Departed = !out.DepartedBefore.IsZero() && m.Last.Before(out.DepartedBefore)
		out.People = append(out.People, *m)
	}
	// As one repository's result orders them.
	sort.Slice(out.People, func(i, j int) bool {
		a, b := &out.People[i], &out.People[j]
		if len(a.Authored) != len(b.Authored) {
			return len(a.Authored) > len(b.Authored)
		}
		return a.Person < b.Person
	})
	out.Repository = truckFactor(".", out.Files, pick(cover, DefaultTruckCoverage))
	return out
}

func nonNil[T any](s []*T) []*T {
	var out []*T
	for _, v := range s {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}
