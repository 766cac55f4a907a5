package cli

import (
	"context"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// hotspotsOptions are hotspots' own arguments.
type hotspotsOptions struct {
	sort analysis.HotspotSort
}

// hotspotsCmd is `gitwalk hotspots`.
var hotspotsCmd = analysisCmd[hotspotsOptions, *analysis.HotspotsState]{
	name:  "hotspots",
	short: "Files that change often, with their churn, authors and size now",
	long: "hotspots gives, per file: n-revs, the commits that changed it; n-authors, its distinct\n" +
		"authors (through .mailmap unless --no-mailmap); added, deleted and churn = added + deleted\n" +
		"(git log --numstat's counts); and lines, its size now: the lines of the file at the walk's\n" +
		"first commit (HEAD, or the first commit git log would list), counted as numstat counts a\n" +
		"new file: the newlines plus one for an unterminated last line (wc -l counts only the\n" +
		"newlines). lines is empty (null in JSON, - in a table) for a file git takes as binary\n" +
		"(its diff attribute, core.bigFileThreshold, or a NUL in the first 8000 bytes). Files that\n" +
		"do not exist at that commit (deleted or renamed away) are not hotspots and are left out.\n" +
		"A file changed often and large is where to look first. Rows are sorted by n-revs, most\n" +
		"first (ties: churn, then lines, then name); --sort churn or lines sorts by those first.\n" +
		"Merges are left out unless --merges; --reverse is refused.\n\n" +
		"Hotspots options:\n" +
		"      --sort S            revisions (default), churn or lines\n" +
		"      --no-mailmap        count authors as recorded, without .mailmap\n" +
		"      --top N             only the first N files (0: all)\n",
	example: "  gitwalk hotspots --top 20\n" +
		"  gitwalk hotspots ../repo --sort churn --since '6 months ago'\n" +
		"  gitwalk hotspots --include '*.go' --exclude 'vendor/**' --format csv",
	takes:     flagTop | flagNoMailmap,
	noReverse: true,
	flags: func(o *hotspotsOptions) []extraFlag {
		return []extraFlag{
			{name: "--sort", hasValue: true, set: func(v string) (err error) {
				if o.sort, err = analysis.ParseHotspotSort(v); err != nil {
					err = usagef("--sort: %v", err)
				}
				return err
			}},
		}
	},
	analyzer: func(e *analysisEnv, o *hotspotsOptions) analysis.Analyzer {
		return analysis.Hotspots{Filter: e.an.filter, Mailmap: e.mailmap, Sort: o.sort}
	},
	render: func(e *analysisEnv, o *hotspotsOptions, st *analysis.HotspotsState) (output, error) {
		return hotspotsReport(e.ctx, e.repo, st, e.reportArgs(), o.sort)
	},
}

// hotspotsReport makes hotspots' Report from its state (nil: no rows),
// reading the sizes at the walk's snapshot commit (snapshotCommit): the first top files (0:
// all), with the options `gitwalk hotspots --format json` prints. gitwalk
// report uses it too, so the two cannot drift.
func hotspotsReport(ctx context.Context, repo *walker.Repo, st *analysis.HotspotsState, r reportArgs, sort analysis.HotspotSort) (*analysis.Report, error) {
	var rows []analysis.HotspotRow
	if st != nil {
		snap, ok, err := snapshotCommit(ctx, repo, r.walk)
		if err == nil && ok {
			// The sizes of the files' blobs are kept in the cache: a blob
			// not changed since the last run is not read again.
			repo.UseStore(r.walk.opts.Store)
			rows, err = st.RowsIn(ctx, repo, snap)
		}
		if err != nil {
			return nil, err
		}
	}
	rep := analysis.HotspotsReport(topRows(rows, r.top))
	rep.Options = r.options(true)
	rep.Options["sort"] = sort.String()
	return rep, nil
}
