package revwalk

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
)

// This file is git 2.39's revision walk (revision.c: prepare_revision_walk,
// limit_list, process_parents, try_to_simplify_commit, get_commit_action,
// get_revision; commit.c: sort_in_topological_order), rewritten for gitwalk.
// The facts it matches are in the revision walk fact sheet; the walk is
// git's without replace refs and grafts (the shallow file is honoured),
// with or without a commit-graph's generation numbers (Options.Generations;
// topowalk.go) and changed-path filters (Options.MaybeChanged).

// nodeFlags are git's object flags, as far as the walk uses them.
type nodeFlags uint32

const (
	flagParsed        nodeFlags = 1 << iota // tree, parents and date are known
	flagSeen                                // queued once (git's SEEN)
	flagAdded                               // parents processed (ADDED)
	flagUninteresting                       // reachable from a negative tip (UNINTERESTING)
	flagBottom                              // a negative tip the user named (BOTTOM)
	flagTreesame                            // no change under the pathspec (TREESAME)
	flagShown                               // returned by the walk (SHOWN)
	flagQueued                              // in the date queue now
	flagExplored                            // in the explore queue once (TOPO_WALK_EXPLORED)
	flagIndegree                            // in the indegree queue once (TOPO_WALK_INDEGREE)
	flagCheckpoint                          // the first commit returned at or after the checkpoint (Walk.Checkpoint)
)

// AtCheckpoint says whether n is the first commit the walk returned at or
// after its checkpoint (see Walk.Checkpoint): the commits returned before
// n are the walk's part above it.
func (n *Commit) AtCheckpoint() bool { return n.flags&flagCheckpoint != 0 }

// Commit is one commit of the walk. Nodes are made (unparsed) when first
// named, and parsed at the same moments git parses a commit, because what is
// parsed decides how far git's uninteresting marks spread (mark_parents_uninteresting).
//
// After the walk returns a node, its ID, Tree, Parents and Date no longer
// change, so a worker may read them while the walk goes on; only the walk
// writes them.
type Commit struct {
	ID   odb.ID
	Tree odb.ID
	// Parents are the commit's parents as the walk sees them: none for a
	// commit in the shallow file, and cut to the one parent followed when
	// history simplification (path limiting) chose one, as git's
	// try_to_simplify_commit cuts commit->parents.
	Parents []odb.ID
	pnodes  []*Commit // parents as nodes, always the same list as parents
	// Date is the committer date by which git sorts (odb.CommitInfo.Date):
	// unsigned, as git's timestamp_t.
	Date     uint64
	flags    nodeFlags
	indegree int32  // sort_in_topological_order's count, or the topo walk's (git's indegree slab)
	gen      uint64 // generation number from the commit-graph, else GenerationInfinity
}

// FirstParentTree returns the tree of the commit's first parent as the walk
// sees it (ok is false for a root, including a shallow commit), so that a
// worker need not read the parent commit again. The walk parses every parent
// it follows before it returns a commit, and a parsed node's tree never
// changes, so this is safe on a worker while the walk goes on.
func (n *Commit) FirstParentTree() (tree odb.ID, ok bool) {
	if len(n.pnodes) == 0 {
		return tree, false
	}
	return n.pnodes[0].Tree, true
}

// ObjectSource is what the revision walk needs from the object database.
type ObjectSource interface {
	// ReadObject returns the type and content of the object id. The content
	// is only read until the next call.
	ReadObject(id odb.ID) (odb.Type, []byte, error)
	// ResolvePrefix returns the one object whose id starts with the hex
	// digits (4 to 40), as odb.DB.ResolvePrefix.
	ResolvePrefix(hex string) (odb.ID, error)
}

// CommitCache is what an ObjectSource may also be, so that Parse need not
// read commit objects: CommitGraph fills in info's Tree, Date and Parents
// (reusing its Parents) for a commit it knows, with the commit's generation
// number (GenerationInfinity for a commit not in a commit-graph file), and
// reports whether it did; AddCommitGraph is given those of each commit Parse
// read from its object. Both are called on the walk's goroutine.
type CommitCache interface {
	CommitGraph(id odb.ID, info *odb.CommitInfo) (generation uint64, ok bool)
	AddCommitGraph(id odb.ID, info *odb.CommitInfo)
}

// GenerationInfinity is the generation of a commit that no commit-graph
// holds (git's GENERATION_NUMBER_INFINITY): newer than any.
const GenerationInfinity = 1<<63 - 1

// odbSource is the ObjectSource of a repository: one odb.Reader of the walk's
// own, reading into an arena that is reset before each object (commits and
// tags are small; a larger one falls back to the heap inside odb).
type odbSource struct {
	db *odb.DB
	rd *odb.Reader
	a  *arena.Arena
}

// The arena of an odbSource starts at sourceArenaMin bytes and grows, up
// to sourceArenaMax, when an object fills more than half of it: a source
// that reads a few commits (a mailmap's blob, a branch's tip, a warm walk
// served by the store) no longer allocates and clears a MiB it does not
// use, and trees read for path limiting get the room they had.
const (
	sourceArenaMin = 64 << 10
	sourceArenaMax = 1 << 20
)

