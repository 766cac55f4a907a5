package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gitwalk/gitwalk/walker"
)

// walkArgs are the arguments every history command takes, in git log's
// syntax: [REPO] [REV...] [-- PATH...] with git's revision and walk options.
// They are parsed by hand, in order, because their order matters to git
// (`--all` among revisions decides ties; `--reverse` toggles).
type walkArgs struct {
	// snaps keeps snapshotCommit's answers, per repository (shared by
	// the copies made after it, which the mutex in it allows).
	snaps *snapMemo

	repo      string
	repoGiven bool // -C or a folder as the first argument named repo
	opts      walker.Options
	emptyWalk bool // -n 0: git prints nothing
	// follow is +1 for --follow, -1 for --no-follow (a single path is not
	// followed, whatever log.follow says), 0 when neither: the last wins.
	follow int8
	// relative is +1 for --relative[=P], -1 for --no-relative (changes
	// and paths are the whole tree's, whatever diff.relative says), 0
	// when neither: the last wins. relativeTo is the last --relative=P's
	// P, which a --no-relative after it does not forget (git's prefix).
	relative   int8
	relativeTo *string
	stats      bool
	help       bool
	cpuprof    string // write a CPU profile (pprof) of the run here
	traceFile  string // write an execution trace (go tool trace) of the run here
	progress   bool   // a progress bar may be drawn (progressShown decides)
	// notRepo is the first argument when, not being a folder, it was taken
	// as a revision rather than the repository: named when the current
	// folder is no repository either, since it was likely meant as one.
	notRepo string

	// copiesHarder is git's find_copies_harder flag: set by
	// --find-copies-harder and by a --find-copies given over copies already
	// asked (-C -C), it asks for copies from unmodified files whatever the
	// options before or after say (git's diff_setup_done). copiesOverConfig
	// is set by a --find-copies given over the repository's diff.renames:
	// with diff.renames=copies, that sets the flag too.
	copiesHarder, copiesOverConfig bool

	// scope holds the analysis policies runAnalyses applies (nil for numstat).
	scope *scopeArgs

	// walked are the figures of the walk once it has run (nil before), for
	// what it left out of the output.
	walked *walker.Stats
	// cacheDir is --cache ("" for GITWALK_CACHE or the user's cache
	// folder); noCache is --no-cache.
	cacheDir string
	noCache  bool
}

const walkArgsHelp = `Revisions and options, as git log takes them:
  REV...                  commits to start from (default HEAD): names, ids, REV~n, REV^n,
                          A..B, A...B, ^A
      --all, --branches, --tags, --remotes, --not
  -- PATH...              only commits (and files) under these paths (git pathspecs)
  -n, --max-count N       at most N commits (also -N)
      --skip N            skip the first N commits
      --since, --after D  commits newer than D (YYYY-MM-DD, ISO 8601, @EPOCH, "N days ago")
      --until, --before D commits older than D
      --first-parent      follow only first parents; merges diffed against parent 1
      --no-merges         leave out merges
      --merges            numstat: only merges; --min-parents=N, --max-parents=N (0: roots
                          only) and --no-min-parents, --no-max-parents as git log
      --diff-merges M     first-parent: diff each merge against its first parent (git's
                          --diff-merges=first-parent); off (default): merges show no changes
      --topo-order        children before parents, branches kept together
      --reverse           oldest first
      --minimal           git's --minimal diff
      --diff-algorithm A  myers (default) or minimal
      --full-diff         list every file of a commit, not only those under PATH
      --full-history      with PATH: keep the merges that change it against any parent, and walk
                          every parent (git's --full-history; --diff-merges=first-parent too)
      --follow            numstat: follow the one PATH through its renames and copies, as
                          git log --follow (the analyses follow every file by themselves)
      --no-follow         numstat: one PATH is not followed (git log --no-follow), where the
                          config's log.follow would have git log follow it
      --diff-filter=L     numstat: only the changes of status letters L (A, C, D, M, R, T; lower
                          case leaves them out; * all of a commit's or none), and only the
                          commits with some, as git log
      --relative[=P]      numstat: only the changes under the folder run from (or whose path
                          starts with P, from the top), with paths relative to it, as git log
      --no-relative       numstat: the whole tree's changes and paths (git log --no-relative),
                          where the config's diff.relative would have them relative
      --ignore-submodules[=W]  all (the default W) leaves out every submodule's gitlink
                          changes; none, dirty or untracked keeps them all, whatever the
                          repository's diff.ignoreSubmodules and .gitmodules say
      --no-renames        no rename detection (default: the repository's diff.renames, on
                          when unset, as git log)
  -M, --find-renames[=N]  detect renames with at least N similarity (-M50%, -M5 = 50%)
      --find-copies[=N]   detect copies from changed files too (git's -C; gitwalk's -C is
                          the repository); twice, or over diff.renames=copies: -C -C
      --find-copies-harder  copies from unchanged files too (git's -C -C; wins over
                          --no-renames, as in git)
  -l<N>                   rename limit (-l1000; -l0: none; default diff.renameLimit or 1000)
      --missing A         at a tree or blob the repository lacks (a partial clone, a damaged
                          store): error (default) stops naming it; allow-any goes on past any;
                          allow-promisor goes on when a promisor remote could supply it (a
                          partial clone), as git rev-list --missing. What could not be read is
                          left out and counted on stderr and in JSON options ("left_out")
      --max-blob-size N   blobs larger than N bytes (k, m, g suffixes) are binary, as
                          git's core.bigFileThreshold (default: the repository's, 512m)
  -j, --jobs N            workers (default: one per core)
      --stats             print the walk's figures to stderr
      --cpuprofile FILE   write a CPU profile of the run (go tool pprof)
      --trace FILE        write an execution trace of the run (go tool trace)
` + cacheArgsHelp + `
  -C, --repo DIR          the repository (default: the first argument if it is a folder, else .)`

