package treediff

import (
	"bytes"
	"fmt"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/pathspec"
)

// Change is one non-tree path that differs between two trees. It lives in
// a worker's reusable scratch (pointer-free, so it could as well live in an
// arena); its path is a range of the differ's path buffer.
type Change struct {
	PathOff, PathLen int32  // the path: Paths()[PathOff : PathOff+PathLen]
	OldMode, NewMode uint32 // 0 = absent on that side
	OldID, NewID     odb.ID
}

// Differ compares raw tree objects the way git's tree-diff.c does: both
// trees in git's name order, equal subtrees skipped by id, a file and a folder
// of the same name treated as different entries, and only paths the pathspec
// selects. Trees are read into the unit's arena. Not safe for concurrent use.
type Differ struct {
	rd  *odb.Reader
	a   *arena.Arena
	ps  *pathspec.Spec
	buf []byte // the current folder prefix, then entry name

	changes []Change
	same    []Change // Unmodified's files
	paths   []byte

	firstOnly bool // stop at the first change (TREESAME tests)
	found     bool

	// ignored says whether a change of the gitlink at a path is left out
	// (nil: none is): see IgnoreGitlinks.
	ignored func(path string) (bool, error)

	carry *carry // nil unless CarryTrees
}

// carry keeps the trees a differ read for the old side of its last unit
// (since the last Reset but one), for the next unit, whose new side they
// often are: a worker's next commit is usually the first parent of the
// one before. Each generation's trees live in an arena of its own, reset
// when the generation after the next begins.
type carry struct {
	gens  [2]carryGen // gens[cur]: this unit's; the other: the unit's before
	cur   int
	limit int // bytes a generation keeps at most
	hits  int
}

type carryGen struct {
	a     *arena.Arena
	trees []carried
}

type carried struct {
	id   odb.ID
	data []byte
}

// CarryTrees has the differ keep the trees it reads for the old side of a
// diff, up to bytes of them, until the unit after the next Reset, so that
// the next unit reads none of them again. It costs two arenas of bytes
// each, from the heap, made when the differ first reads a tree (a worker
// whose commits all come from the cache makes none). Diffing a commit and
// then its first parent, the second diff finds its new side's trees there.
func (d *Differ) CarryTrees(bytes int) {
	d.carry = &carry{limit: bytes}
}

// CarriedHits returns how many trees the differ found among those it
// carried (see CarryTrees) instead of reading them.
func (d *Differ) CarriedHits() int {
	if d.carry == nil {
		return 0
	}
	return d.carry.hits
}

// turn starts a unit: the generation of the unit before last is dropped,
// and this unit's trees go to its arena.
func (c *carry) turn() {
	c.cur ^= 1
	g := &c.gens[c.cur]
	if g.a != nil {
		g.a.Reset()
	}
	clear(g.trees)
	g.trees = g.trees[:0]
}

// arena returns this unit's generation's arena, made on first use.
func (c *carry) arena() *arena.Arena {
	g := &c.gens[c.cur]
	if g.a == nil {
		g.a = arena.New(arena.NewHeap(c.limit))
	}
	return g.a
}

// find returns a carried tree of this unit or the one before.
func (c *carry) find(id odb.ID) ([]byte, bool) {
	for i := range c.gens {
		for _, t := range c.gens[i].trees {
			if t.id == id {
				c.hits++
				return t.data, true
			}
		}
	}
	return nil, false
}

// Diff appends to the changes every file change from tree oldTree to newTree
// (a zero id is the empty tree).
func (d *Differ) Diff(oldTree, newTree odb.ID) error {
	d.buf = d.buf[:0]
	d.found = false
	if oldTree == newTree {
		return nil
	}
	return d.diffTrees(oldTree, newTree, d.ps.Dir(""))
}

