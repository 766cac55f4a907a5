package walker

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/diff"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/revwalk"
	"github.com/gitwalk/gitwalk/pool"
)

// Arena sizing for a walk's own arena pool. An arena is a reservation of
// address space: only the pages a unit touches become resident, and pages
// above arenaRetain are released when the arena is given back, so one huge
// commit does not pin memory for the rest of the walk.
const (
	arenaSize   = 256 << 20
	arenaRetain = 8 << 20

	// The delta-base cache the workers share is sized to the history: twice
	// its packed bytes up to smallCacheBytes, a quarter of them beyond,
	// within these bounds. The bound is paid in peak RSS, which must stay
	// below git's; git's own is about the packs it touched plus 80 MB
	// (curl: 274 MB for 190 MB of packs; git/git: 466 MB for 474).
	// Measured (numstat --no-renames, 2 workers, quiet machine, alternating
	// with git): on git/git, 64 MiB walked in 13.7 s, 128 MiB with the
	// packs' data dropped every 256 MiB in 10.6 s (git 32.3 s), at 370 MB
	// of peak RSS against 230; 160 and 192 MiB gained 3-4% more, at 418
	// and 459 MB. On curl the same 128 MiB took 5.1 s against 6.3 s but
	// peaked at 381 MB, above git's 274; on redis it changed nothing.
	// Earlier: 32 MiB walked git/git in 21.0 s, and 64 MiB on go-git (15 MB
	// of packs) only raised peak RSS above git's.
	minCacheBytes   = 16 << 20
	smallCacheBytes = 64 << 20
	maxCacheBytes   = 128 << 20
)

func (r *Repo) defaultCacheBytes() int64 {
	packed := r.db.PackedBytes()
	return min(max(min(2*packed, smallCacheBytes), packed/4, minCacheBytes), maxCacheBytes)
}

// ErrStop may be returned by a Walk callback to end the walk early without
// an error.
var ErrStop = errors.New("stop walk")

// job is one commit to compute, numbered in walk order.
type job struct {
	seq  int
	node *revwalk.Commit
	raw  []byte // the commit's content, when the revision walk kept it
	err  error  // a walk error, reported in order after the commits before it
}

type result struct {
	seq    int
	commit *Commit
	err    error
	st     unitStats
	node   *revwalk.Commit // Options.Follow only: the commit, to compute again
}

// Walk walks the commits opts names, in git's order, computing each commit's
// changes on opts.Workers goroutines, and calls fn with each Commit in walk
// order from the calling goroutine. fn returning ErrStop ends the walk with
// no error; any other error ends it with that error. Walk honours ctx: when it
// is cancelled, workers stop, arenas are given back and readers released
// before Walk returns ctx's error. Several walks may run on one Repo at once.
func (r *Repo) Walk(ctx context.Context, opts Options, fn func(*Commit) error) error {
	return r.walk(ctx, opts, fn, nil)
}

// WalkParallel is Walk for callers that keep state per worker, as analyzers
// do: fn runs on the worker goroutines, with worker in [0, workers) where
// workers is opts.Workers (or GOMAXPROCS), in no particular order; calls with
// the same worker number never overlap, so state indexed by it needs no
// lock. The commits are those Walk would give; which worker sees which
// commit varies from run to run, so state must be merged at the end in a
// way that does not depend on it. Errors and cancellation are as for Walk.
func (r *Repo) WalkParallel(ctx context.Context, opts Options, fn func(worker int, c *Commit) error) error {
	return r.walk(ctx, opts, nil, fn)
}

