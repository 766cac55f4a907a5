package commitgraph

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// history builds a small history with merges, an octopus (extra edges),
// a date at the 34-bit edge and paths in folders.
func history(t testing.TB) *testrepos.History {
	r := testrepos.NewHistory(t)
	r.Commit("R", 1000, "a=0 dir/b=0 dir/sub/c=0")
	r.Commit("A", 1100, "a=1", "R")
	r.Commit("B", 1050, "dir/b=1", "R")
	r.Commit("C", 1200, "dir/sub/c=1", "R")
	r.Commit("M", 1300, "", "A", "B")
	r.Commit("O", 1400, "x=1", "M", "B", "C") // an octopus: EDGE chunk
	r.Commit("E", 1500, "", "O")              // empty: an empty filter
	r.Commit("F", 1600, "dir/sub/c=2", "E")
	r.Branch("main", "F")
	r.Build("main")
	return r
}

// gitCommits is the oracle: every commit of the repository with its tree,
// parents and committer date, as git prints them from the objects.
func gitCommits(t testing.TB, r *testrepos.History) map[odb.ID]Commit {
	out := r.Git("-c", "core.commitGraph=false", "log", "--all", "--format=%H %T %ct %P")
	want := map[odb.ID]Commit{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		id, _ := odb.ParseID(f[0])
		var c Commit
		c.Tree, _ = odb.ParseID(f[1])
		c.Date, _ = strconv.ParseUint(f[2], 10, 64)
		for _, p := range f[3:] {
			pid, _ := odb.ParseID(p)
			c.Parents = append(c.Parents, pid)
		}
		want[id] = c
	}
	return want
}

func objDir(r *testrepos.History) []string { return []string{filepath.Join(r.Dir, "objects")} }

func checkAgainstGit(t *testing.T, r *testrepos.History, g *Graph, want map[odb.ID]Commit) {
	t.Helper()
	if g.Len() != len(want) {
		t.Fatalf("graph holds %d commits, git has %d", g.Len(), len(want))
	}
	var c Commit
	for id, w := range want {
		if !g.Find(id, &c) {
			t.Fatalf("commit %s (%s) not found", id, r.Names[id.String()])
		}
		if c.Tree != w.Tree || c.Date != w.Date || !equalIDs(c.Parents, w.Parents) {
			t.Errorf("commit %s: graph says tree %s date %d parents %v; git says %s %d %v",
				r.Names[id.String()], c.Tree, c.Date, c.Parents, w.Tree, w.Date, w.Parents)
		}
		if c.Level == 0 {
			t.Errorf("commit %s: topological level 0", r.Names[id.String()])
		}
	}
	var missing odb.ID
	missing[0] = 0xff
	if g.Find(missing, &c) {
		t.Errorf("found a commit the graph does not hold")
	}
}

