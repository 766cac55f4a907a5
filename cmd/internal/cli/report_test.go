package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

var pageData = regexp.MustCompile(`(?s)<script type="application/json" id="data-([a-z-]+)">(.*?)</script>`)

// reportData runs `gitwalk report ARGS -o FILE` and returns the JSON the
// page embeds, by slot, and the page itself.
func reportData(t *testing.T, args ...string) (map[string]string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report.html")
	full := append(append([]string{"report"}, withoutPaths(args)...), "-o", out)
	_, stderr, code := runGitwalk(t, append(full, pathsOf(args)...)...)
	if code != 0 {
		t.Fatalf("gitwalk report %v: exit %d: %s", args, code, stderr)
	}
	if !strings.Contains(stderr, out) {
		t.Errorf("report does not say where it wrote: stderr %q, want it to name %s", stderr, out)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]string{}
	for _, m := range pageData.FindAllStringSubmatch(string(page), -1) {
		data[m[1]] = m[2]
	}
	return data, string(page)
}

func TestReportEmbedsTheAnalysesOwnJSON(t *testing.T) {
	testrepos.IsolateGit(t)
	// Ages are measured to a fixed time, given to both.
	const now = "2030-01-02T03:04:05Z"
	for _, tc := range []struct {
		name    string
		fixture string
		args    []string
		// branches: `gitwalk branches` arguments giving the page's
		// branches data (after the fixture's path); nil: the page has none
		// (the walk names revisions or paths).
		branches []string
	}{
		{"every branch of the merges fixture, merges counted", "merges", []string{"--all", "--merges"}, []string{"--merges"}},
		{"odd path names", "paths", nil, []string{}},
		{"people in linguist's languages, for knowledge", "people", nil, []string{}},
		{"author dates unlike committer dates, one worker", "order", []string{"--all", "-j1"}, []string{}},
		{"a path limit and an exclude", "merges", []string{"--all", "--exclude", "*.md", "--", "."}, nil},
		{"an include that matches nothing", "content", []string{"--include", "no/such/**"}, []string{"--include", "no/such/**"}},
		{"the branches fixture, with an exclude", "branches", []string{"--exclude", "*.md"}, []string{"--exclude", "*.md"}},
		{"a revision range, which leaves branches out", "branches", []string{"HEAD~1"}, nil},
		{"a --since and --until window (branches are whole)", "merges",
			[]string{"--all", "--since", "2023-11-14T22:13:25Z", "--until", "2023-11-14T22:13:36Z", "-j", "3"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testrepos.Path(t, tc.fixture)
			// The analyses' arguments: the walk's and the filters (the
			// report's own flags are not theirs).
			an := append([]string{dir}, tc.args...)
			data, _ := reportData(t, append(append(slices.Clip(withoutPaths(an)), "--now", now), pathsOf(an)...)...)
			var periods jsonDoc
			if err := json.Unmarshal([]byte(data["periods"]), &periods); err != nil {
				t.Fatalf("periods: %v", err)
			}
			by, _ := periods.Options["by"].(string)
			if by != "week" && by != "month" {
				t.Fatalf("periods by %q, want week or month", by)
			}
			for slot, cmd := range map[string][]string{
				"summary":   {"summary"},
				"files":     {"churn", "--top", "400"},
				"authors":   {"authors", "--top", "50"},
				"periods":   {"churn", "--by", by},
				"coupling":  {"coupling", "--top", "100"},
				"ownership": {"ownership", "--top", "200"},
				"hotspots":  {"hotspots", "--top", "500"},
				"age":       {"age", "--top", "200", "--now", now},
				// The report reads line counts, so knowledge is --churn's.
				"knowledge":        {"knowledge", "--churn"},
				"knowledge-files":  {"knowledge", "--churn", "--view", "files"},
				"knowledge-people": {"knowledge", "--churn", "--view", "people", "--top", "50"},
				"knowledge-loss":   {"knowledge", "--churn", "--view", "loss"},
			} {
				want, stderr, code := runGitwalk(t, append(append(cmd, withoutPaths(an)...), append([]string{"--format", "json"}, pathsOf(an)...)...)...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", cmd, code, stderr)
				}
				if data[slot] != want {
					t.Errorf("the page's %s data is not `gitwalk %s --format json`'s output:\npage: %s\ncli:  %s", slot, strings.Join(cmd, " "), data[slot], want)
				}
			}
			if tc.branches == nil {
				if data["branches"] != "" {
					t.Errorf("the page has branches data for a walk of revisions or paths: %s", data["branches"])
				}
			} else {
				want, stderr, code := runGitwalk(t, append(append([]string{"branches", dir}, tc.branches...), "--format", "json")...)
				if code != 0 {
					t.Fatalf("branches: exit %d: %s", code, stderr)
				}
				if data["branches"] != want {
					t.Errorf("the page's branches data is not `gitwalk branches --format json`'s output:\npage: %s\ncli:  %s", data["branches"], want)
				}
			}
			if tc.fixture == "people" && !strings.Contains(data["knowledge-files"], `"entity":"src/main.go"`) {
				t.Errorf("the people fixture's knowledge has no files: %s", data["knowledge-files"])
			}
			checkActivityAddsUp(t, data, periods)
		})
	}
}

// withoutPaths and pathsOf split args at "--", since the format flag must
// come before it.
func withoutPaths(args []string) []string {
	for i, a := range args {
		if a == "--" {
			return args[:i]
		}
	}
	return args
}

func pathsOf(args []string) []string {
	for i, a := range args {
		if a == "--" {
			return args[i:]
		}
	}
	return nil
}

