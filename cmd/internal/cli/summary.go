package cli

import (
	"context"
	"errors"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// summaryCmd is `gitwalk summary`.
var summaryCmd = analysisCmd[struct{}, *analysis.SummaryState]{
	name:  "summary",
	short: "Commits, merges, authors, files, lines added and deleted, first and last date",
	long: "summary counts the walked commits (merges only with --merges), the merge commits in the\n" +
		"range whether or not they are walked (as git rev-list --merges counts them; with -n or\n" +
		"--skip, those up to the last commit counted), the distinct authors (name and email as\n" +
		"recorded), the files changed and the lines added and deleted (git log --numstat's\n" +
		"counts), and gives the first and last author dates in UTC, then the policies in force\n" +
		"(merges, bots), bot_commits (the commits counted here that were by bots: summary counts them,\n" +
		"author-based analyses leave them out by default) and what the policies left out: commits, and\n" +
		"files and lines per exclusion reason.\n" +
		"--include and --exclude decide which files and lines count; limit the commits with -- PATH.\n\n",
	example: "  gitwalk summary\n" +
		"  gitwalk summary ../repo --all --merges\n" +
		"  gitwalk summary --since 2024-01-01 --format json",
	analyzer: func(e *analysisEnv, _ *struct{}) analysis.Analyzer {
		return analysis.Summary{Filter: e.an.filter}
	},
	across: func(*struct{}, *analysisArgs) bool { return true },
	prepare: func(e *analysisEnv, _ *struct{}, st *analysis.SummaryState) error {
		if e.an.merges {
			return nil
		}
		// Merges were left out of each repository's walk, not out of its
		// range: counted while it is open (summaryReport cannot, then).
		n, err := countMerges(e.ctx, e.repo, e.walk.opts)
		st.AddMerges(n)
		return err
	},
	render: func(e *analysisEnv, _ *struct{}, st *analysis.SummaryState) (output, error) {
		var res analysis.SummaryResult
		if st != nil {
			res = st.Result()
		}
		return summaryReport(e.ctx, e.repo, e.walk, e.an, res, st != nil)
	},
}

// summaryReport makes the summary's Report as the summary command prints it
// (the report command embeds the same): the merges in the range counted even
// when the walk left them out, the policies and what they left out. With
// no repository (several, merged) the merges are the state's, each
// repository's counted by summaryCmd.prepare.
func summaryReport(ctx context.Context, repo *walker.Repo, w *walkArgs, a *analysisArgs, res analysis.SummaryResult, walked bool) (*analysis.Report, error) {
	if walked && !a.merges && repo != nil {
		// Merges were left out of the walk, not out of the range.
		var err error
		if res.Merges, err = countMerges(ctx, repo, w.opts); err != nil {
			return nil, err
		}
	}
	rep := analysis.SummaryReport(res)
	rep.Options = a.options(w)
	a.scope.addSummaryColumns(rep)
	return rep, nil
}

// countMerges counts the merge commits of the walk opts describes as if it
// did not leave merges out: a second walk, of the history's shape only
// (walker's ParentsOnly: with the cache, a replay that reads no commit).
// With -n or --skip, which count non-merge commits there, the merges
// counted are those after the skipped commits and before the last commit
// counted.
func countMerges(ctx context.Context, repo *walker.Repo, opts walker.Options) (int, error) {
	o := opts
	o.NoMerges, o.ParentsOnly, o.Reverse = false, true, false
	o.MaxCount, o.Skip = 0, 0
	o.Stats, o.Progress = nil, nil
	seen, merges := 0, 0
	err := repo.Walk(ctx, o, func(c *walker.Commit) error {
		if len(c.Parents) > 1 {
			if seen >= opts.Skip {
				merges++
			}
			return nil
		}
		seen++
		if opts.MaxCount > 0 && seen >= opts.Skip+opts.MaxCount {
			return walker.ErrStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, walker.ErrStop) {
		return 0, err
	}
	return merges, nil
}
