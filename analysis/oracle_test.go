package analysis_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// gitCommit is one commit as C git prints it: the oracle's input.
type gitCommit struct {
	hash, author     string // author is "Name <email>"
	epoch            int64  // author date
	day, week, month string // author date in UTC, by git's own strftime
	parents          int
	changes          []gitChange
}

type gitChange struct {
	path           string
	oldPath        string // a rename's source, as git printed it ("" otherwise)
	added, deleted int    // 0 for binary changes, as the engine reports them
}

// numstatZ parses the numstat rows of one `git log -z --numstat` record,
// with git's rename detection on: a rename's row is "A\tD\t" followed by
// its old and new paths as NUL-terminated fields of their own.
func numstatZ(t *testing.T, body string) []gitChange {
	t.Helper()
	var out []gitChange
	fields := strings.Split(strings.TrimLeft(body, "\n"), "\x00")
	for i := 0; i < len(fields); i++ {
		entry := strings.TrimLeft(fields[i], "\n")
		if entry == "" {
			continue
		}
		p := strings.SplitN(entry, "\t", 3)
		if len(p) != 3 {
			t.Fatalf("numstat entry %q", entry)
		}
		a, _ := strconv.Atoi(p[0]) // "-" (binary) gives 0, as the engine counts
		d, _ := strconv.Atoi(p[1])
		ch := gitChange{path: p[2], added: a, deleted: d}
		if p[2] == "" {
			if i+2 >= len(fields) {
				t.Fatalf("rename row %q without its paths", entry)
			}
			ch.oldPath, ch.path = fields[i+1], fields[i+2]
			i += 2
		}
		out = append(out, ch)
	}
	return out
}

// followGit names every change by its file's newest path, reading git's own
// rename pairs in git log's order, newest first, by the rule analysis.Run
// documents: a rename old -> new names old as new's file in older commits,
// and a path a commit adds (or renames onto) held another file before it.
// The oracle's side of following files: it shares no code with the
// analyzers. added tells which raw paths a commit adds (gitAdded asks git).
func followGit(commits [][]gitChange, added func(commit int, path string) bool) {
	alias := map[string]string{}
	nameOf := func(p string) string {
		if n, ok := alias[p]; ok {
			return n
		}
		return p
	}
	for ci, changes := range commits {
		names := make([]string, len(changes))
		for i, ch := range changes {
			names[i] = nameOf(ch.path)
		}
		for _, ch := range changes {
			if ch.oldPath != "" || added(ci, ch.path) {
				delete(alias, ch.path)
			}
		}
		for i, ch := range changes {
			if ch.oldPath != "" {
				alias[ch.oldPath] = names[i]
			}
		}
		for i := range changes {
			changes[i].path = names[i]
		}
	}
}

// gitLog runs `git log --numstat -z` with args and parses it. Days, ISO
// weeks and months come from git's date formatting in TZ=UTC, a route that
// shares nothing with the analyzers' Go time code.
func gitLog(t *testing.T, dir string, args ...string) []gitCommit {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "log", "-z", "--numstat",
		"--date=format-local:%Y-%m-%d|%G-W%V|%Y-%m",
		"--format=%x01%H%x02%an <%ae>%x02%at%x02%ad%x02%p"}, args...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git log %v: %v: %s", args, err, errb.String())
	}
	var commits []gitCommit
	for _, rec := range strings.Split(out.String(), "\x01")[1:] {
		head, body, _ := strings.Cut(rec, "\x00")
		f := strings.Split(head, "\x02")
		if len(f) != 5 {
			t.Fatalf("git log record %q: want 5 fields", head)
		}
		epoch, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		dates := strings.Split(f[3], "|")
		c := gitCommit{hash: f[0], author: f[1], epoch: epoch, day: dates[0], week: dates[1], month: dates[2],
			parents: len(strings.Fields(f[4]))}
		c.changes = numstatZ(t, body)
		commits = append(commits, c)
	}
	hashes := make([]string, len(commits))
	changes := make([][]gitChange, len(commits))
	for i := range commits {
		hashes[i], changes[i] = commits[i].hash, commits[i].changes
	}
	followGit(changes, gitAdded(t, dir, hashes, args...))
	return commits
}

