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
func Run(ctx context.Context, repo *walker.Repo, opts walker.Options, analyzers ...Analyzer) ([]State, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = defaultWorkers()
	}
	opts.Workers = workers
	perWorker := make([][]State, workers)
	for w := range perWorker {
		perWorker[w] = make([]State, len(analyzers))
		for i, a := range analyzers {
			perWorker[w][i] = a.NewState()
		}
	}
	err := repo.WalkParallel(ctx, opts, func(w int, c *walker.Commit) error {
		for _, s := range perWorker[w] {
			s.Observe(c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := perWorker[0]
	for w := 1; w < workers; w++ {
		for i := range out {
			out[i].Merge(perWorker[w][i])
		}
	}
	return out, nil
}

// mustBe type-asserts a State handed to Merge, with a message that names the
// programmer error.
func mustBe[S State](other State) S {
	s, ok := other.(S)
	if !ok {
		panic(fmt.Sprintf("analysis: Merge given a %T, want %T: merge only states of the same analyzer", other, s))
	}
	return s
}
