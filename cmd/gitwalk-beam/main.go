// Command gitwalk-beam runs gitwalk over many repositories as an Apache
// Beam pipeline (Go SDK): on Prism, the SDK's local runner, by default, or
// on Flink, Spark or Dataflow. Each listed repository is planned into
// shards of its commits (windows of one pinned revision walk), each shard is
// walked on a worker by gitwalk's own engine (walker and analysis, with one
// arena pool and one reader pool per worker process), the walk's commits and
// changes are written as Parquet tables (package export), and the commits
// cross the wire as records (walker.Commit's encoding) to one step per
// repository that follows files through renames in walk order and counts
// them with the analysis's own code (analysis.Follower, churn's Observe);
// repositories are merged by the analysis's own Merge. Per repository, the
// churn JSON is byte for byte `gitwalk churn --format json`'s.
//
// Usage:
//
//	gitwalk-beam --repos FILE --out DIR [flags] [Beam flags: --runner, --endpoint, ...]
//
// It lives in its own Go module so that the gitwalk CLI does not depend on
// Beam. See README.md for the outputs, the runners and what a worker needs.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/flink"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/spark"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func reflectTypeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

func main() {
	var cfg Config
	var include, exclude stringList
	repos := flag.String("repos", "", "file listing the repositories, one path a line (# comments; local or gs:// path)")
	flag.StringVar(&cfg.Out, "out", "", "output folder: commits/, changes/ (Parquet), churn/ per repository, churn.json, repositories.json")
	flag.StringVar(&cfg.Rev, "rev", "HEAD", "the revision walked in each repository")
	flag.IntVar(&cfg.ShardSize, "shard-size", 20000, "commits per shard; a repository with more is walked in several (0: one shard each)")
	flag.StringVar(&cfg.By, "by", "file", "churn grouping: file, dir, author, day, week or month")
	flag.Var(&include, "include", "count only files matching GLOB (repeatable), as gitwalk churn --include")
	flag.Var(&exclude, "exclude", "leave out files matching GLOB (repeatable), as gitwalk churn --exclude")
	flag.StringVar(&cfg.Merges, "merges", "exclude", "how merges count: exclude, first-parent or include (as gitwalk)")
	flag.StringVar(&cfg.Bots, "bots", "exclude", "bot authors in author-based analyses: exclude, include or only")
	flag.BoolVar(&cfg.NoDefaultExcludes, "no-default-excludes", false, "count generated, vendored, lock and minified files too")
	flag.IntVar(&cfg.MaxChangeset, "max-changeset", 0, "leave out commits changing more than N files (0: no limit)")
	flag.BoolVar(&cfg.NoRenames, "no-renames", false, "no rename detection: files are counted by path, not followed through renames (as gitwalk --no-renames)")
	flag.BoolVar(&cfg.StopOnError, "stop-on-error", false, "fail the run on a missing, damaged or shallow repository instead of leaving it out")
	flag.BoolVar(&cfg.NoParquet, "no-parquet", false, "write the analyses only, not the commits and changes tables")
	flag.Parse()
	cfg.Include, cfg.Exclude = include, exclude
	beam.Init()

	if err := run(context.Background(), cfg, *repos); err != nil {
		fmt.Fprintf(os.Stderr, "gitwalk-beam: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg Config, repos string) error {
	if repos == "" {
		return fmt.Errorf("--repos is required: a file listing the repositories, one path a line")
	}
	if err := cfg.check(); err != nil {
		return err
	}
	// Relative paths are the launcher's: make them absolute before they
	// travel to workers that may run elsewhere (a local run's loopback
	// workers share the folder, a cluster's need absolute or remote paths).
	if !strings.Contains(cfg.Out, "://") {
		abs, err := filepath.Abs(cfg.Out)
		if err != nil {
			return err
		}
		cfg.Out = abs
	}
	if !strings.Contains(repos, "://") {
		abs, err := filepath.Abs(repos)
		if err != nil {
			return err
		}
		repos, cfg.ListDir = abs, filepath.Dir(abs)
	}
	p, s := beam.NewPipelineWithRoot()
	Build(s, cfg, repos)
	if err := withPrivateTemp(func() error { return beamx.Run(ctx, p) }); err != nil {
		return err
	}
	return report(cfg.Out)
}

// withPrivateTemp runs fn with TMPDIR set to a folder of its own, removed
// afterwards: the Go SDK's loopback runner (Prism's) leaves an empty
// beamloopbackworker-* file in the temporary folder at every run (its
// runnerlib.Execute, Beam issue 27569), and a nightly run must not fill
// /tmp with them.
func withPrivateTemp(fn func() error) error {
	dir, err := os.MkdirTemp("", "gitwalk-beam-")
	if err != nil {
		return fn()
	}
	defer os.RemoveAll(dir)
	old, had := os.LookupEnv("TMPDIR")
	os.Setenv("TMPDIR", dir)
	defer func() {
		if had {
			os.Setenv("TMPDIR", old)
		} else {
			os.Unsetenv("TMPDIR")
		}
	}()
	return fn()
}

// report says on stderr what the run counted and left out, when the
// manifest is on a local disk (a cluster's run may still be going).
func report(out string) error {
	data, err := os.ReadFile(filepath.Join(out, "repositories.json"))
	if err != nil {
		return nil
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("read the run's manifest: %w", err)
	}
	fmt.Fprintf(os.Stderr, "gitwalk-beam: %d repositories, %d commits in %d shards\n", len(m.Repositories), m.Commits, m.Shards)
	for _, l := range m.LeftOut {
		fmt.Fprintf(os.Stderr, "gitwalk-beam: left out %s: %s\n", l.Repository, l.Reason)
	}
	return nil
}
