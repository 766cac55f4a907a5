package main

import (
	"sort"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/spf13/cobra"
)

// filesOptions are the files command's arguments.
type filesOptions struct {
	walk *walkArgs
	an   *analysisArgs
}

func newFilesCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "files [REPO] [REV...] [-- PATH...]",
		Short: "Every path the walk saw, and whether the analyses count it or why not",
		Long: "files lists every path changed by the walked commits, sorted by path, with its commits and\n" +
			"the lines added and deleted (git log --numstat's counts), and in the status column whether\n" +
			"the analyses count it: counted, one of the default exclusions (generated, vendored,\n" +
			"vendor-folder, lock-file, minified; --no-default-excludes counts them), or filtered (by\n" +
			"--include/--exclude). Commits left out by --bots, --ignore-revs-file or --max-changeset are\n" +
			"not in the figures, as in every analysis.\n\n" +
			analysisArgsHelp + "\n\n" + walkArgsHelp,
		Example: "  gitwalk files\n" +
			"  gitwalk files ../repo --all --format csv\n" +
			"  gitwalk files --exclude 'docs/' --format json",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, a, err := parseAnalysisArgs(args, 0)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			return runFiles(cmd, ios, &filesOptions{walk: w, an: a})
		},
	}
}

func runFiles(cmd *cobra.Command, ios *iostreams, o *filesOptions) error {
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	// Every path must reach the analyzer to be listed: the default
	// exclusions are applied here as a status, not by the scope.
	defaults := !a.scope.noDefaultExcludes
	a.scope.noDefaultExcludes = true
	state, err := runAnalysis(cmd, ios, w, repo, analysis.Churn{By: analysis.ByFile})
	a.scope.noDefaultExcludes = !defaults
	if err != nil {
		return err
	}
	var rows []analysis.ChurnRow
	if state != nil {
		rows = state.(*analysis.ChurnState).Rows()
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	reason := defaultExcluder(repo)
	rep := &analysis.Report{
		Analysis: "files",
		Columns:  []analysis.Column{{Name: "path", Cut: true}, {Name: "commits"}, {Name: "added"}, {Name: "deleted"}, {Name: "status"}},
		Rows:     make([][]any, len(rows)),
	}
	for i, r := range rows {
		status := "counted"
		if rs := reason(r.Key); defaults && rs != analysis.NotExcluded {
			status = rs.String()
		} else if !a.filter.Match(r.Key) {
			status = "filtered"
		}
		rep.Rows[i] = []any{r.Key, r.Commits, r.Added, r.Deleted, status}
	}
	rep.Options = a.options(w)
	return rep.Write(ios.out, a.format, tableWidth(ios))
}
