package main

import (
	"fmt"
	"strings"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/spf13/cobra"
)

// identitiesOptions are the identities command's arguments.
type identitiesOptions struct {
	walk       *walkArgs
	an         *analysisArgs
	noMailmap  bool
	candidates bool // --candidates: the merge candidates instead of the identities
	mailmapOut bool // --format mailmap: the candidates as .mailmap lines
}

func newIdentitiesCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "identities [REPO] [REV...] [-- PATH...]",
		Short: "How author identities map to people, bots, and .mailmap entries to consider",
		Long: "identities lists every author identity as recorded in the walked commits (name and email),\n" +
			"the canonical identity the repository's .mailmap maps it to (as git shortlog and git\n" +
			"check-mailmap apply it), its commits, and whether it is a bot (names and emails ending in\n" +
			"[bot], -bot or _bot, names ending in (bot), or naming dependabot, renovate, github-actions\n" +
			"and the like). Bots are listed here\n" +
			"whatever --bots says.\n\n" +
			"--candidates lists instead what the mailmap does not merge yet: groups of canonical identities\n" +
			"that share an email (same-email) or a name (same-name), directly or through another identity\n" +
			"of the group (linked), with the .mailmap lines that would merge each into the group's identity\n" +
			"with the most commits; one line per recorded identity, so the lines never contradict each\n" +
			"other. Bots, and names and emails many people share (root, root@localhost, an email at a\n" +
			"host named (none), noreply@...), link nothing. --format mailmap prints only those lines, for\n" +
			"you to review and add to .mailmap: gitwalk never writes them itself.\n\n" +
			"Identities options:\n" +
			"      --candidates        list merge candidates instead of identities\n" +
			"      --format mailmap    print the candidates as .mailmap lines\n" +
			"      --no-mailmap        identities as recorded, without .mailmap\n" +
			analysisArgsHelp + "\n\n" + walkArgsHelp,
		Example: "  gitwalk identities\n" +
			"  gitwalk identities ../repo --all --format csv\n" +
			"  gitwalk identities --candidates\n" +
			"  gitwalk identities --format mailmap >> .mailmap.suggested",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := &identitiesOptions{}
			var rest []string
			for i := 0; i < len(args); i++ {
				arg := args[i]
				if arg == "--" {
					rest = append(rest, args[i:]...)
					break
				}
				switch {
				case arg == "--no-mailmap":
					o.noMailmap = true
				case arg == "--candidates":
					o.candidates = true
				case arg == "--format=mailmap":
					o.mailmapOut = true
				case arg == "--format" && i+1 < len(args) && args[i+1] == "mailmap":
					o.mailmapOut = true
					i++
				default:
					rest = append(rest, arg)
				}
			}
			w, a, err := parseAnalysisArgs(rest, 0)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			o.walk, o.an = w, a
			return runIdentities(cmd, ios, o)
		},
	}
}

func runIdentities(cmd *cobra.Command, ios *iostreams, o *identitiesOptions) error {
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	an := analysis.Identities{Mailmap: mailmapFor(ios, repo, o.noMailmap)}
	// Identities counts commits, not files: leaving files out would change
	// no figure and only add a note about them, and the commits need no
	// diff unless --max-changeset counts their files (redis, 12k commits:
	// 19.8 s with the diffs, on a loaded machine).
	a.scope.noDefaultExcludes = true
	if a.scope.maxChangeset == 0 {
		w.opts.NoChanges = true
	}
	state, err := runAnalysis(cmd, ios, w, repo, an)
	if err != nil {
		return err
	}
	st, _ := state.(*analysis.IdentitiesState)
	if st == nil {
		st = an.NewState().(*analysis.IdentitiesState)
	}
	if o.mailmapOut {
		var b strings.Builder
		for _, c := range st.Candidates() {
			fmt.Fprintf(&b, "# %s <%s>: %d identities, %d commits\n", c.ProperName, c.ProperEmail, len(c.Others)+1, c.Commits)
			for _, line := range c.MailmapLines {
				b.WriteString(line + "\n")
			}
		}
		_, err := fmt.Fprint(ios.out, b.String())
		return err
	}
	var rep *analysis.Report
	if o.candidates {
		rep = analysis.CandidatesReport(st.Candidates())
	} else {
		rep = analysis.IdentitiesReport(st.Rows())
	}
	rep.Options = a.options(w)
	rep.Options["mailmap"] = !o.noMailmap
	return rep.Write(ios.out, a.format, tableWidth(ios))
}
