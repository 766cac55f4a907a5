package analysis_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// git runs git in the repository dir and returns its output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// gitBranchRows works out, with C git alone, what Branches must give for
// the refs under prefixes compared with base (a ref name), leaving out the
// ref skip. Churn comes from `git log --numstat --no-renames MERGES
// base..branch` over the paths filter keeps, MERGES being merges, git's
// options for the merge policy ("--no-merges" when empty).
func gitBranchRows(t *testing.T, dir, base, skip string, filter analysis.PathFilter, merges []string, prefixes ...string) []analysis.BranchRow {
	t.Helper()
	var rows []analysis.BranchRow
	refs := git(t, dir, append([]string{"for-each-ref",
		"--format=%(refname)%09%(refname:short)%09%(objectname)%09%(committerdate:unix)%09%(authorname)%09%(symref)"}, prefixes...)...)
	for _, line := range strings.Split(strings.TrimSuffix(refs, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if f[5] != "" || f[0] == skip {
			continue // symbolic (origin/HEAD), or the base itself
		}
		ref := f[0]
		short := strings.TrimPrefix(strings.TrimPrefix(ref, "refs/heads/"), "refs/remotes/")
		tip, err := walker.ParseHash(f[2])
		if err != nil {
			t.Fatal(err)
		}
		sec, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		row := analysis.BranchRow{Branch: short, Ref: ref, Tip: tip, LastCommit: time.Unix(sec, 0), Author: f[4]}
		row.Ahead, _ = strconv.Atoi(strings.TrimSpace(git(t, dir, "rev-list", "--count", base+".."+ref)))
		row.Behind, _ = strconv.Atoi(strings.TrimSpace(git(t, dir, "rev-list", "--count", ref+".."+base)))
		files := map[string]bool{}
		if len(merges) == 0 {
			merges = []string{"--no-merges"}
		}
		log := git(t, dir, append(append([]string{"log", "-z", "--numstat", "--no-renames", "--format="}, merges...), base+".."+ref)...)
		for _, l := range strings.Split(log, "\x00") {
			l = strings.TrimLeft(l, "\n")
			parts := strings.SplitN(l, "\t", 3)
			if len(parts) != 3 || !filter.Match(parts[2]) {
				continue
			}
			a, _ := strconv.Atoi(parts[0]) // "-" (binary) counts 0 lines
			d, _ := strconv.Atoi(parts[1])
			row.Added += a
			row.Deleted += d
			files[parts[2]] = true
		}
		row.Churn, row.Files = row.Added+row.Deleted, len(files)
		err = exec.Command("git", "-C", dir, "merge-base", "--is-ancestor", ref, base).Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			row.Merged = true
		case errors.As(err, &exit) && exit.ExitCode() == 1:
		default:
			t.Fatalf("git merge-base --is-ancestor %s %s: %v", ref, base, err)
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if !rows[i].LastCommit.Equal(rows[j].LastCommit) {
			return rows[i].LastCommit.After(rows[j].LastCommit)
		}
		return rows[i].Ref < rows[j].Ref
	})
	return rows
}

// comparable drops what git's output cannot show the same way (zones).
func comparable(rows []analysis.BranchRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%s %s %s ahead=%d behind=%d +%d -%d churn=%d files=%d last=%d %q merged=%v",
			r.Branch, r.Ref, r.Tip, r.Ahead, r.Behind, r.Added, r.Deleted, r.Churn, r.Files, r.LastCommit.Unix(), r.Author, r.Merged)
	}
	return out
}

