package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// knowledgeRepo makes a small history: Alice creates a.c, b.c, a JSON data
// file, a README and a vendored file; Bob maintains a.c (twelve commits) and
// leaves a year before Carol's last commit, which adds c.c.
func knowledgeRepo(t *testing.T) string {
	t.Helper()
	testrepos.IsolateGit(t)
	dir := filepath.Join(t.TempDir(), "k")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "init", "-q", "-b", "main")
	commit := func(who, date string, files map[string]string) {
		t.Helper()
		for name, content := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		email := strings.ToLower(who) + "@example.com"
		for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", "step"}} {
			cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
			cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME="+who, "GIT_AUTHOR_EMAIL="+email, "GIT_AUTHOR_DATE="+date,
				"GIT_COMMITTER_NAME="+who, "GIT_COMMITTER_EMAIL="+email, "GIT_COMMITTER_DATE="+date)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v: %s", args, err, out)
			}
		}
	}
	commit("Alice", "2020-01-01T00:00:00Z", map[string]string{"a.c": "a\n", "b.c": "b\n", "data.json": "{}\n",
		"README.md": "# k\n", "vendor/v/v.c": "v\n"})
	a := "a\n"
	for i := 0; i < 12; i++ {
		a += strconv.Itoa(i) + "\n"
		commit("Bob", "2020-02-"+strconv.Itoa(10+i)+"T00:00:00Z", map[string]string{"a.c": a})
	}
	commit("Carol", "2021-06-01T00:00:00Z", map[string]string{"c.c": "c\n"})
	return dir
}

type knowledgeDoc struct {
	Options map[string]any   `json:"options"`
	Notes   map[string]any   `json:"notes"`
	Rows    []map[string]any `json:"rows"`
}

func knowledgeJSON(t *testing.T, args ...string) knowledgeDoc {
	t.Helper()
	out, _ := mustRun(t, append([]string{"knowledge"}, append(args, "--format", "json")...)...)
	var doc knowledgeDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v: %q", err, out)
	}
	return doc
}

