package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// gitNumstat is the oracle: C git's own output for the same arguments (with
// git log's default rename detection unless they say otherwise).
func gitNumstat(t *testing.T, dir string, args []string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "log", "--numstat", "--format=%H"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%v: %s", err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// runGitwalk runs the CLI in-process and returns stdout, stderr and the exit
// code. Its export writes with package export, as gitwalk-export's does.
func runGitwalk(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(context.Background(), &iostreams{out: &out, errOut: &errb}, args, parquetTables)
	return out.String(), errb.String(), code
}

// firstDifference describes where two outputs part, for a readable failure.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  git:     %q\n  gitwalk: %q", i+1, w, g)
		}
	}
	return "outputs differ only in length"
}

var parityArgs = [][]string{
	{"HEAD"},
	{"--all"},
	{"--minimal"},
	{"--first-parent"},
	{"--all", "--minimal"},
	{"--all", "--first-parent"},
	{"--all", "--topo-order"},
	{"--all", "--no-merges"},
	{"--all", "--diff-merges=first-parent"},
	{"--diff-merges=first-parent", "--topo-order"},
	{"--branches", "--tags"},
	{"--all", "-n", "3", "--skip", "1"},
	{"--all", "--reverse"},
	{"--all", "--no-renames"},
	{"--all", "--no-renames", "--minimal", "--first-parent"},
	{"--all", "-M30%"},
	{"--all", "-M90%"},
	{"--all", "--find-renames=100%"},
	{"--all", "-l5"},
	{"--all", "-l1"},
	{"--all", "--no-renames", "-M"},
	{"--all", "--find-copies"},
	{"--all", "--find-copies=80%", "--first-parent"},
	{"--all", "--find-copies-harder"},
	{"--all", "--find-copies", "--find-copies", "-M70%"},
	{"--all", "--no-renames", "--find-copies-harder"}, // git: the flag wins over --no-renames
}

func TestNumstatMatchesGitOnEveryFixture(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, name := range testrepos.Names() {
		dir := testrepos.Path(t, name)
		for _, args := range parityArgs {
			t.Run(name+"/"+strings.Join(args, " "), func(t *testing.T) {
				want, gitErr := gitNumstat(t, dir, args)
				// Cold, then warm from what the cold run kept, with other
				// worker counts: each must print git's output.
				cache := t.TempDir()
				got, stderr, code := runGitwalk(t, append([]string{"numstat", dir, "--cache", cache, "-j1", "--stats"}, args...)...)
				if gitErr != nil {
					if code == 0 {
						t.Fatalf("git failed (%v) but gitwalk succeeded with %d bytes of output", gitErr, len(got))
					}
					if strings.Count(strings.TrimSpace(resultLines(stderr)), "\n") != 0 || strings.Contains(stderr, "panic") {
						t.Errorf("gitwalk's error is not one clear line: %q", stderr)
					}
					return
				}
				if code != 0 {
					t.Fatalf("gitwalk exited %d: %s", code, stderr)
				}
				if got != want {
					t.Fatalf("gitwalk numstat differs from git log --numstat (%d vs %d bytes); first difference at %s",
						len(got), len(want), firstDifference(want, got))
				}
				warm, warmErr, code := runGitwalk(t, append([]string{"numstat", dir, "--cache", cache, "-j3", "--stats"}, args...)...)
				if code != 0 {
					t.Fatalf("warm: gitwalk exited %d: %s", code, warmErr)
				}
				if warm != want {
					t.Fatalf("warm: gitwalk numstat differs from git log --numstat (%d vs %d bytes); first difference at %s",
						len(warm), len(want), firstDifference(want, warm))
				}
				if want != "" && !warmHitsOnly.MatchString(warmErr) {
					t.Fatalf("warm: the cache was not read for every commit: %q", warmErr)
				}
				// The rename figures and git's limit warning come out the
				// same warm.
				if a, b := resultLines(stderr), resultLines(warmErr); a != b {
					t.Fatalf("stderr cold %q, warm %q", a, b)
				}
			})
		}
	}
}

// warmHitsOnly is --stats' cache line of a run that read every commit.
var warmHitsOnly = regexp.MustCompile(`(?m)^cache: +\d+ hits, 0 misses`)