// readTree reads the tree id; old says it is on the old side of the diff,
// whose trees the differ carries to the next unit (see CarryTrees).
func (d *Differ) readTree(id odb.ID, old bool) ([]byte, error) {
	if id.IsZero() {
		return nil, nil
	}
	a := d.a
	if c := d.carry; c != nil {
		if data, ok := c.find(id); ok {
			return data, nil
		}
		if old {
			// A tree that would not fit (the arena would hand the reader
			// heap memory) is read for this diff only.
			if ca := c.arena(); ca.Remaining() >= carryRoom {
				a = ca
			}
		}
	}
	typ, data, err := d.rd.Read(id, a)
	if err != nil {
		return nil, err
	}
	if typ != odb.Tree {
		return nil, fmt.Errorf("object %s is a %s, not a tree", id, typ)
	}
	if a != d.a {
		g := &d.carry.gens[d.carry.cur]
		g.trees = append(g.trees, carried{id, data})
	}
	return data, nil
}

// carryRoom is the room a carried generation must have left for the
// differ to read a tree into it: past it, and for a tree larger than what
// is left, the reader would fall back to the heap.
const carryRoom = 64 << 10

func (d *Differ) diffTrees(oldTree, newTree odb.ID, st pathspec.DirState) error {
	mark := d.a.Mark()
	defer d.a.RewindTo(mark)
	od, err := d.readTree(oldTree, true)
	if err != nil {
		return err
	}
	nd, err := d.readTree(newTree, false)
	if err != nil {
		return err
	}
	base := len(d.buf)
	oi, ni := odb.NewTreeIter(od), odb.NewTreeIter(nd)
	var oe, ne odb.TreeEntry
	haveO, haveN := false, false
	for {
		if d.found && d.firstOnly {
			return nil
		}
		if !haveO && !haveN {
			odb.SkipSame(&oi, &ni) // entries alike on both sides are no change
		}
		if !haveO {
			if oe, haveO = oi.Next(); !haveO && oi.Err() != nil {
				return fmt.Errorf("tree %s: %w", oldTree, oi.Err())
			}
		}
		if !haveN {
			if ne, haveN = ni.Next(); !haveN && ni.Err() != nil {
				return fmt.Errorf("tree %s: %w", newTree, ni.Err())
			}
		}
		var cmp int
		switch {
		case !haveO && !haveN:
			return nil
		case !haveO:
			cmp = 1
		case !haveN:
			cmp = -1
		default:
			cmp = compareEntries(&oe, &ne)
		}
		switch {
		case cmp < 0:
			err = d.entry(base, &oe, nil, st)
			haveO = false
		case cmp > 0:
			err = d.entry(base, nil, &ne, st)
			haveN = false
		default:
			if oe.Mode != ne.Mode || oe.ID != ne.ID {
				err = d.entry(base, &oe, &ne, st)
			}
			haveO, haveN = false, false
		}
		if err != nil {
			return err
		}
	}
}

// entry handles one name present on either side or on both (o, n nil when
// absent; when both are given they have the same name and folder-ness).
func (d *Differ) entry(base int, o, n *odb.TreeEntry, st pathspec.DirState) error {
	name := n
	if name == nil {
		name = o
	}
	d.buf = append(d.buf[:base], name.Name...)
	defer func() { d.buf = d.buf[:base] }()
	if odb.IsTree(name.Mode) {
		sub := st
		if st == pathspec.DirPartial {
			sub = d.ps.Dir(unsafeString(d.buf))
			if sub == pathspec.DirSkip {
				return nil
			}
		}
		var oid, nid odb.ID
		if o != nil {
			oid = o.ID
		}
		if n != nil {
			nid = n.ID
		}
		d.buf = append(d.buf, '/')
		return d.diffTrees(oid, nid, sub)
	}
	if st == pathspec.DirPartial && !d.ps.Matches(unsafeString(d.buf)) {
		return nil
	}
	if d.ignored != nil && (o == nil || odb.IsGitlink(o.Mode)) && (n == nil || odb.IsGitlink(n.Mode)) {
		// A gitlink added, removed or moved to another commit (not a file
		// turned into one): diff.c's diff_addremove and diff_change ask
		// is_submodule_ignored.
		if ign, err := d.ignored(unsafeString(d.buf)); err != nil || ign {
			return err
		}
	}
	d.found = true
	if d.firstOnly {
		return nil
	}
	fc := Change{PathOff: int32(len(d.paths)), PathLen: int32(len(d.buf))}
	d.paths = append(d.paths, d.buf...)
	if o != nil {
		fc.OldMode, fc.OldID = o.Mode, o.ID
	}
	if n != nil {
		fc.NewMode, fc.NewID = n.Mode, n.ID
	}
	d.changes = append(d.changes, fc)
	return nil
}

