package cli

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
	"golang.org/x/term"
)

// analysisArgs are the flags the analysis commands share, on top of the
// walk's (parseWalkArgs). Analyses leave merges out unless --merges is given,
// since a merge's changes are its branch's, already counted there.
type analysisArgs struct {
	format analysis.Format
	top    int // 0: every row
	by     analysis.Grouping
	filter analysis.PathFilter
	merges bool // merges are walked (policy include or first-parent)
	scope  scopeArgs
	// noProgress: no progress bar on stderr even on a terminal.
	noProgress bool
	// repos is --repos (LIST: a file, a folder or -), "" for one
	// repository; failFast is --fail-fast.
	repos    string
	failFast bool
}

// analysisFlag names the flags a command accepts beyond the walk's.
type analysisFlag uint8

const (
	flagBy analysisFlag = 1 << iota
	flagTop
	// flagNoMailmap is --no-mailmap, which analysisCmd takes out of the
	// arguments before parseAnalysisArgs reads them (see analysisEnv).
	flagNoMailmap
	// flagRepos is --repos and --fail-fast: the analysis commands and the
	// report take several repositories (runMulti).
	flagRepos
)

// pathFilterHelp documents --include and --exclude.
const pathFilterHelp = `      --include GLOB      count only files matching GLOB (repeatable; "*.go", "src/**", "docs/")
      --exclude GLOB      leave out files matching GLOB (repeatable; wins over --include)
`

const analysisArgsHelp = `Analysis options:
      --format F          table (default), csv, json or ndjson
` + pathFilterHelp + `      --merges P          how merges count: exclude (default), first-parent or include; --merges
                          alone is include, --no-merges exclude (see "Merges" below)
      --no-progress       no progress bar (drawn on stderr, only when stderr is a terminal
                          and neither CI is set nor TERM=dumb)
` + scopeArgsHelp

