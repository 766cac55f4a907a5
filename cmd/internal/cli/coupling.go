package cli

import (
	"fmt"

	"github.com/gitwalk/gitwalk/analysis"
)

// couplingOptions are coupling's own arguments: its thresholds.
type couplingOptions struct {
	c analysis.Coupling
}

// couplingCmd is `gitwalk coupling`.
var couplingCmd = analysisCmd[couplingOptions, *analysis.CouplingState]{
	name:  "coupling",
	short: "Pairs of files that change in the same commits (logical coupling)",
	long: "coupling finds pairs of files changed in the same commits, as code-maat's coupling\n" +
		"analysis does. For files A and B: first-entity-revisions and second-entity-revisions are the\n" +
		"commits changing each, shared-revisions the commits changing both, average-revs their mean\n" +
		"rounded up, and degree = shared / mean * 100, truncated to a whole percent (code-maat's\n" +
		"rounding). A degree of 100 means the two always changed together. In each pair, entity\n" +
		"sorts before coupled (byte order). Rows are sorted by degree, highest first (ties: more\n" +
		"shared commits, then by name). A pair is shown when the mean is at least --min-revs, shared\n" +
		"at least --min-shared, the degree at least --min-coupling and at most --max-coupling.\n" +
		"Commits touching more than --max-changeset-size files (after --include/--exclude) are left\n" +
		"out entirely, neither in revisions nor in pairs: a table says how many on a \"note:\" line\n" +
		"under the rows, JSON under \"notes\" (commits, left-out-commits, pairs); CSV and NDJSON\n" +
		"hold rows only. Merges are left out unless --merges.\n\n" +
		"Coupling options (code-maat's defaults):\n" +
		"      --min-revs N            mean revisions of the pair at least N (default 5)\n" +
		"      --min-shared N          shared commits at least N (default 5)\n" +
		"      --min-coupling P        degree at least P percent (default 30)\n" +
		"      --max-coupling P        degree at most P percent (default 100)\n" +
		"      --max-changeset-size N  leave out commits touching more than N files (default 30; 0: none)\n" +
		"      --top N                 only the first N pairs (0: all)\n",
	example: "  gitwalk coupling --top 20\n" +
		"  gitwalk coupling ../repo --min-revs 10 --min-coupling 50 --exclude '*.md'\n" +
		"  gitwalk coupling --since '1 year ago' --format csv > coupling.csv",
	takes:      flagTop,
	newOptions: func() *couplingOptions { return &couplingOptions{c: analysis.DefaultCoupling()} },
	flags: func(o *couplingOptions) []extraFlag {
		return []extraFlag{
			intFlag("--min-revs", &o.c.MinRevs), intFlag("--min-shared", &o.c.MinShared),
			intFlag("--min-coupling", &o.c.MinCoupling), intFlag("--max-coupling", &o.c.MaxCoupling),
			intFlag("--max-changeset-size", &o.c.MaxChangesetSize),
		}
	},
	analyzer: func(e *analysisEnv, o *couplingOptions) analysis.Analyzer {
		o.c.Filter = e.an.filter
		return o.c
	},
	render: func(e *analysisEnv, o *couplingOptions, st *analysis.CouplingState) (output, error) {
		if st == nil {
			st = o.c.NewState().(*analysis.CouplingState)
		}
		return couplingReport(st, o.c, e.reportArgs()), nil
	},
}

// couplingReport makes coupling's Report from its state: the first top
// pairs (0: all), with the options and notes `gitwalk coupling --format
// json` prints. gitwalk report uses it too, so the two cannot drift. The
// scope's left-out record in use must be the coupling analysis's.
func couplingReport(st *analysis.CouplingState, c analysis.Coupling, r reportArgs) *analysis.Report {
	rows := topRows(st.Rows(), r.top)
	rep := analysis.CouplingReport(rows)
	rep.Options = r.options(false)
	rep.Options["min-revs"] = c.MinRevs
	rep.Options["min-shared"] = c.MinShared
	rep.Options["min-coupling"] = c.MinCoupling
	rep.Options["max-coupling"] = c.MaxCoupling
	rep.Options["max-changeset-size"] = c.MaxChangesetSize
	rep.Notes = []analysis.Note{
		{Name: "commits", Value: st.Commits(), Text: fmt.Sprintf("%d commits counted", st.Commits())},
		{Name: "left-out-commits", Value: st.LeftOut(),
			Text: fmt.Sprintf("%d commits left out for touching more than %d files (--max-changeset-size)", st.LeftOut(), c.MaxChangesetSize)},
		{Name: "pairs", Value: st.Pairs(), Text: fmt.Sprintf("%d pairs changed together, %d shown", st.Pairs(), len(rows))},
	}
	return rep
}
