package revision

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/pathspec"
	"github.com/gitwalk/gitwalk/internal/refs"
	"github.com/gitwalk/gitwalk/internal/revwalk"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// parseLogArgs splits `git log` arguments into revision arguments, walk
// options and paths, for the options this package implements.
func parseLogArgs(args []string) (revs []string, opt revwalk.Options, paths []string, err error) {
	opt.MaxCount = -1
	for i := 0; i < len(args); i++ {
		a := args[i]
		num := func(s string) int64 {
			v, e := strconv.ParseInt(s, 10, 64)
			if e != nil && err == nil {
				err = e
			}
			return v
		}
		switch {
		case a == "--":
			return revs, opt, args[i+1:], err
		case a == "--first-parent":
			opt.FirstParent = true
		case a == "--no-merges":
			opt.NoMerges = true
		case a == "--merges":
			opt.MergesOnly = true
		case a == "--topo-order":
			opt.TopoOrder = true
		case a == "--date-order":
			opt.DateOrder = true
		case a == "--reverse":
			opt.Reverse = !opt.Reverse
		case a == "--full-history":
			opt.FullHistory = true
		case a == "-n":
			i++
			opt.MaxCount = int(num(args[i]))
		case strings.HasPrefix(a, "--max-count="):
			opt.MaxCount = int(num(a[len("--max-count="):]))
		case strings.HasPrefix(a, "--skip="):
			opt.Skip = int(num(a[len("--skip="):]))
		case strings.HasPrefix(a, "--max-age="):
			opt.Since, opt.HasSince = num(a[len("--max-age="):]), true
		case strings.HasPrefix(a, "--min-age="):
			opt.Until, opt.HasUntil = num(a[len("--min-age="):]), true
		default:
			revs = append(revs, a)
		}
	}
	return revs, opt, nil, err
}

// ourLog walks the repository at gitDir as gitwalk does. Path limiting
// uses flatTreeComparer, a slow and simple oracle of its own, so that these
// tests judge the walk alone (TestRepoRevWalkGlueWalksLikeGit covers the
// real tree differ).
func ourLog(gitDir string, args []string) ([]string, error) {
	revs, opt, paths, err := parseLogArgs(args)
	if err != nil {
		return nil, err
	}
	db, err := odb.Open(refs.CommonDir(gitDir))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	shallow, err := refs.ReadShallow(refs.CommonDir(gitDir))
	if err != nil {
		return nil, err
	}
	g := revwalk.NewGraph(revwalk.NewODBSource(db), shallow)
	tips, err := Resolve(g, refs.Open(gitDir), revs)
	if err != nil {
		return nil, err
	}
	if len(paths) > 0 {
		opt.SameUnderPaths = flatTreeComparer(db.NewReader(), paths)
	}
	w, err := revwalk.New(context.Background(), g, tips, opt)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		n, err := w.Next()
		if err != nil {
			return nil, err
		}
		if n == nil {
			return out, nil
		}
		out = append(out, n.ID.String())
	}
}

// flatTreeComparer compares two trees by listing every file of each: equal
// under paths when every file that a path matches (the path itself, a file
// below it as a folder, or a wildmatch when it has wildcards; "." matches
// all) has the same mode and id on both sides.
func flatTreeComparer(rd *odb.Reader, paths []string) func(a, b odb.ID) (bool, error) {
	match := func(p string) bool {
		for _, q := range paths {
			switch {
			case q == "." || p == q || strings.HasPrefix(p, q+"/"):
				return true
			case strings.ContainsAny(q, "*?[") && pathspec.Wildmatch(q, p, false):
				return true
			}
		}
		return false
	}
	var list func(id odb.ID, prefix string, out map[string]odb.TreeEntry) error
	list = func(id odb.ID, prefix string, out map[string]odb.TreeEntry) error {
		if id.IsZero() {
			return nil
		}
		typ, data, err := rd.Read(id, nil)
		if err != nil {
			return err
		}
		if typ != odb.Tree {
			return fmt.Errorf("%s is a %s", id, typ)
		}
		it := odb.NewTreeIter(data)
		for {
			e, ok := it.Next()
			if !ok {
				break
			}
			p := prefix + string(e.Name)
			if odb.IsTree(e.Mode) {
				if err := list(e.ID, p+"/", out); err != nil {
					return err
				}
				continue
			}
			if match(p) {
				out[p] = e
			}
		}
		return it.Err()
	}
	return func(a, b odb.ID) (bool, error) {
		fa, fb := map[string]odb.TreeEntry{}, map[string]odb.TreeEntry{}
		if err := list(a, "", fa); err != nil {
			return false, err
		}
		if err := list(b, "", fb); err != nil {
			return false, err
		}
		if len(fa) != len(fb) {
			return false, nil
		}
		for p, ea := range fa {
			eb, ok := fb[p]
			if !ok || ea.Mode != eb.Mode || ea.ID != eb.ID {
				return false, nil
			}
		}
		return true, nil
	}
}

