package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// fastImport makes a bare repository in a temporary folder from a git
// fast-import stream, with HEAD on refs/heads/main.
func fastImport(t *testing.T, stream []byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo.git")
	gitRun(t, "", "init", "-q", "--bare", dir)
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet")
	cmd.Stdin = bytes.NewReader(stream)
	// fast-import's many small frees make glibc give memory back and take
	// it again (209,787 brk calls for the wide case: 87 s on a test VM);
	// padding the heap's top makes that 1 s.
	cmd.Env = append(os.Environ(), "MALLOC_TOP_PAD_=268435456", "MALLOC_TRIM_THRESHOLD_=268435456")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v: %s", err, out)
	}
	gitRun(t, dir, "symbolic-ref", "HEAD", "refs/heads/main")
	return dir
}

// TestWideAndDeepCommitsAreGits is a small, fast version of the huge inputs
// measured for issue 7 (a commit touching 100k files, a tree 10,000 folders
// deep): generated histories whose numstat must be git's byte for byte.
//   - wide: a commit adding 20,000 files in 200 folders, one editing all of
//     them, one deleting half of them and editing the rest;
//   - deep: a file 300 folders deep, and files on the way, edited by 20
//     commits (git's tree walk and gitwalk's recurse through every level).
//
// The analyses must succeed on both too.
func TestWideAndDeepCommitsAreGits(t *testing.T) {
	testrepos.IsolateGit(t)
	commit := func(s *bytes.Buffer, i int) {
		fmt.Fprintf(s, "commit refs/heads/main\ncommitter C <c@example.com> %d +0000\ndata 1\nc\n", 1600000000+i)
	}
	file := func(s *bytes.Buffer, path, content string) {
		fmt.Fprintf(s, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}

	var wide bytes.Buffer
	const files = 20000
	for round := 0; round < 3; round++ {
		commit(&wide, round)
		for i := 0; i < files; i++ {
			p := fmt.Sprintf("d%03d/f%05d.txt", i%200, i)
			switch {
			case round == 2 && i%2 == 0:
				fmt.Fprintf(&wide, "D %s\n", p)
			case round == 0:
				file(&wide, p, fmt.Sprintf("file %d\nsame\n", i))
			default:
				file(&wide, p, fmt.Sprintf("file %d\nround %d\nsame\n", i, round))
			}
		}
	}

	var deep bytes.Buffer
	var dirs []string
	for i := 0; i < 300; i++ {
		dirs = append(dirs, fmt.Sprintf("l%d", i%10))
	}
	for k := 0; k < 20; k++ {
		commit(&deep, k)
		file(&deep, strings.Join(dirs, "/")+"/deep.txt", fmt.Sprintf("version %d\n", k))
		file(&deep, strings.Join(append(dirs[:k*15:k*15], fmt.Sprintf("mid%d.txt", k)), "/"), fmt.Sprintf("version %d\n", k))
	}

	for _, tc := range []struct {
		name   string
		stream []byte
		lines  int // numstat lines git must print, to know the case is what it says
	}{
		{"three commits touching 20,000 files each", wide.Bytes(), 3 * files},
		{"a file 300 folders deep edited by 20 commits", deep.Bytes(), 20 + 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fastImport(t, tc.stream)
			want, err := gitNumstat(t, dir, nil)
			must(t, err)
			if n := strings.Count(want, "\t"); n != 2*tc.lines {
				t.Fatalf("git prints %d numstat lines, the case expects %d", n/2, tc.lines)
			}
			got, stderr, code := runGitwalk(t, "numstat", dir)
			if code != 0 {
				t.Fatalf("numstat: exit %d: %s", code, stderr)
			}
			if got != want {
				t.Fatalf("numstat differs from git: %s", firstDifference(want, got))
			}
			for _, args := range [][]string{{"churn", "--format", "json"}, {"summary"}, {"coupling", "--format", "csv"}} {
				if _, stderr, code := runGitwalk(t, append([]string{args[0], dir}, args[1:]...)...); code != 0 {
					t.Errorf("%s: exit %d: %s", args[0], code, stderr)
				}
			}
		})
	}
}