// parseAnalysisArgs takes the analysis flags out of args (before any "--")
// and gives the rest to parseWalkArgs. extra says which of --by and --top
// the command takes.
func parseAnalysisArgs(args []string, extra analysisFlag) (*walkArgs, *analysisArgs, error) {
	a := &analysisArgs{}
	var rest []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		// value returns the flag's value, given as --flag=V or as the next word.
		value := func(name string) (string, error) {
			if v, ok := strings.CutPrefix(arg, name+"="); ok {
				return v, nil
			}
			if i+1 >= len(args) {
				return "", usagef("option %s needs a value", name)
			}
			i++
			return args[i], nil
		}
		is := func(name string) bool { return arg == name || strings.HasPrefix(arg, name+"=") }
		if n, err := a.scope.parse(args, i); n > 0 || err != nil {
			if err != nil {
				return nil, nil, err
			}
			i += n - 1
			continue
		}
		var err error
		var v string
		switch {
		case is("--format"):
			if v, err = value("--format"); err == nil {
				if a.format, err = analysis.ParseFormat(v); err != nil {
					err = usagef("--format: %v", err)
				}
			}
		case is("--include"):
			if v, err = value("--include"); err == nil {
				a.filter.Include = append(a.filter.Include, v)
			}
		case is("--exclude"):
			if v, err = value("--exclude"); err == nil {
				a.filter.Exclude = append(a.filter.Exclude, v)
			}
		case is("--merges") || arg == "--no-merges":
			n, err := a.scope.parseMerges(args, i)
			if err != nil {
				return nil, nil, err
			}
			i += n - 1
		case arg == "--relative" || strings.HasPrefix(arg, "--relative="):
			err = usagef("--relative is numstat's (git log's); the analyses take a pathspec (-- PATH) or --include")
		case is("--diff-filter"):
			err = usagef("--diff-filter is numstat's (git log's); the analyses take --include and --exclude")
		case strings.HasPrefix(arg, "--min-parents=") || strings.HasPrefix(arg, "--max-parents=") || arg == "--no-min-parents" || arg == "--no-max-parents":
			err = usagef("%s is numstat's (git log's); the analyses take --merges=POLICY", arg)
		case arg == "--follow":
			err = usagef("--follow is numstat's (git log's); the analyses follow every file through its renames by themselves")
		case arg == "--no-progress":
			a.noProgress = true
		case extra&flagRepos != 0 && is("--repos"):
			if v, err = value("--repos"); err == nil && v == "" {
				err = usagef("--repos needs a list file, a folder or -")
			}
			a.repos = v
		case extra&flagRepos != 0 && arg == "--fail-fast":
			a.failFast = true
		case extra&flagBy != 0 && is("--by"):
			if v, err = value("--by"); err == nil {
				if a.by, err = analysis.ParseGrouping(v); err != nil {
					err = usagef("--by: %v", err)
				}
			}
		case extra&flagTop != 0 && is("--top"):
			if v, err = value("--top"); err == nil {
				a.top, err = nonNegative("--top", v)
			}
		default:
			rest = append(rest, arg)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if err := a.filter.Validate(); err != nil {
		return nil, nil, usagef("%v", err)
	}
	w, err := parseWalkArgs(rest)
	if err != nil {
		return nil, nil, err
	}
	if a.repos != "" && w.repoGiven {
		return nil, nil, usagef("--repos and a repository (-C, or a folder as the first argument: %s) do not go together", w.repo)
	}
	if a.failFast && a.repos == "" {
		return nil, nil, usagef("--fail-fast goes with --repos")
	}
	a.scope.finish(w, a)
	w.progress = !a.noProgress
	return w, a, nil
}

// options returns what the JSON output records of how the analysis ran.
func (a *analysisArgs) options(w *walkArgs) map[string]any {
	o := map[string]any{
		"merges":    a.merges,
		"revisions": nonNil(w.opts.Revisions),
		"paths":     nonNil(w.opts.Paths),
		"include":   nonNil(a.filter.Include),
		"exclude":   nonNil(a.filter.Exclude),
	}
	a.scope.addOptions(o)
	if w.opts.Missing != walker.MissingError {
		// Only when asked: the default stops at a missing object, so it
		// leaves nothing out (and every JSON stays as it was).
		o["missing"] = missingOptions(w.opts.Missing, w.walked)
	}
	return o
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// tableWidth is how wide a table may be: the terminal's width when stdout
// is one, else no limit (a pipe or a file gets whole paths).
func tableWidth(ios *iostreams) int {
	if !ios.outIsTerm {
		return 0
	}
	if f, ok := ios.out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// runAnalyses walks as w says and feeds every commit to the analyzers
// ans, honouring the policies, --cpuprofile, --stats and the progress bar.
// It returns their merged states in the order given, or nil when -n 0 asks
// for no commits at all.
func runAnalyses(ctx context.Context, ios *iostreams, w *walkArgs, repo *walker.Repo, ans ...analysis.Analyzer) ([]analysis.State, error) {
	if w.emptyWalk {
		return nil, nil
	}
	stop, err := w.startProfile()
	if err != nil {
		return nil, err
	}
	defer stop()
	var st walker.Stats
	w.opts.Stats = &st
	defer w.scope.settle()
	raw := slices.Clone(ans)
	for i := range ans {
		if ans[i], err = w.scope.wrap(repo, ans[i]); err != nil {
			return nil, err
		}
	}
	var bar *walkBar
	if progressShown(ios, !w.progress) {
		bar = newWalkBar(ios)
		w.opts.Progress = bar.update
	}
	states, kept, err := w.runResumed(ctx, repo, raw, ans)
	// The walk is over: what the scope made on a goroutine is settled
	// before its classes are kept.
	w.scope.settle()
	if err == nil {
		w.scope.saveClasses()
	}
	if bar != nil {
		// Cleared before the figures, the table or an error (interrupt
		// included) are written.
		bar.clear()
	}
	if err != nil {
		return nil, err
	}
	if w.scope != nil {
		w.scope.noLines = w.opts.NoLineCounts
	}
	states = w.scope.unwrapAll(ios, states)
	w.printStats(ios, &st)
	w.scope.printStats(ios, w.stats)
	if w.stats {
		fmt.Fprint(ios.errOut, resultsStats(kept))
	}
	return states, nil
}
