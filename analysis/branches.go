package analysis

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/walker"
)

// BranchesOptions say which branches Branches compares and with what.
type BranchesOptions struct {
	// Base is the revision branches are compared with; "" chooses the
	// repository's default branch (walker.Repo.DefaultBranch).
	Base string
	// Remotes adds the remote-tracking branches (refs/remotes/*, not */HEAD)
	// to the local ones (refs/heads/*).
	Remotes bool
	// Filter decides which files count towards the churn columns (Added,
	// Deleted, Churn, Files); Ahead and Behind count commits regardless.
	Filter PathFilter
	// Scope applies to the churn columns as to any analysis run through
	// Scope.Wrap: Exclude leaves files out, IgnoreRevs and MaxChangeset
	// leave commits out, and what they left out is in the result. Its bot
	// and co-author policies do not apply: rows are branches, not people.
	// Ahead and Behind count every commit regardless.
	Scope Scope
	// FirstParent, NoMerges and DiffMerges choose the commits of BASE..BRANCH
	// whose changes make the churn columns, as the walker.Options of the
	// same names do for `git log BASE..BRANCH`. The zero value counts no
	// merge: without DiffMerges (or FirstParent) a merge has no changes, as
	// in git log, where a merge shows no numstat.
	FirstParent, NoMerges, DiffMerges bool
	// Jobs is how many branches are worked on at once; 0 = one per core.
	Jobs int
	// Arenas is the arena pool every branch's walks check arenas out of;
	// nil makes one of Jobs arenas for the call.
	Arenas *arena.Pool
	// Stats, when set, receives the figures of the whole call when Branches
	// returns: the branch walks' commits, files and bytes diffed (and pack
	// drops) added up,
	// Workers the branches worked on at once, Wall the call's time, Arenas
	// the shared arena pool's metrics, and Readers the walks' reader pools'
	// hits, misses, waits and builds added up (Live and Idle: the most one
	// walk had).
	Stats *walker.Stats
}

// BranchRow is one branch compared with the base.
type BranchRow struct {
	Branch string      // short name: "topic" or "origin/topic"
	Ref    string      // full ref name
	Tip    walker.Hash // the commit the branch names
	// Ahead and Behind are `git rev-list --count BASE..BRANCH` and
	// `BRANCH..BASE`: commits, merges included.
	Ahead, Behind int
	// Added, Deleted, Churn (Added+Deleted) and Files (distinct paths) are
	// the churn unique to the branch: the sums of
	// `git log --numstat --no-renames BASE..BRANCH` (by default with
	// --no-merges; see BranchesOptions.FirstParent) over the commits and
	// files the scope and the filter keep (binary files count in Files with
	// no lines).
	Added, Deleted, Churn, Files int
	// LastCommit is the tip's committer date (what `git for-each-ref
	// --sort=-committerdate` sorts by), in the commit's own zone.
	LastCommit time.Time
	Author     string // the tip's author name
	// Merged says the tip is reachable from the base (Ahead == 0).
	Merged bool
}

// BranchesResult is what Branches found.
type BranchesResult struct {
	Base     string      // the base as given, or the default branch's short name
	BaseHash walker.Hash // the commit branches are compared with
	Rows     []BranchRow // sorted by LastCommit, newest first, then by Branch
	// LeftOut is what the scope left out of the churn columns, summed over
	// the rows as their own figures are (a commit two branches have counts
	// for both); its Files count distinct paths over all rows.
	LeftOut LeftOut
	// Excluded are the paths the scope left out of any row, sorted by path.
	Excluded []PathReason
}

// Branches compares every branch of repo with a base: commits ahead and
// behind, the churn of the commits only the branch has, its tip's date and
// author, and whether it is merged. The base's own ref (the default branch,
// or the branch Base names) is not listed; other branches at the same
// commit are, with Ahead and Behind 0. Each branch is one unit of work:
// opts.Jobs branches are worked on at once, each with one-worker walks that
// share opts.Arenas, so the result does not depend on Jobs. A repository
// with no branch gives no rows and no error. Safe for concurrent use.
func Branches(ctx context.Context, repo *walker.Repo, opts BranchesOptions) (*BranchesResult, error) {
	start := time.Now()
	res := &BranchesResult{Base: opts.Base}
	baseRef := ""
	if opts.Base == "" {
		def, err := repo.DefaultBranch()
		if err != nil {
			return nil, err
		}
		res.Base, res.BaseHash, baseRef = def.Name, def.Hash, def.Ref
	} else {
		h, err := repo.ResolveCommit(opts.Base)
		if err != nil {
			return nil, fmt.Errorf("--base: %w", err)
		}
		res.BaseHash = h
	}
	refs, err := repo.Branches(opts.Remotes)
	if err != nil {
		return nil, err
	}
	var todo []walker.BranchRef
	for _, b := range refs {
		if b.Ref == baseRef || (baseRef == "" && (b.Ref == opts.Base || b.Name == opts.Base)) {
			continue
		}
		todo = append(todo, b)
	}
	if len(todo) == 0 {
		res.Rows = []BranchRow{}
		return res, nil
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = defaultWorkers()
	}
	jobs = min(jobs, len(todo))
	arenas := opts.Arenas
	if arenas == nil {
		arenas = walker.NewArenaPool(jobs)
		defer arenas.Close()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Each branch's churn is a Churn by file behind the scope, so files and
	// commits are left out, and counted as left out, as in every analysis.
	churn := opts.Scope.Wrap(Churn{By: ByFile, Filter: opts.Filter})
	rows := make([]BranchRow, len(todo))
	scoped := make([]*ScopedState, len(todo))
	perJob := make([]walker.Stats, jobs)
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				st := churn.NewState().(*ScopedState)
				row, err := compareBranch(ctx, repo, res.BaseHash, todo[i], &opts, st, arenas, &perJob[j])
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					continue
				}
				rows[i], scoped[i] = row, st
			}
		}()
	}
