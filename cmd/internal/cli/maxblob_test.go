package cli

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestMaxBlobSizeIsGitsBigFileThreshold checks that --max-blob-size N prints
// what git prints with core.bigFileThreshold=N (blobs above N are "-\t-"),
// on packed (content, large) and loose (types) objects, that it overrides a
// threshold in the repository's config, and that a bad size is a usage error.
func TestMaxBlobSizeIsGitsBigFileThreshold(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, name := range []string{"content", "types", "large"} {
		dir := testrepos.Path(t, name)
		for _, size := range []string{"12", "1k", "100K", "512m"} {
			out, err := exec.Command("git", "-C", dir, "-c", "core.bigFileThreshold="+size,
				"log", "--numstat", "--format=%H", "--all").Output()
			if err != nil {
				t.Fatalf("git: %v", err)
			}
			want := string(out)
			got, stderr, code := runGitwalk(t, "numstat", dir, "--all", "--max-blob-size", size)
			if code != 0 {
				t.Fatalf("%s --max-blob-size %s: exit %d: %s", name, size, code, stderr)
			}
			if got != want {
				t.Errorf("%s --max-blob-size %s: differs from git: %s", name, size, firstDifference(want, got))
			}
			if size == "12" && !strings.Contains(want, "-\t-\t") {
				t.Errorf("%s: a threshold of 12 bytes made nothing binary: the case proves nothing", name)
			}
		}
	}

	t.Run("the flag wins over the repository's core.bigFileThreshold", func(t *testing.T) {
		dir := testrepos.Path(t, "content")
		f, err := os.OpenFile(dir+"/config", os.O_APPEND|os.O_WRONLY, 0)
		must(t, err)
		_, err = f.WriteString("[core]\n\tbigFileThreshold = 12\n")
		must(t, err)
		must(t, f.Close())
		want, err := gitNumstat(t, dir, nil) // with the config's 12 bytes
		must(t, err)
		out, err := exec.Command("git", "-C", dir, "-c", "core.bigFileThreshold=512m", "log", "--numstat", "--format=%H").Output()
		must(t, err)
		if want == string(out) {
			t.Fatal("the config's threshold changes nothing in git's output: the case proves nothing")
		}
		got, stderr, code := runGitwalk(t, "numstat", dir, "--max-blob-size=512m")
		if code != 0 || got != string(out) {
			t.Fatalf("exit %d (%s); %s", code, stderr, firstDifference(string(out), got))
		}
	})

	for _, bad := range []string{"0", "-1", "lots", "12t", "9999999999g"} {
		t.Run("a bad size "+bad+" is a usage error", func(t *testing.T) {
			_, stderr, code := runGitwalk(t, "numstat", testrepos.Path(t, "content"), "--max-blob-size", bad)
			if code != exitUsage || !strings.Contains(stderr, "--max-blob-size") {
				t.Fatalf("exit %d, stderr %q; want exit %d naming --max-blob-size", code, stderr, exitUsage)
			}
		})
	}
}
