package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/store"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestAnalysesColdAndWarmCountAsGit runs churn with a fresh cache, then
// again from it with another worker count, and holds both to sums of git
// log --numstat.
func TestAnalysesColdAndWarmCountAsGit(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, fixture := range []string{"merges", "people"} {
		dir := testrepos.Path(t, fixture)
		want := numstatSums(t, dir, nil, 0, "--all", "--no-merges")
		cache := t.TempDir()
		for _, j := range []string{"-j1", "-j3"} {
			args := []string{dir, "--all", "--no-renames", "--no-default-excludes", "--cache", cache, j}
			sameSums(t, fixture+" "+j, want, churnSums(t, args...))
		}
		_, stderr := mustRun(t, "churn", dir, "--all", "--no-renames", "--cache", cache, "--stats")
		if !warmHitsOnly.MatchString(stderr) {
			t.Errorf("%s: the third run was not all hits: %q", fixture, stderr)
		}
	}
}

// TestNoCacheNeitherReadsNorWrites: --no-cache leaves the folder alone.
func TestNoCacheNeitherReadsNorWrites(t *testing.T) {
	testrepos.IsolateGit(t)
	cache := filepath.Join(t.TempDir(), "c")
	dir := testrepos.Path(t, "merges")
	_, stderr := mustRun(t, "numstat", dir, "--cache", cache, "--no-cache", "--stats")
	if _, err := os.Stat(cache); !os.IsNotExist(err) || strings.Contains(stderr, "cache:") {
		t.Fatalf("--no-cache made %s (%v) or used it: %q", cache, err, stderr)
	}
}

// damage is one way a store file can be hurt on disk.
type damage struct {
	name     string
	hurt     func(t *testing.T, path string)
	detected bool // Open must notice it (else it may or may not, and results stay right)
}

var damages = []damage{
	{"truncated to half", func(t *testing.T, p string) {
		fi, err := os.Stat(p)
		must(t, err)
		must(t, os.Truncate(p, fi.Size()/2))
	}, true},
	{"zero length", func(t *testing.T, p string) { must(t, os.Truncate(p, 0)) }, true},
	{"garbage", func(t *testing.T, p string) {
		must(t, os.WriteFile(p, []byte(strings.Repeat("not a store ", 4096)), 0o644))
	}, true},
	{"bytes flipped in every page", func(t *testing.T, p string) {
		data, err := os.ReadFile(p)
		must(t, err)
		for i := 4096 * 2; i < len(data); i += 4096 {
			for k := 100; k < 4096 && i+k < len(data); k += 397 {
				data[i+k] ^= 0x5a
			}
		}
		must(t, os.WriteFile(p, data, 0o644))
	}, false},
	{"the meta pages flipped", func(t *testing.T, p string) {
		data, err := os.ReadFile(p)
		must(t, err)
		for _, off := range []int{20, 40, 4096 + 20, 4096 + 40} {
			data[off] ^= 0xff
		}
		must(t, os.WriteFile(p, data, 0o644))
	}, true},
}

// TestDamagedCacheGivesGitsOutputAndOneLine damages copies of a filled
// store: each next run prints git's numstat, says so in at most one line
// (exactly one when the damage is of the kind Open detects), and the run
// after that starts afresh and quietly.
func TestDamagedCacheGivesGitsOutputAndOneLine(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "renames")
	want, err := gitNumstat(t, dir, []string{"--all"})
	must(t, err)
	filled := t.TempDir()
	if got, _ := mustRun(t, "numstat", dir, "--all", "--cache", filled); got != want {
		t.Fatal("the cold run differs from git")
	}
	orig, err := os.ReadFile(filepath.Join(filled, store.FileName))
	must(t, err)
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			cache := t.TempDir()
			path := filepath.Join(cache, store.FileName)
			must(t, os.WriteFile(path, orig, 0o644))
			d.hurt(t, path)
			got, stderr := mustRun(t, "numstat", dir, "--all", "--cache", cache, "-j2")
			if got != want {
				t.Fatalf("output over a damaged cache differs from git: %s", firstDifference(want, got))
			}
			lines := strings.Count(stderr, "\n")
			if lines > 1 || (d.detected && lines != 1) || strings.Contains(stderr, "panic") {
				t.Fatalf("stderr %q: want one line saying what happened", stderr)
			}
			if lines == 1 {
				aside, _ := filepath.Glob(path + ".damaged-*")
				if !strings.Contains(stderr, "damaged") || len(aside) != 1 {
					t.Fatalf("stderr %q, %d files set aside: want the damage named and the file set aside", stderr, len(aside))
				}
			}
			got, stderr = mustRun(t, "numstat", dir, "--all", "--cache", cache)
			if got != want || stderr != "" {
				t.Fatalf("the run after: stderr %q, same as git: %v", stderr, got == want)
			}
		})
	}
}

