package analysis_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// buildKnowledgeRepo makes the knowledge fixture: a file created by one
// person and maintained by another (a.c: Alice, then Bob twelve times, once
// under an address .mailmap joins to Bob's), people who left (Carol a year
// and more before the newest commit, Alice since), a file created and then
// deleted (tmp.c), files shared by their creator and one maintainer, and
// two people authoring as many files (a tie the greedy search breaks by
// name). Dates are in UTC.
func buildKnowledgeRepo(t *testing.T) string {
	t.Helper()
	testrepos.IsolateGit(t)
	dir := filepath.Join(t.TempDir(), "knowledge")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	git(nil, "init", "-q", "-b", "main")
	n := 0
	commit := func(who, email, date string, files map[string]string, remove ...string) {
		t.Helper()
		n++
		for name, content := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range remove {
			git(nil, "rm", "-q", name)
		}
		env := []string{"GIT_AUTHOR_NAME=" + who, "GIT_AUTHOR_EMAIL=" + email, "GIT_AUTHOR_DATE=" + date,
			"GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com", "GIT_COMMITTER_DATE=" + date}
		git(env, "add", "-A")
		git(env, "commit", "-q", "-m", "step "+strconv.Itoa(n))
	}
	commit("Alice", "alice@example.com", "2020-01-01T10:00:00+00:00", map[string]string{
		"a.c": "a\n", "b.c": "b\n", "c.c": "c\n",
		".mailmap": "Bob <bob@example.com> <bob@old.example.com>\n",
	})
	a := "a\n"
	for i := 0; i < 12; i++ {
		a += strconv.Itoa(i) + "\n"
		email := "bob@example.com"
		if i == 3 {
			email = "bob@old.example.com"
		}
		commit("Bob", email, "2020-02-"+strconv.Itoa(10+i)+"T10:00:00+00:00", map[string]string{"a.c": a})
	}
	commit("Carol", "carol@example.com", "2020-03-01T10:00:00+00:00", map[string]string{
		"lib/d.c": "d\n", "lib/e.c": "e\n", "lib/f.c": "f\n"})
	commit("Carol", "carol@example.com", "2021-06-01T10:00:00+00:00", map[string]string{"lib/d.c": "d\nd\n"})
	commit("Dave", "dave@example.com", "2022-01-01T10:00:00+00:00", map[string]string{"lib/g.c": "g\n", "lib/e.c": "e\ne\n"})
	commit("Alice", "alice@example.com", "2022-02-01T10:00:00+00:00", map[string]string{"tmp.c": "t\n"})
	commit("Alice", "alice@example.com", "2022-03-01T10:00:00+00:00", nil, "tmp.c")
	commit("Bob", "bob@example.com", "2023-01-01T10:00:00+00:00", map[string]string{"b.c": "b\nb\n"})
	commit("Dave", "dave@example.com", "2023-06-01T10:00:00+00:00", map[string]string{"docs/h.md": "h\n", "c.c": "c\nc\n"})
	return dir
}

// statusCommit is one commit of `git log --name-status`, with its mapped
// author and the churn of each path from --numstat.
type statusCommit struct {
	author string
	epoch  int64
	status map[string]byte // A, M or D per path
	churn  map[string]int
}

// gitLogStatus reads git's log with statuses (oldest first) and the churn
// of each path per commit from gitLogMapped's numstat.
func gitLogStatus(t *testing.T, dir string) []statusCommit {
	t.Helper()
	cmd := exec.Command("git", "-C", dir, "log", "-z", "--no-renames", "--no-merges", "--name-status",
		"--format=%x01%H%x02%aN <%aE>%x02%at")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git log: %v: %s", err, errb.String())
	}
	churn := map[string]map[string]int{}
	for _, c := range gitLogMapped(t, dir, "--no-merges") {
		churn[c.hash] = map[string]int{}
		for _, ch := range c.changes {
			churn[c.hash][ch.path] = ch.added + ch.deleted
		}
	}
	var commits []statusCommit
	for _, rec := range strings.Split(out.String(), "\x01")[1:] {
		head, body, _ := strings.Cut(rec, "\x00")
		f := strings.Split(head, "\x02")
		epoch, _ := strconv.ParseInt(f[2], 10, 64)
		c := statusCommit{author: f[1], epoch: epoch, status: map[string]byte{}, churn: churn[f[0]]}
		fields := strings.Split(strings.TrimLeft(body, "\n"), "\x00")
		for i := 0; i+1 < len(fields); i += 2 {
			c.status[fields[i+1]] = fields[i][0]
		}
		commits = append([]statusCommit{c}, commits...)
	}
	return commits
}