// compare runs git and the walk on each argument list and reports
// differences by commit name.
func compare(t *testing.T, r *testrepos.History, argLists [][]string) {
	t.Helper()
	for _, args := range argLists {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want, werr := r.Log(args)
			got, gerr := ourLog(r.Dir, args)
			switch {
			case werr != nil && gerr != nil:
				return // both refuse
			case werr != nil:
				t.Fatalf("git fails (%v) but the walk gives %q", werr, r.Subjects(got))
			case gerr != nil:
				t.Fatalf("walk fails (%v) but git gives %q", gerr, r.Subjects(want))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("git log %s\n got: %s\nwant: %s", strings.Join(args, " "), r.Subjects(got), r.Subjects(want))
			}
		})
	}
}

// orderRepo has the fact sheet's order experiments side by side.
func orderRepo(t *testing.T) *testrepos.History {
	r := testrepos.NewHistory(t)
	r.Commit("R", 1000, "r=1")
	r.Commit("X1", 2000, "x=1", "R")
	r.Commit("Y1", 2000, "y=1", "R")
	r.Commit("M", 3000, "", "X1", "Y1")
	r.Commit("M2", 3000, "", "Y1", "X1")
	r.Commit("B0", 2400, "b=1", "R")
	r.Commit("A0", 2500, "a=1", "B0")
	r.Commit("Q2", 2400, "q=1", "R")
	r.Commit("N3", 3000, "", "A0", "Q2")
	r.Commit("C1", 50, "c1=1", "R")
	r.Commit("C2", 200, "c2=1", "R")
	r.Commit("S", 300, "", "C1", "C2")
	r.Commit("P", 2000, "p=1", "R")
	r.Commit("Q", 2000, "q=2", "R")
	r.Commit("SS", 2000, "s=1", "R")
	r.Commit("A", 1100, "a=2", "R")
	r.Commit("C", 1200, "c=2", "R")
	r.Commit("D", 1300, "", "A", "C")
	r.Commit("T1", 1400, "t1=1", "D")
	r.Commit("T2", 1500, "t2=1", "C")
	r.Commit("Y1b", 1100, "y=2", "R")
	r.Commit("Xm", 1200, "", "R", "Y1b")
	r.Commit("Y2", 1300, "y=3", "Y1b")
	r.Commit("O", 3500, "o=1", "N3", "M", "S") // octopus
	r.Commit("K", 3600, "k=1", "O")
	// e9: a long chain of old commits hides the shared ancestor.
	r.Commit("X9", 1000, "x9=1")
	r.Commit("P9", 2000, "p9=1", "X9")
	prev := "X9"
	for i := 7; i >= 1; i-- {
		name := fmt.Sprintf("N9_%d", i)
		r.Commit(name, int64(100*i), name+"=1", prev)
		prev = name
	}
	r.Commit("N9_0", 3000, "n=1", prev)
	// e10: since/until.
	r.Commit("A10", 1000, "a=1")
	r.Commit("B10", 2000, "b=1", "A10")
	r.Commit("C10", 500, "c=1", "B10")
	r.Commit("D10", 3000, "d=1", "C10", "B10")
	r.Commit("Z10", 10, "z=1")
	r.Commit("E10", 100, "e=1", "A10")
	r.Commit("F10", 5000, "f=1", "E10")

	// A criss-cross: two merge bases.
	r.Commit("CA", 1100, "ca=1", "R")
	r.Commit("CB", 1100, "cb=1", "R")
	r.Commit("K1", 1200, "", "CA", "CB")
	r.Commit("K2", 1250, "", "CB", "CA")
	r.Commit("K3", 1300, "k3=1", "K1")
	r.Commit("K4", 1310, "k4=1", "K2")

	r.Branch("main", "K")
	r.Branch("k3", "K3")
	r.Branch("k4", "K4")
	r.Branch("m", "M")
	r.Branch("m2", "M2")
	r.Branch("s", "S")
	r.Branch("alpha", "Q")
	r.Branch("zeta", "P")
	r.Branch("mid", "SS")
	r.Branch("t1", "T1")
	r.Branch("t2", "T2")
	r.Branch("x", "Xm")
	r.Branch("y2", "Y2")
	r.Branch("p9", "P9")
	r.Branch("n9", "N9_0")
	r.Branch("d10", "D10")
	r.Branch("z10", "Z10")
	r.Branch("f10", "F10")
	r.Branch("refs/remotes/origin/main", "N3")
	r.Branch("refs/remotes/origin/feature", "A0")
	r.Tag("v1", "N3", 4000)
	r.Tag("v0", "R", 4000)
	r.Branch("refs/tags/lw", "M")
	r.Branch("refs/notes/other", "C2")
	r.Build("main")
	return r
}

