package walker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// partialClone makes a blob-less partial clone (`git clone --bare
// --filter=blob:none`) of the renames fixture over file://, and returns
// the fixture's copy and the clone.
func partialClone(t *testing.T) (full, part string) {
	t.Helper()
	testrepos.IsolateGit(t)
	full = testrepos.Path(t, "renames")
	gitOut(t, full, "config", "uploadpack.allowFilter", "true")
	part = filepath.Join(t.TempDir(), "part.git")
	gitOut(t, full, "clone", "-q", "--bare", "--filter=blob:none", "file://"+full, part)
	return full, part
}

// missingObjects is what `git rev-list --objects --missing=print --all`
// says the repository lacks (it fetches nothing).
func missingObjects(t *testing.T, dir string) map[string]bool {
	t.Helper()
	m := map[string]bool{}
	for _, line := range strings.Split(string(gitOut(t, dir, "rev-list", "--objects", "--missing=print", "--all")), "\n") {
		if id, ok := strings.CutPrefix(line, "?"); ok {
			m[id] = true
		}
	}
	return m
}

// rawRow is one row of `git log --raw --no-abbrev`, or one Change.
type rawRow struct {
	commit, status, oldID, newID, oldPath, path string
	oldMode, newMode                            string
}

func (r rawRow) String() string {
	return fmt.Sprintf("%s %s %s -> %s", r.commit[:7], r.status, r.oldPath, r.path)
}

// gitRaw reads `git log --all --raw --no-abbrev -z` with args: its rows,
// per commit.
func gitRaw(t *testing.T, dir string, args ...string) []rawRow {
	t.Helper()
	out := string(gitOut(t, dir, append([]string{"log", "--all", "--raw", "--no-abbrev", "-z", "--format=%x01%H"}, args...)...))
	var rows []rawRow
	var commit string
	fields := strings.Split(out, "\x00")
	for i := 0; i < len(fields); i++ {
		f := strings.TrimLeft(fields[i], "\n")
		if h, ok := strings.CutPrefix(f, "\x01"); ok {
			commit = h
			continue
		}
		if !strings.HasPrefix(f, ":") {
			continue
		}
		p := strings.Fields(f[1:])
		r := rawRow{commit: commit, oldMode: p[0], newMode: p[1], oldID: p[2], newID: p[3], status: p[4][:1]}
		i++
		r.path = fields[i]
		if r.status == "R" || r.status == "C" {
			r.oldPath = r.path
			i++
			r.path = fields[i]
		}
		rows = append(rows, r)
	}
	return rows
}

// walkRows walks repo with opts (every ref) and gives its changes as
// rawRows, with the Missing ones and the commits without changes.
func walkRows(t *testing.T, dir string, opts Options) (rows []rawRow, missing map[string]bool, noChanges []string, st Stats, err error) {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	opts.Revisions, opts.Stats, opts.Workers = []string{"--all"}, &st, 2
	missing = map[string]bool{}
	letter := map[ChangeKind]string{Added: "A", Deleted: "D", Modified: "M", Renamed: "R", Copied: "C"}
	err = r.Walk(context.Background(), opts, func(c *Commit) error {
		if c.ChangesMissing {
			noChanges = append(noChanges, c.Hash.String())
		}
		for _, ch := range c.Changes {
			row := rawRow{commit: c.Hash.String(), status: letter[ch.Kind], oldID: ch.OldHash.String(), newID: ch.NewHash.String(),
				oldPath: ch.OldPath, path: ch.Path, oldMode: fmt.Sprintf("%06o", ch.OldMode), newMode: fmt.Sprintf("%06o", ch.NewMode)}
			if ch.Kind == Modified && ch.OldMode != ch.NewMode && ch.OldMode&0o170000 != ch.NewMode&0o170000 {
				row.status = "T"
			}
			rows = append(rows, row)
			if ch.Missing {
				missing[row.String()] = true
				if ch.Added != 0 || ch.Deleted != 0 || ch.Binary {
					t.Errorf("%s: a Missing change has counts +%d -%d binary %v", row, ch.Added, ch.Deleted, ch.Binary)
				}
			}
		}
		return nil
	})
	return rows, missing, noChanges, st, err
}

