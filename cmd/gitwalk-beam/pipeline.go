package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/filter"
	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/export"
	"github.com/gitwalk/gitwalk/walker"
)

// Config is what every stage of the pipeline needs to know of the run. Its
// fields are exported because Beam ships the DoFns that hold it to the
// workers as JSON.
type Config struct {
	Out       string // the output folder (local path or a Beam filesystem URL: gs://...)
	Rev       string // the revision walked in every repository (default HEAD)
	ShardSize int    // commits per shard (0: one shard per repository)

	By                string   // churn's grouping
	Include, Exclude  []string // churn's path filter
	Merges            string   // exclude, first-parent or include
	Bots              string   // exclude, include or only
	NoDefaultExcludes bool
	MaxChangeset      int
	NoRenames         bool // no rename detection: files are counted by path (git log --no-renames)

	// ListDir is the folder of the list of repositories, which relative
	// paths in it are relative to ("" when the list is not on a local disk:
	// relative paths are then the workers' working folder's).
	ListDir string

	StopOnError bool // a repository that cannot be walked fails the run
	NoParquet   bool // write the analyses only
}

// check validates the settings the workers would otherwise fail on.
func (c *Config) check() error {
	if c.Out == "" {
		return errors.New("--out is required: the folder the tables and results go to")
	}
	if c.ShardSize < 0 {
		return fmt.Errorf("--shard-size %d: want 0 (no sharding) or more", c.ShardSize)
	}
	if _, err := analysis.ParseGrouping(c.By); err != nil {
		return fmt.Errorf("--by: %w", err)
	}
	if _, err := analysis.ParseBotPolicy(c.Bots); err != nil {
		return fmt.Errorf("--bots: %w", err)
	}
	if !slices.Contains([]string{"exclude", "first-parent", "include"}, c.Merges) {
		return fmt.Errorf("--merges %q: want exclude, first-parent or include", c.Merges)
	}
	if c.MaxChangeset < 0 {
		return fmt.Errorf("--max-changeset %d: want 0 (no limit) or more", c.MaxChangeset)
	}
	return c.filter().Validate()
}

// repoPath is where a listed repository is on the worker.
func (c *Config) repoPath(repo string) string {
	if c.ListDir == "" || filepath.IsAbs(repo) {
		return repo
	}
	return filepath.Join(c.ListDir, repo)
}

func (c *Config) filter() analysis.PathFilter {
	return analysis.PathFilter{Include: c.Include, Exclude: c.Exclude}
}

// churn is the analysis as configured, without the scope (which needs the
// repository): what a state made to decode into needs.
func (c *Config) churn() analysis.Analyzer {
	by, _ := analysis.ParseGrouping(c.By)
	return analysis.Scope{}.Wrap(analysis.Churn{By: by, Filter: c.filter()})
}

// walkOptions are the walk the CLI's analyses make with these settings
// (cmd/internal/cli's mergePolicy.apply), of the commit tip.
func (c *Config) walkOptions(tip walker.Hash) walker.Options {
	o := walker.Options{Revisions: []string{tip.String()}}
	switch c.Merges {
	case "exclude":
		o.NoMerges = true
	case "first-parent":
		o.FirstParent, o.DiffMerges = true, true
	case "include":
		o.DiffMerges = true
	}
	if c.NoRenames {
		o.Renames = walker.RenamesOff
	}
	return o
}

// Shard is a window of one repository's walk: the commits at positions
// [Skip, Skip+Count) of the walk of Tip, in git's order.
type Shard struct {
	Repo   string // as listed
	ID     string // the repository's name in file names
	Tip    string // the commit Rev named when the run was planned
	Index  int    // 0-based
	Shards int    // the repository's number of shards
	Skip   int
	Count  int
	Total  int // the repository's commits
}

// Result is what shards and repositories add up to. Results merge
// associatively (mergeResults), so Beam may combine them in any tree.
type Result struct {
	Repos   []string // the repositories counted, sorted
	LeftOut []Skipped
	// Commits and Shards are those walked; Planned are the repository's
	// commits and shards as planned, the same in every one of its results.
	Commits, Shards               int
	PlannedCommits, PlannedShards int
	State                         []byte // the analysis state, encoded; nil when nothing is counted
	IgnoreRevsFiles               []string
	Renames                       []string // the walks' rename modes as the CLI names them (on, off, copies)
	// Records are a shard's commits, for its repository's analysis
	// (finishRepoFn); nil once they are observed into State.
	Records []Record
}

