package walker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/gitwalk/gitwalk/internal/pathspec"
	"github.com/gitwalk/gitwalk/internal/refs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// gitRepo builds a repository with git fast-import: commits with fixed
// dates, exact parents and exact trees, then refs. It is the oracle side of
// the tests: `git log` runs on it and the walk must print the same.
type gitRepo struct {
	t      *testing.T
	dir    string // the git directory (bare)
	stream bytes.Buffer
	marks  map[string]int
	files  map[string]map[string]string
	names  map[string]string // hash -> commit name, after build
	refs   []string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	r := &gitRepo{t: t, dir: dir, marks: map[string]int{}, files: map[string]map[string]string{}}
	r.git("init", "-q", "--bare", dir)
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	out, err := r.gitErr(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (r *gitRepo) gitErr(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), "GIT_DIR="+r.dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"HOME="+r.dir, "LC_ALL=C", "GIT_NO_REPLACE_OBJECTS=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if r.stream.Len() > 0 && len(args) > 0 && args[0] == "fast-import" {
		cmd.Stdin = &r.stream
	}
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// mk makes commit name (also its subject) at committer time date; its files
// are the first parent's with edits ("path=content", "path=-" deletes).
func (r *gitRepo) mk(name string, date int64, edits string, parents ...string) {
	r.t.Helper()
	files := map[string]string{}
	if len(parents) > 0 {
		for k, v := range r.files[parents[0]] {
			files[k] = v
		}
	}
	for _, e := range strings.Fields(edits) {
		k, v, _ := strings.Cut(e, "=")
		if v == "-" {
			delete(files, k)
		} else {
			files[k] = v
		}
	}
	r.files[name] = files
	mark := len(r.marks) + 1
	r.marks[name] = mark
	s := &r.stream
	fmt.Fprintf(s, "reset refs/heads/build\ncommit refs/heads/build\nmark :%d\n", mark)
	fmt.Fprintf(s, "author A U Thor <a@example.com> %d +0000\n", date)
	fmt.Fprintf(s, "committer C O Mitter <c@example.com> %d +0000\n", date)
	fmt.Fprintf(s, "data %d\n%s\n", len(name), name)
	for i, p := range parents {
		pm, ok := r.marks[p]
		if !ok {
			r.t.Fatalf("unknown parent %q", p)
		}
		if i == 0 {
			fmt.Fprintf(s, "from :%d\n", pm)
		} else {
			fmt.Fprintf(s, "merge :%d\n", pm)
		}
	}
	s.WriteString("deleteall\n")
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(s, "M 100644 inline %s\ndata %d\n%s\n", k, len(files[k]), files[k])
	}
	s.WriteString("\n")
}

// branch points refs/heads/name (or a full ref name) at a commit.
func (r *gitRepo) branch(ref, commit string) {
	if !strings.HasPrefix(ref, "refs/") {
		ref = "refs/heads/" + ref
	}
	fmt.Fprintf(&r.stream, "reset %s\nfrom :%d\n\n", ref, r.marks[commit])
}

// tag makes an annotated tag.
func (r *gitRepo) tag(name, commit string, date int64) {
	fmt.Fprintf(&r.stream, "tag %s\nfrom :%d\ntagger T <t@example.com> %d +0000\ndata %d\n%s\n", name, r.marks[commit], date, len(name), name)
}

// build runs fast-import, drops the build branch and points HEAD at head.
func (r *gitRepo) build(head string) {
	r.t.Helper()
	r.git("fast-import", "--quiet")
	r.stream.Reset()
	r.git("update-ref", "-d", "refs/heads/build")
	r.git("symbolic-ref", "HEAD", "refs/heads/"+head)
	r.names = map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.git("log", "--all", "--format=%H %s")), "\n") {
		h, s, _ := strings.Cut(line, " ")
		r.names[h] = s
	}
}

// subjects turns hashes (one a line) into commit names.
func (r *gitRepo) subjects(hashes []string) string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		if s, ok := r.names[h]; ok {
			out[i] = s
		} else {
			out[i] = h
		}
	}
	return strings.Join(out, " ")
}

// gitLog is the oracle: `git log --format=%H ARGS` (no commit-graph).
func (r *gitRepo) gitLog(args []string) ([]string, error) {
	full := append([]string{"-c", "core.commitGraph=false", "log", "--format=%H"}, args...)
	out, err := r.gitErr(full...)
	if err != nil {
		return nil, fmt.Errorf("%s", strings.TrimSpace(out))
	}
	out = strings.TrimSpace(out)
	if out == "" {
		return nil, nil
	}
	return strings.Split(out, "\n"), nil
}

