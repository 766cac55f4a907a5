package cli

import (
	"github.com/gitwalk/gitwalk/analysis"
)

// authorsCmd is `gitwalk authors`.
var authorsCmd = analysisCmd[struct{}, *analysis.AuthorsState]{
	name:  "authors",
	short: "Commits, files touched, lines added and deleted, first and last commit per author",
	long: "authors gives, per author, the commits, the distinct files they touched, the lines they\n" +
		"added and deleted (git log --numstat's counts) and the dates of their first and last commit\n" +
		"(author dates, UTC). Authors are grouped as `git shortlog -sne` groups them: through the\n" +
		"repository's .mailmap (the work tree's .mailmap, mailmap.blob, HEAD:.mailmap when bare,\n" +
		"mailmap.file), then by exact name and email. Rows are sorted by commits, most first (ties:\n" +
		"by name, then email). Merges are left out unless --merges. --include and --exclude decide\n" +
		"which files and lines count; limit the commits themselves with -- PATH. Bots are left out\n" +
		"(stderr says how many commits) unless --bots include; --coauthors also credits each\n" +
		"Co-authored-by: trailer with the commit and its files, while its lines stay the author's.\n\n" +
		"Authors options:\n" +
		"      --no-mailmap        group authors as recorded, without .mailmap\n" +
		"      --top N             only the N authors with the most commits (0: all)\n",
	example: "  gitwalk authors\n" +
		"  gitwalk authors ../repo --all --top 20\n" +
		"  gitwalk authors --since '1 year ago' --exclude 'vendor/**' --format csv\n" +
		"  gitwalk authors --no-mailmap --format json -- src/\n" +
		"  gitwalk authors --coauthors --bots include --merges include",
	takes: flagTop | flagNoMailmap,
	analyzer: func(e *analysisEnv, _ *struct{}) analysis.Analyzer {
		return analysis.Authors{Filter: e.an.filter, Mailmap: e.mailmap}
	},
	across: func(*struct{}, *analysisArgs) bool { return true },
	render: func(e *analysisEnv, _ *struct{}, st *analysis.AuthorsState) (output, error) {
		return authorsReport(st, e.reportArgs()), nil
	},
}

// authorsReport makes the authors' Report from their state (nil: no rows):
// the first top authors (0: all), with the options `gitwalk authors
// --format json` prints. gitwalk report uses it too, so the two cannot
// drift.
func authorsReport(st *analysis.AuthorsState, r reportArgs) *analysis.Report {
	var rows []analysis.AuthorRow
	if st != nil {
		rows = st.Rows()
	}
	rep := analysis.AuthorsReport(topRows(rows, r.top))
	rep.Options = r.options(true)
	return rep
}