func TestBranchesAgreeWithGitForEveryJobCount(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "branches")
	mergesDir := testrepos.Path(t, "merges")
	// Branches sharing the commits they have ahead: each counts them all.
	sharedDir := testrepos.Path(t, "branches")
	git(t, sharedDir, "update-ref", "refs/heads/diverged-twin", "refs/heads/feature/diverged")
	git(t, sharedDir, "update-ref", "refs/heads/diverged-start", "refs/heads/feature/diverged~2")
	// A shallow cut in the base's history (acd152d, "main: edit README",
	// acts as a root): the commits below it are ahead on feature/diverged,
	// forked there, and old is no longer merged.
	shallowDir := testrepos.Path(t, "branches")
	cut := strings.TrimSpace(git(t, shallowDir, "rev-parse", "refs/heads/merged-topic~1^"))
	if err := os.WriteFile(filepath.Join(shallowDir, "shallow"), []byte(cut+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		dir        string
		opts       analysis.BranchesOptions
		base, skip string // git's name of the base, and the ref not listed
		prefixes   []string
		merges     []string // git log's options for opts' merge policy (default --no-merges)
	}{
		{"local branches against origin/HEAD's branch", dir, analysis.BranchesOptions{},
			"refs/remotes/origin/main", "refs/remotes/origin/main", []string{"refs/heads/"}, nil},
		{"remote branches too", dir, analysis.BranchesOptions{Remotes: true},
			"refs/remotes/origin/main", "refs/remotes/origin/main", []string{"refs/heads/", "refs/remotes/"}, nil},
		{"a base given as a branch name", dir, analysis.BranchesOptions{Base: "feature/diverged"},
			"refs/heads/feature/diverged", "refs/heads/feature/diverged", []string{"refs/heads/"}, nil},
		{"a base given as REV~n lists every branch", dir, analysis.BranchesOptions{Base: "main~1"},
			"main~1", "", []string{"refs/heads/"}, nil},
		{"filters choose the files churn counts", dir,
			analysis.BranchesOptions{Filter: analysis.PathFilter{Include: []string{"src/", "img/"}, Exclude: []string{"*.png"}}},
			"refs/remotes/origin/main", "refs/remotes/origin/main", []string{"refs/heads/"}, nil},
		{"merges against HEAD's branch", mergesDir, analysis.BranchesOptions{},
			"refs/heads/main", "refs/heads/main", []string{"refs/heads/"}, nil},
		{"merges against an older base, left out by NoMerges", mergesDir, analysis.BranchesOptions{Base: "main~7", NoMerges: true},
			"main~7", "", []string{"refs/heads/"}, nil},
		{"merges diffed against their first parent", mergesDir, analysis.BranchesOptions{Base: "main~7", DiffMerges: true},
			"main~7", "", []string{"refs/heads/"}, []string{"--diff-merges=first-parent"}},
		{"the first-parent line of each branch", mergesDir, analysis.BranchesOptions{Base: "main~7", FirstParent: true},
			"main~7", "", []string{"refs/heads/"}, []string{"--first-parent"}},
		{"the first-parent line without its merges", mergesDir, analysis.BranchesOptions{Base: "main~7", FirstParent: true, NoMerges: true},
			"main~7", "", []string{"refs/heads/"}, []string{"--first-parent", "--no-merges"}},
		{"branches sharing commits ahead", sharedDir, analysis.BranchesOptions{Remotes: true},
			"refs/remotes/origin/main", "refs/remotes/origin/main", []string{"refs/heads/", "refs/remotes/"}, nil},
		{"branches sharing commits ahead, first-parent lines", sharedDir, analysis.BranchesOptions{FirstParent: true},
			"refs/remotes/origin/main", "refs/remotes/origin/main", []string{"refs/heads/"}, []string{"--first-parent"}},
		{"a shallow cut in the base's history", shallowDir, analysis.BranchesOptions{Remotes: true},
			"refs/remotes/origin/main", "refs/remotes/origin/main", []string{"refs/heads/", "refs/remotes/"}, nil},
		{"a diverged branch's merge diffed against its first parent", dir, analysis.BranchesOptions{DiffMerges: true},
			"refs/remotes/origin/main", "refs/remotes/origin/main", []string{"refs/heads/"}, []string{"--diff-merges=first-parent"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := comparable(gitBranchRows(t, tc.dir, tc.base, tc.skip, tc.opts.Filter, tc.merges, tc.prefixes...))
			repo, err := walker.Open(tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer repo.Close()
			for _, jobs := range []int{1, 2, 8} {
				opts := tc.opts
				opts.Jobs = jobs
				res, err := analysis.Branches(context.Background(), repo, opts)
				if err != nil {
					t.Fatalf("-j %d: %v", jobs, err)
				}
				if got := comparable(res.Rows); !reflect.DeepEqual(got, want) {
					t.Errorf("-j %d:\ngot  %s\nwant %s", jobs, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
				}
				wantBase := strings.TrimSpace(git(t, tc.dir, "rev-parse", tc.base+"^{commit}"))
				if res.BaseHash.String() != wantBase {
					t.Errorf("-j %d: base %s, want %s", jobs, res.BaseHash, wantBase)
				}
			}
		})
	}
}

func TestBranchesShareOnePoolOfArenas(t *testing.T) {
	dir := testrepos.Path(t, "branches")
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	pool := walker.NewArenaPool(2)
	defer pool.Close()
	res, err := analysis.Branches(context.Background(), repo, analysis.BranchesOptions{Jobs: 2, Arenas: pool})
	if err != nil {
		t.Fatal(err)
	}
	m := pool.Metrics()
	if len(res.Rows) == 0 || m.Checkouts == 0 {
		t.Fatalf("rows %d, arena checkouts %d: want the branches' walks to use the pool given", len(res.Rows), m.Checkouts)
	}
	if pool.IdleCount() > 2 {
		t.Errorf("pool keeps %d idle arenas, cap 2", pool.IdleCount())
	}
}

func TestDefaultBranchFollowsOriginHeadThenHeadThenMainThenMaster(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "branches")
	check := func(want string) {
		t.Helper()
		repo, err := walker.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer repo.Close()
		b, err := repo.DefaultBranch()
		if want == "" {
			if !errors.Is(err, walker.ErrNoDefaultBranch) || !strings.Contains(err.Error(), "master") {
				t.Fatalf("DefaultBranch() = %v, %v; want ErrNoDefaultBranch naming what was tried", b, err)
			}
			return
		}
		if err != nil || b.Ref != want {
			t.Fatalf("DefaultBranch() = %+v, %v; want %s", b, err, want)
		}
		if tip := strings.TrimSpace(git(t, dir, "rev-parse", want)); b.Hash.String() != tip {
			t.Errorf("default branch tip %s, want %s", b.Hash, tip)
		}
	}
	check("refs/remotes/origin/main")
	git(t, dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/stale")
	check("refs/remotes/origin/stale")
	git(t, dir, "update-ref", "-d", "--no-deref", "refs/remotes/origin/HEAD")
	git(t, dir, "symbolic-ref", "HEAD", "refs/heads/old")
	check("refs/heads/old")
	git(t, dir, "update-ref", "--no-deref", "HEAD", strings.TrimSpace(git(t, dir, "rev-parse", "topic/ahead")))
	check("refs/heads/main") // a detached HEAD names no branch
	git(t, dir, "branch", "-m", "main", "master")
	check("refs/heads/master")
	git(t, dir, "branch", "-D", "master")
	check("")
}

func TestBranchesOfARepositoryWithoutBranchesAreNone(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "branches")
	git(t, dir, "update-ref", "--no-deref", "HEAD", strings.TrimSpace(git(t, dir, "rev-parse", "main")))
	for _, ref := range strings.Fields(git(t, dir, "for-each-ref", "--format=%(refname)", "refs/heads/")) {
		git(t, dir, "update-ref", "-d", ref)
	}
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	got, err := repo.Branches(false)
	if err != nil || len(got) != 0 {
		t.Fatalf("Branches(false) = %v, %v; want none", got, err)
	}
	// origin/main is still the default branch; there is nothing to compare.
	res, err := analysis.Branches(context.Background(), repo, analysis.BranchesOptions{})
	if err != nil || len(res.Rows) != 0 {
		t.Fatalf("Branches = %+v, %v; want no rows and no error", res, err)
	}
	remote, err := repo.Branches(true)
	if err != nil || len(remote) != 2 {
		t.Fatalf("Branches(true) = %v, %v; want origin/main and origin/stale", remote, err)
	}
}

func TestBranchesWithABadBaseNameIt(t *testing.T) {
	dir := testrepos.Path(t, "branches")
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	_, err = analysis.Branches(context.Background(), repo, analysis.BranchesOptions{Base: "no-such-branch"})
	if err == nil || !strings.Contains(err.Error(), "no-such-branch") {
		t.Fatalf("err = %v, want one naming no-such-branch", err)
	}
}

// BenchmarkBranches compares every branch of the branches fixture (and its
// remote-tracking ones) with origin/main: one unit per branch on two jobs
// sharing one arena pool.
func BenchmarkBranches(b *testing.B) {
	repo, err := walker.Open(testrepos.Path(b, "branches"))
	if err != nil {
		b.Fatal(err)
	}
	defer repo.Close()
	pool := walker.NewArenaPool(2)
	defer pool.Close()
	b.ReportAllocs()
	for b.Loop() {
		res, err := analysis.Branches(context.Background(), repo, analysis.BranchesOptions{Remotes: true, Jobs: 2, Arenas: pool})
		if err != nil || len(res.Rows) == 0 {
			b.Fatalf("%v, %v", res, err)
		}
	}
}
