package renames

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/quote"
)

// repo is a repository made with C git for one test. Its files are kept
// in memory and each commit is a full snapshot of them; the commits are
// written with one `git fast-import` run when the test first asks git
// about them (starting git is what these tests spend their time on).
type repo struct {
	t       testing.TB
	dir     string
	env     []string
	db      *odb.DB
	files   map[string]entry
	stream  bytes.Buffer      // fast-import commands not run yet
	commits int               // commits made, the last one's mark is ":<commits>"
	ids     map[string]string // mark -> commit id, once imported
	roots   map[string]bool   // marks of commits without a parent
	parent  map[string]string // mark -> the first parent's mark
	last    string            // the last commit of the current history
	all     []string          // every commit, in the order made
	history int               // the current history (see newHistory)
	label   string            // the current history's name
	labels  map[string]string // mark -> the name of its history
	// snapshots holds each commit's files, for the unmodified ones.
	snapshots map[string]map[string]entry
	queues    map[string]map[string][]rawEntry
	arena     *arena.Arena // for detect, reset for each commit
}

// entry is a file in the work tree: its mode and content (a symlink's
// target, a gitlink's commit id).
type entry struct {
	mode uint32
	data string
}

func newRepo(t testing.TB) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found: cannot compare with git")
	}
	dir := t.TempDir()
	home := filepath.Join(dir, ".home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &repo{t: t, dir: filepath.Join(dir, "w"), files: map[string]entry{},
		ids: map[string]string{}, roots: map[string]bool{}, parent: map[string]string{}, labels: map[string]string{},
		snapshots: map[string]map[string]entry{},
		queues:    map[string]map[string][]rawEntry{}}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") { // GIT_DIR, GIT_BASENAME_FACTOR... would change what git does
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env, "GIT_CONFIG_NOSYSTEM=1", "HOME="+home, "XDG_CONFIG_HOME="+home, "LC_ALL=C")
	r.run("init", "-q", "--template=", "-b", "main", r.dir)
	return r
}

// run runs git in the repository and returns its stdout; it fails the test
// when git fails.
func (r *repo) run(args ...string) string {
	r.t.Helper()
	out, stderr, err := r.runErr(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr)
	}
	return out
}

func (r *repo) runErr(args ...string) (stdout, stderr string, err error) {
	return r.runIn(nil, args...)
}