// CacheBytes bounds the delta-base cache of the walk's own readers: they
// read commits (rarely stored as deltas) and, for path limiting, trees.
const CacheBytes = 16 << 20

// NewODBSource returns the ObjectSource of db, with a reader of its own.
func NewODBSource(db *odb.DB) ObjectSource {
	rd := db.NewReader()
	rd.SetCacheLimit(CacheBytes)
	return &odbSource{db: db, rd: rd, a: arena.New(arena.NewHeap(sourceArenaMin))}
}

func (s *odbSource) ReadObject(id odb.ID) (odb.Type, []byte, error) {
	s.a.Reset()
	typ, data, err := s.rd.Read(id, s.a)
	if c := s.a.Cap(); len(data) > c/2 && c < sourceArenaMax {
		// What data holds stays valid: it is the old arena's, or the heap's.
		s.a = arena.New(arena.NewHeap(min(sourceArenaMax, max(4*c, 2*len(data)))))
	}
	return typ, data, err
}

func (s *odbSource) ResolvePrefix(hex string) (odb.ID, error) { return s.db.ResolvePrefix(hex) }

// Graph holds the commits a walk has met, by id, and parses them on
// demand. Nodes, parent lists and the map grow in chunks so that a walk of
// many commits does not allocate per commit. Not safe for concurrent use.
type Graph struct {
	src     ObjectSource
	cache   CommitCache // src, when it is one
	shallow map[odb.ID]struct{}
	nodes   map[odb.ID]*Commit
	info    odb.CommitInfo // reused by parse

	nodeSlab []Commit
	idSlab   []odb.ID
	ptrSlab  []*Commit
	slabs    int // slabs of nodes made: each is twice the last, up to maxSlab

	// Commits parsed from their objects and from the cache: atomic, so
	// that Reads may be called while the walk goes on.
	objectReads, cacheReads atomic.Int64
}

// Reads returns how many commits the graph parsed from their objects and
// how many it took from its source's CommitCache instead. Unlike the rest
// of Graph it is safe to call while another goroutine walks.
func (g *Graph) Reads() (objects, cached int) {
	return int(g.objectReads.Load()), int(g.cacheReads.Load())
}

// NewGraph returns an empty graph over src. Commits in shallow (the
// repository's shallow file; nil for none) are roots, as git grafts them.
func NewGraph(src ObjectSource, shallow map[odb.ID]struct{}) *Graph {
	cache, _ := src.(CommitCache)
	return &Graph{src: src, cache: cache, shallow: shallow, nodes: make(map[odb.ID]*Commit, firstSlab)}
}

// A graph's slabs of nodes start at firstSlab nodes and double up to
// maxSlab; a slab of parents holds four times as many. Made at their full
// size at once, they were 265 KB for every graph, most of it never used by
// those that resolve a name or two (the mailmap's blob, a branch's tip),
// and fresh memory costs its page faults.
const firstSlab, maxSlab = 64, 1024

// slab returns the size of the next slab of nodes, and counts it made.
func (g *Graph) slab() int {
	size := g.slabSize()
	g.slabs++
	return size
}

// slabSize is the size of the next slab of nodes.
func (g *Graph) slabSize() int { return min(firstSlab<<min(g.slabs, 4), maxSlab) }

// Lookup returns the node of id, making an unparsed one if it is new.
func (g *Graph) Lookup(id odb.ID) *Commit {
	if n, ok := g.nodes[id]; ok {
		return n
	}
	if len(g.nodeSlab) == 0 {
		g.nodeSlab = make([]Commit, g.slab())
	}
	n := &g.nodeSlab[0]
	g.nodeSlab = g.nodeSlab[1:]
	n.ID = id
	g.nodes[id] = n
	return n
}

// Reserve makes room for n commits in all: a caller that knows how many
// commits the walk will meet (a full walk of a history whose commits its
// CommitCache holds) spares the map its growth, which rehashed every
// entry three times over in a warm walk of go-git (2% of its CPU).
func (g *Graph) Reserve(n int) {
	if n <= len(g.nodes) {
		return
	}
	nodes := make(map[odb.ID]*Commit, n)
	for id, c := range g.nodes {
		nodes[id] = c
	}
	g.nodes = nodes
	if k := n - len(nodes); len(g.nodeSlab) < k {
		g.nodeSlab = make([]Commit, k)
	}
}

// ErrNotCommit means an object the walk needs as a commit is something else.
var ErrNotCommit = errors.New("not a commit")