func TestKnowledgeCountsLinguistsLanguageFilesAndNamesTheirAuthors(t *testing.T) {
	dir := knowledgeRepo(t)
	files := func(doc knowledgeDoc) map[string]string {
		m := map[string]string{}
		for _, r := range doc.Rows {
			m[r["entity"].(string)] = r["authors"].(string)
		}
		return m
	}
	// a.c: Alice's DOA 3.293+1.098-0.321*ln 13 = 3.568 against Bob's
	// 3.293+0.164*12 = 5.261 (0.68 < 0.75): Bob alone. data.json is data
	// and README.md documentation to linguist, vendor/ is vendored.
	want := map[string]string{"a.c": "Bob <bob@example.com>", "b.c": "Alice <alice@example.com>", "c.c": "Carol <carol@example.com>"}
	if got := files(knowledgeJSON(t, dir, "--view", "files")); !reflect.DeepEqual(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	want["data.json"], want["README.md"] = "Alice <alice@example.com>", "Alice <alice@example.com>"
	doc := knowledgeJSON(t, dir, "--view", "files", "--all-files")
	if got := files(doc); !reflect.DeepEqual(got, want) {
		t.Errorf("--all-files: files %v, want %v (vendor/ left out by the default excludes)", got, want)
	}
	if doc.Options["files"] != "all" || doc.Options["departed_after_months"] != float64(12) {
		t.Errorf("options %v", doc.Options)
	}
	// With a share of 0.6 Alice's 0.68 of Bob's DOA makes her an author of
	// a.c too (Bob first: the higher DOA).
	doc = knowledgeJSON(t, dir, "--view", "files", "--author-share", "0.6")
	if got := files(doc)["a.c"]; got != "Bob <bob@example.com>; Alice <alice@example.com>" {
		t.Errorf("--author-share 0.6: a.c authors %q", got)
	}
	if th := doc.Options["thresholds"].(map[string]any); th["normalized_doa"] != 0.6 || th["absolute_doa"] != 3.293 {
		t.Errorf("thresholds %v", th)
	}

	// Each person authors one file; removing by name order, Alice then Bob
	// leave one file of three covered (0.33 < 0.5): truck factor 2.
	doc = knowledgeJSON(t, dir)
	if doc.Notes["truck-factor"] != float64(2) || doc.Notes["truck-factor-people"] != "Alice <alice@example.com>; Bob <bob@example.com>" {
		t.Errorf("notes %v", doc.Notes)
	}
	if len(doc.Rows) != 1 || doc.Rows[0]["folder"] != "." || doc.Rows[0]["files"] != float64(3) {
		t.Errorf("truck rows %v", doc.Rows)
	}
	if doc.Notes["left-out-files"] != float64(2) { // data.json and README.md; vendor/ is the scope's
		t.Errorf("left-out-files %v, want 2", doc.Notes["left-out-files"])
	}

	// Newest commit 2021-06-01: Alice and Bob have none in the 12 months
	// before; what they alone know is lost, the hotter a.c first.
	doc = knowledgeJSON(t, dir, "--view", "loss")
	var lost []string
	for _, r := range doc.Rows {
		lost = append(lost, r["entity"].(string))
	}
	if !reflect.DeepEqual(lost, []string{"a.c", "b.c"}) || doc.Notes["departed-before"] != "2020-06-01T00:00:00Z" {
		t.Errorf("lost %v, notes %v", lost, doc.Notes)
	}
	doc = knowledgeJSON(t, dir, "--view", "loss", "--departed-after", "0", "--simulate-leave", "carol@example.com")
	if len(doc.Rows) != 1 || doc.Rows[0]["entity"] != "c.c" {
		t.Errorf("nobody departed, Carol leaving: %v", doc.Rows)
	}
	if _, ok := doc.Notes["departed-before"]; ok {
		t.Errorf("--departed-after 0 still notes a cutoff: %v", doc.Notes)
	}
	doc = knowledgeJSON(t, dir, "--view", "people")
	departed := map[string]bool{}
	for _, r := range doc.Rows {
		departed[r["author"].(string)] = r["departed"].(bool)
	}
	if !reflect.DeepEqual(departed, map[string]bool{"Alice <alice@example.com>": true, "Bob <bob@example.com>": true, "Carol <carol@example.com>": false}) {
		t.Errorf("departed %v", departed)
	}
}

func TestKnowledgeFormatsAgreeAndWorkersDoNotMatter(t *testing.T) {
	dir := knowledgeRepo(t)
	for _, view := range []string{"truck", "files", "people", "loss"} {
		csvOut, _ := mustRun(t, "knowledge", dir, "--view", view, "--all-files", "--format", "csv")
		recs, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%s: csv (%v): %q", view, err, csvOut)
		}
		doc := knowledgeJSON(t, dir, "--view", view, "--all-files")
		if len(doc.Rows) != len(recs)-1 {
			t.Errorf("%s: %d csv rows, %d json rows", view, len(recs)-1, len(doc.Rows))
		}
		one, _ := mustRun(t, "knowledge", dir, "--view", view, "-j", "1", "--format", "json")
		many, _ := mustRun(t, "knowledge", dir, "--view", view, "-j", "8", "--format", "json")
		if one != many {
			t.Errorf("%s: -j 1 and -j 8 differ:\n%s\n%s", view, one, many)
		}
		table, _ := mustRun(t, "knowledge", dir, "--view", view)
		if !strings.Contains(table, "note: truck factor 2: ") {
			t.Errorf("%s: the table does not note the truck factor: %q", view, table)
		}
	}
}

func TestKnowledgeRejectsBadFlagsWithOneLine(t *testing.T) {
	dir := knowledgeRepo(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--simulate-leave", "Nobody"}, `"Nobody": no such person`},
		{[]string{"--view", "tree"}, "want truck, files, people or loss"},
		{[]string{"--departed-after", "-3"}, "want a number of 0 or more"},
		{[]string{"--reverse"}, "does not take --reverse"},
		{[]string{"--author-share", "1.5"}, "want a number above 0 and at most 1"},
		{[]string{"--author-doa", "NaN"}, "want a number above 0"},
		{[]string{"--truck-coverage", "0"}, "want a number above 0 and at most 1"},
	} {
		_, stderr, code := runGitwalk(t, append([]string{"knowledge", dir}, tc.args...)...)
		said := 0
		for _, line := range strings.Split(stderr, "\n") {
			if strings.HasPrefix(line, "gitwalk: ") && strings.Contains(line, tc.want) {
				said++
			}
		}
		if code != 2 || said != 1 || strings.Contains(stderr, "panic") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line saying %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestKnowledgeHelpHasExamplesAndThePolicies(t *testing.T) {
	out, _, code := runGitwalk(t, "knowledge", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var missing []string
	for _, want := range []string{"Examples:", "gitwalk knowledge --view loss", "--simulate-leave", "--departed-after",
		"--all-files", "--bots P", "Default excludes", "--format", "0.75", "3.293"} {
		if !strings.Contains(out, want) {
			missing = append(missing, want)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("knowledge --help lacks %v", missing)
	}
}
