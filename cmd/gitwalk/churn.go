package main

import (
	"github.com/gitwalk/gitwalk/analysis"
	"github.com/spf13/cobra"
)

// churnOptions are churn's arguments.
type churnOptions struct {
	walk *walkArgs
	an   *analysisArgs
}

func newChurnCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "churn [REPO] [REV...] [-- PATH...]",
		Short: "Lines added and deleted per file, folder, author, day, week, month or language",
		Long: "churn adds up, per group, the commits that changed it and the lines they added and\n" +
			"deleted (git log --numstat's counts); churn is added + deleted. Rows are sorted by churn,\n" +
			"largest first (ties: more commits first, then by name). Merges count as --merges says\n" +
			"(left out by default; with include or first-parent, diffed against their first parent).\n" +
			"Days, weeks (ISO 8601, from Monday) and months are those of the author date, in UTC.\n" +
			"Languages are linguist's, by file name and extension, and the linguist-language attribute.\n" +
			"CSV columns are code-maat's: entity-churn (file, dir), author-churn, abs-churn (day).\n\n" +
			"Churn options:\n" +
			"      --by G              file (default), dir, author, day, week, month or language\n" +
			"      --top N             only the N rows with the most churn (0: all)\n" +
			analysisArgsHelp + "\n\n" + walkArgsHelp,
		Example: "  gitwalk churn --top 10\n" +
			"  gitwalk churn ../repo --by dir --exclude 'vendor/**'\n" +
			"  gitwalk churn --by month --format csv --since '1 year ago'\n" +
			"  gitwalk churn --by language\n" +
			"  gitwalk churn --by author --all --format json",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, a, err := parseAnalysisArgs(args, flagBy|flagTop)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			return runChurn(cmd, ios, &churnOptions{walk: w, an: a})
		},
	}
}

func runChurn(cmd *cobra.Command, ios *iostreams, o *churnOptions) error {
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	an := analysis.Churn{By: a.by, Filter: a.filter}
	if a.by == analysis.ByLanguage {
		an.Language = classifier(repo).Language
	}
	state, err := runAnalysis(cmd, ios, w, repo, an)
	if err != nil {
		return err
	}
	var rows []analysis.ChurnRow
	if state != nil {
		rows = state.(*analysis.ChurnState).Rows()
	}
	if a.top > 0 && len(rows) > a.top {
		rows = rows[:a.top]
	}
	rep := analysis.ChurnReport(rows, a.by)
	rep.Options = a.options(w)
	rep.Options["by"] = a.by.String()
	rep.Options["top"] = a.top
	return rep.Write(ios.out, a.format, tableWidth(ios))
}
