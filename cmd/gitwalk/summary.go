package main

import (
	"github.com/gitwalk/gitwalk/analysis"
	"github.com/spf13/cobra"
)

// summaryOptions are summary's arguments.
type summaryOptions struct {
	walk *walkArgs
	an   *analysisArgs
}

func newSummaryCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "summary [REPO] [REV...] [-- PATH...]",
		Short: "Commits, merges, authors, files, lines added and deleted, first and last date",
		Long: "summary counts the walked commits, the merges among them (0 unless --merges), the\n" +
			"distinct authors (name and email as recorded), the files changed and the lines added and\n" +
			"deleted (git log --numstat's counts), and gives the first and last author dates in UTC,\n" +
			"then the policies in force (merges, bots) and what they left out: commits, and files and\n" +
			"lines per exclusion reason.\n" +
			"--include and --exclude decide which files and lines count; limit the commits with -- PATH.\n\n" +
			analysisArgsHelp + "\n\n" + walkArgsHelp,
		Example: "  gitwalk summary\n" +
			"  gitwalk summary ../repo --all --merges\n" +
			"  gitwalk summary --since 2024-01-01 --format json",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, a, err := parseAnalysisArgs(args, 0)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			return runSummary(cmd, ios, &summaryOptions{walk: w, an: a})
		},
	}
}

func runSummary(cmd *cobra.Command, ios *iostreams, o *summaryOptions) error {
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	state, err := runAnalysis(cmd, ios, w, repo, analysis.Summary{Filter: a.filter})
	if err != nil {
		return err
	}
	var res analysis.SummaryResult
	if state != nil {
		res = state.(*analysis.SummaryState).Result()
	}
	rep := analysis.SummaryReport(res)
	rep.Options = a.options(w)
	a.scope.addSummaryColumns(rep)
	return rep.Write(ios.out, a.format, tableWidth(ios))
}