// parseLogArgs splits `git log` arguments into revision arguments, walk
// options and paths, for the options this package implements.
func parseLogArgs(args []string) (revs []string, opt revOptions, paths []string, err error) {
	opt.maxCount = -1
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
			opt.firstParent = true
		case a == "--no-merges":
			opt.noMerges = true
		case a == "--merges":
			opt.mergesOnly = true
		case a == "--topo-order":
			opt.topoOrder = true
		case a == "--date-order":
			opt.dateOrder = true
		case a == "--reverse":
			opt.reverse = !opt.reverse
		case a == "--full-history":
			opt.fullHistory = true
		case a == "-n":
			i++
			opt.maxCount = int(num(args[i]))
		case strings.HasPrefix(a, "--max-count="):
			opt.maxCount = int(num(a[len("--max-count="):]))
		case strings.HasPrefix(a, "--skip="):
			opt.skip = int(num(a[len("--skip="):]))
		case strings.HasPrefix(a, "--max-age="):
			opt.since, opt.hasSince = num(a[len("--max-age="):]), true
		case strings.HasPrefix(a, "--min-age="):
			opt.until, opt.hasUntil = num(a[len("--min-age="):]), true
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
	g := newCommitGraph(newODBSource(db), shallow)
	tips, err := resolveRevisions(g, refs.Open(gitDir), revs)
	if err != nil {
		return nil, err
	}
	if len(paths) > 0 {
		opt.sameUnderPaths = flatTreeComparer(db.NewReader(), paths)
	}
	w, err := newRevWalk(context.Background(), g, tips, opt)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		n, err := w.next()
		if err != nil {
			return nil, err
		}
		if n == nil {
			return out, nil
		}
		out = append(out, n.id.String())
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
func (r *gitRepo) compare(t *testing.T, argLists [][]string) {
	t.Helper()
	for _, args := range argLists {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want, werr := r.gitLog(args)
			got, gerr := ourLog(r.dir, args)
			switch {
			case werr != nil && gerr != nil:
				return // both refuse
			case werr != nil:
				t.Fatalf("git fails (%v) but the walk gives %q", werr, r.subjects(got))
			case gerr != nil:
				t.Fatalf("walk fails (%v) but git gives %q", gerr, r.subjects(want))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("git log %s\n got: %s\nwant: %s", strings.Join(args, " "), r.subjects(got), r.subjects(want))
			}
		})
	}
}

// orderRepo has the fact sheet's order experiments side by side.
func orderRepo(t *testing.T) *gitRepo {
	r := newGitRepo(t)
	r.mk("R", 1000, "r=1")
	r.mk("X1", 2000, "x=1", "R")
	r.mk("Y1", 2000, "y=1", "R")
	r.mk("M", 3000, "", "X1", "Y1")
	r.mk("M2", 3000, "", "Y1", "X1")
	r.mk("B0", 2400, "b=1", "R")
	r.mk("A0", 2500, "a=1", "B0")
	r.mk("Q2", 2400, "q=1", "R")
	r.mk("N3", 3000, "", "A0", "Q2")
	r.mk("C1", 50, "c1=1", "R")
	r.mk("C2", 200, "c2=1", "R")
	r.mk("S", 300, "", "C1", "C2")
	r.mk("P", 2000, "p=1", "R")
	r.mk("Q", 2000, "q=2", "R")
	r.mk("SS", 2000, "s=1", "R")
	r.mk("A", 1100, "a=2", "R")
	r.mk("C", 1200, "c=2", "R")
	r.mk("D", 1300, "", "A", "C")
	r.mk("T1", 1400, "t1=1", "D")
	r.mk("T2", 1500, "t2=1", "C")
	r.mk("Y1b", 1100, "y=2", "R")
	r.mk("Xm", 1200, "", "R", "Y1b")
	r.mk("Y2", 1300, "y=3", "Y1b")
	r.mk("O", 3500, "o=1", "N3", "M", "S") // octopus
	r.mk("K", 3600, "k=1", "O")
	// e9: a long chain of old commits hides the shared ancestor.
	r.mk("X9", 1000, "x9=1")
	r.mk("P9", 2000, "p9=1", "X9")
	prev := "X9"
	for i := 7; i >= 1; i-- {
		name := fmt.Sprintf("N9_%d", i)
		r.mk(name, int64(100*i), name+"=1", prev)
		prev = name
	}
	r.mk("N9_0", 3000, "n=1", prev)
	// e10: since/until.
	r.mk("A10", 1000, "a=1")
	r.mk("B10", 2000, "b=1", "A10")
	r.mk("C10", 500, "c=1", "B10")
	r.mk("D10", 3000, "d=1", "C10", "B10")
	r.mk("Z10", 10, "z=1")
	r.mk("E10", 100, "e=1", "A10")
	r.mk("F10", 5000, "f=1", "E10")

	// A criss-cross: two merge bases.
	r.mk("CA", 1100, "ca=1", "R")
	r.mk("CB", 1100, "cb=1", "R")
	r.mk("K1", 1200, "", "CA", "CB")
	r.mk("K2", 1250, "", "CB", "CA")
	r.mk("K3", 1300, "k3=1", "K1")
	r.mk("K4", 1310, "k4=1", "K2")

	r.branch("main", "K")
	r.branch("k3", "K3")
	r.branch("k4", "K4")
	r.branch("m", "M")
	r.branch("m2", "M2")
	r.branch("s", "S")
	r.branch("alpha", "Q")
	r.branch("zeta", "P")
	r.branch("mid", "SS")
	r.branch("t1", "T1")
	r.branch("t2", "T2")
	r.branch("x", "Xm")
	r.branch("y2", "Y2")
	r.branch("p9", "P9")
	r.branch("n9", "N9_0")
	r.branch("d10", "D10")
	r.branch("z10", "Z10")
	r.branch("f10", "F10")
	r.branch("refs/remotes/origin/main", "N3")
	r.branch("refs/remotes/origin/feature", "A0")
	r.tag("v1", "N3", 4000)
	r.tag("v0", "R", 4000)
	r.branch("refs/tags/lw", "M")
	r.branch("refs/notes/other", "C2")
	r.build("main")
	return r
}

