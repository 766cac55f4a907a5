package cli

import (
	"bufio"
	"strconv"

	"github.com/gitwalk/gitwalk/internal/quote"
	"github.com/gitwalk/gitwalk/internal/renames"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

func newNumstatCmd(ios *iostreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "numstat [REPO] [REV...] [-- PATH...]",
		Short: "Print each commit's added and deleted lines per file, as git log --numstat",
		Long: "numstat prints exactly what `git log --numstat --format=%H` prints for the same\n" +
			"arguments: the same commits in the same order, the same counts, the same quoting, and\n" +
			"git's rename detection (`old => new` rows, as the repository's diff.renames says; on when\n" +
			"unset) unless --no-renames.\n\n" +
			walkArgsHelp,
		Example: "  gitwalk numstat .\n  gitwalk numstat ../repo --all -- src/\n  gitwalk numstat -j1 --first-parent main~100..main",
		// Arguments are git log's, parsed in order by parseWalkArgs.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := parseWalkArgs(args)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			if w.opts.Missing != walker.MissingError {
				// numstat prints git's counts for every row or fails; a row
				// without its counts would read as a real 0 0.
				return usagef("numstat does not take --missing=%s: it prints every line count or stops at the missing object", w.opts.Missing)
			}
			return runNumstat(cmd, ios, w)
		},
	}
	return cmd
}

func runNumstat(cmd *cobra.Command, ios *iostreams, w *walkArgs) error {
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	// git log follows one path through its renames under --follow, or
	// under log.follow when the pathspec is one item.
	w.opts.Follow = w.follow > 0 || (w.follow == 0 && repo.FollowsByDefault(w.opts))
	// git log shows only the changes under a prefix, relative to it,
	// under --relative or diff.relative: the folder run from, or
	// --relative's own.
	if w.relative > 0 || (w.relative == 0 && repo.DiffRelative()) {
		w.opts.Relative = w.opts.PathPrefix
		if w.relativeTo != nil {
			w.opts.Relative = *w.relativeTo
		}
	}
	if w.emptyWalk {
		return nil
	}
	defer w.useCache(ios)()
	stop, err := w.startProfile()
	if err != nil {
		return err
	}
	defer stop()
	var st walker.Stats
	w.opts.Stats = &st
	out := bufio.NewWriterSize(ios.out, 256<<10)
	quotePath := repo.QuotePath()
	var line []byte
	err = repo.Walk(cmd.Context(), w.opts, func(c *walker.Commit) error {
		line = append(line[:0], c.Hash.String()...)
		line = append(line, '\n')
		if len(c.Changes) > 0 {
			line = append(line, '\n')
		}
		for i := range c.Changes {
			ch := &c.Changes[i]
			if ch.Binary {
				line = append(line, "-\t-\t"...)
			} else {
				line = strconv.AppendInt(line, int64(ch.Added), 10)
				line = append(line, '\t')
				line = strconv.AppendInt(line, int64(ch.Deleted), 10)
				line = append(line, '\t')
			}
			path := walker.RelativePath(ch.Path, w.opts.Relative)
			if ch.OldPath != "" {
				line = renames.AppendPath(line, walker.RelativePath(ch.OldPath, w.opts.Relative), path, quotePath)
			} else {
				line = quote.Path(line, path, quotePath)
			}
			line = append(line, '\n')
		}
		_, err := out.Write(line)
		return err
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	w.printStats(ios, &st)
	return err
}
