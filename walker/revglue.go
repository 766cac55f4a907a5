package walker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/pathspec"
	"github.com/gitwalk/gitwalk/internal/refs"
	"github.com/gitwalk/gitwalk/internal/revision"
	"github.com/gitwalk/gitwalk/internal/revwalk"
	"github.com/gitwalk/gitwalk/internal/treediff"
)

// repoRevWalk is a revwalk.Walk over a Repo, with the pathspec its commits'
// changes are listed under.
type repoRevWalk struct {
	*revwalk.Walk
	ps *pathspec.Spec // nil: every path (no pathspec, or FullDiff)

	g         *revwalk.Graph
	graphSrc  *graphFileSource // nil without a commit-graph
	storeSrc  *graphSource     // nil without a store
	tips      []Hash           // the walk's tips, as resolved
	graphNote string           // the commit-graph's state, for Stats
	bloom     *bloomFilter     // nil when the walk asks no changed-path filter
	// expect is about how many commits the walk will hand out, from the
	// stored closures its tips loaded (more when they overlap or paths
	// limit the walk, fewer when commits are not in them yet); 0: unknown.
	expect int
	stash  *commitStash // the commits read from their objects, until handed out
	ahead  *readAhead   // nil unless readAhead was called

	// replay hands out the commits when a walk from the same tips kept
	// them (replayed counts those handed out); else rec, when not nil,
	// gathers them for keepReplay to keep once the walk reaches its end.
	replay     *replay
	replayed   int
	rec        *replayRecorder
	keepReplay func([]byte)

	// Options.Resume: whether the walk may be resumed or marked, its
	// settings' key, whether it may stop at From's checkpoint, and whether
	// it went to its end (not stopped).
	resumeOK  bool
	resumeKey [32]byte
	stopSet   bool
	ended     bool
}

// next is the walk's next commit: the replay's, or the revision walk's
// (gathered for a replay when one is to be kept).
func (rw *repoRevWalk) next() (*revwalk.Commit, error) {
	if rw.replay != nil {
		c := rw.replay.next()
		if c != nil {
			rw.replayed++
		}
		return c, nil
	}
	return rw.Walk.Next()
}

// newRevWalk resolves opts.Revisions and prepares the walk. Path limiting
// compares trees with the lead's treediff.Differ in first-change mode, on the
// walk's own reader and arena.
func (r *Repo) newRevWalk(opts Options) (*repoRevWalk, error) {
	return r.newRevWalkContext(context.Background(), opts)
}

