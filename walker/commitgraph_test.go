package walker

import (
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// gitLog is the oracle with the repository as it is (commit-graph read
// when git would): `git log --format=%H ARGS`, and git's error if it fails.
func gitLog(t *testing.T, dir string, args ...string) ([]string, error) {
	return gitLogWith(t, dir, nil, args...)
}

// gitLogWith is gitLog with config settings ("key=value") for git's -c.
func gitLogWith(t *testing.T, dir string, config []string, args ...string) ([]string, error) {
	t.Helper()
	full := []string{"--git-dir=" + dir}
	for _, c := range config {
		full = append(full, "-c", c)
	}
	cmd := exec.Command("git", append(append(full, "log", "--format=%H"), args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return nil, fmt.Errorf("git log %s: %v: %s", strings.Join(args, " "), err, msg)
	}
	return strings.Fields(string(out)), nil
}

// revWalkOrder is gitwalk's revision walk of opts on a freshly opened
// repository (so a graph written or damaged since is seen), with the walk's
// figures.
func revWalkOrder(t *testing.T, dir string, opts Options) ([]string, Stats) {
	t.Helper()
	repo, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	rw, err := repo.newRevWalk(opts)
	if err != nil {
		t.Fatal(err)
	}
	got := walkIDs(t, rw)
	var st Stats
	rw.fillStats(&st)
	return got, st
}

// walkCase is one walk, as gitwalk's Options and as git's arguments.
type walkCase struct {
	opts Options
	args []string
}

// graphCases are the walks whose output git documents as the same with
// and without a commit-graph (the sheet's section 6), on pathRepo.
func graphCases() []walkCase {
	return []walkCase{
		{Options{}, nil},
		{Options{Revisions: []string{"--all"}}, []string{"--all"}},
		{Options{Revisions: []string{"--all"}, TopoOrder: true}, []string{"--all", "--topo-order"}},
		{Options{Revisions: []string{"--all"}, Reverse: true}, []string{"--all", "--reverse"}},
		{Options{FirstParent: true}, []string{"--first-parent"}},
		{Options{FirstParent: true, TopoOrder: true}, []string{"--first-parent", "--topo-order"}},
		{Options{Revisions: []string{"t..main"}}, []string{"t..main"}},
		{Options{Revisions: []string{"main...t2"}}, []string{"main...t2"}},
		{Options{Revisions: []string{"^t2", "main"}, TopoOrder: true}, []string{"^t2", "main", "--topo-order"}},
		{Options{Paths: []string{"a"}}, []string{"--", "a"}},
		{Options{Paths: []string{"dir"}, Revisions: []string{"--all"}}, []string{"--all", "--", "dir"}},
		{Options{Paths: []string{"b"}, Revisions: []string{"--all"}, TopoOrder: true}, []string{"--all", "--topo-order", "--", "b"}},
		{Options{Since: time.Unix(1200, 0)}, []string{"--max-age=1200"}},
		{Options{Since: time.Unix(1200, 0), Revisions: []string{"--all"}, TopoOrder: true}, []string{"--all", "--max-age=1200", "--topo-order"}},
		{Options{Until: time.Unix(1250, 0), Revisions: []string{"--all"}}, []string{"--all", "--min-age=1250"}},
	}
}

// checkWalks compares each case's walk with git's on dir, and returns the
// figures of the last.
func checkWalks(t *testing.T, dir string, names map[string]string, cases []walkCase) Stats {
	t.Helper()
	var st Stats
	h := testrepos.HistoryAt(t, dir, names)
	for _, tc := range cases {
		want, err := gitLog(t, dir, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		got, st = revWalkOrder(t, dir, tc.opts)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: gitwalk %s, git %s", strings.Join(tc.args, " "), h.Subjects(got), h.Subjects(want))
		}
	}
	return st
}

func TestAWalkReadsTheCommitGraphAndGivesGitsOrder(t *testing.T) {
	testrepos.IsolateGit(t)
	r := pathRepo(t)
	noGraph := checkWalks(t, r.Dir, r.Names, graphCases())
	if noGraph.CommitGraph != "" || noGraph.WalkCommitsFromGraph != 0 || noGraph.WalkCommitsRead == 0 {
		t.Errorf("without a graph: %+v", noGraph)
	}
	r.Git("commit-graph", "write", "--reachable", "--changed-paths")
	st := checkWalks(t, r.Dir, r.Names, graphCases())
	if st.WalkCommitsRead != 0 || st.WalkCommitsFromGraph == 0 || !strings.Contains(st.CommitGraph, "commits in 1 file") {
		t.Errorf("with a fresh graph the walk read %d commits from objects, %d from the graph (%q); want 0 and all",
			st.WalkCommitsRead, st.WalkCommitsFromGraph, st.CommitGraph)
	}
}

// extendHistory adds commits on top of the built history (a child of tip
// named name), after a graph was written: the graph is stale.
func extendHistory(t *testing.T, r *testrepos.History, branch, tip, name string, date int64, merge string) {
	t.Helper()
	from := r.Git("rev-parse", tip)
	fmt.Fprintf(&r.Stream, "commit refs/heads/%s\ncommitter C <c@example.com> %d +0000\ndata %d\n%s\nfrom %s", branch, date, len(name), name, from)
	if merge != "" {
		fmt.Fprintf(&r.Stream, "merge %s", r.Git("rev-parse", merge))
	}
	fmt.Fprintf(&r.Stream, "M 100644 inline a\ndata %d\n%s\n\n", len(name), name)
	r.Git("fast-import", "--quiet")
	r.Stream.Reset()
	r.Names[strings.TrimSpace(r.Git("rev-parse", branch))] = name
}

func TestAStaleGraphServesWhatItHasAndTheRestIsRead(t *testing.T) {
	testrepos.IsolateGit(t)
	r := pathRepo(t)
	r.Git("commit-graph", "write", "--reachable")
	extendHistory(t, r, "main", "main", "N1", 1400, "t")
	extendHistory(t, r, "main", "main", "N2", 1390, "") // older than its parent
	extendHistory(t, r, "t", "t", "N3", 1350, "")
	st := checkWalks(t, r.Dir, r.Names, graphCases())
	if st.WalkCommitsRead == 0 || st.WalkCommitsRead > 3 || st.WalkCommitsFromGraph == 0 {
		t.Errorf("stale graph: %d commits read from objects (the new ones: at most 3), %d from the graph",
			st.WalkCommitsRead, st.WalkCommitsFromGraph)
	}
}

// damage rewrites the repository's commit-graph with fn, re-signing it
// when resum is set (so only the damage fn made is wrong).
func damage(t *testing.T, dir string, resum bool, fn func([]byte) []byte) {
	t.Helper()
	path := filepath.Join(dir, "objects", "info", "commit-graph")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = fn(data)
	if resum {
		sum := sha1.Sum(data[:len(data)-20])
		copy(data[len(data)-20:], sum[:])
	}
	os.Chmod(path, 0o644)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// chunkAt returns the offset of chunk id in a commit-graph file.
func chunkAt(t *testing.T, d []byte, id string) int {
	for i := 0; i < int(d[6]); i++ {
		e := d[8+12*i:]
		if string(e[:4]) == id {
			return int(binary.BigEndian.Uint64(e[4:]))
		}
	}
	t.Fatalf("no chunk %s", id)
	return 0
}

// TestADamagedGraphIsNotUsedAndSaysWhy damages the graph in each way and
// checks that the walks are git's on the same copy and that the figures
// say why the graph was left. Where git trusts the damage (it checks no
// checksum when it loads a graph, and dies on a parent position out of
// range), the oracle is git without the graph: gitwalk never gives a result
// the commits do not say.
func TestADamagedGraphIsNotUsedAndSaysWhy(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, tc := range []struct {
		name       string
		resum      bool
		fn         func(t *testing.T, d []byte) []byte
		says       string
		gitTrusted bool // git reads the damaged graph (or dies of it)
	}{
		{"flipped signature", false, func(t *testing.T, d []byte) []byte { d[1] ^= 1; return d }, "signature", false},
		{"truncated", false, func(t *testing.T, d []byte) []byte { return d[:len(d)/2] }, "not used", false},
		{"wrong checksum", false, func(t *testing.T, d []byte) []byte { d[len(d)-3] ^= 0x10; return d }, "checksum", false},
		{"bad chunk offset", true, func(t *testing.T, d []byte) []byte {
			binary.BigEndian.PutUint64(d[8+12+4:], uint64(len(d))*2)
			return d
		}, "out of place", false},
		{"committer date changed", false, func(t *testing.T, d []byte) []byte {
			o := chunkAt(t, d, "CDAT") + 20 + 15 // the lowest byte of the first commit's date
			d[o] ^= 0xff
			return d
		}, "checksum", true},
		{"parent position out of range", true, func(t *testing.T, d []byte) []byte {
			o := chunkAt(t, d, "CDAT") + 20
			for d[o] == 0x70 { // find a commit with a parent
				o += 36
			}
			binary.BigEndian.PutUint32(d[o:], 0x00ffffff)
			return d
		}, "out of range", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := pathRepo(t)
			r.Git("commit-graph", "write", "--reachable")
			damage(t, r.Dir, tc.resum, func(d []byte) []byte { return tc.fn(t, d) })
			h := testrepos.HistoryAt(t, r.Dir, r.Names)
			all := graphCases()
			for _, c := range []walkCase{all[0], all[2], all[6], all[8], all[9], all[13]} {
				want, err := gitLogWith(t, r.Dir, []string{"core.commitGraph=false"}, c.args...)
				if err != nil {
					t.Fatal(err)
				}
				withGraph, gitErr := gitLog(t, r.Dir, c.args...)
				gitDiffers := gitErr != nil || strings.Join(withGraph, " ") != strings.Join(want, " ")
				if !tc.gitTrusted && gitDiffers {
					t.Fatalf("git itself gives another history with this damage (%v): the case is in the wrong group", gitErr)
				}
				if gitDiffers {
					t.Logf("%s: git trusts the damaged graph: %v %s", strings.Join(c.args, " "), gitErr, h.Subjects(withGraph))
				}
				got, st := revWalkOrder(t, r.Dir, c.opts)
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s: gitwalk %s, git %s", strings.Join(c.args, " "), h.Subjects(got), h.Subjects(want))
				}
				if !strings.HasPrefix(st.CommitGraph, "not used: ") || !strings.Contains(st.CommitGraph, tc.says) || st.WalkCommitsFromGraph != 0 {
					t.Errorf("figures: %q, %d from the graph; want the graph not used because of %q", st.CommitGraph, st.WalkCommitsFromGraph, tc.says)
				}
			}
		})
	}
}

func TestAChainWithAMissingBaseIsLeftAsGitLeavesIt(t *testing.T) {
	testrepos.IsolateGit(t)
	r := pathRepo(t)
	r.Git("commit-graph", "write", "--reachable", "--split=no-merge")
	extendHistory(t, r, "main", "main", "N1", 1400, "t")
	r.Git("commit-graph", "write", "--reachable", "--split=no-merge")
	chain, err := os.ReadFile(filepath.Join(r.Dir, "objects/info/commit-graphs/commit-graph-chain"))
	if err != nil {
		t.Fatal(err)
	}
	layers := strings.Fields(string(chain))
	if len(layers) != 2 {
		t.Fatalf("a chain of %d layers", len(layers))
	}
	st := checkWalks(t, r.Dir, r.Names, graphCases())
	if st.WalkCommitsRead != 0 || !strings.Contains(st.CommitGraph, "in 2 file") {
		t.Errorf("whole chain: %d commits read from objects, graph %q", st.WalkCommitsRead, st.CommitGraph)
	}
	if err := os.Remove(filepath.Join(r.Dir, "objects/info/commit-graphs/graph-"+layers[0]+".graph")); err != nil {
		t.Fatal(err)
	}
	st = checkWalks(t, r.Dir, r.Names, graphCases())
	if st.WalkCommitsFromGraph != 0 || !strings.HasPrefix(st.CommitGraph, "not used: ") {
		t.Errorf("chain without its base: %d commits from the graph, graph %q", st.WalkCommitsFromGraph, st.CommitGraph)
	}
}

func TestCoreCommitGraphFalseLeavesTheGraph(t *testing.T) {
	testrepos.IsolateGit(t)
	r := pathRepo(t)
	r.Git("commit-graph", "write", "--reachable")
	r.Git("config", "core.commitGraph", "false")
	st := checkWalks(t, r.Dir, r.Names, graphCases())
	if st.WalkCommitsFromGraph != 0 || st.WalkCommitsRead == 0 || st.CommitGraph != "not used: core.commitGraph is false" {
		t.Errorf("core.commitGraph=false: %d commits from the graph, %d read, %q", st.WalkCommitsFromGraph, st.WalkCommitsRead, st.CommitGraph)
	}
}

func TestAShallowRepositoryLeavesTheGraph(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "shallow")
	if out, err := exec.Command("git", "--git-dir="+dir, "commit-graph", "write", "--reachable").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	cases := []walkCase{{Options{Revisions: []string{"--all"}}, []string{"--all"}}, {Options{Revisions: []string{"--all"}, TopoOrder: true}, []string{"--all", "--topo-order"}}}
	st := checkWalks(t, dir, nil, cases)
	if st.WalkCommitsFromGraph != 0 || st.CommitGraph != "not used: the repository is shallow" {
		t.Errorf("shallow: %d commits from the graph, %q", st.WalkCommitsFromGraph, st.CommitGraph)
	}
}