func equalIDs(a, b []odb.ID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestASingleFileGivesWhatTheObjectsSay(t *testing.T) {
	r := history(t)
	r.Git("commit-graph", "write", "--reachable", "--changed-paths")
	g, err := Open(objDir(r))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if g.Layers() != 1 || !g.HasGenerationData() {
		t.Errorf("layers %d, generation data %t; want 1 layer with GDA2", g.Layers(), g.HasGenerationData())
	}
	checkAgainstGit(t, r, g, gitCommits(t, r))
	// Levels: R is 1, and a child is one more than its highest parent.
	want := gitCommits(t, r)
	var c, p Commit
	for id := range want {
		g.Find(id, &c)
		var top uint32
		for _, pid := range c.Parents {
			g.Find(pid, &p)
			top = max(top, p.Level)
		}
		if c.Level != top+1 || c.Generation < c.Date {
			t.Errorf("commit %s: level %d (parents' top %d), generation %d, date %d", r.Names[id.String()], c.Level, top, c.Generation, c.Date)
		}
	}
}

func TestAChainGivesWhatTheObjectsSay(t *testing.T) {
	r := history(t)
	r.Git("commit-graph", "write", "--reachable", "--split=no-merge")
	extend(r, "G", 1700, "F")
	extend(r, "H", 1800, "O")
	r.Git("commit-graph", "write", "--reachable", "--split=no-merge")
	g, err := Open(objDir(r))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if g.Layers() != 2 || g.Note() != "" {
		t.Fatalf("%d layers (note %q), want 2", g.Layers(), g.Note())
	}
	checkAgainstGit(t, r, g, gitCommits(t, r))
}

func TestAChainWithoutItsBaseIsNotUsed(t *testing.T) {
	r := history(t)
	r.Git("commit-graph", "write", "--reachable", "--split=no-merge")
	extend(r, "G", 1700, "F")
	r.Git("commit-graph", "write", "--reachable", "--split=no-merge")
	chain := readChain(t, r)
	if len(chain) != 2 {
		t.Fatalf("chain of %d layers", len(chain))
	}
	// The top layer gone: the base is used, and the note says why.
	top := filepath.Join(r.Dir, "objects/info/commit-graphs/graph-"+chain[1]+".graph")
	if err := os.Rename(top, top+".away"); err != nil {
		t.Fatal(err)
	}
	g, err := Open(objDir(r))
	if err != nil {
		t.Fatal(err)
	}
	if g.Layers() != 1 || !strings.Contains(g.Note(), "layer 1") {
		t.Errorf("%d layers, note %q; want the base alone and a note", g.Layers(), g.Note())
	}
	g.Close()
	if err := os.Rename(top+".away", top); err != nil {
		t.Fatal(err)
	}
	// The base gone: nothing is usable.
	base := filepath.Join(r.Dir, "objects/info/commit-graphs/graph-"+chain[0]+".graph")
	if err := os.Remove(base); err != nil {
		t.Fatal(err)
	}
	if g, err := Open(objDir(r)); err == nil || errors.Is(err, ErrNoGraph) {
		t.Errorf("chain without its base: graph %v, error %v; want an error saying why", g, err)
	}
}

// extend makes commit name on branch name, a child of the commit named
// parent (built earlier), with parent's tree and the file name changed.
func extend(r *testrepos.History, name string, date int64, parent string) {
	var hash string
	for h, n := range r.Names {
		if n == parent {
			hash = h
		}
	}
	fmt.Fprintf(&r.Stream, "commit refs/heads/%s\ncommitter C <c@example.com> %d +0000\ndata %d\n%s\nfrom %s\nM 100644 inline %s\ndata 1\n1\n\n",
		name, date, len(name), name, hash, name)
	r.Git("fast-import", "--quiet")
	r.Stream.Reset()
	h := strings.TrimSpace(r.Git("rev-parse", "refs/heads/"+name))
	r.Names[h] = name
}

func readChain(t *testing.T, r *testrepos.History) []string {
	data, err := os.ReadFile(filepath.Join(r.Dir, "objects/info/commit-graphs/commit-graph-chain"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

func TestNoGraphIsErrNoGraph(t *testing.T) {
	r := history(t)
	if _, err := Open(objDir(r)); !errors.Is(err, ErrNoGraph) {
		t.Errorf("got %v, want ErrNoGraph", err)
	}
}

// TestADamagedFileIsRefusedWithAReason damages a graph git wrote in each
// way, and checks that Open refuses it and says what is wrong.
func TestADamagedFileIsRefusedWithAReason(t *testing.T) {
	r := history(t)
	r.Git("commit-graph", "write", "--reachable", "--changed-paths")
	path := filepath.Join(r.Dir, "objects/info/commit-graph")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	chunkOff := func(data []byte, id string) int {
		for i := 0; i < int(data[6]); i++ {
			e := data[headerSize+i*tocEntry:]
			if string(e[:4]) == id {
				return int(uint64(e[4])<<56 | uint64(e[5])<<48 | uint64(e[6])<<40 | uint64(e[7])<<32 | uint64(e[8])<<24 | uint64(e[9])<<16 | uint64(e[10])<<8 | uint64(e[11]))
			}
		}
		t.Fatalf("no chunk %s", id)
		return 0
	}
	resum := func(d []byte) []byte {
		sum := sha1Sum(d[:len(d)-hashLen])
		copy(d[len(d)-hashLen:], sum[:])
		return d
	}
	for _, tc := range []struct {
		name   string
		damage func(d []byte) []byte
		says   string
	}{
		{"a flipped signature", func(d []byte) []byte { d[0] ^= 1; return d }, "signature"},
		{"another version", func(d []byte) []byte { d[4] = 2; return resum(d) }, "version"},
		{"another hash", func(d []byte) []byte { d[5] = 2; return resum(d) }, "hash version"},
		{"a flipped byte in the commit data", func(d []byte) []byte { d[chunkOff(d, "CDAT")+hashLen+11] ^= 4; return d }, "checksum"},
		{"a wrong trailer", func(d []byte) []byte { d[len(d)-1] ^= 0x80; return d }, "checksum"},
		{"truncated", func(d []byte) []byte { return d[:len(d)-100] }, ""},
		{"truncated to its header", func(d []byte) []byte { return d[:10] }, "too small"},
		{"a chunk offset past the end", func(d []byte) []byte {
			d[headerSize+4+7] = 0xff
			d[headerSize+4+6] = 0xff
			return resum(d)
		}, "out of place"},
		{"a parent position out of range", func(d []byte) []byte {
			o := chunkOff(d, "CDAT") + hashLen
			for i := 0; ; i += cdatEntry {
				if d[o+i] != 0x70 { // a commit with a parent
					d[o+i] = 0x10
					break
				}
			}
			return resum(d)
		}, "out of range"},
		{"ids out of order", func(d []byte) []byte {
			o := chunkOff(d, "OIDL")
			copy(d[o:o+hashLen], d[o+hashLen:o+2*hashLen])
			return resum(d)
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.damage(append([]byte(nil), good...))
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			g, err := Open(objDir(r))
			if err == nil {
				g.Close()
				t.Fatal("a damaged graph was opened")
			}
			if errors.Is(err, ErrNoGraph) || !strings.Contains(err.Error(), tc.says) || strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error %q does not say %q in one line", err, tc.says)
			}
			if _, err := Parse(data); !errors.Is(err, ErrDamaged) {
				t.Errorf("Parse: %v, want ErrDamaged", err)
			}
		})
	}
}
