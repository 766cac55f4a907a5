package main

import (
	"github.com/gitwalk/gitwalk/analysis"
	"github.com/spf13/cobra"
)

// authorsOptions are the authors command's arguments.
type authorsOptions struct {
	walk      *walkArgs
	an        *analysisArgs
	noMailmap bool // --no-mailmap: authors as recorded in the commits
}

func newAuthorsCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "authors [REPO] [REV...] [-- PATH...]",
		Short: "Commits, files touched, lines added and deleted, first and last commit per author",
		Long: "authors gives, per author, the commits, the distinct files they touched, the lines they\n" +
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
			"      --top N             only the N authors with the most commits (0: all)\n" +
			analysisArgsHelp + "\n\n" + walkArgsHelp,
		Example: "  gitwalk authors\n" +
			"  gitwalk authors ../repo --all --top 20\n" +
			"  gitwalk authors --since '1 year ago' --exclude 'vendor/**' --format csv\n" +
			"  gitwalk authors --no-mailmap --format json -- src/\n" +
			"  gitwalk authors --coauthors --bots include --merges include",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := &authorsOptions{}
			var rest []string
			for i, arg := range args {
				if arg == "--" {
					rest = append(rest, args[i:]...)
					break
				}
				if arg == "--no-mailmap" {
					o.noMailmap = true
					continue
				}
				rest = append(rest, arg)
			}
			w, a, err := parseAnalysisArgs(rest, flagTop)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			o.walk, o.an = w, a
			return runAuthors(cmd, ios, o)
		},
	}
}

func runAuthors(cmd *cobra.Command, ios *iostreams, o *authorsOptions) error {
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	an := analysis.Authors{Filter: a.filter, Mailmap: mailmapFor(ios, repo, o.noMailmap)}
	state, err := runAnalysis(cmd, ios, w, repo, an)
	if err != nil {
		return err
	}
	var rows []analysis.AuthorRow
	if state != nil {
		rows = state.(*analysis.AuthorsState).Rows()
	}
	if a.top > 0 && len(rows) > a.top {
		rows = rows[:a.top]
	}
	rep := analysis.AuthorsReport(rows)
	rep.Options = a.options(w)
	rep.Options["mailmap"] = !o.noMailmap
	rep.Options["top"] = a.top
	return rep.Write(ios.out, a.format, tableWidth(ios))
}
