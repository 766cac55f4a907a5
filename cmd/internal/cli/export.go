package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

// exportOptions are the export command's own flags.
type exportOptions struct {
	out      string // the folder the tables are written to
	force    bool   // overwrite tables already there
	messages bool   // fill the message column
}

// The tables' file names in the --out folder.
const (
	commitsFile = "commits.parquet"
	changesFile = "changes.parquet"
)

const exportLong = `export writes the walk's per-commit records as two Parquet tables in the folder --out:
commits.parquet (one row per commit: ids, parents, author and committer as recorded and as
.mailmap maps them, dates, subject, files and lines, bot, ignored, large) and changes.parquet
(one row per changed file: path, old path, kind, git's numstat counts, binary, the name the
analyses count it under (file: its path at the newest commit walked, followed through renames),
and left_out: why the analyses leave it out, if they do). The schema is versioned: README,
"gitwalk export", lists its columns. The tables hold what the analyses see: the walk and its
policies are theirs (merges left out unless --merges; --include/--exclude, the default excludes,
--ignore-revs-file and --max-changeset mark rows in left_out rather than drop them).

Export options:
      --out DIR           the folder of the tables (default gitwalk-export; made if missing)
      --force             overwrite commits.parquet and changes.parquet if they are there
      --messages          fill the commits' message column (whole messages)

`

// exportArgsHelp documents the analysis flags export shares.
const exportArgsHelp = `Analysis options, as the analyses take them:
` + pathFilterHelp + `      --merges P          how merges count: exclude (default), first-parent or include
      --no-progress       no progress bar (drawn on stderr, only when stderr is a terminal)
` + leaveOutFlagsHelp

// newExportCmd returns the export command, which writes its tables with
// tables, or runs the gitwalk-export program when tables is nil.
func newExportCmd(ios *iostreams, tables NewTables) *cobra.Command {
	return &cobra.Command{
		Use:   "export [REPO] [REV...] [-- PATH...]",
		Short: "Write the walk's commits and changed files as Parquet tables",
		Long:  exportLong + exportArgsHelp + "\n" + walkArgsHelp,
		Example: "  gitwalk export --out history\n" +
			"  gitwalk export ../repo --all --merges include --out /tmp/repo-tables --force\n" +
			"  duckdb -c \"SELECT file, sum(added), sum(deleted) FROM 'history/changes.parquet' WHERE left_out IS NULL GROUP BY file\"",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if tables == nil {
				return runExportProgram(cmd, ios, args)
			}
			o := &exportOptions{out: "gitwalk-export"}
			rest, err := takeExtraFlags(args, []extraFlag{
				{name: "--out", hasValue: true, set: func(v string) error {
					if v == "" {
						return usagef("--out needs a folder")
					}
					o.out = v
					return nil
				}},
				boolFlag("--force", &o.force),
				boolFlag("--messages", &o.messages),
			})
			if err != nil {
				return err
			}
			if err := notForExport(rest); err != nil {
				return err
			}
			w, a, err := parseAnalysisArgs(rest, 0)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			if w.opts.Reverse {
				return usagef("export does not take --reverse: files are named along the walk's order, newest first (the seq column keeps the order)")
			}
			if o.messages {
				w.opts.Messages = true
			}
			return runExport(cmd, ios, w, a, o, tables)
		},
	}
}

// notForExport refuses the analysis flags that choose what an analysis
// counts per author or prints, which the tables record instead of applying.
func notForExport(args []string) error {
	why := map[string]string{
		"--format":    "it writes Parquet tables",
		"--bots":      "the commits' bot column says which are bots",
		"--coauthors": "--messages keeps the messages, trailers included",
	}
	for _, arg := range args {
		if arg == "--" {
			return nil
		}
		for f, reason := range why {
			if arg == f || strings.HasPrefix(arg, f+"=") {
				return usagef("export does not take %s: %s", f, reason)
			}
		}
	}
	return nil
}

// runExport walks as w says and writes the tables into o.out.
func runExport(cmd *cobra.Command, ios *iostreams, w *walkArgs, a *analysisArgs, o *exportOptions, newTables NewTables) error {
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	tables, err := createExportTables(o.out, o.force)
	if err != nil {
		return err
	}
	defer tables.abort()
	defer w.useCache(ios)()
	// The mapped identities are columns beside the recorded ones, and
	// bots are decided with the mailmap as the analyses decide them, so
	// there is no --no-mailmap: its answer is in the recorded columns.
	mm := mailmapFor(ios, repo, false)
	sc, err := w.scope.build(repo)
	defer w.scope.settle() // before the cache and the repository close
	if err != nil {
		return err
	}
	sc.Mailmap = mm
	dir := repo.WorkTree()
	if dir == "" {
		dir = repo.GitDir()
	}
	xw := newTables(tables.files[0], tables.files[1], dir, sc, a.filter)
	if err := walkExport(cmd, ios, w, repo, xw); err != nil {
		xw.Close()
		return err
	}
	if err := xw.Close(); err != nil {
		return err
	}
	if err := tables.commit(); err != nil {
		return err
	}
	if w.stats {
		printExportCounts(ios, w.scope, xw, o.out)
	}
	return nil
}

