package cli

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// analysisCommands are the four analyses with the arguments their golden
// files are made with on the merges fixture.
var analysisCommands = map[string][]string{
	"coupling":  {"coupling", "--min-revs", "1", "--min-shared=1", "--min-coupling", "0", "--max-changeset-size", "3"},
	"ownership": {"ownership"},
	"hotspots":  {"hotspots", "--sort", "churn"},
	"age":       {"age", "--now", "2026-01-01T00:00:00Z"},
}

func TestAnalysesOutputMatchesGoldenFilesInEveryFormat(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	for _, name := range []string{"coupling", "ownership", "hotspots", "age"} {
		for _, f := range []struct{ format, ext string }{{"table", "txt"}, {"csv", "csv"}, {"json", "json"}, {"ndjson", "ndjson"}} {
			t.Run(name+" as "+f.format, func(t *testing.T) {
				cmd := analysisCommands[name]
				args := append([]string{cmd[0], dir, "--all", "--format", f.format}, cmd[1:]...)
				out, stderr, code := runGitwalk(t, args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				golden(t, name+"-merges."+f.ext, out)
				switch f.format {
				case "csv":
					recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
					if err != nil || len(recs) < 2 {
						t.Fatalf("csv does not parse or has no rows (%v): %q", err, out)
					}
				case "json":
					var doc struct {
						jsonDoc
						Notes map[string]any `json:"notes"`
					}
					if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Analysis != name || len(doc.Rows) == 0 {
						t.Fatalf("json does not parse (%v) or is not %s with rows: %q", err, name, out)
					}
					if name == "coupling" {
						if _, ok := doc.Notes["left-out-commits"]; !ok {
							t.Errorf("coupling's json lacks notes.left-out-commits: %v", doc.Notes)
						}
					}
				}
			})
		}
	}
}

func TestAnalysesAreTheSameForEveryWorkerCountToo(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, fixture := range []string{"merges", "paths", "content"} {
		dir := testrepos.Path(t, fixture)
		for name, cmd := range analysisCommands {
			var first string
			for _, j := range []string{"-j1", "-j2", "-j8"} {
				out, stderr, code := runGitwalk(t, append([]string{cmd[0], dir, "--all", "--format", "csv", j}, cmd[1:]...)...)
				if code != 0 {
					t.Fatalf("%s %s %s: exit %d: %s", fixture, name, j, code, stderr)
				}
				if j == "-j1" {
					first = out
				} else if out != first {
					t.Errorf("%s %s: %s differs from -j1: %s", fixture, name, j, firstDifference(first, out))
				}
			}
		}
	}
}

func TestCouplingSaysHowManyCommitsItLeftOut(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	out, _, code := runGitwalk(t, "coupling", dir, "--all", "--max-changeset-size", "1")
	if code != 0 || !strings.Contains(out, "note: ") || !strings.Contains(out, "commits left out for touching more than 1 files") {
		t.Fatalf("exit %d, table %q lacks the left-out note", code, out)
	}
	csvOut, _, _ := runGitwalk(t, "coupling", dir, "--all", "--max-changeset-size", "1", "--format", "csv")
	if strings.Contains(csvOut, "note") {
		t.Errorf("csv holds a note: %q", csvOut)
	}
}

func TestAnalysesRejectBadFlagValuesWithUsage(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	cases := []struct {
		name    string
		args    []string
		wantMsg string
	}{
		{"a negative minimum of revisions", []string{"coupling", dir, "--min-revs", "-1"}, "--min-revs"},
		{"a coupling that is not a number", []string{"coupling", dir, "--min-coupling=lots"}, "--min-coupling"},
		{"a changeset size without its value", []string{"coupling", dir, "--max-changeset-size"}, "needs a value"},
		{"an unknown hotspot sort", []string{"hotspots", dir, "--sort", "size"}, `unknown sort "size"`},
		{"hotspots in reverse", []string{"hotspots", dir, "--reverse"}, "--reverse"},
		{"age in reverse", []string{"age", dir, "--reverse"}, "--reverse"},
		{"a bad --now", []string{"age", dir, "--now", "soonish"}, "date"},
		{"a coupling flag on ownership", []string{"ownership", dir, "--min-revs", "3"}, "unknown option --min-revs"},
		{"a bad top", []string{"age", dir, "--top", "x"}, "--top"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runGitwalk(t, tc.args...)
			if code != exitUsage || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and nothing on stdout", code, out, stderr)
			}
			if first := strings.SplitN(stderr, "\n", 2)[0]; !strings.Contains(first, tc.wantMsg) {
				t.Errorf("first stderr line %q does not say %q", first, tc.wantMsg)
			}
		})
	}
}

func TestAnalysesHelpSaysHowToReadThem(t *testing.T) {
	for _, cmd := range []string{"coupling", "ownership", "hotspots", "age"} {
		out, _, code := runGitwalk(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "gitwalk "+cmd) || !strings.Contains(out, "sorted") {
			t.Errorf("%s --help (exit %d) lacks examples or how rows are sorted: %q", cmd, code, out)
		}
	}
}
