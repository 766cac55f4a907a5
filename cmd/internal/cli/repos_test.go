package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// reposFolder makes a folder of fixture repositories for --repos: content
// and renames, people as a work tree (its .mailmap and attributes read from
// the checkout), and content again under another folder name, plus a
// folder that is no repository and a repository nested one level down,
// which --repos DIR must not take.
func reposFolder(t *testing.T) string {
	t.Helper()
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	for _, c := range []struct{ fixture, as string }{
		{"content", "content.git"}, {"renames", "renames.git"}, {"content", "copy-of-content"},
	} {
		if err := os.Rename(testrepos.Path(t, c.fixture), filepath.Join(dir, c.as)); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, "", "clone", "-q", testrepos.Path(t, "people"), filepath.Join(dir, "people"))
	if err := os.MkdirAll(filepath.Join(dir, "plain", "nested"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitRun(t, "", "clone", "-q", "--bare", testrepos.Path(t, "order"), filepath.Join(dir, "plain", "nested", "order.git"))
	return dir
}

// reposOf lists the repositories the folder's --repos run names, in order.
var reposOf = map[string]string{
	"content": "content.git", "copy-of-content": "copy-of-content", "people": "people", "renames": "renames.git",
}

// splitNDJSON takes a multi-repository NDJSON output apart: each
// repository's rows with the repository key taken out, which must give
// the single-repository rows byte for byte.
func splitNDJSON(t *testing.T, out string) map[string][]string {
	t.Helper()
	rows := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		rest, ok := strings.CutPrefix(line, `{"repository":"`)
		if !ok {
			t.Fatalf("row without a repository first: %s", line)
		}
		name, rest, _ := strings.Cut(rest, `",`)
		rows[name] = append(rows[name], "{"+rest)
	}
	return rows
}

func TestReposEachRepositorysRowsAreItsSingleRunsRows(t *testing.T) {
	dir := reposFolder(t)
	for _, args := range [][]string{
		{"churn"},
		{"churn", "--by", "dir"},
		{"files"},
		{"hotspots"},
		{"age", "--now", "2024-06-01"},
		{"coupling", "--min-revs", "1", "--min-shared", "1", "--min-coupling", "1"},
		{"ownership"},
		{"knowledge", "--view", "files"},
		{"churn", "--top", "2", "--all"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, _ := mustRun(t, append(append([]string{}, args...), "--repos", dir, "--format", "ndjson")...)
			got := splitNDJSON(t, out)
			for name, folder := range reposOf {
				single, _ := mustRun(t, append(append([]string{}, args...), "-C", filepath.Join(dir, folder), "--format", "ndjson")...)
				want := strings.Split(strings.TrimSuffix(single, "\n"), "\n")
				if single == "" {
					want = nil
				}
				if strings.Join(got[name], "\n") != strings.Join(want, "\n") {
					t.Errorf("%s's rows in the run of several:\n%s\nwant its own run's:\n%s", name,
						strings.Join(got[name], "\n"), strings.Join(want, "\n"))
				}
				delete(got, name)
			}
			if len(got) > 0 {
				t.Errorf("rows of repositories the folder does not hold directly: %v", keys(got))
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// personRepo makes a work tree whose commits are by the given authors,
// each adding a file of n lines, with .mailmap committed first when given.
func personRepo(t *testing.T, dir, mailmap string, commits []struct {
	author string
	lines  int
}) {
	t.Helper()
	gitRun(t, "", "init", "-q", "-b", "main", dir)
	t.Setenv("GIT_COMMITTER_NAME", "C")
	t.Setenv("GIT_COMMITTER_EMAIL", "c@example.com")
	t.Setenv("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
	if mailmap != "" {
		must(t, os.WriteFile(filepath.Join(dir, ".mailmap"), []byte(mailmap), 0o644))
		gitRun(t, dir, "add", ".mailmap")
		gitRun(t, dir, "commit", "-q", "--author", "Keeper <keeper@example.com>", "--date", "2024-01-01T00:00:00Z", "-m", "mailmap")
	}
	for i, c := range commits {
		name := fmt.Sprintf("f%d.txt", i)
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(strings.Repeat("line\n", c.lines)), 0o644))
		gitRun(t, dir, "add", name)
		gitRun(t, dir, "commit", "-q", "--author", c.author, "--date", fmt.Sprintf("2024-01-%02dT00:00:00Z", i+2), "-m", name)
	}
}

// peopleFolder holds two repositories where Pat commits under a different
// email in each, both mapped to one identity by each repository's own
// .mailmap, and Sam commits with the same email in both.
func peopleFolder(t *testing.T) string {
	t.Helper()
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	type c = struct {
		author string
		lines  int
	}
	personRepo(t, filepath.Join(dir, "alpha"), "Pat Jones <pat@example.com> <pat@alpha.example>\n",
		[]c{{"Pat <pat@alpha.example>", 3}, {"Sam <sam@example.com>", 5}, {"Pat <pat@alpha.example>", 2}})
	personRepo(t, filepath.Join(dir, "beta"), "Pat Jones <pat@example.com> P. Jones <pat@beta.example>\n",
		[]c{{"P. Jones <pat@beta.example>", 7}, {"Sam <sam@example.com>", 1}})
	return dir
}

type authorJSON struct {
	Author, Email  string
	Commits, Files int
	Added, Deleted int
	First, Last    string
}

func authorsJSON(t *testing.T, args ...string) (map[string]authorJSON, map[string]any) {
	t.Helper()
	out, _ := mustRun(t, append([]string{"authors", "--format", "json"}, args...)...)
	var doc struct {
		Options map[string]any
		Rows    []authorJSON
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("authors JSON: %v\n%s", err, out)
	}
	m := map[string]authorJSON{}
	for _, r := range doc.Rows {
		m[r.Author+" <"+r.Email+">"] = r
	}
	return m, doc.Options
}

func TestReposAuthorsAcrossRepositoriesAreTheSumOfSingleRunsWithIdentitiesMerged(t *testing.T) {
	for _, mk := range []func(*testing.T) string{peopleFolder, reposFolder} {
		dir := mk(t)
		got, _ := authorsJSON(t, "--repos", dir)
		want := map[string]authorJSON{}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() == "plain" {
				continue
			}
			single, _ := authorsJSON(t, "-C", filepath.Join(dir, e.Name()))
			for k, r := range single {
				w, ok := want[k]
				if !ok {
					want[k] = r
					continue
				}
				w.Commits += r.Commits
				w.Files += r.Files // a file is one of its repository
				w.Added += r.Added
				w.Deleted += r.Deleted
				w.First, w.Last = min(w.First, r.First), max(w.Last, r.Last)
				want[k] = w
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("authors over %s:\n%v\nwant the single runs' sums:\n%v", dir, got, want)
		}
	}
	// The constructed case, checked against what it must be: Pat is one
	// person with 3 commits through two mailmaps, Sam one with 2.
	got, _ := authorsJSON(t, "--repos", peopleFolder(t))
	if p := got["Pat Jones <pat@example.com>"]; p.Commits != 3 || p.Added != 12 || p.Files != 3 {
		t.Errorf("Pat across two mailmaps: %+v; want 3 commits, 3 files, 12 lines", p)
	}
	if s := got["Sam <sam@example.com>"]; s.Commits != 2 || s.Added != 6 || s.Files != 2 {
		t.Errorf("Sam with one email in both: %+v; want 2 commits, 2 files (one per repository), 6 lines", s)
	}
	if len(got) != 3 {
		t.Errorf("authors %v: want Pat Jones, Sam and Keeper", keys(got))
	}
}

func TestReposIdentitiesAcrossRepositoriesKeepEachRepositorysMailmap(t *testing.T) {
	dir := peopleFolder(t)
	out, _ := mustRun(t, "identities", "--repos", dir, "--format", "csv")
	want := "name,email,canonical_name,canonical_email,commits,bot\n" +
		"Keeper,keeper@example.com,Keeper,keeper@example.com,2,no\n" +
		"Pat,pat@alpha.example,Pat Jones,pat@example.com,2,no\n" +
		"P. Jones,pat@beta.example,Pat Jones,pat@example.com,1,no\n" +
		"Sam,sam@example.com,Sam,sam@example.com,2,no\n"
	if out != want {
		t.Errorf("identities across two mailmaps:\n%s\nwant\n%s", out, want)
	}
}

func TestReposSummaryAcrossRepositoriesAddsUp(t *testing.T) {
	dir := reposFolder(t)
	got := summaryFigures(t, mustOut(t, "summary", "--repos", dir, "--all"))
	sums := map[string]int{}
	for _, folder := range reposOf {
		for k, v := range summaryFigures(t, mustOut(t, "summary", "-C", filepath.Join(dir, folder), "--all")) {
			var n int
			if _, err := fmt.Sscan(v, &n); err == nil && !strings.Contains(v, "-") {
				sums[k] += n
			}
		}
	}
	for _, k := range []string{"commits", "merges", "files", "added", "deleted", "bot_commits"} {
		if got[k] != fmt.Sprint(sums[k]) {
			t.Errorf("summary %s = %s over the folder; the single runs add up to %d", k, got[k], sums[k])
		}
	}
	if got["repositories"] != "4" || got["repositories_left_out"] != "0" {
		t.Errorf("summary names %s repositories, %s left out; want 4 and 0", got["repositories"], got["repositories_left_out"])
	}
}

func mustOut(t *testing.T, args ...string) string {
	t.Helper()
	out, _ := mustRun(t, args...)
	return out
}

func TestReposOutputOfSeveralRepositoriesIsTheSameForEveryWorkerCount(t *testing.T) {
	dir := reposFolder(t)
	for _, args := range [][]string{
		{"churn", "--format", "json"}, {"authors", "--format", "json"}, {"coupling", "--format", "json", "--min-revs", "1"},
		{"summary", "--format", "json"}, {"identities", "--format", "json"}, {"knowledge", "--format", "json"},
		{"churn", "--by", "month", "--format", "json"},
	} {
		var first string
		for _, j := range []string{"1", "2", "8"} {
			out := mustOut(t, append(append([]string{}, args...), "--repos", dir, "-j", j, "--no-cache")...)
			if j == "1" {
				first = out
			} else if out != first {
				t.Errorf("%v -j %s differs from -j 1: %s", args, j, firstDifference(first, out))
			}
		}
	}
}

func TestReposBadRepositoriesAreSaidLeftOutAndSkipped(t *testing.T) {
	dir := reposFolder(t)
	damaged := filepath.Join(dir, "damaged.git")
	gitRun(t, "", "clone", "-q", "--bare", testrepos.Path(t, "merges"), damaged)
	// Its objects gone: HEAD names a commit it does not have.
	objects, _ := filepath.Glob(filepath.Join(damaged, "objects", "*"))
	for _, p := range objects {
		must(t, os.RemoveAll(p))
	}
	list := filepath.Join(dir, "list")
	must(t, os.WriteFile(list, []byte("# the repositories\ncontent.git\n\nnowhere\nplain\ndamaged.git\n  people  \n"), 0o644))

	out, stderr, code := runGitwalk(t, "churn", "--repos", list, "--format", "json")
	if code != 0 {
		t.Fatalf("churn over a list with bad entries: exit %d: %s", code, stderr)
	}
	for _, name := range []string{"nowhere", "plain", "damaged"} {
		if n := strings.Count(stderr, "gitwalk: "+name+": left out: "); n != 1 {
			t.Errorf("stderr says %d times that %s was left out; want once:\n%s", n, name, stderr)
		}
	}
	var doc struct {
		Options struct {
			LeftOut struct {
				Repositories []struct{ Name, Reason string }
			} `json:"left_out"`
			Repositories []struct {
				Name   string
				Walked bool
			}
		}
		Rows []map[string]any
	}
	must(t, json.Unmarshal([]byte(out), &doc))
	var left []string
	for _, r := range doc.Options.LeftOut.Repositories {
		left = append(left, r.Name)
	}
	if fmt.Sprint(left) != "[nowhere plain damaged]" || len(doc.Options.Repositories) != 5 {
		t.Errorf("JSON left out %v of %d repositories; want [nowhere plain damaged] of 5", left, len(doc.Options.Repositories))
	}
	seen := map[string]bool{}
	for _, r := range doc.Rows {
		seen[r["repository"].(string)] = true
	}
	if fmt.Sprint(keys(seen)) != "[content people]" {
		t.Errorf("rows of %v; want content and people", keys(seen))
	}

	_, stderr, code = runGitwalk(t, "churn", "--repos", list, "--fail-fast")
	if code == 0 || !strings.Contains(stderr, "(--fail-fast)") || strings.Count(strings.TrimSpace(stderr), "\n") > 3 {
		t.Errorf("--fail-fast: exit %d, stderr:\n%s\nwant a failure naming the first repository left out", code, stderr)
	}

	// A revision one repository lacks leaves that repository out.
	_, stderr, code = runGitwalk(t, "churn", "--repos", dir, "origin/main")
	if code != 0 || !strings.Contains(stderr, "gitwalk: content: left out: ") || strings.Contains(stderr, "people: left out: ") {
		t.Errorf("a revision only people has: exit %d, stderr:\n%s", code, stderr)
	}

	empty := filepath.Join(dir, "empty-list")
	must(t, os.WriteFile(empty, []byte("# nothing\n\n"), 0o644))
	for _, l := range []string{empty, filepath.Join(dir, "plain")} {
		_, stderr, code = runGitwalk(t, "authors", "--repos", l)
		if code != exitUsage || !strings.Contains(stderr, "names no repository") {
			t.Errorf("--repos %s: exit %d, %q; want a usage error", l, code, stderr)
		}
	}
}

func TestReposRepositoryListsReadStdinAndNameRepositoriesApart(t *testing.T) {
	dir := reposFolder(t)
	var out, errb bytes.Buffer
	in := strings.NewReader(filepath.Join(dir, "content.git") + "\n" + filepath.Join(dir, "renames.git") + "\n")
	code := execute(context.Background(), &iostreams{in: in, out: &out, errOut: &errb}, []string{"churn", "--repos", "-", "--format", "csv"}, nil)
	if code != 0 {
		t.Fatalf("--repos -: exit %d: %s", code, errb.String())
	}
	if got := keys(splitCSVRepos(t, out.String())); fmt.Sprint(got) != "[content renames]" {
		t.Errorf("--repos - walked %v", got)
	}

	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{"/x/a/api", "/x/b/api.git", "/y/web"}, "[a/api b/api web]"},
		{[]string{"/x/api/.git", "/x/api/.git", "/z/api.git"}, "[x/api z/api]"},
		{[]string{"/x/api", "/x/api.git"}, "[api api~2]"},
	} {
		var got []string
		for _, s := range nameRepos(tc.paths) {
			got = append(got, s.name)
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("names of %v: %v, want %s", tc.paths, got, tc.want)
		}
	}
}

func splitCSVRepos(t *testing.T, out string) map[string]int {
	t.Helper()
	recs := csvRecords(t, out)
	if recs[0][0] != "repository" {
		t.Fatalf("CSV header %v: want repository first", recs[0])
	}
	m := map[string]int{}
	for _, r := range recs[1:] {
		m[r[0]]++
	}
	return m
}

func TestReposRepositoryColumnOnlyWithSeveralRepositories(t *testing.T) {
	testrepos.IsolateGit(t)
	out := mustOut(t, "churn", "-C", testrepos.Path(t, "content"), "--format", "csv")
	if strings.HasPrefix(out, "repository") {
		t.Errorf("a single repository's CSV has a repository column:\n%s", out)
	}
	_, stderr, code := runGitwalk(t, "churn", "-C", testrepos.Path(t, "content"), "--repos", ".")
	if code != exitUsage || !strings.Contains(stderr, "do not go together") {
		t.Errorf("-C with --repos: exit %d, %q", code, stderr)
	}
	_, stderr, code = runGitwalk(t, "branches", "--repos", ".")
	if code != exitUsage {
		t.Errorf("branches --repos: exit %d, %q; want a usage error (branches compares one repository's)", code, stderr)
	}
}

func TestReposHelpOfEveryAnalysisMentionsReposOnce(t *testing.T) {
	for _, cmd := range []string{"churn", "authors", "coupling", "files", "hotspots", "age", "ownership", "summary",
		"knowledge", "identities", "report"} {
		out, _ := mustRun(t, cmd, "--help")
		if n := strings.Count(out, "--repos LIST"); n != 1 {
			t.Errorf("%s --help mentions --repos LIST %d times; want once", cmd, n)
		}
	}
	if out, _ := mustRun(t, "branches", "--help"); strings.Contains(out, "--repos") {
		t.Errorf("branches --help mentions --repos, which it does not take")
	}
}

// A shallow clone is walked as a single shallow repository is, and said.
func TestReposShallowCloneIsWalkedAndSaidShallow(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	for _, f := range []string{"shallow", "content"} {
		must(t, os.Rename(testrepos.Path(t, f), filepath.Join(dir, f+".git")))
	}
	out, stderr := mustRun(t, "churn", "--repos", dir, "--all", "--format", "ndjson")
	single := mustOut(t, "churn", "-C", filepath.Join(dir, "shallow.git"), "--all", "--format", "ndjson")
	if got := strings.Join(splitNDJSON(t, out)["shallow"], "\n"); got != strings.TrimSuffix(single, "\n") {
		t.Errorf("the shallow clone's rows:\n%s\nwant its own run's:\n%s", got, single)
	}
	if !strings.Contains(stderr, "gitwalk: shallow: a shallow clone") || strings.Contains(stderr, "left out: ") {
		t.Errorf("stderr %q: want the shallow clone said, nothing left out", stderr)
	}
}

// knowledge's people view covers every repository: a person's files
// authored, islands and commits are the sums of the single runs', the last
// commit the newest; the truck factor is of all the files together.
func TestReposKnowledgePeopleAreTheSumOfSingleRuns(t *testing.T) {
	for _, dir := range []string{reposFolder(t), peopleFolder(t)} {
		type person struct {
			Author                  string
			Files, Islands, Commits int
			Last                    string `json:"last-commit"`
		}
		people := func(args ...string) (map[string]person, map[string]any) {
			out := mustOut(t, append([]string{"knowledge", "--view", "people", "--all-files", "--format", "json"}, args...)...)
			var doc struct {
				Notes map[string]any
				Rows  []person
			}
			must(t, json.Unmarshal([]byte(out), &doc))
			m := map[string]person{}
			for _, p := range doc.Rows {
				m[p.Author] = p
			}
			return m, doc.Notes
		}
		got, notes := people("--repos", dir)
		want := map[string]person{}
		files := 0.0
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() == "plain" {
				continue
			}
			single, n := people("-C", filepath.Join(dir, e.Name()))
			files += n["files"].(float64)
			for k, p := range single {
				w := want[k]
				w.Author = k
				w.Files += p.Files
				w.Islands += p.Islands
				w.Commits += p.Commits
				w.Last = max(w.Last, p.Last)
				want[k] = w
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("knowledge people over %s:\n%v\nwant the single runs' sums:\n%v", dir, got, want)
		}
		if notes["files"].(float64) != files {
			t.Errorf("knowledge over %s counts %v files; the single runs %v", dir, notes["files"], files)
		}
	}
	// Pat, one person through two mailmaps, authors the most files of the
	// two repositories together (three): the truck factor's search
	// removes Pat first.
	_, notes := func() (any, map[string]any) {
		out := mustOut(t, "knowledge", "--all-files", "--format", "json", "--repos", peopleFolder(t))
		var doc struct{ Notes map[string]any }
		must(t, json.Unmarshal([]byte(out), &doc))
		return nil, doc.Notes
	}()
	if !strings.HasPrefix(fmt.Sprint(notes["truck-factor-people"]), "Pat Jones <pat@example.com>") {
		t.Errorf("truck factor people %v: want Pat Jones first, who authors the most files of the two", notes["truck-factor-people"])
	}
}

// With --missing, what each repository's walk passed over adds up in the
// JSON options of the run of several: a blobless partial clone beside a
// whole repository.
func TestReposMissingObjectsOfEveryRepositoryAreCounted(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	part := partialOf(t, knowledgeRepo(t))
	must(t, os.Rename(part, filepath.Join(dir, "part.git")))
	must(t, os.Rename(testrepos.Path(t, "content"), filepath.Join(dir, "content.git")))
	missing := func(args ...string) map[string]any {
		out := mustOut(t, append([]string{"churn", "--missing=allow-any", "--format", "json", "--no-cache"}, args...)...)
		var doc struct{ Options map[string]any }
		must(t, json.Unmarshal([]byte(out), &doc))
		m, _ := doc.Options["missing"].(map[string]any)
		return m
	}
	single := missing("-C", filepath.Join(dir, "part.git"))
	got := missing("--repos", dir)
	for _, k := range []string{"objects", "changes", "paths", "commits"} {
		if got[k] != single[k] {
			t.Errorf("missing %s: %v over the folder, %v for the partial clone alone", k, got[k], single[k])
		}
	}
	if single["objects"] == float64(0) {
		t.Error("the partial clone lacks nothing: the test checks nothing")
	}
}

// On a terminal, a run of several repositories draws one bar, of every
// repository's commits, and clears it before the output.
func TestReposDrawOneProgressBarOfEveryRepository(t *testing.T) {
	dir := reposFolder(t)
	t.Setenv("CI", "")
	t.Setenv("TERM", "xterm")
	var out, errb bytes.Buffer
	code := execute(context.Background(), &iostreams{out: &out, errOut: &errb, errIsTerm: true},
		[]string{"summary", "--repos", dir, "--format", "csv", "--no-cache"}, nil)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	commits := summaryCSV(t, out.String())["commits"]
	if !strings.Contains(errb.String(), "walking") || !strings.Contains(errb.String(), commits+"/"+commits) {
		t.Errorf("stderr on a terminal %q: want a bar that reaches %s/%s commits", errb.String(), commits, commits)
	}
}

func summaryCSV(t *testing.T, out string) map[string]string {
	t.Helper()
	recs := csvRecords(t, out)
	m := map[string]string{}
	for i, k := range recs[0] {
		m[k] = recs[1][i]
	}
	return m
}