// TestUnusableCacheFolderGivesOneLine: a cache folder that cannot be made
// (a file is in the way) is one line, and the walk goes on.
func TestUnusableCacheFolderGivesOneLine(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	want, err := gitNumstat(t, dir, nil)
	must(t, err)
	file := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(file, nil, 0o644))
	got, stderr := mustRun(t, "numstat", dir, "--cache", filepath.Join(file, "sub"))
	if got != want || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "walking without it") {
		t.Fatalf("stderr %q, same as git: %v", stderr, got == want)
	}
}

// TestAFailedOpenLeavesTheCacheAsItWas: a run whose repository does not
// open (a folder that is none) leaves a cache folder that did not exist
// unmade, and a store that did exist unlocked: the next run reads it,
// quietly.
func TestAFailedOpenLeavesTheCacheAsItWas(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	missing := t.TempDir() // a folder, not a repository
	for _, cmd := range []string{"numstat", "churn"} {
		fresh := filepath.Join(t.TempDir(), "c")
		if _, stderr, code := runGitwalk(t, cmd, missing, "--cache", fresh); code == 0 || strings.Contains(stderr, "cache") {
			t.Fatalf("%s of a folder that is no repository: exit %d, stderr %q", cmd, code, stderr)
		}
		if _, err := os.Stat(fresh); !os.IsNotExist(err) {
			t.Fatalf("%s of a folder that is no repository made the cache folder %s (%v)", cmd, fresh, err)
		}
		cache := t.TempDir()
		mustRun(t, cmd, dir, "--cache", cache) // fills it
		for range 2 {
			if _, stderr, code := runGitwalk(t, cmd, missing, "--cache", cache); code == 0 || strings.Contains(stderr, "cache") {
				t.Fatalf("%s of a folder that is no repository: exit %d, stderr %q", cmd, code, stderr)
			}
		}
		if _, stderr := mustRun(t, cmd, dir, "--cache", cache, "--stats"); strings.Contains(stderr, "gitwalk: cache:") || !strings.Contains(stderr, " 0 misses") {
			t.Fatalf("%s after failed runs: stderr %q, want the cache read and nothing said about it", cmd, stderr)
		}
	}
}

// TestBusyCacheIsWaitedForThenLeft holds the store as another process
// would: the run waits its bounded time, says so in one line, and prints
// git's output.
func TestBusyCacheIsWaitedForThenLeft(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	want, err := gitNumstat(t, dir, []string{"--all"})
	must(t, err)
	cache := t.TempDir()
	held, err := store.Open(cache, nil) // bbolt's lock is per open file: this run counts as another process
	must(t, err)
	got, stderr := mustRun(t, "numstat", dir, "--all", "--cache", cache)
	must(t, held.Close())
	if got != want || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "in use by another process") {
		t.Fatalf("stderr %q, same as git: %v", stderr, got == want)
	}
}