func TestRevWalkMatchesGitLogOnOrderRepo(t *testing.T) {
	r := orderRepo(t)
	mainHash := strings.TrimSpace(r.Git("rev-parse", "main"))
	compare(t, r, [][]string{
		{},
		{"HEAD"},
		{"@"},
		{"main"},
		{mainHash},
		{mainHash[:7]},
		{mainHash[:12] + "~2"},
		{"--all"},
		{"--branches"},
		{"--tags"},
		{"--remotes"},
		{"--branches", "--tags"},
		{"--tags", "--branches"},
		{"--branches=m*"},
		{"--remotes=origin"},
		{"--glob=heads/t*"},
		{"zeta", "alpha", "mid"},
		{"mid", "alpha", "zeta"},
		{"zeta", "alpha", "zeta"},
		{"m", "m2"},
		{"m...v1"},
		{"k3...k4"},
		{"k4...k3"},
		{"--topo-order", "k3...k4"},
		{"k3...k4", "m...v1"},
		{"v1...m"},
		{"m..v1"},
		{"^m", "v1"},
		{"v1", "--not", "m"},
		{"v1", "--not", "m", "--not", "s"},
		{"--not", "m", "--not", "v1"},
		{"main", "^main"},
		{"v1", "^v1"},
		{"..m"},
		{"m.."},
		{"main~1"},
		{"main~2"},
		{"main^2"},
		{"main^3"},
		{"main^4"},
		{"main~1^2"},
		{"main~1^2~1"},
		{"main^^^"},
		{"main~"},
		{"main^0"},
		{"v1^{}"},
		{"v1^{commit}"},
		{"v1~1"},
		{"lw"},
		{"v0"},
		{"main^@"},
		{"main~1^!"},
		{"main~1^-"},
		{"main~1^-2"},
		{"origin/main"},
		{"refs/heads/m"},
		{"heads/m"},
		{"nosuch"},
		{"nosuch..main"},
		{"main~9"},
		{"-n", "3", "--all"},
		{"--max-count=0", "--all"},
		{"--skip=2", "-n", "3", "--all"},
		{"--reverse", "--all"},
		{"--reverse", "--skip=1", "-n", "2", "v1"},
		{"--first-parent"},
		{"--first-parent", "--all"},
		{"--first-parent", "x..y2"},
		{"--first-parent", "--topo-order", "t1", "t2"},
		{"--no-merges", "--all"},
		{"--merges", "--all"},
		{"--topo-order"},
		{"--topo-order", "--all"},
		{"--topo-order", "m", "v1"},
		{"--topo-order", "s"},
		{"--date-order", "--all"},
		{"--date-order", "v1"},
		{"--topo-order", "m...v1"},
		{"--topo-order", "--reverse", "--all"},
		{"p9", "^n9"},
		{"n9..p9"},
		{"--topo-order", "p9", "^n9"},
		{"--max-age=1500", "d10"},
		{"--max-age=1500", "d10", "^z10"},
		{"--max-age=1500", "--topo-order", "d10"},
		{"--min-age=1000", "d10"},
		{"--max-age=2000", "d10"},
		{"--max-age=500", "f10"},
		{"--max-age=2000", "--all"},
		{"--min-age=2400", "--all"},
		{"--max-age=1000", "--min-age=2500", "--all"},
		{"--max-age=2000", "--topo-order", "--all"},
		{"--max-age=2400", "main", "^s"},
	})
}

