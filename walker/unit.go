package walker

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/attributes"
	"github.com/gitwalk/gitwalk/internal/diff"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/pathspec"
	"github.com/gitwalk/gitwalk/internal/renames"
	"github.com/gitwalk/gitwalk/internal/revwalk"
	"github.com/gitwalk/gitwalk/internal/store"
	"github.com/gitwalk/gitwalk/internal/treediff"
)

// carriedTrees bounds the trees a worker's tree differ keeps from one
// commit for the next (treediff's CarryTrees), per generation.
const carriedTrees = 512 << 10

// unit computes one commit at a time for one worker: the "compute one
// commit" step, kept apart from walking and ordering so that a per-commit
// result can later be cached by commit id. Its reusable slices are the
// worker's; everything else of a commit lives in the arena it checks out.
// Not safe for concurrent use.
type unit struct {
	repo *Repo
	rd   *odb.Reader
	alg  diff.Algorithm
	opts *Options
	ps   *pathspec.Spec // nil when the walk lists every path (no pathspec, or FullDiff)
	td   treediff.Differ

	renameMode RenameMode // the walk's, resolved against the repository's config
	renameOpts renames.Options
	detector   *renames.Detector // made with the first commit that has something to pair
	plan       renamePlan

	zones     map[string]*time.Location // time zones met so far, by their raw text
	rec       recordScratch             // decoding the store's records
	recBuf    []byte                    // a record read from the store, until decoded
	recReader *store.Reader             // the worker's way into the store
	recEnc    []byte                    // a record being encoded for the store

	missing        *missingSet       // the walk's, shared by its workers
	commitMissing  []odb.ID          // objects the current commit passed over
	store          *walkStore        // nil when the walk uses no store
	follow         *follower         // the walk's --follow (Options.Follow), else nil
	followAt       *followPath       // the path the commit is diffed under (Options.Follow)
	followDetector *renames.Detector // the search for a followed file's source (copies from all)
}

type unitStats struct {
	filesDiffed  int
	bytesDiffed  int64
	binary       int
	heapFallback bool
	treesCarried int
	renames      int
	neededLimit  int   // renames.Result.NeededLimit
	degraded     bool  // renames.Result.Degraded
	hit, miss    bool  // read from the store; computed and put in it
	stored       int64 // bytes of the record read or written

	changesMissing bool // a tree was missing: the commit came without changes
	missingChanges int  // changes that came without line counts (Change.Missing)

	bases BaseStats // the reader's work on the unit

	busy time.Duration // the worker's time on the unit

	followGen int    // Options.Follow: the followPath's gen the commit was diffed under
	followTo  string // Options.Follow: the path followed from here on, after a rename found
}

// run checks out an arena, computes the commit's result in it, copies the
// result out and gives the arena back. With a store, the result is put in
// it (message included, so that one record serves walks with and without
// Options.Messages).
func (u *unit) run(arenas *arena.Pool, node *revwalk.Commit, raw []byte) (*Commit, unitStats, error) {
	a, err := arenas.Checkout()
	if err != nil {
		return nil, unitStats{}, fmt.Errorf("commit %s: %w", node.ID, err)
	}
	defer arenas.GiveBack(a)
	c, st, err := u.compute(a, node, raw)
	if err != nil || u.store == nil {
		return c, st, err
	}
	// A commit that passed over missing objects (--missing) is not what a
	// complete repository gives: it is not kept.
	if !st.changesMissing && st.missingChanges == 0 {
		u.toStore(node, c, &st)
		st.miss = true
	}
	if !u.opts.Messages {
		c.Message = "" // kept for the record only
	}
	return c, st, nil
}