// TestOrderingWithGenerationNumbersIsGits builds the two shapes where the
// revision walk sheet (section 6) found git's output to differ with a
// commit-graph, because generation numbers let --topo-order and
// --date-order walk incrementally: (a) e9, where the limited walk's SLOP
// lets a shared ancestor leak into the output and the incremental walk does
// not; (b) e16, --first-parent with several tips, where the incremental
// walk counts only first-parent edges as children. Each is compared with
// git with and without the graph on the same repository.
func TestOrderingWithGenerationNumbersIsGits(t *testing.T) {
	testrepos.IsolateGit(t)
	e9 := testrepos.NewHistory(t)
	e9.Commit("X", 1000, "x=1")
	e9.Commit("P", 2000, "p=1", "X")
	prev := "X"
	for k := 7; k >= 1; k-- {
		name := fmt.Sprintf("N%d", k)
		e9.Commit(name, int64(100*k), name+"=1", prev)
		prev = name
	}
	e9.Commit("N0", 3000, "n0=1", prev)
	e9.Branch("p", "P")
	e9.Branch("n0", "N0")
	e9.Build("p")

	e16 := testrepos.NewHistory(t)
	e16.Commit("R", 1000, "r=1")
	e16.Commit("A", 1100, "a=1", "R")
	e16.Commit("C", 1200, "c=1", "R")
	e16.Commit("D", 1300, "d=1", "A", "C")
	e16.Commit("T1", 1400, "t1=1", "D")
	e16.Commit("T2", 1500, "t2=1", "C")
	e16.Branch("t1", "T1")
	e16.Branch("t2", "T2")
	e16.Build("t1")

	cases := []struct {
		name string
		r    *testrepos.History
		walkCase
		noGraph, withGraph string // git's outputs, as the sheet has them
	}{
		{"e9 --topo-order", e9, walkCase{Options{Revisions: []string{"p", "^n0"}, TopoOrder: true}, []string{"p", "^n0", "--topo-order"}}, "P X", "P"},
		{"e9 default order", e9, walkCase{Options{Revisions: []string{"p", "^n0"}}, []string{"p", "^n0"}}, "P X", "P X"},
		{"e16 --first-parent --topo-order", e16, walkCase{Options{Revisions: []string{"t1", "t2"}, FirstParent: true, TopoOrder: true}, []string{"--first-parent", "--topo-order", "t1", "t2"}}, "T2 T1 D C A R", "T2 C T1 D A R"},
		{"e16 --topo-order", e16, walkCase{Options{Revisions: []string{"t1", "t2"}, TopoOrder: true}, []string{"--topo-order", "t1", "t2"}}, "T2 T1 D C A R", "T2 T1 D C A R"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.r.Dir
			os.RemoveAll(filepath.Join(dir, "objects", "info", "commit-graph"))
			check := func(want string, graph bool) {
				t.Helper()
				out, err := gitLog(t, dir, tc.args...)
				if err != nil {
					t.Fatal(err)
				}
				if got := tc.r.Subjects(out); got != want {
					t.Fatalf("graph %t: git %s, the sheet %s", graph, got, want)
				}
				got, st := revWalkOrder(t, dir, tc.opts)
				if tc.r.Subjects(got) != want {
					t.Errorf("graph %t: gitwalk %s, git %s", graph, tc.r.Subjects(got), want)
				}
				if graph != (st.WalkCommitsFromGraph > 0) {
					t.Errorf("graph %t, but %d commits from the graph", graph, st.WalkCommitsFromGraph)
				}
			}
			check(tc.noGraph, false)
			tc.r.Git("commit-graph", "write", "--reachable")
			check(tc.withGraph, true)
		})
	}
}

