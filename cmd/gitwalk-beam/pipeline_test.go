package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/gitwalk/gitwalk/bench/repogen"
	"github.com/gitwalk/gitwalk/export"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/parquet-go/parquet-go"
)

// cli is the gitwalk CLI built from the parent module, the oracle the
// pipeline's results are compared with.
var cli string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "gitwalk-beam-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		cli = filepath.Join(dir, "gitwalk")
		build := exec.Command("go", "build", "-C", filepath.Join("..", ".."), "-o", cli, "./cmd/gitwalk")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build the gitwalk CLI: %v\n%s", err, out)
			return 1
		}
		var code int
		withPrivateTemp(func() error { code = ptest.MainRet(m); return nil })
		return code
	}())
}

// runPipeline runs the pipeline on Prism over repos (written to a list
// file, one a line) and returns the output folder.
func runPipeline(t *testing.T, cfg Config, repos ...string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	list := filepath.Join(dir, "repos.txt")
	if err := os.WriteFile(list, []byte("# the test's repositories\n\n"+strings.Join(repos, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Out, cfg.ListDir = filepath.Join(dir, "out"), dir
	if cfg.Rev == "" {
		cfg.Rev = "HEAD"
	}
	for def, v := range map[string]*string{"file": &cfg.By, "exclude": &cfg.Merges} {
		if *v == "" {
			*v = def
		}
	}
	if cfg.Bots == "" {
		cfg.Bots = "exclude"
	}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	p, s := beam.NewPipelineWithRoot()
	Build(s, cfg, list)
	return cfg.Out, ptest.Run(p)
}

func mustRun(t *testing.T, cfg Config, repos ...string) string {
	t.Helper()
	out, err := runPipeline(t, cfg, repos...)
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	return out
}

// cliChurn is `gitwalk churn --format json ARGS` on repo.
func cliChurn(t *testing.T, repo string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(cli, append([]string{"churn", repo, "--format", "json", "--no-progress"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gitwalk churn %s: %v\n%s", repo, err, stderr.Bytes())
	}
	return out
}

func readManifest(t *testing.T, out string) Manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "repositories.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// fixtures copies the named fixtures into a folder of their own and
// returns it (the list's paths are relative to it, as a user's would be).
func fixtures(t *testing.T, names ...string) (dir string, repos []string) {
	t.Helper()
	testrepos.IsolateGit(t)
	dir = t.TempDir()
	for _, n := range names {
		if err := os.Rename(testrepos.Path(t, n), filepath.Join(dir, n+".git")); err != nil {
			t.Fatal(err)
		}
		repos = append(repos, filepath.Join(dir, n+".git"))
	}
	return dir, repos
}

// churnFixtures are the fixtures the churn comparisons run on: people and
// bots, left-out files, line-count edge cases, merges, odd and invalid UTF-8
// paths, commit order and dates, entry types, and renames (chains, swaps, a
// path reused after its file moved away, renames on branches), which a
// shard's commits can only be named by with the newer shards' renames.
var churnFixtures = []string{"people", "content", "merges", "paths", "order", "types", "renames"}

func TestChurnJSONEqualsTheCLIsForOneShardAndMany(t *testing.T) {
	_, repos := fixtures(t, churnFixtures...)
	for _, tc := range []struct {
		name string
		cfg  Config
		args []string
	}{
		{"one shard per repository", Config{ShardSize: 0, NoParquet: true}, nil},
		{"a shard per commit", Config{ShardSize: 1, NoParquet: true}, nil},
		{"shards of two commits", Config{ShardSize: 2, NoParquet: true}, nil},
		{"shards of three commits", Config{ShardSize: 3}, nil},
		{"no renames, shards of two", Config{ShardSize: 2, NoRenames: true, NoParquet: true}, []string{"--no-renames"}},
		{"no renames, a shard per commit", Config{ShardSize: 1, NoRenames: true, NoParquet: true}, []string{"--no-renames"}},
		{"merges included, shards of three", Config{ShardSize: 3, Merges: "include", NoParquet: true}, []string{"--merges", "include"}},
		{"by dir, shards of two", Config{ShardSize: 2, By: "dir", NoParquet: true}, []string{"--by", "dir"}},
		{"by author, shards of two", Config{ShardSize: 2, By: "author", NoParquet: true}, []string{"--by", "author"}},
		{"by month with merges included, shards of four", Config{ShardSize: 4, By: "month", Merges: "include", NoParquet: true},
			[]string{"--by", "month", "--merges", "include"}},
		{"first-parent, bots only, no default excludes, with a filter", Config{ShardSize: 2, By: "author", Merges: "first-parent",
			Bots: "only", NoDefaultExcludes: true, Exclude: []string{"*.md"}, NoParquet: true},
			[]string{"--by", "author", "--merges", "first-parent", "--bots", "only", "--no-default-excludes", "--exclude", "*.md"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := mustRun(t, tc.cfg, repos...)
			m := readManifest(t, out)
			if len(m.LeftOut) != 0 || len(m.Repositories) != len(repos) {
				t.Fatalf("manifest: %+v", m)
			}
			for _, repo := range repos {
				want := cliChurn(t, repo, tc.args...)
				got, err := os.ReadFile(filepath.Join(out, "churn", repoID(repo)+".json"))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: the pipeline's churn JSON differs from the CLI's\npipeline:\n%s\ncli:\n%s", filepath.Base(repo), got, want)
				}
			}
		})
	}
}

// churnJSON is the part of the churn JSON the totals test reads.
type churnJSON struct {
	Columns []string         `json:"columns"`
	Rows    []map[string]any `json:"rows"`
}

func TestTotalsAcrossRepositoriesAreTheSumsOfTheCLIs(t *testing.T) {
	_, repos := fixtures(t, "people", "content", "merges")
	out := mustRun(t, Config{ShardSize: 3, By: "author", NoParquet: true}, repos...)
	want := map[string][3]float64{}
	for _, repo := range repos {
		var c churnJSON
		if err := json.Unmarshal(cliChurn(t, repo, "--by", "author"), &c); err != nil {
			t.Fatal(err)
		}
		for _, r := range c.Rows {
			k := r["author"].(string)
			w := want[k]
			want[k] = [3]float64{w[0] + r["added"].(float64), w[1] + r["deleted"].(float64), w[2] + r["commits"].(float64)}
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "churn.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c churnJSON
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	got := map[string][3]float64{}
	for _, r := range c.Rows {
		got[r["author"].(string)] = [3]float64{r["added"].(float64), r["deleted"].(float64), r["commits"].(float64)}
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("churn.json by author:\n%v\nsums of the CLI's per repository:\n%v", got, want)
	}
}

// readRows reads every row of the tables under out/dir.
func readRows[T any](t *testing.T, out, dir string) []T {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(out, dir, "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []T
	for _, f := range files {
		r, err := parquet.ReadFile[T](f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		rows = append(rows, r...)
	}
	return rows
}

func gitLines(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

// TestNoCommitIsLostOrCountedTwiceAcrossShards reads the commits tables
// back: every commit git lists is there once, at git's position, whatever
// the shard size, including sizes that do not divide the history.
func TestNoCommitIsLostOrCountedTwiceAcrossShards(t *testing.T) {
	dir, repos := fixtures(t, "order", "merges")
	gen := filepath.Join(dir, "generated.git")
	if err := repogen.Generate(gen, repogen.Config{Commits: 150, Files: 20, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	repos = append(repos, gen)
	for _, size := range []int{1, 2, 7, 1000} {
		t.Run(fmt.Sprintf("shards of %d", size), func(t *testing.T) {
			out := mustRun(t, Config{ShardSize: size}, repos...)
			byRepo := map[string][]export.CommitRow{}
			for _, r := range readRows[export.CommitRow](t, out, "commits") {
				byRepo[r.Repository] = append(byRepo[r.Repository], r)
			}
			m := readManifest(t, out)
			total := 0
			for _, repo := range repos {
				want := gitLines(t, repo, "rev-list", "--no-merges", "HEAD")
				rows := byRepo[repo]
				sort.Slice(rows, func(i, j int) bool { return rows[i].Seq < rows[j].Seq })
				var got []string
				for i, r := range rows {
					if r.Seq != int64(i) {
						t.Fatalf("%s: row %d has seq %d", filepath.Base(repo), i, r.Seq)
					}
					got = append(got, r.Commit)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: %d commits in the tables, git rev-list lists %d (or another order)", filepath.Base(repo), len(got), len(want))
				}
				total += len(want)
				if size < len(want) && size > 1 {
					files, _ := filepath.Glob(filepath.Join(out, "commits", repoID(repo)+"-*.parquet"))
					if n := (len(want) + size - 1) / size; len(files) != n {
						t.Errorf("%s: %d shard files, want %d", filepath.Base(repo), len(files), n)
					}
				}
			}
			if m.Commits != total {
				t.Errorf("manifest counts %d commits, git %d", m.Commits, total)
			}
			// The generated history's churn, sharded, is the CLI's.
			got, _ := os.ReadFile(filepath.Join(out, "churn", repoID(gen)+".json"))
			if want := cliChurn(t, gen); !bytes.Equal(got, want) {
				t.Errorf("generated repository: churn JSON differs from the CLI's")
			}
		})
	}
}

// damage removes one blob of a loose-object repository, so that walking it
// fails when its changes are diffed (planning reads only commits).
func damage(t *testing.T, repo string) {
	t.Helper()
	f := gitLines(t, repo, "ls-tree", "-r", "HEAD")
	blob := ""
	for i := 0; i+3 < len(f) && blob == ""; i += 4 { // mode type id path (no spaces in this fixture's paths)
		if f[i+1] == "blob" {
			blob = f[i+2]
		}
	}
	if err := os.Remove(filepath.Join(repo, "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
}

func TestBadRepositoriesAreLeftOutAndNamed(t *testing.T) {
	dir, repos := fixtures(t, "content", "shallow", "types", "empty")
	good, shallow, damaged, empty := repos[0], repos[1], repos[2], repos[3]
	damage(t, damaged)
	plain := filepath.Join(dir, "plain")
	if err := os.Mkdir(plain, 0o755); err != nil {
		t.Fatal(err)
	}
	list := []string{good, "missing.git", shallow, damaged, plain, empty}

	out := mustRun(t, Config{ShardSize: 2}, list...)
	m := readManifest(t, out)
	if !reflect.DeepEqual(m.Repositories, []string{good}) {
		t.Errorf("counted %v, want only %s", m.Repositories, good)
	}
	want := map[string]string{"missing.git": "missing:", shallow: "shallow:", damaged: "damaged:",
		plain: "not a repository:", empty: "no commits:"}
	got := map[string]bool{}
	for _, l := range m.LeftOut {
		prefix, ok := want[l.Repository]
		if !ok {
			t.Errorf("left out %s, which is fine: %s", l.Repository, l.Reason)
			continue
		}
		// A damaged repository's reason names the shard that failed.
		if !strings.Contains(l.Reason, prefix) {
			t.Errorf("left out %s: %q, want a reason with %q", l.Repository, l.Reason, prefix)
		}
		got[l.Repository] = true
	}
	for repo := range want {
		if !got[repo] {
			t.Errorf("%s is not named in left_out: %+v", repo, m.LeftOut)
		}
	}
	// Nothing of the damaged repository is left in the tables, even of its
	// shards that were walked.
	if files, _ := filepath.Glob(filepath.Join(out, "*", repoID(damaged)+"-*.parquet")); len(files) != 0 {
		t.Errorf("tables of the damaged repository remain: %v", files)
	}
	if _, err := os.Stat(filepath.Join(out, "churn", repoID(damaged)+".json")); err == nil {
		t.Error("the damaged repository has a churn file")
	}
	// The totals are the good repository's alone.
	total, _ := os.ReadFile(filepath.Join(out, "churn.json"))
	if want := cliChurn(t, good); !bytes.Equal(total, want) {
		t.Errorf("churn.json is not the good repository's churn:\n%s\nwant\n%s", total, want)
	}

	for _, bad := range []string{"missing.git", shallow, damaged} {
		_, err := runPipeline(t, Config{ShardSize: 2, StopOnError: true}, good, bad)
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("--stop-on-error with %s: %v, want an error naming it", filepath.Base(bad), err)
		}
	}
}

func TestAnEmptyListWritesAnEmptyManifestAndChurn(t *testing.T) {
	out := mustRun(t, Config{})
	if m := readManifest(t, out); len(m.Repositories) != 0 || len(m.LeftOut) != 0 || m.Commits != 0 {
		t.Errorf("manifest of an empty list: %+v", m)
	}
	var c churnJSON
	data, err := os.ReadFile(filepath.Join(out, "churn.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &c); err != nil || len(c.Rows) != 0 || len(c.Columns) == 0 {
		t.Errorf("churn.json of an empty list: %v %s", err, data)
	}
}

func TestRepositoryIDsAreFileNamesAndDistinct(t *testing.T) {
	ids := map[string]string{}
	for _, repo := range []string{"a/b.git", "c/b.git", "b", "/x/y/.git", "/x/y/.git/", "odd name/ü:*?.git", "."} {
		id := repoID(repo)
		if unsafeName.MatchString(id) || strings.HasPrefix(id, "-") {
			t.Errorf("%q: id %q is not a plain file name", repo, id)
		}
		if other, ok := ids[id]; ok {
			t.Errorf("%q and %q share the id %q", repo, other, id)
		}
		ids[id] = repo
	}
	if id := repoID("/x/y/.git"); !strings.HasPrefix(id, "y-") {
		t.Errorf("/x/y/.git: id %q, want it named y", id)
	}
}

// TestTablesHoldTheSameRowsForAnyShardSize compares the tables as sets of
// rows: sharded, unsharded, and written by package export over one whole
// walk of each repository, as a single-process export would.
func TestTablesHoldTheSameRowsForAnyShardSize(t *testing.T) {
	_, repos := fixtures(t, "people", "content", "paths", "order")
	type tables struct {
		commits []export.CommitRow
		changes []export.ChangeRow
	}
	read := func(out string) tables {
		tb := tables{readRows[export.CommitRow](t, out, "commits"), readRows[export.ChangeRow](t, out, "changes")}
		sort.Slice(tb.commits, func(i, j int) bool {
			a, b := tb.commits[i], tb.commits[j]
			return a.Repository < b.Repository || a.Repository == b.Repository && a.Seq < b.Seq
		})
		sort.Slice(tb.changes, func(i, j int) bool {
			a, b := tb.changes[i], tb.changes[j]
			return a.Repository < b.Repository || a.Repository == b.Repository &&
				(a.Commit < b.Commit || a.Commit == b.Commit && a.Index < b.Index)
		})
		return tb
	}
	whole := read(mustRun(t, Config{ShardSize: 0}, repos...))
	sharded := read(mustRun(t, Config{ShardSize: 2}, repos...))

	// The same rows, written in one process by package export.
	dir := t.TempDir()
	for i, repo := range repos {
		r, err := open(repo, false)
		if err != nil {
			t.Fatal(err)
		}
		var files [2]*os.File
		for k, table := range []string{"commits", "changes"} {
			if err := os.MkdirAll(filepath.Join(dir, table), 0o755); err != nil {
				t.Fatal(err)
			}
			if files[k], err = os.Create(filepath.Join(dir, table, fmt.Sprint(i)+".parquet")); err != nil {
				t.Fatal(err)
			}
		}
		cf, chf := files[0], files[1]
		w := export.NewWriter(cf, chf, export.Options{Repository: repo, Mailmap: r.scope.Mailmap,
			Exclude: r.scope.Exclude, IgnoreRevs: r.scope.IgnoreRevs})
		cfg := Config{Merges: "exclude"}
		tip, err := r.repo.ResolveCommit("HEAD")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.repo.Walk(t.Context(), cfg.walkOptions(tip), func(c *walker.Commit) error { return w.Write(c) }); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
		r.readers.Close()
		r.repo.Close()
	}
	single := read(dir)

	if len(whole.commits) == 0 || len(whole.changes) == 0 {
		t.Fatal("no rows")
	}
	for name, tb := range map[string]tables{"sharded": sharded, "export in one process": single} {
		if !reflect.DeepEqual(tb.commits, whole.commits) {
			t.Errorf("%s: commits table (%d rows) differs from the unsharded run's (%d rows)", name, len(tb.commits), len(whole.commits))
		}
		if !reflect.DeepEqual(tb.changes, whole.changes) {
			t.Errorf("%s: changes table (%d rows) differs from the unsharded run's (%d rows)", name, len(tb.changes), len(whole.changes))
		}
	}
}
