package walker

import (
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// gitOut runs git in dir and returns its stdout.
func gitOut(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %v: %v: %s", args, err, errb.String())
	}
	return out.Bytes()
}

// gitSizes gives, for every file of rev's tree, what git says of its lines:
// `git diff --numstat` from the empty tree counts a whole file as added
// lines ("-" for binary, after attributes); for regular files the test
// also counts `git show REV:PATH`'s bytes as `wc -l` does, plus one for an
// unterminated last line, and checks the two agree.
func gitSizes(t *testing.T, dir, rev string) map[string]LineCount {
	t.Helper()
	const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	want := map[string]LineCount{}
	for _, rec := range strings.Split(string(gitOut(t, dir, "diff", "--numstat", "--no-renames", "-z", emptyTree, rev)), "\x00") {
		f := strings.SplitN(rec, "\t", 3)
		if len(f) != 3 {
			continue
		}
		if f[0] == "-" {
			want[f[2]] = LineCount{Binary: true}
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("numstat %q", rec)
		}
		want[f[2]] = LineCount{Lines: n}
	}
	for _, rec := range strings.Split(string(gitOut(t, dir, "ls-tree", "-r", "-z", rev)), "\x00") {
		meta, path, ok := strings.Cut(rec, "\t")
		if !ok || !strings.HasPrefix(meta, "100") || want[path].Binary {
			continue
		}
		data := gitOut(t, dir, "show", rev+":"+path)
		n := bytes.Count(data, []byte{'\n'}) // wc -l
		if len(data) > 0 && data[len(data)-1] != '\n' {
			n++
		}
		if want[path].Lines != n {
			t.Fatalf("%s: numstat says %d lines, git show has %d", path, want[path].Lines, n)
		}
	}
	return want
}

func TestLineCountsMatchGitForEveryFileOfACommit(t *testing.T) {
	for _, tc := range []struct{ fixture, rev string }{
		{"content", "HEAD"}, {"content", "HEAD~3"}, {"types", "HEAD"}, {"types", "HEAD~2"},
		{"attributes", "HEAD"}, {"paths", "HEAD"}, {"large", "HEAD"}, {"merges", "HEAD"},
	} {
		t.Run(tc.fixture+" at "+tc.rev, func(t *testing.T) {
			r := openFixture(t, tc.fixture)
			want := gitSizes(t, r.GitDir(), tc.rev)
			id, err := ParseHash(strings.TrimSpace(string(gitOut(t, r.GitDir(), "rev-parse", tc.rev+"^{commit}"))))
			if err != nil {
				t.Fatal(err)
			}
			paths := []string{"no/such/file", "no-such-file"}
			for p := range want {
				paths = append(paths, p)
			}
			// A folder is no file: ask for each folder of the tree too.
			for p := range want {
				if i := strings.LastIndexByte(p, '/'); i > 0 {
					paths = append(paths, p[:i])
				}
			}
			got, err := r.LineCounts(context.Background(), id, paths)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Errorf("%d files counted, git has %d", len(got), len(want))
			}
			for p, w := range want {
				if g, ok := got[p]; !ok || g != w {
					t.Errorf("%q: got %+v (present %v), git says %+v", p, g, ok, w)
				}
			}
		})
	}
}

func TestLineCountsRejectsAnObjectThatIsNotACommit(t *testing.T) {
	r := openFixture(t, "content")
	tree, err := ParseHash(strings.TrimSpace(string(gitOut(t, r.GitDir(), "rev-parse", "HEAD^{tree}"))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.LineCounts(context.Background(), tree, []string{"a"}); err == nil || !strings.Contains(err.Error(), "not a commit") {
		t.Fatalf("got %v, want an error saying it is not a commit", err)
	}
}

func TestSeqIsThePositionInWalkOrder(t *testing.T) {
	r := openFixture(t, "merges")
	for _, opts := range []Options{{Revisions: []string{"--all"}, Workers: 3}, {Revisions: []string{"--all"}, Reverse: true, Skip: 1, Workers: 2}} {
		n := 0
		err := r.Walk(context.Background(), opts, func(c *Commit) error {
			if c.Seq != n {
				t.Fatalf("commit %d in walk order has Seq %d", n, c.Seq)
			}
			n++
			return nil
		})
		if err != nil || n == 0 {
			t.Fatalf("walk: %v, %d commits", err, n)
		}
	}
}