func rowStrings(rows []rawRow) []string {
	s := make([]string, len(rows))
	for i, r := range rows {
		s[i] = r.String()
	}
	sort.Strings(s)
	return s
}

func sameRows(t *testing.T, what string, got, want []rawRow) {
	t.Helper()
	g, w := strings.Join(rowStrings(got), "\n"), strings.Join(rowStrings(want), "\n")
	if g != w {
		t.Fatalf("%s: the walk's changes differ from git's\n got:\n%s\nwant:\n%s", what, g, w)
	}
}

func TestAPartialCloneStopsAtAMissingBlobByDefault(t *testing.T) {
	_, part := partialClone(t)
	_, _, _, _, err := walkRows(t, part, Options{})
	var me *odb.MissingError
	if !errors.As(err, &me) || !missingObjects(t, part)[me.ID.String()] {
		t.Fatalf("walk of a partial clone returned %v; want the error naming an object git says is missing", err)
	}
}

func TestAWalkWithoutLineCountsOrRenamesReadsNoBlob(t *testing.T) {
	full, part := partialClone(t)
	rows, missing, noChanges, st, err := walkRows(t, part, Options{NoLineCounts: true, Renames: RenamesOff})
	if err != nil {
		t.Fatalf("walk of a blob-less clone without line counts or renames: %v", err)
	}
	sameRows(t, "--no-renames", rows, gitRaw(t, full, "--no-renames"))
	if len(missing) > 0 || len(noChanges) > 0 || st.MissingObjects > 0 {
		t.Fatalf("nothing should be missing without blobs read: %v %v %+v", missing, noChanges, st)
	}
}

// TestAPartialCloneFindsExactRenamesOnly: with the blobs missing, the
// similarity estimate can judge no pair, so the walk finds what git finds
// with -M100% (exact renames), and says which changes it could not judge:
// the added and deleted regular files of the commits that had some of
// each left to pair.
func TestAPartialCloneFindsExactRenamesOnly(t *testing.T) {
	full, part := partialClone(t)
	for _, action := range []MissingAction{MissingAllowPromisor, MissingAllowAny} {
		t.Run(action.String(), func(t *testing.T) {
			rows, missing, _, st, err := walkRows(t, part, Options{NoLineCounts: true, Missing: action})
			if err != nil {
				t.Fatal(err)
			}
			want := gitRaw(t, full, "-M100%")
			sameRows(t, "-M100%", rows, want)
			gone := missingObjects(t, part)
			regular := func(mode string) bool { return strings.HasPrefix(mode, "100") }
			sides := map[string][2]int{} // per commit: regular added, deleted files
			for _, r := range want {
				s := sides[r.commit]
				if r.status == "A" && regular(r.newMode) {
					s[0]++
				}
				if r.status == "D" && regular(r.oldMode) {
					s[1]++
				}
				sides[r.commit] = s
			}
			wantMissing, ids := map[string]bool{}, map[string]bool{}
			for _, r := range want {
				s := sides[r.commit]
				if s[0] == 0 || s[1] == 0 {
					continue
				}
				if r.status == "A" && regular(r.newMode) && gone[r.newID] {
					wantMissing[r.String()], ids[r.newID] = true, true
				}
				if r.status == "D" && regular(r.oldMode) && gone[r.oldID] {
					wantMissing[r.String()], ids[r.oldID] = true, true
				}
			}
			if len(wantMissing) == 0 {
				t.Fatal("the fixture has no inexact rename to miss")
			}
			if fmt.Sprint(missing) != fmt.Sprint(wantMissing) {
				t.Fatalf("changes marked Missing:\n%v\nwant:\n%v", missing, wantMissing)
			}
			if st.MissingChanges != len(wantMissing) || st.MissingObjects != len(ids) || st.MissingCommits != 0 {
				t.Fatalf("stats: %d changes, %d objects, %d commits; want %d, %d, 0",
					st.MissingChanges, st.MissingObjects, st.MissingCommits, len(wantMissing), len(ids))
			}
		})
	}
}