func TestRevWalkMatchesGitLogOnOrderRepo(t *testing.T) {
	r := orderRepo(t)
	mainHash := strings.TrimSpace(r.git("rev-parse", "main"))
	r.compare(t, [][]string{
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
func pathRepo(t *testing.T) *gitRepo {
	r := newGitRepo(t)
	r.mk("R", 1000, "a=0 b=0 c=0 d=0 dir/x=0 dir/y=0 dirx/z=0")
	r.mk("M1", 1100, "x=1 e=1", "R")
	r.mk("S1", 1050, "a=1 b=1 c=1 e=1 dir/x=1", "R")
	r.mk("J", 1200, "b=1 c=2 dir/x=1", "M1", "S1")
	r.mk("T", 1300, "t=1", "S1")
	r.mk("U", 1120, "u=1", "S1")
	r.mk("T2", 1150, "t2=1", "U")
	r.mk("E", 1250, "", "J") // an empty commit
	r.mk("F", 1260, "dirx/z=1", "E")
	r.mk("G", 1270, "dir/y=1 a=2", "F")
	r.mk("H", 1280, "a=0", "G") // back to R's a
	r.mk("W", 1290, "dir/y=2", "H")
	r.mk("MW", 1300, "", "W", "E")    // a merge with its first parent's tree
	r.mk("MV", 1310, "b=0", "E", "W") // tree differs from both
	r.mk("TIP", 1320, "tip=1", "MW", "MV")
	r.branch("main", "TIP")
	r.branch("t", "T")
	r.branch("t2", "T2")
	r.branch("j", "J")
	r.build("main")
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
	r.compare(t, lists)
}

func TestResolveRevisionsErrors(t *testing.T) {
	t.Run("an empty repository says the branch has no commits", func(t *testing.T) {
		r := newGitRepo(t)
		r.git("symbolic-ref", "HEAD", "refs/heads/trunk")
		_, err := ourLog(r.dir, nil)
		if !errors.Is(err, errUnbornHead) || err.Error() != "your current branch 'trunk' does not have any commits yet" {
			t.Fatalf("err = %v", err)
		}
		// --all with no refs is no error in git: nothing to show.
		got, err := ourLog(r.dir, []string{"--all"})
		if err != nil || len(got) != 0 {
			t.Fatalf("--all on an empty repository = %v, %v", got, err)
		}
	})
	t.Run("an unborn HEAD beside other branches", func(t *testing.T) {
		r := newGitRepo(t)
		r.mk("R", 1000, "r=1")
		r.branch("other", "R")
		r.build("unborn")
		if _, err := ourLog(r.dir, nil); !errors.Is(err, errUnbornHead) {
			t.Fatalf("err = %v, want errUnbornHead", err)
		}
		if _, err := ourLog(r.dir, []string{"HEAD"}); !errors.Is(err, ErrBadRevision) {
			t.Fatalf("explicit HEAD: err = %v, want ErrBadRevision", err)
		}
	})
	t.Run("an unknown name is a bad revision naming the argument", func(t *testing.T) {
		r := orderRepo(t)
		for _, arg := range []string{"nosuch", "main..nosuch", "^nosuch", "main~99", "main^7", "deadbeef"} {
			_, err := ourLog(r.dir, []string{arg})
			if !errors.Is(err, ErrBadRevision) || err.Error() != "bad revision '"+arg+"'" {
				t.Errorf("%s: err = %v", arg, err)
			}
		}
	})
}

func TestRevWalkHonoursTheShallowFile(t *testing.T) {
	src := orderRepo(t)
	dst := filepath.Join(t.TempDir(), "shallow.git")
	out, err := exec.Command("git", "clone", "-q", "--bare", "--depth=2", "--branch=main", "file://"+src.dir, dst).CombinedOutput()
	if err != nil {
		t.Fatalf("clone --depth=2: %v\n%s", err, out)
	}
	r := &gitRepo{t: t, dir: dst, names: src.names}
	r.compare(t, [][]string{{}, {"--all"}, {"--topo-order"}, {"main~1"}})
}

func TestRepoRevWalkGlueWalksLikeGit(t *testing.T) {
	r := pathRepo(t)
	repo, err := Open(r.dir)
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
			want, err := r.gitLog(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			rw, err := repo.newRevWalk(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer rw.close()
			var got []string
			for {
				n, err := rw.next()
				if err != nil {
					t.Fatal(err)
				}
				if n == nil {
					break
				}
				got = append(got, n.id.String())
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("got %s, want %s", r.subjects(got), r.subjects(want))
			}
		})
	}
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
			r := &gitRepo{t: t, dir: testrepos.Path(t, name)}
			r.names = map[string]string{}
			if out, err := r.gitErr("log", "--all", "--format=%H %s"); err == nil {
				for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
					h, s, _ := strings.Cut(line, " ")
					r.names[h] = s
				}
			}
			r.compare(t, append(append([][]string{}, common...), extra[name]...))
		})
	}
}

