package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// runBinary runs the built gitwalk as a user does, in dir, with stdout and
// stderr pipes, and returns them with the process's exit status.
func runBinary(t *testing.T, bin, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &exit):
		return out.String(), errb.String(), exit.ExitCode()
	}
	t.Fatalf("run %v: %v", args, err)
	return "", "", -1
}

// buildGitwalk builds the command into a temporary folder.
func buildGitwalk(t *testing.T) string {
	t.Helper()
	return buildPrograms(t, t.TempDir(), "gitwalk")
}

// buildPrograms builds the commands cmd/NAME into dir and returns the path
// of the first.
func buildPrograms(t *testing.T, dir string, names ...string) string {
	t.Helper()
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	for _, n := range names {
		args = append(args, "github.com/gitwalk/gitwalk/cmd/"+n)
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return filepath.Join(dir, names[0])
}

var goldenFormats = []struct{ format, ext string }{{"table", "txt"}, {"csv", "csv"}, {"json", "json"}, {"ndjson", "ndjson"}}

// TestBuiltBinaryWritesTheGoldenOutputOfEveryCommandInEveryFormat runs the
// binary itself (main, its exit status and real pipes, where the in-process
// tests call execute) for every command that writes a report, in every
// format, and holds the formats to each other: CSV and JSON parse, CSV's
// header is JSON's columns, and the table, CSV, JSON and NDJSON have the
// same rows.
func TestBuiltBinaryWritesTheGoldenOutputOfEveryCommandInEveryFormat(t *testing.T) {
	bin := buildGitwalk(t) // before IsolateGit moves HOME, and the build cache with it
	testrepos.IsolateGit(t)
	merges, branches, people := testrepos.Path(t, "merges"), testrepos.Path(t, "branches"), testrepos.Path(t, "people")
	cases := []struct {
		golden string
		args   []string
	}{
		{"churn-merges", []string{"churn", merges, "--all"}},
		{"summary-merges", []string{"summary", merges, "--all"}},
		{"authors-merges", []string{"authors", merges, "--all"}},
		{"branches", []string{"branches", "--remotes", branches}},
		{"identities-people", []string{"identities", people, "--all"}},
		{"files-people", []string{"files", people, "--all"}},
	}
	for _, name := range []string{"coupling", "ownership", "hotspots", "age"} {
		cmd := analysisCommands[name]
		cases = append(cases, struct {
			golden string
			args   []string
		}{name + "-merges", append([]string{cmd[0], merges, "--all"}, cmd[1:]...)})
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			outs := map[string]string{}
			for _, f := range goldenFormats {
				out, stderr, code := runBinary(t, bin, t.TempDir(), append(tc.args, "--format", f.format)...)
				if code != 0 {
					t.Fatalf("--format %s: exit %d: %s", f.format, code, stderr)
				}
				golden(t, tc.golden+"."+f.ext, out)
				outs[f.format] = out
			}
			recs, err := csv.NewReader(strings.NewReader(outs["csv"])).ReadAll()
			if err != nil || len(recs) < 2 {
				t.Fatalf("csv does not parse or has no rows (%v): %q", err, outs["csv"])
			}
			var doc jsonDoc
			if err := json.Unmarshal([]byte(outs["json"]), &doc); err != nil {
				t.Fatalf("json does not parse: %v", err)
			}
			if doc.Analysis != tc.args[0] || strings.Join(doc.Columns, ",") != strings.Join(recs[0], ",") {
				t.Errorf("json is analysis %q with columns %v; csv header %v", doc.Analysis, doc.Columns, recs[0])
			}
			nd := strings.Split(strings.TrimSuffix(outs["ndjson"], "\n"), "\n")
			if len(doc.Rows) != len(recs)-1 || len(nd) != len(doc.Rows) {
				t.Errorf("json has %d rows, csv %d, ndjson %d", len(doc.Rows), len(recs)-1, len(nd))
			}
			table := strings.Split(strings.TrimSuffix(outs["table"], "\n"), "\n")
			notes := 0
			for _, l := range table {
				if strings.HasPrefix(l, "note: ") {
					notes++
				}
			}
			if tc.args[0] != "summary" && len(table)-notes != len(recs) {
				t.Errorf("table has %d lines besides notes, want a header and %d rows", len(table)-notes, len(recs)-1)
			}
		})
	}
	t.Run("numstat", func(t *testing.T) {
		want, err := gitNumstat(t, merges, []string{"--all"})
		if err != nil {
			t.Fatal(err)
		}
		out, stderr, code := runBinary(t, bin, t.TempDir(), "numstat", merges, "--all")
		if code != 0 || out != want {
			t.Fatalf("exit %d (%s); differs from git log --numstat: %s", code, stderr, firstDifference(want, out))
		}
	})
	t.Run("version", func(t *testing.T) {
		out, _, code := runBinary(t, bin, t.TempDir(), "version")
		if code != 0 || !strings.HasPrefix(out, "gitwalk ") || strings.Count(out, "\n") != 1 {
			t.Errorf("version: exit %d, %q", code, out)
		}
	})
}

// commandsWithRepos are every command that reads a repository.
var commandsWithRepos = []string{"numstat", "churn", "authors", "coupling", "ownership", "hotspots", "age",
	"branches", "summary", "identities", "files", "report"}