func (r *repo) runIn(stdin []byte, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command("git", args...)
	if _, statErr := os.Stat(r.dir); statErr == nil {
		cmd.Dir = r.dir
	}
	cmd.Env = r.env
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// write sets a regular file's content (keeping an executable bit). The
// .gitattributes file also goes to disk, where git log reads it.
func (r *repo) write(p, content string) {
	r.t.Helper()
	mode := uint32(0o100644)
	if e, ok := r.files[p]; ok && e.mode == 0o100755 {
		mode = e.mode
	}
	r.files[p] = entry{mode: mode, data: content}
	if p == ".gitattributes" {
		if err := os.WriteFile(filepath.Join(r.dir, p), []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *repo) symlink(target, p string) { r.files[p] = entry{mode: 0o120000, data: target} }

func (r *repo) gitlink(id, p string) { r.files[p] = entry{mode: 0o160000, data: id} }

// remove removes files, or directories with all their files.
func (r *repo) remove(paths ...string) {
	for _, p := range paths {
		for f := range r.files {
			if f == p || strings.HasPrefix(f, p+"/") {
				delete(r.files, f)
			}
		}
	}
}

func (r *repo) read(p string) string {
	r.t.Helper()
	e, ok := r.files[p]
	if !ok {
		r.t.Fatalf("no file %q", p)
	}
	return e.data
}

func (r *repo) move(from, to string) {
	r.t.Helper()
	e, ok := r.files[from]
	if !ok {
		r.t.Fatalf("no file %q", from)
	}
	delete(r.files, from)
	r.files[to] = e
}

func (r *repo) chmodX(p string) {
	r.t.Helper()
	e, ok := r.files[p]
	if !ok {
		r.t.Fatalf("no file %q", p)
	}
	e.mode = 0o100755
	r.files[p] = e
}

// commit commits the files as they are on top of the last commit and
// returns its mark, which the other methods take as a commit.
func (r *repo) commit(msg string) string {
	if r.last == "" {
		return r.commitWith(msg)
	}
	return r.commitWith(msg, r.last)
}

// newHistory starts an unrelated history, on a branch of its own, with no
// files; label names it in error messages.
func (r *repo) newHistory(label string) {
	r.history++
	r.files = map[string]entry{}
	r.last = ""
	r.label = label
}

// commitWith commits the files as they are with the given parents (marks).
func (r *repo) commitWith(msg string, parents ...string) string {
	r.commits++
	mark := fmt.Sprint(":", r.commits)
	w := &r.stream
	date := 1577836800 + r.commits // 2020-01-01T00:00:00Z, one second apart
	branch := "main"
	if r.history > 0 {
		branch = fmt.Sprint("h", r.history)
	}
	r.last = mark
	r.all = append(r.all, mark)
	r.labels[mark] = r.label
	r.snapshots[mark] = maps.Clone(r.files)
	fmt.Fprintf(w, "commit refs/heads/%s\nmark %s\n", branch, mark)
	fmt.Fprintf(w, "author a <a@b> %d +0000\ncommitter a <a@b> %d +0000\n", date, date)
	fmt.Fprintf(w, "data %d\n%s\n", len(msg), msg)
	for k, p := range parents {
		if k == 0 {
			fmt.Fprintf(w, "from %s\n", r.ref(p))
		} else {
			fmt.Fprintf(w, "merge %s\n", r.ref(p))
		}
	}
	if len(parents) == 0 {
		r.roots[mark] = true
	} else {
		r.parent[mark] = parents[0]
	}
	clear(r.queues)
	w.WriteString("deleteall\n")
	for _, p := range slices.Sorted(maps.Keys(r.files)) {
		e := r.files[p]
		name := string(quote.Path(nil, p, true)) // fast-import reads C-quoted paths
		if e.mode == 0o160000 {
			fmt.Fprintf(w, "M 160000 %s %s\n", e.data, name)
			continue
		}
		fmt.Fprintf(w, "M %o inline %s\ndata %d\n%s\n", e.mode, name, len(e.data), e.data)
	}
	w.WriteString("\n")
	return mark
}

// ref names commit c in the stream: its mark if it is not imported yet.
func (r *repo) ref(c string) string {
	if id, ok := r.ids[c]; ok {
		return id
	}
	return c
}

// id returns commit c's id, importing the commits made so far.
func (r *repo) id(c string) string {
	r.t.Helper()
	if r.stream.Len() > 0 {
		marks := filepath.Join(r.dir, ".git", "test-marks")
		_, stderr, err := r.runIn(r.stream.Bytes(), "fast-import", "--quiet", "--force",
			"--export-marks="+marks, "--import-marks-if-exists="+marks)
		if err != nil {
			r.t.Fatalf("git fast-import: %v: %s", err, stderr)
		}
		r.stream.Reset()
		data, err := os.ReadFile(marks)
		if err != nil {
			r.t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if m, id, ok := strings.Cut(line, " "); ok {
				r.ids[m] = id
			}
		}
	}
	id, ok := r.ids[c]
	if !ok {
		r.t.Fatalf("no commit %q", c)
	}
	return id
}

// rawEntry is one record of `git diff-tree --raw -z`.
type rawEntry struct {
	oldMode, newMode uint32
	oldID, newID     odb.ID
	status           byte
	score            int // for R and C
	path, newPath    string
}

// rawDiffs runs one `git diff-tree -r --raw -z --stdin` with flags on
// commits (each against its first parent, or as a root), limited to paths
// if any, and returns each commit's records.
func (r *repo) rawDiffs(commits []string, flags, paths []string) map[string][]rawEntry {
	r.t.Helper()
	var stdin strings.Builder
	mark := map[string]string{} // id -> mark
	for _, c := range commits {
		id := r.id(c)
		mark[id] = c
		if r.isRoot(c) {
			fmt.Fprintf(&stdin, "%s\n", id)
		} else {
			fmt.Fprintf(&stdin, "%s %s\n", id, r.id(r.parent[c]))
		}
	}
	args := append([]string{"diff-tree", "-r", "--raw", "-z", "--root", "--stdin"}, flags...)
	args = append(args, pathspec(paths)...)
	out, stderr, err := r.runIn([]byte(stdin.String()), args...)
	if err != nil {
		r.t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr)
	}
	diffs := map[string][]rawEntry{}
	var c string
	fields := strings.Split(out, "\x00")
	for k := 0; k+1 < len(fields); {
		if !strings.HasPrefix(fields[k], ":") { // a commit's id starts its records
			c = mark[fields[k]]
			diffs[c] = []rawEntry{}
			k++
			continue
		}
		head := fields[k][1:]
		f := strings.Fields(head)
		if len(f) != 5 {
			r.t.Fatalf("diff-tree record %q: want 5 fields", head)
		}
		var e rawEntry
		om, err1 := strconv.ParseUint(f[0], 8, 32)
		nm, err2 := strconv.ParseUint(f[1], 8, 32)
		oi, err3 := odb.ParseID(f[2])
		ni, err4 := odb.ParseID(f[3])
		if err := firstErr(err1, err2, err3, err4); err != nil {
			r.t.Fatalf("diff-tree record %q: %v", head, err)
		}
		e.oldMode, e.newMode, e.oldID, e.newID = uint32(om), uint32(nm), oi, ni
		e.status = f[4][0]
		e.path = fields[k+1]
		k += 2
		if e.status == 'R' || e.status == 'C' {
			e.score, _ = strconv.Atoi(f[4][1:])
			e.newPath = fields[k]
			k++
		}
		diffs[c] = append(diffs[c], e)
	}
	return diffs
}

// queue returns commit c's tree diff without renames, limited to paths: a
// walker's input to the detector. It is computed for all commits at once.
func (r *repo) queue(c string, paths []string) []rawEntry {
	r.t.Helper()
	key := strings.Join(paths, "\x00")
	if r.queues[key] == nil {
		r.queues[key] = r.rawDiffs(r.all, []string{"--no-renames"}, paths)
	}
	return r.queues[key][c]
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// isRoot reports whether commit c has no parent.
func (r *repo) isRoot(c string) bool { return r.roots[c] }

// blobs reads blobs through internal/odb: the reader the walker uses.
type blobs struct {
	r     *odb.Reader
	sizes int // Size calls
	reads int // Read calls
}

func (b *blobs) Size(id odb.ID) (int64, error) {
	b.sizes++
	_, n, err := b.r.ReadHeader(id)
	return n, err
}

func (b *blobs) Read(id odb.ID, a *arena.Arena) ([]byte, error) {
	b.reads++
	_, data, err := b.r.Read(id, a)
	return data, err
}

func (r *repo) blobs() *blobs {
	r.t.Helper()
	if r.db == nil {
		gitDir := filepath.Join(r.dir, ".git")
		if _, err := os.Stat(gitDir); err != nil {
			gitDir = r.dir // a bare repository
		}
		db, err := odb.Open(gitDir)
		if err != nil {
			r.t.Fatal(err)
		}
		r.t.Cleanup(func() { db.Close() })
		r.db = db
	}
	return &blobs{r: r.db.NewReader()}
}

// check is one comparison with git: the flags are git's (such as -M30%,
// -l5, -C, --no-rename-empty) and opt are the same as Options; paths, if
// any, limit the diff as a pathspec does.
type check struct {
	flags     []string
	opt       Options
	quotePath bool     // core.quotePath (git's default is true)
	paths     []string // a pathspec, applied before detection
	logArgs   []string // more arguments for git log only (such as --first-parent)
	rowsOnly  bool     // compare the rows only, not the names git log prints
	binary    string   // a pattern (path.Match) of the paths .gitattributes makes binary
}

// key identifies what a check runs, so that checks alike run together.
func (ck check) key() string { return fmt.Sprintf("%q", fmt.Sprintf("%#v", ck)) }

// attr returns what the check's attributes say about path.
func (ck check) attr(p string) Binary {
	if ok, _ := path.Match(ck.binary, p); ok && ck.binary != "" {
		return BinaryYes
	}
	return BinaryAuto
}

// detected is what the detector made of one commit.
type detected struct {
	rows        []rawEntry // in git's order, R and C records included
	needed      int
	degraded    bool
	names       []string // numstat's third column
	gitNames    []string // git's, when compared
	sizes, read int
}

// detect runs the detector on commit c the way a walker would: the
// no-renames tree diff gives the sources and destinations, and the rows
// come back in git's order.
func (r *repo) detect(c string, ck check) detected {
	r.t.Helper()
	queue := r.queue(c, ck.paths)
	var src, dst []File
	if ck.opt.CopiesHarder {
		src = r.unmodified(c, queue)
	}
	srcAt := make([]int, len(queue)) // queue position -> index in src or dst
	for k, e := range queue {
		switch {
		case e.status == 'A':
			srcAt[k] = len(dst)
			dst = append(dst, File{Path: e.path, Mode: e.newMode, ID: e.newID, Binary: ck.attr(e.path)})
		case e.status == 'D':
			srcAt[k] = len(src)
			src = append(src, File{Path: e.path, Mode: e.oldMode, ID: e.oldID, Binary: ck.attr(e.path)})
		case ck.opt.Copies || ck.opt.CopiesHarder:
			srcAt[k] = len(src)
			src = append(src, File{Path: e.path, Mode: e.oldMode, ID: e.oldID, Binary: ck.attr(e.path), Kept: true})
		}
	}
	if r.arena == nil {
		r.arena = arena.New(arena.NewHeap(4 << 20))
	}
	if ck.opt.CopiesHarder { // git's queue holds them all, in path order
		slices.SortStableFunc(src, func(x, y File) int { return strings.Compare(x.Path, y.Path) })
		for k, e := range queue {
			if e.status != 'A' {
				srcAt[k], _ = slices.BinarySearchFunc(src, e.path, func(f File, p string) int { return strings.Compare(f.Path, p) })
			}
		}
	}
	a := r.arena
	a.Reset()
	b := r.blobs()
	res, err := New(b, ck.opt).Detect(a, src, dst)
	if err != nil {
		r.t.Fatalf("Detect: %v", err)
	}
	out := detected{needed: res.NeededLimit, degraded: res.Degraded, sizes: b.sizes, read: b.reads}
	for k, e := range queue {
		switch {
		case e.status == 'A':
			p, ok := res.ForDest(srcAt[k])
			if !ok {
				break
			}
			s := src[p.Src]
			e = rawEntry{oldMode: s.Mode, newMode: e.newMode, oldID: s.ID, newID: e.newID,
				status: 'R', score: p.Percent(), path: s.Path, newPath: e.path}
			if p.Copy {
				e.status = 'C'
			}
		case e.status == 'D' && res.SourceUsed(srcAt[k]):
			continue
		}
		out.rows = append(out.rows, e)
		if e.status == 'R' || e.status == 'C' {
			out.names = append(out.names, FormatPath(e.path, e.newPath, ck.quotePath))
		} else {
			out.names = append(out.names, string(quote.Path(nil, e.path, ck.quotePath)))
		}
	}
	return out
}

// unmodified returns the files of c's first parent that c did not change,
// as Unmodified sources: -C -C offers them too. They come from the
// snapshot the test committed, with ids computed as git does.
func (r *repo) unmodified(c string, queue []rawEntry) []File {
	r.t.Helper()
	if r.isRoot(c) {
		return nil
	}
	changed := map[string]bool{}
	for _, e := range queue {
		changed[e.path] = true
	}
	var files []File
	parent := r.snapshots[r.parent[c]]
	for _, p := range slices.Sorted(maps.Keys(parent)) {
		if changed[p] {
			continue
		}
		e := parent[p]
		id := odb.ID(sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(e.data), e.data))))
		if e.mode == 0o160000 {
			var err error
			if id, err = odb.ParseID(e.data); err != nil {
				r.t.Fatal(err)
			}
		}
		files = append(files, File{Path: p, Mode: e.mode, ID: id, Kept: true, Unmodified: true})
	}
	return files
}