// resultLines are the lines of stderr that tell about the results (the
// renames figures, warnings), not about the work or the cache.
func resultLines(stderr string) string {
	var keep []string
	for _, l := range strings.Split(stderr, "\n") {
		switch {
		case strings.HasPrefix(l, "walk:"), strings.HasPrefix(l, "arenas:"), strings.HasPrefix(l, "readers:"),
			strings.HasPrefix(l, "cache:"), strings.HasPrefix(l, "packs:"), strings.HasPrefix(l, "time:"), strings.HasPrefix(l, "revwalk:"), strings.HasPrefix(l, "graph:"), strings.HasPrefix(l, "filters:"):
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

func TestNumstatPathLimitsMatchGit(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, name := range testrepos.Names() {
		dir := testrepos.Path(t, name)
		for _, spec := range pathspecsOf(t, dir) {
			for _, extra := range [][]string{{"--all"}, {"--all", "--full-diff"}, {"--all", "--first-parent"}} {
				args := append(append([]string{}, extra...), "--")
				args = append(args, spec...)
				t.Run(name+"/"+strings.Join(args, " "), func(t *testing.T) {
					want, gitErr := gitNumstat(t, dir, args)
					if gitErr != nil {
						t.Skipf("git itself fails here: %v", gitErr)
					}
					got, stderr, code := runGitwalk(t, append([]string{"numstat", dir}, args...)...)
					if code != 0 {
						t.Fatalf("gitwalk exited %d: %s", code, stderr)
					}
					if got != want {
						t.Fatalf("differs from git (%d vs %d bytes); first difference at %s", len(got), len(want), firstDifference(want, got))
					}
				})
			}
		}
	}
}

// pathspecsOf picks pathspecs that exercise a fixture: its first top-level
// folder and file as literal prefixes, a wildcard, an exclude and a miss.
func pathspecsOf(t *testing.T, dir string) [][]string {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "log", "--all", "--format=", "--name-only", "--no-renames").Output()
	if err != nil || len(out) == 0 {
		return nil
	}
	var folder, file string
	for _, p := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.ContainsAny(p, "\"\\\t") || p == "" {
			continue
		}
		if i := strings.IndexByte(p, '/'); i > 0 && folder == "" {
			folder = p[:i]
		} else if i < 0 && file == "" {
			file = p
		}
	}
	specs := [][]string{{"*.txt"}, {":!*.txt"}, {"no/such/path"}}
	if folder != "" {
		specs = append(specs, []string{folder}, []string{folder + "/"})
	}
	if file != "" {
		specs = append(specs, []string{file})
	}
	if folder != "" && file != "" {
		specs = append(specs, []string{file, folder})
	}
	return specs
}

func TestNumstatIsTheSameForEveryWorkerCount(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, name := range testrepos.Names() {
		dir := testrepos.Path(t, name)
		one, _, code := runGitwalk(t, "numstat", dir, "--all", "-j1")
		if code != 0 {
			continue // repositories gitwalk rightly refuses (the empty one) are covered above
		}
		for _, j := range []string{"2", "8"} {
			got, stderr, code := runGitwalk(t, "numstat", dir, "--all", "-j"+j)
			if code != 0 || got != one {
				t.Errorf("%s: -j%s output differs from -j1 (exit %d, %s): %s", name, j, code, stderr, firstDifference(one, got))
			}
		}
	}
}

func execCommand(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// TestNumstatMatchesGitInWorkTrees clones fixtures with a checkout, where git
// log also reads the work tree's .gitattributes files.
func TestNumstatMatchesGitInWorkTrees(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, name := range []string{"attributes", "content", "types", "paths"} {
		work := t.TempDir() + "/" + name
		if out, err := execCommand("git", "clone", "-q", testrepos.Path(t, name), work); err != nil {
			t.Fatalf("clone %s: %v: %s", name, err, out)
		}
		for _, args := range [][]string{{"--all"}, {"--all", "--minimal"}} {
			want, err := gitNumstat(t, work, args)
			if err != nil {
				t.Fatal(err)
			}
			got, stderr, code := runGitwalk(t, append([]string{"numstat", work}, args...)...)
			if code != 0 {
				t.Fatalf("%s %v: exit %d: %s", name, args, code, stderr)
			}
			if got != want {
				t.Errorf("%s %v: differs from git: %s", name, args, firstDifference(want, got))
			}
		}
	}
}

// scratchRepo is a work tree a test builds its history in with git.
type scratchRepo struct {
	t   *testing.T
	dir string
}

func newScratchRepo(t *testing.T) *scratchRepo {
	t.Helper()
	dir := t.TempDir()
	gitRun(t, "", "init", "-q", dir)
	return &scratchRepo{t: t, dir: dir}
}

// write writes a file of the work tree, making its folders.
func (r *scratchRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit stages the whole work tree and commits it.
func (r *scratchRepo) commit() {
	r.t.Helper()
	gitRun(r.t, r.dir, "add", "-A")
	gitRun(r.t, r.dir, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "-m", "c")
}

// numstatAsGit compares gitwalk numstat of dir with args against git log's
// (gitNumstat), with --no-cache, then twice with the cache in folder cache
// (cold, then warm, when it starts empty), and returns git's output; what
// names the case in a failure. stderr must be wantErr each time.
func numstatAsGit(t *testing.T, what, dir, cache, wantErr string, args ...string) string {
	t.Helper()
	want, err := gitNumstat(t, dir, args)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{{"--no-cache"}, {"--cache", cache}, {"--cache", cache}} {
		got, stderr, code := runGitwalk(t, append(append([]string{"numstat", dir}, c...), args...)...)
		if code != 0 || got != want || stderr != wantErr {
			t.Errorf("%s: numstat %v %v: exit %d, stderr %q (want %q): %s", what, c, args, code, stderr, wantErr, firstDifference(want, got))
		}
	}
	return want
}

// wantUsageError runs gitwalk with args and wants a usage error (exit 2)
// whose message contains want.
func wantUsageError(t *testing.T, want string, args ...string) {
	t.Helper()
	if _, stderr, code := runGitwalk(t, args...); code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("gitwalk %v: exit %d, stderr %q; want a usage error naming %s", args, code, stderr, want)
	}
}

// TestIgnoredAttributeLinesCountAsGitsAndAreNamed: in a work tree whose
// .gitattributes has lines git ignores (a negative pattern matching a file
// named "!x.c", a line with an invalid attribute name), numstat is git's,
// cold, warm and without the cache, and stderr names each line once.
func TestIgnoredAttributeLinesCountAsGitsAndAreNamed(t *testing.T) {
	testrepos.IsolateGit(t)
	r := newScratchRepo(t)
	r.write(".gitattributes", "!x.c -diff\ny.c -diff b@d\n")
	for _, content := range []string{"line\n", "line\nline\n"} {
		r.write("!x.c", content)
		r.write("y.c", content)
		r.commit()
	}
	warnings := "gitwalk: attributes: .gitattributes:1: git ignores this line: its pattern is negative (\\! matches a leading '!')\n" +
		"gitwalk: attributes: .gitattributes:2: git ignores this line: \"b@d\" is not a valid attribute name\n"
	if want := numstatAsGit(t, "ignored lines", r.dir, t.TempDir(), warnings); strings.Contains(want, "-\t-\t") {
		t.Fatalf("git counts a file as binary; the test expects git to ignore both lines:\n%s", want)
	}
}

// TestDiffAttributeAppliesToRegularFilesOnly: under "* -diff" (and the
// binary macro) git counts a symbolic link's and a gitlink's lines, since
// it reads the diff attribute for regular files only; numstat is git's,
// with --no-cache, cold and warm, and with renames (a renamed link).
func TestDiffAttributeAppliesToRegularFilesOnly(t *testing.T) {
	testrepos.IsolateGit(t)
	r := newScratchRepo(t)
	r.write(".gitattributes", "* -diff\n*.b binary\n")
	for _, l := range [][2]string{{"target-one", "link"}, {"target-two", "link.b"}} {
		if err := os.Symlink(l[0], filepath.Join(r.dir, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(r.dir, "sub"), 0o755); err != nil { // a submodule not checked out: add -A keeps its gitlink
		t.Fatal(err)
	}
	gitRun(t, r.dir, "update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("1", 40)+",sub")
	r.commit()
	for _, l := range []string{"link", "link.b"} {
		os.Remove(filepath.Join(r.dir, l))
		if err := os.Symlink("target-three-"+l, filepath.Join(r.dir, l)); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, r.dir, "update-index", "--cacheinfo", "160000,"+strings.Repeat("2", 40)+",sub")
	r.commit()
	gitRun(t, r.dir, "mv", "link", "moved-link")
	r.commit()
	cache := t.TempDir()
	for _, args := range [][]string{nil, {"-M"}} {
		want := numstatAsGit(t, "links", r.dir, cache, "", args...)
		if !strings.Contains(want, "1\t1\tlink.b") || !strings.Contains(want, "1\t1\tsub") {
			t.Fatalf("git %v does not count the link and the gitlink; the test would prove nothing:\n%s", args, want)
		}
	}
}

// TestIgnoreCaseAttributesCountAsGits: with core.ignoreCase set in the
// repository's config, "*.PNG -diff" makes x.png binary for git log, and
// for gitwalk, with and without the cache; unset, neither does.
func TestIgnoreCaseAttributesCountAsGits(t *testing.T) {
	testrepos.IsolateGit(t)
	r := newScratchRepo(t)
	r.write(".gitattributes", "*.PNG -diff\n")
	for _, s := range []string{"a\n", "a\nb\n"} {
		r.write("x.png", s)
		r.commit()
	}
	cache := t.TempDir() // one for both settings: the key keeps them apart
	for _, fold := range []string{"true", "false"} {
		gitRun(t, r.dir, "config", "core.ignoreCase", fold)
		if want := numstatAsGit(t, "core.ignoreCase "+fold, r.dir, cache, ""); strings.Contains(want, "-\t-\tx.png") != (fold == "true") {
			t.Fatalf("core.ignoreCase %s: git log says\n%s", fold, want)
		}
	}
}

// TestFollowAsGitLog: numstat follows one path through its renames as
// git log does, with --follow or under log.follow (one path, not an
// exclude); --no-follow and two paths do not; what git refuses, gitwalk
// refuses in one line; the analyses refuse --follow as a usage error.
func TestFollowAsGitLog(t *testing.T) {
	testrepos.IsolateGit(t)
	r := newScratchRepo(t)
	r.write("a", "1\n2\n3\n4\n5\n")
	r.commit()
	r.write("a", "1\n2\n3\n4\n5\n6\n")
	r.commit()
	gitRun(t, r.dir, "mv", "a", "b")
	r.write("b", "1\n2\n3\n4\n5\n6\n7\n")
	r.commit()
	r.write("x", "other\n")
	r.commit()
	followed := numstatAsGit(t, "--follow", r.dir, t.TempDir(), "", "--follow", "--", "b")
	if !strings.Contains(followed, "a => b") || !strings.Contains(followed, "\ta\n") {
		t.Fatalf("git log --follow does not follow b to a:\n%s", followed)
	}
	numstatAsGit(t, "--follow -n1", r.dir, t.TempDir(), "", "--follow", "-n1", "--", "b")
	numstatAsGit(t, "--follow --no-follow", r.dir, t.TempDir(), "", "--follow", "--no-follow", "--", "b")
	gitRun(t, r.dir, "config", "log.follow", "true")
	numstatAsGit(t, "log.follow", r.dir, t.TempDir(), "", "--", "b")
	numstatAsGit(t, "log.follow --no-follow", r.dir, t.TempDir(), "", "--no-follow", "--", "b")
	numstatAsGit(t, "log.follow, two paths", r.dir, t.TempDir(), "", "--", "b", "x")
	numstatAsGit(t, "log.follow, an exclude", r.dir, t.TempDir(), "", "--", ":!x")
	for _, args := range [][]string{
		{"--follow"},
		{"--follow", "--", "a", "b"},
		{"--follow", "--full-diff", "--", "b"},
		{"--follow", "--", ":(glob)b"},
	} {
		if _, err := gitNumstat(t, r.dir, args); err == nil {
			t.Errorf("git log %v does not fail", args)
		}
		_, stderr, code := runGitwalk(t, append([]string{"numstat", r.dir}, args...)...)
		if code != 1 || !strings.Contains(stderr, "--follow") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("numstat %v: exit %d, stderr %q; want 1 and one line naming --follow", args, code, stderr)
		}
	}
	wantUsageError(t, "--follow", "churn", r.dir, "--follow", "--", "b")
}

// TestRelativeAsGitLog: under --relative (the folder run from),
// --relative=P (a string prefix from the top: "sub" takes "subway/" too)
// and diff.relative, numstat shows only the changes under the prefix,
// with paths relative to it, and renames across its edge as additions
// and deletions, as git log does; --no-relative and the order of the
// flags as git takes them; the analyses refuse --relative.
func TestRelativeAsGitLog(t *testing.T) {
	testrepos.IsolateGit(t)
	r := newScratchRepo(t)
	r.write("top.txt", "1\n2\n")
	r.write("sub/in.txt", "1\n2\n3\n")
	r.write("sub/deep/d.txt", "1\n2\n3\n4\n")
	r.write("subway/w.txt", "1\n")
	r.commit()
	gitRun(t, r.dir, "mv", "sub/in.txt", "sub/deep/in2.txt") // inside
	r.commit()
	gitRun(t, r.dir, "mv", "top.txt", "sub/top.txt") // in from outside
	r.commit()
	gitRun(t, r.dir, "mv", "sub/deep/d.txt", "out.txt") // out
	r.write("subway/w.txt", "1\n2\n")
	r.commit()
	r.write("sub/copy.txt", "1\n2\n3\n4\n") // out.txt's, which stays: a copy under -C -C
	r.commit()
	sub := filepath.Join(r.dir, "sub")
	relative := numstatAsGit(t, "--relative from sub", sub, t.TempDir(), "", "--relative")
	if strings.Contains(relative, "top.txt =>") || !strings.Contains(relative, "in.txt => deep/in2.txt") || strings.Contains(relative, "w.txt") {
		t.Fatalf("git log --relative from sub is not what the test expects:\n%s", relative)
	}
	for _, args := range [][]string{
		{"--relative=sub"},
		{"--relative=sub/"},
		{"--relative=sub/deep"},
		{"--relative="},
		{"--relative=sub", "--no-relative"},
		{"--relative=sub", "--no-relative", "--relative"},
		{"--relative=sub", "--", "sub/deep"},
		{"--relative=sub", "--find-copies-harder"},
	} {
		numstatAsGit(t, "from the top", r.dir, t.TempDir(), "", args...)
	}
	numstatAsGit(t, "--relative=deep from sub", sub, t.TempDir(), "", "--relative=deep")
	numstatAsGit(t, "--relative from sub, a path", sub, t.TempDir(), "", "--relative", "--", "deep")
	gitRun(t, r.dir, "config", "diff.relative", "true")
	numstatAsGit(t, "diff.relative from sub", sub, t.TempDir(), "")
	numstatAsGit(t, "diff.relative from sub, --no-relative", sub, t.TempDir(), "", "--no-relative")
	numstatAsGit(t, "diff.relative from the top", r.dir, t.TempDir(), "")
	wantUsageError(t, "--relative", "churn", r.dir, "--relative=sub")
}

// TestDiffFilterAsGitLog: --diff-filter lists only the changes of the
// letters given (lower case: all but those; '*': all of a commit's or
// none; several options add up), and only the commits with changes left,
// -n counting those and --skip the commits walked, as git log does; cold,
// warm and without the cache. An unknown letter is a usage error; the
// analyses refuse the option.
func TestDiffFilterAsGitLog(t *testing.T) {
	testrepos.IsolateGit(t)
	r := newScratchRepo(t)
	r.write("a", "1\n2\n3\n4\n5\n")
	r.write("b", "x\n")
	r.commit()
	r.write("a", "1\n2\n3\n4\n5\n6\n")
	r.write("c", "new\n")
	r.commit()
	gitRun(t, r.dir, "mv", "a", "renamed")
	r.commit()
	if err := os.Remove(filepath.Join(r.dir, "b")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("c", filepath.Join(r.dir, "b")); err != nil { // a type change
		t.Fatal(err)
	}
	r.commit()
	if err := os.Chmod(filepath.Join(r.dir, "c"), 0o755); err != nil { // a mode change: M
		t.Fatal(err)
	}
	r.write("copy", "1\n2\n3\n4\n5\n6\n")
	r.commit()
	gitRun(t, r.dir, "rm", "-q", "c")
	r.commit()
	raw := gitRun(t, r.dir, "log", "--raw", "--format=", "-C", "-C")
	for _, status := range []string{" A\t", " M\t", " D\t", " T\t", " R100\t", " C100\t"} {
		if !strings.Contains(raw, status) {
			t.Fatalf("the history has no %q change:\n%s", status, raw)
		}
	}
	for _, args := range [][]string{
		{"--diff-filter=A"},
		{"--diff-filter=M"},
		{"--diff-filter=T"},
		{"--diff-filter=R"},
		{"--diff-filter=d"},
		{"--diff-filter=AD*"},
		{"--diff-filter=*"},
		{"--diff-filter", "a", "--diff-filter=M"},
		{"--diff-filter=C", "--find-copies-harder"},
		{"--diff-filter=AM", "-n", "2"},
		{"--diff-filter=AM", "--skip=2"},
		{"--diff-filter=A", "--reverse", "-n", "3"},
		{"--diff-filter=R", "--no-renames"},
		{"--diff-filter=D", "--", "c"},
	} {
		numstatAsGit(t, "--diff-filter", r.dir, t.TempDir(), "", args...)
	}
	if _, err := gitNumstat(t, r.dir, []string{"--diff-filter=Q"}); err == nil {
		t.Error("git log --diff-filter=Q does not fail")
	}
	wantUsageError(t, "'Q'", "numstat", r.dir, "--diff-filter=Q")
	wantUsageError(t, "--diff-filter", "churn", r.dir, "--diff-filter=A")
}

// TestParentCountsAsGitLog: --merges, --min-parents=N, --max-parents=N,
// their --no- forms and --no-merges, in any order (the last of each
// wins), choose commits by their parent count as git log does, on a
// history with two roots, a merge and an octopus merge; and with a path,
// --full-history and --diff-merges=first-parent (which turns history
// simplification off for good, as git's set_first_parent) keep the
// merge of the second root, which changes the path against it; cold,
// warm and without the cache. A count that is no number is a usage
// error; the analyses refuse the flags.
func TestParentCountsAsGitLog(t *testing.T) {
	testrepos.IsolateGit(t)
	r := newScratchRepo(t)
	r.write("a", "1\n")
	r.commit()
	gitRun(t, r.dir, "checkout", "-q", "-b", "one")
	r.write("b", "1\n")
	r.commit()
	gitRun(t, r.dir, "checkout", "-q", "-b", "two", "HEAD~1")
	r.write("c", "1\n")
	r.commit()
	gitRun(t, r.dir, "checkout", "-q", "-b", "four", "HEAD~1")
	r.write("f", "1\n")
	r.commit()
	gitRun(t, r.dir, "checkout", "-q", "one")
	gitRun(t, r.dir, "-c", "user.name=A", "-c", "user.email=a@x", "merge", "-q", "-m", "octopus", "two", "four")
	r.write("a", "1\n2\n")
	r.commit()
	gitRun(t, r.dir, "checkout", "-q", "--orphan", "other")
	gitRun(t, r.dir, "rm", "-q", "-r", "--cached", ".")
	for _, f := range []string{"a", "b", "c", "f"} {
		if err := os.Remove(filepath.Join(r.dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	r.write("d", "1\n") // a second root
	r.commit()
	gitRun(t, r.dir, "checkout", "-q", "one")
	gitRun(t, r.dir, "-c", "user.name=A", "-c", "user.email=a@x", "merge", "-q", "--allow-unrelated-histories", "-m", "merge", "other")
	if got := strings.Count(gitRun(t, r.dir, "log", "--min-parents=3", "--format=%H"), "\n"); got != 1 {
		t.Fatalf("the history has %d octopus merges, want 1", got)
	}
	simplified := gitRun(t, r.dir, "log", "--format=%s", "--", "a")
	full := gitRun(t, r.dir, "log", "--format=%s", "--diff-merges=first-parent", "--", "a")
	if strings.Contains(simplified, "merge") || !strings.Contains(full, "merge") {
		t.Fatalf("git log -- a shows %q, with --diff-merges=first-parent %q: the merge should show in the second only", simplified, full)
	}
	for _, args := range [][]string{
		{"--merges"},
		{"--merges", "--first-parent"},
		{"--min-parents=3"},
		{"--max-parents=0"},
		{"--min-parents=2", "--max-parents=2"},
		{"--merges", "--no-merges"},
		{"--no-merges", "--merges"},
		{"--merges", "--no-min-parents"},
		{"--no-merges", "--no-max-parents"},
		{"--max-parents=-1"},
		{"--merges", "--diff-merges=first-parent", "--", "a"},
		{"--diff-merges=first-parent", "--", "a"},
		{"--diff-merges=first-parent", "--diff-merges=off", "--", "a"},
		{"--full-history", "--", "a"},
		{"--full-history", "--topo-order", "--", "a"},
		{"--first-parent", "--", "a"},
	} {
		numstatAsGit(t, "parents", r.dir, t.TempDir(), "", args...)
	}
	wantUsageError(t, "--max-parents", "numstat", r.dir, "--max-parents=x")
	wantUsageError(t, "--min-parents", "churn", r.dir, "--min-parents=2")
}

// TestBigFileThresholdMatchesGit sets core.bigFileThreshold low in a fixture's
// config, so blobs above it are binary without being read, on packed and on
// loose objects alike.
func TestBigFileThresholdMatchesGit(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, name := range []string{"content", "types", "large"} {
		dir := testrepos.Path(t, name)
		f, err := os.OpenFile(dir+"/config", os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.WriteString("[core]\n\tbigFileThreshold = 12\n")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want, err := gitNumstat(t, dir, []string{"--all"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(want, "-\t-\t") {
			t.Fatalf("%s: the threshold made nothing binary in git's output; the test would prove nothing", name)
		}
		got, stderr, code := runGitwalk(t, "numstat", dir, "--all")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		if got != want {
			t.Errorf("%s: differs from git: %s", name, firstDifference(want, got))
		}
	}
}

// TestRenameLimitWarningsAreGits: the warnings git log prints at the end
// when the rename limit cut the comparison short (with -C -C, that copies
// came from modified files only) are gitwalk's, word for word, cold and
// warm, on every fixture.
func TestRenameLimitWarningsAreGits(t *testing.T) {
	testrepos.IsolateGit(t)
	warned := 0
	for _, name := range testrepos.Names() {
		dir := testrepos.Path(t, name)
		for _, args := range [][]string{{"--all", "-l1"}, {"--all", "--find-copies-harder", "-l1"},
			{"--all", "--find-copies-harder", "-l3"}, {"--all", "--find-copies", "-l1"}} {
			t.Run(name+"/"+strings.Join(args, " "), func(t *testing.T) {
				cmd := exec.Command("git", append([]string{"-C", dir, "log", "--numstat", "--format=%H"}, args...)...)
				var errb bytes.Buffer
				cmd.Stderr = &errb
				if err := cmd.Run(); err != nil { // the empty fixture: gitwalk must fail too
					if _, _, code := runGitwalk(t, append([]string{"numstat", dir, "--no-cache"}, args...)...); code == 0 {
						t.Fatalf("git log failed (%v), gitwalk did not", err)
					}
					return
				}
				want := warnings(errb.String())
				if want != "" {
					warned++
				}
				cache := t.TempDir()
				for _, run := range []string{"cold", "warm"} {
					_, stderr, code := runGitwalk(t, append([]string{"numstat", dir, "--cache", cache}, args...)...)
					if code != 0 {
						t.Fatalf("%s: gitwalk exited %d: %s", run, code, stderr)
					}
					if got := warnings(stderr); got != want {
						t.Errorf("%s: gitwalk warns %q, git %q", run, got, want)
					}
				}
			})
		}
	}
	if warned == 0 {
		t.Fatal("no fixture made git warn: the test compares nothing")
	}
}

// warnings are the "warning:" lines of stderr.
func warnings(stderr string) string {
	var w []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "warning:") {
			w = append(w, l)
		}
	}
	return strings.Join(w, "\n")
}