// TestRandomHistoriesWalkAsGitWithAGraph builds histories with random
// merges and skewed dates, writes a commit-graph, and compares the
// ordered walks (the incremental topo walk with generation numbers) and
// the default ones with git's, git reading the graph too.
func TestRandomHistoriesWalkAsGitWithAGraph(t *testing.T) {
	testrepos.IsolateGit(t)
	for seed := int64(1); seed <= 4; seed++ {
		rnd := rand.New(rand.NewSource(seed))
		r := testrepos.NewHistory(t)
		var names []string
		for i := 0; i < 40; i++ {
			name := fmt.Sprintf("c%d", i)
			var parents []string
			if i > 0 {
				parents = append(parents, names[len(names)-1-rnd.Intn(min(len(names), 4))])
				if i > 3 && rnd.Intn(3) == 0 {
					if p := names[rnd.Intn(len(names))]; p != parents[0] {
						parents = append(parents, p)
					}
				}
			}
			date := int64(1000 + 10*i)
			if rnd.Intn(5) == 0 {
				date -= int64(rnd.Intn(300)) // older than some ancestors
			}
			r.Commit(name, date, fmt.Sprintf("f%d=%d", rnd.Intn(4), i), parents...)
			names = append(names, name)
		}
		tips := []string{names[39], names[30], names[25], names[20]}
		for i, tip := range tips {
			r.Branch(fmt.Sprintf("b%d", i), tip)
		}
		r.Build("b0")
		r.Git("commit-graph", "write", "--reachable", "--changed-paths")
		var cases []walkCase
		for _, revs := range [][]string{{"--all"}, {"b0", "b1"}, {"b1", "b0"}, {"b0", "^b2"}, {"b0", "b3", "^b1"}, {"b2", "b0", "--not", "b3"}, {"b0...b1"}, {"b2...b0"}} {
			for _, fp := range []bool{false, true} {
				for _, topo := range []bool{false, true} {
					args := append([]string{}, revs...)
					if fp {
						args = append(args, "--first-parent")
					}
					if topo {
						args = append(args, "--topo-order")
					}
					cases = append(cases, walkCase{Options{Revisions: revs, FirstParent: fp, TopoOrder: topo}, args})
				}
			}
		}
		cases = append(cases,
			walkCase{Options{Revisions: []string{"--all"}, TopoOrder: true, Since: time.Unix(1200, 0)}, []string{"--all", "--topo-order", "--max-age=1200"}},
			walkCase{Options{Revisions: []string{"--all"}, TopoOrder: true, Paths: []string{"f1"}}, []string{"--all", "--topo-order", "--", "f1"}},
			walkCase{Options{Revisions: []string{"b0", "^b3"}, TopoOrder: true, Paths: []string{"f2"}}, []string{"b0", "^b3", "--topo-order", "--", "f2"}},
			walkCase{Options{Revisions: []string{"--all"}, TopoOrder: true, Reverse: true, MaxCount: 7}, []string{"--all", "--topo-order", "--reverse", "-n", "7"}},
		)
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			st := checkWalks(t, r.Dir, r.Names, cases)
			if st.WalkCommitsFromGraph == 0 {
				t.Error("the graph was not read")
			}
		})
	}
}

