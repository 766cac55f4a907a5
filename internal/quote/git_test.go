package quote

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestPathQuotesEveryByteAsGit builds a tree whose entry names hold every
// byte git allows in a name (all but NUL and '/'), alone and mixed, and
// compares Path with what git ls-tree prints for them (git's quote_c_style,
// the same function that quotes numstat paths), with core.quotePath on and off.
func TestPathQuotesEveryByteAsGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	testrepos.IsolateGit(t)
	dir := filepath.Join(t.TempDir(), "q.git")
	git(t, nil, "init", "-q", "--bare", dir)
	blob := strings.TrimSpace(git(t, []byte("x"), "-C", dir, "hash-object", "-w", "--stdin"))

	var names []string
	for c := 1; c < 256; c++ {
		if c != '/' {
			names = append(names, "n"+string([]byte{byte(c)})+"e")
		}
	}
	names = append(names, "a\tb\xc3\xa9\"c\\d", "\xff\x80 \x7f", "plain name.txt", "-dash", "\x1b[31mred")
	var in bytes.Buffer
	for _, n := range names {
		in.WriteString("100644 blob " + blob + "\t" + n + "\x00")
	}
	tree := strings.TrimSpace(git(t, in.Bytes(), "-C", dir, "mktree", "-z"))

	for _, quotePath := range []bool{true, false} {
		setting := "core.quotePath=true"
		if !quotePath {
			setting = "core.quotePath=false"
		}
		// ls-tree lists names in tree order, one per line, quoted.
		out := git(t, nil, "-C", dir, "-c", setting, "ls-tree", "--name-only", tree)
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(got) != len(names) {
			t.Fatalf("%s: git listed %d names, want %d", setting, len(got), len(names))
		}
		// Path is one-to-one, so as many lines as names, each one Path
		// gives, means git and Path quote every name alike.
		want := map[string]bool{}
		for _, n := range names {
			want[string(Path(nil, n, quotePath))] = true
		}
		for _, line := range got {
			if !want[line] {
				t.Errorf("%s: git prints %q, which Path gives for no name", setting, line)
			}
		}
	}
}

func git(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}
