package cli

import (
	"context"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// ageOptions are age's own arguments.
type ageOptions struct {
	oldest bool
	now    time.Time // zero: the time of the run
}

// ageCmd is `gitwalk age`.
var ageCmd = analysisCmd[ageOptions, *analysis.AgeState]{
	name:  "age",
	short: "How long ago each file last changed (code-maat's age)",
	long: "age gives, per file that exists at the walk's first commit (HEAD, or the first commit git\n" +
		"log would list), the author date of its last change (last-change, UTC) and that change's\n" +
		"author (through .mailmap unless --no-mailmap), and its age relative to --now (default:\n" +
		"the current time): age-months, code-maat's whole months, and age-days. Both count calendar\n" +
		"dates in UTC: a month from the 31st ends on the last day of a shorter month. Changes dated\n" +
		"after --now are not counted, as in code-maat. Old files are stable or forgotten; young ones\n" +
		"are fresh in mind. Rows are sorted youngest first, as code-maat sorts them (--oldest-first:\n" +
		"oldest first; ties: by name). Merges are left out unless --merges; --reverse is refused.\n\n" +
		"Age options:\n" +
		"      --now D             the time ages are measured to (YYYY-MM-DD, ISO 8601, @EPOCH)\n" +
		"      --oldest-first      the oldest files first\n" +
		"      --no-mailmap        name authors as recorded, without .mailmap\n" +
		"      --top N             only the first N files (0: all)\n",
	example: "  gitwalk age --top 20\n" +
		"  gitwalk age ../repo --oldest-first --include 'src/**'\n" +
		"  gitwalk age --now 2024-06-30T00:00:00Z --format csv",
	takes:     flagTop | flagNoMailmap,
	noReverse: true,
	flags: func(o *ageOptions) []extraFlag {
		return []extraFlag{
			boolFlag("--oldest-first", &o.oldest),
			{name: "--now", hasValue: true, set: func(v string) (err error) {
				o.now, err = parseDate(v, false)
				return err
			}},
		}
	},
	analyzer: func(e *analysisEnv, o *ageOptions) analysis.Analyzer {
		if o.now.IsZero() {
			o.now = time.Now()
		}
		return analysis.Age{Filter: e.an.filter, Mailmap: e.mailmap, Now: o.now, OldestFirst: o.oldest}
	},
	render: func(e *analysisEnv, o *ageOptions, st *analysis.AgeState) (output, error) {
		return ageReport(e.ctx, e.repo, st, e.reportArgs(), o.now, o.oldest)
	},
}

// ageReport makes age's Report from its state (nil: no rows), reading the
// files at the walk's snapshot commit (snapshotCommit), ages measured to now: the first top
// files (0: all), with the options `gitwalk age --format json` prints.
// gitwalk report uses it too, so the two cannot drift.
func ageReport(ctx context.Context, repo *walker.Repo, st *analysis.AgeState, r reportArgs, now time.Time, oldest bool) (*analysis.Report, error) {
	var rows []analysis.AgeRow
	if st != nil {
		snap, ok, err := snapshotCommit(ctx, repo, r.walk)
		if err == nil && ok {
			rows, err = st.RowsIn(ctx, repo, snap, now)
		}
		if err != nil {
			return nil, err
		}
	}
	rep := analysis.AgeReport(topRows(rows, r.top))
	rep.Options = r.options(true)
	rep.Options["now"] = now.UTC().Format(time.RFC3339)
	rep.Options["oldest-first"] = oldest
	return rep, nil
}
