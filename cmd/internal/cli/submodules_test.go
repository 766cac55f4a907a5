package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestIgnoredSubmodulesAreLeftOutAsGitLeavesThem: git log leaves out the
// changes of a submodule's gitlink under diff.ignoreSubmodules=all or the
// submodule's own ignore=all (.gitmodules, or submodule.<name>.ignore,
// which wins), from numstat but not from the TREESAME test of a
// path-limited walk (its commits stay, without the line). Each setting
// below is compared with git log, with --no-cache and with a cache (cold,
// then warm), and so is each with git log's --ignore-submodules, which
// overrides them; then in a work tree whose .gitmodules is gone (HEAD's is
// read, or the index's when it holds another), with .gitmodules in
// conflict in the index (none is), and in a bare clone (none is).
func TestIgnoredSubmodulesAreLeftOutAsGitLeavesThem(t *testing.T) {
	testrepos.IsolateGit(t)
	r := newScratchRepo(t)
	work := r.dir
	write := r.write
	commit := func() {
		t.Helper()
		gitRun(t, work, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "-m", "c")
	}
	write(".gitmodules", "[submodule \"a\"]\n\tpath = libs/a\n\turl = ../a\n\tignore = all\n"+
		"[submodule \"b\"]\n\tpath = libs/b\n\turl = ../b\n")
	write("f", "1\n")
	for _, d := range []string{"libs/a", "libs/b"} {
		if err := os.MkdirAll(filepath.Join(work, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, work, "add", ".gitmodules", "f")
	gitRun(t, work, "update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("1", 40)+",libs/a")
	gitRun(t, work, "update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("2", 40)+",libs/b")
	commit()
	gitRun(t, work, "update-index", "--cacheinfo", "160000,"+strings.Repeat("3", 40)+",libs/a")
	commit() // only libs/a moves
	gitRun(t, work, "update-index", "--cacheinfo", "160000,"+strings.Repeat("4", 40)+",libs/b")
	write("f", "1\n2\n")
	gitRun(t, work, "add", "f")
	commit()
	gitRun(t, work, "rm", "-q", "--cached", "libs/a")
	commit() // libs/a removed
	bare := filepath.Join(t.TempDir(), "bare")
	gitRun(t, "", "clone", "-q", "--bare", work, bare)

	check := func(name, dir string, args ...string) {
		t.Helper()
		numstatAsGit(t, name, dir, t.TempDir(), "", args...)
	}
	for _, s := range []struct {
		name   string
		config [][2]string
		shows  []string // what git log must print, so that the case tells something apart
		hides  []string
	}{
		{".gitmodules: a ignored", nil, []string{"libs/b"}, []string{"libs/a"}},
		{"submodule.a.ignore=none wins", [][2]string{{"submodule.a.ignore", "none"}}, []string{"libs/a", "libs/b"}, nil},
		{"diff.ignoreSubmodules=all", [][2]string{{"diff.ignoreSubmodules", "all"}}, nil, []string{"libs/a", "libs/b"}},
		{"all, but b none", [][2]string{{"diff.ignoreSubmodules", "all"}, {"submodule.b.ignore", "none"}}, []string{"libs/b"}, []string{"libs/a"}},
	} {
		for _, kv := range s.config {
			gitRun(t, work, "config", kv[0], kv[1])
		}
		want, err := gitNumstat(t, work, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.shows {
			if !strings.Contains(want, "\t"+p+"\n") {
				t.Fatalf("%s: git log does not show %s:\n%s", s.name, p, want)
			}
		}
		for _, p := range s.hides {
			if strings.Contains(want, "\t"+p+"\n") {
				t.Fatalf("%s: git log shows %s:\n%s", s.name, p, want)
			}
		}
		check(s.name, work)
		check(s.name+", -- libs/a", work, "--", "libs/a")
		check(s.name+", -- libs", work, "--", "libs")
		// git log's flag overrides every setting.
		for _, f := range []string{"--ignore-submodules", "--ignore-submodules=none", "--ignore-submodules=dirty"} {
			check(s.name+", "+f, work, f)
		}
		for _, kv := range s.config {
			gitRun(t, work, "config", "--unset", kv[0])
		}
	}
	// HEAD's .gitmodules when the work tree's is gone.
	if err := os.Remove(filepath.Join(work, ".gitmodules")); err != nil {
		t.Fatal(err)
	}
	check("HEAD's .gitmodules", work)
	// The index's, read before HEAD's: staged without a's ignore.
	write("gm", "[submodule \"a\"]\n\tpath = libs/a\n\turl = ../a\n")
	staged := strings.TrimSpace(gitRun(t, work, "hash-object", "-w", "gm"))
	if err := os.Remove(filepath.Join(work, "gm")); err != nil {
		t.Fatal(err)
	}
	gitRun(t, work, "update-index", "--cacheinfo", "100644,"+staged+",.gitmodules")
	if want, err := gitNumstat(t, work, nil); err != nil || !strings.Contains(want, "\tlibs/a\n") {
		t.Fatalf("git log does not read the index's .gitmodules (%v):\n%s", err, want)
	}
	check("the index's .gitmodules", work)
	// In conflict in the index: git reads none, the work tree's neither.
	write(".gitmodules", "[submodule \"a\"]\n\tpath = libs/a\n\turl = ../a\n\tignore = all\n")
	head := strings.TrimSpace(gitRun(t, work, "rev-parse", "HEAD:.gitmodules"))
	gitRun(t, work, "update-index", "--force-remove", ".gitmodules")
	info := exec.Command("git", "-C", work, "update-index", "--index-info")
	info.Stdin = strings.NewReader(fmt.Sprintf("100644 %s 1\t.gitmodules\n100644 %s 2\t.gitmodules\n100644 %s 3\t.gitmodules\n", head, staged, head))
	if out, err := info.CombinedOutput(); err != nil {
		t.Fatalf("update-index --index-info: %v\n%s", err, out)
	}
	if want, err := gitNumstat(t, work, nil); err != nil || !strings.Contains(want, "\tlibs/a\n") {
		t.Fatalf("git log reads a .gitmodules in conflict (%v):\n%s", err, want)
	}
	check(".gitmodules in conflict", work)
	// A bare repository reads no .gitmodules: only diff.ignoreSubmodules.
	check("bare", bare)
	gitRun(t, bare, "config", "diff.ignoreSubmodules", "all")
	check("bare, diff.ignoreSubmodules=all", bare)
}