// TestChangedPathFiltersSkipDiffsAndChangeNothing limits walks to one
// literal path on a graph with changed-path filters: the filters stand in
// for tree diffs where they say "definitely not", the walks stay git's,
// and a pathspec git would not ask the filters about (a wildcard, magic,
// two paths) or commitGraph.readChangedPaths=false asks none.
func TestChangedPathFiltersSkipDiffsAndChangeNothing(t *testing.T) {
	testrepos.IsolateGit(t)
	r := pathRepo(t)
	r.Git("commit-graph", "write", "--reachable", "--changed-paths")
	skipped := 0
	for _, path := range []string{"a", "b", "dir", "dir/", "dir/x", "dirx/z", "tip", "nothere"} {
		for _, tc := range []walkCase{
			{Options{Paths: []string{path}, Revisions: []string{"--all"}}, []string{"--all", "--", path}},
			{Options{Paths: []string{path}, FirstParent: true}, []string{"--first-parent", "--", path}},
			{Options{Paths: []string{path}, Revisions: []string{"--all"}, TopoOrder: true}, []string{"--all", "--topo-order", "--", path}},
			{Options{Paths: []string{path}, Revisions: []string{"main", "^t2"}}, []string{"main", "^t2", "--", path}},
		} {
			st := checkWalks(t, r.Dir, r.Names, []walkCase{tc})
			skipped += st.BloomDefinitelyNot
			if st.BloomDefinitelyNot+st.BloomMaybe == 0 {
				t.Errorf("%s: no filter was asked", strings.Join(tc.args, " "))
			}
		}
	}
	if skipped == 0 {
		t.Error("no tree diff was skipped")
	}
	for _, paths := range [][]string{{"*a"}, {":(glob)a"}, {":(icase)a"}, {"a", "b"}, {":!a"}, {"."}} {
		st := checkWalks(t, r.Dir, r.Names, []walkCase{{Options{Paths: paths, Revisions: []string{"--all"}}, append([]string{"--all", "--"}, paths...)}})
		if st.BloomDefinitelyNot+st.BloomMaybe+st.BloomNoFilter != 0 {
			t.Errorf("-- %s: the filters were asked", strings.Join(paths, " "))
		}
	}
	r.Git("config", "commitGraph.readChangedPaths", "false")
	st := checkWalks(t, r.Dir, r.Names, []walkCase{{Options{Paths: []string{"a"}, Revisions: []string{"--all"}}, []string{"--all", "--", "a"}}})
	if st.BloomDefinitelyNot+st.BloomMaybe+st.BloomNoFilter != 0 || st.WalkCommitsFromGraph == 0 {
		t.Errorf("commitGraph.readChangedPaths=false: filters asked %d times, %d commits from the graph",
			st.BloomDefinitelyNot+st.BloomMaybe+st.BloomNoFilter, st.WalkCommitsFromGraph)
	}
}

