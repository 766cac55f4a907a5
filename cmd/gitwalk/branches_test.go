package main

import (
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

func TestBranchesOutputMatchesGoldenFiles(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "branches")
	for _, tc := range []struct{ file, format string }{
		{"branches.txt", "table"},
		{"branches.csv", "csv"},
		{"branches.json", "json"},
		{"branches.ndjson", "ndjson"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			out, stderr, code := runGitwalk(t, "branches", "--remotes", "--format", tc.format, dir)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden(t, tc.file, out)
		})
	}
}

func TestBranchesFormatsParseAndAgreeWithGit(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "branches")
	run := func(args ...string) string {
		t.Helper()
		out, stderr, code := runGitwalk(t, append([]string{"branches", "-C", dir}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		return out
	}
	recs, err := csv.NewReader(strings.NewReader(run("--format=csv", "-j", "1"))).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v", err)
	}
	var doc jsonDoc
	if err := json.Unmarshal([]byte(run("--format=json", "-j", "8")), &doc); err != nil {
		t.Fatalf("json does not parse: %v", err)
	}
	if doc.Analysis != "branches" || strings.Join(doc.Columns, ",") != strings.Join(recs[0], ",") || len(doc.Rows) != len(recs)-1 {
		t.Fatalf("json %q %v with %d rows; csv header %v with %d rows", doc.Analysis, doc.Columns, len(doc.Rows), recs[0], len(recs)-1)
	}
	for i, rec := range recs[1:] {
		for j, col := range doc.Columns {
			if got := jsonText(doc.Rows[i][col]); got != rec[j] {
				t.Errorf("row %d column %s: json %s, csv %s", i, col, got, rec[j])
			}
		}
		branch := rec[0]
		ahead := strings.TrimSpace(gitRun(t, dir, "rev-list", "--count", "origin/main.."+branch))
		behind := strings.TrimSpace(gitRun(t, dir, "rev-list", "--count", branch+"..origin/main"))
		if rec[1] != ahead || rec[2] != behind {
			t.Errorf("%s: ahead %s behind %s, git rev-list --count says %s and %s", branch, rec[1], rec[2], ahead, behind)
		}
	}
	if top := run("--format=csv", "--top", "2"); top != strings.Join(strings.SplitAfterN(run("--format=csv"), "\n", 4)[:3], "") {
		t.Errorf("--top 2 is not the first two rows:\n%s", top)
	}
}

func TestBranchesRejectBadInputWithOneLine(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "branches")
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"a base that names nothing", []string{"branches", dir, "--base", "no-such-branch"}, exitFailed, "--base: bad revision 'no-such-branch'"},
		{"an unknown flag", []string{"branches", dir, "--frobnicate"}, exitUsage, "unknown flag: --frobnicate"},
		{"an unknown format", []string{"branches", dir, "--format", "xml"}, exitUsage, `unknown format "xml"`},
		{"a negative top", []string{"branches", dir, "--top=-1"}, exitUsage, "--top"},
		{"two repositories", []string{"branches", dir, dir}, exitUsage, "accepts at most 1 arg"},
		{"a malformed glob", []string{"branches", dir, "--include", "src/[a"}, exitUsage, "bad path pattern"},
		{"a folder that is not a repository", []string{"branches", t.TempDir()}, exitFailed, "not a git repository"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runGitwalk(t, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d (stderr %q)", code, tc.wantCode, stderr)
			}
			if out != "" {
				t.Errorf("wrote %q to stdout on failure", out)
			}
			first := strings.SplitN(stderr, "\n", 2)[0]
			if !strings.HasPrefix(first, "gitwalk: ") || !strings.Contains(first, tc.wantMsg) {
				t.Errorf("first stderr line %q does not say %q", first, tc.wantMsg)
			}
		})
	}
}