// compute computes the commit of node, whose content is raw when the
// revision walk kept it (nil: read from its object).
func (u *unit) compute(a *arena.Arena, node *revwalk.Commit, raw []byte) (*Commit, unitStats, error) {
	var st unitStats
	if u.followAt != nil {
		st.followGen = u.followAt.gen
	}
	typ, data := odb.Commit, raw
	if raw == nil {
		var err error
		if typ, data, err = u.rd.Read(node.ID, a); err != nil {
			return nil, st, err
		}
	}
	if typ != odb.Commit {
		return nil, st, fmt.Errorf("object %s is a %s, not a commit", node.ID, typ)
	}
	info, err := odb.ParseCommit(data)
	if err != nil {
		return nil, st, fmt.Errorf("commit %s: %w", node.ID, err)
	}
	c := &Commit{
		Hash:      node.ID,
		Tree:      info.Tree,
		Parents:   append([]odb.ID(nil), node.Parents...), // the walk keeps using its own list
		Author:    u.signature(info.Author),
		Committer: u.signature(info.Committer),
		Subject:   subject(info.Message),
	}
	if u.opts.Messages || u.store != nil {
		c.Message = string(info.Message)
	}
	if u.opts.NoChanges {
		return c, st, nil
	}
	var base odb.ID // the tree diffed against; zero = the empty tree
	switch {
	case len(node.Parents) == 0:
		if !u.repo.cfg.ShowRoot {
			return c, st, nil
		}
	case len(node.Parents) > 1 && !u.opts.FirstParent && !u.opts.DiffMerges:
		return c, st, nil // git log shows no diff for a merge by default
	default:
		// The walk parsed the first parent before handing the commit out;
		// a replayed walk did not (replay.go): its tree is read here.
		var ok bool
		if base, ok = node.FirstParentTree(); !ok {
			typ, pdata, err := u.rd.Read(node.Parents[0], a)
			if err != nil {
				return nil, st, fmt.Errorf("commit %s: parent %s: %w", node.ID, node.Parents[0], err)
			}
			if typ != odb.Commit {
				return nil, st, fmt.Errorf("commit %s: parent %s is a %s, not a commit", node.ID, node.Parents[0], typ)
			}
			pinfo, err := odb.ParseCommit(pdata)
			if err != nil {
				return nil, st, fmt.Errorf("commit %s: parent %s: %w", node.ID, node.Parents[0], err)
			}
			base = pinfo.Tree
		}
	}
	u.commitMissing = u.commitMissing[:0]
	if u.followAt != nil {
		u.ps = u.followAt.spec
	}
	u.td.Reset(u.rd, a, u.ps)
	if err := u.td.Diff(base, info.Tree); err != nil {
		pass, err := u.passMissing(err)
		if pass {
			c.ChangesMissing, st.changesMissing = true, true
			return c, st, nil
		}
		return nil, st, fmt.Errorf("commit %s: %w", node.ID, err)
	}
	changes := u.td.Changes()
	if u.opts.Relative != "" {
		changes = u.underRelative(changes)
	}
	if len(changes) == 0 {
		return c, st, nil
	}
	if u.followAt != nil && len(changes) == 1 && changes[0].OldMode == 0 {
		return u.followAdded(a, c, st, base, info.Tree, changes[0])
	}
	// One string holds every path of the commit: one allocation, and the
	// Change paths are substrings of it.
	all := string(u.td.Paths())
	renamed, err := u.detectRenames(a, changes, all, base, info.Tree)
	if err != nil {
		return nil, st, fmt.Errorf("commit %s: rename detection: %w", node.ID, err)
	}
	st.renames, st.neededLimit, st.degraded = u.plan.renames, u.plan.neededLimit, u.plan.degraded
	n := len(changes)
	if renamed {
		n = u.plan.count
	}
	c.Changes = make([]Change, 0, n)
	for i := range changes {
		if renamed && u.plan.dropped[i] {
			continue // a deleted file whose rename stands in its destination's place
		}
		fc := &changes[i]
		c.Changes = append(c.Changes, Change{
			Path:    all[fc.PathOff : fc.PathOff+fc.PathLen],
			OldMode: FileMode(fc.OldMode), NewMode: FileMode(fc.NewMode),
			OldHash: fc.OldID, NewHash: fc.NewID,
		})
		ch := &c.Changes[len(c.Changes)-1]
		switch {
		case renamed && u.plan.pairOf[i] >= 0:
			pr := u.plan.pairs[u.plan.pairOf[i]]
			var mode uint32
			ch.OldPath, mode, ch.OldHash = u.source(changes, all, pr.Src)
			ch.OldMode = FileMode(mode)
			ch.Score = pr.Percent()
			ch.Kind = Renamed
			if pr.Copy {
				ch.Kind = Copied
			}
		case fc.OldMode == 0:
			ch.Kind = Added
		case fc.NewMode == 0:
			ch.Kind = Deleted
		}
		if !u.opts.NoLineCounts {
			if err := u.count(a, ch, &st); err != nil {
				return nil, st, fmt.Errorf("commit %s: %s: %w", node.ID, ch.Path, err)
			}
		}
		if !ch.Missing && len(u.commitMissing) > 0 && (u.missedIn(ch.OldHash) || u.missedIn(ch.NewHash)) {
			ch.Missing = true // the rename estimate could not read it
		}
		if ch.Missing {
			ch.Added, ch.Deleted, ch.Binary = 0, 0, false
			st.missingChanges++
			u.missing.addPath(ch.Path)
		}
	}
	return c, st, nil
}