// TestRewrittenHistoryAndChangedAttributesCountAfresh walks a work tree,
// then rewrites its history (a force-push: same messages, other content,
// other ids) and adds an untracked .gitattributes that makes files binary,
// and wants git's numstat after each, from a warm cache.
func TestRewrittenHistoryAndChangedAttributesCountAfresh(t *testing.T) {
	testrepos.IsolateGit(t)
	work := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", work}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@x", "GIT_COMMITTER_NAME=a",
			"GIT_COMMITTER_EMAIL=a@x", "GIT_AUTHOR_DATE=@1700000000 +0000", "GIT_COMMITTER_DATE=@1700000000 +0000")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(work, name)), 0o755))
		must(t, os.WriteFile(filepath.Join(work, name), []byte(content), 0o644))
	}
	commit := func(msg string, files ...string) {
		t.Helper()
		for i := 0; i+1 < len(files); i += 2 {
			write(files[i], files[i+1])
		}
		git("add", "-A")
		git("commit", "-q", "-m", msg)
	}
	git("init", "-q", "-b", "main")
	commit("one", "a.txt", "1\n2\n3\n", "d/b.txt", "x\n")
	commit("two", "a.txt", "1\n2\n3\n4\n")
	commit("three", "d/b.txt", "x\ny\n", "d/c.txt", "c\n")
	cache := t.TempDir()
	check := func(when string) {
		t.Helper()
		want, err := gitNumstat(t, work, []string{"--all"})
		must(t, err)
		for _, j := range []string{"-j1", "-j2"} {
			got, stderr := mustRun(t, "numstat", work, "--all", "--cache", cache, j)
			if got != want || stderr != "" {
				t.Fatalf("%s, %s: stderr %q; differs from git: %s", when, j, stderr, firstDifference(want, got))
			}
		}
	}
	check("first")
	git("reset", "-q", "--hard", "HEAD~2")
	commit("two", "a.txt", "1\n2\n")
	commit("three", "d/b.txt", "z\n", "d/c.txt", "c\nc\n")
	check("after the history was rewritten")
	write("d/.gitattributes", "*.txt -diff\n") // untracked: git log reads it all the same
	check("after d/.gitattributes made its files binary")
	write(".gitattributes", "a.txt binary\n")
	check("after .gitattributes made a.txt binary")
}

