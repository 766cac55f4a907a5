package cli

import (
	"sort"

	"github.com/gitwalk/gitwalk/analysis"
)

// filesOptions are the files command's own state: whether the default
// exclusions apply, which it shows as a status instead of leaving files out.
type filesOptions struct {
	defaults bool
}

// filesCmd is `gitwalk files`.
var filesCmd = analysisCmd[filesOptions, *analysis.ChurnState]{
	name:  "files",
	short: "Every path the walk saw, and whether the analyses count it or why not",
	long: "files lists every path changed by the walked commits, sorted by path, with its commits and\n" +
		"the lines added and deleted (git log --numstat's counts), and in the status column whether\n" +
		"the analyses count it: counted, one of the default exclusions (generated, vendored,\n" +
		"vendor-folder, lock-file, minified; --no-default-excludes counts them), or filtered (by\n" +
		"--include/--exclude). Commits left out by --bots, --ignore-revs-file or --max-changeset are\n" +
		"not in the figures, as in every analysis. Files are followed through their renames (unless\n" +
		"--no-renames): each is listed by its newest path, with the paths it was renamed from in\n" +
		"earlier_names (a JSON array; comma-separated in tables and CSV).\n\n",
	example: "  gitwalk files\n" +
		"  gitwalk files ../repo --all --format csv\n" +
		"  gitwalk files --exclude 'docs/' --format json",
	analyzer: func(e *analysisEnv, o *filesOptions) analysis.Analyzer {
		// Every path must reach the analyzer to be listed: the default
		// exclusions are applied in render as a status, not by the
		// scope, which render sets back for the options it records.
		o.defaults = !e.an.scope.noDefaultExcludes
		e.an.scope.noDefaultExcludes = true
		return analysis.Churn{By: analysis.ByFile}
	},
	render: func(e *analysisEnv, o *filesOptions, st *analysis.ChurnState) (output, error) {
		a := e.an
		a.scope.noDefaultExcludes = !o.defaults
		var rows []analysis.ChurnRow
		if st != nil {
			rows = st.Rows()
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
		reason := e.walk.scope.classifier(e.repo).Exclude
		rep := &analysis.Report{
			Analysis: "files",
			Columns:  []analysis.Column{{Name: "path", Cut: true}, {Name: "commits"}, {Name: "added"}, {Name: "deleted"}, {Name: "status"}, {Name: "earlier_names", Cut: true}},
			Rows:     make([][]any, len(rows)),
		}
		for i, r := range rows {
			status := "counted"
			if rs := reason(r.Key); o.defaults && rs != analysis.NotExcluded {
				status = rs.String()
			} else if !a.filter.Match(r.Key) {
				status = "filtered"
			}
			earlier := r.Earlier
			if earlier == nil {
				earlier = []string{}
			}
			rep.Rows[i] = []any{r.Key, r.Commits, r.Added, r.Deleted, status, earlier}
		}
		rep.Options = a.options(e.walk)
		return rep, nil
	},
}
