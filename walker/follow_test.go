package walker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/renames"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// followHistory builds, with git, a work tree whose file is renamed three
// times (once with edits, once to a folder of its own, once copied from
// and then deleted), edited between, beside other files, with a branch
// that edits it under an older name merged after the rename. It returns
// the folder.
func followHistory(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	n := 0
	commit := func() {
		t.Helper()
		n++
		run("add", "-A")
		date := fmt.Sprintf("@%d +0000", 1_000_000+60*n)
		cmd := exec.Command("git", "-C", dir, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "--allow-empty", "-m", strconv.Itoa(n))
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("commit: %v\n%s", err, out)
		}
	}
	write := func(name string, lines ...int) {
		t.Helper()
		var b strings.Builder
		for _, l := range lines {
			fmt.Fprintf(&b, "line %d of the file that moves\n", l)
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	seq := func(from, to int) []int {
		var s []int
		for i := from; i <= to; i++ {
			s = append(s, i)
		}
		return s
	}
	run("init", "-q", "-b", "main")
	run("config", "user.name", "A")
	run("config", "user.email", "a@x")
	write("a.txt", seq(1, 30)...)
	write("other.txt", 1)
	commit()
	for i := 0; i < 6; i++ { // edits of a.txt and of others, interleaved
		write("a.txt", seq(1, 31+i)...)
		commit()
		write("other.txt", seq(1, 2+i)...)
		commit()
	}
	run("checkout", "-q", "-b", "side")
	write("a.txt", append([]int{0}, seq(1, 36)...)...)
	commit()
	run("checkout", "-q", "main")
	run("mv", "a.txt", "b.txt") // a rename with an edit
	write("b.txt", seq(1, 37)...)
	commit()
	for i := 0; i < 6; i++ {
		write("b.txt", seq(1, 38+i)...)
		commit()
	}
	// The merge takes main's b.txt and side's edit of a.txt.
	run("merge", "-q", "--no-commit", "-s", "ours", "side")
	write("b.txt", append([]int{0}, seq(1, 43)...)...)
	commit()
	if err := os.Mkdir(filepath.Join(dir, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	run("mv", "b.txt", "dir/c.txt") // into a folder, unchanged
	commit()
	for i := 0; i < 4; i++ {
		write("dir/c.txt", append([]int{0}, seq(1, 44+i)...)...)
		commit()
	}
	write("dir/d.txt", append([]int{0}, seq(1, 48)...)...) // a copy of an unchanged file
	write("other.txt", 9)
	commit()
	run("rm", "-q", "dir/c.txt")
	commit()
	write("dir/d.txt", append([]int{0}, seq(1, 50)...)...)
	commit()
	write("dir/c.txt", 7) // a new file at an old name
	commit()
	return dir
}

// numstatOf prints a walk's commits as git log --numstat --format=%H does.
func numstatOf(cs []*Commit) string {
	var b []byte
	for _, c := range cs {
		b = append(b, c.Hash.String()...)
		b = append(b, '\n')
		if len(c.Changes) > 0 {
			b = append(b, '\n')
		}
		for _, ch := range c.Changes {
			if ch.Binary {
				b = append(b, "-\t-\t"...)
			} else {
				b = fmt.Appendf(b, "%d\t%d\t", ch.Added, ch.Deleted)
			}
			if ch.OldPath != "" {
				b = renames.AppendPath(b, ch.OldPath, ch.Path, false)
			} else {
				b = append(b, ch.Path...)
			}
			b = append(b, '\n')
		}
	}
	return string(b)
}

// TestFollowIsGitLogFollow: a walk with Follow gives what git log
// --numstat --follow prints, for paths that were renamed, copied,
// deleted and made again, and for a folder and the whole tree, with -n,
// --skip, --reverse and --first-parent, for any worker count; and also
// when the workers never learn of a rename (followFrozen), so that the
// ordered stage diffs again every commit after one.
func TestFollowIsGitLogFollow(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := followHistory(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cases := []struct {
		args []string
		opts Options
	}{
		{[]string{"dir/c.txt"}, Options{}},
		{[]string{"dir/d.txt"}, Options{}},
		{[]string{"b.txt"}, Options{}},
		{[]string{"a.txt"}, Options{}},
		{[]string{"dir"}, Options{}},
		{[]string{"."}, Options{}},
		{[]string{"dir/d.txt"}, Options{MaxCount: 3}},
		{[]string{"dir/d.txt"}, Options{Skip: 4}},
		{[]string{"dir/d.txt"}, Options{Reverse: true}},
		{[]string{"dir/d.txt"}, Options{Reverse: true, MaxCount: 12}},
		{[]string{"dir/d.txt"}, Options{FirstParent: true}},
		{[]string{"dir/d.txt"}, Options{Renames: RenamesOff}},
		{[]string{"dir/d.txt"}, Options{RenameScore: renames.MaxScore}},
	}
	redone := 0
	for _, c := range cases {
		args := []string{"log", "--numstat", "--format=%H", "--follow"}
		if c.opts.MaxCount > 0 {
			args = append(args, fmt.Sprintf("-n%d", c.opts.MaxCount))
		}
		if c.opts.Skip > 0 {
			args = append(args, fmt.Sprintf("--skip=%d", c.opts.Skip))
		}
		if c.opts.Reverse {
			args = append(args, "--reverse")
		}
		if c.opts.FirstParent {
			args = append(args, "--first-parent")
		}
		if c.opts.Renames == RenamesOff {
			args = append(args, "--no-renames")
		}
		if c.opts.RenameScore == renames.MaxScore {
			args = append(args, "-M100%")
		}
		out, err := exec.Command("git", append(append([]string{"-C", dir}, args...), append([]string{"--"}, c.args...)...)...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		want := string(out)
		if c.args[0] == "dir/d.txt" && len(args) == 4 && !strings.Contains(want, "a.txt => b.txt") {
			t.Fatalf("the history does not make git follow dir/d.txt to a.txt:\n%s", want)
		}
		for _, frozen := range []bool{false, true} {
			for _, workers := range []int{1, 2, 4, 8} {
				o := c.opts
				o.Paths, o.Follow, o.Workers = c.args, true, workers
				var st Stats
				o.Stats = &st
				followFrozen = frozen
				var got []*Commit
				err := r.Walk(t.Context(), o, func(c *Commit) error { got = append(got, c); return nil })
				followFrozen = false
				if err != nil {
					t.Fatalf("%v %+v: %v", c.args, c.opts, err)
				}
				if s := numstatOf(got); s != want {
					t.Errorf("%v %+v -j%d frozen %v:\n%s\ngit log --follow:\n%s", c.args, c.opts, workers, frozen, s, want)
				}
				if frozen {
					redone += st.FollowRedone
				}
			}
		}
	}
	if redone == 0 {
		t.Error("no commit was diffed again with the workers kept on the first path")
	}
}

// TestFollowRefusesWhatGitRefuses: Follow takes one path, without
// FullDiff, an exclude, or :(glob) and :(icase) magic; not NoChanges,
// under which no commit would show; and not WalkParallel, whose workers
// see commits out of order.
func TestFollowRefusesWhatGitRefuses(t *testing.T) {
	r := openFixture(t, "order")
	for _, o := range []Options{
		{Follow: true},
		{Follow: true, Paths: []string{"a", "b"}},
		{Follow: true, Paths: []string{":!a"}},
		{Follow: true, Paths: []string{"a"}, FullDiff: true},
		{Follow: true, Paths: []string{":(glob)*.c"}},
		{Follow: true, Paths: []string{":(icase)A"}},
		{Follow: true, Paths: []string{"a"}, NoChanges: true},
	} {
		err := r.Walk(t.Context(), o, func(*Commit) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "ollow") {
			t.Errorf("%v: err %v, want one naming --follow", o.Paths, err)
		}
	}
	err := r.WalkParallel(t.Context(), Options{Follow: true, Paths: []string{"a"}}, func(int, *Commit) error { return nil })
	if err != errShownParallel {
		t.Errorf("WalkParallel with Follow: %v, want %v", err, errShownParallel)
	}
	var only DiffFilter
	if err := only.Add("A"); err != nil {
		t.Fatal(err)
	}
	err = r.WalkParallel(t.Context(), Options{DiffFilter: only}, func(int, *Commit) error { return nil })
	if err != errShownParallel {
		t.Errorf("WalkParallel with DiffFilter: %v, want %v", err, errShownParallel)
	}
}

// TestFollowLeavesAnErrorOfAPathLeftSince: an object only the path before
// a rename would read is missing; git log --follow never reads it, and
// neither does a walk whose workers diffed commits under that path before
// the ordered stage reached the rename (followFrozen): their errors are
// not the walk's.
func TestFollowLeavesAnErrorOfAPathLeftSince(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	n := 0
	git := func(args ...string) string {
		t.Helper()
		n++
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=A", "-c", "user.email=a@x"}, args...)...)
		date := fmt.Sprintf("@%d +0000", 1_000_000+60*n)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	write("b.txt", "an older file named b.txt\n")
	git("add", "-A")
	git("commit", "-q", "-m", "old b")
	lost := git("rev-parse", "HEAD:b.txt")
	git("rm", "-q", "b.txt")
	git("commit", "-q", "-m", "no b")
	write("a.txt", "1\n2\n3\n4\n5\n")
	git("add", "-A")
	git("commit", "-q", "-m", "a")
	git("mv", "a.txt", "b.txt")
	git("commit", "-q", "-m", "a to b")
	if err := os.Remove(filepath.Join(dir, ".git", "objects", lost[:2], lost[2:])); err != nil {
		t.Fatal(err)
	}
	want := git("log", "--numstat", "--format=%H", "--follow", "--", "b.txt") + "\n"
	if !strings.Contains(want, "a.txt => b.txt") {
		t.Fatalf("git log --follow:\n%s", want)
	}
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, workers := range []int{1, 4} {
		followFrozen = true
		var got []*Commit
		err := r.Walk(t.Context(), Options{Paths: []string{"b.txt"}, Follow: true, Workers: workers},
			func(c *Commit) error { got = append(got, c); return nil })
		followFrozen = false
		if err != nil {
			t.Fatalf("-j%d: %v", workers, err)
		}
		if s := numstatOf(got); s != want {
			t.Errorf("-j%d:\n%s\ngit log --follow:\n%s", workers, s, want)
		}
	}
}