// walkExport walks and writes each commit, in the walk's order, with
// --cpuprofile, --stats and the progress bar as runAnalyses has them.
func walkExport(cmd *cobra.Command, ios *iostreams, w *walkArgs, repo *walker.Repo, xw TableWriter) error {
	if w.emptyWalk {
		return nil // -n 0: empty tables
	}
	stop, err := w.startProfile()
	if err != nil {
		return err
	}
	defer stop()
	var st walker.Stats
	w.opts.Stats = &st
	var bar *walkBar
	if progressShown(ios, !w.progress) {
		bar = newWalkBar(ios)
		w.opts.Progress = bar.update
	}
	err = repo.Walk(cmd.Context(), w.opts, xw.Write)
	if bar != nil {
		bar.clear()
	}
	if err != nil {
		return err
	}
	w.printStats(ios, &st)
	return nil
}

// printExportCounts says with --stats the policies the tables were marked
// by, what was written, and how many change rows the analyses would leave
// out and why.
func printExportCounts(ios *iostreams, s *scopeArgs, xw TableWriter, out string) {
	commits, changes, leftOut := xw.Counts()
	fmt.Fprintf(ios.errOut, "policy: merges %s, renames %s, default excludes %v, max changeset %d, ignore revs %q\n",
		s.merges, renamesText(s.renames), !s.noDefaultExcludes, s.maxChangeset, s.ignoreFrom)
	var why []string
	for k, n := range leftOut {
		if k != "" {
			why = append(why, fmt.Sprintf("%s %d", k, n))
		}
	}
	sort.Strings(why)
	left := "none"
	if len(why) > 0 {
		left = strings.Join(why, ", ")
	}
	fmt.Fprintf(ios.errOut, "export: %d commits, %d changes to %s; changes left out of the analyses: %s\n",
		commits, changes, out, left)
}

// exportTables are the two table files being written: under temporary
// names in the --out folder until commit renames them, so a failed or
// interrupted run leaves no partial table under a table's name.
type exportTables struct {
	files [2]*os.File
	final [2]string
	made  string // the folder, when this run made it
	done  bool
}

// createExportTables makes the folder dir if needed and opens the two
// tables' temporary files there; tables already in dir are an error
// unless force.
func createExportTables(dir string, force bool) (*exportTables, error) {
	t := &exportTables{final: [2]string{filepath.Join(dir, commitsFile), filepath.Join(dir, changesFile)}}
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		t.made = dir
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("--out %s: cannot make the folder: %w", dir, unwrapPath(err, dir))
		}
	case err != nil:
		return nil, fmt.Errorf("--out %s: %w", dir, unwrapPath(err, dir))
	case !fi.IsDir():
		return nil, fmt.Errorf("--out %s is a file, not a folder", dir)
	}
	if !force {
		for _, f := range t.final {
			if _, err := os.Lstat(f); err == nil {
				return nil, fmt.Errorf("%s is there already (--force overwrites it, or give another --out)", f)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("--out %s: %w", dir, unwrapPath(err, dir))
			}
		}
	}
	for i, f := range t.final {
		tmp, err := os.CreateTemp(dir, "."+filepath.Base(f)+".*")
		if err != nil {
			t.abort()
			return nil, fmt.Errorf("--out %s: cannot write there: %w", dir, unwrapPath(err, dir))
		}
		t.files[i] = tmp
	}
	return t, nil
}

// unwrapPath shortens a path error for a message that names the folder dir
// already: its cause, with its path unless that is dir.
func unwrapPath(err error, dir string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if filepath.Clean(pe.Path) == filepath.Clean(dir) {
			return pe.Err
		}
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// commit closes both files and gives them the tables' names.
func (t *exportTables) commit() error {
	for _, f := range t.files {
		// CreateTemp's files are private; tables are read like any output.
		if err := f.Chmod(0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	for i, f := range t.files {
		if err := os.Rename(f.Name(), t.final[i]); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	t.done = true
	return nil
}

// abort removes the temporary files unless commit gave them their names.
func (t *exportTables) abort() {
	if t.done {
		return
	}
	for _, f := range t.files {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
	if t.made != "" {
		os.Remove(t.made) // only if empty: nothing of anyone else's goes
	}
}
