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
	// Jobs is how many workers diff the commits ahead, and how many
	// branches are then worked on at once; 0 = one per core.
	Jobs int
	// Arenas is the arena pool the walks check arenas out of; nil makes one
	// of Jobs arenas for the call.
	Arenas *arena.Pool
	// Store, when set, is the walks' store of per-commit results
	// (walker.Options.Store): the commits ahead are read from it when it
	// has them.
	Store *walker.Store
	// Stats, when set, receives the figures of the whole call when Branches
	// returns: the walks' commits, files and bytes diffed (and pack drops)
	// added up, Workers the Jobs, Wall the call's time, Arenas
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
// commit are, with Ahead and Behind 0. Two walks serve every branch: one
// of the commits any branch has ahead (`git rev-list TIP... ^BASE`), each
// diffed once on opts.Jobs workers however many branches share it, and
// one of the base's history without changes. Each branch is then one unit
// of work in memory, opts.Jobs at once; the result does not depend on
// Jobs. A repository with no branch gives no rows and no error. Safe for
// concurrent use.
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
	var total walker.Stats
	u, err := walkAhead(ctx, repo, res.BaseHash, todo, &opts, jobs, arenas, &total)
	if err != nil {
		return nil, err
	}
	h, err := walkBase(ctx, repo, res.BaseHash, todo, opts.Store, arenas, &total)
	if err != nil {
		return nil, err
	}
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
			// Marks of u's and h's commits, stamped with the branch worked on.
			var seen, seenBase []int
			for i := range next {
				st := churn.NewState().(*ScopedState)
				row, err := compareBranch(ctx, repo, res.BaseHash, todo[i], i+1, u, h, &seen, &seenBase, &opts, st, arenas, &perJob[j])
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
		st.Add(total)
		for _, o := range perJob {
			st.Add(o)
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

// aheadCommits are the commits some branch has and the base has not
// (`git rev-list TIP... ^BASE`), in walk order, each walked and diffed
// once, with their parents' places among them.
type aheadCommits struct {
	commits []*walker.Commit
	parents [][]int // per commit, its parents' indices in commits; -1 for a parent the base has
	index   map[walker.Hash]int
}

// walkAhead walks every branch tip not reachable from base, once, on jobs
// workers: the union of BASE..TIP over the branches. A commit outside the
// union is reachable from the base, and so are all its ancestors, so the
// commits of one branch's BASE..TIP are those of the union it reaches
// through the union (aheadCommits.reach). Merges are diffed against their
// first parent when the merge policy counts them (DiffMerges, FirstParent),
// as the branch walks of `git log` would.
func walkAhead(ctx context.Context, repo *walker.Repo, base walker.Hash, todo []walker.BranchRef, opts *BranchesOptions, jobs int, arenas *arena.Pool, stats *walker.Stats) (*aheadCommits, error) {
	revs := []string{"^" + base.String()}
	tips := map[walker.Hash]bool{}
	for _, b := range todo {
		if !tips[b.Hash] {
			tips[b.Hash] = true
			revs = append(revs, b.Hash.String())
		}
	}
	u := &aheadCommits{index: map[walker.Hash]int{}}
	var ws walker.Stats
	err := repo.Walk(ctx, walker.Options{
		Revisions:  revs,
		DiffMerges: opts.DiffMerges || opts.FirstParent,
		Workers:    jobs,
		Arenas:     arenas,
		Store:      opts.Store,
		Stats:      &ws,
	}, func(c *walker.Commit) error {
		// The Commit is ours to keep: nothing in it points into an arena.
		u.index[c.Hash] = len(u.commits)
		u.commits = append(u.commits, c)
		return nil
	})
	stats.Add(ws)
	if err != nil {
		return nil, fmt.Errorf("branches ahead of the base: %w", err)
	}
	u.parents = make([][]int, len(u.commits))
	for i, c := range u.commits {
		u.parents[i] = positions(c.Parents, u.index)
	}
	return u, nil
}

// reach appends to out the indices of the commits of tip's BASE..TIP: all
// of them (`git rev-list BASE..TIP`), or with firstParent its first-parent
// line (`git rev-list --first-parent BASE..TIP`). seen is scratch of
// len(u.commits) stamps (grown here), stamp a number not used before on it.
func (u *aheadCommits) reach(tip walker.Hash, firstParent bool, seen *[]int, stamp int, out []int) []int {
	i, ok := u.index[tip]
	if !ok {
		return out
	}
	if firstParent {
		for i >= 0 {
			out = append(out, i)
			if len(u.parents[i]) == 0 {
				break
			}
			i = u.parents[i][0]
		}
		return out
	}
	if len(*seen) < len(u.commits) {
		*seen = make([]int, len(u.commits))
	}
	s := *seen
	stack := []int{i}
	s[i] = stamp
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, i)
		for _, p := range u.parents[i] {
			if p >= 0 && s[p] != stamp {
				s[p] = stamp
				stack = append(stack, p)
			}
		}
	}
	return out
}