// parseWalkArgs reads args; it returns a usage error naming the first word it
// does not understand.
func parseWalkArgs(args []string) (*walkArgs, error) {
	w := &walkArgs{}
	var revs, paths []string
	// git's min_parents and max_parents (-1: none), which --merges,
	// --no-merges and their own flags set in turn.
	minParents, maxParents := 0, -1
	positional := 0
	repoSet := false
	for i := 0; i < len(args); i++ {
		arg := args[i]
		// value returns the option's value, given as --opt=V, -oV or as the next word.
		value := func(long, short string) (string, error) {
			if v, ok := strings.CutPrefix(arg, long+"="); ok {
				return v, nil
			}
			if short != "" && strings.HasPrefix(arg, short) && len(arg) > len(short) {
				return arg[len(short):], nil
			}
			if i+1 >= len(args) {
				return "", usagef("option %s needs a value", arg)
			}
			i++
			return args[i], nil
		}
		is := func(long, short string) bool {
			return arg == long || strings.HasPrefix(arg, long+"=") || (short != "" && strings.HasPrefix(arg, short))
		}
		var err error
		switch {
		case arg == "--":
			paths = append(paths, args[i+1:]...)
			i = len(args)
		case arg == "-h" || arg == "--help":
			w.help = true
		case arg == "--all" || arg == "--branches" || arg == "--tags" || arg == "--remotes" || arg == "--not":
			revs = append(revs, arg)
		case arg == "--first-parent":
			w.opts.FirstParent = true
		case arg == "--no-merges":
			maxParents = 1
		case arg == "--merges":
			minParents = 2
		case arg == "--no-min-parents":
			minParents = 0
		case arg == "--no-max-parents":
			maxParents = -1
		case strings.HasPrefix(arg, "--min-parents="), strings.HasPrefix(arg, "--max-parents="):
			name, v, _ := strings.Cut(arg, "=")
			n, perr := strconv.Atoi(v)
			switch {
			case perr != nil:
				err = usagef("%s=%s: want a number of parents", name, v)
			case name == "--min-parents":
				minParents = max(n, 0)
			default:
				maxParents = max(n, -1)
			}
		case is("--diff-merges", ""):
			var v string
			if v, err = value("--diff-merges", ""); err == nil {
				err = w.setDiffMerges(v)
			}
		case arg == "--topo-order":
			w.opts.TopoOrder = true
		case arg == "--date-order":
			w.opts.TopoOrder = false
		case arg == "--reverse":
			w.opts.Reverse = !w.opts.Reverse
		case arg == "--minimal":
			w.opts.Algorithm, w.opts.AlgorithmSet = walker.Minimal, true
		case arg == "--full-diff":
			w.opts.FullDiff = true
		case arg == "--full-history":
			w.opts.FullHistory = true
		case arg == "--no-follow":
			w.follow = -1
		case arg == "--no-relative":
			w.relative = -1
		case arg == "--relative":
			w.relative = 1
		case strings.HasPrefix(arg, "--relative="):
			p := strings.TrimPrefix(arg, "--relative=")
			w.relative, w.relativeTo = 1, &p
		case arg == "--follow":
			w.follow = 1
		case arg == "--ignore-submodules":
			w.opts.IgnoreSubmodules = "all"
		case strings.HasPrefix(arg, "--ignore-submodules="):
			switch v := strings.TrimPrefix(arg, "--ignore-submodules="); v {
			case "all", "dirty", "untracked", "none":
				w.opts.IgnoreSubmodules = v
			default:
				err = usagef("bad --ignore-submodules value %q (all, dirty, untracked or none)", v)
			}
		case arg == "--stats":
			w.stats = true
		case is("--diff-algorithm", ""):
			var v string
			if v, err = value("--diff-algorithm", ""); err == nil {
				switch v {
				case "myers", "default":
					w.opts.Algorithm, w.opts.AlgorithmSet = walker.Myers, true
				case "minimal":
					w.opts.Algorithm, w.opts.AlgorithmSet = walker.Minimal, true
				default:
					err = usagef("--diff-algorithm=%s: gitwalk implements myers and minimal", v)
				}
			}
		case is("--diff-filter", ""):
			var v string
			if v, err = value("--diff-filter", ""); err == nil {
				if err = w.opts.DiffFilter.Add(v); err != nil {
					err = usagef("%v", err)
				}
			}
		case is("--max-count", "-n"):
			var v string
			if v, err = value("--max-count", "-n"); err == nil {
				err = w.setMaxCount(v)
			}
		case len(arg) > 1 && arg[0] == '-' && isDigits(arg[1:]):
			err = w.setMaxCount(arg[1:])
		case is("--skip", ""):
			var v string
			if v, err = value("--skip", ""); err == nil {
				w.opts.Skip, err = nonNegative("--skip", v)
			}
		case is("--since", "") || is("--after", "") || is("--max-age", ""):
			var v string
			long := arg
			if j := strings.IndexByte(arg, '='); j >= 0 {
				long = arg[:j]
			}
			if v, err = value(long, ""); err == nil {
				w.opts.Since, err = parseDate(v, long == "--max-age")
			}
		case is("--until", "") || is("--before", "") || is("--min-age", ""):
			var v string
			long := arg
			if j := strings.IndexByte(arg, '='); j >= 0 {
				long = arg[:j]
			}
			if v, err = value(long, ""); err == nil {
				w.opts.Until, err = parseDate(v, long == "--min-age")
			}
		case is("--jobs", "-j"):
			var v string
			if v, err = value("--jobs", "-j"); err == nil {
				w.opts.Workers, err = nonNegative("--jobs", v)
			}
		case arg == "--no-renames":
			w.opts.Renames = walker.RenamesOff
		case arg == "-M" || strings.HasPrefix(arg, "-M") || is("--find-renames", ""):
			w.opts.Renames = walker.RenamesOn
			v, _ := strings.CutPrefix(arg, "-M")
			if long, ok := strings.CutPrefix(arg, "--find-renames"); ok {
				v, _ = strings.CutPrefix(long, "=")
			}
			err = w.setRenameScore(arg, v)
		case is("--find-copies", ""):
			v, _ := strings.CutPrefix(strings.TrimPrefix(arg, "--find-copies"), "=")
			err = w.setCopies(arg, v)
		case arg == "--find-copies-harder":
			w.copiesHarder = true
		case strings.HasPrefix(arg, "-l") && len(arg) > 2:
			var n int
			if n, err = strconv.Atoi(arg[2:]); err != nil {
				err = usagef("%s: the rename limit must be a number", arg)
			} else {
				if n <= 0 {
					n = -1 // git: 0 or less means no limit
				}
				w.opts.RenameLimit = n
			}
		case is("--max-blob-size", ""):
			var v string
			if v, err = value("--max-blob-size", ""); err == nil {
				w.opts.MaxBlobSize, err = parseByteSize(v)
			}
		case is("--missing", ""):
			var v string
			if v, err = value("--missing", ""); err == nil {
				if w.opts.Missing, err = walker.ParseMissingAction(v); err != nil {
					err = usagef("--missing: %v", err)
				}
			}
		case arg == "--no-cache":
			w.noCache = true
		case is("--cache", ""):
			if w.cacheDir, err = value("--cache", ""); err == nil && w.cacheDir == "" {
				err = usagef("--cache needs a folder")
			}
		case is("--cpuprofile", ""):
			w.cpuprof, err = value("--cpuprofile", "")
		case is("--trace", ""):
			w.traceFile, err = value("--trace", "")
		case is("--repo", "-C"):
			if w.repo, err = value("--repo", "-C"); err == nil {
				repoSet = true
			}
		case strings.HasPrefix(arg, "-") && arg != "-":
			err = usagef("unknown option %s", arg)
		default:
			if positional == 0 && !repoSet && isDir(arg) {
				w.repo, repoSet = arg, true
			} else {
				if positional == 0 && !repoSet {
					w.notRepo = arg
				}
				revs = append(revs, arg)
			}
			positional++
		}
		if err != nil {
			return nil, err
		}
	}
	w.repoGiven = repoSet
	if w.repo == "" {
		w.repo = "."
	}
	w.opts.Revisions, w.opts.Paths = revs, paths
	w.opts.Untimed = !w.stats // only --stats prints where the time went
	switch {
	case minParents == 0 && maxParents == 1:
		w.opts.NoMerges = true // the walks the cache replays
	case minParents > 0 || maxParents >= 0:
		w.opts.MinParents, w.opts.MaxParents, w.opts.MaxParentsSet = minParents, maxParents, maxParents >= 0
	}
	return w, nil
}

