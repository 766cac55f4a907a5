package cli

import (
	"context"
	"io"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

// analysisCmd is what one analysis command says of itself; newAnalysisCmd
// gives it the shape every analysis command shares: the analysis and walk
// flags (parseAnalysisArgs), --help, the repository, the one walk that feeds
// its analyzer (runAnalyses: policies, left-out notes, --stats, progress)
// and the output in --format. O is the command's options struct: a fresh
// one for each run, filled by flags. S is its analyzer's state type.
//
// Each command is one analysisCmd value in its own file (ageCmd in age.go),
// never changed after it is declared; root.go hands it to newAnalysisCmd.
type analysisCmd[O any, S analysis.State] struct {
	// name is the command's name; its usage is every analysis's,
	// "NAME [REPO] [REV...] [-- PATH...]".
	name, short string
	// long is the command's own help, its options included; the shared
	// options' help (analysisArgsHelp, walkArgsHelp) follows it.
	long, example string
	// takes says which of --by, --top and --no-mailmap the command takes.
	// With --no-mailmap, the analyzer gets the repository's mailmap in
	// analysisEnv unless it is given.
	takes analysisFlag
	// noReverse refuses --reverse, for the analyses that measure files at
	// the walk's first commit.
	noReverse bool
	// newOptions gives the options before the flags are read; nil: O's
	// zero value.
	newOptions func() *O
	// flags are the command's own flags, bound to o; they are taken out of
	// the arguments before the shared flags are read.
	flags func(o *O) []extraFlag
	// analyzer is what the walk feeds, built from the parsed options with
	// the repository open.
	analyzer func(e *analysisEnv, o *O) analysis.Analyzer
	// render makes the output from the analyzer's merged state, which is
	// nil when -n 0 asked for no commits.
	render func(e *analysisEnv, o *O, st S) (output, error)

	// With --repos (runMultiAnalysisCmd): across says the rows are per
	// person or totals, so the repositories' states are merged
	// (analysis.MergeRepositories) and rendered once, with no repository
	// open (e.repo nil); otherwise (nil, or false) each repository's rows
	// are rendered while it is open and gain a repository column.
	across func(o *O, a *analysisArgs) bool
	// prepare, when set, is called for each repository of an across run
	// with it open, before the states are merged (summary counts the
	// merges its walk left out there).
	prepare func(e *analysisEnv, o *O, st S) error
	// result and renderRepos, when set, are how the command runs with
	// --repos instead: result is made for each repository with it open,
	// and renderRepos makes the output of them all (knowledge: views of
	// files per repository, people and the truck factor across them).
	// renderRepos gets the first walked repository's options.
	result      func(e *analysisEnv, o *O, st S) (any, error)
	renderRepos func(e *analysisEnv, o *O, names []string, results []any) (output, error)
}

// analysisEnv is what a command's analyzer and render are given: the
// parsed shared arguments, the open repository and the injected streams.
type analysisEnv struct {
	ctx  context.Context
	ios  *iostreams
	repo *walker.Repo
	walk *walkArgs
	an   *analysisArgs
	// noMailmap is --no-mailmap; mailmap is the repository's mailmap
	// unless noMailmap (nil for the commands that do not take it).
	noMailmap bool
	mailmap   analysis.Mailmap
}

// output is what an analysis command prints: an *analysis.Report, or
// another form (identities' .mailmap lines) that ignores the format.
type output interface {
	Write(w io.Writer, f analysis.Format, width int) error
}

// newAnalysisCmd makes the cobra command for c. Its arguments are parsed by
// hand (DisableFlagParsing) since they are git log's, in git's order.
func newAnalysisCmd[O any, S analysis.State](ios *iostreams, c analysisCmd[O, S]) *cobra.Command {
	return &cobra.Command{
		Use:                c.name + " [REPO] [REV...] [-- PATH...]",
		Short:              c.short,
		Long:               c.long + analysisArgsHelp + "\n\n" + reposArgsHelp + "\n\n" + walkArgsHelp,
		Example:            c.example,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := new(O)
			if c.newOptions != nil {
				o = c.newOptions()
			}
			var flags []extraFlag
			var noMailmap bool
			if c.takes&flagNoMailmap != 0 {
				flags = append(flags, boolFlag("--no-mailmap", &noMailmap))
			}
			if c.flags != nil {
				flags = append(flags, c.flags(o)...)
			}
			rest, err := takeExtraFlags(args, flags)
			if err != nil {
				return err
			}
			w, a, err := parseAnalysisArgs(rest, c.takes|flagRepos)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			if c.noReverse {
				if err := noReverse(w, cmd.Name()); err != nil {
					return err
				}
			}
			e := &analysisEnv{ctx: cmd.Context(), ios: ios, walk: w, an: a, noMailmap: noMailmap}
			return runAnalysisCmd(e, c, o)
		},
	}
}

// runAnalysisCmd runs c with the parsed arguments in e and its options o,
// writing to e.ios.
func runAnalysisCmd[O any, S analysis.State](e *analysisEnv, c analysisCmd[O, S], o *O) error {
	if e.an.repos != "" {
		return runMultiAnalysisCmd(e, c, o)
	}
	repo, err := e.walk.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	defer e.walk.useCache(e.ios)()
	e.repo = repo
	if c.takes&flagNoMailmap != 0 {
		// A warning about the mailmap comes before the walk's output.
		e.mailmap = mailmapFor(e.ios, repo, e.noMailmap)
	}
	states, err := runAnalyses(e.ctx, e.ios, e.walk, repo, c.analyzer(e, o))
	if err != nil {
		return err
	}
	var st S // nil after -n 0
	if states != nil {
		st = states[0].(S)
	}
	out, err := c.render(e, o, st)
	if err != nil {
		return err
	}
	return out.Write(e.ios.out, e.an.format, tableWidth(e.ios))
}

// reportArgs are what an analysis's Report records of how it ran beyond
// its own options: the shared flags, --no-mailmap, and how many rows --top
// keeps (0: all). The report command gives its own top per section.
type reportArgs struct {
	an        *analysisArgs
	walk      *walkArgs
	noMailmap bool
	top       int
}

// reportArgs are the command's own, as its --format json records them.
func (e *analysisEnv) reportArgs() reportArgs {
	return reportArgs{an: e.an, walk: e.walk, noMailmap: e.noMailmap, top: e.an.top}
}

// options are the Report's options: the shared ones, "mailmap" when the
// analysis groups authors, and "top".
func (r reportArgs) options(mailmap bool) map[string]any {
	o := r.an.options(r.walk)
	if mailmap {
		o["mailmap"] = !r.noMailmap
	}
	o["top"] = r.top
	return o
}

// topRows is the first n rows (n 0: all), as --top gives them.
func topRows[T any](rows []T, n int) []T {
	if n > 0 && len(rows) > n {
		return rows[:n]
	}
	return rows
}
