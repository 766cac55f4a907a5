package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/gitwalk/gitwalk/analysis"
)

// identitiesOptions are the identities command's own arguments.
type identitiesOptions struct {
	candidates bool // --candidates: the merge candidates instead of the identities
	mailmapOut bool // --format mailmap: the candidates as .mailmap lines
}

// identitiesCmd is `gitwalk identities`.
var identitiesCmd = analysisCmd[identitiesOptions, *analysis.IdentitiesState]{
	name:  "identities",
	short: "How author identities map to people, bots, and .mailmap entries to consider",
	long: "identities lists every author identity as recorded in the walked commits (name and email),\n" +
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
		"      --no-mailmap        identities as recorded, without .mailmap\n",
	example: "  gitwalk identities\n" +
		"  gitwalk identities ../repo --all --format csv\n" +
		"  gitwalk identities --candidates\n" +
		"  gitwalk identities --format mailmap >> .mailmap.suggested",
	takes: flagNoMailmap,
	flags: func(o *identitiesOptions) []extraFlag {
		return []extraFlag{
			boolFlag("--candidates", &o.candidates),
			{name: "--format", hasValue: true, only: "mailmap", set: func(string) error {
				o.mailmapOut = true
				return nil
			}},
		}
	},
	analyzer: func(e *analysisEnv, o *identitiesOptions) analysis.Analyzer {
		// Identities counts commits, not files: leaving files out would
		// change no figure and only add a note about them, and the
		// commits need no diff unless --max-changeset counts their
		// files (redis, 12k commits: 19.8 s with the diffs, on a
		// loaded machine).
		e.an.scope.noDefaultExcludes = true
		if e.an.scope.maxChangeset == 0 {
			e.walk.opts.NoChanges = true
		}
		return analysis.Identities{Mailmap: e.mailmap}
	},
	across: func(*identitiesOptions, *analysisArgs) bool { return true },
	render: func(e *analysisEnv, o *identitiesOptions, st *analysis.IdentitiesState) (output, error) {
		if st == nil {
			st = analysis.Identities{Mailmap: e.mailmap}.NewState().(*analysis.IdentitiesState)
		}
		if o.mailmapOut {
			return mailmapLines(st.Candidates()), nil
		}
		var rep *analysis.Report
		if o.candidates {
			rep = analysis.CandidatesReport(st.Candidates())
		} else {
			rep = analysis.IdentitiesReport(st.Rows())
		}
		rep.Options = e.an.options(e.walk)
		rep.Options["mailmap"] = !e.noMailmap
		return rep, nil
	},
}

// mailmapLines are merge candidates printed as .mailmap lines, each group
// under a comment naming it, whatever --format says.
type mailmapLines []analysis.Candidate

func (m mailmapLines) Write(w io.Writer, _ analysis.Format, _ int) error {
	var b strings.Builder
	for _, c := range m {
		fmt.Fprintf(&b, "# %s <%s>: %d identities, %d commits\n", c.ProperName, c.ProperEmail, len(c.Others)+1, c.Commits)
		for _, line := range c.MailmapLines {
			b.WriteString(line + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