// setRenameScore reads the minimum score of -M<n>/-C<n>/--find-renames=<n>.
func (w *walkArgs) setRenameScore(arg, v string) error {
	if v == "" {
		return nil
	}
	n, err := walker.ParseRenameScore(v)
	if err != nil {
		return usagef("%s: %v", arg, err)
	}
	w.opts.RenameScore = n
	return nil
}

// setCopies is --find-copies[=<n>] (git's -C), as git's diff options take
// it: over copies already asked (a second -C) it asks for copies from
// unmodified files too; over the repository's setting, whether that does
// is known once the repository is open (diff.renames=copies and one -C is
// -C -C).
func (w *walkArgs) setCopies(arg, v string) error {
	switch w.opts.Renames {
	case walker.RenamesAndCopies:
		w.copiesHarder = true
	case walker.RenamesAsConfigured:
		w.copiesOverConfig = true
	}
	w.opts.Renames = walker.RenamesAndCopies
	return w.setRenameScore(arg, v)
}

func (w *walkArgs) setMaxCount(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return usagef("max count %q is not a number", v)
	}
	// git: a negative count means no limit, 0 prints nothing.
	w.emptyWalk = n == 0
	if n < 0 {
		n = 0
	}
	w.opts.MaxCount = n
	return nil
}

