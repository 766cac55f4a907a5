package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/export"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/parquet-go/parquet-go"
)

// exported are the two tables one `gitwalk export` run wrote.
type exported struct {
	commits []export.CommitRow
	changes []export.ChangeRow
}

// runExport runs `gitwalk export REPO ARGS... --out OUT` into a new folder
// and reads both tables back with parquet-go's reader.
func runExportCmd(t *testing.T, repo string, args ...string) exported {
	t.Helper()
	out := filepath.Join(t.TempDir(), "tables")
	argv := append([]string{"export", repo, "--out", out}, args...)
	_, stderr, code := runGitwalk(t, argv...)
	if code != 0 {
		t.Fatalf("gitwalk %s: exit %d: %s", strings.Join(argv, " "), code, stderr)
	}
	return readExport(t, out)
}

func readExport(t *testing.T, out string) exported {
	t.Helper()
	return exported{
		commits: readParquet[export.CommitRow](t, filepath.Join(out, "commits.parquet"), export.CommitsSchema),
		changes: readParquet[export.ChangeRow](t, filepath.Join(out, "changes.parquet"), export.ChangesSchema),
	}
}

// readParquet reads every row of a table file, checking its schema's name
// and version in the file's metadata.
func readParquet[T any](t *testing.T, file, schema string) []T {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := parquet.NewGenericReader[T](f)
	defer r.Close()
	if v, _ := r.File().Lookup(export.SchemaKey); v != schema {
		t.Errorf("%s: schema %q, want %q", file, v, schema)
	}
	if v, _ := r.File().Lookup(export.SchemaVersionKey); v != strconv.Itoa(export.SchemaVersion) {
		t.Errorf("%s: schema version %q, want %d", file, v, export.SchemaVersion)
	}
	rows := make([]T, r.NumRows())
	if n, err := r.Read(rows); n != len(rows) {
		t.Fatalf("%s: read %d of %d rows: %v", file, n, len(rows), err)
	}
	return rows
}

// numstatCommit is one commit of `git log --numstat --format=%H`: its id
// and, per file, added, deleted and whether it is binary.
type numstatCommit struct {
	id                    string
	files, added, deleted int
	binary                int
}

func gitNumstatCommits(t *testing.T, dir string, args ...string) []numstatCommit {
	t.Helper()
	out := gitRun(t, dir, append([]string{"log", "--numstat", "--format=%H"}, args...)...)
	var cs []numstatCommit
	for _, line := range strings.Split(out, "\n") {
		f := strings.SplitN(line, "\t", 3)
		switch {
		case len(f) == 1 && len(line) == 40:
			cs = append(cs, numstatCommit{id: line})
		case len(f) == 3:
			c := &cs[len(cs)-1]
			c.files++
			if f[0] == "-" {
				c.binary++
				continue
			}
			c.added += atoi(t, f[0])
			c.deleted += atoi(t, f[1])
		}
	}
	return cs
}

// TestExportRowsAreGitLogNumstats checks the tables against C git: one
// commit row per commit `git log` lists, in its order, and per commit as
// many change rows as it prints numstat lines, with the same sums.
func TestExportRowsAreGitLogNumstats(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, tc := range []struct {
		name, fixture string
		args, git     []string
	}{
		{"content edge cases, renames detected", "content", []string{"--all"}, []string{"--all", "--no-merges"}},
		{"content edge cases, --no-renames", "content", []string{"--all", "--no-renames"}, []string{"--all", "--no-merges", "--no-renames"}},
		{"renames followed", "renames", []string{"--all"}, []string{"--all", "--no-merges"}},
		{"renames as deletes and adds", "renames", []string{"--all", "--no-renames"}, []string{"--all", "--no-merges", "--no-renames"}},
		{"merges included, diffed against their first parent", "merges", []string{"--all", "--merges", "include"}, []string{"--all", "--diff-merges=first-parent"}},
		{"odd paths", "paths", []string{"--all"}, []string{"--all", "--no-merges"}},
		{"people, bots and excluded files", "people", []string{"--all"}, []string{"--all", "--no-merges"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testrepos.Path(t, tc.fixture)
			got := runExportCmd(t, dir, tc.args...)
			want := gitNumstatCommits(t, dir, tc.git...)
			if len(got.commits) != len(want) {
				t.Fatalf("%d commit rows, git log lists %d commits", len(got.commits), len(want))
			}
			byCommit := map[string]*numstatCommit{}
			changes := 0
			for i, r := range got.commits {
				if r.Commit != want[i].id || r.Seq != int64(i) {
					t.Fatalf("row %d: commit %s at seq %d, git log's is %s", i, r.Commit, r.Seq, want[i].id)
				}
				if r.Repository != tc.fixture {
					t.Fatalf("repository %q, want the folder's name %q", r.Repository, tc.fixture)
				}
				byCommit[r.Commit] = &numstatCommit{id: r.Commit}
				changes += want[i].files
			}
			if len(got.changes) != changes {
				t.Errorf("%d change rows, git log prints %d numstat lines", len(got.changes), changes)
			}
			for _, r := range got.changes {
				c := byCommit[r.Commit]
				if c == nil {
					t.Fatalf("change row of unknown commit %s", r.Commit)
				}
				c.files++
				c.added += int(r.Added)
				c.deleted += int(r.Deleted)
				if r.Binary {
					c.binary++
				}
			}
			for _, w := range want {
				if g := *byCommit[w.id]; g != w {
					t.Errorf("commit %s: rows sum to %+v, git log --numstat to %+v", w.id, g, w)
				}
			}
		})
	}
}