// pathRepo has the fact sheet's path-limiting experiments (e7, e6, E5).
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

func TestRevWalkMatchesGitLogWithPaths(t *testing.T) {
	r := pathRepo(t)
	var lists [][]string
	modes := [][]string{{}, {"--first-parent"}, {"--full-history"}, {"--topo-order"}, {"--full-history", "--topo-order"}}
	for _, p := range []string{"a", "b", "c", "d", "e", "x", "dir", "dir/x", "dir/y", "dirx", ".", "nosuch", "*.c"} {
		for _, m := range modes {
			for _, revs := range [][]string{{}, {"^t", "j"}, {"^t2", "j"}, {"t..main"}, {"--all"}} {
				args := append(append(append([]string{}, m...), revs...), "--", p)
				lists = append(lists, args)
			}
		}
	}
	lists = append(lists, []string{"--", "a", "b"}, []string{"--", "dir", "e"}, []string{"--max-age=1200", "--", "a"},
		[]string{"--no-merges", "--", "b"}, []string{"--merges", "--full-history", "--", "b"}, []string{"j", "--", "e"})
	compare(t, r, lists)
}

func TestResolveRevisionsErrors(t *testing.T) {
	t.Run("an empty repository says the branch has no commits", func(t *testing.T) {
		r := testrepos.NewHistory(t)
		r.Git("symbolic-ref", "HEAD", "refs/heads/trunk")
		_, err := ourLog(r.Dir, nil)
		if !errors.Is(err, errUnbornHead) || err.Error() != "your current branch 'trunk' does not have any commits yet" {
			t.Fatalf("err = %v", err)
		}
		// --all with no refs is no error in git: nothing to show.
		got, err := ourLog(r.Dir, []string{"--all"})
		if err != nil || len(got) != 0 {
			t.Fatalf("--all on an empty repository = %v, %v", got, err)
		}
	})
	t.Run("an unborn HEAD beside other branches", func(t *testing.T) {
		r := testrepos.NewHistory(t)
		r.Commit("R", 1000, "r=1")
		r.Branch("other", "R")
		r.Build("unborn")
		if _, err := ourLog(r.Dir, nil); !errors.Is(err, errUnbornHead) {
			t.Fatalf("err = %v, want errUnbornHead", err)
		}
		if _, err := ourLog(r.Dir, []string{"HEAD"}); !errors.Is(err, ErrBadRevision) {
			t.Fatalf("explicit HEAD: err = %v, want ErrBadRevision", err)
		}
	})
	t.Run("an unknown name is a bad revision naming the argument", func(t *testing.T) {
		r := orderRepo(t)
		for _, arg := range []string{"nosuch", "main..nosuch", "^nosuch", "main~99", "main^7", "deadbeef"} {
			_, err := ourLog(r.Dir, []string{arg})
			if !errors.Is(err, ErrBadRevision) || err.Error() != "bad revision '"+arg+"'" {
				t.Errorf("%s: err = %v", arg, err)
			}
		}
	})
}

func TestRevWalkHonoursTheShallowFile(t *testing.T) {
	src := orderRepo(t)
	dst := filepath.Join(t.TempDir(), "shallow.git")
	out, err := exec.Command("git", "clone", "-q", "--bare", "--depth=2", "--branch=main", "file://"+src.Dir, dst).CombinedOutput()
	if err != nil {
		t.Fatalf("clone --depth=2: %v\n%s", err, out)
	}
	r := testrepos.HistoryAt(t, dst, src.Names)
	compare(t, r, [][]string{{}, {"--all"}, {"--topo-order"}, {"main~1"}})
}