func TestBranchesWithoutBranchesSaysSoAndSucceeds(t *testing.T) {
	testrepos.IsolateGit(t)
	empty := testrepos.Path(t, "empty")
	detached := testrepos.Path(t, "branches")
	gitRun(t, detached, "update-ref", "--no-deref", "HEAD", strings.TrimSpace(gitRun(t, detached, "rev-parse", "main")))
	for _, ref := range strings.Fields(gitRun(t, detached, "for-each-ref", "--format=%(refname)", "refs/heads/")) {
		gitRun(t, detached, "update-ref", "-d", ref)
	}
	for _, dir := range []string{empty, detached} {
		out, stderr, code := runGitwalk(t, "branches", dir, "--format", "csv")
		if code != 0 || !strings.Contains(stderr, "has no branches") {
			t.Errorf("%s: exit %d, stderr %q; want 0 and a note that there are no branches", dir, code, stderr)
		}
		if out != "branch,ahead,behind,added,deleted,churn,files,last_commit,author,merged\n" {
			t.Errorf("%s: stdout %q, want the header alone", dir, out)
		}
	}
}

func TestBranchesHelpHasExamples(t *testing.T) {
	out, _, code := runGitwalk(t, "branches", "--help")
	if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "gitwalk branches") || !strings.Contains(out, "--base") {
		t.Errorf("branches --help (exit %d) lacks examples or flags: %q", code, out)
	}
}

func TestBranchesWritesNothingIntoTheRepository(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "branches")
	before := snapshot(t, dir)
	if _, stderr, code := runGitwalk(t, "branches", dir, "--remotes"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	after := snapshot(t, dir)
	if len(before) != len(after) {
		t.Fatalf("%d files before, %d after", len(before), len(after))
	}
	for p, s := range before {
		if after[p] != s {
			t.Errorf("%s changed", p)
		}
	}
}

// TestBranchesStatsAddUpTheBranchWalks checks --stats against git: each
// branch walks BASE..TIP (ahead), TIP..BASE (behind) and, when nothing is
// ahead, its tip alone, so the commits walked are the sum of git rev-list's
// counts; every walk checks arenas out of the one shared pool.
func TestBranchesStatsAddUpTheBranchWalks(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "branches")
	base := strings.TrimSpace(gitRun(t, dir, "symbolic-ref", "refs/remotes/origin/HEAD"))
	want := 0
	for _, ref := range strings.Fields(gitRun(t, dir, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")) {
		if ref == base || strings.HasSuffix(ref, "/HEAD") {
			continue
		}
		ahead := atoi(t, strings.TrimSpace(gitRun(t, dir, "rev-list", "--count", base+".."+ref)))
		want += ahead + atoi(t, strings.TrimSpace(gitRun(t, dir, "rev-list", "--count", ref+".."+base)))
		if ahead == 0 {
			want++
		}
	}
	for _, j := range []string{"1", "3"} {
		out, stderr, code := runGitwalk(t, "branches", dir, "--remotes", "--stats", "-j", j)
		if code != 0 || out == "" {
			t.Fatalf("-j %s: exit %d: %s", j, code, stderr)
		}
		num := func(re string) int {
			t.Helper()
			m := regexp.MustCompile(re).FindStringSubmatch(stderr)
			if m == nil {
				t.Fatalf("-j %s: --stats printed %q, without %s", j, stderr, re)
			}
			return atoi(t, m[1])
		}
		commits, files, workers := num(`(?m)^walk: +(\d+) commits`), num(`(\d+) files diffed`), num(`(\d+) workers`)
		checkouts, reuses, mints := num(`(?m)^arenas: +(\d+) checkouts`), num(`(\d+) reuses`), num(`(\d+) mints`)
		hits, misses := num(`(?m)^readers: +(\d+) hits`), num(`(\d+) misses`)
		num(`peak arena (\d+)`)
		num(`\((\d+)(\.\d)? (B|KiB|MiB)\)`) // bytes diffed
		if commits != want || workers != atoi(t, j) {
			t.Errorf("-j %s: %d commits walked by %d workers; git rev-list counts %d", j, commits, workers, want)
		}
		if files == 0 || checkouts < commits || reuses+mints != checkouts || mints > workers {
			t.Errorf("-j %s: %d files diffed; arenas: %d checkouts = %d reuses + %d mints, for %d commits on %d workers", j, files, checkouts, reuses, mints, commits, workers)
		}
		if hits+misses == 0 {
			t.Errorf("-j %s: no reader was acquired: %q", j, stderr)
		}
	}
}