// Parse reads and parses n if it is not parsed yet.
func (g *Graph) Parse(n *Commit) error {
	if n.flags&flagParsed != 0 {
		return nil
	}
	n.gen = GenerationInfinity
	if gen, ok := g.cacheLookup(n.ID); ok {
		n.gen = gen
		g.cacheReads.Add(1)
	} else {
		g.objectReads.Add(1)
		typ, data, err := g.src.ReadObject(n.ID)
		if err != nil {
			return fmt.Errorf("read commit %s: %w", n.ID, err)
		}
		if typ != odb.Commit {
			return fmt.Errorf("object %s is a %s: %w", n.ID, typ, ErrNotCommit)
		}
		if err := odb.ParseCommitInto(&g.info, data); err != nil {
			return fmt.Errorf("commit %s: %w", n.ID, err)
		}
		if g.cache != nil {
			g.cache.AddCommitGraph(n.ID, &g.info)
		}
	}
	n.Tree = g.info.Tree
	n.Date = g.info.Date
	k := len(g.info.Parents)
	if _, cut := g.shallow[n.ID]; cut {
		k = 0 // a shallow commit acts as a root (git's graft with nr_parent < 0)
	}
	if k > 0 {
		if len(g.idSlab) < k || len(g.ptrSlab) < k {
			size := max(4*g.slabSize(), k)
			g.idSlab = make([]odb.ID, size)
			g.ptrSlab = make([]*Commit, size)
		}
		n.Parents = g.idSlab[:k:k]
		n.pnodes = g.ptrSlab[:k:k]
		g.idSlab = g.idSlab[k:]
		g.ptrSlab = g.ptrSlab[k:]
		for i, p := range g.info.Parents {
			n.Parents[i] = p
			n.pnodes[i] = g.Lookup(p)
		}
	}
	n.flags |= flagParsed
	return nil
}

func (g *Graph) cacheLookup(id odb.ID) (uint64, bool) {
	if g.cache == nil {
		return 0, false
	}
	return g.cache.CommitGraph(id, &g.info)
}

// Peel follows annotated tags from id to the object they end at, and
// returns it with its type.
func (g *Graph) Peel(id odb.ID) (odb.ID, odb.Type, error) {
	for depth := 0; ; depth++ {
		if n, ok := g.nodes[id]; ok && n.flags&flagParsed != 0 {
			return id, odb.Commit, nil
		}
		typ, data, err := g.src.ReadObject(id)
		if err != nil {
			return id, odb.BadType, err
		}
		if typ != odb.Tag {
			return id, typ, nil
		}
		if depth > 100 {
			return id, typ, fmt.Errorf("tag %s: tags nested too deep", id)
		}
		target, _, err := odb.ParseTag(data)
		if err != nil {
			return id, typ, fmt.Errorf("tag %s: %w", id, err)
		}
		id = target
	}
}

// CommitOf returns the parsed commit that id names, following tags; an id
// that ends at a tree or blob is an error matching ErrNotCommit.
func (g *Graph) CommitOf(id odb.ID) (*Commit, error) {
	cid, typ, err := g.Peel(id)
	if err != nil {
		return nil, err
	}
	if typ != odb.Commit {
		return nil, fmt.Errorf("object %s is a %s: %w", cid, typ, ErrNotCommit)
	}
	n := g.Lookup(cid)
	return n, g.Parse(n)
}

// Options are the `git log` options that change which commits the walk
// returns and in what order.
type Options struct {
	FirstParent bool // --first-parent
	TopoOrder   bool // --topo-order
	DateOrder   bool // --date-order (topo order, newest ready commit first)
	Reverse     bool // --reverse
	FullHistory bool // --full-history (with path limiting)
	NoMerges    bool // --no-merges (= --max-parents=1)
	MergesOnly  bool // --merges (= --min-parents=2)
	MaxCount    int  // -n; < 0 means no limit
	Skip        int  // --skip

	// MinParents and MaxParents (when HasMaxParents) are --min-parents and
	// --max-parents: commits with fewer or more parents are not shown
	// (they are walked through). They apply after NoMerges and MergesOnly.
	MinParents    int
	MaxParents    int
	HasMaxParents bool

	// Since (--since, --max-age) and Until (--until, --min-age) are epoch
	// seconds, used when HasSince / HasUntil.
	Since, Until       int64
	HasSince, HasUntil bool

	// Generations says that the commits' generation numbers come from a
	// commit-graph (git's generation_numbers_enabled): then --topo-order
	// and --date-order walk incrementally (init_topo_walk), without the
	// limited walk and its SLOP, as git does with a graph.
	Generations bool

	// MaybeChanged, with path limiting, asks the commit-graph's
	// changed-path Bloom filter of c whether c may differ from its first
	// parent under the pathspec's one literal path: ok false when c has no
	// filter, maybe false when it certainly does not. As git's
	// rev_compare_tree, a "certainly not" stands for the TREESAME test
	// against the first parent, whose tree diff is then skipped. Nil: no
	// filters.
	MaybeChanged func(c *Commit) (maybe, ok bool)

	// SameUnderPaths turns path limiting on: it reports whether two trees
	// are equal under the pathspec (a zero id is the empty tree). Nil means
	// no path limiting.
	SameUnderPaths func(treeA, treeB odb.ID) (bool, error)
}

// slop is git's SLOP: how many uninteresting commits in a row limit_list
// pops, once nothing interesting is left, before it stops.
const slop = 5

// Walk produces commits in git's order. Next returns them one at a time;
// the walk is lazy (commits are read as they are returned) unless git's walk
// is "limited" (negative revisions, --topo-order), which walks everything
// it needs first. Not safe for concurrent use.
type Walk struct {
	ctx  context.Context
	g    *Graph
	opt  Options
	same func(a, b odb.ID) (bool, error)

	queue             dateQueue
	interestingQueued int // queued commits without flagUninteresting

	limited     bool
	trackSame   bool               // keep per-parent TREESAME (git's treesame decoration)
	parentsSame map[*Commit][]bool // per-parent TREESAME of merges, when trackSame
	list        []*Commit          // the limited walk's result
	pos         int
	stack       []*Commit // scratch for markParentsUninteresting

	since, until   uint64
	maxCount, skip int
	minParents     int
	maxParents     int // < 0: none
	reversed       []*Commit
	reverseReady   bool
	steps          int

	topo *topoWalk // the incremental topo walk, with generation numbers

	keep  *Keeper         // KeepCheckpoint's
	onPop func(n *Commit) // OnPop's
	stop  *stopCheckpoint // StopAt's
}

