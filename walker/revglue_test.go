package walker

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

func pathRepo(t *testing.T) *testrepos.History {
	r := testrepos.NewHistory(t)
	r.Commit("R", 1000, "a=0 b=0 c=0 d=0 dir/x=0 dir/y=0 dirx/z=0")
	r.Commit("M1", 1100, "x=1 e=1", "R")
	r.Commit("S1", 1050, "a=1 b=1 c=1 e=1 dir/x=1", "R")
	r.Commit("J", 1200, "b=1 c=2 dir/x=1", "M1", "S1")
	r.Commit("T", 1300, "t=1", "S1")
	r.Commit("U", 1120, "u=1", "S1")
	r.Commit("T2", 1150, "t2=1", "U")
	r.Commit("E", 1250, "", "J") // an empty commit
	r.Commit("F", 1260, "dirx/z=1", "E")
	r.Commit("G", 1270, "dir/y=1 a=2", "F")
	r.Commit("H", 1280, "a=0", "G") // back to R's a
	r.Commit("W", 1290, "dir/y=2", "H")
	r.Commit("MW", 1300, "", "W", "E")    // a merge with its first parent's tree
	r.Commit("MV", 1310, "b=0", "E", "W") // tree differs from both
	r.Commit("TIP", 1320, "tip=1", "MW", "MV")
	r.Branch("main", "TIP")
	r.Branch("t", "T")
	r.Branch("t2", "T2")
	r.Branch("j", "J")
	r.Build("main")
	return r
}

func TestRepoRevWalkGlueWalksLikeGit(t *testing.T) {
	r := pathRepo(t)
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	for _, tc := range []struct {
		opts Options
		args []string
	}{
		{Options{}, nil},
		{Options{Revisions: []string{"--all"}, TopoOrder: true}, []string{"--all", "--topo-order"}},
		{Options{Paths: []string{"a"}}, []string{"--", "a"}},
		{Options{Paths: []string{"dir"}, FirstParent: true, MaxCount: 2}, []string{"--first-parent", "-n", "2", "--", "dir"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			want, err := r.Log(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			rw, err := repo.newRevWalk(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer rw.close()
			got := walkIDs(t, rw)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("got %s, want %s", r.Subjects(got), r.Subjects(want))
			}
		})
	}
}

func TestRepoRevWalkRefusesReplaceRefs(t *testing.T) {
	r := testrepos.NewHistory(t)
	r.Commit("R", 1000, "r=1")
	r.Commit("A", 1100, "a=1", "R")
	r.Commit("A2", 1200, "a=2")
	r.Branch("main", "A")
	r.Branch("other", "A2")
	r.Build("main")
	r.Git("replace", "main", "other")
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	if _, err := repo.newRevWalk(Options{}); !errors.Is(err, errGrafts) {
		t.Fatalf("err = %v, want errGrafts", err)
	}
	// Packed, the replace ref is found in packed-refs.
	r.Git("pack-refs", "--all")
	if _, err := os.Stat(filepath.Join(r.Dir, "refs", "replace", strings.TrimSpace(r.Git("rev-parse", "main")))); err == nil {
		t.Fatal("git pack-refs --all left the replace ref loose")
	}
	packed, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer packed.Close()
	if _, err := packed.newRevWalk(Options{}); !errors.Is(err, errGrafts) {
		t.Fatalf("packed: err = %v, want errGrafts", err)
	}
	t.Setenv("GIT_NO_REPLACE_OBJECTS", "1")
	if _, err := repo.newRevWalk(Options{}); err != nil {
		t.Fatalf("with GIT_NO_REPLACE_OBJECTS: %v", err)
	}
}

// walkIDs drains a revision walk and returns the ids it gave, in order.
func walkIDs(t *testing.T, rw *repoRevWalk) []string {
	t.Helper()
	var got []string
	for {
		n, err := rw.Next()
		if err != nil {
			t.Fatal(err)
		}
		if n == nil {
			return got
		}
		got = append(got, n.ID.String())
	}
}
