package renames

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/quote"
)

// repo is a work tree made with C git for one test.
type repo struct {
	t       testing.TB
	dir     string
	env     []string
	commits int
	db      *odb.DB
	root    string // the first commit
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
	r := &repo{t: t, dir: filepath.Join(dir, "w")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") { // GIT_DIR, GIT_BASENAME_FACTOR... would change what git does
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env, "GIT_CONFIG_NOSYSTEM=1", "HOME="+home, "XDG_CONFIG_HOME="+home,
		"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@b", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@b",
		"LC_ALL=C")
	r.run("init", "-q", r.dir)
	return r
}

// run runs git in the work tree and returns its stdout; it fails the test
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
	cmd := exec.Command("git", args...)
	if _, statErr := os.Stat(r.dir); statErr == nil {
		cmd.Dir = r.dir
	}
	cmd.Env = r.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

func (r *repo) write(path, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	_ = os.Remove(p) // it may be a symlink
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) symlink(target, path string) {
	r.t.Helper()
	p := filepath.Join(r.dir, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	_ = os.RemoveAll(p)
	if err := os.Symlink(target, p); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) remove(paths ...string) {
	r.t.Helper()
	for _, path := range paths {
		if err := os.RemoveAll(filepath.Join(r.dir, path)); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *repo) move(from, to string) {
	r.t.Helper()
	data, err := os.ReadFile(filepath.Join(r.dir, from))
	if err != nil {
		r.t.Fatal(err)
	}
	r.remove(from)
	r.write(to, string(data))
}

func (r *repo) chmod(path string, mode os.FileMode) {
	r.t.Helper()
	if err := os.Chmod(filepath.Join(r.dir, path), mode); err != nil {
		r.t.Fatal(err)
	}
}

// commit commits the work tree as it is (git add -A) at a fixed date and
// returns the commit id.
func (r *repo) commit(msg string) string {
	r.t.Helper()
	r.run("add", "-A")
	return r.commitIndex(msg)
}

// commitIndex commits the index as it is.
func (r *repo) commitIndex(msg string) string {
	r.t.Helper()
	r.commits++
	date := fmt.Sprintf("2020-01-01T00:%02d:%02dZ", r.commits/60, r.commits%60)
	r.env = append(r.env, "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	r.run("commit", "-q", "--allow-empty", "--no-verify", "-m", msg)
	id := r.head()
	if r.root == "" {
		r.root = id
	}
	return id
}

// head reads the commit HEAD names from the files (rather than spawning
// git rev-parse: the tests spend their time starting git).
func (r *repo) head() string {
	r.t.Helper()
	ref, err := os.ReadFile(filepath.Join(r.dir, ".git", "HEAD"))
	if err != nil {
		r.t.Fatal(err)
	}
	name, ok := strings.CutPrefix(strings.TrimSpace(string(ref)), "ref: ")
	if !ok {
		return strings.TrimSpace(string(ref))
	}
	id, err := os.ReadFile(filepath.Join(r.dir, ".git", filepath.FromSlash(name)))
	if err != nil {
		r.t.Fatal(err)
	}
	return strings.TrimSpace(string(id))
}

// rawEntry is one record of `git diff-tree --raw -z`.
type rawEntry struct {
	oldMode, newMode uint32
	oldID, newID     odb.ID
	status           byte
	score            int // for R and C
	path, newPath    string
}

// rawDiff runs diff-tree -r --raw -z with flags on commit c (against its
// first parent, or as a root), limited to paths if any, and parses it.
func (r *repo) rawDiff(c string, flags, paths []string) []rawEntry {
	r.t.Helper()
	all := []string{"diff-tree", "-r", "--raw", "-z", "--no-commit-id"}
	all = append(all, flags...)
	if r.isRoot(c) {
		all = append(all, "--root", c)
	} else {
		all = append(all, c+"^", c)
	}
	all = append(all, pathspec(paths)...)
	out := r.run(all...)
	var entries []rawEntry
	fields := strings.Split(out, "\x00")
	for k := 0; k+1 < len(fields); {
		head := strings.TrimPrefix(fields[k], ":")
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
		entries = append(entries, e)
	}
	return entries
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// isRoot reports whether c is the repository's first commit, the only one
// without a parent in these tests.
func (r *repo) isRoot(c string) bool { return c == r.root }

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
		db, err := odb.Open(filepath.Join(r.dir, ".git"))
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
}

// detected is what the detector made of one commit.
type detected struct {
	rows        []rawEntry // in git's order, R and C records included
	needed      int
	names       []string // numstat's third column
	sizes, read int
}

// detect runs the detector on commit c the way a walker would: the
// no-renames tree diff gives the sources and destinations, and the rows
// come back in git's order.
func (r *repo) detect(c string, ck check) detected {
	r.t.Helper()
	queue := r.rawDiff(c, []string{"--no-renames"}, ck.paths)
	var src, dst []File
	srcAt := make([]int, len(queue)) // queue position -> index in src or dst
	for k, e := range queue {
		switch {
		case e.status == 'A':
			srcAt[k] = len(dst)
			dst = append(dst, File{Path: e.path, Mode: e.newMode, ID: e.newID})
		case e.status == 'D':
			srcAt[k] = len(src)
			src = append(src, File{Path: e.path, Mode: e.oldMode, ID: e.oldID})
		case ck.opt.Copies:
			srcAt[k] = len(src)
			src = append(src, File{Path: e.path, Mode: e.oldMode, ID: e.oldID, Kept: true})
		}
	}
	a := arena.New(arena.NewHeap(64 << 20))
	b := r.blobs()
	res, err := New(b, ck.opt).Detect(a, src, dst)
	if err != nil {
		r.t.Fatalf("Detect: %v", err)
	}
	out := detected{needed: res.NeededLimit, sizes: b.sizes, read: b.reads}
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

func pathspec(paths []string) []string {
	if len(paths) == 0 {
		return nil
	}
	return append([]string{"--"}, paths...)
}

// gitNames returns the third column of `git log -1 --numstat` for c.
func (r *repo) gitNames(c string, ck check) []string {
	r.t.Helper()
	args := []string{"-c", "core.quotePath=" + strconv.FormatBool(ck.quotePath), "log", "-1", "--numstat", "--format="}
	args = append(args, ck.flags...)
	args = append(args, ck.logArgs...)
	args = append(args, c)
	args = append(args, pathspec(ck.paths)...)
	var names []string
	for _, row := range strings.Split(r.run(args...), "\n") {
		if row == "" {
			continue
		}
		f := strings.SplitN(row, "\t", 3)
		if len(f) != 3 {
			r.t.Fatalf("numstat row %q: want three fields", row)
		}
		names = append(names, f[2])
	}
	return names
}

// compare checks the detector against git on commit c: the rows (status,
// score, paths, in order) against `git diff-tree -M --raw`, and the names
// against `git log --numstat`. It returns what the detector found.
func (r *repo) compare(c string, ck check) detected {
	r.t.Helper()
	got := r.detect(c, ck)
	flags := ck.flags
	if !slices.ContainsFunc(flags, func(f string) bool { return strings.HasPrefix(f, "-C") }) {
		flags = append([]string{"-M"}, flags...) // diff-tree needs -M; a later -M<n> wins
	}
	want := r.rawDiff(c, flags, ck.paths)
	if !slices.Equal(got.rows, want) {
		r.t.Errorf("commit %.7s %v: rows differ from git diff-tree:\n got: %s\nwant: %s",
			c, ck.flags, showRows(got.rows), showRows(want))
	}
	if wantNames := r.gitNames(c, ck); !slices.Equal(got.names, wantNames) {
		r.t.Errorf("commit %.7s %v: numstat names differ from git log:\n got: %q\nwant: %q",
			c, ck.flags, got.names, wantNames)
	}
	return got
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
	args := append([]string{"log", "--numstat", "--format=%H"}, flags...)
	_, stderr, err := r.runErr(args...)
	if err != nil {
		r.t.Fatalf("git %v: %v: %s", args, err, stderr)
	}
	return stderr
}