// baseHistory is the base's whole history (`git rev-list BASE`), walked
// once without changes: each commit's parents' places in it, and the
// commits that are branch tips.
type baseHistory struct {
	parents [][]int32 // per commit, its parents' indices; -1 for one not walked (none, unless grafts cut history)
	index   map[walker.Hash]int32
	tips    map[walker.Hash]*walker.Commit
}

// walkBase walks the base's history, keeping of todo's tips in it the
// commits (a tip the base has is not in walkAhead's commits). It walks
// the history's shape only (walker's ParentsOnly), which a store's
// commits and a replay serve without reading git/git's 80,000 commit
// objects again, and reads the few tips it meets.
func walkBase(ctx context.Context, repo *walker.Repo, base walker.Hash, todo []walker.BranchRef, store *walker.Store, arenas *arena.Pool, stats *walker.Stats) (*baseHistory, error) {
	h := &baseHistory{index: map[walker.Hash]int32{}, tips: map[walker.Hash]*walker.Commit{}}
	for _, b := range todo {
		h.tips[b.Hash] = nil
	}
	var hashes [][]walker.Hash
	var ws walker.Stats
	err := repo.Walk(ctx, walker.Options{
		Revisions:   []string{base.String()},
		ParentsOnly: true,
		Workers:     1,
		Arenas:      arenas,
		Store:       store,
		Replay:      store != nil,
		Stats:       &ws,
	}, func(c *walker.Commit) error {
		h.index[c.Hash] = int32(len(hashes))
		hashes = append(hashes, c.Parents)
		return nil
	})
	stats.Add(ws)
	if err != nil {
		return nil, fmt.Errorf("history of the base: %w", err)
	}
	for id := range h.tips {
		if _, ok := h.index[id]; ok {
			c, err := repo.ReadCommit(id)
			if err != nil {
				return nil, fmt.Errorf("history of the base: %w", err)
			}
			h.tips[id] = c
		}
	}
	h.parents = make([][]int32, len(hashes))
	for i, ps := range hashes {
		h.parents[i] = positions(ps, h.index)
	}
	return h, nil
}

// positions gives each of ids its position in index, or -1 where index
// has none.
func positions[I int | int32](ids []walker.Hash, index map[walker.Hash]I) []I {
	out := make([]I, len(ids))
	for k, id := range ids {
		j, ok := index[id]
		if !ok {
			j = -1
		}
		out[k] = j
	}
	return out
}

