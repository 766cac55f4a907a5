package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// snapshotRepo: main has a.c (Alice) and c.c (Carol); a branch from the
// root adds b.c (Bob) and is merged; an unrelated history (a subtree, as
// rails' Action Cable) with lib/x.c (Xavier) is merged last, its commits
// dated between the others.
func snapshotRepo(t *testing.T) string {
	t.Helper()
	testrepos.IsolateGit(t)
	dir := filepath.Join(t.TempDir(), "snap")
	gitRun(t, "", "init", "-q", "-b", "main", dir)
	env := func(who, date string) []string {
		email := strings.ToLower(who) + "@example.com"
		return append(os.Environ(), "GIT_AUTHOR_NAME="+who, "GIT_AUTHOR_EMAIL="+email, "GIT_AUTHOR_DATE="+date,
			"GIT_COMMITTER_NAME="+who, "GIT_COMMITTER_EMAIL="+email, "GIT_COMMITTER_DATE="+date)
	}
	run := func(who, date string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = env(who, date)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	commit := func(who, date, name, text string) {
		write(name, text)
		run(who, date, "add", "-A")
		run(who, date, "commit", "-q", "-m", "add "+name)
	}
	commit("Alice", "2020-01-01T00:00:00Z", "a.c", "a\n")
	run("Bob", "2020-01-02T00:00:00Z", "checkout", "-q", "-b", "side")
	commit("Bob", "2020-03-01T00:00:00Z", "b.c", "b\n")
	run("Carol", "2020-02-01T00:00:00Z", "checkout", "-q", "main")
	commit("Carol", "2020-02-01T00:00:00Z", "c.c", "c\n")
	run("Alice", "2020-04-01T00:00:00Z", "merge", "-q", "--no-ff", "-m", "merge side", "side")
	run("Xavier", "2020-05-01T00:00:00Z", "checkout", "-q", "--orphan", "sub")
	run("Xavier", "2020-05-01T00:00:00Z", "rm", "-rq", "--cached", ".")
	for _, f := range []string{"a.c", "b.c", "c.c"} {
		os.Remove(filepath.Join(dir, f))
	}
	commit("Xavier", "2020-05-01T00:00:00Z", "lib/x.c", "x\n")
	run("Alice", "2020-09-01T00:00:00Z", "checkout", "-q", "main")
	run("Alice", "2020-09-01T00:00:00Z", "merge", "-q", "--allow-unrelated-histories", "-m", "merge sub", "sub")
	return dir
}

// TestKnowledgeTakesTheFilesOfTheBranchAsItStood: the files alive are
// git's ls-tree of the first-parent commit at the walk's end (HEAD, a
// merge, or the last before --until), whatever commit the analysis saw
// first with merges left out.
func TestKnowledgeTakesTheFilesOfTheBranchAsItStood(t *testing.T) {
	dir := snapshotRepo(t)
	for _, tc := range []struct {
		name string
		args []string
		rev  []string // git rev-list arguments naming the snapshot
	}{
		{"a merge at the head", nil, []string{"-1", "--first-parent", "HEAD"}},
		{"--until before the unrelated history's merge", []string{"--until", "2020-06-01T00:00:00Z"},
			[]string{"-1", "--first-parent", "--until=2020-06-01T00:00:00Z", "HEAD"}},
		{"--until before the side branch's merge", []string{"--until", "2020-03-15T00:00:00Z"},
			[]string{"-1", "--first-parent", "--until=2020-03-15T00:00:00Z", "HEAD"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := strings.TrimSpace(gitRun(t, dir, append([]string{"rev-list"}, tc.rev...)...))
			want := strings.Fields(gitRun(t, dir, "ls-tree", "-r", "--name-only", snap))
			doc := knowledgeJSON(t, append([]string{dir, "--view", "files"}, tc.args...)...)
			var got []string
			for _, r := range doc.Rows {
				got = append(got, r["entity"].(string))
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("files alive %v, want git's ls-tree of %s: %v", got, snap[:7], want)
			}
		})
	}
}

// TestAgeAndHotspotsTakeTheFilesOfTheBranchAsItStood: age's and hotspots'
// rows are the files of the same snapshot as knowledge's (git's ls-tree of
// the first-parent commit at the walk's end), not of the first commit the
// analysis saw: with merges left out and a merge at the head, that is the
// unrelated history's commit, which holds lib/x.c only.
func TestAgeAndHotspotsTakeTheFilesOfTheBranchAsItStood(t *testing.T) {
	dir := snapshotRepo(t)
	for _, tc := range []struct {
		name string
		args []string
		rev  []string
	}{
		{"a merge at the head", nil, []string{"-1", "--first-parent", "HEAD"}},
		{"--until before the side branch's merge", []string{"--until", "2020-03-15T00:00:00Z"},
			[]string{"-1", "--first-parent", "--until=2020-03-15T00:00:00Z", "HEAD"}},
	} {
		snap := strings.TrimSpace(gitRun(t, dir, append([]string{"rev-list"}, tc.rev...)...))
		want := strings.Fields(gitRun(t, dir, "ls-tree", "-r", "--name-only", snap))
		for _, cmd := range []string{"age", "hotspots"} {
			t.Run(tc.name+"/"+cmd, func(t *testing.T) {
				out, _ := mustRun(t, append([]string{cmd, dir, "--format", "csv", "--no-progress", "--no-cache"}, tc.args...)...)
				var got []string
				for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
					got = append(got, strings.Split(l, ",")[0])
				}
				sort.Strings(got)
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Fatalf("%s lists %v, want git's ls-tree of %s: %v", cmd, got, snap[:7], want)
				}
			})
		}
	}
}