// A checkpoint splits an unlimited walk (git log's default order) in two:
// the commits popped before a commit, and the rest. When the walk's queue
// holds, at that commit, what a later walk's queue holds there, the
// later walk's rest is this walk's rest; a caller that kept what it
// computed from the rest adds it instead of walking it again.
type checkpoint struct {
	id       odb.ID
	above    []odb.ID // the ids popped before it (merges too)
	order    []odb.ID // the first ids popped from it on, id first
	maxAfter uint64   // the newest committer date from it on
}

// Keeper keeps a walk's checkpoint (Walk.KeepCheckpoint) from the
// commits the walk pops, in order: the first popped with a committer date
// before its bound, or the one after 16,384, whichever comes first. A
// replay of a walk's pops (walker's) keeps one with it too.
type Keeper struct {
	checkpoint
	before uint64
	found  bool
	marked bool // Mark has answered true
}

// NewKeeper returns a Keeper of the checkpoint older than before.
func NewKeeper(before uint64) *Keeper { return &Keeper{before: before} }

// Pop notes the next commit popped.
func (k *Keeper) Pop(id odb.ID, date uint64) {
	switch {
	case !k.found && (date < k.before || len(k.above) >= checkpointAbove/4):
		k.found, k.id, k.maxAfter = true, id, date
		k.order = append(k.order, id)
	case !k.found:
		if len(k.above) <= checkpointAbove {
			k.above = append(k.above, id)
		}
	default:
		k.maxAfter = max(k.maxAfter, date)
		if len(k.order) < checkpointOrder {
			k.order = append(k.order, id)
		}
	}
}

// Mark says, of a commit about to be handed out, whether it is the first
// handed out at or after the checkpoint, and flags it so (AtCheckpoint).
func (k *Keeper) Mark(n *Commit) bool {
	if !k.found || k.marked {
		return false
	}
	k.marked = true
	n.flags |= flagCheckpoint
	return true
}

// Checkpoint returns the checkpoint kept (see Walk.Checkpoint).
func (k *Keeper) Checkpoint() (id odb.ID, above, order []odb.ID, maxAfter uint64, ok bool) {
	if !k.found || len(k.above) > checkpointAbove {
		return odb.ID{}, nil, nil, 0, false
	}
	return k.id, k.above, k.order, k.maxAfter, true
}

// stopCheckpoint is an earlier walk's checkpoint a walk may stop at
// (StopAt).
type stopCheckpoint struct {
	checkpoint
	aboveSet  map[odb.ID]struct{}
	aboveSeen int      // commits of aboveSet popped
	unsafe    bool     // popped another commit dated maxAfter or older
	popped    []odb.ID // this walk's commits above it
	tried     bool
	stopped   bool
	held      []*Commit // popped while checking, to hand out when the check fails
}

// checkpointOrder is how many ids popped from a checkpoint on a walk
// keeps: a later walk that stops there checks its order against them
// until the commits queued beside the checkpoint are walked.
const checkpointOrder = 1 << 14

// checkpointAbove bounds the ids kept above a checkpoint: a walk that
// pops more keeps none.
const checkpointAbove = 1 << 16

// KeepCheckpoint makes the unlimited walk keep a checkpoint: the first
// commit it pops with a committer date before before (or the one after
// 16,384 commits, whichever comes first), with the ids popped
// above it and the first ones from it on, and the newest date from it on
// (Checkpoint).
func (w *Walk) KeepCheckpoint(before uint64) {
	w.keep = NewKeeper(before)
}

// StopAt makes the unlimited walk end at the checkpoint an earlier walk
// kept (Checkpoint): id, the ids popped above it (above), the first ones
// from it on (order, order[0] is id) and the newest date from it on
// (maxAfter). The walk ends there when what is left of it is that walk's
// rest:
//   - the walk has popped every commit of above, and no other commit
//     dated maxAfter or older (so none of the rest);
//   - when id is next, the walk pops on, checking each commit against
//     order, until every commit queued at that point is popped: from
//     there its queue holds what the earlier walk's held, in the same
//     order, and the commits it did not pop are the earlier walk's.
//
// A check that fails (or runs past order) hands out the commits it
// popped as the walk would have, and the walk goes on to its end. Call
// it before the first Next; Stopped says whether the walk ended there.
func (w *Walk) StopAt(id odb.ID, above, order []odb.ID, maxAfter uint64) {
	set := make(map[odb.ID]struct{}, len(above))
	for _, a := range above {
		set[a] = struct{}{}
	}
	w.stop = &stopCheckpoint{checkpoint: checkpoint{id: id, order: order, maxAfter: maxAfter}, aboveSet: set}
}