func TestRevWalkMatchesGitLogOnFixtures(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	common := [][]string{
		{}, {"--all"}, {"--branches", "--tags"}, {"--tags", "--branches"}, {"--remotes"},
		{"--topo-order", "--all"}, {"--date-order", "--all"}, {"--reverse", "--all"},
		{"--first-parent"}, {"--first-parent", "--all"}, {"--first-parent", "--topo-order", "--all"},
		{"--no-merges", "--all"}, {"--merges", "--all"},
		{"-n", "5", "--all"}, {"--skip=3", "-n", "4", "--all"},
		{"HEAD~1"}, {"HEAD^2"}, {"HEAD~1..HEAD"}, {"HEAD~2...HEAD^2"}, {"--all", "--not", "HEAD~1"},
	}
	extra := map[string][][]string{
		"order": {
			{"slop-p", "^slop7-n0"}, {"slop-p", "^slop6-n0"}, {"--topo-order", "slop-p", "^slop7-n0"},
			{"slop7-n0..slop-p"}, {"e1-m...e1-n3"}, {"e1-n3...e1-m"}, {"e1-m..e1-n3"},
			{"e2-zeta", "e2-alpha", "e2-main"}, {"e2-main", "e2-alpha", "e2-zeta"},
			{"--topo-order", "e1-m"}, {"--topo-order", "e1-n3"}, {"--date-order", "e1-n3"}, {"e1-s"},
			{"--topo-order", "e12"}, {"--date-order", "e12"}, {"e12"},
			{"--max-age=1500", "since-d"}, {"--max-age=1500", "--topo-order", "since-d"},
			{"--min-age=1000", "since-d"}, {"--max-age=500", "since-f"},
			{"v1.0"}, {"v1.0-nested"}, {"v0.9..v1.0"}, {"tree-tag"}, {"blob-tag"}, {"v1.0^{}~1"},
			{"--glob=refs/pull/*"}, {"--tags=v*"}, {"--branches=e1-*"}, {"--remotes=origin"},
		},
		"merges": {{"--", "a.txt"}, {"--first-parent", "--", "lib"}, {"--full-history", "--", "b.txt"},
			{"--topo-order", "--", "evil.txt"}, {"v1.0"}, {"octopus^3"}, {"left...right"}},
		"paths": {{"--", "src"}, {"--", "src.c"}, {"--", "dir with space"}},
		"types": {{"--", "libs"}, {"--", "thing"}},
	}
	for _, name := range testrepos.Names() {
		t.Run(name, func(t *testing.T) {
			r := testrepos.HistoryAt(t, testrepos.Path(t, name), nil)
			r.Names = map[string]string{}
			if out, err := r.GitErr("log", "--all", "--format=%H %s"); err == nil {
				for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
					h, s, _ := strings.Cut(line, " ")
					r.Names[h] = s
				}
			}
			compare(t, r, append(append([][]string{}, common...), extra[name]...))
		})
	}
}

// TestRevWalkMatchesGitLogOnExternalRepo compares with git on a repository
// named by GITWALK_REVWALK_REPO (a git directory), for long runs by hand:
//
//	GITWALK_REVWALK_REPO=/path/to/git.git go test ./internal/revision -run ExternalRepo -v
func TestRevWalkMatchesGitLogOnExternalRepo(t *testing.T) {
	dir := os.Getenv("GITWALK_REVWALK_REPO")
	if dir == "" {
		t.Skip("GITWALK_REVWALK_REPO not set")
	}
	r := testrepos.HistoryAt(t, dir, map[string]string{})
	compare(t, r, [][]string{
		{}, {"--all"}, {"--topo-order"}, {"--date-order"}, {"--first-parent"}, {"--no-merges"},
		{"--topo-order", "--all"}, {"--first-parent", "--topo-order", "--all"},
		{"HEAD~300..HEAD"}, {"HEAD~300...HEAD~1^2"}, {"--topo-order", "HEAD~300..HEAD"},
		{"--max-age=1500000000"}, {"--max-age=1500000000", "--topo-order"}, {"--min-age=1300000000", "-n", "1000"},
		{"--tags", "--not", "HEAD~1000"},
		{"--", "Makefile"}, {"--first-parent", "--", "Documentation/RelNotes"}, {"--full-history", "--", "revision.c"},
	})
}

