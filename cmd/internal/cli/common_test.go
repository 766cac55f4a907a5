package cli

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestEveryFormatOfEveryAnalysisMatchesGoldenFiles fills in the golden
// files the per-command tests leave out: each analysis in each format, on
// the merges fixture.
func TestEveryFormatOfEveryAnalysisMatchesGoldenFiles(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	for _, cmd := range []string{"summary", "authors"} {
		for _, f := range []struct{ format, ext string }{{"csv", "csv"}, {"json", "json"}, {"ndjson", "ndjson"}} {
			name := cmd + "-merges." + f.ext
			t.Run(name, func(t *testing.T) {
				out, stderr, code := runGitwalk(t, cmd, dir, "--all", "--format", f.format)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				golden(t, name, out)
			})
		}
	}
}

// summaryFigures reads summary's table into its named figures.
func summaryFigures(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 {
			m[f[0]] = f[1]
		}
	}
	return m
}

func TestSummaryCountsMergesWhetherOrNotItWalksThem(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, tc := range []struct {
		name    string
		fixture string
		args    []string
	}{
		{"all refs of a history with merges", "merges", []string{"--all"}},
		{"all refs of an octopus history", "order", []string{"--all"}},
		{"first parents only", "order", []string{"--all", "--first-parent"}},
		{"HEAD of a shallow clone", "shallow", nil},
		{"commits since a date", "order", []string{"--all", "--since", "@1700000000"}},
		{"a path limit", "order", []string{"--all", "--", "n7.txt"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testrepos.Path(t, tc.fixture)
			revs, paths := tc.args, []string(nil)
			for i, a := range tc.args {
				if a == "--" {
					revs, paths = tc.args[:i], tc.args[i:]
				}
			}
			if len(revs) == 0 {
				revs = []string{"HEAD"}
			}
			count := func(filter string) string {
				args := append(append([]string{"rev-list", "--count", filter}, revs...), paths...)
				return strings.TrimSpace(gitRun(t, dir, args...))
			}
			wantMerges, wantNonMerges := count("--merges"), count("--no-merges")
			all, _ := strconv.Atoi(count("--count"))
			for _, walkMerges := range []bool{false, true} {
				// Said explicitly: --first-parent alone would choose the
				// first-parent policy, under which merges count as commits.
				args := append([]string{"summary", dir, "--merges", "exclude"}, tc.args...)
				wantCommits := wantNonMerges
				if walkMerges {
					args = append([]string{"summary", dir, "--merges"}, tc.args...)
					wantCommits = strconv.Itoa(all)
				}
				out, stderr, code := runGitwalk(t, args...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, stderr)
				}
				got := summaryFigures(t, out)
				if got["merges"] != wantMerges || got["commits"] != wantCommits {
					t.Errorf("%v: commits %s, merges %s; git rev-list says %s and %s", args, got["commits"], got["merges"], wantCommits, wantMerges)
				}
			}
		})
	}
}

func TestStatsPrintsTheEnginesFiguresConsistently(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "order")
	// identities is left out: it walks without diffs (unless --max-changeset).
	for _, cmd := range []string{"churn", "summary", "authors", "coupling", "ownership", "hotspots", "age", "files", "numstat"} {
		t.Run(cmd, func(t *testing.T) {
			// --no-cache: the figures checked are of the work of diffing.
			_, stderr, code := runGitwalk(t, cmd, dir, "--all", "--stats", "-j3", "--no-cache")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			num := func(re string) int {
				t.Helper()
				m := regexp.MustCompile(re).FindStringSubmatch(stderr)
				if m == nil {
					t.Fatalf("--stats output %q lacks %s", stderr, re)
				}
				n, _ := strconv.Atoi(m[1])
				return n
			}
			commits := num(`(?m)^walk: +(\d+) commits`)
			filesDiffed := num(`(\d+) files diffed`)
			workers := num(`(\d+) workers`)
			num(`files diffed \((\d+)(\.\d)? (B|KiB|MiB)\)`)
			num(`workers, (\d+)(\.\d+)?(ms|µs|s) wall`)
			checkouts, reuses, mints := num(`(?m)^arenas: +(\d+) checkouts`), num(`(\d+) reuses`), num(`(\d+) mints`)
			num(`peak arena (\d+)`)
			num(`(\d+) idle`)
			hits, misses, live := num(`(?m)^readers: +(\d+) hits`), num(`(\d+) misses`), num(`(\d+) live`)
			num(`(\d+) waits`)
			wantCommits := strings.TrimSpace(gitRun(t, dir, "rev-list", "--count", "--all", "--no-merges"))
			if cmd == "numstat" {
				wantCommits = strings.TrimSpace(gitRun(t, dir, "rev-list", "--count", "--all"))
			}
			if strconv.Itoa(commits) != wantCommits {
				t.Errorf("walked %d commits, git rev-list counts %s", commits, wantCommits)
			}
			if filesDiffed == 0 || workers != 3 {
				t.Errorf("%d files diffed, %d workers; want some, 3", filesDiffed, workers)
			}
			if checkouts < commits || reuses+mints != checkouts {
				t.Errorf("%d arena checkouts (%d reuses + %d mints) for %d commits", checkouts, reuses, mints, commits)
			}
			// A worker takes its reader with its first commit, so a worker
			// that got none took none: between one and one per worker.
			if live > workers || hits+misses < 1 || hits+misses > workers {
				t.Errorf("readers: %d live, %d hits, %d misses with %d workers", live, hits, misses, workers)
			}
		})
	}
}

func TestAnalysesFailWithOneLineAndTheRightExitCode(t *testing.T) {
	testrepos.IsolateGit(t)
	fixture := testrepos.Path(t, "merges")
	empty := testrepos.Path(t, "empty")
	notRepo := t.TempDir()
	for _, cmd := range []string{"churn", "summary", "authors"} {
		for _, tc := range []struct {
			name     string
			args     []string
			wantCode int
			wantMsg  string
		}{
			{"a folder that is not a repository", []string{notRepo}, exitFailed, "not a git repository"},
			{"a bad revision", []string{fixture, "no-such-branch"}, exitFailed, "no-such-branch"},
			{"an unknown flag", []string{fixture, "--frobnicate"}, exitUsage, "unknown option --frobnicate"},
			{"an empty repository", []string{empty}, exitFailed, "does not have any commits"},
		} {
			t.Run(cmd+" given "+tc.name, func(t *testing.T) {
				out, stderr, code := runGitwalk(t, append([]string{cmd}, tc.args...)...)
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
				if lines := strings.Count(stderr, "\n"); (tc.wantCode == exitFailed && lines != 1) || lines > 2 {
					t.Errorf("stderr has %d lines: %q", lines, stderr)
				}
			})
		}
	}
}

func TestAnalysisHelpDocumentsTheProgressBar(t *testing.T) {
	for _, cmd := range []string{"churn", "summary", "authors"} {
		out, _, code := runGitwalk(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, "--no-progress") || !strings.Contains(out, "stderr") {
			t.Errorf("%s --help (exit %d) does not document --no-progress on stderr", cmd, code)
		}
		_, stderr, code := runGitwalk(t, cmd, testrepos.Path(t, "merges"), "--all", "--no-progress")
		if code != 0 {
			t.Errorf("%s --no-progress: exit %d: %s", cmd, code, stderr)
		}
	}
}