// OnPop has fn called with each commit the unlimited walk pops, in order
// (merges and commits it does not show too: Shown tells, once the walk
// has gone past them).
func (w *Walk) OnPop(fn func(n *Commit)) { w.onPop = fn }

// Shown says whether the walk returned n.
func (n *Commit) Shown() bool { return n.flags&flagShown != 0 }

// Stopped says whether the walk ended at StopAt's checkpoint.
func (w *Walk) Stopped() bool { return w.stop != nil && w.stop.stopped }

// Checkpoint returns the walk's checkpoint once it ended: StopAt's, with
// this walk's ids above it, when it stopped there, else the one it kept
// (KeepCheckpoint). ok is false when there is none: the walk met no
// commit old enough, or popped more than checkpointAbove above it.
func (w *Walk) Checkpoint() (id odb.ID, above, order []odb.ID, maxAfter uint64, ok bool) {
	switch {
	case w.Stopped():
		cp := w.stop.checkpoint
		if len(w.stop.popped) > checkpointAbove {
			return odb.ID{}, nil, nil, 0, false
		}
		return cp.id, w.stop.popped, cp.order, cp.maxAfter, true
	case w.keep != nil:
		return w.keep.Checkpoint()
	}
	return odb.ID{}, nil, nil, 0, false
}

// popUnlimited is the unlimited walk's next commit, popped and its
// parents queued (nil at the end), noting what the checkpoints ask.
func (w *Walk) popUnlimited() (*Commit, error) {
	n := w.pop()
	if n == nil {
		return nil, nil
	}
	if st := w.stop; st != nil && !st.tried {
		if _, ok := st.aboveSet[n.ID]; ok {
			st.aboveSeen++
		} else if n.Date <= st.maxAfter {
			st.unsafe = true
		}
		if len(st.popped) <= checkpointAbove {
			st.popped = append(st.popped, n.ID)
		}
	}
	if w.keep != nil {
		w.keep.Pop(n.ID, n.Date)
	}
	if w.onPop != nil {
		w.onPop(n)
	}
	// Unlimited --since: an old commit is dropped and its parents are not
	// queued through it.
	if w.opt.HasSince && n.Date < w.since {
		return n, nil
	}
	return n, w.processParents(n)
}

// tryStop checks, when StopAt's commit is next, whether the walk ends
// there (see StopAt).
func (w *Walk) tryStop() error {
	st := w.stop
	if w.queue.len() == 0 || w.queue.top().n.ID != st.id {
		return nil
	}
	st.tried = true
	if st.unsafe || st.aboveSeen != len(st.aboveSet) || len(st.order) == 0 || st.order[0] != st.id {
		return nil
	}
	pending := make(map[*Commit]struct{}, w.queue.len())
	for _, it := range w.queue.items {
		pending[it.n] = struct{}{}
	}
	for j := 0; len(pending) > 0; j++ {
		if err := w.tick(); err != nil {
			return err
		}
		n, err := w.popUnlimited()
		if err != nil {
			return err
		}
		if n == nil {
			break
		}
		st.held = append(st.held, n)
		if j >= len(st.order) || n.ID != st.order[j] {
			break
		}
		delete(pending, n)
	}
	if len(pending) == 0 {
		st.stopped, st.held = true, nil
	}
	return nil
}

// markCheckpoint flags n, about to be returned, when it is the first
// returned at or after the checkpoint the walk keeps.
func (w *Walk) markCheckpoint(n *Commit) {
	if w.keep != nil {
		w.keep.Mark(n)
	}
}