// compareEntries orders entries as git's base_name_compare: byte order of the
// names, a folder's name compared as if it ended in '/'.
func compareEntries(a, b *odb.TreeEntry) int {
	n := min(len(a.Name), len(b.Name))
	if c := bytes.Compare(a.Name[:n], b.Name[:n]); c != 0 {
		return c
	}
	return int(nameEnd(a, n)) - int(nameEnd(b, n))
}

func nameEnd(e *odb.TreeEntry, n int) byte {
	if n < len(e.Name) {
		return e.Name[n]
	}
	if odb.IsTree(e.Mode) {
		return '/'
	}
	return 0
}

// Same reports whether two trees (a zero id is the empty tree) have no
// difference in the paths d's pathspec selects: git's TREESAME test.
func (d *Differ) Same(oldTree, newTree odb.ID) (bool, error) {
	d.firstOnly = true
	defer func() { d.firstOnly = false }()
	if err := d.Diff(oldTree, newTree); err != nil {
		return false, err
	}
	return !d.found, nil
}

// New returns a differ reading trees with rd into a, listing only the paths
// ps selects (nil: every path).
func New(rd *odb.Reader, a *arena.Arena, ps *pathspec.Spec) *Differ {
	d := &Differ{}
	d.Reset(rd, a, ps)
	return d
}

// Reset points the differ at a reader, an arena and a pathspec (nil: every
// path) and forgets the changes found so far, keeping its buffers: a
// worker reuses one Differ for every commit of its units.
func (d *Differ) Reset(rd *odb.Reader, a *arena.Arena, ps *pathspec.Spec) {
	d.rd, d.a, d.ps = rd, a, ps
	d.changes, d.same, d.paths = d.changes[:0], d.same[:0], d.paths[:0]
	if d.carry != nil {
		d.carry.turn()
	}
}

// Rescope forgets the changes found since the last Reset and has the
// next Diff select paths by ps, keeping the trees carried for the next
// unit (see CarryTrees): a second diff of the same unit under another
// pathspec, as --follow's search of a whole tree for a file's source.
func (d *Differ) Rescope(ps *pathspec.Spec) {
	d.ps = ps
	d.changes, d.same, d.paths = d.changes[:0], d.same[:0], d.paths[:0]
}

// IgnoreGitlinks has the differ leave out the changes of gitlinks
// (submodules) at the paths ignored says so of, as git's diff does under
// diff.ignoreSubmodules=all or a submodule's ignore=all: a gitlink added,
// removed, or moved to another commit. (git's TREESAME test does not: its
// callbacks of revision.c ask nothing, so a differ for Same is given
// none.) ignored is asked with a view of the differ's buffer: it must not
// keep it. nil ignores none. Reset keeps it.
func (d *Differ) IgnoreGitlinks(ignored func(path string) (bool, error)) { d.ignored = ignored }

// Changes returns the changes found since the last Reset, in git's order
// (the order of `git diff-tree -r`). The slice is valid until the next
// Reset.
func (d *Differ) Changes() []Change { return d.changes }

// Paths returns the buffer the changes' paths are ranges of. It is valid
// until the next Reset.
func (d *Differ) Paths() []byte { return d.paths }

