package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/walker"
)

// maxIdleRepos bounds the repositories a worker process keeps open while no
// shard of theirs is being walked: a run over thousands of repositories must
// not hold thousands of mapped packs.
const maxIdleRepos = 8

// worker is what one worker process shares between the shards it walks, in
// every bundle and on every goroutine the SDK harness runs DoFns on: one
// arena pool for all walks, and per repository one open Repo with one pool
// of object readers and the analyses' scope. Beam gives DoFn instances no
// process-wide hook, so this is the one package-level variable, made on
// first use; it holds only caches, and results never depend on it.
var worker struct {
	once   sync.Once
	arenas *arena.Pool

	mu    sync.Mutex
	repos map[string]*openRepo
	clock int
}

// openRepo is an open repository and what its walks share.
type openRepo struct {
	path       string
	repo       *walker.Repo
	readers    *walker.ReaderPool
	scope      analysis.Scope
	ignoreFrom string
	refs       int // shards using it now
	used       int // worker.clock at its last release
}

// arenas returns the process's arena pool, as many arenas as cores: walks
// running at once on the process take turns for them, so memory stays
// bounded however many bundles the harness runs in parallel.
func arenas() *arena.Pool {
	worker.once.Do(func() { worker.arenas = walker.NewArenaPool(runtime.GOMAXPROCS(0)) })
	return worker.arenas
}

// problem is a repository's reason to be left out of the run.
type problem struct{ reason string }

func (p *problem) Error() string { return p.reason }

// leftOut makes err a reason to leave a repository out (or, with
// --stop-on-error, to stop the run).
func leftOut(format string, args ...any) error { return &problem{fmt.Sprintf(format, args...)} }

// acquire returns the open repository at path, opening it on first use.
// Release it with release. Errors are *problem: the path is missing, is not
// a repository of its own, is shallow, or its configuration cannot be read.
func acquire(path string, noDefaultExcludes bool) (*openRepo, error) {
	worker.mu.Lock()
	defer worker.mu.Unlock()
	if worker.repos == nil {
		worker.repos = map[string]*openRepo{}
	}
	key := fmt.Sprintf("%s\x00%v", path, noDefaultExcludes)
	if r := worker.repos[key]; r != nil {
		r.refs++
		return r, nil
	}
	r, err := open(path, noDefaultExcludes)
	if err != nil {
		return nil, err
	}
	r.refs = 1
	worker.repos[key] = r
	return r, nil
}

// release gives back a repository from acquire, and closes the idle ones
// beyond maxIdleRepos, least recently used first.
func release(r *openRepo) {
	worker.mu.Lock()
	defer worker.mu.Unlock()
	worker.clock++
	r.refs--
	r.used = worker.clock
	for {
		var idle []string
		oldest := ""
		for k, o := range worker.repos {
			if o.refs == 0 {
				idle = append(idle, k)
				if oldest == "" || o.used < worker.repos[oldest].used {
					oldest = k
				}
			}
		}
		if len(idle) <= maxIdleRepos {
			return
		}
		o := worker.repos[oldest]
		delete(worker.repos, oldest)
		o.readers.Close()
		o.repo.Close()
	}
}

// open opens a listed repository. A path inside another repository's work
// tree (or any folder git would find a repository above) is not taken for
// that repository: a list names repositories, and walking the enclosing one
// instead would count another project.
func open(path string, noDefaultExcludes bool) (*openRepo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, leftOut("%s: %v", path, err)
	}
	if _, err := os.Stat(abs); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, leftOut("missing: %s does not exist", path)
		}
		return nil, leftOut("unreadable: %v", err)
	}
	repo, err := walker.Open(abs)
	if err != nil {
		return nil, leftOut("not a repository: %v", err)
	}
	if !sameDir(repo.GitDir(), abs) && !sameDir(repo.WorkTree(), abs) {
		where := repo.GitDir()
		repo.Close()
		return nil, leftOut("not a repository: %s is inside %s", path, where)
	}
	// A shallow clone's history stops at its shallow commits: what it gives
	// is not the project's history, so it is reported rather than counted.
	if _, err := os.Stat(filepath.Join(repo.GitDir(), "shallow")); err == nil {
		repo.Close()
		return nil, leftOut("shallow: %s is a shallow clone (its history is cut; fetch with --unshallow)", path)
	}
	r := &openRepo{path: path, repo: repo}
	fail := func(err error) (*openRepo, error) {
		repo.Close()
		return nil, leftOut("damaged: %v", err)
	}
	if r.readers, err = repo.NewReaderPool(runtime.GOMAXPROCS(0), 0); err != nil {
		return fail(err)
	}
	// The scope the CLI builds (cmd/internal/cli's scopeArgs.build): the mailmap
	// for bots, blame.ignoreRevsFile, and the default exclusions.
	if mm, _ := repo.Mailmap(); mm != nil {
		r.scope.Mailmap = mm
	}
	if r.scope.IgnoreRevs, r.ignoreFrom, err = analysis.ReadIgnoreRevs(repo, ""); err != nil {
		r.readers.Close()
		return fail(err)
	}
	if !noDefaultExcludes {
		r.scope.Exclude = analysis.RepoExclude(repo)
	}
	return r, nil
}

func sameDir(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	ea, err1 := filepath.EvalSymlinks(a)
	eb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ea == eb
}