// refKnowledge is the test's own model of the paper's method, on git's
// log read oldest first: the first A of a path makes its first author, any
// later A or M is a delivery, D ends the file's life (a later A starts it
// again). It shares no code with the analyzer.
type refKnowledge struct {
	authors map[string][]string // file -> authors, sorted
	tf      map[string]refTF    // folder ("." the repository) -> truck factor
	lost    []string            // files all of whose authors are gone, by churn then path
	islands []string
}

type refTF struct {
	factor int
	people []string
}

func refModel(commits []statusCommit, leave []string) refKnowledge {
	type fileInfo struct {
		creator string
		deliv   map[string]int
		alive   bool
		churn   int
		commits int
	}
	files := map[string]*fileInfo{}
	last := map[string]int64{}
	var newest int64
	for _, c := range commits {
		if c.epoch > last[c.author] {
			last[c.author] = c.epoch
		}
		if c.epoch > newest {
			newest = c.epoch
		}
		for p, st := range c.status {
			f := files[p]
			if f == nil {
				f = &fileInfo{deliv: map[string]int{}}
				files[p] = f
			}
			f.churn += c.churn[p]
			f.commits++
			switch st {
			case 'D':
				f.alive = false
			case 'A':
				f.alive = true
				if f.creator == "" {
					f.creator = c.author
				} else {
					f.deliv[c.author]++
				}
			default:
				f.alive = true
				f.deliv[c.author]++
			}
		}
	}
	r := refKnowledge{authors: map[string][]string{}, tf: map[string]refTF{}}
	for p, f := range files {
		if !f.alive {
			continue
		}
		people := map[string]bool{f.creator: true}
		all := 0
		for who, n := range f.deliv {
			people[who] = true
			all += n
		}
		doa := map[string]float64{}
		top := math.Inf(-1)
		for who := range people {
			fa := 0.0
			if who == f.creator {
				fa = 1
			}
			doa[who] = 3.293 + 1.098*fa + 0.164*float64(f.deliv[who]) - 0.321*math.Log(1+float64(all-f.deliv[who]))
			top = math.Max(top, doa[who])
		}
		var as []string
		for who, d := range doa {
			if d/top > 0.75 && d >= 3.293 {
				as = append(as, who)
			}
		}
		sort.Strings(as)
		r.authors[p] = as
		if len(as) == 1 {
			r.islands = append(r.islands, p)
		}
	}
	sort.Strings(r.islands)
	// The greedy search, as the paper's Algorithm 1 and its tool run it:
	// while at least half the files have an author, remove the author of
	// the most files.
	greedy := func(in func(string) bool) refTF {
		authorsOf := map[string][]string{}
		total := 0
		for p, as := range r.authors {
			if in(p) {
				total++
				authorsOf[p] = append([]string(nil), as...)
			}
		}
		var tf refTF
		for {
			covered := 0
			count := map[string]int{}
			for _, as := range authorsOf {
				if len(as) > 0 {
					covered++
				}
				for _, a := range as {
					count[a]++
				}
			}
			if len(count) == 0 || float64(covered)/float64(total) < 0.5 {
				return tf
			}
			best := ""
			for a, n := range count {
				if best == "" || n > count[best] || n == count[best] && a < best {
					best = a
				}
			}
			tf.factor++
			tf.people = append(tf.people, best)
			for p, as := range authorsOf {
				var keep []string
				for _, a := range as {
					if a != best {
						keep = append(keep, a)
					}
				}
				authorsOf[p] = keep
			}
		}
	}
	r.tf["."] = greedy(func(string) bool { return true })
	for p := range r.authors {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			d := d
			r.tf[d] = greedy(func(q string) bool { return strings.HasPrefix(q, d+"/") })
		}
	}
	cutoff := time.Unix(newest, 0).UTC().AddDate(-1, 0, 0).Unix()
	gone := func(who string) bool {
		for _, l := range leave {
			if strings.HasPrefix(who, l+" <") {
				return true
			}
		}
		return last[who] < cutoff
	}
	for p, as := range r.authors {
		lost := len(as) > 0
		for _, a := range as {
			lost = lost && gone(a)
		}
		if lost {
			r.lost = append(r.lost, p)
		}
	}
	sort.Slice(r.lost, func(i, j int) bool {
		a, b := files[r.lost[i]], files[r.lost[j]]
		if a.churn != b.churn {
			return a.churn > b.churn
		}
		if a.commits != b.commits {
			return a.commits > b.commits
		}
		return r.lost[i] < r.lost[j]
	})
	return r
}

