// Package analysis runs analyzers over a repository's history: per-commit
// computations such as churn per file or lines changed per author. Each
// worker of the walk feeds its own State, commit by commit and with no lock,
// and the states are merged at the end, so a result does not depend on the
// number of workers or on which worker saw which commit. The built-in
// analyses are written on this same API.
package analysis

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/gitwalk/gitwalk/walker"
)

// Analyzer is one analysis: it makes the states that accumulate it.
type Analyzer interface {
	// NewState returns an empty State. Run calls it once per worker.
	NewState() State
}

// State accumulates what an analysis learns from commits.
type State interface {
	// Observe adds one commit. Run never calls it concurrently on one State;
	// the commit is the State's to keep.
	Observe(c *walker.Commit)
	// Merge adds everything other has observed into this State. other is a
	// State of the same Analyzer (Merge may type-assert it) and is not used
	// afterwards. Merging must be associative and must not depend on which
	// State saw which commit, so that results are the same for any number
	// of workers (and, later, of shards).
	Merge(other State)
}

// Run walks repo as opts says and feeds every commit to every analyzer. It
// returns one merged State per analyzer, in the order given; callers
// type-assert each to the analyzer's own State type for its results.
//
// Files are followed through their renames: when the walk detects renames
// (walker.Options.Renames, by default as the repository's diff.renames
// says), each change's Path is the name its file has at the newest commit
// walked (a deleted file keeps its last name), and a Renamed change keeps
// the path it had before in OldPath. Names are decided along the walk's
// order, newest first, and each worker's States then observe their commits
// in any order, so results do not depend on the number of workers.
func Run(ctx context.Context, repo *walker.Repo, opts walker.Options, analyzers ...Analyzer) ([]State, error) {
	states, _, _, err := runFollowed(ctx, repo, opts, analyzers, nil)
	return states, err
}

// runFollowed is Run, returning the Follower too: what it knows of the
// renames at the end of the walk. With sp, each commit is observed by the
// states of its side of the walk's checkpoint (see split): the merged
// states above it are returned first, then those from it on.
func runFollowed(ctx context.Context, repo *walker.Repo, opts walker.Options, analyzers []Analyzer, sp *split) (above, below []State, f *Follower, err error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = defaultWorkers()
	}
	opts.Workers = workers
	sides := 1
	if sp != nil {
		sides = 2
	}
	perWorker := make([][]State, workers)
	for w := range perWorker {
		perWorker[w] = make([]State, sides*len(analyzers))
		for i := range perWorker[w] {
			perWorker[w][i] = analyzers[i%len(analyzers)].NewState()
		}
	}
	f = NewFollower()
	if err := observeFollowed(ctx, repo, opts, f, sp, perWorker); err != nil {
		return nil, nil, nil, err
	}
	out := perWorker[0]
	for w := 1; w < workers; w++ {
		for i := range out {
			out[i].Merge(perWorker[w][i])
		}
	}
	if sp != nil {
		return out[:len(analyzers)], out[len(analyzers):], f, nil
	}
	return out, nil, f, nil
}

// split sends each commit to the states of its side of the checkpoint
// the walk keeps (walker.Resume.CheckpointSeq), and notes the Follower's
// renames at the checkpoint: the names the commits from it on were given
// depend on nothing else.
type split struct {
	res     *walker.Resume
	n       int               // analyzers: a worker's states are n above, then n below
	at      map[string]string // the Follower's aliases at the checkpoint
	snapped bool
}

// below says whether c is at or after the checkpoint.
func (sp *split) below(c *walker.Commit) bool {
	cp := sp.res.CheckpointSeq()
	return cp >= 0 && c.Seq >= cp
}

// name names c's files, first noting the Follower's aliases when c is
// the first commit from the checkpoint on.
func (sp *split) name(f *Follower, c *walker.Commit) {
	if sp != nil && !sp.snapped && sp.below(c) {
		sp.at, sp.snapped = maps.Clone(f.alias), true
	}
	f.Name(c)
}

// side is the states that observe c: all of them without a split.
func (sp *split) side(states []State, c *walker.Commit) []State {
	if sp == nil {
		return states
	}
	if sp.below(c) {
		return states[sp.n:]
	}
	return states[:sp.n]
}

// observeFollowed walks in order, names files through their renames, and
// hands the commits to one goroutine per set of States. Naming needs the
// walk's order; observing does not, so it stays off the ordered path.
func observeFollowed(ctx context.Context, repo *walker.Repo, opts walker.Options, f *Follower, sp *split, perWorker [][]State) error {
	observe := func(states []State, c *walker.Commit) {
		for _, s := range sp.side(states, c) {
			s.Observe(c)
		}
	}
	if opts.Reverse {
		// Names are decided newest first, and --reverse hands the oldest
		// first: keep the walk's commits, then name and observe them from
		// the newest. (Analyses take --reverse rarely; it only reorders.)
		var all []*walker.Commit
		err := repo.Walk(ctx, opts, func(c *walker.Commit) error {
			all = append(all, c)
			return nil
		})
		if err != nil {
			return err
		}
		for i := len(all) - 1; i >= 0; i-- {
			sp.name(f, all[i])
			observe(perWorker[i%len(perWorker)], all[i])
		}
		return nil
	}
	if len(perWorker) == 1 {
		return repo.Walk(ctx, opts, func(c *walker.Commit) error {
			sp.name(f, c)
			observe(perWorker[0], c)
			return nil
		})
	}
	// The commits go to the observers in runs of feedBatch consecutive
	// ones, each run to the next observer in turn: one handoff per commit
	// woke an observer for each, as costly as observing a commit read from
	// the store.
	feeds := make([]chan []*walker.Commit, len(perWorker))
	var wg sync.WaitGroup
	for w := range feeds {
		feeds[w] = make(chan []*walker.Commit, 4)
		wg.Add(1)
		go func(states []State, feed <-chan []*walker.Commit) {
			defer wg.Done()
			for run := range feed {
				for _, c := range run {
					observe(states, c)
				}
			}
		}(perWorker[w], feeds[w])
	}
	var run []*walker.Commit
	runs := 0
	send := func() {
		feeds[runs%len(feeds)] <- run
		runs++
		run = nil
	}
	err := repo.Walk(ctx, opts, func(c *walker.Commit) error {
		sp.name(f, c)
		if run == nil {
			run = make([]*walker.Commit, 0, feedBatch)
		}
		run = append(run, c)
		if len(run) == feedBatch {
			send()
		}
		return nil
	})
	if len(run) > 0 {
		send()
	}
	for _, feed := range feeds {
		close(feed)
	}
	wg.Wait()
	return err
}

// feedBatch is how many consecutive commits observeFollowed hands an
// observer at once.
const feedBatch = 64

// mustBe type-asserts a State handed to Merge, with a message that names the
// programmer error.
func mustBe[S State](other State) S {
	s, ok := other.(S)
	if !ok {
		panic(fmt.Sprintf("analysis: Merge given a %T, want %T: merge only states of the same analyzer", other, s))
	}
	return s
}
