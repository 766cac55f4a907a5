package walker

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/pathspec"
	"github.com/gitwalk/gitwalk/internal/renames"
	"github.com/gitwalk/gitwalk/internal/treediff"
	"github.com/gitwalk/gitwalk/pool"
)

// A walk with Options.Follow follows one path through its renames as git
// log --follow does (tree-diff.c: try_to_follow_renames): the path changes
// at a commit that renamed or copied the file onto it, and holds for the
// commits after it in the walk's order. git diffs the commits one after
// the other; here the workers diff them at once under the path last known
// (followPath), and the ordered stage (follower.settle) checks each result
// in order: one computed under a path the walk has left since is computed
// again under the right one. Renames are rare in a file's history, so at
// most a window of commits is diffed twice for each.

// followPath is the path followed from some point of the walk's order.
type followPath struct {
	spec *pathspec.Spec // the tree diff's pathspec
	path string         // what a file added must be named to be looked up (git's pathspec item's match)
	gen  int            // how many renames the walk has followed to get here
}

// follower is a walk's --follow: the path the workers diff under, and
// the ordered stage's own, which it checks their results against.
type follower struct {
	cur        atomic.Pointer[followPath] // the latest path the ordered stage knows: workers diff under it
	at         *followPath                // the path at the point the ordered stage has reached
	renameOpts renames.Options

	// fix computes again, on the ordered goroutine, a commit its worker
	// diffed under a path left since. Its reader comes from readers (kept
	// for the walk unless perCommit) and its arenas from arenas.
	fix       *unit
	readers   *pool.Pool[*odb.Reader]
	perCommit bool
	arenas    *arena.Pool
	redone    int // commits computed again
}

// followFrozen, set by tests, keeps the workers on the walk's first path,
// so that the ordered stage diffs again every commit after a rename.
var followFrozen bool

// newFollower checks a walk's --follow against git's rules and starts it
// at the walk's path.
func (r *Repo) newFollower(opts *Options) (*follower, error) {
	if opts.FullDiff {
		// git then diffs under no pathspec, and stops.
		return nil, pathspec.ErrFollowOne
	}
	if opts.NoChanges {
		return nil, errors.New("Options.Follow needs the changes: it shows the commits that change the path")
	}
	if opts.Relative != "" {
		// git's search for a source is not limited by the prefix, and a
		// source outside it is printed cut at the prefix's length.
		return nil, errors.New("--follow with --relative is not implemented")
	}
	ps, err := pathspec.Parse(opts.Paths, opts.PathPrefix)
	if err != nil {
		return nil, err
	}
	path, err := ps.Follow()
	if err != nil {
		return nil, err
	}
	// git's search runs a diff of its own: copies from every file of the
	// parent, the walk's least similarity, and otherwise the defaults
	// (diff.renameLimit, not -l).
	ro := r.renameOptions(&Options{RenameScore: opts.RenameScore}, RenamesAndCopiesHarder)
	ro.Copies = true
	f := &follower{at: &followPath{spec: ps, path: path}, renameOpts: ro}
	f.cur.Store(f.at)
	return f, nil
}

// errShownParallel refuses Options.Follow and Options.DiffFilter to
// WalkParallel: the path followed and -n's count of the commits shown
// depend on the walk's order.
var errShownParallel = errors.New("Options.Follow and Options.DiffFilter need Walk: what they show depends on the walk's order")

// settle is the ordered stage's check of one result, in the walk's
// order: computed again if its worker diffed under a path left since;
// then, if it followed a rename, the path from here on.
func (f *follower) settle(ctx context.Context, res *result) error {
	if res.node == nil {
		return nil // the revision walk's error: no commit to diff
	}
	if res.st.followGen != f.at.gen {
		rd, err := f.reader(ctx)
		if err != nil {
			return err
		}
		f.fix.rd = rd
		f.fix.followAt = f.at
		c, st, err := f.fix.run(f.arenas, res.node, nil)
		if f.perCommit {
			f.readers.Release(rd)
			f.fix.rd = nil
		}
		if err != nil {
			return err
		}
		c.Seq = res.seq
		res.commit, res.st, res.err = c, st, nil
		f.redone++
	}
	if res.err != nil {
		return nil // reorder says it
	}
	if to := res.st.followTo; to != "" {
		f.at = &followPath{spec: pathspec.Literal(to), path: to, gen: f.at.gen + 1}
		if !followFrozen {
			f.cur.Store(f.at)
		}
	}
	return nil
}

