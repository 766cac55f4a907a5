package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// yearsHistory is two years of a main line (a commit every five days,
// files renamed now and then) with a branch merged at its end, begun a
// month before; "old" is the main line four months before its end.
func yearsHistory(t *testing.T) *testrepos.History {
	t.Helper()
	h := testrepos.NewHistory(t)
	const day = 24 * 3600
	date := func(i int) int64 { return 1_600_000_000 + int64(i)*5*day }
	for i := range 150 {
		edits := fmt.Sprintf("f%d.go=v%d common.go=c%d", i%5, i, i)
		if i%40 == 20 {
			edits = fmt.Sprintf("f%d.go=- g%d.go=v%d", i%5, i, i-1)
		}
		if i%10 == 3 {
			edits += fmt.Sprintf(" README.md=r%d", i) // prose: out of knowledge's files
		}
		if i == 30 {
			edits += " OLD.md=o" // prose, and only in the kept part of the history
		}
		if i == 0 {
			h.Commit("m0", date(0), edits)
			continue
		}
		h.Commit(fmt.Sprintf("m%d", i), date(i), edits, fmt.Sprintf("m%d", i-1))
	}
	h.Commit("b1", date(143)+3600, "branch.go=b1 f1.go=bf1", "m142")
	h.Commit("main", date(150), "", "m149", "b1")
	h.Branch("main", "main")
	h.Branch("old", "m125")
	h.Build("main")
	return h
}

// The analyses' kept results (analysis.RunFrom) give the output of a run
// without the cache: a run after new commits resumes from them (--stats
// says so), each command line keeps its own, and neither a mailmap that
// makes the author a bot nor attributes that make a file vendored are
// hidden by results kept before them.
func TestKeptResultsAreTheRunsWithoutTheCache(t *testing.T) {
	testrepos.IsolateGit(t)
	h := yearsHistory(t)
	cache := t.TempDir()
	for _, cmd := range [][]string{
		{"churn"}, {"churn", "--by", "author"}, {"coupling", "--min-revs", "1", "--min-shared", "1"},
		{"churn", "--by", "author", "--bots", "include"}, {"authors"}, {"ownership"}, {"authors", "--no-mailmap"}, {"hotspots"}, {"hotspots", "--sort", "churn"},
		{"summary"}, {"age", "--now", "2030-01-01"}, {"knowledge"}, {"knowledge", "--churn", "--view", "files"},
	} {
		run := func(rev string, flags ...string) (string, string) {
			t.Helper()
			args := append(append([]string{}, cmd...), h.Dir, "--format", "csv")
			if rev != "" {
				args = append(args, rev)
			}
			return mustRun(t, append(args, flags...)...)
		}
		name := strings.Join(cmd, " ")
		want, _ := run("old", "--no-cache")
		if got, _ := run("old", "--cache", cache); got != want {
			t.Errorf("%s old: the cold run differs from the run without the cache:\n%s\nwant\n%s", name, got, want)
		}
		want, _ = run("", "--no-cache")
		got, stderr := run("", "--cache", cache, "--stats")
		if got != want {
			t.Errorf("%s: the run after new commits differs from the run without the cache:\n%s\nwant\n%s", name, got, want)
		}
		if !strings.Contains(stderr, "results: resumed") {
			t.Errorf("%s: the run after new commits did not resume: %s", name, stderr)
		}
		if got, stderr = run("", "--cache", cache, "--stats"); got != want || !strings.Contains(stderr, "results: resumed") {
			t.Errorf("%s: the re-run differs, or did not resume:\n%s\n%s", name, got, stderr)
		}
	}

	// The report keeps the results of its twelve analyses: its page's data
	// is a run's without the cache.
	page := func(rev string, flags ...string) (map[string]string, string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "report.html")
		args := append([]string{"report", h.Dir, "--now", "2030-01-01T00:00:00Z", "-o", out, "--stats"}, flags...)
		if rev != "" {
			args = append(args, rev)
		}
		_, stderr, code := runGitwalk(t, args...)
		if code != 0 {
			t.Fatalf("report %v: exit %d: %s", args, code, stderr)
		}
		b, err := os.ReadFile(out)
		must(t, err)
		data := map[string]string{}
		for _, m := range pageData.FindAllStringSubmatch(string(b), -1) {
			data[m[1]] = m[2]
		}
		delete(data, "meta") // the time it was made
		return data, stderr
	}
	page("old", "--cache", cache)
	want, _ := page("", "--no-cache")
	got, stderr := page("", "--cache", cache)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the report after new commits differs from the report without the cache")
	}
	if !strings.Contains(stderr, "results: resumed") || len(want) < 10 {
		t.Errorf("the report after new commits did not resume, or has %d sections: %s", len(want), stderr)
	}

	// The author becomes a bot through mailmap.blob: churn by author then
	// counts no one, kept results or not.
	before, _ := mustRun(t, "churn", h.Dir, "--format", "csv", "--by", "author", "--cache", cache)
	file := filepath.Join(t.TempDir(), "mailmap")
	must(t, os.WriteFile(file, []byte("dependabot[bot] <a@example.com>\n"), 0o644))
	h.Git("config", "mailmap.blob", strings.TrimSpace(h.Git("hash-object", "-w", file)))
	warm, _ := mustRun(t, "churn", h.Dir, "--format", "csv", "--by", "author", "--cache", cache)
	fresh, _ := mustRun(t, "churn", h.Dir, "--format", "csv", "--by", "author", "--no-cache")
	if warm != fresh {
		t.Errorf("after the mailmap changed, the run with the cache differs:\n%s\nwant\n%s", warm, fresh)
	}
	if warm == before {
		t.Error("the mailmap changed nothing: the test proves nothing")
	}

	// A file becomes vendored through the linguist attributes: churn then
	// leaves it out of the kept part of the history too.
	before, _ = mustRun(t, "churn", h.Dir, "--format", "csv", "--cache", cache)
	info := filepath.Join(strings.TrimSpace(h.Git("rev-parse", "--absolute-git-dir")), "info")
	must(t, os.MkdirAll(info, 0o755))
	must(t, os.WriteFile(filepath.Join(info, "attributes"), []byte("common.go linguist-vendored\n"), 0o644))
	warm, _ = mustRun(t, "churn", h.Dir, "--format", "csv", "--cache", cache)
	fresh, _ = mustRun(t, "churn", h.Dir, "--format", "csv", "--no-cache")
	if warm != fresh {
		t.Errorf("after a file became vendored, the run with the cache differs:\n%s\nwant\n%s", warm, fresh)
	}
	if warm == before || strings.Contains(fresh, "common.go") {
		t.Errorf("the attributes changed nothing: the test proves nothing:\n%s", fresh)
	}
}

