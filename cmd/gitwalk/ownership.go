package main

import (
	"fmt"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/spf13/cobra"
)

// ownershipOptions are ownership's arguments.
type ownershipOptions struct {
	walk      *walkArgs
	an        *analysisArgs
	noMailmap bool
}

func newOwnershipCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "ownership [REPO] [REV...] [-- PATH...]",
		Short: "The main developer of each file, by lines added (code-maat's main-dev)",
		Long: "ownership gives, per file, its main developer: the author who added the most lines to it\n" +
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
			"      --top N             only the first N files (0: all)\n" +
			analysisArgsHelp + "\n\n" + walkArgsHelp,
		Example: "  gitwalk ownership --top 20\n" +
			"  gitwalk ownership ../repo --include 'src/**' --format csv\n" +
			"  gitwalk ownership --since 2024-01-01 --no-mailmap --format json",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := &ownershipOptions{}
			rest, err := takeExtraFlags(args, []extraFlag{boolFlag("--no-mailmap", &o.noMailmap)})
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
			o.walk, o.an = w, a
			return runOwnership(cmd, ios, o)
		},
	}
}

func runOwnership(cmd *cobra.Command, ios *iostreams, o *ownershipOptions) error {
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	an := analysis.Ownership{Filter: a.filter, Mailmap: mailmapFor(ios, repo, o.noMailmap)}
	state, err := runAnalysis(cmd, ios, w, repo, an)
	if err != nil {
		return err
	}
	st, _ := state.(*analysis.OwnershipState)
	if st == nil {
		st = an.NewState().(*analysis.OwnershipState)
	}
	rep := ownershipReport(st, a, w, o.noMailmap, a.top)
	return rep.Write(ios.out, a.format, tableWidth(ios))
}

// ownershipReport makes ownership's Report from its state: the first top
// files (0: all), with the options and notes `gitwalk ownership --format
// json` prints. gitwalk report uses it too, so the two cannot drift.
func ownershipReport(st *analysis.OwnershipState, a *analysisArgs, w *walkArgs, noMailmap bool, top int) *analysis.Report {
	rows := st.Rows()
	if top > 0 && len(rows) > top {
		rows = rows[:top]
	}
	rep := analysis.OwnershipReport(rows)
	rep.Options = a.options(w)
	rep.Options["mailmap"] = !noMailmap
	rep.Options["top"] = top
	n := st.NoAdded()
	rep.Notes = []analysis.Note{{Name: "no-added-lines", Value: n,
		Text: fmt.Sprintf("%d files left out: no lines added to them in the walk (binary, or only deleted from)", n)}}
	return rep
}