// TestAnEmptyShallowFileLeavesTheGraphAsInGit: git counts a repository
// with a shallow file as shallow even when the file is empty, and then
// reads no commit-graph, so --topo-order keeps the limited walk's SLOP
// (the e9 shape).
func TestAnEmptyShallowFileLeavesTheGraphAsInGit(t *testing.T) {
	testrepos.IsolateGit(t)
	r := testrepos.NewHistory(t)
	r.Commit("X", 1000, "x=1")
	r.Commit("P", 2000, "p=1", "X")
	prev := "X"
	for k := 7; k >= 1; k-- {
		name := fmt.Sprintf("N%d", k)
		r.Commit(name, int64(100*k), name+"=1", prev)
		prev = name
	}
	r.Commit("N0", 3000, "n0=1", prev)
	r.Branch("p", "P")
	r.Branch("n0", "N0")
	r.Build("p")
	r.Git("commit-graph", "write", "--reachable")
	if err := os.WriteFile(filepath.Join(r.Dir, "shallow"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	st := checkWalks(t, r.Dir, r.Names, []walkCase{{Options{Revisions: []string{"p", "^n0"}, TopoOrder: true}, []string{"p", "^n0", "--topo-order"}}})
	if st.CommitGraph != "not used: the repository is shallow" {
		t.Errorf("graph %q", st.CommitGraph)
	}
	if out, _ := gitLog(t, r.Dir, "p", "^n0", "--topo-order"); r.Subjects(out) != "P X" {
		t.Errorf("git gives %s with an empty shallow file; the test expects the limited walk's P X", r.Subjects(out))
	}
}

// TestAGraphInAnAlternateIsRead: git looks for a commit-graph in every
// objects directory, the repository's own first, then its alternates.
func TestAGraphInAnAlternateIsRead(t *testing.T) {
	testrepos.IsolateGit(t)
	r := pathRepo(t)
	r.Git("commit-graph", "write", "--reachable")
	shared := filepath.Join(t.TempDir(), "shared.git")
	r.Git("clone", "-q", "--bare", "--shared", r.Dir, shared)
	if _, err := os.Stat(filepath.Join(shared, "objects", "info", "commit-graph")); err == nil {
		t.Fatal("the clone has a graph of its own")
	}
	st := checkWalks(t, shared, r.Names, graphCases()[:3])
	if st.WalkCommitsRead != 0 || st.WalkCommitsFromGraph == 0 {
		t.Errorf("the alternate's graph: %d commits read from objects, %d from the graph (%q)", st.WalkCommitsRead, st.WalkCommitsFromGraph, st.CommitGraph)
	}
}