// churnRows runs gitwalk churn (or files) with --format json and returns
// its rows.
func churnRows(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	out, stderr, code := runGitwalk(t, append(args, "--format", "json")...)
	if code != 0 {
		t.Fatalf("gitwalk %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	var rep struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("gitwalk %s: %v", strings.Join(args, " "), err)
	}
	return rep.Rows
}

// exportSums are a file's lines and commits over the rows the analyses count.
type exportSums struct{ added, deleted, commits int }

// TestExportSumsPerFileAreChurns checks that the rows not left out, grouped
// by the file column, add up to gitwalk churn's rows: the file column groups
// renamed paths as churn does, and left_out leaves out what the analyses do.
func TestExportSumsPerFileAreChurns(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, tc := range []struct {
		name, fixture string
		args          []string
	}{
		{"renames followed", "renames", []string{"--all"}},
		{"renames off", "renames", []string{"--all", "--no-renames"}},
		{"renames with merges included", "renames", []string{"--all", "--merges", "include"}},
		{"default excludes", "people", []string{"--all"}},
		{"no default excludes", "people", []string{"--all", "--no-default-excludes"}},
		{"large commits and a filter", "people", []string{"--all", "--max-changeset", "3", "--exclude", "web/**"}},
		{"a filter on followed names", "renames", []string{"--all", "--include", "src/**"}},
		{"content", "content", []string{"--all"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testrepos.Path(t, tc.fixture)
			got := runExportCmd(t, dir, tc.args...)
			sums := map[string]exportSums{}
			seen := map[[2]string]bool{}
			for _, r := range got.changes {
				if r.File == nil {
					t.Fatalf("change %s %s: no file name", r.Commit, r.Path)
				}
				if r.LeftOut != nil {
					continue
				}
				s := sums[*r.File]
				s.added += int(r.Added)
				s.deleted += int(r.Deleted)
				if k := [2]string{*r.File, r.Commit}; !seen[k] {
					seen[k] = true
					s.commits++
				}
				sums[*r.File] = s
			}
			want := map[string]exportSums{}
			for _, r := range churnRows(t, append([]string{"churn", dir}, tc.args...)...) {
				want[r["entity"].(string)] = exportSums{int(r["added"].(float64)), int(r["deleted"].(float64)), int(r["commits"].(float64))}
			}
			if len(want) == 0 || !reflect.DeepEqual(sums, want) {
				t.Errorf("sums per file over the rows not left out:\n%v\ngitwalk churn:\n%v", sums, want)
			}
		})
	}
}

// TestExportFileColumnFollowsRenamesAsFilesDoes compares the file column
// with gitwalk files: the paths a file was renamed from are its earlier
// names, and without renames a file is its path.
func TestExportFileColumnFollowsRenamesAsFilesDoes(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "renames")
	got := runExportCmd(t, dir, "--all")
	earlier := map[string][]string{}
	renamed := 0
	for _, r := range got.changes {
		if r.Kind == "renamed" {
			renamed++
			if !strings.Contains(strings.Join(earlier[*r.File], "\x00"), *r.OldPath) {
				earlier[*r.File] = append(earlier[*r.File], *r.OldPath)
			}
		}
	}
	if renamed == 0 {
		t.Fatal("the renames fixture gave no renamed row")
	}
	for _, r := range churnRows(t, "files", dir, "--all") {
		var want []string
		for _, e := range r["earlier_names"].([]any) {
			want = append(want, e.(string))
		}
		g := earlier[r["path"].(string)]
		sort.Strings(g)
		sort.Strings(want)
		if strings.Join(g, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: renamed from %q in the table, gitwalk files lists %q", r["path"], g, want)
		}
	}

	plain := runExportCmd(t, dir, "--all", "--no-renames")
	for _, r := range plain.changes {
		if r.File == nil || *r.File != r.Path || r.Kind == "renamed" {
			t.Fatalf("--no-renames: change %s %s (%s) named %v", r.Commit, r.Path, r.Kind, r.File)
		}
	}
}

