package export

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/parquet-go/parquet-go"
)

// written is one walk written to the two tables, and the walk itself.
type written struct {
	repo             *walker.Repo
	path             string
	walked           []*walker.Commit
	commits, changes []byte
}

func writeFixture(t *testing.T, name string, opts walker.Options, exp func(*walker.Repo) Options) *written {
	t.Helper()
	testrepos.IsolateGit(t)
	w := &written{path: testrepos.Path(t, name)}
	repo, err := walker.Open(w.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	w.repo = repo
	var cb, chb bytes.Buffer
	xw := NewWriter(&cb, &chb, exp(repo))
	err = repo.Walk(context.Background(), opts, func(c *walker.Commit) error {
		w.walked = append(w.walked, c)
		return xw.Write(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	w.commits, w.changes = cb.Bytes(), chb.Bytes()
	return w
}

// readTable reads every row of a table and checks its schema metadata.
func readTable[T any](t *testing.T, data []byte, schema string) []T {
	t.Helper()
	r := parquet.NewGenericReader[T](bytes.NewReader(data))
	defer r.Close()
	f := r.File()
	if v, _ := f.Lookup(SchemaKey); v != schema {
		t.Errorf("%s = %q, want %q", SchemaKey, v, schema)
	}
	if v, _ := f.Lookup(SchemaVersionKey); v != strconv.Itoa(SchemaVersion) {
		t.Errorf("%s = %q, want %d", SchemaVersionKey, v, SchemaVersion)
	}
	rows := make([]T, r.NumRows())
	if n, err := r.Read(rows); n != len(rows) {
		t.Fatalf("read %d of %d rows: %v", n, len(rows), err)
	}
	return rows
}

// rebuild turns the tables' rows back into commits, checking the rows'
// own consistency (repository names, per-commit sums) on the way.
func rebuild(t *testing.T, repoName string, crow []CommitRow, chrows []ChangeRow) []*walker.Commit {
	t.Helper()
	hash := func(s string) walker.Hash {
		h, err := walker.ParseHash(s)
		if err != nil {
			t.Fatalf("bad hash %q: %v", s, err)
		}
		return h
	}
	rawOr := func(text string, raw []byte) string {
		if raw != nil {
			return string(raw)
		}
		return text
	}
	byID := map[string]*walker.Commit{}
	var out []*walker.Commit
	for _, r := range crow {
		if r.Repository != repoName {
			t.Fatalf("commit %s: repository %q, want %q", r.Commit, r.Repository, repoName)
		}
		c := &walker.Commit{
			Hash: hash(r.Commit), Tree: hash(r.Tree), Seq: int(r.Seq), Subject: r.Subject,
			Author:    walker.Signature{Name: r.AuthorName, Email: r.AuthorEmail, When: r.AuthorTime.In(time.FixedZone("", int(r.AuthorTZ)*60))},
			Committer: walker.Signature{Name: r.CommitterName, Email: r.CommitterEmail, When: r.CommitterTime.In(time.FixedZone("", int(r.CommitterTZ)*60))},
		}
		for _, p := range r.Parents {
			c.Parents = append(c.Parents, hash(p))
		}
		if r.Message != nil {
			c.Message = *r.Message
		}
		byID[r.Commit] = c
		out = append(out, c)
	}
	for _, r := range chrows {
		c := byID[r.Commit]
		if c == nil || r.Repository != repoName {
			t.Fatalf("change row %+v: no such commit in %q", r, repoName)
		}
		if int(r.Index) != len(c.Changes) {
			t.Fatalf("commit %s: change index %d, want %d", r.Commit, r.Index, len(c.Changes))
		}
		ch := walker.Change{
			Path: rawOr(r.Path, r.PathRaw), Score: int(r.Score),
			OldMode: walker.FileMode(r.OldMode), NewMode: walker.FileMode(r.NewMode),
			OldHash: hash(r.OldHash), NewHash: hash(r.NewHash),
			Added: int(r.Added), Deleted: int(r.Deleted), Binary: r.Binary,
		}
		if r.OldPath != nil {
			ch.OldPath = rawOr(*r.OldPath, r.OldPathRaw)
		}
		kinds := map[string]walker.ChangeKind{"modified": walker.Modified, "added": walker.Added,
			"deleted": walker.Deleted, "renamed": walker.Renamed, "copied": walker.Copied}
		k, ok := kinds[r.Kind]
		if !ok {
			t.Fatalf("change kind %q", r.Kind)
		}
		ch.Kind = k
		c.Changes = append(c.Changes, ch)
	}
	for _, r := range crow {
		c := byID[r.Commit]
		var a, d int64
		for _, ch := range c.Changes {
			a, d = a+int64(ch.Added), d+int64(ch.Deleted)
		}
		if r.Files != int64(len(c.Changes)) || r.Added != a || r.Deleted != d {
			t.Errorf("commit %s: files/added/deleted %d/%d/%d, its changes sum to %d/%d/%d",
				r.Commit, r.Files, r.Added, r.Deleted, len(c.Changes), a, d)
		}
	}
	return out
}

// sameCommit compares commits with times compared as instants and zones
// by offset (a walked time's zone has a name, a rebuilt one does not).
func sameCommit(a, b *walker.Commit) bool {
	sameSig := func(x, y walker.Signature) bool {
		_, ox := x.When.Zone()
		_, oy := y.When.Zone()
		return x.Name == y.Name && x.Email == y.Email && x.When.Equal(y.When) && ox == oy
	}
	if !sameSig(a.Author, b.Author) || !sameSig(a.Committer, b.Committer) {
		return false
	}
	aa, bb := *a, *b
	aa.Author, aa.Committer, bb.Author, bb.Committer = walker.Signature{}, walker.Signature{}, walker.Signature{}, walker.Signature{}
	if len(aa.Parents) == 0 {
		aa.Parents = nil
	}
	if len(bb.Parents) == 0 {
		bb.Parents = nil
	}
	return reflect.DeepEqual(aa, bb)
}

func TestTablesReadBackEqualTheWalk(t *testing.T) {
	for _, tc := range []struct {
		name, fixture string
		opts          walker.Options
	}{
		{"every commit of the content fixture, with messages", "content", walker.Options{Revisions: []string{"--all"}, Messages: true}},
		{"odd and invalid UTF-8 paths keep their raw bytes", "paths", walker.Options{Revisions: []string{"--all"}}},
		{"merges diffed against their first parent", "merges", walker.Options{Revisions: []string{"--all"}, DiffMerges: true}},
		{"symlinks, gitlinks and type changes keep their modes", "types", walker.Options{}},
		{"people, bots and left-out files", "people", walker.Options{Revisions: []string{"--all"}, Messages: true}},
		{"zones and dates unlike each other", "order", walker.Options{Revisions: []string{"--all"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := writeFixture(t, tc.fixture, tc.opts, func(r *walker.Repo) Options {
				mm, _ := r.Mailmap()
				return Options{Repository: tc.fixture, Mailmap: mm, Exclude: analysis.RepoExclude(r)}
			})
			crows := readTable[CommitRow](t, w.commits, CommitsSchema)
			chrows := readTable[ChangeRow](t, w.changes, ChangesSchema)
			got := rebuild(t, tc.fixture, crows, chrows)
			if len(got) != len(w.walked) {
				t.Fatalf("%d commits read back, %d walked", len(got), len(w.walked))
			}
			changes := 0
			for i := range got {
				changes += len(w.walked[i].Changes)
				if !sameCommit(got[i], w.walked[i]) {
					t.Errorf("row %d read back as\n%+v\nwalked\n%+v", i, got[i], w.walked[i])
				}
			}
			if len(chrows) != changes {
				t.Errorf("%d change rows, %d changes walked", len(chrows), changes)
			}
			// The walk itself is git's: its number of commits is rev-list's.
			args := append([]string{"rev-list", "--count"}, tc.opts.Revisions...)
			if len(tc.opts.Revisions) == 0 {
				args = append(args, "HEAD")
			}
			if n := gitOut(t, w.path, args...); n != strconv.Itoa(len(crows)) {
				t.Errorf("git rev-list --count: %s, table: %d rows", n, len(crows))
			}
		})
	}
}

func TestInvalidUTF8PathsAreReplacedInTextAndKeptRaw(t *testing.T) {
	w := writeFixture(t, "paths", walker.Options{Revisions: []string{"--all"}}, func(*walker.Repo) Options { return Options{} })
	raw := 0
	for _, r := range readTable[ChangeRow](t, w.changes, ChangesSchema) {
		if r.PathRaw == nil {
			continue
		}
		raw++
		if !strings.ContainsRune(r.Path, '\uFFFD') || string(r.PathRaw) == r.Path {
			t.Errorf("path %q with raw %q: the text should mark the bad bytes", r.Path, r.PathRaw)
		}
	}
	if raw == 0 {
		t.Fatal("the paths fixture has invalid UTF-8 names, but no row kept raw bytes")
	}
}

// TestMappedIdentitiesAreGits checks the mapped columns against
// `git check-mailmap`, and that without a mailmap they are null.
func TestMappedIdentitiesAreGits(t *testing.T) {
	w := writeFixture(t, "people", walker.Options{Revisions: []string{"--all"}}, func(r *walker.Repo) Options {
		mm, err := r.Mailmap()
		if err != nil {
			t.Fatal(err)
		}
		return Options{Repository: "people", Mailmap: mm}
	})
	seen := map[string]bool{}
	for _, r := range readTable[CommitRow](t, w.commits, CommitsSchema) {
		for _, id := range [][4]*string{
			{&r.AuthorName, &r.AuthorEmail, r.AuthorMappedName, r.AuthorMappedEmail},
			{&r.CommitterName, &r.CommitterEmail, r.CommitterMappedName, r.CommitterMappedEmail},
		} {
			if id[2] == nil || id[3] == nil {
				t.Fatalf("commit %s: mapped identity is null with a mailmap", r.Commit)
			}
			in := fmt.Sprintf("%s <%s>", *id[0], *id[1])
			if seen[in] {
				continue
			}
			seen[in] = true
			want := gitOut(t, w.path, "check-mailmap", in)
			if got := fmt.Sprintf("%s <%s>", *id[2], *id[3]); got != want {
				t.Errorf("%s maps to %q, git check-mailmap says %q", in, got, want)
			}
		}
	}
	if len(seen) < 3 {
		t.Fatalf("only %d identities checked", len(seen))
	}

	plain := writeFixture(t, "people", walker.Options{}, func(*walker.Repo) Options { return Options{} })
	for _, r := range readTable[CommitRow](t, plain.commits, CommitsSchema) {
		if r.AuthorMappedName != nil || r.CommitterMappedEmail != nil {
			t.Fatalf("commit %s: mapped identity set without a mailmap", r.Commit)
		}
	}
}

// TestLeftOutColumnsAreTheAnalysesChoices checks the excluded, bot and
// ignored columns against what analysis.Scope leaves out of the same walk.
func TestLeftOutColumnsAreTheAnalysesChoices(t *testing.T) {
	var scope analysis.Scope
	opts := walker.Options{Revisions: []string{"--all"}, Workers: 2}
	w := writeFixture(t, "people", opts, func(r *walker.Repo) Options {
		mm, _ := r.Mailmap()
		scope = analysis.Scope{Mailmap: mm, Exclude: analysis.RepoExclude(r),
			IgnoreRevs: map[walker.Hash]struct{}{}}
		return Options{Repository: "people", Mailmap: mm, Exclude: scope.Exclude, IgnoreRevs: scope.IgnoreRevs}
	})
	// Ignore the first commit: the scope and the writer share the set.
	first := readTable[CommitRow](t, w.commits, CommitsSchema)
	scope.IgnoreRevs[w.walked[0].Hash] = struct{}{}
	w = writeFixture(t, "people", opts, func(r *walker.Repo) Options {
		return Options{Repository: "people", Mailmap: scope.Mailmap, Exclude: scope.Exclude, IgnoreRevs: scope.IgnoreRevs}
	})
	states, err := analysis.Run(context.Background(), w.repo, opts, scope.Wrap(analysis.Authors{}))
	if err != nil {
		t.Fatal(err)
	}
	ss := states[0].(*analysis.ScopedState)

	commits := readTable[CommitRow](t, w.commits, CommitsSchema)
	if len(commits) != len(first) {
		t.Fatalf("%d rows, then %d", len(first), len(commits))
	}
	var bots, ignored int
	skipped := map[string]bool{} // commits the scope drops before it looks at files
	for _, r := range commits {
		if r.Ignored {
			ignored++
			skipped[r.Commit] = true
		} else if r.Bot {
			bots++
			skipped[r.Commit] = true
		}
	}
	left := ss.LeftOut()
	if ignored != 1 || left.IgnoredCommits != 1 {
		t.Errorf("ignored: %d rows, scope %d; want 1", ignored, left.IgnoredCommits)
	}
	if bots == 0 || bots != left.BotCommits {
		t.Errorf("bot commits: %d rows, the authors analysis left out %d", bots, left.BotCommits)
	}

	fromRows := map[string]string{}
	for _, r := range readTable[ChangeRow](t, w.changes, ChangesSchema) {
		if r.Excluded != nil && !skipped[r.Commit] {
			fromRows[r.Path] = *r.Excluded
		}
	}
	fromScope := map[string]string{}
	for _, pr := range ss.ExcludedPaths() {
		fromScope[pr.Path] = pr.Reason.String()
	}
	if len(fromScope) == 0 || !reflect.DeepEqual(fromRows, fromScope) {
		t.Errorf("excluded paths in the table:\n%v\nleft out by the scope:\n%v", sorted(fromRows), sorted(fromScope))
	}
}

func sorted(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+": "+v)
	}
	sort.Strings(out)
	return out
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// TestFileColumnIsTheFollowersName checks the file column against an
// analysis.Follower fed the same walk, and that it is null when the writer
// does not follow.
func TestFileColumnIsTheFollowersName(t *testing.T) {
	opts := walker.Options{Revisions: []string{"--all"}}
	w := writeFixture(t, "renames", opts, func(*walker.Repo) Options { return Options{Repository: "renames", Follow: true} })
	f := analysis.NewFollower()
	var want []string
	for _, c := range w.walked {
		named := *c
		named.Changes = append([]walker.Change(nil), c.Changes...)
		f.Name(&named)
		for _, ch := range named.Changes {
			want = append(want, ch.Path)
		}
	}
	rows := readTable[ChangeRow](t, w.changes, ChangesSchema)
	if len(rows) != len(want) {
		t.Fatalf("%d rows, %d changes", len(rows), len(want))
	}
	renamedLater := 0
	for i, r := range rows {
		if r.File == nil || *r.File != want[i] {
			t.Fatalf("row %d (%s): file %v, the Follower names it %q", i, r.Path, r.File, want[i])
		}
		if *r.File != r.Path {
			renamedLater++
		}
	}
	if renamedLater == 0 {
		t.Error("no row is named other than its path: the fixture's renames were not followed")
	}

	plain := writeFixture(t, "renames", opts, func(*walker.Repo) Options { return Options{Repository: "renames"} })
	for _, r := range readTable[ChangeRow](t, plain.changes, ChangesSchema) {
		if r.File != nil {
			t.Fatalf("file %q set without Follow", *r.File)
		}
	}
}

// TestLeftOutTakesTheScopesFirstReason checks the left_out column and the
// large column: a commit-wide reason wins over a file's, an exclusion over
// the filter.
func TestLeftOutTakesTheScopesFirstReason(t *testing.T) {
	opts := walker.Options{Revisions: []string{"--all"}}
	var ignored walker.Hash
	filter := analysis.PathFilter{Exclude: []string{"src/**"}}
	w := writeFixture(t, "people", opts, func(r *walker.Repo) Options {
		h, err := r.ResolveCommit("main~1")
		if err != nil {
			t.Fatal(err)
		}
		ignored = h
		return Options{Repository: "people", Exclude: analysis.RepoExclude(r), Filter: filter,
			IgnoreRevs: map[walker.Hash]struct{}{h: {}}, MaxChangeset: 4}
	})
	commits := map[string]CommitRow{}
	for _, c := range readTable[CommitRow](t, w.commits, CommitsSchema) {
		commits[c.Commit] = c
		if c.Large != (c.Files > 4) {
			t.Errorf("commit %s: %d files, large %v", c.Commit, c.Files, c.Large)
		}
	}
	seen := map[string]int{}
	for _, r := range readTable[ChangeRow](t, w.changes, ChangesSchema) {
		c := commits[r.Commit]
		var want string
		switch {
		case r.Commit == ignored.String():
			want = LeftOutIgnored
		case c.Large:
			want = LeftOutLarge
		case r.Excluded != nil:
			want = *r.Excluded
		case !filter.Match(r.Path):
			want = LeftOutFiltered
		}
		got := ""
		if r.LeftOut != nil {
			got = *r.LeftOut
		}
		if got != want {
			t.Errorf("commit %s, %s: left_out %q, want %q", r.Commit, r.Path, got, want)
		}
		seen[got]++
	}
	for _, r := range []string{"", LeftOutIgnored, LeftOutLarge, LeftOutFiltered, "vendor-folder"} {
		if seen[r] == 0 {
			t.Errorf("no row with left_out %q (%v): the case is not tested", r, seen)
		}
	}
}

func TestRepoNameIsTheFolderWithoutGit(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/srv/git/linux.git", "linux"},
		{"/srv/git/linux.git/", "linux"},
		{"/home/me/src/gitwalk", "gitwalk"},
		{"/home/me/src/gitwalk/.git", "gitwalk"},
		{`C:\src\repo.git`, "repo"},
		{"relative/dir.git", "dir"},
	} {
		if got := RepoName(tc.path); got != tc.want {
			t.Errorf("RepoName(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