// checkActivityAddsUp checks the report's own analysis against churn by
// period: per period, the directories' lines add up to churn's, and the
// authors' commits to churn's commits (both count commits with a kept
// change, each once).
func checkActivityAddsUp(t *testing.T, data map[string]string, periods jsonDoc) {
	t.Helper()
	var act, who jsonDoc
	if err := json.Unmarshal([]byte(data["activity"]), &act); err != nil {
		t.Fatalf("activity: %v", err)
	}
	if err := json.Unmarshal([]byte(data["activity-authors"]), &who); err != nil {
		t.Fatalf("activity-authors: %v", err)
	}
	key := periods.Options["by"].(string)
	type sums struct{ added, deleted, commits float64 }
	want, gotDirs, gotWho := map[string]sums{}, map[string]sums{}, map[string]sums{}
	for _, r := range periods.Rows {
		want[r[key].(string)] = sums{r["added"].(float64), r["deleted"].(float64), r["commits"].(float64)}
	}
	for _, r := range act.Rows {
		s := gotDirs[r["period"].(string)]
		s.added += r["added"].(float64)
		s.deleted += r["deleted"].(float64)
		gotDirs[r["period"].(string)] = s
	}
	for _, r := range who.Rows {
		s := gotWho[r["period"].(string)]
		s.commits += r["commits"].(float64)
		gotWho[r["period"].(string)] = s
	}
	if len(gotDirs) != len(want) || len(gotWho) != len(want) {
		t.Errorf("periods: churn has %d, activity %d, authors over time %d", len(want), len(gotDirs), len(gotWho))
	}
	for p, w := range want {
		if g := gotDirs[p]; g.added != w.added || g.deleted != w.deleted {
			t.Errorf("period %s: directories add up to +%v -%v, churn says +%v -%v", p, g.added, g.deleted, w.added, w.deleted)
		}
		if g := gotWho[p]; g.commits != w.commits {
			t.Errorf("period %s: authors' commits add up to %v, churn says %v", p, g.commits, w.commits)
		}
	}
}

func TestReportWritesWhereAsked(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	t.Run("a dash writes the page to stdout and nothing to stderr", func(t *testing.T) {
		out, stderr, code := runGitwalk(t, "report", dir, "-o", "-")
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.HasSuffix(out, "</html>\n") {
			t.Fatalf("stdout is not one whole page: starts %q", out[:min(len(out), 40)])
		}
	})
	t.Run("the default file is gitwalk-report.html in the current folder", func(t *testing.T) {
		t.Chdir(t.TempDir())
		_, stderr, code := runGitwalk(t, "report", dir)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat("gitwalk-report.html"); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"-o without a file is a usage error", []string{"-o"}, exitUsage, "needs a value"},
		{"a file in a missing folder fails with its name", []string{"-o", filepath.Join(t.TempDir(), "no", "such", "r.html")}, exitFailed, "no/such/r.html"},
		{"an unknown flag is a usage error", []string{"--top", "3"}, exitUsage, "--top"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runGitwalk(t, append([]string{"report", dir}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Fatalf("exit %d (want %d), stderr %q (want one line naming %q)", code, tc.code, stderr, tc.msg)
			}
		})
	}
}

// TestReportPageIsSelfContained checks that the page names nothing outside
// itself (the browser test checks that it requests nothing).
func TestReportPageIsSelfContained(t *testing.T) {
	testrepos.IsolateGit(t)
	_, page := reportData(t, testrepos.Path(t, "merges"), "--all")
	for _, bad := range []string{"<link ", "src=\"http", "src='http", "@import", "url(http", "fonts.googleapis"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q: it must load nothing from outside", bad)
		}
	}
	if n := len(page); n > 3<<20 {
		t.Errorf("the page of a small fixture is %s bytes", strconv.Itoa(n))
	}
}

// TestReportWalksOnceAsChurnDoes checks the "one walk feeds every section"
// promise through --stats: the report prints one walk's figures, and they
// are those of churn's walk over the same arguments (same commits, same
// files diffed), so no section diffed the history a second time.
func TestReportWalksOnceAsChurnDoes(t *testing.T) {
	testrepos.IsolateGit(t)
	walkLines := func(stderr string) []string {
		var lines []string
		for _, l := range strings.Split(stderr, "\n") {
			if rest, ok := strings.CutPrefix(l, "walk:"); ok {
				if i := strings.LastIndex(rest, ","); i >= 0 {
					rest = rest[:i] // the wall time differs
				}
				lines = append(lines, strings.TrimSpace(rest))
			}
		}
		return lines
	}
	for _, args := range [][]string{
		{testrepos.Path(t, "merges"), "--all"},
		{testrepos.Path(t, "paths"), "--exclude", "*.txt"},
	} {
		page := filepath.Join(t.TempDir(), "r.html")
		_, stderr, code := runGitwalk(t, append(append([]string{"report", "-o", page, "--stats", "--no-cache"}, args...), "-j", "2")...)
		if code != 0 {
			t.Fatalf("report %v: exit %d: %s", args, code, stderr)
		}
		got := walkLines(stderr)
		_, stderr, code = runGitwalk(t, append(append([]string{"churn", "--stats", "--no-cache"}, args...), "-j", "2")...)
		if code != 0 {
			t.Fatalf("churn %v: exit %d: %s", args, code, stderr)
		}
		want := walkLines(stderr)
		if len(got) != 1 || len(want) != 1 || got[0] != want[0] {
			t.Errorf("%v: report's walks %q, churn's %q: want one and the same", args, got, want)
		}
	}
}