// TestCacheCommandShowsPrunesAndClears fills a cache and reads it back
// with gitwalk cache.
func TestCacheCommandShowsPrunesAndClears(t *testing.T) {
	testrepos.IsolateGit(t)
	cache := t.TempDir()
	dir := testrepos.Path(t, "merges")
	mustRun(t, "numstat", dir, "--all", "--cache", cache)
	mustRun(t, "numstat", dir, "--all", "--cache", cache)
	out, _ := mustRun(t, "cache", "--cache", cache)
	n := strings.Count(gitRun(t, dir, "log", "--all", "--format=%H"), "\n")
	tips := strings.Count(gitRun(t, dir, "log", "--all", "--no-walk", "--format=%H"), "\n")
	for _, re := range []string{
		// Per commit, its result; the walk's graph (each commit's tree,
		// date and parents) in one closure, under one tip, with an alias
		// under each other tip; and the walk's order, for its replay.
		`(?m)^records: +` + strconv.Itoa(n+tips+1) + ` \(`,
		`(?m)^last run: .*: ` + strconv.Itoa(n) + ` hits, 0 misses \(hit rate 100\.0%\)`,
		`(?m)^repositories: 1$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("gitwalk cache printed %q, without %s", out, re)
		}
	}
	out, _ = mustRun(t, "cache", "check", "--cache", cache)
	if !strings.Contains(out, "sound") {
		t.Errorf("cache check: %q", out)
	}
	out, _ = mustRun(t, "cache", "prune", "--max-size", "1k", "--cache", cache)
	if !regexp.MustCompile(`^pruned [1-9]\d* records; \d+ left \((\d+ B|1\.0 KiB);`).MatchString(out) {
		t.Errorf("cache prune --max-size 1k: %q", out)
	}
	mustRun(t, "cache", "clear", "--cache", cache)
	out, _ = mustRun(t, "cache", "--cache", cache)
	if !strings.Contains(out, "records:      0 ") {
		t.Errorf("after clear: %q", out)
	}
	if _, stderr, code := runGitwalk(t, "cache", "prune", "--cache", cache); code != exitUsage {
		t.Errorf("prune without a bound: exit %d, %q", code, stderr)
	}
	if _, stderr, code := runGitwalk(t, "cache", "prune", "--max-age", "soon", "--cache", cache); code != exitUsage || strings.Count(stderr, "\n") != 2 {
		t.Errorf("prune --max-age soon: exit %d, %q", code, stderr)
	}
}

// TestReadOnlyCacheFolderGivesOneLine: a cache folder gitwalk may not
// write (permission bits, which do not stop root) is one line, and the
// walk goes on.
func TestReadOnlyCacheFolderGivesOneLine(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only folders: TestUnusableCacheFolderGivesOneLine covers the fault")
	}
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "merges")
	want, err := gitNumstat(t, dir, nil)
	must(t, err)
	cache := t.TempDir()
	must(t, os.Chmod(cache, 0o500))
	t.Cleanup(func() { os.Chmod(cache, 0o700) })
	got, stderr := mustRun(t, "numstat", dir, "--cache", cache)
	if got != want || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "walking without it") {
		t.Fatalf("stderr %q, same as git: %v", stderr, got == want)
	}
}

// TestChangedMailmapIsAppliedToCachedCommits: records keep raw identities
// and the analyses apply the mailmap as they read them, so a changed
// .mailmap counts on a warm run as it does without the cache.
func TestChangedMailmapIsAppliedToCachedCommits(t *testing.T) {
	testrepos.IsolateGit(t)
	work := peopleClone(t)
	cache := t.TempDir()
	authors := func(flags ...string) string {
		t.Helper()
		out, _ := mustRun(t, append([]string{"authors", work, "--format", "csv"}, flags...)...)
		return out
	}
	before := authors("--cache", cache)
	must(t, os.WriteFile(filepath.Join(work, ".mailmap"), []byte("Bob <bob@laptop.local> <bob@home.example.com>\n"), 0o644))
	warm, fresh := authors("--cache", cache), authors("--no-cache")
	if warm != fresh {
		t.Fatalf("after .mailmap changed, the warm run differs from the run without the cache:\n%s\n%s", warm, fresh)
	}
	if warm == before {
		t.Fatal("the changed .mailmap changed nothing: the test proves nothing")
	}
}

// TestChangedAttributesAreAppliedToKeptClasses: the files' classes kept in
// the cache are those of the attribute rules in force; once a
// .gitattributes marks files generated, a warm churn leaves them out as
// the run without the cache does, and a later warm run too.
func TestChangedAttributesAreAppliedToKeptClasses(t *testing.T) {
	testrepos.IsolateGit(t)
	work := peopleClone(t)
	cache := t.TempDir()
	churn := func(flags ...string) string {
		t.Helper()
		out, _ := mustRun(t, append([]string{"churn", work, "--format", "csv"}, flags...)...)
		return out
	}
	before := churn("--cache", cache)
	if again := churn("--cache", cache); again != before {
		t.Fatalf("the warm run differs from the cold one:\n%s\n%s", again, before)
	}
	must(t, os.WriteFile(filepath.Join(work, ".gitattributes"), []byte("*.go linguist-generated\n"), 0o644))
	warm, fresh := churn("--cache", cache), churn("--no-cache")
	if warm != fresh {
		t.Fatalf("after .gitattributes changed, the warm run differs from the run without the cache:\n%s\n%s", warm, fresh)
	}
	if warm == before {
		t.Fatal("the changed .gitattributes changed nothing: the test proves nothing")
	}
	if again := churn("--cache", cache); again != fresh {
		t.Fatalf("the next warm run differs from the run without the cache:\n%s\n%s", again, fresh)
	}
}

// TestWarmRunsReadTheFilesClassesFromTheCache: the first run with a cache
// classifies the files it meets and keeps their classes; the next reads
// them all and classifies none (--stats says both), with the same output.
// The scope's classifier is made on a goroutine beside the walk's start;
// its classes must still be kept once the walk is over.
func TestWarmRunsReadTheFilesClassesFromTheCache(t *testing.T) {
	testrepos.IsolateGit(t)
	work := peopleClone(t)
	cache := t.TempDir()
	classes := regexp.MustCompile(`(?m)^classes: (\d+) paths' classes read from the cache, (\d+) paths classified$`)
	churn := func() (out string, kept, classified int) {
		t.Helper()
		out, errOut := mustRun(t, "churn", work, "--format", "csv", "--stats", "--cache", cache)
		m := classes.FindStringSubmatch(errOut)
		if m == nil {
			t.Fatalf("--stats has no classes line:\n%s", errOut)
		}
		kept, _ = strconv.Atoi(m[1])
		classified, _ = strconv.Atoi(m[2])
		return out, kept, classified
	}
	cold, kept, classified := churn()
	if kept != 0 || classified == 0 {
		t.Fatalf("cold run: %d read from the cache, %d classified; want 0 and some", kept, classified)
	}
	warm, wkept, wclassified := churn()
	if wkept != classified || wclassified != 0 {
		t.Fatalf("warm run: %d read from the cache, %d classified; want %d and 0", wkept, wclassified, classified)
	}
	if warm != cold {
		t.Fatalf("the warm run differs from the cold one:\n%s\n%s", warm, cold)
	}
}
