//go:build linux

package cli

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestReadOnlyBindMount runs the built gitwalk on a fixture bind-mounted
// read-only in a private mount namespace (unshare -m; needs root or user
// namespaces, else the test is skipped), where any attempt to write fails
// with EROFS: numstat must print git's output and the analyses succeed.
// The permission-bit variant, which holds for every user, is a case of
// TestHostileRepositories.
func TestReadOnlyBindMount(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("no unshare")
	}
	dir := testrepos.Path(t, "merges")
	probe := exec.Command("unshare", "-m", "sh", "-c",
		`mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && ! touch "$1/probe" 2>/dev/null`, "sh", dir)
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("cannot make a read-only bind mount here: %v %s", err, out)
	}
	bin := buildGitwalk(t)
	testrepos.IsolateGit(t)
	want, err := gitNumstat(t, dir, []string{"--all"})
	must(t, err)
	for _, args := range [][]string{{"numstat", "--all"}, {"churn", "--all", "--format", "json"}, {"authors", "--all", "--format", "csv"}} {
		script := `mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && exec "$@"`
		cmd := exec.Command("unshare", append([]string{"-m", "sh", "-c", script, "sh", dir, bin, args[0], dir}, args[1:]...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s on a read-only mount: %v: %s", args[0], err, stderr.String())
		}
		if args[0] == "numstat" && string(out) != want {
			t.Errorf("numstat on a read-only mount differs from git: %s", firstDifference(want, string(out)))
		}
	}
}
