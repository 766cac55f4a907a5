package walker

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

func TestAttrCheckerAnswersAsGitCheckAttr(t *testing.T) {
	testrepos.IsolateGit(t)
	work := filepath.Join(t.TempDir(), "people")
	if out, err := exec.Command("git", "clone", "-q", testrepos.Path(t, "people"), work).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v: %s", err, out)
	}
	// Rules in a sub-folder's file and in info/attributes, on top of the
	// committed top-level .gitattributes.
	if err := os.WriteFile(filepath.Join(work, "web", ".gitattributes"), []byte("*.js linguist-generated=false\napp.js linguist-vendored\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, ".git", "info", "attributes"), []byte("ext/** !linguist-vendored\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(work)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	names := []string{"linguist-generated", "linguist-vendored"}
	ac := r.AttrChecker(names...)
	paths := []string{"gen/api.pb.go", "ext/lib.c", "vendor/ours/ours.go", "vendor/lib/lib.go", "web/app.js", "web/app.min.js", "src/main.go", "gen", "deep/gen/x"}
	out, err := exec.Command("git", append([]string{"-C", work, "check-attr"}, append(names, append([]string{"--"}, paths...)...)...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, ": ", 3)
		want[f[0]+" "+f[1]] = f[2]
	}
	for _, p := range paths {
		got := ac.Check(p)
		for i, n := range names {
			if got[i] != want[p+" "+n] {
				t.Errorf("%s %s: %q, git check-attr says %q", p, n, got[i], want[p+" "+n])
			}
		}
	}
}

func TestMessagesAreGivenOnlyWhenAsked(t *testing.T) {
	r := openFixture(t, "people")
	for _, messages := range []bool{false, true} {
		n := 0
		err := r.Walk(context.Background(), Options{Messages: messages, NoChanges: true}, func(c *Commit) error {
			if messages != (c.Message != "") {
				t.Errorf("Messages %v: commit %s has message %q", messages, c.Hash, c.Message)
			}
			if messages && !strings.HasPrefix(c.Message, c.Subject) {
				t.Errorf("message %q does not start with its subject %q", c.Message, c.Subject)
			}
			n++
			return nil
		})
		if err != nil || n == 0 {
			t.Fatalf("walk: %v, %d commits", err, n)
		}
	}
}
