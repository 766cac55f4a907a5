package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gitwalk/gitwalk/internal/store"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

// cacheArgsHelp documents the cache flags every walking command takes.
const cacheArgsHelp = `      --cache DIR         keep each commit's results in DIR and read them back on the next
                          run (default: $GITWALK_CACHE, else gitwalk in the user's cache folder)
      --no-cache          walk without the cache (neither read nor written)`

// cacheDir is the folder of the cache the arguments name.
func cacheDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return walker.DefaultStoreDir()
}

// useCache opens the cache for the walk (w.opts.Store) unless --no-cache
// or -n 0, and returns what closes it, to defer. The cache never decides
// a result: when it cannot be used (busy past the bounded wait, damaged,
// from a newer gitwalk, a folder that cannot be written, a full disk) one
// line on stderr says so and the run goes on without it. A damaged store
// is set aside, so the next run starts a fresh one.
func (w *walkArgs) useCache(ios *iostreams) func() {
	if w.noCache || w.emptyWalk {
		return tuneGC(nil)
	}
	dir, err := cacheDir(w.cacheDir)
	if err != nil {
		fmt.Fprintf(ios.errOut, "gitwalk: cache: %v; walking without it\n", err)
		return tuneGC(nil)
	}
	s, err := walker.OpenStore(dir)
	if err != nil {
		cacheTrouble(ios, dir, err, "walking without it")
		return tuneGC(nil)
	}
	if n := s.OlderFormat(); n != 0 {
		fmt.Fprintf(ios.errOut, "gitwalk: cache: %s was written by an older gitwalk (format %d), which this one cannot read; started afresh\n", s.Path(), n)
	}
	w.opts.Store, w.opts.Replay = s, true
	if w.scope != nil {
		w.scope.store = s
	}
	stopGC := tuneGC(s)
	return func() {
		stopGC()
		w.opts.Store = nil
		if w.scope != nil {
			w.scope.store = nil
		}
		walkErr := s.Err()
		closeErr := s.Close()
		switch {
		case walkErr != nil:
			cacheTrouble(ios, dir, walkErr, "the run went on without it")
		case closeErr != nil:
			cacheTrouble(ios, dir, closeErr, "what this run computed may not be kept")
		}
	}
}

// cacheTrouble says on one line what went wrong with the cache and what
// gitwalk did about it, setting a damaged store aside.
func cacheTrouble(ios *iostreams, dir string, err error, then string) {
	msg := strings.TrimSuffix(err.Error(), " (set it aside and start afresh)")
	if errors.Is(err, walker.ErrStoreDamaged) {
		if aside, aerr := walker.SetStoreAside(dir); aerr == nil {
			then = "set aside as " + filepath.Base(aside) + "; " + then
		}
	}
	fmt.Fprintf(ios.errOut, "gitwalk: cache: %s; %s\n", msg, then)
}

// cacheOptions are the cache command's arguments.
type cacheOptions struct {
	dir     string
	maxSize int64
	maxAge  time.Duration
}

func newCacheCmd(ios *iostreams) *cobra.Command {
	o := &cacheOptions{}
	var maxSize, maxAge string
	cmd := &cobra.Command{
		Use:   "cache [clear | prune | check]",
		Short: "Show, clear or prune the cache of per-commit results",
		Long: "Every command that walks history keeps each commit's results (its files, line counts,\n" +
			"renames, author and dates) in a cache outside the repository, and reads them back on the\n" +
			"next run instead of diffing the commit again. A record is keyed by the commit, the parent\n" +
			"it was diffed against and the settings that change counts (diff algorithm, rename\n" +
			"options, big-file threshold, attributes, the pathspec), so a rewritten history or a\n" +
			"changed setting is computed afresh; results are the same with the cache as without.\n\n" +
			"  gitwalk cache           what is stored: repositories, records, bytes, the last run's hits\n" +
			"  gitwalk cache clear     remove every record (and stores set aside as damaged)\n" +
			"  gitwalk cache prune     remove records least recently used first, down to --max-size,\n" +
			"                          and those unused for --max-age\n" +
			"  gitwalk cache check     read the whole store and check every record\n\n" +
			"The cache is $GITWALK_CACHE, else gitwalk in the user's cache folder\n" +
			"(os.UserCacheDir: ~/.cache/gitwalk on Linux), or --cache DIR.",
		Example: "  gitwalk cache\n  gitwalk cache prune --max-size 500m --max-age 90d\n  gitwalk cache clear --cache /tmp/gw",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sub := ""
			if len(args) == 1 {
				sub = args[0]
			}
			if sub != "prune" && (maxSize != "" || maxAge != "") {
				return usagef("--max-size and --max-age go with gitwalk cache prune")
			}
			var err error
			if maxSize != "" {
				if o.maxSize, err = parseByteSize(maxSize); err != nil {
					return usagef("--max-size %q: want a size such as 500m or 2g", maxSize)
				}
			}
			if maxAge != "" {
				if o.maxAge, err = parseAge(maxAge); err != nil {
					return err
				}
			}
			if o.dir, err = cacheDir(o.dir); err != nil {
				return err
			}
			switch sub {
			case "":
				return runCacheShow(ios, o)
			case "clear":
				return runCacheClear(ios, o)
			case "prune":
				if o.maxSize == 0 && o.maxAge == 0 {
					return usagef("gitwalk cache prune needs --max-size or --max-age")
				}
				return runCachePrune(ios, o)
			case "check":
				return runCacheCheck(ios, o)
			}
			return usagef("gitwalk cache %s: want clear, prune or check", sub)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "cache", "", "the cache folder (default: $GITWALK_CACHE, else the user's cache folder)")
	f.StringVar(&maxSize, "max-size", "", "prune: keep at most this many bytes of records (k, m, g suffixes)")
	f.StringVar(&maxAge, "max-age", "", "prune: remove records unused this long (90d, 2w, 36h)")
	return cmd
}

