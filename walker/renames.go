package walker

import (
	"fmt"
	"slices"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/attributes"
	"github.com/gitwalk/gitwalk/internal/config"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/renames"
	"github.com/gitwalk/gitwalk/internal/treediff"
)

// Renames returns the rename mode a walk with opts uses: opts.Renames, or
// when that is RenamesAsConfigured the repository's diff.renames, which is
// on when unset (git log's default since git 2.9).
func (r *Repo) Renames(opts Options) RenameMode {
	if opts.Renames != RenamesAsConfigured {
		return opts.Renames
	}
	switch r.cfg.Renames {
	case config.RenamesOff:
		return RenamesOff
	case config.RenamesCopies:
		return RenamesAndCopies
	}
	return RenamesOn
}

// renameOptions turns a walk's options into the detector's, with the
// repository's diff.renameLimit when the walk names no limit.
func (r *Repo) renameOptions(opts *Options, mode RenameMode) renames.Options {
	o := renames.Options{MinScore: opts.RenameScore, Copies: mode == RenamesAndCopies,
		CopiesHarder: mode == RenamesAndCopiesHarder}
	limit := opts.RenameLimit
	if limit == 0 && r.cfg.RenameLimitSet {
		limit = r.cfg.RenameLimit
		if limit == 0 {
			limit = -1 // diff.renameLimit=0 means no limit, as -l0
		}
	}
	switch {
	case limit < 0:
		o.Limit = renames.NoLimit
	case limit > 0:
		o.Limit = limit
	}
	return o
}

// unitBlobs gives the rename detector the blobs of the unit's reader (the
// reader can change between commits when readers are taken per commit).
type unitBlobs struct{ u *unit }

func (b unitBlobs) Size(id odb.ID) (int64, error) {
	typ, n, err := b.u.rd.ReadHeader(id)
	if err != nil {
		return 0, b.u.unavailable(err)
	}
	if typ != odb.Blob {
		return 0, fmt.Errorf("object %s is a %s, not a blob", id, typ)
	}
	return n, nil
}

func (b unitBlobs) Read(id odb.ID, a *arena.Arena) ([]byte, error) {
	typ, data, err := b.u.rd.Read(id, a)
	if err != nil {
		return nil, b.u.unavailable(err)
	}
	if typ != odb.Blob {
		return nil, fmt.Errorf("object %s is a %s, not a blob", id, typ)
	}
	return data, nil
}

// renamePlan is what rename detection decided for a commit's tree diff,
// per change of the diff: its pair (a destination's source change), or
// that it is dropped (a deleted source its rename replaces).
type renamePlan struct {
	src, dst     []renames.File // reused across commits
	srcOf, dstOf []int32        // change index of each source (-1-j: unmodified file j) and destination
	pairOf       []int32        // per change: the source change of its pair, or -1
	pairs        []renames.Pair // per change with a pair, in arena memory
	dropped      []bool         // per change: a deleted file whose rename replaces it
	count        int            // changes left after the plan: the rows
	renames      int
	neededLimit  int
	degraded     bool
	sameAll      string // the paths of the files left alike (RenamesAndCopiesHarder)
	sameBase     int32  // the offset of sameAll in the differ's path buffer
}

// detectRenames runs git's rename detection on the tree diff's changes
// (path order) between trees base and tree, leaving the decision in
// u.plan. It returns false when no detection ran (renames off, or nothing
// to pair). Under RenamesAndCopiesHarder the files both trees hold alike
// are sources too, in their places in path order (git's queue holds them
// there); they are listed only for a commit that adds a file.
func (u *unit) detectRenames(a *arena.Arena, changes []treediff.Change, all string, base, tree odb.ID) (bool, error) {
	if u.detector == nil && u.renameMode != RenamesOff {
		u.detector = renames.New(unitBlobs{u}, u.renameOpts)
	}
	return u.detectWith(a, changes, all, base, tree, u.renameMode, "", u.detector)
}

