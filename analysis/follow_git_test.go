package analysis_test

import (
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// On a linear history, a followed file's totals are what `git log --follow
// --numstat -- FILE` adds up: every commit that touched it under any of its
// names, with the rename commits' own counts.
func TestFollowedFilesMatchGitLogFollowOnALinearHistory(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "renames")
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	// The fixture's main line is linear up to the commit before its branches.
	tip := strings.TrimSpace(git("log", "-1", "--format=%H", "--grep", "a new file takes the old path"))
	if out := git("rev-list", "--min-parents=2", tip); out != "" {
		t.Fatalf("the history up to %s has merges: %s", tip, out)
	}
	for _, workers := range []int{1, 2, 8} {
		st := runAnalyzers(t, dir, walker.Options{Revisions: []string{tip}}, workers, analysis.Churn{})[0].(*analysis.ChurnState)
		rows := map[string]analysis.ChurnRow{}
		for _, r := range st.Rows() {
			rows[r.Key] = r
		}
		// git's --follow follows a path until a rename onto it: a path whose
		// file was renamed away and which a new file took later mixes the
		// two files' histories there (reused.txt), where gitwalk keeps the
		// older file with the name it was renamed to.
		renamedAway := map[string]bool{}
		for _, l := range strings.Split(git("log", "--diff-filter=R", "--name-status", "--format=", tip), "\n") {
			if f := strings.Split(l, "\t"); len(f) == 3 {
				renamedAway[f[1]] = true
			}
		}
		checked, skipped := 0, []string{}
		for _, f := range strings.Split(strings.TrimRight(git("ls-tree", "-r", "--name-only", "-z", tip), "\x00"), "\x00") {
			if renamedAway[f] {
				skipped = append(skipped, f)
				continue
			}
			var want analysis.ChurnRow
			want.Key = f
			log := git("log", "--follow", "--numstat", "-z", "--format=%x01%H", tip, "--", f)
			followOnly := false
			for _, rec := range strings.Split(log, "\x01")[1:] {
				hash, body, _ := strings.Cut(rec, "\x00")
				body = strings.TrimLeft(body, "\n")
				if body == "" {
					continue
				}
				fields := strings.SplitN(body, "\t", 3)
				if len(fields) != 3 {
					t.Fatalf("%s: numstat record %q", f, body)
				}
				if paths := strings.Split(fields[2], "\x00"); fields[2] != "" && paths[0] == "" && len(paths) >= 3 {
					// A rename --follow found: is it one git log's own
					// detection (-M) reports for that commit?
					raw := git("diff-tree", "-M", "-r", "--name-status", "-z", "--root", hash)
					if !strings.Contains(raw, "\x00"+paths[1]+"\x00"+paths[2]+"\x00") {
						followOnly = true
					}
				}
				a, _ := strconv.Atoi(fields[0])
				d, _ := strconv.Atoi(fields[1])
				want.Commits++
				want.Added += a
				want.Deleted += d
			}
			if followOnly {
				// --follow looks for a file's origin among modified and
				// unchanged files too (find_copies_harder), a rename git
				// log's numstat does not report and so does not follow.
				skipped = append(skipped, f)
				continue
			}
			want.Churn = want.Added + want.Deleted
			got := rows[f]
			got.Earlier = nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("-j%d %s: got %+v, git log --follow adds up to %+v", workers, f, got, want)
			}
			checked++
		}
		if checked < 20 {
			t.Fatalf("checked only %d files", checked)
		}
		// The fixture's three cases where --follow's search differs from git
		// log's detection: f.txt (--follow, with one destination, takes the
		// first identical source, twin/x/f.txt; -M pairs twin/y/f.txt by
		// destination order), new-home.txt (its origin old-home.txt stayed,
		// modified) and reused.txt (above).
		if !reflect.DeepEqual(skipped, []string{"f.txt", "new-home.txt", "reused.txt"}) {
			t.Errorf("skipped %q, want the fixture's three cases where --follow differs: f.txt, new-home.txt, reused.txt", skipped)
		}
	}
}
