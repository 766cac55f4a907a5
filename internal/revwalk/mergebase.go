package revwalk

// This file is git 2.39's merge-base search (commit-reach.c
// get_merge_bases, paint_down_to_common, remove_redundant), which A...B needs.

// Marks of paintDown (git's PARENT1, PARENT2, STALE, RESULT).
const (
	paintParent1 uint8 = 1 << iota
	paintParent2
	paintStale
	paintResult
)

// paintDown is git's paint_down_to_common without generation numbers: paint
// one's ancestors PARENT1 and the twos' PARENT2 in date order (ties
// first-come) until every queued commit is stale, and return the commits
// painted both ways and not below another such commit, newest first. marks
// holds every commit's paint afterwards.
func paintDown(g *Graph, one *Commit, twos []*Commit) (found []*Commit, marks map[*Commit]uint8, err error) {
	marks = make(map[*Commit]uint8)
	var q dateQueue
	nonStale := 0 // queued entries not stale (each counted by its current mark)
	put := func(n *Commit) {
		q.push(n)
		if marks[n]&paintStale == 0 {
			nonStale++
		}
	}
	marks[one] |= paintParent1
	put(one)
	for _, t := range twos {
		marks[t] |= paintParent2
		put(t)
	}
	// queued[n] counts n's entries in the queue, so that painting a queued
	// commit stale can correct nonStale.
	queued := make(map[*Commit]int)
	for _, it := range q.items {
		queued[it.n]++
	}
	for nonStale > 0 {
		n := q.pop()
		queued[n]--
		if marks[n]&paintStale == 0 {
			nonStale--
		}
		flags := marks[n] & (paintParent1 | paintParent2 | paintStale)
		if flags == paintParent1|paintParent2 {
			if marks[n]&paintResult == 0 {
				marks[n] |= paintResult
				found = insertByDate(found, n)
			}
			flags |= paintStale
		}
		for _, p := range n.pnodes {
			if marks[p]&flags == flags {
				continue
			}
			if err := g.Parse(p); err != nil {
				return nil, nil, err
			}
			if flags&paintStale != 0 && marks[p]&paintStale == 0 {
				nonStale -= queued[p] // its queued entries turn stale
			}
			marks[p] |= flags
			queued[p]++
			put(p)
		}
	}
	return found, marks, nil
}

// MergeBases is git's get_merge_bases(a, b) without generation numbers: the
// commits paintDown finds that are not stale, less those reachable from
// another of them (remove_redundant), newest first.
func MergeBases(g *Graph, a, b *Commit) ([]*Commit, error) {
	if a == b {
		return []*Commit{a}, nil
	}
	found, marks, err := paintDown(g, a, []*Commit{b})
	if err != nil {
		return nil, err
	}
	var bases []*Commit
	for _, n := range found {
		if marks[n]&paintStale == 0 {
			bases = insertByDate(bases, n)
		}
	}
	if len(bases) <= 1 {
		return bases, nil
	}
	redundant := make([]bool, len(bases))
	for i, n := range bases {
		if redundant[i] {
			continue
		}
		var others []*Commit
		var idx []int
		for j, o := range bases {
			if i != j && !redundant[j] {
				others = append(others, o)
				idx = append(idx, j)
			}
		}
		_, m, err := paintDown(g, n, others)
		if err != nil {
			return nil, err
		}
		if m[n]&paintParent2 != 0 {
			redundant[i] = true
		}
		for k, o := range others {
			if m[o]&paintParent1 != 0 {
				redundant[idx[k]] = true
			}
		}
	}
	var keep []*Commit
	for i, n := range bases {
		if !redundant[i] {
			keep = insertByDate(keep, n)
		}
	}
	return keep, nil
}

// insertByDate is commit_list_insert_by_date on a slice.
func insertByDate(list []*Commit, n *Commit) []*Commit {
	i := 0
	for i < len(list) && list[i].Date >= n.Date {
		i++
	}
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = n
	return list
}
