package renames

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var (
	otherRepo    = flag.String("repo", "", "a repository whose history TestRepository compares with git")
	otherCommits = flag.Int("repo-commits", 1000, "how many commits of -repo TestRepository compares")
	otherRev     = flag.String("repo-rev", "HEAD", "the newest commit of -repo TestRepository compares")
)

// TestRepository compares the detector with git on commits of a real
// repository given with -repo (it is skipped without), under the default
// options and -C: `go test -run TestRepository -repo PATH [-repo-rev REV]
// [-repo-commits N]` takes the N newest non-merge commits from REV.
func TestRepository(t *testing.T) {
	if *otherRepo == "" {
		t.Skip("no -repo given")
	}
	r := newRepo(t)
	r.dir, _ = filepath.Abs(*otherRepo)
	if _, err := os.Stat(r.dir); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.run("rev-list", "--no-merges", "--parents",
		"-n", strconv.Itoa(*otherCommits), *otherRev)), "\n") {
		ids := strings.Fields(line)
		c := ids[0]
		r.ids[c] = c
		r.all = append(r.all, c)
		if len(ids) == 1 {
			r.roots[c] = true
		} else {
			r.parent[c] = ids[1]
			r.ids[ids[1]] = ids[1]
		}
	}
	t.Logf("%d commits", len(r.all))
	renames := 0
	for start := 0; start < len(r.all); start += 250 {
		commits := r.all[start:min(start+250, len(r.all))]
		for _, got := range r.compareAll(commits, check{quotePath: true, rowsOnly: true}) {
			for _, e := range got.rows {
				if e.status == 'R' {
					renames++
				}
			}
		}
		r.compareAll(commits, check{flags: []string{"-C"}, opt: Options{Copies: true}, quotePath: true, rowsOnly: true})
	}
	t.Logf("%d renames", renames)
}
