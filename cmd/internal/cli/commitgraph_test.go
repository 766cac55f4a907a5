package cli

import (
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestNumstatMatchesGitWithACommitGraph writes a commit-graph (with
// changed-path filters) in a copy of every fixture and checks that numstat
// still prints git's output, git reading the graph too: the default order,
// ranges, --topo-order, paths and --since are the same with
// a graph as without (the revision walk sheet, section 6), and the walk
// reads its commits from the graph.
func TestNumstatMatchesGitWithACommitGraph(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, name := range testrepos.Names() {
		dir := testrepos.Path(t, name)
		if out, err := exec.Command("git", "-C", dir, "commit-graph", "write", "--reachable", "--changed-paths").CombinedOutput(); err != nil {
			t.Fatalf("%s: commit-graph write: %v: %s", name, err, out)
		}
		cases := [][]string{
			{"--all"},
			{"--all", "--topo-order"},
			{"HEAD~2..HEAD"},
		}
		if since := middleDate(t, dir); since != "" {
			// --max-age takes the epoch as it is (git reads a small @N as "now").
			cases = append(cases, []string{"--all", "--topo-order", "--max-age=" + since})
		}
		specs := pathspecsOf(t, dir)
		for _, spec := range specs[max(0, len(specs)-1):] { // the fixture's own file and folder
			cases = append(cases, append([]string{"--all", "--"}, spec...))
		}
		for _, args := range cases {
			t.Run(name+"/"+strings.Join(args, " "), func(t *testing.T) {
				want, gitErr := gitNumstat(t, dir, args)
				got, stderr, code := runGitwalk(t, append([]string{"numstat", dir, "--no-cache", "--stats"}, args...)...)
				if gitErr != nil {
					if code == 0 {
						t.Fatalf("git failed (%v) but gitwalk succeeded", gitErr)
					}
					return
				}
				if code != 0 {
					t.Fatalf("gitwalk exited %d: %s", code, stderr)
				}
				if got != want {
					t.Fatalf("differs from git with a commit-graph (%d vs %d bytes); first difference at %s", len(got), len(want), firstDifference(want, got))
				}
				used := strings.Contains(stderr, "revwalk: 0 commits read from objects") && strings.Contains(stderr, "\ngraph:   ")
				if shallow := name == "shallow"; used == shallow && want != "" {
					t.Errorf("graph used %t in a repository shallow %t: %s", used, shallow, stderr)
				}
			})
		}
	}
}

// middleDate is the median committer date of the fixture's commits, or ""
// when it has none.
func middleDate(t *testing.T, dir string) string {
	out, err := exec.Command("git", "-C", dir, "log", "--all", "--format=%ct").Output()
	if err != nil || len(out) == 0 {
		return ""
	}
	dates := strings.Fields(string(out))
	sort.Strings(dates)
	return dates[len(dates)/2]
}