// Record is one walked commit as bytes (walker.Commit.AppendBinary) and its
// position in the repository's walk, which the record does not hold.
type Record struct {
	Seq  int
	Data []byte
}

// Skipped is a repository left out of the run, and why.
type Skipped struct {
	Repo   string
	Reason string
}

func init() {
	register.DoFn4x1[context.Context, string, func(Shard), func(string, Result), error](&planFn{})
	register.DoFn3x1[context.Context, Shard, func(string, Result), error](&walkFn{})
	register.Combiner1[Result](&mergeFn{})
	register.DoFn4x1[context.Context, string, func(*Result) bool, func(Result), error](&finishRepoFn{})
	register.Iter1[Result]()
	register.DoFn2x1[context.Context, Result, error](&writeTotalFn{})
	register.Function2x0(listLine)
	register.Emitter1[Shard]()
	register.Emitter1[Result]()
	register.Emitter1[string]()
	register.Emitter2[string, Result]()
	beam.RegisterType(reflectTypeOf[Shard]())
	beam.RegisterType(reflectTypeOf[Result]())
	beam.RegisterType(reflectTypeOf[Record]())
}

// Build adds the run to s: the repositories listed in the file repos (one
// path a line; blank lines and lines starting with # are skipped) are
// planned into shards, the shards walked and their tables written in
// parallel; per repository, its shards' commits are analysed in walk order
// (following files through renames needs the newest commits first), and the
// repositories' analysis states are merged.
func Build(s beam.Scope, cfg Config, repos string) {
	s = s.Scope("gitwalk")
	lines := filter.Distinct(s, beam.ParDo(s, listLine, textio.Read(s, repos)))
	shards, planned := beam.ParDo2(s, &planFn{Cfg: cfg}, lines)
	// The shards of one repository come out of one planning call; without
	// the reshuffle the runner would fuse the walks to it and walk them one
	// after another on one worker.
	shards = beam.Reshuffle(s, shards)
	walked := beam.ParDo(s, &walkFn{Cfg: cfg}, shards)
	perRepo := beam.GroupByKey(s, beam.Flatten(s, walked, planned))
	repoResults := beam.ParDo(s, &finishRepoFn{Cfg: cfg}, perRepo)
	// An empty Result, merge's identity, makes the totals and the manifest
	// be written also when the list names no repository.
	all := beam.Flatten(s, repoResults, beam.Create(s, Result{}))
	beam.ParDo0(s, &writeTotalFn{Cfg: cfg}, beam.Combine(s, &mergeFn{Cfg: cfg}, all))
}

// listLine emits a line of the list that names a repository.
func listLine(line string, emit func(string)) {
	line = strings.TrimSpace(line)
	if line != "" && !strings.HasPrefix(line, "#") {
		emit(line)
	}
}