// BenchmarkRevWalkExternalRepo walks all of HEAD of GITWALK_REVWALK_REPO.
func BenchmarkRevWalkExternalRepo(b *testing.B) {
	dir := os.Getenv("GITWALK_REVWALK_REPO")
	if dir == "" {
		b.Skip("GITWALK_REVWALK_REPO not set")
	}
	for _, args := range [][]string{{}, {"--topo-order"}} {
		b.Run(strings.Join(append([]string{"HEAD"}, args...), " "), func(b *testing.B) {
			b.ReportAllocs()
			count := 0
			for i := 0; i < b.N; i++ {
				out, err := ourLog(dir, args)
				if err != nil {
					b.Fatal(err)
				}
				count = len(out)
			}
			b.ReportMetric(float64(count), "commits/op")
		})
	}
}

func TestRevWalkAllIncludesOtherWorktreesHeads(t *testing.T) {
	r := orderRepo(t)
	run := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+r.Dir,
			"GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com",
			"GIT_AUTHOR_DATE=@2100 +0000", "GIT_COMMITTER_DATE=@2100 +0000")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	base := t.TempDir()
	for i, at := range []string{"X1", "C2", "SS"} {
		wt := filepath.Join(base, fmt.Sprintf("wt%d", i))
		run(r.Dir, "worktree", "add", "-q", "--detach", wt, strings.TrimSpace(r.Git("rev-parse", ":/^"+at+"$")))
		run(wt, "commit", "-q", "--allow-empty", "-m", "W"+at)
	}
	r.Build("main") // refresh names
	compare(t, r, [][]string{{"--all"}, {"--topo-order", "--all"}, {"--all", "--not", "HEAD"}})
	// From inside a linked worktree: the main HEAD comes in, this one is HEAD.
	wtRepo := testrepos.HistoryAt(t, filepath.Join(r.Dir, "worktrees", "wt1"), r.Names)
	compare(t, wtRepo, [][]string{{}, {"--all"}, {"--branches"}})
}