// behind counts the base's commits that none of from (commits of the base)
// reaches: `git rev-list --count FROM... ^...BASE` reversed, i.e. TIP..BASE
// when from are where the tip's history enters the base's. ok is false when
// some of from is not in the base's history. seen is scratch as for
// aheadCommits.reach.
func (h *baseHistory) behind(from []walker.Hash, seen *[]int, stamp int) (n int, ok bool) {
	if len(*seen) < len(h.parents) {
		*seen = make([]int, len(h.parents))
	}
	s := *seen
	var stack []int32
	for _, f := range from {
		i, ok := h.index[f]
		if !ok {
			return 0, false
		}
		if s[i] != stamp {
			s[i] = stamp
			stack = append(stack, i)
		}
	}
	reached := 0
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		reached++
		for _, p := range h.parents[i] {
			if p >= 0 && s[p] != stamp {
				s[p] = stamp
				stack = append(stack, p)
			}
		}
	}
	return len(h.parents) - reached, true
}

// compareBranch is one branch's unit of work, in memory: the commits of
// BASE..TIP found in u, whose changes st counts as churn (in walk order)
// and which count ahead, and the commits of TIP..BASE, found in h from
// where the tip's history enters the base's (behind). A commit the walk of
// u left out is one the base reaches, so h has it, and the tip too when u
// lacks it; were one missing all the same, the branch's own walks would
// count behind and read the tip, as before u and h, adding their figures
// to stats. stamp is the branch's own number for seen and seenBase (see
// aheadCommits.reach).
func compareBranch(ctx context.Context, repo *walker.Repo, base walker.Hash, b walker.BranchRef, stamp int, u *aheadCommits, h *baseHistory, seen, seenBase *[]int, opts *BranchesOptions, st *ScopedState, arenas *arena.Pool, stats *walker.Stats) (BranchRow, error) {
	row := BranchRow{Branch: b.Name, Ref: b.Ref, Tip: b.Hash}
	ahead := u.reach(b.Hash, false, seen, stamp, nil)
	row.Ahead = len(ahead)
	row.Merged = row.Ahead == 0
	// Where the tip's history enters the base's: the parents of its ahead
	// commits that u has not, or the tip itself when nothing is ahead.
	var entry []walker.Hash
	if len(ahead) == 0 {
		entry = append(entry, b.Hash)
	}
	for _, i := range ahead {
		if _, ok := h.index[u.commits[i].Hash]; ok {
			// Only when git's walk stopped early, its clock-skew slop.
			entry = append(entry, u.commits[i].Hash)
		}
		for k, p := range u.parents[i] {
			if p < 0 {
				entry = append(entry, u.commits[i].Parents[k])
			}
		}
	}
	churn := ahead
	if opts.FirstParent {
		churn = u.reach(b.Hash, true, seen, stamp, nil)
	}
	sort.Ints(churn) // walk order, as the branch's own walk would observe them
	for _, i := range churn {
		c := u.commits[i]
		if opts.NoMerges && len(c.Parents) > 1 {
			continue
		}
		st.Observe(c)
	}
	for _, f := range st.Inner().(*ChurnState).Rows() {
		row.Added += f.Added
		row.Deleted += f.Deleted
		row.Files++
	}
	row.Churn = row.Added + row.Deleted
	tip := h.tips[b.Hash]
	if i, ok := u.index[b.Hash]; ok {
		tip = u.commits[i]
	}
	if tip != nil {
		row.LastCommit, row.Author = tip.Committer.When, tip.Author.Name
	}
	n, ok := h.behind(entry, seenBase, stamp)
	row.Behind = n
	// A walk sets ws when it ends (not when it fails to start): added up
	// and cleared after each.
	var ws walker.Stats
	if !ok {
		row.Behind = 0
		err := repo.Walk(ctx, walker.Options{
			Revisions:   []string{"^" + b.Hash.String(), base.String()},
			ParentsOnly: true,
			Workers:     1,
			Arenas:      arenas,
			Stats:       &ws,
		}, func(c *walker.Commit) error {
			row.Behind++
			return nil
		})
		stats.Add(ws)
		ws = walker.Stats{}
		if err != nil {
			return row, fmt.Errorf("branch %s: behind: %w", b.Name, err)
		}
	}
	if tip == nil {
		err := repo.Walk(ctx, walker.Options{
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
		stats.Add(ws)
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
