package main

import (
	"errors"
	"fmt"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

// branchesOptions are the branches command's arguments.
type branchesOptions struct {
	repo     string
	base     string
	remotes  bool
	format   string
	top      int
	jobs     int
	includes []string
	excludes []string
	stats    bool
}

func newBranchesCmd(ios *iostreams) *cobra.Command {
	o := &branchesOptions{}
	cmd := &cobra.Command{
		Use:   "branches [flags] [REPO]",
		Short: "Each branch against the default branch: ahead, behind, its own churn, last commit",
		Long: "branches compares every local branch (refs/heads/*; with --remotes also refs/remotes/*,\n" +
			"not */HEAD) with the default branch, one row per branch:\n" +
			"  ahead, behind   git rev-list --count DEFAULT..BRANCH and BRANCH..DEFAULT (merges included)\n" +
			"  added, deleted, churn (added+deleted), files (distinct paths)\n" +
			"                  over git log --numstat --no-renames --no-merges DEFAULT..BRANCH: the\n" +
			"                  work only the branch has (--include/--exclude choose the files)\n" +
			"  last_commit     the tip's committer date (what git for-each-ref --sort=-committerdate uses)\n" +
			"  author          the tip's author\n" +
			"  merged          the tip is reachable from the default branch (ahead is 0)\n" +
			"The default branch is --base REV if given, else the branch refs/remotes/origin/HEAD names,\n" +
			"else HEAD's branch, else main, else master. Its own ref is not listed; other branches at the\n" +
			"same commit are (ahead 0, behind 0). Rows are sorted by last commit, newest first, then by\n" +
			"ref name. Each branch is one unit of work; -j branches are compared at once, their walks\n" +
			"sharing one pool of arenas (--stats: the walks' figures added up).",
		Example: "  gitwalk branches\n" +
			"  gitwalk branches ../repo --remotes --top 20\n" +
			"  gitwalk branches --base origin/release --format csv\n" +
			"  gitwalk branches --exclude 'vendor/**' --format json",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if o.repo != "" {
					return usagef("give the repository once: -C %s or %s", o.repo, args[0])
				}
				o.repo = args[0]
			}
			return runBranches(cmd, ios, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.base, "base", "", "compare with this revision instead of the default branch")
	f.BoolVar(&o.remotes, "remotes", false, "also list remote-tracking branches (refs/remotes/*)")
	f.StringVar(&o.format, "format", "table", "table, csv, json or ndjson")
	f.IntVar(&o.top, "top", 0, "only the N most recently committed branches (0: all)")
	f.IntVarP(&o.jobs, "jobs", "j", 0, "branches compared at once (default: one per core)")
	f.StringArrayVar(&o.includes, "include", nil, "count only files matching GLOB (repeatable)")
	f.StringArrayVar(&o.excludes, "exclude", nil, "leave out files matching GLOB (repeatable; wins over --include)")
	f.StringVarP(&o.repo, "repo", "C", "", "the repository (default .)")
	f.BoolVar(&o.stats, "stats", false, "print the branch walks' figures, added up, to stderr")
	return cmd
}

func runBranches(cmd *cobra.Command, ios *iostreams, o *branchesOptions) error {
	format, err := analysis.ParseFormat(o.format)
	if err != nil {
		return usagef("--format: %v", err)
	}
	if o.top < 0 {
		return usagef("--top %d: want a number of 0 or more", o.top)
	}
	if o.jobs < 0 {
		return usagef("--jobs %d: want a number of 0 or more", o.jobs)
	}
	filter := analysis.PathFilter{Include: o.includes, Exclude: o.excludes}
	if err := filter.Validate(); err != nil {
		return usagef("%v", err)
	}
	dir := o.repo
	if dir == "" {
		dir = "."
	}
	repo, err := walker.Open(dir)
	if err != nil {
		return err
	}
	defer repo.Close()
	branches, err := repo.Branches(o.remotes)
	if err != nil {
		return err
	}
	if len(branches) == 0 {
		where := "refs/heads/*"
		if o.remotes {
			where = "refs/heads/* or refs/remotes/*"
		}
		fmt.Fprintf(ios.errOut, "gitwalk: %s has no branches (%s): nothing to compare\n", dir, where)
		return analysis.BranchesReport(nil).Write(ios.out, format, tableWidth(ios))
	}
	var st *walker.Stats
	if o.stats {
		st = &walker.Stats{}
	}
	res, err := analysis.Branches(cmd.Context(), repo, analysis.BranchesOptions{
		Base:    o.base,
		Remotes: o.remotes,
		Filter:  filter,
		Jobs:    o.jobs,
		Stats:   st,
	})
	if errors.Is(err, walker.ErrNoDefaultBranch) {
		return fmt.Errorf("%w; name one with --base", err)
	}
	if err != nil {
		return err
	}
	if st != nil {
		printWalkStats(ios, st)
	}
	rep := branchesReport(res, o.remotes, filter, o.top)
	return rep.Write(ios.out, format, tableWidth(ios))
}

// branchesReport makes branches' Report from its result: the first top
// branches (0: all), with the options `gitwalk branches --format json`
// prints. gitwalk report uses it too, so the two cannot drift.
func branchesReport(res *analysis.BranchesResult, remotes bool, filter analysis.PathFilter, top int) *analysis.Report {
	rows := res.Rows
	if top > 0 && len(rows) > top {
		rows = rows[:top]
	}
	rep := analysis.BranchesReport(rows)
	rep.Options = map[string]any{
		"base":      res.Base,
		"base_hash": res.BaseHash.String(),
		"remotes":   remotes,
		"top":       top,
		"include":   nonNil(filter.Include),
		"exclude":   nonNil(filter.Exclude),
	}
	return rep
}