// repoID names a repository in file names: its folder's name (without
// .git) and a hash of the line that listed it, so that two repositories
// with one name do not write to the same files.
func repoID(repo string) string {
	base := strings.Trim(unsafeName.ReplaceAllString(export.RepoName(repo), "_"), ".")
	if base == "" {
		base = "repo"
	}
	sum := sha256.Sum256([]byte(repo))
	return base + "-" + hex.EncodeToString(sum[:4])
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// planFn opens a listed repository, pins Rev to a commit and counts the
// walk's commits with a walk that computes no changes, then emits the
// shards. A repository that cannot be planned is emitted as a Result that
// leaves it out (or, with StopOnError, fails the run).
type planFn struct{ Cfg Config }

func (f *planFn) ProcessElement(ctx context.Context, repo string, emit func(Shard), leave func(string, Result)) error {
	shards, err := f.plan(ctx, repo)
	if err != nil {
		var p *problem
		if !errors.As(err, &p) || f.Cfg.StopOnError {
			return fmt.Errorf("%s: %w", repo, err)
		}
		log.Warnf(ctx, "gitwalk-beam: leaving out %s: %v", repo, err)
		leave(repo, Result{LeftOut: []Skipped{{repo, err.Error()}}})
		return nil
	}
	for _, sh := range shards {
		emit(sh)
	}
	return nil
}

func (f *planFn) plan(ctx context.Context, repo string) ([]Shard, error) {
	r, err := acquire(f.Cfg.repoPath(repo), f.Cfg.NoDefaultExcludes)
	if err != nil {
		return nil, err
	}
	defer release(r)
	rev := f.Cfg.Rev
	if rev == "" {
		rev = "HEAD"
	}
	tip, err := r.repo.ResolveCommit(rev)
	if err != nil {
		return nil, leftOut("no commits: %v", err)
	}
	// Every shard walks the commit Rev named now, not Rev: a branch that
	// moves during the run would shift the windows and lose or repeat
	// commits at their edges.
	opts := f.Cfg.walkOptions(tip)
	opts.ParentsOnly = true // counted only: no commit read beyond the revision walk
	opts.Arenas = arenas()
	opts.Readers = r.readers
	total := 0
	if err := r.repo.Walk(ctx, opts, func(*walker.Commit) error { total++; return nil }); err != nil {
		return nil, leftOut("damaged: %v", err)
	}
	size := f.Cfg.ShardSize
	if size <= 0 || size > total {
		size = max(total, 1)
	}
	n := max((total+size-1)/size, 1)
	out := make([]Shard, n)
	for k := range out {
		out[k] = Shard{Repo: repo, ID: repoID(repo), Tip: tip.String(), Index: k, Shards: n,
			Skip: k * size, Count: min(size, total-k*size), Total: total}
	}
	return out, nil
}

// walkFn walks one shard with the engine (walker), writes its commits and
// changes tables and emits its commits as records, for its repository's
// analysis. The walk and its diffs, the cost, are the shards' in parallel;
// naming files through renames is not: a rename in a newer shard renames
// the file's history in older ones, so finishRepoFn does it, in walk order.
type walkFn struct{ Cfg Config }

func (f *walkFn) ProcessElement(ctx context.Context, sh Shard, emit func(string, Result)) error {
	res, err := f.walk(ctx, sh)
	if err != nil {
		var p *problem
		if !errors.As(err, &p) || f.Cfg.StopOnError {
			return fmt.Errorf("%s shard %d of %d: %w", sh.Repo, sh.Index+1, sh.Shards, err)
		}
		log.Warnf(ctx, "gitwalk-beam: leaving out %s: shard %d of %d: %v", sh.Repo, sh.Index+1, sh.Shards, err)
		res = Result{LeftOut: []Skipped{{sh.Repo, fmt.Sprintf("shard %d of %d: %v", sh.Index+1, sh.Shards, err)}}}
	}
	res.PlannedCommits, res.PlannedShards = sh.Total, sh.Shards
	emit(sh.Repo, res)
	return nil
}

func (f *walkFn) walk(ctx context.Context, sh Shard) (Result, error) {
	r, err := acquire(f.Cfg.repoPath(sh.Repo), f.Cfg.NoDefaultExcludes)
	if err != nil {
		return Result{}, err
	}
	defer release(r)
	tip, err := walker.ParseHash(sh.Tip)
	if err != nil {
		return Result{}, fmt.Errorf("planned tip %q: %w", sh.Tip, err)
	}
	opts := f.Cfg.walkOptions(tip)
	opts.Skip, opts.MaxCount = sh.Skip, sh.Count
	opts.Arenas, opts.Readers = arenas(), r.readers

	var tables *shardTables
	if !f.Cfg.NoParquet && sh.Total > 0 {
		if tables, err = createTables(ctx, f.Cfg.Out, sh, export.Options{Repository: sh.Repo,
			Mailmap: r.scope.Mailmap, Exclude: r.scope.Exclude, IgnoreRevs: r.scope.IgnoreRevs,
			MaxChangeset: f.Cfg.MaxChangeset}); err != nil {
			return Result{}, err
		}
		defer tables.abort(ctx)
	}
	records := make([]Record, 0, sh.Count)
	var writeErr error
	if sh.Total > 0 {
		err = r.repo.Walk(ctx, opts, func(c *walker.Commit) error {
			// The position in the repository's walk, not the shard's, for
			// the tables and for the repository's analysis, which reads
			// the commits in that order.
			c.Seq += sh.Skip
			if tables != nil {
				if writeErr = tables.w.Write(c); writeErr != nil {
					return writeErr
				}
			}
			var data []byte
			if data, writeErr = c.AppendBinary(nil); writeErr != nil {
				return writeErr
			}
			records = append(records, Record{Seq: c.Seq, Data: data})
			return nil
		})
		if err != nil {
			// Only the repository's own errors leave it out; a table that
			// cannot be written, or a cancelled run, fails the bundle,
			// which the runner retries.
			if writeErr != nil || ctx.Err() != nil {
				return Result{}, err
			}
			return Result{}, leftOut("damaged: %v", err)
		}
	}
	if tables != nil {
		if err := tables.commit(ctx); err != nil {
			return Result{}, err
		}
	}
	res := Result{Repos: []string{sh.Repo}, Commits: len(records), Shards: 1, Records: records,
		Renames: []string{renamesText(r.repo.Renames(opts))}}
	if r.ignoreFrom != "" {
		res.IgnoreRevsFiles = []string{r.ignoreFrom}
	}
	return res, nil
}

// analyse observes a repository's commits, records in any order, into the
// churn state the CLI builds for it (the same scope and analysis), after
// naming their files with one analysis.Follower in walk order, as
// analysis.Run does; it returns the state, encoded.
func analyse(cfg Config, r *openRepo, records []Record) ([]byte, error) {
	scope := r.scope
	scope.Bots, _ = analysis.ParseBotPolicy(cfg.Bots)
	scope.MaxChangeset = cfg.MaxChangeset
	by, _ := analysis.ParseGrouping(cfg.By)
	state := scope.Wrap(analysis.Churn{By: by, Filter: cfg.filter()}).NewState()
	sort.Slice(records, func(i, j int) bool { return records[i].Seq < records[j].Seq })
	follow := analysis.NewFollower()
	for i, rec := range records {
		if i > 0 && records[i-1].Seq == rec.Seq {
			return nil, fmt.Errorf("two commits at position %d of the walk", rec.Seq)
		}
		c := new(walker.Commit)
		if err := c.UnmarshalBinary(rec.Data); err != nil {
			return nil, fmt.Errorf("commit at position %d of the walk: %w", rec.Seq, err)
		}
		c.Seq = rec.Seq
		follow.Name(c)
		state.Observe(c) // the commit is the state's to keep
	}
	return state.(*analysis.ScopedState).MarshalBinary()
}

// renamesText names a rename mode as the CLI's options do: "on" (files
// followed through renames), "copies" or "off" (by path).
func renamesText(m walker.RenameMode) string {
	switch m {
	case walker.RenamesOff:
		return "off"
	case walker.RenamesAndCopies:
		return "copies"
	}
	return "on"
}

// mergeFn merges Results, decoding their states into states of the
// configured analysis and merging them with the analysis's own Merge.
type mergeFn struct{ Cfg Config }

func (f *mergeFn) MergeAccumulators(a, b Result) (Result, error) {
	return mergeResults(f.Cfg, a, b)
}

func mergeResults(cfg Config, a, b Result) (Result, error) {
	out := Result{
		Repos:           union(a.Repos, b.Repos),
		LeftOut:         append(slices.Clone(a.LeftOut), b.LeftOut...),
		Commits:         a.Commits + b.Commits,
		Shards:          a.Shards + b.Shards,
		PlannedCommits:  max(a.PlannedCommits, b.PlannedCommits),
		PlannedShards:   max(a.PlannedShards, b.PlannedShards),
		IgnoreRevsFiles: union(a.IgnoreRevsFiles, b.IgnoreRevsFiles),
		Renames:         union(a.Renames, b.Renames),
		Records:         append(slices.Clone(a.Records), b.Records...),
	}
	sort.Slice(out.LeftOut, func(i, j int) bool {
		x, y := out.LeftOut[i], out.LeftOut[j]
		return x.Repo < y.Repo || x.Repo == y.Repo && x.Reason < y.Reason
	})
	switch {
	case a.State == nil:
		out.State = b.State
	case b.State == nil:
		out.State = a.State
	default:
		an := cfg.churn()
		sa, sb := an.NewState(), an.NewState()
		if err := decode(sa, a.State); err != nil {
			return Result{}, err
		}
		if err := decode(sb, b.State); err != nil {
			return Result{}, err
		}
		sa.Merge(sb)
		st, err := sa.(*analysis.ScopedState).MarshalBinary()
		if err != nil {
			return Result{}, err
		}
		out.State = st
	}
	return out, nil
}

func decode(s analysis.State, b []byte) error {
	return s.(*analysis.ScopedState).UnmarshalBinary(b)
}

// union returns the sorted union of two sorted lists.
func union(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// finishRepoFn checks a repository's shards against its plan: every shard
// walked once, every planned commit counted once. A repository with a shard
// left out, or whose counts disagree, is left out whole (its tables are
// removed), never counted in part. Otherwise it analyses the repository's
// commits in walk order (analyse) and writes its own churn JSON. This is
// the serial part of a repository: its records (some hundred bytes a
// commit) are held in one worker's memory, and reading them is cheap next
// to the walks' diffs.
type finishRepoFn struct{ Cfg Config }

func (f *finishRepoFn) ProcessElement(ctx context.Context, repo string, results func(*Result) bool, emit func(Result)) error {
	var res Result
	var records []Record
	var r Result
	for results(&r) {
		records = append(records, r.Records...)
		r.Records = nil
		merged, err := mergeResults(f.Cfg, res, r)
		if err != nil {
			return err
		}
		res, r = merged, Result{}
	}
	if len(res.LeftOut) == 0 && (res.Shards != res.PlannedShards || res.Commits != res.PlannedCommits || len(records) != res.Commits) {
		reason := fmt.Sprintf("walked %d commits in %d shards, planned %d in %d (did the repository change during the run?)",
			res.Commits, res.Shards, res.PlannedCommits, res.PlannedShards)
		if f.Cfg.StopOnError {
			return fmt.Errorf("%s: %s", repo, reason)
		}
		res.LeftOut = []Skipped{{repo, reason}}
	}
	if len(res.LeftOut) == 0 {
		if err := f.analyse(repo, &res, records); err != nil {
			var p *problem
			if !errors.As(err, &p) || f.Cfg.StopOnError {
				return fmt.Errorf("%s: %w", repo, err)
			}
			log.Warnf(ctx, "gitwalk-beam: leaving out %s: %v", repo, err)
			res.LeftOut = []Skipped{{repo, err.Error()}}
		}
	}
	if len(res.LeftOut) > 0 {
		if !f.Cfg.NoParquet {
			if err := removeTables(ctx, f.Cfg.Out, repoID(repo)); err != nil {
				return err
			}
		}
		emit(Result{LeftOut: res.LeftOut})
		return nil
	}
	if err := writeChurn(ctx, f.Cfg, path.Join(f.Cfg.Out, "churn", repoID(repo)+".json"), res); err != nil {
		return err
	}
	emit(res)
	return nil
}

// analyse sets res.State to the analysis of the repository's records.
func (f *finishRepoFn) analyse(repo string, res *Result, records []Record) error {
	r, err := acquire(f.Cfg.repoPath(repo), f.Cfg.NoDefaultExcludes)
	if err != nil {
		return err
	}
	defer release(r)
	res.State, err = analyse(f.Cfg, r, records)
	return err
}

// writeTotalFn writes the churn of every repository together and the
// run's manifest: the repositories counted and those left out, and why.
type writeTotalFn struct{ Cfg Config }

func (f *writeTotalFn) ProcessElement(ctx context.Context, res Result) error {
	if err := writeChurn(ctx, f.Cfg, path.Join(f.Cfg.Out, "churn.json"), res); err != nil {
		return err
	}
	if !strings.Contains(f.Cfg.Out, "://") {
		os.Remove(filepath.Join(f.Cfg.Out, tmpDir)) // every shard has renamed its files: empty, or a failed shard's leftovers stay for a look
	}
	return writeManifest(ctx, path.Join(f.Cfg.Out, "repositories.json"), res)
}

// writeFile writes data to name on the filesystem its scheme names.
func writeFile(ctx context.Context, name string, data []byte) error {
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, name)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
