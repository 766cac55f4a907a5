package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/analysis"
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
		{"an unknown flag", []string{"branches", dir, "--frobnicate"}, exitUsage, "unknown option --frobnicate"},
		{"an unknown format", []string{"branches", dir, "--format", "xml"}, exitUsage, `unknown format "xml"`},
		{"a negative top", []string{"branches", dir, "--top=-1"}, exitUsage, "--top"},
		{"two repositories", []string{"branches", dir, dir}, exitUsage, "give the repository once"},
		{"a repository named twice", []string{"branches", "-C", dir, dir}, exitUsage, "give the repository once"},
		{"a revision", []string{"branches", dir, "HEAD~1"}, exitUsage, "branches takes no revision (HEAD~1)"},
		{"a path limit", []string{"branches", dir, "--", "src"}, exitUsage, "branches does not take paths (-- src)"},
		{"every ref", []string{"branches", dir, "--all"}, exitUsage, "branches does not take --all"},
		{"a commit limit", []string{"branches", dir, "-n3"}, exitUsage, "branches does not take -n/--max-count"},
		{"a date limit", []string{"branches", dir, "--since=2020-01-01"}, exitUsage, "branches does not take --since"},
		{"a reversed walk", []string{"branches", dir, "--reverse"}, exitUsage, "branches does not take --reverse"},
		{"another diff", []string{"branches", dir, "--minimal"}, exitUsage, "branches does not take --minimal"},
		{"git's merge diffs", []string{"branches", dir, "--diff-merges=first-parent"}, exitUsage, "branches does not take --diff-merges"},
		{"a bot policy", []string{"branches", dir, "--bots", "only"}, exitUsage, "branches does not take --bots: its rows are branches, not people"},
		{"co-author credits", []string{"branches", dir, "--coauthors=share-lines"}, exitUsage, "branches does not take --coauthors"},
		{"an unknown merge policy", []string{"branches", dir, "--merges=sometimes"}, exitUsage, "--merges"},
		{"a negative changeset limit", []string{"branches", dir, "--max-changeset", "-1"}, exitUsage, "--max-changeset"},
		{"a missing ignore-revs file", []string{"branches", dir, "--ignore-revs-file", filepath.Join(dir, "no-such-file")}, exitFailed, "no-such-file"},
		{"an ignore-revs file that lists no ids", []string{"branches", dir, "--ignore-revs-file", filepath.Join(dir, "HEAD")}, exitFailed, "not a full object id"},
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
	for _, want := range []string{"--include GLOB", "--exclude GLOB", "--merges P", "--no-merges", "--no-default-excludes",
		"--ignore-revs-file F", "--max-changeset N", "Default excludes", "git log --numstat --no-renames --no-merges",
		"--diff-merges=first-parent", "--stats", "--no-default-excludes --merges include --stats"} {
		if !strings.Contains(out, want) {
			t.Errorf("branches --help does not mention %q", want)
		}
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

// TestBranchesStatsAddUpTheBranchWalks checks --stats against git: one walk
// of every commit some branch has and the base has not (each once, however
// many branches share it) and one of the base's history, so the commits
// walked are git rev-list's counts of the two; the first reads every
// commit in an arena of the one shared pool, the second only the history's
// shape (no arena).
func TestBranchesStatsAddUpTheBranchWalks(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "branches")
	// Two more branches in this private copy share commits with
	// feature/diverged, which those commits must not be walked again for.
	gitRun(t, dir, "update-ref", "refs/heads/diverged-twin", "refs/heads/feature/diverged")
	gitRun(t, dir, "update-ref", "refs/heads/diverged-start", "refs/heads/feature/diverged~2")
	base := strings.TrimSpace(gitRun(t, dir, "symbolic-ref", "refs/remotes/origin/HEAD"))
	sumAhead := 0
	union := []string{"rev-list", "--count", "^" + base}
	for _, ref := range strings.Fields(gitRun(t, dir, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")) {
		if ref == base || strings.HasSuffix(ref, "/HEAD") {
			continue
		}
		union = append(union, ref)
		sumAhead += atoi(t, strings.TrimSpace(gitRun(t, dir, "rev-list", "--count", base+".."+ref)))
	}
	ahead := atoi(t, strings.TrimSpace(gitRun(t, dir, union...)))
	if ahead >= sumAhead {
		t.Fatalf("the fixture's branches share no commit ahead (%d in all, %d summed over branches): the test needs some", ahead, sumAhead)
	}
	want := ahead + atoi(t, strings.TrimSpace(gitRun(t, dir, "rev-list", "--count", base)))
	for _, j := range []string{"1", "3"} {
		// --no-cache: the figures checked are of the work of diffing.
		out, stderr, code := runGitwalk(t, "branches", dir, "--remotes", "--stats", "-j", j, "--no-cache")
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
		if files == 0 || checkouts != ahead || reuses+mints != checkouts || mints > workers {
			t.Errorf("-j %s: %d files diffed; arenas: %d checkouts = %d reuses + %d mints, for %d commits ahead on %d workers", j, files, checkouts, reuses, mints, ahead, workers)
		}
		if hits+misses == 0 {
			t.Errorf("-j %s: no reader was acquired: %q", j, stderr)
		}
	}
}

// branchesWant is what `gitwalk branches` must print for one set of
// policies, worked out with git: each branch's churn columns, ahead and
// behind, and what the policies left out, summed over the rows.
type branchesWant struct {
	rows           map[string][6]int // branch: ahead, behind, added, deleted, churn, files
	files, lines   [analysis.NumExcludeReasons]int
	ignored, large int
}

// gitBranchesWant asks git for every branch of work (local and remote,
// not origin/HEAD) against base: ahead and behind from git rev-list
// --count, the churn from git log --numstat --no-renames with the merge
// policy's options (merges), leaving out the commits in skip and those
// changing more than maxFiles files (0: no limit), the paths the default
// excludes leave out (when excludes; git check-attr and the names, as
// excludeReasons says) and the paths filter drops.
func gitBranchesWant(t *testing.T, work, base string, merges []string, skip map[string]bool, maxFiles int, excludes bool, filter analysis.PathFilter) branchesWant {
	t.Helper()
	want := branchesWant{rows: map[string][6]int{}}
	excluded := map[string]analysis.ExcludeReason{}
	for _, ref := range strings.Fields(gitRun(t, work, "for-each-ref", "--format=%(refname)", "refs/heads/", "refs/remotes/")) {
		if ref == "refs/remotes/origin/HEAD" {
			continue
		}
		rng := base + ".." + ref
		var row [6]int
		row[0] = atoi(t, strings.TrimSpace(gitRun(t, work, "rev-list", "--count", rng)))
		row[1] = atoi(t, strings.TrimSpace(gitRun(t, work, "rev-list", "--count", ref+".."+base)))
		// The commits the policy walks, with how many files each changes.
		hash := ""
		for _, l := range strings.Split(gitRun(t, work, append(append([]string{"log", "--format=%H", "--shortstat"}, merges...), rng)...), "\n") {
			var n int
			switch l = strings.TrimSpace(l); {
			case len(l) == 40:
				hash = l
				if skip[hash] {
					want.ignored++
				}
			case strings.Contains(l, " changed"):
				if _, err := fmt.Sscanf(l, "%d file", &n); err != nil {
					t.Fatalf("shortstat %q: %v", l, err)
				}
				if maxFiles > 0 && n > maxFiles && !skip[hash] {
					want.large++
				}
			}
		}
		sums := numstatSums(t, work, skip, maxFiles, append(merges, rng)...)
		var paths []string
		for p := range sums {
			paths = append(paths, p)
		}
		reasons := map[string]analysis.ExcludeReason{}
		if excludes && len(paths) > 0 {
			reasons = excludeReasons(t, work, paths)
		}
		for p, s := range sums {
			if r := reasons[p]; r != analysis.NotExcluded {
				excluded[p] = r
				want.lines[r] += s[0] + s[1]
				continue
			}
			if !filter.Match(p) {
				continue
			}
			row[2] += s[0]
			row[3] += s[1]
			row[5]++
		}
		row[4] = row[2] + row[3]
		want.rows[strings.TrimPrefix(strings.TrimPrefix(ref, "refs/heads/"), "refs/remotes/")] = row
	}
	for _, r := range excluded {
		want.files[r]++
	}
	return want
}

// TestBranchesChurnFollowsTheAnalysisPolicies runs gitwalk branches on a
// clone of people.git (lock files, vendored, generated and minified files,
// an ignore-revs file, a merge that changes files itself) compared with its
// first commit, under each policy, and checks the rows, the JSON options'
// left_out, the stderr line and --stats against git, for -j 1, 2 and 8.
func TestBranchesChurnFollowsTheAnalysisPolicies(t *testing.T) {
	testrepos.IsolateGit(t)
	work := peopleClone(t)
	base := strings.TrimSpace(gitRun(t, work, "rev-list", "--max-parents=0", "main"))
	list := filepath.Join(work, ".git-blame-ignore-revs")
	ignored := map[string]bool{}
	for _, line := range strings.Split(gitRun(t, work, "show", "main:.git-blame-ignore-revs"), "\n") {
		if f := strings.Fields(line); len(f) > 0 && len(f[0]) == 40 {
			ignored[f[0]] = true
		}
	}
	if len(ignored) != 1 {
		t.Fatalf("the fixture's premise fails: ignored revisions %v", ignored)
	}
	noMerges := []string{"--no-merges"}
	for _, tc := range []struct {
		name     string
		flags    []string
		policy   string
		merges   []string // git log's options for the policy
		skip     map[string]bool
		maxFiles int
		excludes bool
		filter   analysis.PathFilter
	}{
		{"by default, merges and the default excludes left out", nil, "exclude", noMerges, nil, 0, true, analysis.PathFilter{}},
		{"--no-default-excludes counts every file", []string{"--no-default-excludes"}, "exclude", noMerges, nil, 0, false, analysis.PathFilter{}},
		{"--merges include diffs merges against their first parent", []string{"--merges", "include"}, "include",
			[]string{"--diff-merges=first-parent"}, nil, 0, true, analysis.PathFilter{}},
		{"--merges first-parent counts the first-parent line", []string{"--merges=first-parent"}, "first-parent",
			[]string{"--first-parent"}, nil, 0, true, analysis.PathFilter{}},
		{"--first-parent names the first-parent policy", []string{"--first-parent", "--no-default-excludes"}, "first-parent",
			[]string{"--first-parent"}, nil, 0, false, analysis.PathFilter{}},
		{"--include and --exclude apply on top of the default excludes", []string{"--include", "src/", "--include", "*.js", "--exclude", "*util*"},
			"exclude", noMerges, nil, 0, true, analysis.PathFilter{Include: []string{"src/", "*.js"}, Exclude: []string{"*util*"}}},
		{"--ignore-revs-file leaves its commits out", []string{"--ignore-revs-file", list, "--merges", "include"}, "include",
			[]string{"--diff-merges=first-parent"}, ignored, 0, true, analysis.PathFilter{}},
		{"--max-changeset leaves large commits out", []string{"--max-changeset", "2", "--no-default-excludes"}, "exclude",
			noMerges, nil, 2, false, analysis.PathFilter{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := gitBranchesWant(t, work, base, tc.merges, tc.skip, tc.maxFiles, tc.excludes, tc.filter)
			args := append([]string{"branches", work, "--remotes", "--base", base, "--format", "json", "--stats"}, tc.flags...)
			var first, firstErr string
			for _, j := range []string{"1", "2", "8"} {
				out, stderr := mustRun(t, append(args, "-j", j)...)
				// The walks' figures (workers, wall time, pools, what the cache
				// served) are each run's own.
				stderr = regexp.MustCompile(`(?m)^(walk|arenas|readers|revwalk|cache|packs|time): .*\n`).ReplaceAllString(stderr, "")
				if j != "1" {
					if out != first || stderr != firstErr {
						t.Errorf("-j %s differs from -j 1: %s%s", j, firstDifference(first, out), firstDifference(firstErr, stderr))
					}
					continue
				}
				first, firstErr = out, stderr
			}
			var doc jsonDoc
			if err := json.Unmarshal([]byte(first), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Rows) != len(want.rows) {
				t.Errorf("%d rows, git has %d branches", len(doc.Rows), len(want.rows))
			}
			for _, row := range doc.Rows {
				branch, _ := row["branch"].(string)
				var got [6]int
				for i, col := range []string{"ahead", "behind", "added", "deleted", "churn", "files"} {
					got[i] = atoi(t, jsonText(row[col]))
				}
				if w, ok := want.rows[branch]; !ok || got != w {
					t.Errorf("%s: ahead, behind, added, deleted, churn, files %v; git %v", branch, got, w)
				}
			}
			if doc.Options["merge_policy"] != tc.policy || doc.Options["default_excludes"] != tc.excludes {
				t.Errorf("options say merge policy %v, default excludes %v; want %s, %v", doc.Options["merge_policy"], doc.Options["default_excludes"], tc.policy, tc.excludes)
			}
			left, _ := doc.Options["left_out"].(map[string]any)
			if left["ignored_commits"] != float64(want.ignored) || left["large_commits"] != float64(want.large) {
				t.Errorf("left_out %v; git: %d ignored, %d large commits", left, want.ignored, want.large)
			}
			files, _ := left["files"].(map[string]any)
			stats := fmt.Sprintf("left out: bot commits 0, ignored commits %d, large commits %d", want.ignored, want.large)
			reasons := 0
			for r := analysis.ExcludedGenerated; r < analysis.NumExcludeReasons; r++ {
				got, _ := files[r.String()].(map[string]any)
				if want.files[r] == 0 {
					if got != nil {
						t.Errorf("left_out files %s: %v, git leaves none out", r, got)
					}
					continue
				}
				reasons++
				if got["files"] != float64(want.files[r]) || got["lines"] != float64(want.lines[r]) {
					t.Errorf("left_out files %s: %v; git: %d files, %d lines", r, got, want.files[r], want.lines[r])
				}
				if note := fmt.Sprintf("%d %s file", want.files[r], r); !strings.Contains(firstErr, note) {
					t.Errorf("stderr does not say %q: %q", note, firstErr)
				}
				stats += fmt.Sprintf(", %s %d files %d lines", r, want.files[r], want.lines[r])
			}
			if tc.excludes && reasons != int(analysis.NumExcludeReasons)-1 {
				t.Errorf("the fixture's premise fails: git finds %d of the %d exclusion reasons", reasons, analysis.NumExcludeReasons-1)
			}
			if !strings.Contains(firstErr, "policy: merges "+tc.policy) || !strings.Contains(firstErr, stats+"\n") {
				t.Errorf("--stats does not print the policy %s and %q: %q", tc.policy, stats, firstErr)
			}
			if (want.ignored+want.large+reasons > 0) != strings.Contains(firstErr, "gitwalk: left out ") {
				t.Errorf("the stderr line about what was left out is wrong: %q", firstErr)
			}
		})
	}
	t.Run("blame.ignoreRevsFile is read as by every analysis", func(t *testing.T) {
		gitRun(t, work, "config", "blame.ignoreRevsFile", ".git-blame-ignore-revs")
		defer gitRun(t, work, "config", "--unset", "blame.ignoreRevsFile")
		viaConfig, stderr := mustRun(t, "branches", work, "--remotes", "--base", base, "--format", "csv")
		gitRun(t, work, "config", "--unset", "blame.ignoreRevsFile")
		viaFlag, _ := mustRun(t, "branches", work, "--remotes", "--base", base, "--format", "csv", "--ignore-revs-file", list)
		gitRun(t, work, "config", "blame.ignoreRevsFile", ".git-blame-ignore-revs")
		none, _ := mustRun(t, "branches", work, "--remotes", "--base", base, "--format", "csv", "--ignore-revs-file", os.DevNull)
		if viaConfig != viaFlag || viaConfig == none || !strings.Contains(stderr, "ignored commit") {
			t.Errorf("blame.ignoreRevsFile:\n%s--ignore-revs-file:\n%sno ignored revisions:\n%sstderr %q", viaConfig, viaFlag, none, stderr)
		}
	})
}