func runKnowledge(t *testing.T, dir string, k analysis.Knowledge, workers int) *analysis.KnowledgeResult {
	t.Helper()
	st := runAnalyzers(t, dir, walker.Options{}, workers, k)[0]
	return st.(*analysis.KnowledgeState).Result()
}

func TestKnowledgeMatchesTheModelOnGitLog(t *testing.T) {
	dir := buildKnowledgeRepo(t)
	commits := gitLogStatus(t, dir)
	mm := mailmapOf(t, dir)
	for _, leave := range [][]string{nil, {"Bob"}} {
		ref := refModel(commits, leave)
		got := runKnowledge(t, dir, analysis.Knowledge{Mailmap: mm, SimulateLeave: leave}, 2)

		authors := map[string][]string{}
		for _, f := range got.Files {
			as := append([]string(nil), f.Authors...)
			sort.Strings(as)
			authors[f.Path] = as
		}
		if !reflect.DeepEqual(authors, ref.authors) {
			t.Errorf("leave %v: authors\n got %v\nwant %v", leave, authors, ref.authors)
		}
		tfs := map[string]refTF{".": {got.Repository.Factor, truckNames(got.Repository)}}
		for _, f := range got.Folders {
			tfs[f.Folder] = refTF{f.Factor, truckNames(f)}
		}
		if !reflect.DeepEqual(tfs, ref.tf) {
			t.Errorf("truck factors\n got %v\nwant %v", tfs, ref.tf)
		}
		if !reflect.DeepEqual(got.Islands, ref.islands) {
			t.Errorf("islands %v, want %v", got.Islands, ref.islands)
		}
		var lost []string
		for _, l := range got.Lost {
			lost = append(lost, l.Path)
		}
		if !reflect.DeepEqual(lost, ref.lost) {
			t.Errorf("leave %v: lost %v, want %v", leave, lost, ref.lost)
		}
	}
}

func truckNames(tf analysis.TruckFactor) []string {
	var out []string
	for _, p := range tf.People {
		out = append(out, p.Person)
	}
	return out
}

