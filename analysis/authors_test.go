package analysis_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// authorsGit runs git in dir with a fixed committer and returns stdout.
func authorsGit(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(append(os.Environ(), "GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com",
		"GIT_COMMITTER_DATE=2021-06-01T00:00:00Z"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// authorsMailmap has the four line forms and a comment.
const authorsMailmap = `# people
Ann Proper <ann@example.com>
<bob.proper@example.com> <bob@example.com>
Cy Proper <cy.proper@example.com> <CY@example.com>
Di Proper <di.proper@example.com> Di Old <di@example.com>
`

// buildAuthorsRepo makes a history with several identities per person, a
// binary file, a deletion, a branch and a merge, all at fixed dates; the
// .mailmap is committed too. It returns the work tree.
func buildAuthorsRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	authorsGit(t, dir, nil, "init", "-q", "-b", "main")
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	commit := func(author string) {
		t.Helper()
		n++
		date := time.Date(2021, 1, n, 10, 0, 0, 0, time.FixedZone("", (n%5-2)*3600)).Format(time.RFC3339)
		authorsGit(t, dir, []string{"GIT_AUTHOR_DATE=" + date}, "add", "-A")
		authorsGit(t, dir, []string{"GIT_AUTHOR_DATE=" + date}, "commit", "-q", "-m", "c"+strconv.Itoa(n), "--author", author)
	}
	write(".mailmap", authorsMailmap)
	write("a.txt", "1\n2\n3\n")
	commit("Ann <ann@example.com>")
	write("a.txt", "1\n2\nthree\n4\n")
	write("src/b.go", "package b\n")
	commit("ann <ANN@example.com>")
	write("bin.dat", "\x00\x01\x02")
	commit("Bob <bob@example.com>")
	write("src/b.go", "package b\n\nfunc B() {}\n")
	commit("Robert <bob@example.com>")
	write("c.txt", "c\n")
	commit("Cy <cy@example.com>")
	write("c.txt", "c\nc\n")
	commit("Di Old <di@example.com>")
	write("d.txt", "d\n")
	commit("Di New <di@example.com>")
	authorsGit(t, dir, nil, "checkout", "-q", "-b", "side", "HEAD~2")
	write("side.txt", "s\n")
	commit("Eve <eve@example.com>")
	if err := os.Remove(filepath.Join(dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	commit("Eve <eve@example.com>")
	authorsGit(t, dir, nil, "checkout", "-q", "main")
	authorsGit(t, dir, []string{"GIT_AUTHOR_DATE=2021-03-01T00:00:00Z", "GIT_AUTHOR_NAME=Merger", "GIT_AUTHOR_EMAIL=merger@example.com"}, "merge", "-q", "--no-ff", "-m", "merge", "side")
	return dir
}

// expectedAuthors aggregates `git log --no-merges --numstat` with git's own
// mailmapped %aN and %aE, and takes the commit counts from
// `git shortlog -sne`, so nothing here shares code with the analyzer.
func expectedAuthors(t *testing.T, dir string, revs ...string) map[string]analysis.AuthorRow {
	t.Helper()
	args := append([]string{"--no-merges"}, revs...)
	out := authorsGit(t, dir, nil, append([]string{"log", "-z", "--numstat", "--format=%x01%H%x02%aN%x02%aE%x02%at"}, args...)...)
	rows := map[string]analysis.AuthorRow{}
	files := map[string]map[string]bool{}
	// Files are followed through git's renames, newest name first.
	var heads []string
	var hashes []string
	var changes [][]gitChange
	for _, rec := range strings.Split(out, "\x01")[1:] {
		head, body, _ := strings.Cut(rec, "\x00")
		hash, rest, _ := strings.Cut(head, "\x02")
		hashes, heads = append(hashes, hash), append(heads, rest)
		changes = append(changes, numstatZ(t, body))
	}
	followGit(changes, gitAdded(t, dir, hashes, args...))
	for i, head := range heads {
		f := strings.Split(head, "\x02")
		epoch, err := strconv.ParseInt(strings.TrimSpace(f[2]), 10, 64)
		if err != nil {
			t.Fatalf("record %q: %v", head, err)
		}
		key := f[0] + " <" + f[1] + ">"
		r := rows[key]
		r.Name, r.Email = f[0], f[1]
		when := time.Unix(epoch, 0).UTC()
		if r.First.IsZero() || when.Before(r.First) {
			r.First = when
		}
		if when.After(r.Last) {
			r.Last = when
		}
		if files[key] == nil {
			files[key] = map[string]bool{}
		}
		for _, ch := range changes[i] {
			r.Added += ch.added
			r.Deleted += ch.deleted
			files[key][ch.path] = true
		}
		rows[key] = r
	}
	if len(revs) == 0 {
		revs = []string{"HEAD"} // with no revision, shortlog reads a log from stdin
	}
	short := authorsGit(t, dir, nil, append([]string{"shortlog", "-sne", "--no-merges"}, revs...)...)
	for _, line := range strings.Split(strings.TrimSpace(short), "\n") {
		if line == "" {
			continue
		}
		count, key, _ := strings.Cut(strings.TrimSpace(line), "\t")
		n, err := strconv.Atoi(count)
		if err != nil {
			t.Fatalf("shortlog line %q", line)
		}
		r, ok := rows[key]
		if !ok {
			t.Fatalf("shortlog names %q, git log does not", key)
		}
		r.Commits = n
		r.Files = len(files[key])
		rows[key] = r
	}
	return rows
}

// runAuthors runs the Authors analyzer with the repository's own mailmap.
func runAuthors(t *testing.T, dir string, workers int, revs ...string) []analysis.AuthorRow {
	t.Helper()
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	mm, err := repo.Mailmap()
	if err != nil {
		t.Fatal(err)
	}
	states, err := analysis.Run(t.Context(), repo, walker.Options{Revisions: revs, NoMerges: true, Workers: workers},
		analysis.Authors{Mailmap: mm})
	if err != nil {
		t.Fatal(err)
	}
	return states[0].(*analysis.AuthorsState).Rows()
}

func checkAuthors(t *testing.T, want map[string]analysis.AuthorRow, got []analysis.AuthorRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d authors, git has %d: %v", len(got), len(want), got)
	}
	for i, r := range got {
		key := r.Name + " <" + r.Email + ">"
		w, ok := want[key]
		if !ok {
			t.Errorf("author %q is not one git knows", key)
			continue
		}
		if !reflect.DeepEqual(r, w) {
			t.Errorf("%q:\n got  %+v\n git  %+v", key, r, w)
		}
		if i > 0 {
			p := got[i-1]
			if p.Commits < r.Commits || p.Commits == r.Commits && (p.Name > r.Name || p.Name == r.Name && p.Email >= r.Email) {
				t.Errorf("rows %d and %d are out of order: %q then %q", i-1, i, p.Name, r.Name)
			}
		}
	}
}

func TestAuthorsMatchGitShortlogAndLogWithMailmap(t *testing.T) {
	testrepos.IsolateGit(t)
	work := buildAuthorsRepo(t)
	bare := filepath.Join(t.TempDir(), "bare.git")
	authorsGit(t, work, nil, "clone", "-q", "--bare", work, bare)
	for _, tc := range []struct{ name, dir string }{
		{"in a work tree with .mailmap", work},
		{"in a bare repository with HEAD:.mailmap", bare},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := expectedAuthors(t, tc.dir)
			if want["Ann Proper <ann@example.com>"].Commits != 1 || want["Di Proper <di.proper@example.com>"].Commits != 1 ||
				want["Robert <bob.proper@example.com>"].Commits != 1 || want["Cy Proper <cy.proper@example.com>"].Commits != 1 {
				t.Fatalf("the test's premise fails: git did not merge identities as the mailmap says: %v", want)
			}
			for _, j := range []int{1, 2, 8} {
				t.Run("-j"+strconv.Itoa(j), func(t *testing.T) {
					checkAuthors(t, want, runAuthors(t, tc.dir, j))
				})
			}
		})
	}
}

func TestAuthorsMatchGitOnEveryFixture(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, name := range testrepos.Names() {
		if name == "empty" {
			continue // git log fails on it; the walker's refusal is tested there
		}
		dir := testrepos.Path(t, name)
		t.Run(name, func(t *testing.T) {
			want := expectedAuthors(t, dir, "--all")
			one := runAuthors(t, dir, 1, "--all")
			checkAuthors(t, want, one)
			if eight := runAuthors(t, dir, 8, "--all"); !reflect.DeepEqual(one, eight) {
				t.Errorf("-j8 differs from -j1:\n%v\n%v", eight, one)
			}
		})
	}
}

func TestAuthorsWithoutMailmapKeepRecordedIdentities(t *testing.T) {
	testrepos.IsolateGit(t)
	work := buildAuthorsRepo(t)
	repo, err := walker.Open(work)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	states, err := analysis.Run(t.Context(), repo, walker.Options{NoMerges: true, Workers: 2}, analysis.Authors{})
	if err != nil {
		t.Fatal(err)
	}
	rows := states[0].(*analysis.AuthorsState).Rows()
	out := authorsGit(t, work, nil, "-c", "mailmap.file=", "log", "--no-merges", "--format=%an <%ae>")
	distinct := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		distinct[l] = true
	}
	if len(rows) != len(distinct) {
		t.Errorf("%d authors without a mailmap, git log --format=%%an <%%ae> shows %d", len(rows), len(distinct))
	}
}