// TestAPartialCloneWithLineCountsLeavesOutTheCountsOfMissingBlobs: every
// change with a side git says is missing comes without counts; the others
// have git's.
func TestAPartialCloneWithLineCountsLeavesOutTheCountsOfMissingBlobs(t *testing.T) {
	full, part := partialClone(t)
	rows, missing, _, st, err := walkRows(t, part, Options{Renames: RenamesOff, Missing: MissingAllowPromisor})
	if err != nil {
		t.Fatal(err)
	}
	want := gitRaw(t, full, "--no-renames")
	sameRows(t, "--no-renames", rows, want)
	gone := missingObjects(t, part)
	wantMissing, ids := map[string]bool{}, map[string]bool{}
	for _, r := range want {
		for _, side := range [][2]string{{r.oldMode, r.oldID}, {r.newMode, r.newID}} {
			if side[0] != "000000" && side[0] != "160000" && gone[side[1]] {
				wantMissing[r.String()], ids[side[1]] = true, true
			}
		}
	}
	if fmt.Sprint(missing) != fmt.Sprint(wantMissing) || st.MissingChanges != len(wantMissing) {
		t.Fatalf("changes marked Missing (%d):\n%v\nwant:\n%v", st.MissingChanges, missing, wantMissing)
	}
	if st.MissingObjects != len(ids) {
		t.Fatalf("%d missing objects counted; git says the changes' sides lack %d", st.MissingObjects, len(ids))
	}
}

// looseCopy is a copy of the renames fixture with every object loose (its
// pack unpacked by git), so single objects can be deleted.
func looseCopy(t *testing.T) string {
	t.Helper()
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "renames")
	packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
	for _, p := range packs {
		moved := filepath.Join(t.TempDir(), filepath.Base(p))
		if err := os.Rename(p, moved); err != nil {
			t.Fatal(err)
		}
		os.Remove(strings.TrimSuffix(p, ".pack") + ".idx")
		f, err := os.Open(moved)
		if err != nil {
			t.Fatal(err)
		}
		cmd := gitCmd(dir, "unpack-objects", "-q")
		cmd.Stdin = f
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git unpack-objects: %v: %s", err, out)
		}
		f.Close()
	}
	return dir
}

func deleteLoose(t *testing.T, dir, id string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, "objects", id[:2], id[2:])); err != nil {
		t.Fatal(err)
	}
}