// newRevWalkContext is newRevWalk honouring ctx during a limited walk (which
// walks all it needs before returning).
func (r *Repo) newRevWalkContext(ctx context.Context, opts Options) (_ *repoRevWalk, err error) {
	shallow, err := refs.ReadShallow(r.commonDir)
	if err != nil {
		return nil, err
	}
	rdb := refs.Open(r.gitDir)
	if err := checkNoGrafts(r.commonDir, rdb); err != nil {
		return nil, err
	}
	stash := newCommitStash(revwalk.NewODBSource(r.db))
	var src revwalk.ObjectSource = stash
	var storeSrc *graphSource
	if opts.Store != nil && opts.Store.usable() {
		storeSrc = newGraphSource(src, opts.Store)
		src = storeSrc
		defer func() {
			if err != nil {
				storeSrc.release() // no walk: nothing else will
			}
		}()
	}
	cg, graphNote := r.commitGraph(shallow != nil) // an empty shallow file counts too (is_repository_shallow)
	var graphSrc *graphFileSource
	if cg != nil {
		graphSrc = newGraphFileSource(src, cg)
		src = graphSrc
	}
	g := revwalk.NewGraph(src, shallow)
	ps, err := pathspec.Parse(opts.Paths, opts.PathPrefix)
	if err != nil {
		return nil, err
	}
	// The replay kept for this repository, if the walk may be one: its
	// tips' entries serve the revisions' resolving (deferTips). A walk
	// that excludes commits (A..B) is never replayed: it does not read
	// the replay (git/git's is 3 MB). A walk that resumes from a
	// checkpoint (Options.Resume) is not replayed either: it walks to the
	// checkpoint (resume.go); one that only keeps a checkpoint may be, the
	// replay keeping one along.
	var kept []byte
	resuming := opts.Resume != nil
	if storeSrc != nil && !(resuming && !opts.Resume.From.IsZero()) && mayReplay(opts, ps != nil, shallow != nil) && !revision.MayExclude(opts.Revisions) {
		if kept = opts.Store.Memo(r, replayName(opts)); kept != nil {
			if _, tips, _, ok := readReplayHead(kept); ok {
				storeSrc.deferTips(tips)
			}
		}
	}
	tips, err := revision.Resolve(g, rdb, opts.Revisions)
	if err != nil {
		return nil, err
	}
	// A replay kept by a walk from these tips hands out the commits
	// without walking; a walk that may be replayed and has none keeps its
	// own (replay.go).
	var rp *replay
	var rec *replayRecorder
	if storeSrc != nil && replayable(tips, opts, ps != nil, shallow != nil) {
		key := replayKey(tips)
		if kept != nil {
			rp = openReplay(kept, key)
		}
		if rp == nil {
			nodes := make([]*revwalk.Commit, len(tips))
			for i, t := range tips {
				nodes[i] = g.Lookup(t.ID)
				if err := g.Parse(nodes[i]); err != nil { // done by Resolve: a no-op
					return nil, err
				}
			}
			rec = newReplayRecorder(key, nodes)
		}
	}
	if rp == nil && storeSrc != nil {
		storeSrc.loadDeferred() // the walk walks: it needs what they hold
	}
	expect := 0
	switch {
	case rp != nil:
		expect = rp.n
	case storeSrc != nil && meetsAll(tips, opts):
		expect = storeSrc.size()
		g.Reserve(expect) // resolving the tips loaded their closures
		if opts.NoMerges {
			expect = storeSrc.nonMerges()
		}
	}
	var bloom *bloomFilter
	ro := revwalk.Options{
		FirstParent: opts.FirstParent,
		NoMerges:    opts.NoMerges,
		TopoOrder:   opts.TopoOrder,

		FullHistory:   opts.FullHistory,
		MinParents:    opts.MinParents,
		MaxParents:    opts.MaxParents,
		HasMaxParents: opts.MaxParentsSet,
		Reverse:       opts.Reverse,
		MaxCount:      -1,
		Skip:          opts.Skip,
	}
	if opts.MaxCount > 0 {
		ro.MaxCount = opts.MaxCount
	}
	if !opts.Since.IsZero() {
		ro.Since, ro.HasSince = opts.Since.Unix(), true
	}
	if !opts.Until.IsZero() {
		ro.Until, ro.HasUntil = opts.Until.Unix(), true
	}
	// With generation numbers git orders --topo-order incrementally
	// (revision.c: generation_numbers_enabled), and so does the walk.
	ro.Generations = cg != nil && cg.GenerationNumbersEnabled()
	if ps != nil {
		// TREESAME tests run on the walk's goroutine with a reader and an
		// arena of their own; diffTrees rewinds the arena after each tree.
		rd := r.db.NewReader()
		rd.SetCacheLimit(revwalk.CacheBytes)
		td := treediff.New(rd, arena.New(arena.NewHeap(4<<20)), ps)
		ro.SameUnderPaths = td.Same
		if bloom = r.newBloomFilter(cg, ps); bloom != nil {
			ro.MaybeChanged = bloom.maybeChanged
		}
	}
	w, err := revwalk.New(ctx, g, tips, ro)
	if err != nil {
		return nil, err
	}
	rw := &repoRevWalk{Walk: w, g: g, graphSrc: graphSrc, storeSrc: storeSrc, graphNote: graphNote, bloom: bloom, stash: stash, expect: expect,
		replay: rp, rec: rec}
	if rec != nil {
		w.OnPop(rec.pop)
		st, name := opts.Store, replayName(opts)
		rw.keepReplay = func(b []byte) { st.SetMemo(r, name, b) }
	}
	for _, t := range tips {
		rw.tips = append(rw.tips, t.ID)
	}
	rw.resumeOK = storeSrc != nil && resumable(tips, opts, ps != nil, shallow != nil)
	if !opts.FullDiff {
		rw.ps = ps
	}
	return rw, nil
}

// meetsAll says whether a walk of tips with opts meets every commit their
// closures hold: no tip excluded (A..B), no count or date limit, every
// parent followed. Path limiting still meets them all.
func meetsAll(tips []revwalk.Tip, opts Options) bool {
	for _, t := range tips {
		if t.Negative {
			return false
		}
	}
	return meetsAllOpts(opts)
}

// meetsAllOpts is meetsAll's part that the options decide.
func meetsAllOpts(opts Options) bool {
	return opts.MaxCount <= 0 && opts.Since.IsZero() && !opts.FirstParent && opts.MinParents == 0 && !opts.MaxParentsSet
}