// TestRevWalkMatchesGitLogOnExternalRepo compares with git on a repository
// named by GITWALK_REVWALK_REPO (a git directory), for long runs by hand:
//
//	GITWALK_REVWALK_REPO=/path/to/git.git go test ./walker -run ExternalRepo -v
func TestRevWalkMatchesGitLogOnExternalRepo(t *testing.T) {
	dir := os.Getenv("GITWALK_REVWALK_REPO")
	if dir == "" {
		t.Skip("GITWALK_REVWALK_REPO not set")
	}
	r := &gitRepo{t: t, dir: dir, names: map[string]string{}}
	r.compare(t, [][]string{
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

func TestRepoRevWalkRefusesReplaceRefs(t *testing.T) {
	r := newGitRepo(t)
	r.mk("R", 1000, "r=1")
	r.mk("A", 1100, "a=1", "R")
	r.mk("A2", 1200, "a=2")
	r.branch("main", "A")
	r.branch("other", "A2")
	r.build("main")
	r.git("replace", "main", "other")
	repo, err := Open(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	if _, err := repo.newRevWalk(Options{}); !errors.Is(err, errGrafts) {
		t.Fatalf("err = %v, want errGrafts", err)
	}
	t.Setenv("GIT_NO_REPLACE_OBJECTS", "1")
	if _, err := repo.newRevWalk(Options{}); err != nil {
		t.Fatalf("with GIT_NO_REPLACE_OBJECTS: %v", err)
	}
}

func TestRevWalkAllIncludesOtherWorktreesHeads(t *testing.T) {
	r := orderRepo(t)
	run := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+r.dir,
			"GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com",
			"GIT_AUTHOR_DATE=@2100 +0000", "GIT_COMMITTER_DATE=@2100 +0000")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	base := t.TempDir()
	for i, at := range []string{"X1", "C2", "SS"} {
		wt := filepath.Join(base, fmt.Sprintf("wt%d", i))
		run(r.dir, "worktree", "add", "-q", "--detach", wt, strings.TrimSpace(r.git("rev-parse", ":/^"+at+"$")))
		run(wt, "commit", "-q", "--allow-empty", "-m", "W"+at)
	}
	r.build("main") // refresh names
	r.compare(t, [][]string{{"--all"}, {"--topo-order", "--all"}, {"--all", "--not", "HEAD"}})
	// From inside a linked worktree: the main HEAD comes in, this one is HEAD.
	wtRepo := &gitRepo{t: t, dir: filepath.Join(r.dir, "worktrees", "wt1"), names: r.names}
	wtRepo.compare(t, [][]string{{}, {"--all"}, {"--branches"}})
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
			r := newGitRepo(t)
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
				r.mk(name, date, strings.Join(edits, " "), parents...)
				names = append(names, name)
			}
			var branches []string
			for i := 0; i < 5; i++ {
				b := fmt.Sprintf("b%d", i)
				r.branch(b, names[len(names)-1-rng.IntN(20)])
				branches = append(branches, b)
			}
			r.branch("main", names[len(names)-1])
			r.tag("t1", names[rng.IntN(len(names))], 5000)
			r.build("main")

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
			r.compare(t, lists)
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
