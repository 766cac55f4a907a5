package revwalk

// This file is git 2.39's incremental topological walk (revision.c:
// init_topo_walk, explore_walk_step, indegree_walk_step,
// expand_topo_walk, next_topo_commit), which git uses for --topo-order and
// --date-order when a commit-graph gives generation numbers, instead of the
// limited walk and sort_in_topological_order. Three queues: "explore"
// processes parents (marks, simplification, --since) down to a generation,
// "indegree" counts each commit's children down to a generation, and
// "topo" holds the commits whose children have all been shown. It differs
// from the limited walk where the sheet says git does (section 6): no SLOP,
// and with --first-parent only first-parent edges count as children.

// topoWalk is git's struct topo_walk_info.
type topoWalk struct {
	minGen   uint64
	explore  prioQueue // by generation, then date
	indegree prioQueue // by generation, then date
	topo     prioQueue // LIFO (--topo-order) or by date (--date-order)
}

// initTopoWalk is init_topo_walk over the tips in the date queue, which it
// empties (git keeps revs->commits but no longer reads it).
func (w *Walk) initTopoWalk() error {
	t := &topoWalk{minGen: GenerationInfinity}
	t.explore.cmp = byGenThenDate
	t.indegree.cmp = byGenThenDate
	if w.opt.DateOrder {
		t.topo.cmp = byDate
	}
	w.topo = t
	var tips []*Commit
	for w.queue.len() > 0 {
		tips = append(tips, w.pop())
	}
	for _, n := range tips {
		if err := w.g.Parse(n); err != nil {
			continue // parsed gently
		}
		flagAndPut(&t.explore, n, flagExplored)
		flagAndPut(&t.indegree, n, flagIndegree)
		t.minGen = min(t.minGen, n.gen)
		n.indegree = 1
	}
	if err := w.computeIndegreesToDepth(t.minGen); err != nil {
		return err
	}
	for _, n := range tips {
		if n.indegree == 1 {
			t.topo.put(n)
		}
	}
	if t.topo.cmp == nil {
		// The tips come out in the order given (newest first), as git's
		// prio_queue_reverse arranges for the stack.
		t.topo.reverse()
	}
	return nil
}

// flagAndPut is test_flag_and_insert: put n in q once per flag.
func flagAndPut(q *prioQueue, n *Commit, flag nodeFlags) {
	if n.flags&flag != 0 {
		return
	}
	n.flags |= flag
	q.put(n)
}

// exploreWalkStep is explore_walk_step.
func (w *Walk) exploreWalkStep() error {
	n := w.topo.explore.get()
	if n == nil {
		return nil
	}
	if err := w.g.Parse(n); err != nil {
		return nil // parsed gently
	}
	if w.opt.HasSince && n.Date < w.since {
		w.markUninteresting(n)
	}
	if err := w.processParentsTo(n, false); err != nil {
		return err
	}
	if n.flags&flagUninteresting != 0 {
		w.markParentsUninteresting(n)
	}
	for _, p := range n.pnodes {
		flagAndPut(&w.topo.explore, p, flagExplored)
	}
	return nil
}

// exploreToDepth is explore_to_depth.
func (w *Walk) exploreToDepth(gen uint64) error {
	for {
		n := w.topo.explore.peek()
		if n == nil || n.gen < gen {
			return nil
		}
		if err := w.tick(); err != nil {
			return err
		}
		if err := w.exploreWalkStep(); err != nil {
			return err
		}
	}
}

// indegreeWalkStep is indegree_walk_step.
func (w *Walk) indegreeWalkStep() error {
	n := w.topo.indegree.get()
	if n == nil {
		return nil
	}
	if err := w.g.Parse(n); err != nil {
		return nil // parsed gently
	}
	if err := w.exploreToDepth(n.gen); err != nil {
		return err
	}
	for _, p := range n.pnodes {
		if err := w.g.Parse(p); err != nil {
			return nil // parsed gently
		}
		if p.indegree != 0 {
			p.indegree++
		} else {
			p.indegree = 2
		}
		flagAndPut(&w.topo.indegree, p, flagIndegree)
		if w.opt.FirstParent {
			return nil
		}
	}
	return nil
}

