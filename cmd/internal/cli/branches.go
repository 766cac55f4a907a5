package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

// branchesOptions are the branches command's arguments: its own two, and
// the analysis flags and policies every analysis takes (parseAnalysisArgs),
// less those refuseBranchesArgs turns away.
type branchesOptions struct {
	walk    *walkArgs
	an      *analysisArgs
	base    string
	remotes bool
}

func newBranchesCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "branches [REPO] [flags]",
		Short: "Each branch against the default branch: ahead, behind, its own churn, last commit",
		Long: "branches compares every local branch (refs/heads/*; with --remotes also refs/remotes/*,\n" +
			"not */HEAD) with the default branch, one row per branch:\n" +
			"  ahead, behind   git rev-list --count DEFAULT..BRANCH and BRANCH..DEFAULT (every commit,\n" +
			"                  merges included, whatever --merges says)\n" +
			"  added, deleted, churn (added+deleted), files (distinct paths)\n" +
			"                  over git log --numstat --no-renames --no-merges DEFAULT..BRANCH: the\n" +
			"                  work only the branch has, over the files --include/--exclude and the\n" +
			"                  default excludes keep. --merges include also counts each merge diffed\n" +
			"                  against its first parent (git log --diff-merges=first-parent), first-parent\n" +
			"                  counts the branch's first-parent line (git log --first-parent)\n" +
			"  last_commit     the tip's committer date (what git for-each-ref --sort=-committerdate uses)\n" +
			"  author          the tip's author\n" +
			"  merged          the tip is reachable from the default branch (ahead is 0)\n" +
			"The default branch is --base REV if given, else the branch refs/remotes/origin/HEAD names,\n" +
			"else HEAD's branch, else main, else master. Its own ref is not listed; other branches at the\n" +
			"same commit are (ahead 0, behind 0). Rows are sorted by last commit, newest first, then by\n" +
			"ref name. The commits any branch has ahead are walked and diffed once, on -j workers,\n" +
			"and the base's history once without diffs; -j branches are then counted from them at once.\n" +
			"What the default excludes, --ignore-revs-file and --max-changeset leave out of the churn\n" +
			"columns is summed over the rows (a commit two branches have counts for both) and said on\n" +
			"stderr, in JSON options (left_out) and with --stats.\n\n" +
			"Branches options:\n" +
			"      --base REV          compare with this revision instead of the default branch\n" +
			"      --remotes           also list remote-tracking branches (refs/remotes/*)\n" +
			"      --top N             only the N most recently committed branches (0: all)\n" +
			"      --format F          table (default), csv, json or ndjson\n" +
			pathFilterHelp +
			"      --merges P          how merges count in the churn: exclude (default), first-parent or\n" +
			"                          include; --merges alone is include, --no-merges exclude\n" +
			leaveOutFlagsHelp +
			"  -j, --jobs N            workers diffing, and branches compared at once (default: one\n" +
			"                          per core)\n" +
			"      --stats             print the walks' figures, added up, the policies and\n" +
			"                          what they left out to stderr\n" +
			"      --cpuprofile FILE   write a CPU profile of the run (go tool pprof)\n" +
			"      --trace FILE        write an execution trace of the run (go tool trace)\n" +
			cacheArgsHelp + "\n" +
			"  -C, --repo DIR          the repository (default: the argument, else .)\n\n" +
			defaultExcludesHelp + "\n\n" +
			"branches compares whole branches: revisions, paths and the walk's limits and order\n" +
			"(-n, --since, --reverse...) are usage errors, and so are --bots and --coauthors, since its\n" +
			"rows are branches, not people. It draws no progress bar.",
		Example: "  gitwalk branches\n" +
			"  gitwalk branches ../repo --remotes --top 20\n" +
			"  gitwalk branches --base origin/release --format csv\n" +
			"  gitwalk branches --exclude 'vendor/**' --format json\n" +
			"  gitwalk branches --no-default-excludes --merges include --stats",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := parseBranchesArgs(args)
			if err != nil {
				return err
			}
			if o.walk.help {
				return cmd.Help()
			}
			return runBranches(cmd, ios, o)
		},
	}
}

// parseBranchesArgs takes --base and --remotes out of args and reads the
// rest as every analysis reads its arguments, refusing what does not apply
// to whole branches.
func parseBranchesArgs(args []string) (*branchesOptions, error) {
	o := &branchesOptions{}
	refuse := func(name string, hasValue bool) extraFlag {
		return extraFlag{name: name, hasValue: hasValue, set: func(string) error {
			return usagef("branches does not take %s: its rows are branches, not people", name)
		}}
	}
	rest, err := takeExtraFlags(args, []extraFlag{
		{name: "--base", hasValue: true, set: func(v string) error {
			if v == "" {
				return usagef("--base needs a revision")
			}
			o.base = v
			return nil
		}},
		boolFlag("--remotes", &o.remotes),
		refuse("--bots", true),
		refuse("--coauthors", false),
		refuse("--coauthors", true),
		refuse("--no-coauthors", false),
		{name: "--diff-merges", hasValue: true, set: func(string) error {
			return usagef("branches does not take --diff-merges: --merges says how merges count in the churn")
		}},
	})
	if err != nil {
		return nil, err
	}
	w, a, err := parseAnalysisArgs(rest, flagTop)
	if err != nil {
		return nil, err
	}
	o.walk, o.an = w, a
	if w.help {
		return o, nil
	}
	return o, refuseBranchesArgs(w)
}