// New prepares a walk of g from tips (in command-line order) as git's
// prepare_revision_walk does: when the walk is limited, the whole selection
// is computed here, honouring ctx.
func New(ctx context.Context, g *Graph, tips []Tip, opt Options) (*Walk, error) {
	w := &Walk{ctx: ctx, g: g, opt: opt, same: opt.SameUnderPaths,
		maxCount: opt.MaxCount, skip: opt.Skip, maxParents: -1}
	if opt.HasSince && opt.Since > 0 {
		w.since = uint64(opt.Since)
	}
	if opt.HasUntil && opt.Until > 0 {
		w.until = uint64(opt.Until)
	}
	if opt.NoMerges {
		w.maxParents = 1
	}
	if opt.MergesOnly {
		w.minParents = 2
	}
	if opt.MinParents > 0 {
		w.minParents = opt.MinParents
	}
	if opt.HasMaxParents {
		w.maxParents = opt.MaxParents
	}
	ordered := opt.TopoOrder || opt.DateOrder
	if ordered && !opt.Generations {
		w.limited = true // git without generation numbers
	}
	// get_reference: flags are set on every tip before any is handled.
	nodes := make([]*Commit, len(tips))
	for i, t := range tips {
		n := g.Lookup(t.ID)
		if err := g.Parse(n); err != nil {
			return nil, err
		}
		if t.Negative {
			n.flags |= flagUninteresting | flagBottom
		}
		nodes[i] = n
	}
	// handle_commit, then the SEEN check: each commit keeps its first place.
	for i, n := range nodes {
		if tips[i].Negative {
			w.markParentsUninteresting(n)
			if !ordered || !opt.Generations {
				w.limited = true
			}
		}
		if n.flags&flagSeen == 0 {
			n.flags |= flagSeen
			w.push(n)
		}
	}
	w.trackSame = w.limited && w.same != nil && opt.FullHistory && !opt.FirstParent
	if w.trackSame {
		w.parentsSame = make(map[*Commit][]bool)
	}
	if w.limited {
		if err := w.limitList(); err != nil {
			return nil, err
		}
		if ordered {
			w.topoSort()
		}
	} else if ordered {
		if err := w.initTopoWalk(); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Next returns the next commit of the walk, or nil at the end.
func (w *Walk) Next() (*Commit, error) {
	if !w.opt.Reverse {
		return w.nextCounted()
	}
	if !w.reverseReady {
		for {
			n, err := w.nextCounted()
			if err != nil {
				return nil, err
			}
			if n == nil {
				break
			}
			w.reversed = append(w.reversed, n)
		}
		w.reverseReady = true
	}
	k := len(w.reversed)
	if k == 0 {
		return nil, nil
	}
	n := w.reversed[k-1]
	w.reversed = w.reversed[:k-1]
	return n, nil
}

// nextCounted is get_revision_internal: --skip, then -n.
func (w *Walk) nextCounted() (*Commit, error) {
	if w.maxCount == 0 {
		return nil, nil
	}
	n, err := w.nextShown()
	for n != nil && err == nil && w.skip > 0 {
		w.skip--
		n, err = w.nextShown()
	}
	if w.maxCount > 0 {
		w.maxCount--
	}
	if n != nil {
		n.flags |= flagShown
	}
	return n, err
}

// nextShown is get_revision_1: the next commit that passes the filters.
func (w *Walk) nextShown() (*Commit, error) {
	for {
		var n *Commit
		switch {
		case w.limited:
			if w.pos >= len(w.list) {
				return nil, nil
			}
			n = w.list[w.pos]
			w.list[w.pos] = nil
			w.pos++
		case w.topo != nil:
			if err := w.tick(); err != nil {
				return nil, err
			}
			if n = w.topo.nextTopo(); n == nil {
				return nil, nil
			}
			if w.opt.HasSince && n.Date < w.since {
				continue
			}
			if err := w.expandTopoWalk(n); err != nil {
				return nil, err
			}
		default:
			if err := w.tick(); err != nil {
				return nil, err
			}
			if st := w.stop; st != nil && !st.tried {
				if err := w.tryStop(); err != nil {
					return nil, err
				}
			}
			if w.Stopped() {
				return nil, nil
			}
			if st := w.stop; st != nil && len(st.held) > 0 {
				n, st.held = st.held[0], st.held[1:]
			} else {
				var err error
				if n, err = w.popUnlimited(); err != nil || n == nil {
					return nil, err
				}
			}
			// Unlimited --since: an old commit is dropped.
			if w.opt.HasSince && n.Date < w.since {
				continue
			}
		}
		if w.show(n) {
			w.markCheckpoint(n)
			return n, nil
		}
	}
}

// tick checks for cancellation now and then.
func (w *Walk) tick() error {
	w.steps++
	if w.steps&1023 == 0 && w.ctx != nil {
		return w.ctx.Err()
	}
	return nil
}

// show is get_commit_action for the options gitwalk has.
func (w *Walk) show(n *Commit) bool {
	if n.flags&(flagShown|flagUninteresting) != 0 {
		return false
	}
	if w.opt.HasUntil && n.Date > w.until {
		return false
	}
	if np := len(n.Parents); np < w.minParents || (w.maxParents >= 0 && np > w.maxParents) {
		return false
	}
	if w.same != nil && n.flags&flagTreesame != 0 {
		return false // prune && dense, and no parent rewriting asked for
	}
	return true
}

// limitList is git's limit_list: the walk to the end (or until SLOP says the
// rest is uninteresting), keeping interesting commits in pop order.
func (w *Walk) limitList() error {
	left := slop
	date := ^uint64(0) // TIME_MAX
	for w.queue.len() > 0 {
		if err := w.tick(); err != nil {
			return err
		}
		n := w.pop()
		if w.opt.HasSince && n.Date < w.since {
			w.markUninteresting(n)
		}
		if err := w.processParents(n); err != nil {
			return err
		}
		if n.flags&flagUninteresting != 0 {
			w.markParentsUninteresting(n)
			left = w.stillInteresting(date, left)
			if left > 0 {
				continue
			}
			break
		}
		if w.opt.HasUntil && n.Date > w.until {
			continue
		}
		date = n.Date
		w.list = append(w.list, n)
	}
	// Drop what is still queued, so that nodes do not look queued.
	for w.queue.len() > 0 {
		w.pop()
	}
	if w.trackSame {
		// update_treesame: merges may have become TREESAME because some of
		// their parents turned uninteresting after they were simplified.
		for _, n := range w.list {
			if n.flags&(flagUninteresting|flagTreesame) == 0 && len(n.pnodes) > 1 {
				w.updateTreesame(n)
			}
		}
	}
	return nil
}

// stillInteresting is git's still_interesting.
func (w *Walk) stillInteresting(date uint64, left int) int {
	if w.queue.len() == 0 {
		return 0
	}
	if date <= w.queue.top().date {
		return slop
	}
	if w.interestingQueued > 0 {
		return slop
	}
	return left - 1
}

// processParents is git's process_parents: queue the parents of n not seen
// yet; for an uninteresting n mark them (and, one level further, theirs)
// uninteresting; for an interesting n simplify first (path limiting).
func (w *Walk) processParents(n *Commit) error { return w.processParentsTo(n, true) }

// processParentsTo is processParents; without queue the parents are marked
// SEEN but not put in the date queue (git's process_parents with no list,
// as the topo walk calls it).
func (w *Walk) processParentsTo(n *Commit, queue bool) error {
	if n.flags&flagAdded != 0 {
		return nil
	}
	n.flags |= flagAdded
	if n.flags&flagUninteresting != 0 {
		for _, p := range n.pnodes {
			w.markUninteresting(p)
			if err := w.g.Parse(p); err != nil {
				continue // git parses gently here: a missing parent of an uninteresting commit is no error
			}
			if len(p.pnodes) > 0 {
				w.markParentsUninteresting(p)
			}
			if p.flags&flagSeen != 0 {
				continue
			}
			p.flags |= flagSeen
			if queue {
				w.push(p)
			}
		}
		return nil
	}
	if w.same != nil {
		if err := w.simplify(n); err != nil {
			return err
		}
	}
	for _, p := range n.pnodes {
		if err := w.g.Parse(p); err != nil {
			return fmt.Errorf("parents of commit %s: %w", n.ID, err)
		}
		if p.flags&flagSeen == 0 {
			p.flags |= flagSeen
			if queue {
				w.push(p)
			}
		}
		if w.opt.FirstParent {
			break
		}
	}
	return nil
}

// markUninteresting sets flagUninteresting, keeping the count of interesting
// queued commits that still_interesting asks about.
func (w *Walk) markUninteresting(n *Commit) {
	if n.flags&flagUninteresting != 0 {
		return
	}
	n.flags |= flagUninteresting
	if n.flags&flagQueued != 0 {
		w.interestingQueued--
	}
}

// markParentsUninteresting is git's mark_parents_uninteresting: the marks
// spread through parents of commits already parsed, and no further.
func (w *Walk) markParentsUninteresting(n *Commit) {
	stack := w.stack[:0]
	for _, p := range n.pnodes {
		if p.flags&flagUninteresting == 0 {
			w.markUninteresting(p)
			stack = append(stack, p.pnodes...)
		}
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p.flags&flagUninteresting == 0 {
			w.markUninteresting(p)
			stack = append(stack, p.pnodes...)
		}
	}
	w.stack = stack[:0]
}

// relevant is git's relevant_commit: interesting, or a negative tip the
// user named.
func relevant(n *Commit) bool {
	return n.flags&(flagUninteresting|flagBottom) != flagUninteresting
}

// sameTrees reports whether two trees are equal under the pathspec.
func (w *Walk) sameTrees(a, b odb.ID) (bool, error) {
	if a == b {
		return true, nil
	}
	return w.same(a, b)
}

// simplify is git's try_to_simplify_commit with dense history: mark n
// TREESAME when it changes nothing under the pathspec, and (by default,
// simplify_history) cut its parents to the first relevant parent it is
// TREESAME to.
func (w *Walk) simplify(n *Commit) error {
	if len(n.pnodes) == 0 {
		same, err := w.sameTrees(odb.ZeroID, n.Tree)
		if err != nil {
			return fmt.Errorf("commit %s: %w", n.ID, err)
		}
		if same {
			n.flags |= flagTreesame
		}
		return nil
	}
	relevantParents := 0
	relevantChange, irrelevantChange := false, false
	var ts []bool
	for i, p := range n.pnodes {
		if relevant(p) {
			relevantParents++
		}
		if i == 1 {
			if w.opt.FirstParent {
				break
			}
			if w.trackSame && n.flags&flagUninteresting == 0 {
				ts = make([]bool, len(n.pnodes))
				ts[0] = !(relevantChange || irrelevantChange)
				w.parentsSame[n] = ts
			}
		}
		if err := w.g.Parse(p); err != nil {
			return fmt.Errorf("cannot simplify commit %s (because of %s): %w", n.ID, p.ID, err)
		}
		var same bool
		if i == 0 && w.opt.MaybeChanged != nil {
			if maybe, ok := w.opt.MaybeChanged(n); ok && !maybe {
				same = true
			}
		}
		if !same {
			var err error
			if same, err = w.sameTrees(p.Tree, n.Tree); err != nil {
				return fmt.Errorf("commit %s: %w", n.ID, err)
			}
		}
		if same {
			if w.opt.FullHistory || !relevant(p) {
				if ts != nil {
					ts[i] = true
				}
				continue
			}
			n.Parents = n.Parents[i : i+1 : i+1]
			n.pnodes = n.pnodes[i : i+1 : i+1]
			n.flags |= flagTreesame
			return nil
		}
		if relevant(p) {
			relevantChange = true
		} else {
			irrelevantChange = true
		}
	}
	if relevantParents > 0 && !relevantChange || relevantParents == 0 && !irrelevantChange {
		n.flags |= flagTreesame
	}
	return nil
}

// updateTreesame is git's update_treesame for a merge.
func (w *Walk) updateTreesame(n *Commit) {
	ts := w.parentsSame[n]
	if ts == nil {
		return
	}
	relevantParents := 0
	relevantChange, irrelevantChange := false, false
	for i, p := range n.pnodes {
		if relevant(p) {
			relevantChange = relevantChange || !ts[i]
			relevantParents++
		} else {
			irrelevantChange = irrelevantChange || !ts[i]
		}
	}
	if relevantParents > 0 && relevantChange || relevantParents == 0 && irrelevantChange {
		n.flags &^= flagTreesame
	} else {
		n.flags |= flagTreesame
	}
}

// topoSort is git's sort_in_topological_order on the limited list: a commit
// comes after all its children in the list. Ready commits wait on a stack
// (--topo-order: the last parent made ready goes first) or, for
// --date-order, in a newest-first queue with ties in insertion order.
func (w *Walk) topoSort() {
	list := w.list
	if len(list) == 0 {
		return
	}
	for _, n := range list {
		n.indegree = 1
	}
	for _, n := range list {
		for _, p := range n.pnodes {
			if p.indegree > 0 {
				p.indegree++
			}
		}
	}
	byDate := w.opt.DateOrder
	var stack []*Commit
	put := func(n *Commit) {
		if byDate {
			w.push(n)
		} else {
			stack = append(stack, n)
		}
	}
	for _, n := range list {
		if n.indegree == 1 {
			put(n)
		}
	}
	if !byDate {
		for i, j := 0, len(stack)-1; i < j; i, j = i+1, j-1 {
			stack[i], stack[j] = stack[j], stack[i]
		}
	}
	out := list[:0] // the tips are read: the list's array can hold the output
	for {
		var n *Commit
		if byDate {
			if n = w.pop(); n == nil {
				break
			}
		} else {
			if len(stack) == 0 {
				break
			}
			n = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		}
		for _, p := range n.pnodes {
			if p.indegree == 0 {
				continue
			}
			p.indegree--
			if p.indegree == 1 {
				put(p)
			}
		}
		n.indegree = 0
		out = append(out, n)
	}
	w.list = out
}

// push queues n in date order: after every queued commit at least as new,
// before the first strictly older one (commit_list_insert_by_date).
func (w *Walk) push(n *Commit) {
	n.flags |= flagQueued
	if n.flags&flagUninteresting == 0 {
		w.interestingQueued++
	}
	w.queue.push(n)
}

// pop takes the newest commit (the earliest queued among equals), or nil.
func (w *Walk) pop() *Commit {
	if w.queue.len() == 0 {
		return nil
	}
	n := w.queue.pop()
	n.flags &^= flagQueued
	if n.flags&flagUninteresting == 0 {
		w.interestingQueued--
	}
	return n
}

// dateQueue is a binary heap ordered as git's date-sorted commit list:
// newest committer date first, then insertion order. Because every insert
// goes after all queued entries of the same date, the pair (date,
// insertion number) orders it exactly like commit_list_insert_by_date.
type dateQueue struct {
	items []queueItem
	seq   uint64
}

type queueItem struct {
	date uint64
	seq  uint64
	n    *Commit
}

func (q *dateQueue) len() int { return len(q.items) }

func (q *dateQueue) top() queueItem { return q.items[0] }

func (a *queueItem) before(b *queueItem) bool {
	return a.date > b.date || a.date == b.date && a.seq < b.seq
}

func (q *dateQueue) push(n *Commit) {
	q.seq++
	q.items = append(q.items, queueItem{date: n.Date, seq: q.seq, n: n})
	i := len(q.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !q.items[i].before(&q.items[parent]) {
			break
		}
		q.items[i], q.items[parent] = q.items[parent], q.items[i]
		i = parent
	}
}

func (q *dateQueue) pop() *Commit {
	items := q.items
	n := items[0].n
	last := len(items) - 1
	items[0] = items[last]
	items[last] = queueItem{}
	items = items[:last]
	q.items = items
	i := 0
	for {
		l := 2*i + 1
		if l >= len(items) {
			break
		}
		m := l
		if r := l + 1; r < len(items) && items[r].before(&items[l]) {
			m = r
		}
		if !items[m].before(&items[i]) {
			break
		}
		items[i], items[m] = items[m], items[i]
		i = m
	}
	return n
}

// Tip is one starting point of the walk, in command-line order: a commit
// (tags already peeled) and whether it is negative (^A, the left of A..B, the
// merge bases of A...B, anything after --not).
type Tip struct {
	ID       odb.ID
	Negative bool
	Name     string // the argument or ref it came from
}

// ResolvePrefix returns the one object whose id starts with the hex digits
// (4 to 40), from the graph's object source.
func (g *Graph) ResolvePrefix(hex string) (odb.ID, error) { return g.src.ResolvePrefix(hex) }

// FirstParent returns the node of the commit's first parent as the walk sees
// it, or nil for a root. The node may be unparsed.
func (n *Commit) FirstParent() *Commit {
	if len(n.pnodes) == 0 {
		return nil
	}
	return n.pnodes[0]
}

// ReadObject returns the type and content of the object id from the graph's
// source; the content is valid until the next read through the graph.
func (g *Graph) ReadObject(id odb.ID) (odb.Type, []byte, error) { return g.src.ReadObject(id) }