// count fills in the line counts of one change, as git's builtin_diffstat:
// binary if either side is, 0/0 when only the mode changed, else the line
// diff of the two contents (a missing side is empty).
func (u *unit) count(a *arena.Arena, ch *Change, st *unitStats) error {
	mark := a.Mark()
	defer a.RewindTo(mark)
	attr := u.repo.attrs.Lookup(ch.Path)
	oldAttr := attr
	if ch.OldPath != "" {
		oldAttr = u.repo.attrs.Lookup(ch.OldPath) // each side is judged by its own path, as git does
	}
	// The sides of a rename or copy found by the similarity estimate were
	// read whole to hash them, and git keeps the binary answer it gave then
	// (from the content, never from core.bigFileThreshold): so do we. An
	// exact rename (one blob) was never read and follows the usual rules.
	estimated := ch.OldPath != "" && ch.OldHash != ch.NewHash
	// A missing side passed over still lets the other be read, so the
	// walk learns of every missing object, not only the first of a pair.
	oldData, oldBin, err := u.side(a, uint32(ch.OldMode), ch.OldHash, oldAttr, estimated)
	if err != nil {
		if err := u.missingSide(ch, err); err != nil {
			return err
		}
	}
	newData, newBin, err := u.side(a, uint32(ch.NewMode), ch.NewHash, attr, estimated)
	if err != nil {
		if err := u.missingSide(ch, err); err != nil {
			return err
		}
	}
	if ch.Missing {
		return nil
	}
	if oldBin || newBin {
		ch.Binary = true
		st.binary++
		return nil
	}
	if ch.OldHash == ch.NewHash && ch.OldMode != 0 && ch.NewMode != 0 {
		return nil // same content: xdiff is skipped, the row is 0 0
	}
	st.filesDiffed++
	st.bytesDiffed += int64(len(oldData) + len(newData))
	s, err := diff.Count(a, oldData, newData, u.alg)
	if errors.Is(err, arena.ErrExhausted) {
		// The diff's scratch outgrew what is left of the arena: run it once
		// in a heap arena, which Count sizes from the inputs' line counts.
		// (ScratchBound's one line per byte asked 44 GB for two 600 MB
		// files of 55-byte lines, and the runtime died out of memory.)
		st.heapFallback = true
		s, err = diff.Count(nil, oldData, newData, u.alg)
	}
	if err != nil {
		return err
	}
	ch.Added, ch.Deleted = s.Added, s.Deleted
	return nil
}

// missingSide marks ch Missing when err is a missing blob the walk passes
// over, else returns err.
func (u *unit) missingSide(ch *Change, err error) error {
	pass, err := u.passMissing(err)
	if pass {
		ch.Missing = true
		return nil
	}
	return err
}