// TestKnowledgeOfTheFixtureAsWorkedByHand pins the figures worked out by
// hand from the fixture's story, so that the model above is checked too.
func TestKnowledgeOfTheFixtureAsWorkedByHand(t *testing.T) {
	dir := buildKnowledgeRepo(t)
	r := runKnowledge(t, dir, analysis.Knowledge{Mailmap: mailmapOf(t, dir)}, 1)
	const (
		alice = "Alice <alice@example.com>"
		bob   = "Bob <bob@example.com>"
		carol = "Carol <carol@example.com>"
		dave  = "Dave <dave@example.com>"
	)
	files := map[string]analysis.FileKnowledge{}
	for _, f := range r.Files {
		files[f.Path] = f
	}
	if _, ok := files["tmp.c"]; ok || len(r.Files) != 9 {
		t.Errorf("alive files: %d, tmp.c listed: %v; want the 9 files of the last tree", len(r.Files), ok)
	}
	// a.c: Alice created it (FA 1, AC 12), Bob changed it twelve times
	// under two addresses: DOA 3.293+1.098-0.321·ln 13 = 3.568 against
	// 3.293+0.164·12 = 5.261, normalized 0.678: Bob alone authors it.
	a := files["a.c"]
	if !reflect.DeepEqual(a.Authors, []string{bob}) || len(a.People) != 2 {
		t.Fatalf("a.c: %+v", a)
	}
	if p := a.People[1]; p.Person != alice || !p.First || p.Deliveries != 0 || p.Acceptances != 12 ||
		math.Abs(p.DOA-3.5677) > 1e-3 || math.Abs(p.Normalized-0.6781) > 1e-3 {
		t.Errorf("a.c, Alice: %+v", p)
	}
	if p := a.People[0]; p.Person != bob || p.First || p.Deliveries != 12 || math.Abs(p.DOA-5.261) > 1e-3 {
		t.Errorf("a.c, Bob: %+v", p)
	}
	// b.c: Alice 3.293+1.098-0.321·ln 2 = 4.169, Bob 3.457 (0.83): both.
	if got := files["b.c"].Authors; !reflect.DeepEqual(got, []string{alice, bob}) {
		t.Errorf("b.c authors %v", got)
	}
	// Dave authors 4 files, Alice and Carol 3 each (a tie, by name), Bob 2.
	want := []analysis.TruckPerson{{Person: dave, Files: 4}, {Person: alice, Files: 3}, {Person: carol, Files: 3}}
	if r.Repository.Factor != 3 || !reflect.DeepEqual(r.Repository.People, want) || r.Repository.Files != 9 {
		t.Errorf("repository truck factor %+v", r.Repository)
	}
	for _, f := range r.Folders {
		if f.Folder == "lib" && (f.Factor != 2 || f.People[0].Person != carol) {
			t.Errorf("lib: %+v", f)
		}
	}
	// Newest 2023-06-01: Carol (2021-06) and Alice (2022-03) left more than
	// 12 months before; what only they know is lost.
	departed := map[string]bool{}
	for _, p := range r.People {
		departed[p.Person] = p.Departed
	}
	if !departed[alice] || !departed[carol] || departed[bob] || departed[dave] {
		t.Errorf("departed %v", departed)
	}
	var lost []string
	for _, l := range r.Lost {
		lost = append(lost, l.Path)
	}
	sort.Strings(lost)
	if !reflect.DeepEqual(lost, []string{".mailmap", "lib/d.c", "lib/f.c"}) {
		t.Errorf("lost %v", lost)
	}
	if !r.DepartedBefore.Equal(time.Date(2022, 6, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("departed before %v", r.DepartedBefore)
	}
	r = runKnowledge(t, dir, analysis.Knowledge{Mailmap: mailmapOf(t, dir), DepartedAfter: -1, SimulateLeave: []string{"dave@EXAMPLE.com", "Nobody"}}, 1)
	lost = nil
	for _, l := range r.Lost {
		lost = append(lost, l.Path)
	}
	sort.Strings(lost)
	if !reflect.DeepEqual(lost, []string{"docs/h.md", "lib/g.c"}) || !reflect.DeepEqual(r.UnknownLeavers, []string{"Nobody"}) {
		t.Errorf("Dave leaving, nobody departed: lost %v, unknown %v", lost, r.UnknownLeavers)
	}
}

func TestKnowledgeIsTheSameForEveryWorkerCount(t *testing.T) {
	dir := buildKnowledgeRepo(t)
	k := analysis.Knowledge{Mailmap: mailmapOf(t, dir), SimulateLeave: []string{"Bob"},
		Files: func(p string) bool { return p != ".mailmap" && p != "tmp.c" }}
	want := runKnowledge(t, dir, k, 1)
	if want.LeftOut != 2 || len(want.Files) != 8 {
		t.Errorf("Files left out %d paths, kept %d files; want 2 and 8", want.LeftOut, len(want.Files))
	}
	for _, w := range []int{2, 8} {
		if got := runKnowledge(t, dir, k, w); !reflect.DeepEqual(got, want) {
			t.Errorf("%d workers:\n got %+v\nwant %+v", w, got, want)
		}
	}
}

// TestKnowledgeMergeIsAssociative feeds the walk's commits to three states
// in several splits and merges them both ways.
func TestKnowledgeMergeIsAssociative(t *testing.T) {
	dir := buildKnowledgeRepo(t)
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	var commits []*walker.Commit
	if err := repo.Walk(context.Background(), walker.Options{}, func(c *walker.Commit) error {
		commits = append(commits, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	k := analysis.Knowledge{Mailmap: mailmapOf(t, dir)}
	whole := k.NewState()
	for _, c := range commits {
		whole.Observe(c)
	}
	want := whole.(*analysis.KnowledgeState).Result()
	for _, mod := range []int{2, 3} {
		for _, leftFirst := range []bool{true, false} {
			s := [3]analysis.State{k.NewState(), k.NewState(), k.NewState()}
			for i, c := range commits {
				s[(i*7)%mod+(3-mod)].Observe(c) // spread out of order
			}
			var got analysis.State
			if leftFirst {
				s[0].Merge(s[1])
				s[0].Merge(s[2])
				got = s[0]
			} else {
				s[1].Merge(s[2])
				s[0].Merge(s[1])
				got = s[0]
			}
			if r := got.(*analysis.KnowledgeState).Result(); !reflect.DeepEqual(r, want) {
				t.Errorf("split %d, left first %v: results differ\n got %+v\nwant %+v", mod, leftFirst, r, want)
			}
		}
	}
}

// TestKnowledgeFollowsRenamedPathsAndCopies works on hand-made commits, as
// the rename layer will give them: a Renamed change is a delivery to the new
// path and ends the old path's file; a Copied change creates its path.
func TestKnowledgeFollowsRenamedPathsAndCopies(t *testing.T) {
	at := func(seq int, who string, changes ...walker.Change) *walker.Commit {
		return &walker.Commit{Seq: seq, Author: walker.Signature{Name: who, Email: strings.ToLower(who) + "@example.com",
			When: time.Date(2024, 1, 10-seq, 0, 0, 0, 0, time.UTC)}, Changes: changes}
	}
	commits := []*walker.Commit{ // newest first, as git log gives them
		at(0, "Bo", walker.Change{Path: "new.c", OldPath: "old.c", Kind: walker.Renamed, Added: 1}),
		at(1, "Bo", walker.Change{Path: "copy.c", OldPath: "new.c", Kind: walker.Copied}),
		at(2, "Ann", walker.Change{Path: "new.c", Kind: walker.Added, Added: 3}, walker.Change{Path: "old.c", Kind: walker.Modified, Added: 1}),
		at(3, "Ann", walker.Change{Path: "old.c", Kind: walker.Added, Added: 2}),
	}
	st := analysis.Knowledge{}.NewState()
	for _, c := range commits {
		st.Observe(c)
	}
	r := st.(*analysis.KnowledgeState).Result()
	got := map[string][]analysis.Authorship{}
	for _, f := range r.Files {
		got[f.Path] = f.People
	}
	if _, ok := got["old.c"]; ok || len(got) != 2 {
		t.Fatalf("files %v: want new.c and copy.c (old.c was renamed away)", got)
	}
	// new.c: Ann created it (seq 2), Bo's rename is a delivery.
	if p := got["new.c"]; len(p) != 2 || p[0].Person != "Ann <ann@example.com>" || !p[0].First || p[0].Acceptances != 1 ||
		p[1].Person != "Bo <bo@example.com>" || p[1].Deliveries != 1 {
		t.Errorf("new.c: %+v", p)
	}
	if p := got["copy.c"]; len(p) != 1 || !p[0].First {
		t.Errorf("copy.c: %+v", p)
	}
}

// TestKnowledgeResultAtTakesTheFilesOfTheNewestTree builds a history whose
// merge deletes a file its side branch added: the merge is not walked (the
// default merge policy), so the changes alone would keep the file alive;
// ResultAt reads HEAD's tree, as git ls-tree lists it.
func TestKnowledgeResultAtTakesTheFilesOfTheNewestTree(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := filepath.Join(t.TempDir(), "merged")
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Ann", "GIT_AUTHOR_EMAIL=ann@example.com",
			"GIT_COMMITTER_NAME=Ann", "GIT_COMMITTER_EMAIL=ann@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git("init", "-q", "-b", "main")
	write("a.c", "a\n")
	git("add", "-A")
	git("commit", "-q", "-m", "a")
	git("checkout", "-q", "-b", "side")
	write("side.c", "s\n")
	git("add", "-A")
	git("commit", "-q", "-m", "side")
	git("checkout", "-q", "main")
	write("b.c", "b\n")
	git("add", "-A")
	git("commit", "-q", "-m", "b")
	git("merge", "-q", "--no-ff", "--no-commit", "side")
	git("rm", "-q", "-f", "side.c")
	git("commit", "-q", "-m", "merge side without side.c")

	st := runAnalyzers(t, dir, walker.Options{}, 2, analysis.Knowledge{})[0].(*analysis.KnowledgeState)
	names := func(r *analysis.KnowledgeResult) []string {
		var out []string
		for _, f := range r.Files {
			out = append(out, f.Path)
		}
		return out
	}
	if got := names(st.Result()); !reflect.DeepEqual(got, []string{"a.c", "b.c", "side.c"}) {
		t.Errorf("by the changes walked: %v, want side.c kept (the premise of this test)", got)
	}
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	r, err := st.ResultAt(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(git("ls-tree", "-r", "--name-only", "HEAD"))
	if got := names(r); !reflect.DeepEqual(got, want) {
		t.Errorf("ResultAt: %v, git ls-tree HEAD: %v", got, want)
	}
}
