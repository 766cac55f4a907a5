package cli

import (
	"fmt"

	"github.com/gitwalk/gitwalk/analysis"
)

// ownershipCmd is `gitwalk ownership`.
var ownershipCmd = analysisCmd[struct{}, *analysis.OwnershipState]{
	name:  "ownership",
	short: "The main developer of each file, by lines added (code-maat's main-dev)",
	long: "ownership gives, per file, its main developer: the author who added the most lines to it\n" +
		"(git log --numstat's counts), as code-maat's main-dev analysis. added is their lines,\n" +
		"total-added every author's, ownership = added / total-added as a fraction from 0 to 1\n" +
		"rounded to two decimals (1 means one author wrote every added line), n-authors the distinct\n" +
		"authors who changed the file. Authors are grouped through the repository's .mailmap as\n" +
		"`gitwalk authors` groups them (--no-mailmap: as recorded). Ties between authors go to more\n" +
		"commits on the file, then to the name in byte order. Files with no added lines in the walk\n" +
		"(binary files, files only deleted from) have no main developer and are left out; a table\n" +
		"counts them on a \"note:\" line, JSON under \"notes\" (no-added-lines). Rows are sorted by\n" +
		"total-added, largest first (ties: by name). Files deleted since are listed too, as\n" +
		"code-maat lists them; limit with -- PATH or --include. Merges are left out unless --merges.\n\n" +
		"Ownership options:\n" +
		"      --no-mailmap        group authors as recorded, without .mailmap\n" +
		"      --top N             only the first N files (0: all)\n",
	example: "  gitwalk ownership --top 20\n" +
		"  gitwalk ownership ../repo --include 'src/**' --format csv\n" +
		"  gitwalk ownership --since 2024-01-01 --no-mailmap --format json",
	takes: flagTop | flagNoMailmap,
	analyzer: func(e *analysisEnv, _ *struct{}) analysis.Analyzer {
		return analysis.Ownership{Filter: e.an.filter, Mailmap: e.mailmap}
	},
	render: func(e *analysisEnv, _ *struct{}, st *analysis.OwnershipState) (output, error) {
		return ownershipReport(st, e.reportArgs()), nil
	},
}

// ownershipReport makes ownership's Report from its state (nil: no rows,
// none left out): the first top files (0: all), with the options and notes
// `gitwalk ownership --format json` prints. gitwalk report uses it too, so the two cannot drift.
func ownershipReport(st *analysis.OwnershipState, r reportArgs) *analysis.Report {
	var rows []analysis.OwnershipRow
	n := 0
	if st != nil {
		rows, n = st.Rows(), st.NoAdded()
	}
	rep := analysis.OwnershipReport(topRows(rows, r.top))
	rep.Options = r.options(true)
	rep.Notes = []analysis.Note{{Name: "no-added-lines", Value: n,
		Text: fmt.Sprintf("%d files left out: no lines added to them in the walk (binary, or only deleted from)", n)}}
	return rep
}