// pathPrefix returns the folder of the work tree the user stands in when the
// repository was found from a folder inside it (git's "prefix"), so relative
// paths are taken from there as git takes them.
func pathPrefix(repo *walker.Repo, dir string) string {
	top := repo.WorkTree()
	if top == "" {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if real, err := filepath.EvalSymlinks(top); err == nil {
		top = real
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.ToSlash(rel) + "/"
}

// parseByteSize reads a size as git reads core.bigFileThreshold: a positive
// number of bytes with an optional k, m or g suffix (powers of 1024).
func parseByteSize(v string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	shift := 0
	switch {
	case strings.HasSuffix(s, "k"):
		shift, s = 10, s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		shift, s = 20, s[:len(s)-1]
	case strings.HasSuffix(s, "g"):
		shift, s = 30, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)>>shift {
		return 0, usagef("--max-blob-size %q: want a size above 0 such as 1048576, 512k, 100m or 2g", v)
	}
	return n << shift, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func nonNegative(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, usagef("%s %q: want a number of 0 or more", name, v)
	}
	return n, nil
}

// agoRe is compiled when a date is first read: compiled in the package's
// init, it was 155 allocations before every run's main.
var agoRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\d+)\s*[. ]?\s*(second|minute|hour|day|week|month|year)s?[. ]?\s*(ago)?$`)
})

// parseDate reads the dates people give --since and --until: an epoch
// ("@1500000000", or a bare number for --max-age/--min-age), ISO 8601 and
// RFC 2822 forms, YYYY-MM-DD (at the current time of day, as git's approxidate
// takes it), "N units ago", "now", "yesterday". Anything else is a usage
// error rather than git's silent "now".
func parseDate(v string, epoch bool) (time.Time, error) {
	s := strings.TrimSpace(v)
	if epoch || strings.HasPrefix(s, "@") {
		n, err := strconv.ParseInt(strings.TrimPrefix(s, "@"), 10, 64)
		if err != nil {
			return time.Time{}, usagef("date %q: want a number of seconds since 1970", v)
		}
		return time.Unix(n, 0), nil
	}
	now := time.Now()
	switch strings.ToLower(s) {
	case "now":
		return now, nil
	case "yesterday":
		return now.AddDate(0, 0, -1), nil
	}
	if m := agoRe().FindStringSubmatch(strings.ToLower(strings.ReplaceAll(s, ".", " "))); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch m[2] {
		case "second":
			return now.Add(-time.Duration(n) * time.Second), nil
		case "minute":
			return now.Add(-time.Duration(n) * time.Minute), nil
		case "hour":
			return now.Add(-time.Duration(n) * time.Hour), nil
		case "day":
			return now.AddDate(0, 0, -n), nil
		case "week":
			return now.AddDate(0, 0, -7*n), nil
		case "month":
			return now.AddDate(0, -n, 0), nil
		case "year":
			return now.AddDate(-n, 0, 0), nil
		}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05", "2006-01-02 15:04", time.RFC1123Z, time.RFC1123, "Mon Jan 2 15:04:05 2006 -0700"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if d, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return time.Date(d.Year(), d.Month(), d.Day(), now.Hour(), now.Minute(), now.Second(), 0, time.Local), nil
	}
	return time.Time{}, usagef("date %q: use YYYY-MM-DD, ISO 8601, @EPOCH or \"N days ago\"", v)
}

// openRepo opens the repository named by the arguments and sets the path prefix.
func (w *walkArgs) openRepo() (*walker.Repo, error) {
	repo, err := walker.Open(w.repo)
	if errors.Is(err, walker.ErrNotRepository) && w.notRepo != "" && w.repo == "." {
		return nil, fmt.Errorf("%s is not a folder (taken as a revision) and %w", w.notRepo, err)
	}
	if err != nil {
		return nil, err
	}
	w.opts.PathPrefix = pathPrefix(repo, w.repo)
	w.settleRenames(repo)
	return repo, nil
}

// settleRenames fixes the rename mode once the repository's settings are
// known: git's find_copies_harder flag (copiesHarder, or a --find-copies
// over diff.renames=copies) asks for copies from unmodified files, and the
// analyses' scope records the mode in force.
func (w *walkArgs) settleRenames(repo *walker.Repo) {
	if w.copiesHarder || w.copiesOverConfig && repo.Renames(walker.Options{}) == walker.RenamesAndCopies {
		w.opts.Renames = walker.RenamesAndCopiesHarder
	}
	if w.scope != nil {
		w.scope.renames = repo.Renames(w.opts)
	}
}

// printStats writes the walk's figures to stderr with --stats: the work
// done, then the two pools the engine runs on.
//
// Like git log, it warns when the rename limit made some commit skip the
// full comparison, after all other output and whatever --stats says.
func (w *walkArgs) printStats(ios *iostreams, st *walker.Stats) {
	w.walked = st
	if w.stats {
		printWalkStats(ios, st)
	}
	for _, warn := range st.AttributeWarnings {
		fmt.Fprintf(ios.errOut, "gitwalk: attributes: %s\n", warn)
	}
	fmt.Fprint(ios.errOut, walker.RenameLimitWarning(st))
	fmt.Fprint(ios.errOut, missingWarning(w.opts.Missing, st))
}

// missingWarning is the note, for stderr, of what a walk that passed over
// missing objects left out; "" when it left nothing out.
func missingWarning(action walker.MissingAction, st *walker.Stats) string {
	if st.MissingObjects == 0 {
		return ""
	}
	ids := make([]string, len(st.MissingSample))
	for i, id := range st.MissingSample {
		ids[i] = id.String()
	}
	more := ""
	if st.MissingObjects > len(ids) {
		more = ", ..."
	}
	return fmt.Sprintf("gitwalk: --missing=%s: %d missing object(s) passed over (%s%s); left out: the changes of %d commit(s) (a tree missing), the line counts and rename similarity of %d change(s) to %d path(s)%s\n",
		action, st.MissingObjects, strings.Join(ids, ", "), more, st.MissingCommits, st.MissingChanges, st.MissingPaths, pathSample(st))
}

func pathSample(st *walker.Stats) string {
	if len(st.MissingPathSample) == 0 {
		return ""
	}
	more := ""
	if st.MissingPaths > len(st.MissingPathSample) {
		more = ", ..."
	}
	return " (" + strings.Join(st.MissingPathSample, ", ") + more + ")"
}

// missingOptions is what JSON options record of --missing: the action,
// and what the walk passed over and left out (zeros when nothing, or
// before a walk), with the first objects and paths in sorted order.
func missingOptions(action walker.MissingAction, st *walker.Stats) map[string]any {
	if st == nil {
		st = &walker.Stats{}
	}
	ids := make([]string, len(st.MissingSample))
	for i, id := range st.MissingSample {
		ids[i] = id.String()
	}
	return map[string]any{
		"action":        action.String(),
		"objects":       st.MissingObjects,
		"object_sample": ids,
		"commits":       st.MissingCommits,
		"changes":       st.MissingChanges,
		"paths":         st.MissingPaths,
		"path_sample":   nonNil(st.MissingPathSample),
	}
}

// printWalkStats writes a walk's figures (or several walks', added up) to
// stderr.
func printWalkStats(ios *iostreams, st *walker.Stats) {
	a, r := st.Arenas, st.Readers
	fmt.Fprintf(ios.errOut, "walk:    %d commits, %d files diffed (%s), %d binary, %d heap fallbacks, %d workers, %s wall\n",
		st.Commits, st.FilesDiffed, sizeText(st.BytesDiffed), st.Binary, st.HeapFallback, st.Workers, st.Wall.Round(time.Millisecond))
	fmt.Fprintf(ios.errOut, "arenas:  %d checkouts, %d reuses, %d mints, peak arena %s, %d idle\n",
		a.Checkouts, a.Reuses, a.Mints, sizeText(int64(a.PeakBytes)), a.Idle)
	fmt.Fprintf(ios.errOut, "readers: %d hits, %d misses, %d live, %d waits (%s waited)\n",
		r.Hits, r.Misses, r.Live, r.Waits, r.Waited.Round(time.Microsecond))
	fmt.Fprintf(ios.errOut, "revwalk: %d commits read from objects (%d handed to the workers, %s kept at most), %d from the commit-graph, %d from the cache, %d replayed\n",
		st.WalkCommitsRead, st.WalkCommitsHanded, sizeText(st.HandedBound), st.WalkCommitsFromGraph, st.WalkCommitsFromStore, st.WalkCommitsReplayed)
	if st.WalkCommitsAhead+st.WalkAheadDropped > 0 {
		fmt.Fprintf(ios.errOut, "ahead:   %d of those commits read ahead in pack order (%s held at most), %d read ahead and not needed; %s busy on %d goroutine(s)\n",
			st.WalkCommitsAhead, sizeText(st.AheadBound), st.WalkAheadDropped, st.ReadAhead.Round(time.Millisecond), st.ReadAheadReaders)
	}
	if st.CommitGraph != "" {
		fmt.Fprintf(ios.errOut, "graph:   %s\n", st.CommitGraph)
	}
	if st.BloomDefinitelyNot+st.BloomMaybe+st.BloomNoFilter > 0 {
		fmt.Fprintf(ios.errOut, "filters: %d tree diffs skipped (the path is definitely not changed), %d maybe, %d commits without a filter\n",
			st.BloomDefinitelyNot, st.BloomMaybe, st.BloomNoFilter)
	}
	if st.StoreHits+st.StoreMisses > 0 {
		fmt.Fprintf(ios.errOut, "cache:   %d hits, %d misses (%s of records read or written)\n",
			st.StoreHits, st.StoreMisses, sizeText(st.StoreBytes))
	}
	if st.Renames > 0 || st.RenameLimitNeeded > 0 {
		fmt.Fprintf(ios.errOut, "renames: %d renames and copies found", st.Renames)
		if st.RenameLimitNeeded > 0 {
			fmt.Fprintf(ios.errOut, "; the rename limit skipped the full comparison (a limit of %d would not)", st.RenameLimitNeeded)
		}
		fmt.Fprintln(ios.errOut)
	}
	if st.FollowRedone > 0 {
		fmt.Fprintf(ios.errOut, "follow:  %d commits diffed again under the path followed (a worker had diffed them under the path before a rename)\n", st.FollowRedone)
	}
	if st.MissingObjects > 0 {
		fmt.Fprintf(ios.errOut, "missing: %d objects passed over; %d commits without changes, %d changes to %d paths without line counts\n",
			st.MissingObjects, st.MissingCommits, st.MissingChanges, st.MissingPaths)
	}
	fmt.Fprintf(ios.errOut, "packs:   mapped pages dropped from memory %d times (every %s read); delta bases: %d hits, %d misses, %d deltas applied, %s inflated, cache bound %s",
		st.PackDrops, sizeText(st.PackDropEvery), st.Bases.Hits, st.Bases.Misses, st.Bases.Deltas, sizeText(st.Bases.Inflated), sizeText(st.BasesBound))
	if st.BasesRegion > 0 {
		fmt.Fprintf(ios.errOut, " in a %s region (%d bases on the heap)", sizeText(st.BasesRegion), st.Bases.OnHeap)
	}
	// Which trees a worker finds carried over depends on which commits it
	// was given: like the bases' hits, not a figure of the history.
	fmt.Fprintf(ios.errOut, "; trees carried over: %d\n", st.TreesCarried)
	fmt.Fprintf(ios.errOut, "time:    setup %s, revision walk %s, ordered callback %s (one goroutine each); workers busy %s (%.0f%% of %d x wall)\n",
		st.Setup.Round(time.Millisecond), st.RevWalk.Round(time.Millisecond), st.Ordered.Round(time.Millisecond),
		st.Busy.Round(time.Millisecond), busyShare(st), st.Workers)
}

// busyShare is the workers' time on units as a percentage of what they
// could have given over the walk's wall time.
func busyShare(st *walker.Stats) float64 {
	if st.Workers == 0 || st.Wall <= 0 {
		return 0
	}
	return 100 * float64(st.Busy) / (float64(st.Workers) * float64(st.Wall))
}

// sizeText writes n bytes for people: B, KiB, MiB or GiB with one decimal.
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

// startProfile starts the CPU profile asked for with --cpuprofile and the
// execution trace asked for with --trace; the returned function stops them.
// The trace shows what a profile cannot: which of the walk's goroutines
// (the revision walk, the workers, the ordered callback, the analyses'
// observers) ran when, and what each waited for.
func (w *walkArgs) startProfile() (func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if w.cpuprof != "" {
		f, err := os.Create(w.cpuprof)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if w.traceFile != "" {
		f, err := os.Create(w.traceFile)
		if err != nil {
			stop()
			return nil, fmt.Errorf("trace: %w", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			stop()
			return nil, fmt.Errorf("trace: %w", err)
		}
		stops = append(stops, func() { trace.Stop(); f.Close() })
	}
	return stop, nil
}