func TestAMissingBlobLeavesOutTheCountsOfItsChangesOnly(t *testing.T) {
	dir := looseCopy(t)
	full := gitRaw(t, dir) // before the deletion: git's renames
	blob := strings.TrimSpace(string(gitOut(t, dir, "rev-parse", "main:README")))
	numstat := string(gitOut(t, dir, "log", "--all", "--numstat", "--format=%H"))
	deleteLoose(t, dir, blob)

	if _, _, _, _, err := walkRows(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), blob) {
		t.Fatalf("default: %v; want an error naming %s", err, blob)
	}
	_, _, _, _, err := walkRows(t, dir, Options{Missing: MissingAllowPromisor})
	if err == nil || !strings.Contains(err.Error(), "no promisor remote") {
		t.Fatalf("allow-promisor without a promisor remote: %v; want git's refusal", err)
	}

	rows, missing, _, st, err := walkRows(t, dir, Options{Missing: MissingAllowAny})
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, "default renames", rows, full)
	wantMissing := map[string]bool{}
	for _, r := range full {
		if r.oldID == blob || r.newID == blob {
			wantMissing[r.String()] = true
		}
	}
	if len(wantMissing) == 0 || fmt.Sprint(missing) != fmt.Sprint(wantMissing) {
		t.Fatalf("Missing changes %v, want %v", missing, wantMissing)
	}
	if st.MissingObjects != 1 || len(st.MissingSample) != 1 || st.MissingSample[0].String() != blob || st.MissingPaths != 1 {
		t.Fatalf("stats %+v; want the one blob and the one path", st)
	}
	// Every other change has git's counts: numstat without the missing rows.
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var b strings.Builder
	err = r.Walk(context.Background(), Options{Revisions: []string{"--all"}, Missing: MissingAllowAny}, func(c *Commit) error {
		fmt.Fprintf(&b, "%s\n", c.Hash)
		if len(c.Changes) > 0 {
			b.WriteString("\n")
		}
		for _, ch := range c.Changes {
			switch {
			case ch.Missing:
				fmt.Fprintf(&b, "?\t?\t")
			case ch.Binary:
				fmt.Fprintf(&b, "-\t-\t")
			default:
				fmt.Fprintf(&b, "%d\t%d\t", ch.Added, ch.Deleted)
			}
			if ch.OldPath != "" {
				fmt.Fprintf(&b, "%s => %s\n", ch.OldPath, ch.Path)
			} else {
				fmt.Fprintf(&b, "%s\n", ch.Path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, want := strings.Split(b.String(), "\n"), strings.Split(numstat, "\n")
	if len(got) != len(want) {
		t.Fatalf("numstat has %d lines, git's %d", len(got), len(want))
	}
	for i := range got {
		if strings.HasPrefix(got[i], "?\t?\t") || strings.Contains(want[i], "\"") || strings.Contains(want[i], "{") {
			continue // left out, or a path git quotes or abbreviates
		}
		if got[i] != want[i] {
			t.Fatalf("line %d: %q, git %q", i+1, got[i], want[i])
		}
	}
}

// TestAMissingTreeLeavesOutTheChangesOfTheCommitsThatReadIt: the commits
// whose diff reads the tree are those where `git diff-tree -r -t` shows it
// on either side.
func TestAMissingTreeLeavesOutTheChangesOfTheCommitsThatReadIt(t *testing.T) {
	dir := looseCopy(t)
	var tree string
	for _, r := range gitRaw(t, dir, "-t", "--no-renames") {
		if r.status == "M" && r.newMode == "040000" {
			tree = r.newID // a subtree some commit changed
			break
		}
	}
	if tree == "" {
		t.Fatal("no changed subtree in the fixture")
	}
	want := map[string]bool{}
	for _, line := range strings.Split(string(gitOut(t, dir, "log", "--all", "--format=%H", "--no-merges")), "\n") {
		if line == "" {
			continue
		}
		out := string(gitOut(t, dir, "diff-tree", "--root", "-r", "-t", "--no-abbrev", "--no-renames", line))
		if strings.Contains(out, " "+tree+" ") {
			want[line] = true
		}
	}
	deleteLoose(t, dir, tree)
	_, _, noChanges, st, err := walkRows(t, dir, Options{Missing: MissingAllowAny})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, h := range noChanges {
		got[h] = true
	}
	if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) || st.MissingCommits != len(want) || st.MissingObjects != 1 {
		t.Fatalf("commits without changes %v (stats %d commits, %d objects); want %v", got, st.MissingCommits, st.MissingObjects, want)
	}
}

func TestParseMissingActionTakesGitsNames(t *testing.T) {
	for _, name := range []string{"error", "allow-any", "allow-promisor"} {
		a, err := ParseMissingAction(name)
		if err != nil || a.String() != name {
			t.Errorf("ParseMissingAction(%q) = %v, %v", name, a, err)
		}
	}
	if _, err := ParseMissingAction("print"); err == nil {
		t.Error("print is not a walk's action")
	}
}

func gitCmd(dir string, args ...string) *exec.Cmd {
	return exec.Command("git", append([]string{"-C", dir}, args...)...)
}

func TestFilesAtReadsNoBlob(t *testing.T) {
	_, part := partialClone(t)
	var files []string
	for _, f := range strings.Split(string(gitOut(t, part, "ls-tree", "-r", "--name-only", "-z", "main")), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	r, err := Open(part)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head, err := r.ResolveCommit("main")
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.FilesAt(context.Background(), head, append([]string{"src", "no/such/file"}, files...))
	if err != nil {
		t.Fatalf("FilesAt on a blob-less clone: %v", err)
	}
	if len(got) != len(files) {
		t.Fatalf("FilesAt found %d files, git ls-tree %d: %v", len(got), len(files), got)
	}
	for _, f := range files {
		if !got[f] {
			t.Errorf("FilesAt misses %q", f)
		}
	}
}