// side loads one side of a change and decides whether it is binary, as git's
// diff_filespec_is_binary: the diff attribute first (`-diff` or a driver
// whose diff.<drv>.binary is set decides outright, `diff` means text), then
// the size against core.bigFileThreshold, then a NUL in the first 8000
// bytes. A binary side's content is not needed: numstat prints "-\t-". A
// gitlink's content is the line "Subproject commit <id>\n"
// (diff_populate_gitlink). whole reads the blob whatever its size (a side
// the rename estimate read whole, see count).
func (u *unit) side(a *arena.Arena, mode uint32, id odb.ID, attr attributes.Result, whole bool) ([]byte, bool, error) {
	if mode == 0 {
		return nil, false, nil
	}
	binary, decided := u.repo.diffDecision(mode, attr)
	if binary {
		return nil, true, nil
	}
	if mode == odb.ModeGitlink {
		buf, err := arena.MakeUninit[byte](a, len("Subproject commit \n")+40)
		if err != nil {
			return nil, false, err
		}
		n := copy(buf, "Subproject commit ")
		n += copy(buf[n:], id.String())
		buf[n] = '\n'
		return buf, !decided && diff.IsBinary(buf), nil
	}
	// ReadMax refuses a blob above core.bigFileThreshold from its declared
	// size, so a huge blob is never inflated.
	limit := u.repo.cfg.BigFileThreshold
	if u.opts.MaxBlobSize > 0 {
		limit = u.opts.MaxBlobSize
	}
	if decided || whole {
		limit = 0
	}
	typ, data, err := u.rd.ReadMax(id, a, limit)
	if errors.Is(err, odb.ErrTooLarge) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if typ != odb.Blob {
		return nil, false, fmt.Errorf("object %s is a %s, not a blob", id, typ)
	}
	return data, !decided && diff.IsBinary(data), nil
}

// diffDecision is what the attributes of a side's path (attr) decide
// before its content is read: binary, that it is binary whatever its
// content; decided, that its content does not decide (a set diff
// attribute, or a driver that says text), so that nothing makes it
// binary.
func (r *Repo) diffDecision(mode uint32, attr attributes.Result) (binary, decided bool) {
	if !odb.IsRegular(mode) {
		// git loads a diff driver from the attributes for regular files
		// only (diff_filespec_load_driver): a symbolic link or a gitlink
		// is judged by its content, also where a rule says -diff.
		return false, false
	}
	switch attr.State {
	case attributes.DiffUnset:
		return true, true
	case attributes.DiffSet:
		return false, true
	case attributes.DiffDriver:
		binary, decided = r.cfg.BinaryDrivers[attr.Driver]
		return binary, decided
	}
	return false, false
}

// signature copies a signature out of the commit data. Time zones repeat
// across a history, so each worker keeps the locations it has made (a
// FixedZone per signature was a third of a commit's allocations).
func (u *unit) signature(s odb.Signature) Signature {
	loc, ok := u.zones[string(s.Zone)]
	if !ok {
		if u.zones == nil {
			u.zones = map[string]*time.Location{}
		}
		loc = time.FixedZone(string(s.Zone), s.Offset*60)
		u.zones[string(s.Zone)] = loc
	}
	return Signature{Name: string(s.Name), Email: string(s.Email), When: time.Unix(s.When, 0).In(loc)}
}

// subject is the first paragraph of a message with its lines joined by
// spaces, as git's %s (pretty.c format_subject).
func subject(msg []byte) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimLeft(string(msg), "\n"), "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(line)
	}
	return b.String()
}

// underRelative keeps, in place, the changes whose path starts with the
// walk's Relative prefix, as git's diff queues only those (diff_change and
// diff_addremove compare the path with diffopt.prefix).
func (u *unit) underRelative(changes []treediff.Change) []treediff.Change {
	prefix := u.opts.Relative
	kept := changes[:0]
	for i := range changes {
		if strings.HasPrefix(string(u.td.Path(&changes[i])), prefix) {
			kept = append(kept, changes[i])
		}
	}
	return kept
}

// RelativePath is path as git log --relative prints it under prefix
// (diff.c's strip_prefix): the prefix's length cut off, then one '/'.
// A path that does not start with the prefix is returned whole.
func RelativePath(path, prefix string) string {
	if prefix == "" || !strings.HasPrefix(path, prefix) {
		return path
	}
	path = path[len(prefix):]
	if strings.HasPrefix(path, "/") {
		path = path[1:]
	}
	return path
}
