package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("output differs from %s (go test -update rewrites it): %s", p, firstDifference(string(want), got))
	}
}

func TestChurnOutputMatchesGoldenFiles(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	for _, tc := range []struct{ file, format string }{
		{"churn-merges.txt", "table"},
		{"churn-merges.csv", "csv"},
		{"churn-merges.json", "json"},
		{"churn-merges.ndjson", "ndjson"},
		{"churn-merges-by-dir.csv", "csv"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			args := []string{"churn", dir, "--all", "--format", tc.format}
			if strings.Contains(tc.file, "by-dir") {
				args = append(args, "--by=dir")
			}
			out, stderr, code := runGitwalk(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden(t, tc.file, out)
		})
	}
	t.Run("summary.txt", func(t *testing.T) {
		out, stderr, code := runGitwalk(t, "summary", dir, "--all")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		golden(t, "summary-merges.txt", out)
	})
}

// jsonDoc is the documented JSON schema of every analysis.
type jsonDoc struct {
	Analysis string           `json:"analysis"`
	Options  map[string]any   `json:"options"`
	Columns  []string         `json:"columns"`
	Rows     []map[string]any `json:"rows"`
}

func TestEveryFormatParsesAndAgrees(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "paths") // odd names: quotes, tabs, newlines, invalid UTF-8
	for _, cmd := range [][]string{
		{"churn"}, {"churn", "--by", "author"}, {"churn", "--by", "week"}, {"churn", "--top", "3"}, {"summary"}, {"summary", "--merges"}, {"authors"}, {"authors", "--no-mailmap"},
	} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			run := func(format string) string {
				t.Helper()
				out, stderr, code := runGitwalk(t, append(append(cmd[:1:1], dir, "--all", "--format", format), cmd[1:]...)...)
				if code != 0 {
					t.Fatalf("--format %s: exit %d: %s", format, code, stderr)
				}
				return out
			}
			recs, err := csv.NewReader(strings.NewReader(run("csv"))).ReadAll()
			if err != nil {
				t.Fatalf("csv does not parse: %v", err)
			}
			var doc jsonDoc
			if err := json.Unmarshal([]byte(run("json")), &doc); err != nil {
				t.Fatalf("json does not parse: %v", err)
			}
			if doc.Analysis != cmd[0] || strings.Join(doc.Columns, ",") != strings.Join(recs[0], ",") {
				t.Errorf("json analysis %q columns %v; csv header %v", doc.Analysis, doc.Columns, recs[0])
			}
			if len(doc.Rows) != len(recs)-1 {
				t.Fatalf("json has %d rows, csv %d", len(doc.Rows), len(recs)-1)
			}
			nd := strings.Split(strings.TrimSuffix(run("ndjson"), "\n"), "\n")
			if len(nd) != len(doc.Rows) {
				t.Fatalf("ndjson has %d lines, json %d rows", len(nd), len(doc.Rows))
			}
			for i, line := range nd {
				var row map[string]any
				if err := json.Unmarshal([]byte(line), &row); err != nil {
					t.Fatalf("ndjson line %d does not parse: %v", i+1, err)
				}
				for j, col := range doc.Columns {
					// JSON strings are UTF-8: each invalid byte of a path becomes U+FFFD
					// there (documented), while CSV keeps the raw bytes.
					if s := jsonText(row[col]); s != string([]rune(recs[i+1][j])) || jsonText(doc.Rows[i][col]) != s {
						t.Errorf("row %d column %s: ndjson %q, json %q, csv %q", i, col, s, jsonText(doc.Rows[i][col]), recs[i+1][j])
					}
				}
			}
			table := run("table")
			if got := strings.Count(table, "\n"); got != len(recs) && cmd[0] == "churn" {
				t.Errorf("table has %d lines, want a header and %d rows", got, len(recs)-1)
			}
		})
	}
}

func jsonText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestAnalysesAreTheSameForEveryWorkerCount(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, name := range []string{"merges", "content", "paths", "order"} {
		dir := testrepos.Path(t, name)
		for _, cmd := range [][]string{{"churn", "--by", "file"}, {"churn", "--by", "dir"}, {"churn", "--by", "day"}, {"summary", "--merges"}} {
			var first string
			for _, j := range []string{"-j1", "-j2", "-j8"} {
				out, stderr, code := runGitwalk(t, append(append(cmd[:1:1], dir, "--all", "--format", "csv", j), cmd[1:]...)...)
				if code != 0 {
					t.Fatalf("%s %v %s: exit %d: %s", name, cmd, j, code, stderr)
				}
				if j == "-j1" {
					first = out
				} else if out != first {
					t.Errorf("%s %v: %s differs from -j1: %s", name, cmd, j, firstDifference(first, out))
				}
			}
		}
	}
}

