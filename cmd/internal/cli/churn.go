package cli

import (
	"github.com/gitwalk/gitwalk/analysis"
)

// churnCmd is `gitwalk churn`.
var churnCmd = analysisCmd[struct{}, *analysis.ChurnState]{
	name:  "churn",
	short: "Lines added and deleted per file, folder, author, day, week, month or language",
	long: "churn adds up, per group, the commits that changed it and the lines they added and\n" +
		"deleted (git log --numstat's counts); churn is added + deleted. Rows are sorted by churn,\n" +
		"largest first (ties: more commits first, then by name). Merges count as --merges says\n" +
		"(left out by default; with include or first-parent, diffed against their first parent).\n" +
		"Days, weeks (ISO 8601, from Monday) and months are those of the author date, in UTC.\n" +
		"Languages are linguist's, by file name and extension, and the linguist-language attribute.\n" +
		"CSV columns are code-maat's: entity-churn (file, dir), author-churn, abs-churn (day).\n\n" +
		"Churn options:\n" +
		"      --by G              file (default), dir, author, day, week, month or language\n" +
		"      --top N             only the N rows with the most churn (0: all)\n",
	example: "  gitwalk churn --top 10\n" +
		"  gitwalk churn ../repo --by dir --exclude 'vendor/**'\n" +
		"  gitwalk churn --by month --format csv --since '1 year ago'\n" +
		"  gitwalk churn --by language\n" +
		"  gitwalk churn --by author --all --format json",
	takes: flagBy | flagTop,
	analyzer: func(e *analysisEnv, _ *struct{}) analysis.Analyzer {
		an := analysis.Churn{By: e.an.by, Filter: e.an.filter}
		if e.an.by == analysis.ByLanguage {
			an.Language = e.walk.scope.classifier(e.repo).Language
		}
		return an
	},
	// Files and folders are per repository; authors, days, weeks, months
	// and languages add up across repositories.
	across: func(_ *struct{}, a *analysisArgs) bool { return a.by != analysis.ByFile && a.by != analysis.ByDir },
	render: func(e *analysisEnv, _ *struct{}, st *analysis.ChurnState) (output, error) {
		return churnReport(st, e.an.by, e.reportArgs()), nil
	},
}

// churnReport makes churn's Report from its state (nil: no rows), grouped
// by: the first top rows (0: all), with the options `gitwalk churn --format
// json` prints. gitwalk report uses it too, so the two cannot drift.
func churnReport(st *analysis.ChurnState, by analysis.Grouping, r reportArgs) *analysis.Report {
	var rows []analysis.ChurnRow
	if st != nil {
		rows = st.Rows()
	}
	rep := analysis.ChurnReport(topRows(rows, r.top), by)
	rep.Options = r.options(false)
	rep.Options["by"] = by.String()
	return rep
}
