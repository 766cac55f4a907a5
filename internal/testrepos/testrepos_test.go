package testrepos

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// git runs git in dir with no user or system config and returns stdout.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s in %s: %v: %s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return stdout.String()
}

// refState describes everything a fixture's commit ids depend on: where
// HEAD points, every ref with its object id, and the shallow file.
func refState(t *testing.T, dir string) string {
	t.Helper()
	head, err := os.ReadFile(filepath.Join(dir, "HEAD"))
	if err != nil {
		t.Fatal(err)
	}
	shallow, err := os.ReadFile(filepath.Join(dir, "shallow"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	refs := git(t, dir, "for-each-ref", "--format=%(refname) %(objectname)")
	return fmt.Sprintf("HEAD: %s\nrefs:\n%s\nshallow:\n%s", head, refs, shallow)
}

func TestGeneratorRebuildsTheCommittedFixtures(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the generator: %v", err)
	}
	out := t.TempDir()
	cmd := exec.Command(goTool, "run", "./testdata/repos/gen", "-out", out)
	cmd.Dir = filepath.Join(Root(), "..", "..")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./testdata/repos/gen: %v\n%s", err, b)
	}
	var fresh []string
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fresh = append(fresh, strings.TrimSuffix(e.Name(), ".git"))
	}
	if !slices.Equal(fresh, Names()) {
		t.Fatalf("the generator makes %v, testdata/repos holds %v: rerun the generator", fresh, Names())
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			committed, rebuilt := refState(t, Path(t, name)), refState(t, filepath.Join(out, name+".git"))
			if committed != rebuilt {
				t.Errorf("committed fixture:\n%s\nrebuilt:\n%s", committed, rebuilt)
			}
		})
	}
}

func TestEveryFixturePassesStrictFsck(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			git(t, Path(t, name), "fsck", "--strict", "--no-progress")
		})
	}
}

var hashLine = regexp.MustCompile(`(?m)^[0-9a-f]{40}$`)

func TestGitLogNumstatRunsOnEveryFixture(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			dir := Path(t, name)
			log := git(t, dir, "log", "--numstat", "--no-renames", "--format=%H", "--all")
			count, err := strconv.Atoi(strings.TrimSpace(git(t, dir, "rev-list", "--all", "--count")))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(hashLine.FindAllString(log, -1)); got != count {
				t.Errorf("git log printed %d commits, rev-list counts %d", got, count)
			}
			if (count == 0) != (name == "empty") {
				t.Errorf("%d commits; only the empty fixture has none", count)
			}
		})
	}
}

func TestReadmeDescribesEachFixtureOnce(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var described []string
	for _, m := range regexp.MustCompile("(?m)^- `([^`]+)\\.git`").FindAllStringSubmatch(string(b), -1) {
		described = append(described, m[1])
	}
	slices.Sort(described)
	if !slices.Equal(described, Names()) {
		t.Errorf("README.md describes %v, the fixtures are %v", described, Names())
	}
}

func TestPathGivesEachCallAPrivateCopy(t *testing.T) {
	name := Names()[0]
	a, b := Path(t, name), Path(t, name)
	if a == b || strings.HasPrefix(a, Root()) {
		t.Fatalf("Path returned %s and %s for a fixture under %s: want two private copies", a, b, Root())
	}
	if err := os.WriteFile(filepath.Join(a, "HEAD"), []byte("ref: refs/heads/changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{b, filepath.Join(Root(), name+".git")} {
		head, err := os.ReadFile(filepath.Join(dir, "HEAD"))
		if err != nil {
			t.Fatal(err)
		}
		if string(head) != "ref: refs/heads/main\n" {
			t.Errorf("%s/HEAD is %q after writing to another copy", dir, head)
		}
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message instead of
// ending the test, so that failures of Path can be tested.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) { r.msg = fmt.Sprintf(format, args...) }

func TestPathFailsTheTestForAnUnknownName(t *testing.T) {
	for _, name := range []string{"", "no-such-fixture", "../repos/content", "content.git"} {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			r := &fatalRecorder{TB: t}
			if got := Path(r, name); got != "" || !strings.Contains(r.msg, "no fixture") {
				t.Errorf("Path(%q) = %q with failure %q; want no path and a failure naming the fixtures", name, got, r.msg)
			}
		})
	}
}