func TestAnalysesRejectBadInputWithOneLine(t *testing.T) {
	testrepos.IsolateGit(t)
	fixture := testrepos.Path(t, "merges")
	empty := testrepos.Path(t, "empty")
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"an unknown grouping", []string{"churn", fixture, "--by", "year"}, exitUsage, `unknown grouping "year"`},
		{"an unknown format", []string{"churn", fixture, "--format=xml"}, exitUsage, `unknown format "xml"`},
		{"a top that is not a number", []string{"churn", fixture, "--top", "ten"}, exitUsage, "--top"},
		{"a negative top", []string{"churn", fixture, "--top=-1"}, exitUsage, "--top"},
		{"a format without its value", []string{"churn", fixture, "--format"}, exitUsage, "needs a value"},
		{"a malformed glob", []string{"churn", fixture, "--include", "src/[a"}, exitUsage, "bad path pattern"},
		{"--by on summary", []string{"summary", fixture, "--by", "file"}, exitUsage, "unknown option --by"},
		{"an unknown option", []string{"summary", fixture, "--frobnicate"}, exitUsage, "unknown option --frobnicate"},
		{"an unknown revision", []string{"churn", fixture, "no-such-branch"}, exitFailed, "no-such-branch"},
		{"a folder that is not a repository", []string{"summary", t.TempDir()}, exitFailed, "not a git repository"},
		{"an empty repository", []string{"churn", empty}, exitFailed, "does not have any commits"},
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

func TestAnalysisHelpHasExamples(t *testing.T) {
	for _, cmd := range []string{"churn", "summary"} {
		out, _, code := runGitwalk(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "gitwalk "+cmd) || !strings.Contains(out, "--format") {
			t.Errorf("%s --help (exit %d) lacks examples or flags: %q", cmd, code, out)
		}
	}
}

func TestChurnTopAndFiltersCutRows(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	all, _, _ := runGitwalk(t, "churn", dir, "--all", "--format", "csv")
	top, _, code := runGitwalk(t, "churn", dir, "--all", "--format", "csv", "--top", "2")
	lines := strings.Split(all, "\n")
	if code != 0 || top != strings.Join(lines[:3], "\n")+"\n" {
		t.Errorf("--top 2 gave %q, want the first two rows of %q", top, all)
	}
	lib, _, code := runGitwalk(t, "churn", dir, "--all", "--format", "csv", "--include", "lib/**")
	want := "entity,added,deleted,commits,churn\nlib/one.txt,1,0,1,1\nlib/two.txt,1,0,1,1\n"
	if code != 0 || lib != want {
		t.Errorf("--include lib/** gave %q, want %q", lib, want)
	}
	noLib, _, _ := runGitwalk(t, "churn", dir, "--all", "--format", "csv", "--exclude", "lib/")
	if strings.Contains(noLib, "lib/") || !bytes.Contains([]byte(noLib), []byte("a.txt")) {
		t.Errorf("--exclude lib/ gave %q", noLib)
	}
}

// TestChurnWithMergesOnTheFirstParentMatchesGit counts merges' changes
// against their first parents, as git log --first-parent lists them.
func TestChurnWithMergesOnTheFirstParentMatchesGit(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	log, err := gitNumstat(t, dir, []string{"--first-parent"})
	if err != nil {
		t.Fatal(err)
	}
	type sums struct{ added, deleted, commits int }
	want := map[string]sums{}
	for _, line := range strings.Split(log, "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue // a commit id or a blank line
		}
		s := want[f[2]]
		s.added += atoi(t, f[0])
		s.deleted += atoi(t, f[1])
		s.commits++
		want[f[2]] = s
	}
	out, stderr, code := runGitwalk(t, "churn", dir, "--first-parent", "--merges", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]sums{}
	for _, r := range recs[1:] {
		got[r[0]] = sums{atoi(t, r[1]), atoi(t, r[2]), atoi(t, r[3])}
	}
	if _, ok := want["evil.txt"]; !ok || len(got) != len(want) {
		t.Fatalf("got %v, want %v (with the evil merge's evil.txt)", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %+v, want %+v", k, got[k], w)
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}
