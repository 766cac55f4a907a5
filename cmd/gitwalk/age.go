package main

import (
	"context"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

// ageOptions are age's arguments.
type ageOptions struct {
	walk      *walkArgs
	an        *analysisArgs
	noMailmap bool
	oldest    bool
	now       time.Time
}

func newAgeCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "age [REPO] [REV...] [-- PATH...]",
		Short: "How long ago each file last changed (code-maat's age)",
		Long: "age gives, per file that exists at the walk's first commit (HEAD, or the first commit git\n" +
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
			"      --top N             only the first N files (0: all)\n" +
			analysisArgsHelp + "\n\n" + walkArgsHelp,
		Example: "  gitwalk age --top 20\n" +
			"  gitwalk age ../repo --oldest-first --include 'src/**'\n" +
			"  gitwalk age --now 2024-06-30T00:00:00Z --format csv",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := &ageOptions{}
			rest, err := takeExtraFlags(args, []extraFlag{
				boolFlag("--no-mailmap", &o.noMailmap),
				boolFlag("--oldest-first", &o.oldest),
				{name: "--now", hasValue: true, set: func(v string) (err error) {
					o.now, err = parseDate(v, false)
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
			if err := noReverse(w, "age"); err != nil {
				return err
			}
			o.walk, o.an = w, a
			return runAge(cmd, ios, o)
		},
	}
}

func runAge(cmd *cobra.Command, ios *iostreams, o *ageOptions) error {
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	now := o.now
	if now.IsZero() {
		now = time.Now()
	}
	an := analysis.Age{Filter: a.filter, Mailmap: mailmapFor(ios, repo, o.noMailmap), Now: now, OldestFirst: o.oldest}
	state, err := runAnalysis(cmd, ios, w, repo, an)
	if err != nil {
		return err
	}
	st, _ := state.(*analysis.AgeState)
	rep, err := ageReport(cmd.Context(), repo, st, a, w, o.noMailmap, now, o.oldest, a.top)
	if err != nil {
		return err
	}
	return rep.Write(ios.out, a.format, tableWidth(ios))
}

// ageReport makes age's Report from its state (nil: no rows), reading the
// files at the walk's first commit, ages measured to now: the first top
// files (0: all), with the options `gitwalk age --format json` prints.
// gitwalk report uses it too, so the two cannot drift.
func ageReport(ctx context.Context, repo *walker.Repo, st *analysis.AgeState, a *analysisArgs, w *walkArgs, noMailmap bool, now time.Time, oldest bool, top int) (*analysis.Report, error) {
	var rows []analysis.AgeRow
	if st != nil {
		var err error
		if rows, err = st.Rows(ctx, repo, now); err != nil {
			return nil, err
		}
	}
	if top > 0 && len(rows) > top {
		rows = rows[:top]
	}
	rep := analysis.AgeReport(rows)
	rep.Options = a.options(w)
	rep.Options["mailmap"] = !noMailmap
	rep.Options["now"] = now.UTC().Format(time.RFC3339)
	rep.Options["oldest-first"] = oldest
	rep.Options["top"] = top
	return rep, nil
}