// errGrafts means the repository has replace refs or grafts, which git log
// applies and gitwalk does not yet: refusing is better than another history.
var errGrafts = errors.New("gitwalk does not apply replace refs or grafts yet")

// checkNoGrafts fails when git would rewrite history with refs/replace/
// (unless GIT_NO_REPLACE_OBJECTS is set, as git honours it) or info/grafts.
func checkNoGrafts(commonDir string, rdb *refs.DB) error {
	if _, err := os.Stat(filepath.Join(commonDir, "info", "grafts")); err == nil {
		return fmt.Errorf("%s: %w (info/grafts exists)", commonDir, errGrafts)
	}
	if os.Getenv("GIT_NO_REPLACE_OBJECTS") != "" {
		return nil
	}
	// Reading every ref costs milliseconds a thousand refs (go-git's
	// iteration: 20 ms on redis's 8,800): look first whether there may be
	// replace refs at all.
	if may, err := rdb.MayHave("refs/replace/"); err != nil || !may {
		return err
	}
	replace, err := rdb.List("refs/replace/")
	if err != nil {
		return err
	}
	if len(replace) > 0 {
		return fmt.Errorf("%s: %w (%s; set GIT_NO_REPLACE_OBJECTS=1 to walk, like git, without them)", commonDir, errGrafts, replace[0].Name)
	}
	return nil
}

func (rw *repoRevWalk) spec() *pathspec.Spec { return rw.ps }

// close keeps in the store what a revision walk that did not reach its end
// read (graphSource.keepUnended); call it once the revision walk's
// goroutines are done.
func (rw *repoRevWalk) close() {
	if rw.ahead != nil {
		rw.ahead.close()
	}
	if rw.storeSrc != nil {
		rw.storeSrc.keepUnended()
		rw.storeSrc.release()
	}
}

// readAhead has the walk's commits read ahead in pack order where that
// can pay (see readAhead). Call before the walk starts.
func (rw *repoRevWalk) readAhead(r *Repo) {
	if rw.replay != nil {
		return // no commit is read
	}
	if rw.ahead = newReadAhead(r.db, rw.stash); rw.ahead != nil {
		rw.stash.ahead = rw.ahead
	}
}

// finish keeps in the store what the revision walk read (graphSource's
// closure); call it only after a walk to its end, once the revision
// walk's goroutine is done.
func (rw *repoRevWalk) finish() {
	if rw.stopSet && rw.Walk.Stopped() {
		return // not its end: what it read is kept by close
	}
	rw.ended = true
	if rw.replay != nil {
		return // nothing was walked: the closures are as they were
	}
	if rw.storeSrc != nil {
		rw.storeSrc.finish(rw.tips)
	}
	if rw.rec != nil {
		if b := rw.rec.bytes(); b != nil {
			rw.keepReplay(b)
		}
	}
}

// fillStats puts what the revision walk read, and from where, in st.
func (rw *repoRevWalk) fillStats(st *Stats) {
	objects, cached := rw.g.Reads()
	st.WalkCommitsRead = objects
	st.WalkCommitsFromStore = cached
	if rw.graphSrc != nil {
		st.WalkCommitsFromGraph = int(rw.graphSrc.found.Load())
		st.WalkCommitsFromStore = max(0, st.WalkCommitsFromStore-st.WalkCommitsFromGraph)
	}
	st.WalkCommitsReplayed = rw.replayed
	st.WalkCommitsHanded, st.HandedBound = rw.stash.handedCount(), int64(stashLimit)
	if rw.ahead != nil {
		rw.ahead.close() // the walk is over: its figures are final
		st.WalkCommitsAhead, st.WalkAheadDropped, st.ReadAhead = rw.ahead.figures()
		st.ReadAheadReaders, st.AheadBound = rw.ahead.readers, int64(readAheadBytes)
	}
	st.CommitGraph = rw.graphNote
	if rw.bloom != nil {
		st.BloomDefinitelyNot = int(rw.bloom.definitelyNot.Load())
		st.BloomMaybe = int(rw.bloom.maybe.Load())
		st.BloomNoFilter = int(rw.bloom.noFilter.Load())
	}
}

// ErrBadRevision is the cause (wrapped, naming the argument) of every error
// about a revision argument that names nothing: the message is git's
// "bad revision 'X'".
var ErrBadRevision = revision.ErrBadRevision
