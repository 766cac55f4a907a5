package refs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitIn(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(cmd.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@x", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@x")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// repoWithACommit skips the test without git, and makes a repository
// whose branch main has one commit.
func repoWithACommit(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	return dir
}

// TestListAndResolveAgreeWithGit mixes packed refs, loose refs that override
// packed ones, an annotated tag, a symbolic ref and a dangling symbolic ref.
func TestListAndResolveAgreeWithGit(t *testing.T) {
	dir := repoWithACommit(t)
	gitIn(t, dir, "branch", "old")
	gitIn(t, dir, "tag", "-a", "-m", "t", "v1")
	gitIn(t, dir, "pack-refs", "--all")
	gitIn(t, dir, "commit", "-q", "--allow-empty", "-m", "two")
	gitIn(t, dir, "branch", "-f", "old") // loose now, packed copy is stale
	gitIn(t, dir, "branch", "new")
	gitIn(t, dir, "symbolic-ref", "refs/heads/alias", "refs/heads/new")
	gitIn(t, dir, "symbolic-ref", "refs/heads/dangling", "refs/heads/nothing")
	// A symbolic ref naming nothing: git warns of a dangling symref, lists
	// it not and resolves it not.
	if err := os.WriteFile(filepath.Join(dir, ".git", "refs", "heads", "empty"), []byte("ref: \n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Resolved before any List (packed refs looked up line by line), then
	// after one (read whole).
	fresh := Open(filepath.Join(dir, ".git"))
	for _, name := range []string{"refs/tags/v1", "refs/heads/old", "refs/heads/main"} {
		id, ok, err := fresh.Resolve(name)
		if want := gitIn(t, dir, "rev-parse", name); err != nil || !ok || id.String() != want {
			t.Errorf("Resolve(%s) before a List = %s, %v, %v; git rev-parse says %s", name, id, ok, err, want)
		}
	}
	if _, ok, err := fresh.Resolve("refs/tags/v"); ok || err != nil {
		t.Errorf("Resolve(refs/tags/v), a prefix of a packed ref: %v, %v; want not found", ok, err)
	}

	db := Open(filepath.Join(dir, ".git"))
	listIsGits(t, db, dir)
	for _, name := range []string{"HEAD", "refs/heads/old", "refs/heads/alias", "refs/tags/v1"} {
		id, ok, err := db.Resolve(name)
		if err != nil || !ok {
			t.Fatalf("Resolve(%s) = %v, %v", name, ok, err)
		}
		if want := gitIn(t, dir, "rev-parse", name); id.String() != want {
			t.Errorf("Resolve(%s) = %s, git rev-parse says %s", name, id, want)
		}
	}
	for _, name := range []string{"refs/heads/dangling", "refs/heads/empty"} {
		if _, ok, err := db.Resolve(name); ok || err != nil {
			t.Errorf("Resolve(%s), a dangling symbolic ref: %v, %v; want not found, as git rev-parse", name, ok, err)
		}
	}
	if got := db.SymbolicTarget("HEAD"); got != "refs/heads/main" {
		t.Errorf("SymbolicTarget(HEAD) = %q, want refs/heads/main", got)
	}
}

// listIsGits compares db's List of refs/ with git for-each-ref in dir.
func listIsGits(t *testing.T, db *DB, dir string) {
	t.Helper()
	list, err := db.List("refs/")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Name+" "+e.ID.String())
	}
	want := gitIn(t, dir, "for-each-ref", "--format=%(refname) %(objectname)")
	if strings.Join(got, "\n") != want {
		t.Errorf("List in %s:\n%s\ngit for-each-ref:\n%s", dir, strings.Join(got, "\n"), want)
	}
}

// TestCommonDirFollowsALinkedWorktree checks CommonDir on the git directory
// git worktree add makes.
func TestCommonDirFollowsALinkedWorktree(t *testing.T) {
	dir := repoWithACommit(t)
	wt := filepath.Join(t.TempDir(), "wt")
	gitIn(t, dir, "worktree", "add", "-q", "-b", "side", wt)
	gitDir := gitIn(t, wt, "rev-parse", "--absolute-git-dir")
	want := gitIn(t, wt, "rev-parse", "--path-format=absolute", "--git-common-dir")
	if got := CommonDir(gitDir); got != want {
		t.Errorf("CommonDir(%s) = %s, git says %s", gitDir, got, want)
	}
	heads, err := Open(gitDir).OtherHeads()
	if err != nil {
		t.Fatal(err)
	}
	if len(heads) != 1 || heads[0].ID.String() != gitIn(t, dir, "rev-parse", "HEAD") {
		t.Errorf("OtherHeads from the linked worktree = %+v, want the main worktree's HEAD", heads)
	}
}

// TestAWorktreesOwnRefsAreItsOwn: refs/bisect/ and refs/worktree/ made in
// a linked worktree live in its git folder; List there shows them, List
// in the main worktree shows its own, each as git for-each-ref does. Loose
// files git passes over (a .lock, a dot-file) are left out too.
func TestAWorktreesOwnRefsAreItsOwn(t *testing.T) {
	dir := repoWithACommit(t)
	gitIn(t, dir, "commit", "-q", "--allow-empty", "-m", "two")
	wt := filepath.Join(t.TempDir(), "wt")
	gitIn(t, dir, "worktree", "add", "-q", "-b", "side", wt, "HEAD~1")
	gitIn(t, wt, "update-ref", "refs/bisect/bad", "HEAD")
	gitIn(t, wt, "update-ref", "refs/worktree/mine", "HEAD")
	gitIn(t, dir, "update-ref", "refs/worktree/main-own", "HEAD")
	gitIn(t, dir, "pack-refs", "--all")
	gitIn(t, dir, "update-ref", "refs/heads/later", "HEAD")
	for _, junk := range []string{"refs/heads/x.lock", "refs/heads/.hidden"} {
		if err := os.WriteFile(filepath.Join(dir, ".git", filepath.FromSlash(junk)), []byte(gitIn(t, dir, "rev-parse", "HEAD")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{dir, wt} {
		gitDir := gitIn(t, d, "rev-parse", "--absolute-git-dir")
		listIsGits(t, Open(gitDir), d)
		id, ok, err := Open(gitDir).Resolve("HEAD")
		if want := gitIn(t, d, "rev-parse", "HEAD"); err != nil || !ok || id.String() != want {
			t.Errorf("Resolve(HEAD) in %s = %s, %v, %v; git says %s", d, id, ok, err, want)
		}
	}
}

// BenchmarkListManyPackedRefs lists 5,000 packed refs and 50 loose ones
// (redis has 8,800 packed): List must read packed-refs once and look for
// no loose file under a packed name.
func BenchmarkListManyPackedRefs(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git not installed")
	}
	dir := b.TempDir()
	gitIn(b, dir, "init", "-q", "--bare")
	tree := gitIn(b, dir, "mktree")
	cmd := exec.Command("git", "-C", dir, "commit-tree", "-m", "c", tree)
	cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@x", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@x")
	out, err := cmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	id := strings.TrimSpace(string(out))
	var in strings.Builder
	for i := range 5050 {
		fmt.Fprintf(&in, "create refs/tags/t%05d %s\n", i, id)
	}
	up := exec.Command("git", "-C", dir, "update-ref", "--stdin")
	up.Stdin = strings.NewReader(in.String())
	if out, err := up.CombinedOutput(); err != nil {
		b.Fatalf("update-ref: %v: %s", err, out)
	}
	gitIn(b, dir, "pack-refs", "--all")
	for i := range 50 {
		gitIn(b, dir, "update-ref", fmt.Sprintf("refs/heads/b%02d", i), id)
	}
	b.ReportAllocs()
	for b.Loop() {
		list, err := Open(dir).List("refs/")
		if err != nil || len(list) != 5100 {
			b.Fatalf("List: %d refs, %v", len(list), err)
		}
	}
}