// detectWith is detectRenames in mode, with detector (made with mode's
// options), and, when only is not empty, the file added at that path as
// the one destination (git's diffopt.single_follow, for --follow).
func (u *unit) detectWith(a *arena.Arena, changes []treediff.Change, all string, base, tree odb.ID, mode RenameMode, only string, detector *renames.Detector) (bool, error) {
	p := &u.plan
	p.renames, p.neededLimit, p.degraded = 0, 0, false
	if mode == RenamesOff {
		return false, nil
	}
	p.src, p.dst, p.srcOf, p.dstOf = p.src[:0], p.dst[:0], p.srcOf[:0], p.dstOf[:0]
	harder := mode == RenamesAndCopiesHarder
	copies := mode == RenamesAndCopies || harder
	var same []treediff.Change
	if harder && !base.IsZero() && slices.ContainsFunc(changes, func(c treediff.Change) bool { return c.OldMode == 0 }) {
		if err := u.td.Unmodified(base, tree); err != nil {
			return false, err
		}
		same = u.td.Unchanged()
		if u.opts.Relative != "" {
			same = u.underRelative(same)
		}
	}
	// The unmodified files' paths follow the changes' in the differ's
	// buffer: one string holds them, as all holds the changes'.
	p.sameAll, p.sameBase = "", int32(len(all))
	if len(same) > 0 {
		p.sameAll = string(u.td.Paths()[len(all):])
	}
	j := 0
	addSame := func(before string) { // the unmodified files ordered before path ("": all left)
		for ; j < len(same); j++ {
			sp := p.sameAll[same[j].PathOff-p.sameBase : same[j].PathOff-p.sameBase+same[j].PathLen]
			if before != "" && sp > before {
				return
			}
			p.src = append(p.src, renames.File{Path: sp, Mode: same[j].OldMode, ID: same[j].OldID, Unmodified: true})
			p.srcOf = append(p.srcOf, int32(-1-j))
		}
	}
	for i := range changes {
		fc := &changes[i]
		path := all[fc.PathOff : fc.PathOff+fc.PathLen]
		addSame(path)
		switch {
		case fc.OldMode == 0:
			if only == "" || path == only {
				p.dst = append(p.dst, renames.File{Path: path, Mode: fc.NewMode, ID: fc.NewID})
				p.dstOf = append(p.dstOf, int32(i))
			}
		case fc.NewMode == 0:
			p.src = append(p.src, renames.File{Path: path, Mode: fc.OldMode, ID: fc.OldID})
			p.srcOf = append(p.srcOf, int32(i))
		case copies:
			p.src = append(p.src, renames.File{Path: path, Mode: fc.OldMode, ID: fc.OldID, Kept: true})
			p.srcOf = append(p.srcOf, int32(i))
		}
	}
	addSame("")
	if len(p.src) == 0 || len(p.dst) == 0 {
		return false, nil
	}
	// Attributes are looked up only for commits with something to pair.
	for i := range p.src {
		p.src[i].Binary = u.binaryAttr(p.src[i].Path, p.src[i].Mode)
	}
	for i := range p.dst {
		p.dst[i].Binary = u.binaryAttr(p.dst[i].Path, p.dst[i].Mode)
	}
	res, err := detector.Detect(a, p.src, p.dst)
	if err != nil {
		return false, err
	}
	p.neededLimit, p.degraded = res.NeededLimit, res.Degraded
	if len(res.Pairs) == 0 {
		return false, nil
	}
	p.pairOf = grow(p.pairOf, len(changes))
	p.dropped = growBool(p.dropped, len(changes))
	for i := range changes {
		p.pairOf[i], p.dropped[i] = -1, false
	}
	p.pairs = res.Pairs
	for k, pr := range res.Pairs {
		p.pairOf[p.dstOf[pr.Dst]] = int32(k)
	}
	p.count = len(changes)
	for s := range p.src {
		if !p.src[s].Kept && !p.src[s].Unmodified && res.SourceUsed(s) {
			p.dropped[p.srcOf[s]] = true
			p.count--
		}
	}
	p.renames = len(res.Pairs)
	return true, nil
}

// binaryAttr is what the diff attribute of path says about it being
// binary, for the similarity estimate (which skips CRs of text only):
// nothing for a file of mode other than regular, which git judges by its
// content (see unit.side).
func (u *unit) binaryAttr(path string, mode uint32) renames.Binary {
	if !odb.IsRegular(mode) {
		return renames.BinaryAuto
	}
	attr := u.repo.attrs.Lookup(path)
	switch attr.State {
	case attributes.DiffUnset:
		return renames.BinaryYes
	case attributes.DiffSet:
		return renames.BinaryNo
	case attributes.DiffDriver:
		if binary, ok := u.repo.cfg.BinaryDrivers[attr.Driver]; ok {
			if binary {
				return renames.BinaryYes
			}
			return renames.BinaryNo
		}
	}
	return renames.BinaryAuto
}

// sourcePath returns the path, mode and id of the plan's source s: a
// change of the commit, or a file it left alike (RenamesAndCopiesHarder).
func (u *unit) source(changes []treediff.Change, all string, s int32) (path string, mode uint32, id odb.ID) {
	if i := u.plan.srcOf[s]; i >= 0 {
		c := &changes[i]
		return all[c.PathOff : c.PathOff+c.PathLen], c.OldMode, c.OldID
	}
	c := &u.td.Unchanged()[-1-u.plan.srcOf[s]]
	off := c.PathOff - u.plan.sameBase
	return u.plan.sameAll[off : off+c.PathLen], c.OldMode, c.OldID
}

func grow(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

func growBool(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}
