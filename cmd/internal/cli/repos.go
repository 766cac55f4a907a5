package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/walker"
)

// repoRun is one repository's part of a --repos run.
type repoRun struct {
	spec repoSpec
	// problem is why the repository was left out ("" when it was walked).
	problem string
	ran     bool // walked to the end
	shallow bool
	commits int
	// errOut holds what the repository's walk said on stderr, written out
	// in the list's order once every walk has ended.
	errOut bytes.Buffer
	// scope is the repository's copy of the policies, with what they left
	// out of it.
	scope *scopeArgs
	// What the command keeps: the analyses' states (merged across
	// repositories) or the rows made while the repository was open.
	states []analysis.State
	out    output
	// sections are the report's sections of this repository's files.
	sections map[string]*analysis.Report
	// opts and result are the command's options (a *O) and, for a command
	// with analysisCmd.result, what it made of the repository.
	opts, result any
	// progress is its walk's part of the run's progress bar (nil: none).
	progress func(done, total int)
	// env is the repository's copy of the arguments, as its walk left them.
	env *analysisEnv
}

// runRepos walks every repository of specs as w and a say, calling each
// with the repository open and its own copies of the arguments, and
// returns the runs in the list's order. The walks run concurrently, at most
// as many open at once as there are workers, and share one budget of -j
// workers (walker.Slots) and one arena pool, so the whole run computes no
// more commits at once than -j and its memory does not grow with the
// list. A repository that cannot be walked is left out (its run's
// problem); with --fail-fast the first one stops the run with its error.
// What each walk said on stderr is written afterwards, in list order and
// named, so the output does not depend on which walk ended first.
func runRepos(ctx context.Context, ios *iostreams, w *walkArgs, a *analysisArgs, specs []repoSpec,
	each func(ctx context.Context, r *repoRun, env *analysisEnv) error) ([]*repoRun, error) {
	workers := w.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	stop, err := w.startProfile()
	if err != nil {
		return nil, err
	}
	defer stop()
	defer w.useCache(ios)()
	arenas := walker.NewArenaPool(workers)
	defer arenas.Close()
	slots := walker.NewSlots(workers)

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	open := make(chan struct{}, workers)
	runs := make([]*repoRun, len(specs))
	var bar *reposBar
	if progressShown(ios, !w.progress) {
		bar = &reposBar{bar: newWalkBar(ios), done: make([]int, len(specs)), total: make([]int, len(specs))}
		for i := range bar.total {
			bar.total[i] = -1
		}
	}
	var wg sync.WaitGroup
	for i, sp := range specs {
		runs[i] = &repoRun{spec: sp, progress: bar.of(i)}
		wg.Add(1)
		go func(r *repoRun) {
			defer wg.Done()
			select {
			case open <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-open }()
			if ctx.Err() != nil {
				return
			}
			err := runOneRepo(ctx, r, w, a, workers, slots, arenas, each)
			if err != nil && ctx.Err() == nil {
				r.problem = err.Error()
				if r.progress != nil {
					r.progress(0, 0) // nothing of it counts
				}
				if a.failFast {
					cancel()
				}
			}
		}(runs[i])
	}
	wg.Wait()
	if bar != nil {
		bar.bar.clear()
	}
	if err := parent.Err(); err != nil {
		return nil, err // interrupted: no partial answer
	}
	walked := 0
	for _, r := range runs {
		writeNamed(ios.errOut, r.spec.name, r.errOut.String())
		switch {
		case r.problem != "" && a.failFast:
			return nil, fmt.Errorf("%s: %s (--fail-fast)", r.spec.name, r.problem)
		case r.problem != "":
			fmt.Fprintf(ios.errOut, "gitwalk: %s: left out: %s\n", r.spec.name, r.problem)
		case r.ran:
			walked++
		}
	}
	if walked == 0 {
		return nil, fmt.Errorf("--repos %s: no repository could be walked", a.repos)
	}
	return runs, nil
}

// writeNamed writes a repository's stderr lines, each naming it.
func writeNamed(errOut io.Writer, name, text string) {
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		fmt.Fprintf(errOut, "gitwalk: %s: %s", name, strings.TrimPrefix(line, "gitwalk: "))
	}
}

// runOneRepo opens r's repository, gives it its own copies of the
// arguments and streams, and calls each.
func runOneRepo(ctx context.Context, r *repoRun, w *walkArgs, a *analysisArgs, workers int, slots *walker.Slots,
	arenas *arena.Pool, each func(ctx context.Context, r *repoRun, env *analysisEnv) error) error {
	repo, err := openListed(r.spec.path)
	if err != nil {
		return err
	}
	defer repo.Close()
	if _, err := os.Stat(filepath.Join(repo.GitDir(), "shallow")); err == nil {
		// Walked as git log walks it, as a single repository is: its
		// history stops at the shallow commits. Said, not hidden.
		r.shallow = true
		fmt.Fprintf(&r.errOut, "gitwalk: a shallow clone: its history stops at its shallow commits\n")
	}
	an := *a // its scope (policies, and what they leave out) is the repository's own copy
	wc := *w
	wc.repo, wc.repoGiven = r.spec.path, true
	wc.cpuprof, wc.traceFile = "", "" // one profile and trace for the whole run, started by runRepos
	wc.progress = false
	wc.opts.Progress = r.progress
	wc.opts.Workers = workers
	wc.opts.Slots = slots
	wc.opts.Revisions = append([]string(nil), w.opts.Revisions...)
	wc.opts.Paths = append([]string(nil), w.opts.Paths...)
	if w.scope != nil {
		wc.scope = &an.scope
	}
	r.scope = wc.scope
	ios := &iostreams{out: io.Discard, errOut: &r.errOut}
	wc.opts.PathPrefix = ""
	wc.settleRenames(repo)
	wc.opts.Arenas = arenas
	env := &analysisEnv{ctx: ctx, ios: ios, repo: repo, walk: &wc, an: &an}
	if err := each(ctx, r, env); err != nil {
		return err
	}
	if wc.walked != nil {
		r.commits = wc.walked.Commits
	}
	r.ran = true
	return nil
}

// openListed opens a listed repository. A path inside another
// repository's work tree is not taken for that repository, as git would
// find it: a list names repositories, and walking the enclosing one would
// count another project.
func openListed(path string) (*walker.Repo, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("missing: %s does not exist", path)
		}
		return nil, err
	}
	repo, err := walker.Open(path)
	if err != nil {
		return nil, fmt.Errorf("not a repository: %w", err)
	}
	if !sameDir(repo.GitDir(), path) && !sameDir(repo.WorkTree(), path) {
		where := repo.GitDir()
		repo.Close()
		return nil, fmt.Errorf("not a repository: %s is inside %s", path, where)
	}
	return repo, nil
}

func sameDir(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// reposBar is the one progress bar of a run of several repositories: the
// commits done of every walk, of their total once every walk knows its
// own. The walks report from their own goroutines, hence the lock.
type reposBar struct {
	mu          sync.Mutex
	bar         *walkBar
	done, total []int
}

// of is the walker.Options.Progress of the i-th repository's walk; nil
// when there is no bar.
func (b *reposBar) of(i int) func(done, total int) {
	if b == nil {
		return nil
	}
	return func(done, total int) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.done[i], b.total[i] = done, total
		sum, all := 0, 0
		for j := range b.done {
			sum += b.done[j]
			if all >= 0 && b.total[j] >= 0 {
				all += b.total[j]
			} else {
				all = -1
			}
		}
		b.bar.update(sum, all)
	}
}