// reader returns the fixing unit's object reader.
func (f *follower) reader(ctx context.Context) (*odb.Reader, error) {
	if f.fix.rd != nil {
		return f.fix.rd, nil
	}
	rd, err := f.readers.AcquireContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("object reader: %w", err)
	}
	return rd, nil
}

// release gives the fixing unit's reader back.
func (f *follower) release() {
	if f.fix != nil && f.fix.rd != nil {
		f.readers.Release(f.fix.rd)
		f.fix.rd = nil
	}
}

// followAdded is a followed commit whose diff under the path followed is
// one file added, as git's diff_might_be_rename: when the file is at
// exactly the path followed, its source is looked for among every file of
// the parent's tree base (renames and copies, -C -C); one found stands in
// for the addition, and its path is followed from here on (st.followTo).
// Else the addition is the commit's one change.
func (u *unit) followAdded(a *arena.Arena, c *Commit, st unitStats, base, tree odb.ID, added treediff.Change) (*Commit, unitStats, error) {
	ch := Change{Path: string(u.td.Path(&added)), Kind: Added, NewMode: FileMode(added.NewMode), NewHash: added.NewID}
	if !base.IsZero() && ch.Path == u.followAt.path {
		src, score, copied, found, err := u.followSource(a, base, tree, ch.Path)
		if err != nil {
			return nil, st, fmt.Errorf("commit %s: following %s: %w", c.Hash, ch.Path, err)
		}
		if found {
			ch.OldPath, ch.OldMode, ch.OldHash, ch.Score = src.Path, FileMode(src.Mode), src.ID, score
			ch.Kind = Renamed
			if copied {
				ch.Kind = Copied
			}
			st.renames = 1
			st.followTo = src.Path
		}
	}
	c.Changes = []Change{ch}
	if !u.opts.NoLineCounts {
		if err := u.count(a, &c.Changes[0], &st); err != nil {
			return nil, st, fmt.Errorf("commit %s: %s: %w", c.Hash, ch.Path, err)
		}
	}
	if ch := &c.Changes[0]; ch.Missing {
		ch.Added, ch.Deleted, ch.Binary = 0, 0, false
		st.missingChanges++
		u.missing.addPath(ch.Path)
	}
	return c, st, nil
}

// followSource looks for the source of the file added at path among every
// file of base, as git's search under --follow: the whole trees diffed
// again, and rename detection with copies from every file of base (-C -C)
// and path as its one destination. It returns the source (its path copied
// out of the differ's buffer), the pair's score as a percentage, whether
// it is a copy (the source stays), and whether one was found.
func (u *unit) followSource(a *arena.Arena, base, tree odb.ID, path string) (src renames.File, score int, copied, found bool, err error) {
	u.td.Rescope(nil)
	if err = u.td.Diff(base, tree); err != nil {
		return src, 0, false, false, err
	}
	changes := u.td.Changes()
	all := string(u.td.Paths())
	if u.followDetector == nil {
		u.followDetector = renames.New(unitBlobs{u}, u.follow.renameOpts)
	}
	if ok, err := u.detectWith(a, changes, all, base, tree, RenamesAndCopiesHarder, path, u.followDetector); !ok || err != nil {
		return src, 0, false, false, err
	}
	pr := u.plan.pairs[0] // one destination: one pair at most
	src.Path, src.Mode, src.ID = u.source(changes, all, pr.Src)
	return src, pr.Percent(), pr.Copy, true, nil
}