// A build names the program when it says what it was built from whole:
// a module version or a commit of an unchanged checkout; a checkout with
// changes, or a build that names neither, is named by its file instead.
// Two builds that differ in a setting or a dependency are two programs.
func TestBuildIdentityNamesOnlyWholeBuilds(t *testing.T) {
	build := func(version string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/gitwalk/gitwalk", Version: version},
			Deps: []*debug.Module{{Path: "go.etcd.io/bbolt", Version: "v1.4.0", Sum: "h1:x"}}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	for _, c := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
	}{
		{"a module version", build("v1.2.3", "-tags", "netgo"), true},
		{"a clean checkout", build("(devel)", "vcs.revision", "abc", "vcs.modified", "false"), true},
		{"a changed checkout", build("(devel)", "vcs.revision", "abc", "vcs.modified", "true"), false},
		{"a version of a changed checkout", build("v0.0.0-20261207-abc+dirty", "vcs.revision", "abc", "vcs.modified", "true"), false},
		{"a version marked dirty", build("v0.0.0-20261207-abc+dirty"), false},
		{"go run or go test", build("(devel)"), false},
		{"no version at all", build(""), false},
	} {
		if _, ok := buildIdentity(c.bi); ok != c.ok {
			t.Errorf("%s: named %t, want %t", c.name, ok, c.ok)
		}
	}
	a, _ := buildIdentity(build("v1.2.3"))
	b, _ := buildIdentity(build("v1.2.3", "-tags", "netgo"))
	other := build("v1.2.3")
	other.Deps[0].Version = "v1.4.1"
	c, _ := buildIdentity(other)
	if a == b || a == c {
		t.Errorf("builds with other settings or dependencies are named alike: %q %q %q", a, b, c)
	}
}