// computeIndegreesToDepth is compute_indegrees_to_depth.
func (w *Walk) computeIndegreesToDepth(gen uint64) error {
	for {
		n := w.topo.indegree.peek()
		if n == nil || n.gen < gen {
			return nil
		}
		if err := w.tick(); err != nil {
			return err
		}
		if err := w.indegreeWalkStep(); err != nil {
			return err
		}
	}
}

// nextTopo is next_topo_commit.
func (t *topoWalk) nextTopo() *Commit {
	n := t.topo.get()
	if n != nil {
		n.indegree = 0
	}
	return n
}

// expandTopoWalk is expand_topo_walk: after n is taken, each of its
// parents that is not uninteresting loses a child, and is ready once it
// has none left. With --first-parent, git stops after the first parent it
// counts down: an uninteresting first parent lets the second be counted.
func (w *Walk) expandTopoWalk(n *Commit) error {
	if err := w.processParentsTo(n, false); err != nil {
		return err
	}
	t := w.topo
	for _, p := range n.pnodes {
		if p.flags&flagUninteresting != 0 {
			continue
		}
		if err := w.g.Parse(p); err != nil {
			continue // parsed gently
		}
		if p.gen < t.minGen {
			t.minGen = p.gen
			if err := w.computeIndegreesToDepth(t.minGen); err != nil {
				return err
			}
		}
		p.indegree--
		if p.indegree == 1 {
			t.topo.put(p)
		}
		if w.opt.FirstParent {
			return nil
		}
	}
	return nil
}

// byGenThenDate is compare_commits_by_gen_then_commit_date: higher
// generation first, then newer committer date.
func byGenThenDate(a, b *Commit) int {
	switch {
	case a.gen > b.gen:
		return -1
	case a.gen < b.gen:
		return 1
	}
	return byDate(a, b)
}

// byDate is compare_commits_by_commit_date: newer first.
func byDate(a, b *Commit) int {
	switch {
	case a.Date > b.Date:
		return -1
	case a.Date < b.Date:
		return 1
	}
	return 0
}

// prioQueue is git's prio_queue: a heap ordered by cmp, equal entries in
// insertion order; with a nil cmp, a stack (last in, first out).
type prioQueue struct {
	cmp   func(a, b *Commit) int
	items []prioItem
	seq   uint64
}

type prioItem struct {
	n   *Commit
	seq uint64
}

func (q *prioQueue) before(i, j int) bool {
	a, b := &q.items[i], &q.items[j]
	if c := q.cmp(a.n, b.n); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

func (q *prioQueue) put(n *Commit) {
	q.seq++
	q.items = append(q.items, prioItem{n: n, seq: q.seq})
	if q.cmp == nil {
		return
	}
	for i := len(q.items) - 1; i > 0; {
		parent := (i - 1) / 2
		if !q.before(i, parent) {
			break
		}
		q.items[i], q.items[parent] = q.items[parent], q.items[i]
		i = parent
	}
}

func (q *prioQueue) peek() *Commit {
	if len(q.items) == 0 {
		return nil
	}
	if q.cmp == nil {
		return q.items[len(q.items)-1].n
	}
	return q.items[0].n
}

func (q *prioQueue) get() *Commit {
	k := len(q.items)
	if k == 0 {
		return nil
	}
	if q.cmp == nil {
		n := q.items[k-1].n
		q.items[k-1] = prioItem{}
		q.items = q.items[:k-1]
		return n
	}
	n := q.items[0].n
	q.items[0] = q.items[k-1]
	q.items[k-1] = prioItem{}
	q.items = q.items[:k-1]
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(q.items) {
			break
		}
		m := l
		if r := l + 1; r < len(q.items) && q.before(r, l) {
			m = r
		}
		if !q.before(m, i) {
			break
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
	return n
}

// reverse is prio_queue_reverse, for a stack.
func (q *prioQueue) reverse() {
	for i, j := 0, len(q.items)-1; i < j; i, j = i+1, j-1 {
		q.items[i], q.items[j] = q.items[j], q.items[i]
	}
}