// TestRevWalkMatchesGitLogOnRandomHistories holds the walk to git on random
// histories: merges of up to three parents, equal dates and dates older than
// parents, several branches, and random options and paths.
func TestRevWalkMatchesGitLogOnRandomHistories(t *testing.T) {
	repos, cases := 4, 60
	if testing.Short() {
		repos, cases = 1, 20
	}
	if n, err := strconv.Atoi(os.Getenv("GITWALK_REVWALK_RANDOM")); err == nil {
		repos = n // for long runs by hand
	}
	for seed := 1; seed <= repos; seed++ {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			r := testrepos.NewHistory(t)
			var names []string
			paths := []string{"a", "b", "c", "d/e", "d/f", "g/h/i"}
			for i := 0; i < 40; i++ {
				name := fmt.Sprintf("c%02d", i)
				var parents []string
				if i > 0 && rng.IntN(12) != 0 {
					k := 1 + rng.IntN(3)
					if rng.IntN(2) == 0 {
						k = 1
					}
					for j := 0; j < k; j++ {
						p := names[max(0, len(names)-1-rng.IntN(8))]
						if !contains(parents, p) {
							parents = append(parents, p)
						}
					}
				}
				var edits []string
				for e := rng.IntN(3); e > 0; e-- {
					p := paths[rng.IntN(len(paths))]
					if rng.IntN(6) == 0 {
						edits = append(edits, p+"=-")
					} else {
						edits = append(edits, fmt.Sprintf("%s=%d", p, rng.IntN(4)))
					}
				}
				// Coarse dates make ties; one in five is older than most.
				date := int64(1000 + 100*(i/3) + 50*rng.IntN(2))
				if rng.IntN(5) == 0 {
					date = int64(900 + 100*rng.IntN(10))
				}
				r.Commit(name, date, strings.Join(edits, " "), parents...)
				names = append(names, name)
			}
			var branches []string
			for i := 0; i < 5; i++ {
				b := fmt.Sprintf("b%d", i)
				r.Branch(b, names[len(names)-1-rng.IntN(20)])
				branches = append(branches, b)
			}
			r.Branch("main", names[len(names)-1])
			r.Tag("t1", names[rng.IntN(len(names))], 5000)
			r.Build("main")

			pick := func() string { return branches[rng.IntN(len(branches))] }
			var lists [][]string
			for c := 0; c < cases; c++ {
				var args []string
				switch rng.IntN(7) {
				case 0:
				case 1:
					args = append(args, "--all")
				case 2:
					args = append(args, pick(), pick())
				case 3:
					args = append(args, pick(), "^"+pick())
				case 4:
					args = append(args, pick()+".."+pick())
				case 5:
					args = append(args, pick()+"..."+pick())
				case 6:
					args = append(args, "t1", "--not", pick())
				}
				for _, o := range []string{"--topo-order", "--date-order", "--first-parent", "--no-merges", "--merges", "--reverse", "--full-history"} {
					if rng.IntN(6) == 0 {
						args = append(args, o)
					}
				}
				if rng.IntN(5) == 0 {
					args = append(args, "-n", strconv.Itoa(rng.IntN(6)))
				}
				if rng.IntN(6) == 0 {
					args = append(args, "--skip="+strconv.Itoa(rng.IntN(5)))
				}
				if rng.IntN(5) == 0 {
					args = append(args, "--max-age="+strconv.Itoa(1000+50*rng.IntN(30)))
				}
				if rng.IntN(6) == 0 {
					args = append(args, "--min-age="+strconv.Itoa(1000+50*rng.IntN(30)))
				}
				if rng.IntN(3) == 0 {
					args = append(args, "--", []string{"a", "d", "d/e", "g", "b", "c"}[rng.IntN(6)])
				}
				lists = append(lists, args)
			}
			compare(t, r, lists)
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestMayExcludeIsTrueWhereResolveExcludes: for every revision list the
// order tests give git, when MayExclude says nothing may be excluded,
// Resolve excludes nothing (a caller skips the replay's read on its
// word); and the lists that do exclude are seen.
func TestMayExcludeIsTrueWhereResolveExcludes(t *testing.T) {
	r := orderRepo(t)
	mainHash := strings.TrimSpace(r.Git("rev-parse", "main"))
	db, err := odb.Open(refs.CommonDir(r.Dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	excluding := 0
	for _, args := range [][]string{
		{}, {"HEAD"}, {"@"}, {mainHash[:12] + "~2"}, {"--all"}, {"--branches=m*"}, {"--glob=heads/t*"},
		{"zeta", "alpha", "mid"}, {"m...v1"}, {"k3...k4"}, {"m..v1"}, {"^m", "v1"},
		{"v1", "--not", "m"}, {"--not", "m", "--not", "v1"}, {"main", "^main"}, {"..m"}, {"m.."},
		{"main^2"}, {"main~1^2~1"}, {"main^^^"}, {"v1^{commit}"}, {"main^@"}, {"main~1^!"},
		{"main~1^-"}, {"main~1^-2"}, {"origin/main"}, {"n9..p9"}, {"p9", "^n9"},
	} {
		tips, err := Resolve(revwalk.NewGraph(revwalk.NewODBSource(db), nil), refs.Open(r.Dir), args)
		if err != nil {
			continue // git refuses these too (TestRevWalkMatchesGitLogOnOrderRepo)
		}
		negative := false
		for _, tip := range tips {
			negative = negative || tip.Negative
		}
		if negative {
			excluding++
		}
		if negative && !MayExclude(args) {
			t.Errorf("%q: Resolve excludes a tip, MayExclude says none may be", args)
		}
		if !negative && MayExclude(args) && !strings.Contains(strings.Join(args, " "), "^") && !strings.Contains(strings.Join(args, " "), "..") && !slices.Contains(args, "--not") {
			t.Errorf("%q: MayExclude says yes for no reason its text gives", args)
		}
	}
	if excluding < 5 {
		t.Fatalf("only %d lists exclude a tip: the test does not test", excluding)
	}
}