// parseAge reads --max-age: a number of days (d), weeks (w) or hours (h),
// or a Go duration such as 90m.
func parseAge(v string) (time.Duration, error) {
	s := strings.TrimSpace(strings.ToLower(v))
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err == nil && n > 0 {
			return time.Duration(n) * unit, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, usagef("--max-age %q: want an age such as 90d, 2w or 36h", v)
}

// openCache opens the store in o.dir for the cache command; exists is false
// (and s nil) when there is none.
func openCache(ios *iostreams, o *cacheOptions) (s *store.Store, exists bool, err error) {
	if _, err := os.Stat(filepath.Join(o.dir, store.FileName)); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	s, err = store.Open(o.dir, nil)
	if err != nil {
		return nil, true, fmt.Errorf("cache %s: %w", o.dir, err)
	}
	if n := s.OlderFormat(); n != 0 {
		fmt.Fprintf(ios.errOut, "gitwalk: cache: %s was written by an older gitwalk (format %d), which this one cannot read; started afresh\n", s.Path(), n)
	}
	return s, true, nil
}

// setAside lists the stores set aside as damaged in dir, and their bytes.
func setAside(dir string) ([]string, int64) {
	names, _ := filepath.Glob(filepath.Join(dir, store.FileName+".damaged-*"))
	var n int64
	for _, name := range names {
		if fi, err := os.Stat(name); err == nil {
			n += fi.Size()
		}
	}
	return names, n
}

func runCacheShow(ios *iostreams, o *cacheOptions) error {
	out := ios.out
	fmt.Fprintf(out, "cache:        %s\n", o.dir)
	aside, asideBytes := setAside(o.dir)
	s, exists, err := openCache(ios, o)
	if err != nil {
		return err
	}
	if !exists {
		fmt.Fprintln(out, "records:      none (no store yet)")
	} else {
		st, err := s.Stats()
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("cache %s: %w", o.dir, err)
		}
		fmt.Fprintf(out, "records:      %d (%s; file %s)\n", st.Records, sizeText(st.RecordBytes), sizeText(st.FileBytes))
		if st.Records > 0 {
			fmt.Fprintf(out, "per record:   %s\n", sizeText(st.RecordBytes/int64(st.Records)))
		}
		if r := st.LastRun; !r.When.IsZero() {
			fmt.Fprintf(out, "last run:     %s, %s: %d hits, %d misses (hit rate %s)\n",
				r.When.Local().Format("2006-01-02 15:04:05"), r.Repo, r.Hits, r.Misses, hitRate(r))
		}
		if len(st.Repos) > 0 {
			fmt.Fprintf(out, "repositories: %d\n", len(st.Repos))
			for _, r := range st.Repos {
				fmt.Fprintf(out, "  %s  %s  %d commits, %d hits, %d misses\n",
					r.When.Local().Format("2006-01-02 15:04"), r.Repo, r.Commits, r.Hits, r.Misses)
			}
		}
	}
	if len(aside) > 0 {
		fmt.Fprintf(out, "set aside:    %d damaged stores, %s (gitwalk cache clear removes them)\n", len(aside), sizeText(asideBytes))
	}
	return nil
}

func hitRate(r store.Run) string {
	if r.Hits+r.Misses == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(r.Hits)/float64(r.Hits+r.Misses))
}

func runCacheClear(ios *iostreams, o *cacheOptions) error {
	aside, _ := setAside(o.dir)
	for _, name := range aside {
		if err := os.Remove(name); err != nil {
			return fmt.Errorf("cache clear: %w", err)
		}
	}
	s, exists, err := openCache(ios, o)
	switch {
	case errors.Is(err, store.ErrDamaged) || errors.Is(err, store.ErrNewerFormat):
		// Nothing in it can be read: the file itself goes.
		if rerr := os.Remove(filepath.Join(o.dir, store.FileName)); rerr != nil {
			return fmt.Errorf("cache clear: %w", rerr)
		}
	case err != nil:
		return err
	case exists:
		err = s.Clear()
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("cache clear %s: %w", o.dir, err)
		}
	}
	fmt.Fprintf(ios.out, "cleared %s\n", o.dir)
	return nil
}

func runCachePrune(ios *iostreams, o *cacheOptions) error {
	s, exists, err := openCache(ios, o)
	if err != nil || !exists {
		if !exists {
			fmt.Fprintf(ios.out, "pruned 0 records: no store in %s\n", o.dir)
		}
		return err
	}
	removed, err := s.Prune(o.maxSize, o.maxAge)
	var st store.Stats
	if err == nil {
		st, err = s.Stats()
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cache prune %s: %w", o.dir, err)
	}
	fmt.Fprintf(ios.out, "pruned %d records; %d left (%s; file %s)\n", removed, st.Records, sizeText(st.RecordBytes), sizeText(st.FileBytes))
	return nil
}

func runCacheCheck(ios *iostreams, o *cacheOptions) error {
	s, exists, err := openCache(ios, o)
	if err != nil || !exists {
		if !exists {
			fmt.Fprintf(ios.out, "no store in %s\n", o.dir)
		}
		return err
	}
	err = s.Check()
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cache check: %w (gitwalk cache clear starts afresh)", err)
	}
	fmt.Fprintf(ios.out, "%s: sound\n", s.Path())
	return nil
}
