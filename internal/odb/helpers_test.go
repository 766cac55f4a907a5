package odb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// gitEnv is the environment for every git command the tests run: fixed
// identities and dates, and no user or system configuration.
func gitEnv() []string {
	return append(os.Environ(),
		"GIT_AUTHOR_NAME=Ann Author", "GIT_AUTHOR_EMAIL=ann@example.com",
		"GIT_AUTHOR_DATE=1700000000 +0100",
		"GIT_COMMITTER_NAME=Cy Committer", "GIT_COMMITTER_EMAIL=cy@example.com",
		"GIT_COMMITTER_DATE=1700000000 +0100",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME=/nonexistent",
	)
}

// git runs git in dir with stdin and returns its stdout.
func git(t testing.TB, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// rng is a small deterministic generator for fixture content.
type rng uint64

func (r *rng) next() uint64 {
	*r ^= *r << 13
	*r ^= *r >> 7
	*r ^= *r << 17
	return uint64(*r)
}

var words = strings.Fields(`alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu
	nu xi omicron pi rho sigma tau upsilon phi chi psi omega { } ( ) ; return if else for`)

func (r *rng) line() string {
	n := 1 + int(r.next()%10)
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.next()%uint64(len(words))])
	}
	return b.String()
}

// fastImportHistory returns a git fast-import stream of a history with
// many small edits of the same files (so repacking makes long delta
// chains), subdirectories, an executable, a symlink, a gitlink, an empty
// file, a binary file, a large file and annotated tags.
func fastImportHistory(commits int) []byte {
	r := rng(0x9e3779b97f4a7c15)
	files := map[string][]string{}
	names := []string{"README", "src/main.c", "src/util.c", "src/lib/deep/x.h", "doc/guide.txt", "big.txt"}
	for _, n := range names {
		k := 40
		if n == "big.txt" {
			k = 6000
		}
		for range k {
			files[n] = append(files[n], r.line())
		}
	}
	var s bytes.Buffer
	blob := func(data string) {
		fmt.Fprintf(&s, "data %d\n%s\n", len(data), data)
	}
	for c := 1; c <= commits; c++ {
		fmt.Fprintf(&s, "commit refs/heads/main\nmark :%d\n", c)
		fmt.Fprintf(&s, "author Ann Author <ann@example.com> %d +0100\n", 1700000000+c*60)
		fmt.Fprintf(&s, "committer Cy Committer <cy@example.com> %d -0230\n", 1700000000+c*60+7)
		blob(fmt.Sprintf("commit %d\n\n%s\n", c, r.line()))
		if c > 1 {
			fmt.Fprintf(&s, "from :%d\n", c-1)
		}
		for _, n := range names {
			if c > 1 && r.next()%3 != 0 {
				continue
			}
			lines := files[n]
			for e := 0; e < 3; e++ {
				i := int(r.next() % uint64(len(lines)))
				switch r.next() % 3 {
				case 0:
					lines[i] = r.line()
				case 1:
					lines = append(lines[:i], append([]string{r.line()}, lines[i:]...)...)
				default:
					lines = append(lines[:i], lines[i+1:]...)
				}
			}
			files[n] = lines
			mode := "100644"
			if n == "src/main.c" {
				mode = "100755"
			}
			fmt.Fprintf(&s, "M %s inline %s\n", mode, n)
			blob(strings.Join(lines, "\n") + "\n")
		}
		switch c {
		case 1:
			s.WriteString("M 100644 inline empty\n")
			blob("")
			s.WriteString("M 120000 inline link\n")
			blob("src/main.c")
			s.WriteString("M 160000 0123456789abcdef0123456789abcdef01234567 sub\n")
		case 2:
			bin := make([]byte, 3000)
			for i := range bin {
				bin[i] = byte(r.next())
			}
			s.WriteString("M 100644 inline data.bin\n")
			blob(string(bin))
		case 5:
			s.WriteString("D doc/guide.txt\n")
		}
		s.WriteString("\n")
		if c%10 == 0 {
			fmt.Fprintf(&s, "tag v%d\nfrom :%d\ntagger Cy Committer <cy@example.com> %d +0000\n", c, c, 1700000000+c*60)
			blob(fmt.Sprintf("release %d\n", c))
		}
	}
	return s.Bytes()
}

// newRepo makes a bare repository in a temporary directory holding the
// fast-import history, packed as fast-import leaves it.
func newRepo(t testing.TB, commits int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo.git")
	git(t, "", nil, "init", "-q", "--bare", dir)
	git(t, dir, fastImportHistory(commits), "fast-import", "--quiet")
	return dir
}

// catObject is one object as git cat-file --batch prints it.
type catObject struct {
	id   ID
	typ  string
	data []byte
}

// gitAllObjects returns every object of the repository, as git sees it.
func gitAllObjects(t testing.TB, dir string) []catObject {
	t.Helper()
	out := git(t, dir, nil, "cat-file", "--batch-all-objects", "--batch")
	br := bufio.NewReader(bytes.NewReader(out))
	var objs []catObject
	for {
		line, err := br.ReadString('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("cat-file line %q", line)
		}
		id, err := ParseID(f[0])
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(f[2])
		data := make([]byte, n+1)
		if _, err := io.ReadFull(br, data); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, catObject{id, f[1], data[:n]})
	}
	if len(objs) == 0 {
		t.Fatalf("no objects in %s", dir)
	}
	return objs
}

// copyDir copies a directory tree (a repository to damage).
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// packFiles returns the .pack files of a repository.
func packFiles(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