func pathspec(paths []string) []string {
	if len(paths) == 0 {
		return nil
	}
	return append([]string{"--"}, paths...)
}

// gitNames returns, per commit, the third column of its rows in one `git
// log --no-walk --numstat` run.
func (r *repo) gitNames(commits []string, ck check) map[string][]string {
	r.t.Helper()
	args := []string{"-c", "core.quotePath=" + strconv.FormatBool(ck.quotePath),
		"log", "--no-walk=unsorted", "--numstat", "--format=%x01%H"}
	args = append(args, ck.flags...)
	args = append(args, ck.logArgs...)
	mark := map[string]string{}
	for _, c := range commits {
		args = append(args, r.id(c))
		mark[r.id(c)] = c
	}
	args = append(args, pathspec(ck.paths)...)
	names := map[string][]string{}
	var c string
	for _, row := range strings.Split(r.run(args...), "\n") {
		if id, ok := strings.CutPrefix(row, "\x01"); ok {
			c = mark[id]
			continue
		}
		if row == "" {
			continue
		}
		f := strings.SplitN(row, "\t", 3)
		if len(f) != 3 {
			r.t.Fatalf("numstat row %q: want three fields", row)
		}
		names[c] = append(names[c], f[2])
	}
	return names
}

// compare checks the detector against git on commit c: see compareAll.
func (r *repo) compare(c string, ck check) detected {
	r.t.Helper()
	return r.compareAll([]string{c}, ck)[0]
}

