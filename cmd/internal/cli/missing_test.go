package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// partialOf makes a blob-less partial clone (`git clone --bare
// --filter=blob:none` over file://) of the repository dir.
func partialOf(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src.git")
	gitRun(t, "", "clone", "-q", "--bare", dir, src)
	gitRun(t, src, "config", "uploadpack.allowFilter", "true")
	part := filepath.Join(t.TempDir(), "part.git")
	gitRun(t, "", "clone", "-q", "--bare", "--filter=blob:none", "file://"+src, part)
	return part
}

// gitMissing is what `git rev-list --objects --missing=print` says dir
// lacks (it fetches nothing).
func gitMissing(t *testing.T, dir string) []string {
	t.Helper()
	var ids []string
	for _, line := range strings.Split(gitRun(t, dir, "rev-list", "--objects", "--missing=print", "HEAD"), "\n") {
		if id, ok := strings.CutPrefix(line, "?"); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestKnowledgeRunsOnABloblessPartialCloneAsOnTheFullRepository(t *testing.T) {
	dir := knowledgeRepo(t)
	part := partialOf(t, dir)
	if len(gitMissing(t, part)) == 0 {
		t.Fatal("the partial clone has every blob")
	}
	for _, view := range []string{"truck", "files", "people", "loss"} {
		full := knowledgeJSON(t, dir, "--view", view)
		got := knowledgeJSON(t, part, "--view", view)
		if !reflect.DeepEqual(got.Rows, full.Rows) || !reflect.DeepEqual(got.Notes, full.Notes) {
			t.Fatalf("--view %s on the partial clone:\n%v\n%v\nwant:\n%v\n%v", view, got.Rows, got.Notes, full.Rows, full.Notes)
		}
		if got.Notes["line-counts"] != "not read" || got.Options["line_counts"] != false {
			t.Fatalf("knowledge should say it read no line counts: notes %v", got.Notes)
		}
	}
}

func TestKnowledgeWithChurnOnAPartialCloneNeedsMissingAndSaysWhatItLeftOut(t *testing.T) {
	dir := knowledgeRepo(t)
	part := partialOf(t, dir)
	missing := gitMissing(t, part)
	_, stderr, code := runGitwalk(t, "knowledge", part, "--churn")
	if code == 0 || !strings.Contains(stderr, "object not found") || !containsAny(stderr, missing) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("--churn on a partial clone: exit %d, %q; want a one-line error naming a missing object", code, stderr)
	}
	for _, action := range []string{"allow-promisor", "allow-any"} {
		out, stderr := mustRun(t, "knowledge", part, "--churn", "--missing="+action, "--format", "json", "--stats")
		doc := knowledgeJSONText(t, out)
		m, _ := doc.Options["missing"].(map[string]any)
		rows := strings.Count(strings.TrimSpace(gitRun(t, dir, "log", "--numstat", "--format=")), "\n") + 1
		if m["action"] != action || m["objects"] != float64(len(missing)) || m["changes"] != float64(rows) || m["commits"] != float64(0) {
			t.Fatalf("--missing=%s: JSON options missing %v; want %d objects (git's), %d changes (git's numstat rows)", action, m, len(missing), rows)
		}
		if !strings.Contains(stderr, "gitwalk: --missing="+action+": "+strconv.Itoa(len(missing))+" missing object(s) passed over") ||
			!strings.Contains(stderr, "missing: "+strconv.Itoa(len(missing))+" objects passed over") {
			t.Fatalf("stderr does not say what was left out:\n%s", stderr)
		}
	}
}

func TestMissingAllowPromisorWithoutAPromisorRemoteStopsAsGitDoes(t *testing.T) {
	dir := knowledgeRepo(t)
	blob := strings.TrimSpace(gitRun(t, dir, "rev-parse", "HEAD:c.c"))
	deleteObject(t, filepath.Join(dir, ".git"), blob)
	_, stderr, code := runGitwalk(t, "churn", dir, "--missing=allow-promisor")
	if code == 0 || !strings.Contains(stderr, blob) || !strings.Contains(stderr, "no promisor remote") {
		t.Fatalf("exit %d, %q; want the refusal naming %s", code, stderr, blob)
	}
	_, stderr = mustRun(t, "churn", dir, "--missing=allow-any")
	if !strings.Contains(stderr, "1 missing object(s) passed over ("+blob+")") || !strings.Contains(stderr, "c.c") {
		t.Fatalf("allow-any does not name what it left out: %q", stderr)
	}
}

func TestMissingIsRefusedWhereALeftOutCountWouldReadAsReal(t *testing.T) {
	for _, args := range [][]string{{"numstat", "--missing=allow-any"}, {"branches", "--missing=allow-promisor"}, {"churn", "--missing=print"}} {
		_, stderr, code := runGitwalk(t, args...)
		if code != 2 || !strings.Contains(stderr, "--missing") {
			t.Errorf("gitwalk %v: exit %d, %q; want a usage error", args, code, stderr)
		}
	}
}

func knowledgeJSONText(t *testing.T, out string) knowledgeDoc {
	t.Helper()
	var doc knowledgeDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v: %q", err, out)
	}
	return doc
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// deleteObject removes a loose object from gitDir's store.
func deleteObject(t *testing.T, gitDir, id string) {
	t.Helper()
	if err := os.Remove(filepath.Join(gitDir, "objects", id[:2], id[2:])); err != nil {
		t.Fatal(err)
	}
}

func TestKnowledgeShowsChurnOnlyWhenItReadLineCounts(t *testing.T) {
	dir := knowledgeRepo(t)
	for _, tc := range []struct {
		args  []string
		churn bool
		note  string
	}{
		{nil, false, "not read"},
		{[]string{"--churn"}, true, "read"},
	} {
		for _, view := range []string{"files", "loss"} {
			out, _ := mustRun(t, append([]string{"knowledge", dir, "--view", view, "--format", "csv"}, tc.args...)...)
			header := strings.SplitN(out, "\n", 2)[0]
			if strings.HasSuffix(header, ",churn") != tc.churn {
				t.Errorf("knowledge --view %s %v: header %q; churn column wanted: %v", view, tc.args, header, tc.churn)
			}
		}
		doc := knowledgeJSON(t, append([]string{dir, "--view", "files"}, tc.args...)...)
		if doc.Notes["line-counts"] != tc.note {
			t.Errorf("knowledge %v: line-counts note %v, want %q", tc.args, doc.Notes["line-counts"], tc.note)
		}
		if tc.churn {
			// With line counts, a.c's churn is git's: the lines its numstat rows add and delete.
			want := 0
			for _, line := range strings.Split(strings.TrimSpace(gitRun(t, dir, "log", "--numstat", "--format=", "--", "a.c")), "\n") {
				f := strings.Fields(line)
				a, _ := strconv.Atoi(f[0])
				d, _ := strconv.Atoi(f[1])
				want += a + d
			}
			for _, r := range doc.Rows {
				if r["entity"] == "a.c" && r["churn"] != float64(want) {
					t.Errorf("a.c churn %v, git's numstat %d", r["churn"], want)
				}
			}
		}
	}
}