// TestBuiltBinaryFailsWithOneLineAHintAndTheExitCode gives every command
// the bad input people give: the process's exit status is 1 for a failure,
// 2 for a usage error; stdout stays empty; stderr is one line saying what
// is wrong with what to do about it (a failure), or that line and where the
// usage is (a usage error).
func TestBuiltBinaryFailsWithOneLineAHintAndTheExitCode(t *testing.T) {
	bin := buildGitwalk(t)
	testrepos.IsolateGit(t)
	merges, empty := testrepos.Path(t, "merges"), testrepos.Path(t, "empty")
	notRepo := t.TempDir()
	type badInput struct {
		name     string
		args     []string
		wantCode int
		wantMsg  []string // in the first line
	}
	for _, cmd := range commandsWithRepos {
		cases := []badInput{
			{"a folder that is not a repository", []string{notRepo}, exitFailed, []string{"not a git repository", "-C DIR"}},
			{"an unknown flag", []string{merges, "--frobnicate"}, exitUsage, []string{"unknown", "--frobnicate"}},
			{"an unknown format", []string{merges, "--format", "xml"}, exitUsage, []string{`unknown format "xml"`, "table, csv, json or ndjson"}},
			{"a grouping", []string{merges, "--by", "year"}, exitUsage, []string{"unknown", "--by"}},
		}
		switch cmd {
		case "branches":
			cases = append(cases, badInput{"an unknown base", []string{merges, "--base", "no-such-branch"}, exitFailed, []string{"bad revision 'no-such-branch'", "not a branch, tag or commit"}})
		default:
			cases = append(cases,
				badInput{"an unknown revision", []string{merges, "no-such-branch"}, exitFailed, []string{"bad revision 'no-such-branch'", "not a branch, tag or commit"}},
				// Run outside any repository: the missing folder is taken as a
				// revision of ".", which is no repository either.
				badInput{"a folder that does not exist", []string{filepath.Join(notRepo, "gone")}, exitFailed, []string{"gone is not a folder", "not a git repository", "-C DIR"}},
				badInput{"an empty repository", []string{empty}, exitFailed, []string{"does not have any commits yet"}})
		}
		switch cmd {
		case "numstat":
			cases[2].wantMsg = []string{"unknown option --format"}
		case "churn":
			cases[3].wantMsg = []string{`--by: unknown grouping "year"`, "file, dir, author, day, week, month or language"}
		case "report":
			cases[2].wantMsg = []string{"--format is for the other commands"}
		}
		for _, tc := range cases {
			t.Run(cmd+" given "+tc.name, func(t *testing.T) {
				args := append([]string{cmd}, tc.args...)
				if cmd == "report" {
					args = append(args, "-o", filepath.Join(t.TempDir(), "page.html"))
				}
				out, stderr, code := runBinary(t, bin, t.TempDir(), args...)
				if code != tc.wantCode {
					t.Fatalf("exit %d, want %d (stderr %q)", code, tc.wantCode, stderr)
				}
				if out != "" {
					t.Errorf("wrote %q to stdout", out)
				}
				lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
				if !strings.HasPrefix(lines[0], "gitwalk: ") {
					t.Errorf("first stderr line %q does not start with gitwalk: ", lines[0])
				}
				for _, m := range tc.wantMsg {
					if !strings.Contains(lines[0], m) {
						t.Errorf("first stderr line %q does not say %q", lines[0], m)
					}
				}
				wantLines := 1
				if tc.wantCode == exitUsage {
					wantLines = 2
					if lines[len(lines)-1] != "Run 'gitwalk "+cmd+" --help' for usage." {
						t.Errorf("last stderr line %q does not point to the help", lines[len(lines)-1])
					}
				}
				if len(lines) != wantLines {
					t.Errorf("stderr has %d lines, want %d: %q", len(lines), wantLines, stderr)
				}
			})
		}
	}
	t.Run("branches of an empty repository", func(t *testing.T) {
		out, stderr, code := runBinary(t, bin, t.TempDir(), "branches", empty, "--format", "csv")
		if code != 0 || out != "branch,ahead,behind,added,deleted,churn,files,last_commit,author,merged\n" || !strings.Contains(stderr, "has no branches") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 0, the header alone and why", code, out, stderr)
		}
	})
	t.Run("an unknown command", func(t *testing.T) {
		out, stderr, code := runBinary(t, bin, t.TempDir(), "frobnicate")
		if code != exitUsage || out != "" || !strings.HasPrefix(stderr, "gitwalk: unknown command \"frobnicate\"") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
		}
	})
}

// TestEveryCommandsHelpHasExamples holds every command, version included,
// to a help with an Examples part of runnable gitwalk command lines.
func TestEveryCommandsHelpHasExamples(t *testing.T) {
	for _, cmd := range append(commandsWithRepos, "version") {
		t.Run(cmd, func(t *testing.T) {
			out, stderr, code := runGitwalk(t, cmd, "--help")
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if n := strings.Count(out, "\nExamples:\n"); n != 1 {
				t.Fatalf("help has %d Examples parts, want 1:\n%s", n, out)
			}
			_, examples, _ := strings.Cut(out, "\nExamples:\n")
			examples, _, _ = strings.Cut(examples, "\n\n")
			for _, l := range strings.Split(examples, "\n") {
				if !strings.HasPrefix(l, "  gitwalk "+cmd) {
					t.Errorf("example %q is not a gitwalk %s command line", l, cmd)
				}
			}
		})
	}
}