// compareAll checks the detector against git on commits: the rows
// (status, score, paths, in order) against `git diff-tree -M --raw`, and
// the names against `git log --numstat`. It returns what the detector
// found per commit.
func (r *repo) compareAll(commits []string, ck check) []detected {
	r.t.Helper()
	flags := ck.flags
	if !slices.ContainsFunc(flags, func(f string) bool { return strings.HasPrefix(f, "-C") }) {
		flags = append([]string{"-M"}, flags...) // diff-tree needs -M; a later -M<n> wins
	}
	want := r.rawDiffs(commits, flags, ck.paths)
	var wantNames map[string][]string
	if !ck.rowsOnly {
		wantNames = r.gitNames(commits, ck)
	}
	var all []detected
	for _, c := range commits {
		got := r.detect(c, ck)
		got.gitNames = wantNames[c]
		all = append(all, got)
		if !slices.Equal(got.rows, want[c]) {
			r.t.Errorf("commit %s%s %v: rows differ from git diff-tree:\n got: %s\nwant: %s",
				c, r.labels[c], ck.flags, showRows(got.rows), showRows(want[c]))
		}
		if !ck.rowsOnly && !slices.Equal(got.names, wantNames[c]) {
			r.t.Errorf("commit %s%s %v: numstat names differ from git log:\n got: %q\nwant: %q",
				c, r.labels[c], ck.flags, got.names, wantNames[c])
		}
	}
	return all
}

func showRows(rows []rawEntry) string {
	var b strings.Builder
	for _, e := range rows {
		b.WriteString("\n  ")
		b.WriteByte(e.status)
		if e.status == 'R' || e.status == 'C' {
			fmt.Fprintf(&b, "%03d %s -> %s", e.score, e.path, e.newPath)
		} else {
			fmt.Fprintf(&b, " %s", e.path)
		}
	}
	return b.String()
}

// logWarning returns git log's stderr for the whole history with flags.
func (r *repo) logWarning(flags ...string) string {
	r.t.Helper()
	r.id(fmt.Sprint(":", r.commits)) // import the history
	args := append([]string{"log", "--numstat", "--format=%H"}, flags...)
	_, stderr, err := r.runErr(args...)
	if err != nil {
		r.t.Fatalf("git %v: %v: %s", args, err, stderr)
	}
	return stderr
}
