package cli

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// authorsWorkTree makes a work tree whose .mailmap has the four line forms
// and whose commits (fixed dates) come from several identities per person.
func authorsWorkTree(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "work")
	gitRun(t, "", "init", "-q", "-b", "main", dir)
	t.Setenv("GIT_COMMITTER_NAME", "C")
	t.Setenv("GIT_COMMITTER_EMAIL", "c@example.com")
	t.Setenv("GIT_COMMITTER_DATE", "2022-01-01T00:00:00Z")
	mailmap := "Ann Proper <ann@example.com>\n<bob.proper@example.com> <bob@example.com>\n" +
		"Cy Proper <cy.proper@example.com> <cy@example.com>\n" +
		"Di Proper <di.proper@example.com> Di Old <di@example.com>\n"
	authors := []string{"Ann <ann@example.com>", "ANN <Ann@Example.com>", "Bob <bob@example.com>", "Bobby <bob@example.com>",
		"Cy <CY@example.com>", "Di Old <di@example.com>", "Di New <di@example.com>", "Eve <eve@example.com>", "Eve <eve@example.com>"}
	for i, author := range authors {
		text := strings.Repeat("line\n", i+1)
		if err := os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i%3)+".txt"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := os.WriteFile(filepath.Join(dir, ".mailmap"), []byte(mailmap), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Setenv("GIT_AUTHOR_DATE", "2022-01-0"+strconv.Itoa(i+1)+"T12:00:00+02:00")
		gitRun(t, dir, "add", "-A")
		gitRun(t, dir, "commit", "-q", "-m", "c"+strconv.Itoa(i), "--author", author)
	}
	return dir
}

// authorsCSV runs gitwalk authors with --format csv and returns "Name
// <email>" -> commits.
func authorsCSV(t *testing.T, args ...string) map[string]string {
	t.Helper()
	out, stderr, code := runGitwalk(t, append([]string{"authors", "--format", "csv"}, args...)...)
	if code != 0 {
		t.Fatalf("gitwalk authors %v: exit %d: %s", args, code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, out)
	}
	if got := strings.Join(recs[0], ","); got != "author,email,commits,files,added,deleted,first,last" {
		t.Fatalf("CSV header %q", got)
	}
	counts := map[string]string{}
	for _, r := range recs[1:] {
		counts[r[0]+" <"+r[1]+">"] = r[2]
	}
	return counts
}

// countLines counts the lines of git output as shortlog -sne does.
func countLines(out string) map[string]string {
	n := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		n[l]++
	}
	counts := map[string]string{}
	for k, v := range n {
		counts[k] = strconv.Itoa(v)
	}
	return counts
}

func shortlogCounts(out string) map[string]string {
	counts := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		n, ident, _ := strings.Cut(strings.TrimSpace(l), "\t")
		counts[ident] = n
	}
	return counts
}

func sameCounts(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if want[k] != got[k] {
			t.Errorf("%s: %q has %q commits, git says %q", what, k, got[k], want[k])
		}
	}
}

func TestAuthorsCommandCountsAsGitShortlog(t *testing.T) {
	testrepos.IsolateGit(t)
	work := authorsWorkTree(t)
	want := shortlogCounts(gitRun(t, work, "shortlog", "-sne", "--no-merges", "HEAD"))
	if want["Ann Proper <ann@example.com>"] != "1" || want["Di Proper <di.proper@example.com>"] != "1" {
		t.Fatalf("the test's premise fails: git did not apply the mailmap: %v", want)
	}
	sameCounts(t, "with .mailmap", want, authorsCSV(t, work))
	raw := countLines(gitRun(t, work, "log", "--no-merges", "--no-use-mailmap", "--format=%an <%ae>"))
	sameCounts(t, "--no-mailmap", raw, authorsCSV(t, work, "--no-mailmap"))
}

func TestAuthorsCommandIsTheSameForEveryWorkerCount(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, dir := range []string{authorsWorkTree(t), testrepos.Path(t, "merges"), testrepos.Path(t, "content")} {
		one, stderr, code := runGitwalk(t, "authors", dir, "--all", "-j1", "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, j := range []string{"-j2", "-j8"} {
			if got, _, _ := runGitwalk(t, "authors", dir, "--all", j, "--format", "json"); got != one {
				t.Errorf("%s: %s differs from -j1: %s", dir, j, firstDifference(one, got))
			}
		}
	}
}

func TestAuthorsOutputMatchesGoldenFile(t *testing.T) {
	testrepos.IsolateGit(t)
	out, stderr, code := runGitwalk(t, "authors", testrepos.Path(t, "merges"), "--all")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "authors-merges.txt", out)
}

func TestAuthorsTopKeepsTheFirstRows(t *testing.T) {
	testrepos.IsolateGit(t)
	work := authorsWorkTree(t)
	all, _, _ := runGitwalk(t, "authors", work, "--format", "csv")
	top, stderr, code := runGitwalk(t, "authors", work, "--format", "csv", "--top", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.SplitAfter(all, "\n")
	if want := strings.Join(lines[:3], ""); top != want {
		t.Errorf("--top 2 gives %q, want the header and first two rows %q", top, want)
	}
}

func TestAuthorsCommandWarnsAboutAnUnreadableMailmapAndGoesOn(t *testing.T) {
	testrepos.IsolateGit(t)
	work := authorsWorkTree(t)
	gitRun(t, work, "config", "mailmap.blob", "HEAD^{tree}")
	out, stderr, code := runGitwalk(t, "authors", work)
	if code != 0 || out == "" {
		t.Fatalf("exit %d, stdout %q: want the table despite the bad mailmap.blob", code, out)
	}
	if !strings.HasPrefix(stderr, "gitwalk: warning: ") || !strings.Contains(stderr, "not a blob") {
		t.Errorf("stderr %q does not warn that the mailmap blob is not a blob", stderr)
	}
}

func TestAuthorsCommandRejectsBadInputWithOneLine(t *testing.T) {
	testrepos.IsolateGit(t)
	fixture := testrepos.Path(t, "merges")
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"a top that is not a number", []string{"authors", fixture, "--top", "ten"}, exitUsage, "--top"},
		{"--by, which authors does not take", []string{"authors", fixture, "--by", "file"}, exitUsage, "unknown option --by"},
		{"an unknown format", []string{"authors", fixture, "--format=xml"}, exitUsage, `unknown format "xml"`},
		{"a folder that is not a repository", []string{"authors", t.TempDir()}, exitFailed, "not a git repository"},
		{"an empty repository", []string{"authors", testrepos.Path(t, "empty")}, exitFailed, "does not have any commits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runGitwalk(t, tc.args...)
			if code != tc.wantCode || out != "" {
				t.Fatalf("exit %d, stdout %q; want exit %d and nothing (stderr %q)", code, out, tc.wantCode, stderr)
			}
			if first := strings.SplitN(stderr, "\n", 2)[0]; !strings.HasPrefix(first, "gitwalk: ") || !strings.Contains(first, tc.wantMsg) {
				t.Errorf("first stderr line %q does not say %q", first, tc.wantMsg)
			}
		})
	}
}

func TestAuthorsHelpHasExamplesAndMailmap(t *testing.T) {
	out, _, code := runGitwalk(t, "authors", "--help")
	for _, want := range []string{"Examples:", "gitwalk authors", "--no-mailmap", "--format", ".mailmap"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("authors --help (exit %d) lacks %q", code, want)
		}
	}
}