feed:
	for i := range todo {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, st := range scoped[1:] {
		scoped[0].Merge(st)
	}
	res.LeftOut, res.Excluded = scoped[0].LeftOut(), scoped[0].ExcludedPaths()
	if opts.Stats != nil {
		st := walker.Stats{Workers: jobs}
		for _, o := range perJob {
			addStats(&st, o)
		}
		st.Wall = time.Since(start)
		st.Arenas = arenas.Metrics()
		*opts.Stats = st
	}
	sort.Slice(rows, func(i, j int) bool {
		if !rows[i].LastCommit.Equal(rows[j].LastCommit) {
			return rows[i].LastCommit.After(rows[j].LastCommit)
		}
		return rows[i].Ref < rows[j].Ref
	})
	res.Rows = rows
	return res, nil
}

// addStats adds one walk's figures (all but Workers, Wall and Arenas) to st.
func addStats(st *walker.Stats, o walker.Stats) {
	st.Commits += o.Commits
	st.FilesDiffed += o.FilesDiffed
	st.BytesDiffed += o.BytesDiffed
	st.Binary += o.Binary
	st.HeapFallback += o.HeapFallback
	st.PackDrops += o.PackDrops
	r, or := &st.Readers, o.Readers
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

// compareBranch is one branch's unit of work: a walk of BASE..TIP with
// changes, whose commits st counts as churn and which counts the ahead
// commits too unless FirstParent walks fewer, and a count of TIP..BASE
// without changes (behind). It adds the walks' figures to stats.
func compareBranch(ctx context.Context, repo *walker.Repo, base walker.Hash, b walker.BranchRef, opts *BranchesOptions, st *ScopedState, arenas *arena.Pool, stats *walker.Stats) (BranchRow, error) {
	row := BranchRow{Branch: b.Name, Ref: b.Ref, Tip: b.Hash}
	ahead := []string{"^" + base.String(), b.Hash.String()}
	// Without FirstParent the churn walk is the ahead walk: merges are
	// walked (they count ahead) and left out of the churn here if NoMerges.
	sameWalk := !opts.FirstParent
	tipSeen := false
	// A walk sets ws when it ends (not when it fails to start): added up
	// and cleared after each.
	var ws walker.Stats
	err := repo.Walk(ctx, walker.Options{
		Revisions:   ahead,
		FirstParent: opts.FirstParent,
		NoMerges:    opts.NoMerges && !sameWalk,
		DiffMerges:  opts.DiffMerges,
		Workers:     1,
		Arenas:      arenas,
		Stats:       &ws,
	}, func(c *walker.Commit) error {
		if c.Hash == b.Hash {
			row.LastCommit, row.Author, tipSeen = c.Committer.When, c.Author.Name, true
		}
		if sameWalk {
			row.Ahead++
			if opts.NoMerges && len(c.Parents) > 1 {
				return nil
			}
		}
		st.Observe(c)
		return nil
	})
	addStats(stats, ws)
	ws = walker.Stats{}
	if err != nil {
		return row, fmt.Errorf("branch %s: %w", b.Name, err)
	}
	for _, f := range st.Inner().(*ChurnState).Rows() {
		row.Added += f.Added
		row.Deleted += f.Deleted
		row.Files++
	}
	row.Churn = row.Added + row.Deleted
	count := func(what string, revs []string, n *int) error {
		err := repo.Walk(ctx, walker.Options{Revisions: revs, NoChanges: true, Workers: 1, Arenas: arenas, Stats: &ws},
			func(c *walker.Commit) error {
				*n++
				return nil
			})
		addStats(stats, ws)
		ws = walker.Stats{}
		if err != nil {
			return fmt.Errorf("branch %s: %s: %w", b.Name, what, err)
		}
		return nil
	}
	if !sameWalk {
		if err := count("ahead", ahead, &row.Ahead); err != nil {
			return row, err
		}
	}
	row.Merged = row.Ahead == 0
	if err := count("behind", []string{"^" + b.Hash.String(), base.String()}, &row.Behind); err != nil {
		return row, err
	}
	if !tipSeen {
		err = repo.Walk(ctx, walker.Options{
			Revisions: []string{b.Hash.String()},
			MaxCount:  1,
			NoChanges: true,
			Workers:   1,
			Arenas:    arenas,
			Stats:     &ws,
		}, func(c *walker.Commit) error {
			row.LastCommit, row.Author = c.Committer.When, c.Author.Name
			return nil
		})
		addStats(stats, ws)
		if err != nil {
			return row, fmt.Errorf("branch %s: tip: %w", b.Name, err)
		}
	}
	return row, nil
}

// BranchesReport makes the Report of branch rows. Its columns are branch,
// ahead, behind, added, deleted, churn, files, last_commit (the tip's
// committer date), author (the tip's author) and merged. Options is left
// for the caller to fill.
func BranchesReport(rows []BranchRow) *Report {
	r := &Report{
		Analysis: "branches",
		Columns: []Column{{Name: "branch", Cut: true}, {Name: "ahead"}, {Name: "behind"}, {Name: "added"},
			{Name: "deleted"}, {Name: "churn"}, {Name: "files"}, {Name: "last_commit"}, {Name: "author", Cut: true},
			{Name: "merged"}},
		Rows: make([][]any, len(rows)),
	}
	for i, row := range rows {
		r.Rows[i] = []any{row.Branch, row.Ahead, row.Behind, row.Added, row.Deleted, row.Churn, row.Files,
			row.LastCommit.UTC(), row.Author, row.Merged}
	}
	return r
}