// TestAuthorsMergeIsAssociativeAndOrderFree feeds the same commits to states
// split in different ways and merged in different orders.
func TestAuthorsMergeIsAssociativeAndOrderFree(t *testing.T) {
	testrepos.IsolateGit(t)
	work := buildAuthorsRepo(t)
	repo, err := walker.Open(work)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	mm, err := repo.Mailmap()
	if err != nil {
		t.Fatal(err)
	}
	var commits []*walker.Commit
	err = repo.Walk(t.Context(), walker.Options{Workers: 1, Revisions: []string{"--all"}}, func(c *walker.Commit) error {
		commits = append(commits, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a := analysis.Authors{Mailmap: mm}
	feed := func(cs []*walker.Commit) analysis.State {
		s := a.NewState()
		for _, c := range cs {
			s.Observe(c)
		}
		return s
	}
	whole := feed(commits).(*analysis.AuthorsState).Rows()
	third := len(commits) / 3
	x, y, z := commits[:third], commits[third:2*third], commits[2*third:]
	left := feed(x)
	yz := feed(y)
	yz.Merge(feed(z))
	left.Merge(yz) // x + (y + z)
	right := feed(z)
	xy := feed(y)
	xy.Merge(feed(x))
	right.Merge(xy) // z + (y + x)
	for name, s := range map[string]analysis.State{"x+(y+z)": left, "z+(y+x)": right} {
		if got := s.(*analysis.AuthorsState).Rows(); !reflect.DeepEqual(got, whole) {
			t.Errorf("%s gives\n%v\nwant\n%v", name, got, whole)
		}
	}
}