// gitAdded asks git which paths each commit of `git log args` adds (status A
// with rename detection on), for followGit: hashes are the log's commits in
// its order.
func gitAdded(t *testing.T, dir string, hashes []string, args ...string) func(commit int, path string) bool {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "log", "-z", "--diff-filter=A", "--name-only", "--format=%x01%H"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git log --diff-filter=A %v: %v: %s", args, err, errb.String())
	}
	adds := map[string]map[string]bool{}
	for _, rec := range strings.Split(out.String(), "\x01")[1:] {
		fields := strings.Split(rec, "\x00")
		h := strings.TrimSpace(fields[0])
		set := map[string]bool{}
		for _, f := range fields[1:] {
			if f = strings.TrimLeft(f, "\n"); f != "" {
				set[f] = true
			}
		}
		adds[h] = set
	}
	return func(commit int, path string) bool { return adds[hashes[commit]][path] }
}

// buildPeopleRepo makes a repository with several authors, folders and
// author dates that straddle days, ISO weeks and years in UTC, which the
// committed fixtures (one author, one day) do not exercise.
func buildPeopleRepo(t *testing.T) string {
	t.Helper()
	testrepos.IsolateGit(t)
	dir := filepath.Join(t.TempDir(), "people")
	run := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	run(nil, "init", "-q", "-b", "main")
	steps := []struct {
		who, email, date string
		files            map[string]string
	}{
		{"Ann", "ann@example.com", "2020-12-31T23:30:00-05:00", map[string]string{"src/a.go": "1\n2\n3\n", "README": "hi\n"}},
		{"Bob", "bob@example.com", "2021-01-03T12:00:00+00:00", map[string]string{"src/a.go": "1\n2\nthree\n", "src/lib/b.go": "x\n"}},
		{"Ann", "ann@example.com", "2021-01-04T00:30:00+02:00", map[string]string{"docs/guide.md": "a\nb\n"}},
		{"Ann", "ann@other.org", "2021-01-04T09:00:00+00:00", map[string]string{"src/lib/b.go": "y\nz\n", "bin.dat": "a\x00b"}},
		{"Cyd", "cyd@example.com", "2021-02-28T23:59:59-01:00", map[string]string{"README": "hello\nthere\n", "src/a.go": "one\n"}},
		{"Bob", "bob@example.com", "2021-03-15T10:00:00+09:00", map[string]string{"docs/guide.md": "b\n", "vendor/v/x.go": "v\nv\nv\n"}},
	}
	for _, s := range steps {
		for name, content := range s.files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		env := []string{"GIT_AUTHOR_NAME=" + s.who, "GIT_AUTHOR_EMAIL=" + s.email, "GIT_AUTHOR_DATE=" + s.date,
			"GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com", "GIT_COMMITTER_DATE=" + s.date}
		run(env, "add", "-A")
		run(env, "commit", "-q", "-m", "step")
	}
	// A merge, which analyses leave out unless asked.
	env := []string{"GIT_AUTHOR_NAME=Ann", "GIT_AUTHOR_EMAIL=ann@example.com", "GIT_AUTHOR_DATE=2021-04-01T00:00:00+00:00",
		"GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com", "GIT_COMMITTER_DATE=2021-04-01T00:00:00+00:00"}
	run(env, "checkout", "-q", "-b", "side", "HEAD~1")
	if err := os.WriteFile(filepath.Join(dir, "side.txt"), []byte("s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(env, "add", "-A")
	run(env, "commit", "-q", "-m", "side")
	run(env, "checkout", "-q", "main")
	run(env, "merge", "-q", "--no-ff", "-m", "merge side", "side")
	return dir
}
