package main

import (
	"context"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

// hotspotsOptions are hotspots' arguments.
type hotspotsOptions struct {
	walk      *walkArgs
	an        *analysisArgs
	noMailmap bool
	sort      analysis.HotspotSort
}

func newHotspotsCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "hotspots [REPO] [REV...] [-- PATH...]",
		Short: "Files that change often, with their churn, authors and size now",
		Long: "hotspots gives, per file: n-revs, the commits that changed it; n-authors, its distinct\n" +
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
			"      --top N             only the first N files (0: all)\n" +
			analysisArgsHelp + "\n\n" + walkArgsHelp,
		Example: "  gitwalk hotspots --top 20\n" +
			"  gitwalk hotspots ../repo --sort churn --since '6 months ago'\n" +
			"  gitwalk hotspots --include '*.go' --exclude 'vendor/**' --format csv",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := &hotspotsOptions{}
			rest, err := takeExtraFlags(args, []extraFlag{
				boolFlag("--no-mailmap", &o.noMailmap),
				{name: "--sort", hasValue: true, set: func(v string) (err error) {
					if o.sort, err = analysis.ParseHotspotSort(v); err != nil {
						err = usagef("--sort: %v", err)
					}
					return err
				}},
			})
			if err != nil {
				return err
			}
			w, a, err := parseAnalysisArgs(rest, flagTop)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			if err := noReverse(w, "hotspots"); err != nil {
				return err
			}
			o.walk, o.an = w, a
			return runHotspots(cmd, ios, o)
		},
	}
}

func runHotspots(cmd *cobra.Command, ios *iostreams, o *hotspotsOptions) error {
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	an := analysis.Hotspots{Filter: a.filter, Mailmap: mailmapFor(ios, repo, o.noMailmap), Sort: o.sort}
	state, err := runAnalysis(cmd, ios, w, repo, an)
	if err != nil {
		return err
	}
	st, _ := state.(*analysis.HotspotsState)
	rep, err := hotspotsReport(cmd.Context(), repo, st, a, w, o.noMailmap, o.sort, a.top)
	if err != nil {
		return err
	}
	return rep.Write(ios.out, a.format, tableWidth(ios))
}

// hotspotsReport makes hotspots' Report from its state (nil: no rows),
// reading the sizes at the walk's first commit: the first top files (0:
// all), with the options `gitwalk hotspots --format json` prints. gitwalk
// report uses it too, so the two cannot drift.
func hotspotsReport(ctx context.Context, repo *walker.Repo, st *analysis.HotspotsState, a *analysisArgs, w *walkArgs, noMailmap bool, sort analysis.HotspotSort, top int) (*analysis.Report, error) {
	var rows []analysis.HotspotRow
	if st != nil {
		var err error
		if rows, err = st.Rows(ctx, repo); err != nil {
			return nil, err
		}
	}
	if top > 0 && len(rows) > top {
		rows = rows[:top]
	}
	rep := analysis.HotspotsReport(rows)
	rep.Options = a.options(w)
	rep.Options["mailmap"] = !noMailmap
	rep.Options["sort"] = sort.String()
	rep.Options["top"] = top
	return rep, nil
}