// refuseBranchesArgs turns away the walk's arguments, which would limit or
// reorder a walk: branches walks each branch whole against the base.
func refuseBranchesArgs(w *walkArgs) error {
	for _, r := range w.opts.Revisions {
		switch r {
		case "--all", "--branches", "--tags", "--not":
			return usagef("branches does not take %s: it compares every branch (--remotes adds refs/remotes/*) with the base (--base)", r)
		}
		return usagef("branches takes no revision (%s): give the repository once (DIR or -C DIR) and the base with --base", r)
	}
	if len(w.opts.Paths) > 0 {
		return usagef("branches does not take paths (-- %s): choose the files the churn counts with --include and --exclude", strings.Join(w.opts.Paths, " "))
	}
	if w.opts.Missing != walker.MissingError {
		return usagef("branches does not take --missing=%s yet: it stops at a missing object", w.opts.Missing)
	}
	o := &w.opts
	for _, c := range []struct {
		given bool
		flag  string
	}{
		{w.emptyWalk || o.MaxCount > 0, "-n/--max-count"},
		{o.Skip > 0, "--skip"},
		{!o.Since.IsZero(), "--since/--after"},
		{!o.Until.IsZero(), "--until/--before"},
		{o.TopoOrder, "--topo-order"},
		{o.Reverse, "--reverse"},
		{o.FullDiff, "--full-diff"},
		{o.AlgorithmSet, "--minimal/--diff-algorithm"},
		{o.MaxBlobSize > 0, "--max-blob-size"},
		{o.IgnoreSubmodules != "", "--ignore-submodules"},
	} {
		if c.given {
			return usagef("branches does not take %s: it walks each branch whole against the base, with the repository's diff settings", c.flag)
		}
	}
	return nil
}

func runBranches(cmd *cobra.Command, ios *iostreams, o *branchesOptions) error {
	w, a := o.walk, o.an
	stop, err := w.startProfile()
	if err != nil {
		return err
	}
	defer stop()
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	defer w.useCache(ios)()
	branches, err := repo.Branches(o.remotes)
	if err != nil {
		return err
	}
	if len(branches) == 0 {
		where := "refs/heads/*"
		if o.remotes {
			where = "refs/heads/* or refs/remotes/*"
		}
		fmt.Fprintf(ios.errOut, "gitwalk: %s has no branches (%s): nothing to compare\n", w.repo, where)
		return analysis.BranchesReport(nil).Write(ios.out, a.format, tableWidth(ios))
	}
	var st *walker.Stats
	if w.stats {
		st = &walker.Stats{}
	}
	res, err := compareBranches(cmd.Context(), repo, o.base, o.remotes, w, a, st)
	if errors.Is(err, walker.ErrNoDefaultBranch) {
		return fmt.Errorf("%w; name one with --base", err)
	}
	if err != nil {
		return err
	}
	w.scope.record(ios.errOut, res.LeftOut, res.Excluded)
	if st != nil {
		printWalkStats(ios, st)
	}
	w.scope.printStats(ios, w.stats)
	rep := branchesReport(res, o.remotes, w, a, a.top)
	return rep.Write(ios.out, a.format, tableWidth(ios))
}

// compareBranches runs analysis.Branches with the analysis flags and
// policies w and a were parsed into: the path filter, the scope, and the
// merge policy as the walk options it stands for (mergePolicy.apply). With
// stats set, the walks' figures are added up there.
func compareBranches(ctx context.Context, repo *walker.Repo, base string, remotes bool, w *walkArgs, a *analysisArgs, stats *walker.Stats) (*analysis.BranchesResult, error) {
	scope, err := w.scope.build(repo)
	defer w.scope.settle() // the walks are over when Branches returns
	if err != nil {
		return nil, err
	}
	return analysis.Branches(ctx, repo, analysis.BranchesOptions{
		Base:        base,
		Remotes:     remotes,
		Filter:      a.filter,
		Scope:       scope,
		FirstParent: w.opts.FirstParent,
		NoMerges:    w.opts.NoMerges,
		DiffMerges:  w.opts.DiffMerges,
		Jobs:        w.opts.Workers,
		Store:       w.opts.Store,
		Stats:       stats,
	})
}

// branchesReport makes branches' Report from its result: the first top
// branches (0: all), with the options `gitwalk branches --format json`
// prints, the policies and what they left out included (w.scope.record
// first). gitwalk report uses it too, so the two cannot drift.
func branchesReport(res *analysis.BranchesResult, remotes bool, w *walkArgs, a *analysisArgs, top int) *analysis.Report {
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
		"include":   nonNil(a.filter.Include),
		"exclude":   nonNil(a.filter.Exclude),
		"merges":    a.merges,
	}
	w.scope.addOptions(rep.Options)
	return rep
}