// TestExportLeftOutIsWhatFilesSays checks the left_out column per file
// against gitwalk files' status, and the commit-wide reasons against the
// commits' ignored and large columns.
func TestExportLeftOutIsWhatFilesSays(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	ignore := filepath.Join(t.TempDir(), "ignore-revs")
	formatting := strings.TrimSpace(gitRun(t, dir, "rev-parse", "main~1"))
	if err := os.WriteFile(ignore, []byte(formatting+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--all", "--exclude", "src/api.go", "--max-changeset", "4", "--ignore-revs-file", ignore}
	got := runExportCmd(t, dir, args...)
	commits := map[string]export.CommitRow{}
	var large, ignored int
	for _, c := range got.commits {
		commits[c.Commit] = c
		if c.Large != (c.Files > 4) {
			t.Errorf("commit %s: %d files, large %v with --max-changeset 4", c.Commit, c.Files, c.Large)
		}
		if c.Ignored != (c.Commit == formatting) {
			t.Errorf("commit %s: ignored %v", c.Commit, c.Ignored)
		}
		if c.Large {
			large++
		}
		if c.Ignored {
			ignored++
		}
	}
	if large == 0 || ignored != 1 {
		t.Fatalf("%d large and %d ignored commits: the test needs some of each", large, ignored)
	}
	status := map[string]string{}
	for _, r := range churnRows(t, append([]string{"files", dir}, args...)...) {
		status[r["path"].(string)] = r["status"].(string)
	}
	reasons := map[string]int{}
	for _, r := range got.changes {
		c := commits[r.Commit]
		var want string
		switch {
		case c.Ignored:
			want = export.LeftOutIgnored
		case c.Large:
			want = export.LeftOutLarge
		default:
			s, ok := status[*r.File]
			if !ok {
				t.Fatalf("%s: not listed by gitwalk files", *r.File)
			}
			if s != "counted" {
				want = s
			}
		}
		gotReason := ""
		if r.LeftOut != nil {
			gotReason = *r.LeftOut
		}
		if gotReason != want {
			t.Errorf("commit %s, %s: left_out %q, want %q", r.Commit, r.Path, gotReason, want)
		}
		reasons[gotReason]++
	}
	for _, r := range []string{"", "ignore-revs", "max-changeset", "filtered", "vendor-folder", "lock-file", "minified"} {
		if reasons[r] == 0 {
			t.Errorf("no row left out as %q: the fixture should have one (reasons: %v)", r, reasons)
		}
	}
}

// TestExportNamesTheRepositoryByItsFolder checks the repository column for
// a work tree given by a folder inside it.
func TestExportNamesTheRepositoryByItsFolder(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := filepath.Join(t.TempDir(), "my-project")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "sub", "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q", "-m", "one")
	got := runExportCmd(t, filepath.Join(dir, "sub"))
	if len(got.commits) != 1 || got.commits[0].Repository != "my-project" || got.changes[0].Repository != "my-project" {
		t.Fatalf("commit rows %+v: want one, of repository my-project", got.commits)
	}
}

// TestExportStatsAndCache checks --stats, and that a second run, from the
// cache, writes the same rows.
func TestExportStatsAndCache(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	cache := t.TempDir()
	var runs []exported
	for i := 0; i < 2; i++ {
		out := filepath.Join(t.TempDir(), "tables")
		_, stderr, code := runGitwalk(t, "export", dir, "--all", "--cache", cache, "--stats", "--out", out)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stderr, "walk: ") || !strings.Contains(stderr, "policy: merges exclude, renames on,") ||
			!strings.Contains(stderr, "changes left out of the analyses: lock-file 4, minified 3, vendor-folder 5, vendored 1") {
			t.Errorf("--stats printed:\n%s", stderr)
		}
		runs = append(runs, readExport(t, out))
	}
	if !reflect.DeepEqual(runs[0], runs[1]) {
		t.Error("the run from the cache wrote other rows than the first")
	}
}