// workers returns how many workers a walk with these options runs.
func (o *Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// walk is the pipeline under Walk (ordered set) and WalkParallel (each set).
func (r *Repo) walk(ctx context.Context, opts Options, ordered func(*Commit) error, each func(int, *Commit) error) error {
	start := time.Now()
	drops := r.db.MappedDrops()
	if opts.ParentsOnly {
		opts.NoChanges = true
	}
	alg, err := r.algorithm(opts)
	if err != nil {
		return err
	}
	renameMode := r.Renames(opts)
	renameOpts := r.renameOptions(&opts, renameMode)
	var follow *follower
	revOpts := opts
	if opts.Follow {
		if each != nil {
			return errShownParallel
		}
		if follow, err = r.newFollower(&opts); err != nil {
			return err
		}
		// git walks the whole history under --follow (the path changes as
		// it goes).
		revOpts.Paths, revOpts.Store, revOpts.Replay = nil, nil, false
		opts.Store, opts.Replay = nil, false
	}
	if opts.Follow || !opts.DiffFilter.IsZero() {
		if each != nil {
			return errShownParallel
		}
		// git shows only commits with changes then, and counts those
		// against -n.
		if !opts.Reverse {
			revOpts.MaxCount = 0
		}
		ordered = shownOnly(opts, ordered)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rw, err := r.newRevWalkContext(ctx, revOpts)
	if err != nil {
		return err
	}
	defer rw.close()
	rw.readAhead(r)

	// The store's fingerprint names the settings resolved above.
	ws := r.storeFor(&opts, &unit{alg: alg, opts: &opts, ps: rw.spec(), renameMode: renameMode, renameOpts: renameOpts})
	rw.resume(ws, &opts)

	workers := opts.workers()
	// The walk's own pools hold one arena and one reader per worker, and
	// one more for follower.fix.
	pooled := workers
	if follow != nil {
		pooled++
	}
	arenas := opts.Arenas
	if arenas == nil {
		arenas = arena.NewPool(pooled, func() (arena.Backing, error) { return arena.NewMmap(arenaSize) },
			arena.WithRetain(arenaRetain))
		defer arenas.Close()
	}
	// The workers share one delta-base cache: commits go to workers in
	// turn, and a base one worker inflated is what the next commit's worker
	// needs (private caches did a third more delta work on redis). A worker
	// of the walk's own pool keeps its reader for the whole walk; with a
	// pool shared between walks it takes one per commit, so that walks
	// wanting more readers than there are take turns instead of one waiting
	// for the others to end.
	readers, perCommit := (*pool.Pool[*odb.Reader])(nil), opts.Readers != nil
	var basesBound, basesRegion int64
	if perCommit {
		if opts.Readers.repo != r {
			return errors.New("Options.Readers is a pool of another repository's readers")
		}
		readers, basesBound, basesRegion = opts.Readers.p, opts.Readers.bound, opts.Readers.region
	} else {
		own, err := r.newReaders(pooled, opts.CacheBytes)
		if err != nil {
			return err
		}
		defer own.Close()
		readers, basesBound, basesRegion = own.p, own.bound, own.region
	}

	// The window bounds the commits between the walk and the callback:
	// dispatched, computing, or computed and waiting for an earlier one.
	// While the store holds records of the walk's settings, most commits
	// are read from it at a few microseconds each: the window is then
	// wide enough for batches of storedBatch (see batchFor).
	window := 8*workers + 32
	if ws != nil && !ws.none {
		window = max(window, storedWindow)
	}
	tokens := make(chan struct{}, window)
	jobs := make(chan []job, workers)
	// A worker gives the batches it is done with back to the revision
	// walk, which fills them again: grown by append, a warm walk's batches
	// were a tenth of the revision walk's time, on its one goroutine.
	spare := make(chan []job, workers+1)
	results := make(chan []result, window)
	// Handing each commit from goroutine to goroutine costs as much as a
	// unit read from the store, and a tenth of one diffed: commits go to
	// the workers, and back, in batches while the workers are behind (see
	// batchFor).
	var hits atomic.Bool

	next := rw.next
	var prog *progress
	if opts.Progress != nil {
		la := startLookahead(ctx, rw.next)
		// The lookahead goroutine ends when ctx is cancelled; it must not
		// outlive the walk, so cancel and wait for it on the way out.
		defer func() { cancel(); <-la.done }()
		next = func() (*revwalk.Commit, error) { return la.next(ctx) }
		prog = newProgress(opts.Progress, la)
		defer prog.stop()
	}

	// The revision walk's time is timed from here on: its setup (above
	// and in the first next) and its steady state apart, unless the
	// parts are not asked for (Options.Untimed).
	timed := opts.Stats != nil && !opts.Untimed
	setupEnd := time.Now()
	var revWalk time.Duration
	revDone := make(chan struct{})
	// rw.close, deferred above, runs after this and after the lookahead's
	// end: no goroutine walks then.
	defer func() { cancel(); <-revDone }()
	go func() {
		defer close(revDone)
		defer close(jobs)
		var batch []job
		// flush hands the batch to a worker, waiting for one to take it.
		flush := func() bool {
			if len(batch) == 0 {
				return true
			}
			select {
			case jobs <- batch:
				batch = nil
				return true
			case <-ctx.Done():
				return false
			}
		}
		for seq := 0; ; seq++ {
			// A token per commit. Before waiting for one, the batch goes
			// out, so the workers have it while the walk waits. (The output
			// never waits on a batch held here: a batch is at most half the
			// window, so when every token is taken, commits before the
			// batch's hold some of them.)
			select {
			case tokens <- struct{}{}:
			default:
				if !flush() {
					return
				}
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
			var t0 time.Time
			if timed && seq > 0 {
				t0 = time.Now()
			}
			node, err := next()
			switch {
			case seq == 0:
				setupEnd = time.Now()
			case timed:
				revWalk += time.Since(t0)
			}
			if node == nil && err == nil {
				flush()
				rw.finish() // walked to its end: keep what it read
				return
			}
			var raw []byte
			if node != nil {
				raw = rw.stash.take(node.ID)
				rw.noteCheckpoint(&opts, node, seq)
			}
			limit := batchLimit(batchFor(hits.Load()), window, seq, rw.expect, workers)
			if batch == nil {
				select {
				case batch = <-spare:
				default:
					batch = make([]job, 0, limit)
				}
			}
			batch = append(batch, job{seq: seq, node: node, raw: raw, err: err})
			if err != nil || len(batch) >= limit {
				if !flush() || err != nil {
					return
				}
				continue
			}
			// A worker free now takes what there is.
			select {
			case jobs <- batch:
				batch = nil
			default:
			}
		}
	}()

	// Errors met on the workers (WalkParallel's callbacks, reader pool):
	// the one of the earliest commit wins, so the error does not depend on
	// scheduling when several fail.
	var errMu sync.Mutex
	var workerErr error
	workerErrSeq := -1
	fail := func(seq int, err error) {
		errMu.Lock()
		if workerErr == nil || seq < workerErrSeq {
			workerErr, workerErrSeq = err, seq
		}
		errMu.Unlock()
		cancel()
	}
	perWorker := make([]Stats, workers)
	var missing missingSet
	var settle func(*result) error
	if follow != nil {
		u := &unit{repo: r, alg: alg, opts: &opts, renameMode: renameMode, renameOpts: renameOpts, missing: &missing, follow: follow}
		if sub := r.submodulesFor(&opts); !sub.none() {
			u.td.IgnoreGitlinks(sub.ignored)
		}
		follow.fix, follow.readers, follow.perCommit, follow.arenas = u, readers, perCommit, arenas
		defer follow.release() // before the readers' pool closes
		settle = func(res *result) error { return follow.settle(ctx, res) }
	}

	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			var rd *odb.Reader
			defer func() {
				if rd != nil {
					readers.Release(rd)
				}
			}()
			u := &unit{repo: r, alg: alg, opts: &opts, ps: rw.spec(), renameMode: renameMode, renameOpts: renameOpts, missing: &missing, store: ws, follow: follow}
			u.td.CarryTrees(carriedTrees)
			if sub := r.submodulesFor(&opts); !sub.none() {
				u.td.IgnoreGitlinks(sub.ignored)
			}
			for batch := range jobs {
				// Sized at once: grown by append, the results of a batch
				// of 512 read from the store were allocated and copied
				// about twice over (6% of the bytes a warm walk of go-git allocated).
				var out []result
				if each == nil {
					out = make([]result, 0, len(batch))
				}
				for _, j := range batch {
					var t0 time.Time
					if timed {
						t0 = time.Now()
					}
					res := result{seq: j.seq, err: j.err}
					if follow != nil {
						res.node = j.node // for follower.settle
						u.followAt = follow.cur.Load()
					}
					// A shared budget (Options.Slots) is held while the commit
					// is computed, never while its result waits: results are
					// buffered for the whole window, so a slot is always given
					// back and walks sharing the budget cannot hold each other up.
					slot := false
					if res.err == nil && opts.Slots != nil && ctx.Err() == nil {
						if err := opts.Slots.acquire(ctx); err == nil {
							slot = true
						}
					}
					if res.err == nil && opts.ParentsOnly {
						res.commit = &Commit{Hash: j.node.ID, Parents: append([]Hash(nil), j.node.Parents...), Seq: j.seq}
						rw.stash.release(j.raw)
					}
					if res.commit == nil && res.err == nil && ctx.Err() == nil && u.store != nil {
						// A commit the store holds needs no reader or arena.
						var hit bool
						if res.commit, res.st, hit = u.fromStore(j.node); hit {
							res.st.hit = true
							res.commit.Seq = j.seq
						}
					}
					if res.commit == nil && res.err == nil && ctx.Err() == nil && rd == nil {
						rd, res.err = readers.AcquireContext(ctx)
						if res.err != nil && ctx.Err() == nil {
							res.err = fmt.Errorf("object reader: %w", res.err)
						}
					}
					if res.commit == nil && res.err == nil && ctx.Err() == nil {
						u.rd = rd
						before, carried := rd.Stats(), u.td.CarriedHits()
						res.commit, res.st, res.err = u.run(arenas, j.node, j.raw)
						rw.stash.release(j.raw)
						res.st.bases.add(rd.Stats(), before)
						res.st.treesCarried = u.td.CarriedHits() - carried
						if res.commit != nil {
							res.commit.Seq = j.seq
						}
						if perCommit {
							readers.Release(rd)
							rd = nil
						}
					}
					if slot {
						opts.Slots.release()
					}
					hits.Store(res.st.hit)
					if each == nil {
						if timed {
							res.st.busy = time.Since(t0)
						}
						out = append(out, res)
						continue
					}
					<-tokens
					switch {
					case res.err != nil:
						fail(res.seq, res.err)
					case ctx.Err() == nil:
						err := each(worker, res.commit)
						if timed {
							res.st.busy = time.Since(t0)
						}
						perWorker[worker].add(res.st)
						if err != nil {
							fail(res.seq, err)
						} else if prog != nil {
							prog.done.Add(1)
						}
					}
				}
				if out != nil {
					results <- out
				}
				clear(batch)
				select {
				case spare <- batch[:0]:
				default:
				}
			}
		}(i)
	}
	go func() { wg.Wait(); close(results) }()

	var stats Stats
	var walkErr error
	if each == nil {
		stats, walkErr = reorder(ctx, results, tokens, window, ordered, settle, prog, timed)
		if walkErr != nil {
			cancel()
			for range results {
			}
		}
	} else {
		if prog == nil {
			for range results {
			}
		} else {
			// Workers only close results; the ticker wakes this goroutine
			// to report between.
			for open := true; open; {
				select {
				case _, open = <-results:
				case <-prog.ticker.C:
					prog.report(int(prog.done.Load()))
				}
			}
		}
		for i := range perWorker {
			stats.merge(perWorker[i])
		}
	}
	if walkErr == nil && workerErr != nil {
		walkErr = workerErr
	}
	if walkErr == nil && ctx.Err() != nil {
		walkErr = ctx.Err()
	}
	// Every result is in: the revision walk has handed out its last
	// commit (or stopped) before the workers ended.
	rw.endResume(&opts, walkErr == nil)
	if ws != nil {
		ws.s.note(r.gitDir, stats.StoreHits, stats.StoreMisses, stats.StoreBytes)
	}
	if opts.Stats != nil {
		stats.Workers = workers
		if follow != nil {
			stats.FollowRedone = follow.redone
		}
		stats.Wall = time.Since(start)
		cancel() // the walk is over; a revision walk left waiting stops
		<-revDone
		stats.Setup = setupEnd.Sub(start)
		stats.RevWalk = revWalk
		stats.Arenas = arenas.Metrics()
		stats.Readers = readers.Metrics()
		stats.PackDrops = r.db.MappedDrops() - drops
		stats.PackDropEvery = r.db.MappedLimit()
		stats.BasesBound = basesBound
		stats.BasesRegion = basesRegion
		missing.fill(&stats)
		rw.fillStats(&stats)
		stats.AttributeWarnings = r.attrs.Warnings()
		*opts.Stats = stats
	}
	if prog != nil && (walkErr == nil || errors.Is(walkErr, ErrStop)) {
		prog.report(stats.Commits)
	}
	if errors.Is(walkErr, ErrStop) {
		return nil
	}
	return walkErr
}

// reorder puts results back into walk order and calls fn with each, until
// results is closed or an error. At most window results are in flight, so a
// ring of that size holds every early arrival. timed says to time fn
// (Stats.Ordered).
func reorder(ctx context.Context, results <-chan []result, tokens <-chan struct{}, window int, fn func(*Commit) error, settle func(*result) error, prog *progress, timed bool) (Stats, error) {
	var stats Stats
	ring := make([]*result, window)
	next := 0
	for batch := range results {
		for i := range batch {
			res := &batch[i]
			ring[res.seq%window] = res
			for {
				head := ring[next%window]
				if head == nil || head.seq != next {
					break
				}
				ring[next%window] = nil
				next++
				<-tokens
				if settle != nil && ctx.Err() == nil {
					// Before its error: one met under a path left since
					// is not the commit's.
					if err := settle(head); err != nil {
						return stats, err
					}
				}
				if head.err != nil {
					return stats, head.err
				}
				if err := ctx.Err(); err != nil {
					return stats, err // cancelled from outside: no callback after it
				}
				stats.add(head.st)
				var t0 time.Time
				if timed {
					t0 = time.Now()
				}
				err := fn(head.commit)
				if timed {
					stats.Ordered += time.Since(t0)
				}
				if err != nil {
					return stats, err
				}
				if prog != nil {
					prog.poll(stats.Commits)
				}
			}
		}
	}
	return stats, nil
}

// batchFor is how many commits at most go to a worker in one batch:
// storedBatch while they come from the store, where a unit costs a few
// microseconds and handing a batch from goroutine to goroutine costs tens,
// and 8 while the workers diff them. A batch fills only while the workers
// are behind: a free worker takes what there is (see the walk above).
// Batches of one commit put the revision walk to sleep and woke it again
// for every commit, and left a tenth to a third of two cores idle: numstat
// over the generated history went from 1.13 s to 0.97 s with batches of 8
// (voluntary context switches 8,700 to 3,600), redis 2.23 to 2.07 s,
// go-git 0.31 to 0.28 s, git/git 9.93 to 9.24 s; 16 was no better.
func batchFor(hits bool) int {
	if hits {
		return storedBatch
	}
	return 8
}

// batchLimit is how many commits a batch takes: batchFor's size, at most
// half the window, and, when the walk expects about expect commits, at most
// a share of what is left, so that the workers end together. With batches
// of storedBatch to the end, one worker read and observed the last batch
// while the other had nothing left: 0.8 ms of a 13 ms warm churn of go-git.
func batchLimit(size, window, seq, expect, workers int) int {
	n := min(size, window/2)
	if expect > 0 {
		n = min(n, max(8, (expect-seq)/(2*workers)))
	}
	return n
}

// storedBatch and storedWindow are the batch and the window of a walk
// whose commits mostly come from the store. Batches of 16 in a window of
// 48 (which caps a batch at 24) handed a warm churn of git/git to the
// workers 5,000 times; medians of 11 alternating warm runs of git/git,
// wall (CPU): 523 ms (810) with batches of 16, 407 (683) with 128, 372
// (636) with 512 in a window of 4,096; redis 98 (132) and 75 (109); no
// better with batches of 1,024 or 2,048. A run that resumes a cold run
// cut short (redis, its newest 2,361 commits stored) diffs batches of up
// to 512 at the turn from hits to misses, and was no slower: 1.29 s
// against 1.35 s. The window holds results, not arenas: a stored commit's
// result is its record decoded.
const (
	storedBatch  = 512
	storedWindow = 4096
)

// algorithm picks the line diff: the caller's choice, else the repository's
// diff.algorithm, which must be one gitwalk implements.
func (r *Repo) algorithm(opts Options) (diff.Algorithm, error) {
	// Settings that change git's output in ways gitwalk does not implement
	// yet: say so rather than print other numbers.
	if r.cfg.DiffContextZero {
		return 0, fmt.Errorf("the config sets diff.context=0, which changes git's counts (trim_common_tail); gitwalk does not implement it yet")
	}
	if r.cfg.OrderFile != "" {
		return 0, fmt.Errorf("the config sets diff.orderFile, which changes the order of git's numstat lines; gitwalk does not implement it yet")
	}
	if opts.AlgorithmSet || r.cfg.DiffAlgorithm == "" {
		return opts.Algorithm.internal(), nil
	}
	a, err := diff.ParseAlgorithm(r.cfg.DiffAlgorithm)
	if err != nil {
		return 0, fmt.Errorf("the repository's config sets diff.algorithm=%s: %w (pass --diff-algorithm=myers or --minimal to choose one gitwalk has)", r.cfg.DiffAlgorithm, err)
	}
	return a, nil
}

// Add adds the figures of another walk o to s, for a caller that runs
// several walks (gitwalk branches): counts and times add up, the rename
// limit needed, the bounds and the readers' live and idle counts take the larger, the
// commit-graph note is kept. Workers, Wall, Arenas and the missing objects'
// distinct counts and samples are the caller's to set: they are not sums.
func (s *Stats) Add(o Stats) {
	s.merge(o)
	s.PackDrops += o.PackDrops
	s.PackDropEvery = max(s.PackDropEvery, o.PackDropEvery)
	s.BasesBound = max(s.BasesBound, o.BasesBound)
	s.BasesRegion = max(s.BasesRegion, o.BasesRegion)
	s.Setup += o.Setup
	s.RevWalk += o.RevWalk
	s.WalkCommitsRead += o.WalkCommitsRead
	s.WalkCommitsFromGraph += o.WalkCommitsFromGraph
	s.WalkCommitsFromStore += o.WalkCommitsFromStore
	s.WalkCommitsReplayed += o.WalkCommitsReplayed
	s.WalkCommitsHanded += o.WalkCommitsHanded
	s.WalkCommitsAhead += o.WalkCommitsAhead
	s.WalkAheadDropped += o.WalkAheadDropped
	s.ReadAhead += o.ReadAhead
	s.ReadAheadReaders = max(s.ReadAheadReaders, o.ReadAheadReaders)
	s.AheadBound = max(s.AheadBound, o.AheadBound)
	s.HandedBound = max(s.HandedBound, o.HandedBound)
	s.BloomDefinitelyNot += o.BloomDefinitelyNot
	s.BloomMaybe += o.BloomMaybe
	s.BloomNoFilter += o.BloomNoFilter
	if o.CommitGraph != "" {
		s.CommitGraph = o.CommitGraph
	}
	r, or := &s.Readers, o.Readers
	r.Hits += or.Hits
	r.Misses += or.Misses
	r.Exhausted += or.Exhausted
	r.Discarded += or.Discarded
	r.Reaped += or.Reaped
	r.BuildErrors += or.BuildErrors
	r.Waits += or.Waits
	r.Waited += or.Waited
	r.CloseErrors += or.CloseErrors
	r.Live = max(r.Live, or.Live)
	r.Idle = max(r.Idle, or.Idle)
}

// merge adds a worker's figures to the walk's.
func (s *Stats) merge(o Stats) {
	s.Commits += o.Commits
	s.FilesDiffed += o.FilesDiffed
	s.BytesDiffed += o.BytesDiffed
	s.Binary += o.Binary
	s.HeapFallback += o.HeapFallback
	s.TreesCarried += o.TreesCarried
	s.Renames += o.Renames
	s.FollowRedone += o.FollowRedone
	s.RenameLimitNeeded = max(s.RenameLimitNeeded, o.RenameLimitNeeded)
	s.RenameDegraded = s.RenameDegraded || o.RenameDegraded
	s.MissingCommits += o.MissingCommits
	s.MissingChanges += o.MissingChanges
	s.StoreHits += o.StoreHits
	s.StoreMisses += o.StoreMisses
	s.StoreBytes += o.StoreBytes
	s.Bases.merge(o.Bases)
	s.Ordered += o.Ordered
	s.Busy += o.Busy
}

func (s *Stats) add(u unitStats) {
	s.Commits++
	s.FilesDiffed += u.filesDiffed
	s.BytesDiffed += u.bytesDiffed
	s.Binary += u.binary
	if u.heapFallback {
		s.HeapFallback++
	}
	s.TreesCarried += u.treesCarried
	s.Renames += u.renames
	s.RenameLimitNeeded = max(s.RenameLimitNeeded, u.neededLimit)
	s.RenameDegraded = s.RenameDegraded || u.degraded
	if u.changesMissing {
		s.MissingCommits++
	}
	s.MissingChanges += u.missingChanges
	if u.hit {
		s.StoreHits++
	}
	if u.miss {
		s.StoreMisses++
	}
	s.StoreBytes += u.stored
	s.Bases.merge(u.bases)
	s.Busy += u.busy
}

// add adds what a reader's counters grew by, from before to now.
func (b *BaseStats) add(now, before odb.Stats) {
	b.Hits += now.CacheHits - before.CacheHits
	b.Misses += now.CacheMisses - before.CacheMisses
	b.Deltas += now.DeltasApplied - before.DeltasApplied
	b.Inflated += now.InflatedBytes - before.InflatedBytes
	b.OnHeap += now.HeapBases - before.HeapBases
}

func (b *BaseStats) merge(o BaseStats) {
	b.Hits += o.Hits
	b.Misses += o.Misses
	b.Deltas += o.Deltas
	b.Inflated += o.Inflated
	b.OnHeap += o.OnHeap
}