// Path returns the path of c, a view of Paths.
func (d *Differ) Path(c *Change) []byte { return d.paths[c.PathOff : c.PathOff+c.PathLen] }

// Kind says whether a change adds, deletes or modifies its path.
type Kind uint8

// The kinds of change, as git diff-tree's A, D and M (a path whose type
// changes, file to symlink say, is Modified here; git prints T).
const (
	Modified Kind = iota
	Added
	Deleted
)

// Kind returns whether c adds, deletes or modifies its path.
func (c *Change) Kind() Kind {
	switch {
	case c.OldMode == 0:
		return Added
	case c.NewMode == 0:
		return Deleted
	}
	return Modified
}

// Unmodified appends to Unchanged every file the pathspec selects that is
// the same (mode and id) in oldTree and newTree, in git's order: what git's
// tree diff also queues under --find-copies-harder, where unmodified files
// are copy sources. Equal subtrees are listed whole. Their paths are ranges
// of Paths too, after those of the changes.
func (d *Differ) Unmodified(oldTree, newTree odb.ID) error {
	d.buf = d.buf[:0]
	if oldTree.IsZero() || newTree.IsZero() {
		return nil
	}
	return d.sameTrees(oldTree, newTree, d.ps.Dir(""))
}

// Unchanged returns the files Unmodified found since the last Reset, in
// git's order; their paths are ranges of Paths. Valid until the next Reset.
func (d *Differ) Unchanged() []Change { return d.same }

// sameTrees lists the files equal in two trees (the same tree when the ids
// are equal, then read once).
func (d *Differ) sameTrees(oldTree, newTree odb.ID, st pathspec.DirState) error {
	mark := d.a.Mark()
	defer d.a.RewindTo(mark)
	od, err := d.readTree(oldTree, true)
	if err != nil {
		return err
	}
	nd := od
	if newTree != oldTree {
		if nd, err = d.readTree(newTree, false); err != nil {
			return err
		}
	}
	base := len(d.buf)
	oi, ni := odb.NewTreeIter(od), odb.NewTreeIter(nd)
	oe, haveO := oi.Next()
	ne, haveN := ni.Next()
	for haveO && haveN {
		switch cmp := compareEntries(&oe, &ne); {
		case cmp < 0:
			oe, haveO = oi.Next()
		case cmp > 0:
			ne, haveN = ni.Next()
		default:
			if err := d.sameEntry(base, &oe, &ne, st); err != nil {
				return err
			}
			oe, haveO = oi.Next()
			ne, haveN = ni.Next()
		}
	}
	if err := oi.Err(); err != nil {
		return fmt.Errorf("tree %s: %w", oldTree, err)
	}
	if err := ni.Err(); err != nil {
		return fmt.Errorf("tree %s: %w", newTree, err)
	}
	return nil
}

// sameEntry handles a name present in both trees with the same
// folder-ness: a folder is searched (listed whole when equal), a file kept
// when its mode and id are equal.
func (d *Differ) sameEntry(base int, o, n *odb.TreeEntry, st pathspec.DirState) error {
	d.buf = append(d.buf[:base], n.Name...)
	defer func() { d.buf = d.buf[:base] }()
	if odb.IsTree(n.Mode) {
		sub := st
		if st == pathspec.DirPartial {
			sub = d.ps.Dir(unsafeString(d.buf))
			if sub == pathspec.DirSkip {
				return nil
			}
		}
		d.buf = append(d.buf, '/')
		return d.sameTrees(o.ID, n.ID, sub)
	}
	if o.Mode != n.Mode || o.ID != n.ID {
		return nil
	}
	if st == pathspec.DirPartial && !d.ps.Matches(unsafeString(d.buf)) {
		return nil
	}
	d.same = append(d.same, Change{PathOff: int32(len(d.paths)), PathLen: int32(len(d.buf)),
		OldMode: n.Mode, NewMode: n.Mode, OldID: n.ID, NewID: n.ID})
	d.paths = append(d.paths, d.buf...)
	return nil
}