// TestExportBadInputFailsWithOneLine covers what the command refuses:
// each gives one line on stderr and its exit code, and no table is left
// half written.
func TestExportBadInputFailsWithOneLine(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(tmp, "existing")
	if code := execOK(t, "export", dir, "--out", existing); code != 0 {
		t.Fatal("the first export failed")
	}
	before, err := os.ReadFile(filepath.Join(existing, "commits.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"tables already there", []string{dir, "--out", existing, "--all"}, exitFailed, "is there already (--force overwrites it"},
		{"--out is a file", []string{dir, "--out", file}, exitFailed, "is a file, not a folder"},
		{"--out under a file", []string{dir, "--out", filepath.Join(file, "tables")}, exitFailed, "not a directory"},
		{"a bad revision", []string{dir, "no-such-branch", "--out", filepath.Join(tmp, "bad-rev")}, exitFailed, "bad revision 'no-such-branch'"},
		{"--format", []string{dir, "--format", "json", "--out", filepath.Join(tmp, "f")}, exitUsage, "export does not take --format"},
		{"--reverse", []string{dir, "--reverse", "--out", filepath.Join(tmp, "r")}, exitUsage, "export does not take --reverse"},
		{"--out without a value", []string{dir, "--out"}, exitUsage, "option --out needs a value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runGitwalk(t, append([]string{"export"}, tc.args...)...)
			first, _, _ := strings.Cut(stderr, "\n")
			if code != tc.code || !strings.HasPrefix(first, "gitwalk: ") || !strings.Contains(first, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and one line with %q", code, stderr, tc.code, tc.want)
			}
			if tc.code == exitFailed && strings.Count(stderr, "\n") != 1 {
				t.Errorf("more than one line:\n%s", stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(tmp, "bad-rev")); !os.IsNotExist(err) {
		t.Errorf("a failed run left its --out folder behind: %v", err)
	}
	entries, _ := os.ReadDir(existing)
	after, _ := os.ReadFile(filepath.Join(existing, "commits.parquet"))
	if len(entries) != 2 || string(after) != string(before) {
		t.Errorf("the refused run changed the tables there (%d files)", len(entries))
	}
	if code := execOK(t, "export", dir, "--all", "--out", existing, "--force"); code != 0 {
		t.Fatal("--force did not overwrite")
	}
	if got := readExport(t, existing); len(got.commits) != len(gitNumstatCommits(t, dir, "--all", "--no-merges")) {
		t.Errorf("--force wrote %d commits, want those of --all", len(got.commits))
	}
}

func execOK(t *testing.T, args ...string) int {
	t.Helper()
	_, stderr, code := runGitwalk(t, args...)
	if code != 0 {
		t.Log(stderr)
	}
	return code
}

// TestHelpListsExport checks that gitwalk --help names the command.
func TestHelpListsExport(t *testing.T) {
	out, _, code := runGitwalk(t, "--help")
	if code != 0 || !strings.Contains(out, "\n  export ") {
		t.Errorf("gitwalk --help (exit %d) does not list export:\n%s", code, out)
	}
}

// TestExportMarksWhatAPartialCloneLacks exports a blob-less partial clone
// with --missing allow-promisor: the rows are the full repository's, and
// the changes whose blobs git says are missing are marked, without counts.
func TestExportMarksWhatAPartialCloneLacks(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	part := partialOf(t, dir)
	lacks := map[string]bool{}
	for _, id := range gitMissing(t, part) {
		lacks[id] = true
	}
	if len(lacks) == 0 {
		t.Fatal("the partial clone has every blob")
	}
	full := runExportCmd(t, dir, "--no-renames")
	// Without the cache, which holds the full repository's records for the
	// same commits.
	got := runExportCmd(t, part, "--no-renames", "--missing", "allow-promisor", "--no-cache")
	if len(got.commits) != len(full.commits) || len(got.changes) != len(full.changes) {
		t.Fatalf("%d commits and %d changes, the full repository's export has %d and %d",
			len(got.commits), len(got.changes), len(full.commits), len(full.changes))
	}
	marked := 0
	for i, r := range got.changes {
		want := full.changes[i]
		lacking := lacks[r.OldHash] || lacks[r.NewHash]
		if r.Missing != lacking {
			t.Errorf("%s %s: missing %v, git says its blobs are missing: %v", r.Commit, r.Path, r.Missing, lacking)
		}
		if r.Missing {
			marked++
			continue
		}
		if r.Added != want.Added || r.Deleted != want.Deleted || r.Path != want.Path {
			t.Errorf("%s %s: %d/%d, the full repository's %d/%d", r.Commit, r.Path, r.Added, r.Deleted, want.Added, want.Deleted)
		}
	}
	if marked == 0 {
		t.Error("no change marked missing")
	}
}
