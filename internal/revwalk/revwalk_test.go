package revwalk

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/odb"
)

// fakeRepo is an in-memory ObjectSource of commits built by name, with
// trees as path->content maps, for the fact sheet's small experiments.
type fakeRepo struct {
	t       *testing.T
	objs    map[odb.ID][]byte
	ids     map[string]odb.ID
	names   map[odb.ID]string
	trees   map[odb.ID]map[string]string
	files   map[string]map[string]string // commit name -> its files
	reads   int
	missing map[odb.ID]bool
}

func newFakeRepo(t *testing.T) *fakeRepo {
	return &fakeRepo{t: t, objs: map[odb.ID][]byte{}, ids: map[string]odb.ID{}, names: map[odb.ID]string{},
		trees: map[odb.ID]map[string]string{}, files: map[string]map[string]string{}, missing: map[odb.ID]bool{}}
}

// mk makes commit name at committer time date with the given parents; its
// files are the first parent's with edits applied ("path=content", and
// "path=-" deletes).
func (f *fakeRepo) mk(name string, date int64, edits string, parents ...string) {
	f.t.Helper()
	files := map[string]string{}
	if len(parents) > 0 {
		for k, v := range f.files[parents[0]] {
			files[k] = v
		}
	}
	for _, e := range strings.Fields(edits) {
		k, v, ok := strings.Cut(e, "=")
		if !ok {
			f.t.Fatalf("bad edit %q", e)
		}
		if v == "-" {
			delete(files, k)
		} else {
			files[k] = v
		}
	}
	f.files[name] = files
	tree := f.treeID(files)
	var b strings.Builder
	fmt.Fprintf(&b, "tree %s\n", tree)
	for _, p := range parents {
		id, ok := f.ids[p]
		if !ok {
			f.t.Fatalf("unknown parent %q of %q", p, name)
		}
		fmt.Fprintf(&b, "parent %s\n", id)
	}
	fmt.Fprintf(&b, "author A U Thor <a@example.com> %d +0000\n", date)
	fmt.Fprintf(&b, "committer C O Mitter <c@example.com> %d +0000\n\n%s\n", date, name)
	data := []byte(b.String())
	id := odb.ID(sha1.Sum(append([]byte(fmt.Sprintf("commit %d\x00", len(data))), data...)))
	f.objs[id] = data
	f.ids[name] = id
	f.names[id] = name
}

func (f *fakeRepo) treeID(files map[string]string) odb.ID {
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("faketree\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, files[k])
	}
	id := odb.ID(sha1.Sum([]byte(b.String())))
	f.trees[id] = files
	return id
}

var errFakeMissing = errors.New("fake object missing")

func (f *fakeRepo) ReadObject(id odb.ID) (odb.Type, []byte, error) {
	f.reads++
	if data, ok := f.objs[id]; ok && !f.missing[id] {
		return odb.Commit, data, nil
	}
	return odb.BadType, nil, fmt.Errorf("object %s: %w", id, errFakeMissing)
}

func (f *fakeRepo) ResolvePrefix(hex string) (odb.ID, error) {
	var found []odb.ID
	for id := range f.objs {
		if strings.HasPrefix(id.String(), strings.ToLower(hex)) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		return odb.ID{}, fmt.Errorf("prefix %s: %d objects", hex, len(found))
	}
	return found[0], nil
}

// sameUnder returns a sameUnderPaths for path prefixes (a path or a folder).
func (f *fakeRepo) sameUnder(paths ...string) func(a, b odb.ID) (bool, error) {
	match := func(p string) bool {
		for _, q := range paths {
			if p == q || strings.HasPrefix(p, q+"/") {
				return true
			}
		}
		return false
	}
	return func(a, b odb.ID) (bool, error) {
		ta, tb := f.trees[a], f.trees[b] // zero id: nil map, the empty tree
		for k, v := range ta {
			if match(k) && tb[k] != v {
				return false, nil
			}
		}
		for k, v := range tb {
			if match(k) && ta[k] != v {
				return false, nil
			}
		}
		return true, nil
	}
}

// tips turns "X", "^X", "A..B" and "A...B" into tips, as revision.Resolve
// would for names that are commits.
func (f *fakeRepo) tips(g *Graph, args ...string) []Tip {
	f.t.Helper()
	id := func(name string) odb.ID {
		f.t.Helper()
		v, ok := f.ids[name]
		if !ok {
			f.t.Fatalf("unknown commit %q", name)
		}
		return v
	}
	var tips []Tip
	for _, a := range args {
		switch {
		case strings.Contains(a, "..."):
			l, r, _ := strings.Cut(a, "...")
			ca, cb := g.Lookup(id(l)), g.Lookup(id(r))
			if err := g.Parse(ca); err != nil {
				f.t.Fatal(err)
			}
			if err := g.Parse(cb); err != nil {
				f.t.Fatal(err)
			}
			bases, err := MergeBases(g, ca, cb)
			if err != nil {
				f.t.Fatal(err)
			}
			for _, m := range bases {
				tips = append(tips, Tip{ID: m.ID, Negative: true})
			}
			tips = append(tips, Tip{ID: id(l), Name: l}, Tip{ID: id(r), Name: r})
		case strings.Contains(a, ".."):
			l, r, _ := strings.Cut(a, "..")
			tips = append(tips, Tip{ID: id(l), Negative: true, Name: l}, Tip{ID: id(r), Name: r})
		case strings.HasPrefix(a, "^"):
			tips = append(tips, Tip{ID: id(a[1:]), Negative: true, Name: a})
		default:
			tips = append(tips, Tip{ID: id(a), Name: a})
		}
	}
	return tips
}

// walk runs the walk and returns the subjects, space separated.
func (f *fakeRepo) walk(opt Options, args ...string) string {
	f.t.Helper()
	out, err := f.walkErr(opt, nil, args...)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fakeRepo) walkErr(opt Options, shallow map[odb.ID]struct{}, args ...string) (string, error) {
	f.t.Helper()
	g := NewGraph(f, shallow)
	w, err := New(context.Background(), g, f.tips(g, args...), opt)
	if err != nil {
		return "", err
	}
	var names []string
	for {
		n, err := w.Next()
		if err != nil {
			return "", err
		}
		if n == nil {
			break
		}
		names = append(names, f.names[n.ID])
	}
	return strings.Join(names, " "), nil
}

// all is Options with no limit, the zero value being "-n0".
func all() Options { return Options{MaxCount: -1} }

func TestRevWalkOrderMatchesGitExperiments(t *testing.T) {
	// e1 of the fact sheet.
	f := newFakeRepo(t)
	f.mk("R", 1000, "r=1")
	f.mk("X1", 2000, "x=1", "R")
	f.mk("Y1", 2000, "y=1", "R")
	f.mk("M", 3000, "", "X1", "Y1")
	f.mk("M2", 3000, "", "Y1", "X1")
	f.mk("B0", 2400, "b=1", "R")
	f.mk("A0", 2500, "a=1", "B0")
	f.mk("Q2", 2400, "q=1", "R")
	f.mk("N3", 3000, "", "A0", "Q2")
	f.mk("C1", 50, "c1=1", "R")
	f.mk("C2", 200, "c2=1", "R")
	f.mk("S", 300, "", "C1", "C2")
	// e2: three tips of one date.
	f.mk("P", 2000, "p=1", "R")
	f.mk("Q", 2000, "q=2", "R")
	f.mk("SS", 2000, "s=1", "R")
	// e16: --first-parent with several tips under --topo-order.
	f.mk("A", 1100, "a=2", "R")
	f.mk("C", 1200, "c=2", "R")
	f.mk("D", 1300, "", "A", "C")
	f.mk("T1", 1400, "t1=1", "D")
	f.mk("T2", 1500, "t2=1", "C")
	// e15: Y1b is the second parent of Xm.
	f.mk("Y1b", 1100, "y=2", "R")
	f.mk("Xm", 1200, "", "R", "Y1b")
	f.mk("Y2", 1300, "y=3", "Y1b")

	topo := all()
	topo.TopoOrder = true
	date := all()
	date.DateOrder = true
	n2 := all()
	n2.MaxCount = 2
	skip1n2 := n2
	skip1n2.Skip = 1
	rev := n2
	rev.Reverse = true
	revSkip := skip1n2
	revSkip.Reverse = true
	none := all()
	none.MaxCount = 0
	fp := all()
	fp.FirstParent = true
	fpTopo := topo
	fpTopo.FirstParent = true
	noMerges := all()
	noMerges.NoMerges = true
	merges := all()
	merges.MergesOnly = true

	tests := []struct {
		name string
		opt  Options
		args []string
		want string
	}{
		{"equal-date parents come out in parent order", all(), []string{"M"}, "M X1 Y1 R"},
		{"swapping the parents swaps them in the output", all(), []string{"M2"}, "M2 Y1 X1 R"},
		{"a queued commit beats a newly queued one of the same date", all(), []string{"N3"}, "N3 A0 Q2 B0 R"},
		{"a parent newer than the queue is shown before its own child", all(), []string{"S"}, "S C2 R C1"},
		{"topo order shows the second parent's line first", topo, []string{"M"}, "M Y1 X1 R"},
		{"topo order on N3", topo, []string{"N3"}, "N3 Q2 A0 B0 R"},
		{"date order on N3 keeps the date walk", date, []string{"N3"}, "N3 A0 Q2 B0 R"},
		{"topo order puts a child before its parent", topo, []string{"S"}, "S C2 C1 R"},
		{"date order puts a child before its parent", date, []string{"S"}, "S C2 C1 R"},
		{"-n2", n2, []string{"N3"}, "N3 A0"},
		{"--skip=1 -n2 skips before counting", skip1n2, []string{"N3"}, "A0 Q2"},
		{"--reverse -n2 reverses the selection", rev, []string{"N3"}, "A0 N3"},
		{"--reverse --skip=1 -n2", revSkip, []string{"N3"}, "Q2 A0"},
		{"-n0 shows nothing", none, []string{"N3"}, ""},
		{"tips of one date keep argument order", all(), []string{"P", "Q", "SS"}, "P Q SS R"},
		{"tips of one date keep argument order reversed", all(), []string{"SS", "Q", "P"}, "SS Q P R"},
		{"a tip given twice keeps its first place", all(), []string{"P", "Q", "P"}, "P Q R"},
		{"symmetric difference", all(), []string{"M...N3"}, "M N3 A0 Q2 B0 X1 Y1"},
		{"symmetric difference the other way", all(), []string{"N3...M"}, "N3 M A0 Q2 B0 X1 Y1"},
		{"range", all(), []string{"M..N3"}, "N3 A0 Q2 B0"},
		{"a commit given both ways is hidden", all(), []string{"N3", "^N3"}, ""},
		{"first parent ranges still exclude all parents of the negative", fp, []string{"Xm..Y2"}, "Y2"},
		{"first parent topo order counts every parent edge", fpTopo, []string{"T1", "T2"}, "T2 T1 D C A R"},
		{"first parent follows parent 1 only", fp, []string{"N3"}, "N3 A0 B0 R"},
		{"--no-merges", noMerges, []string{"N3"}, "A0 Q2 B0 R"},
		{"--merges", merges, []string{"N3", "M"}, "N3 M"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			if got := f.walk(tc.opt, tc.args...); got != tc.want {
				t.Errorf("walk %v = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
}

func TestRevWalkSlopLeaksAnAncestorBehindALongOldChain(t *testing.T) {
	// e9: X@1000 <- P@2000; X <- N_k@100k <- ... <- N1@100 <- N0@3000.
	for _, tc := range []struct {
		k    int
		topo bool
		want string
	}{
		{6, false, "P"},
		{7, false, "P X"},
		{7, true, "P X"},
	} {
		t.Run(fmt.Sprintf("chain of %d topo=%v", tc.k, tc.topo), func(t *testing.T) {
			f := newFakeRepo(t)
			f.mk("X", 1000, "x=1")
			f.mk("P", 2000, "p=1", "X")
			prev := "X"
			for i := tc.k; i >= 1; i-- {
				name := fmt.Sprintf("N%d", i)
				f.mk(name, int64(100*i), name+"=1", prev)
				prev = name
			}
			f.mk("N0", 3000, "n0=1", prev)
			opt := all()
			opt.TopoOrder = tc.topo
			if got := f.walk(opt, "P", "^N0"); got != tc.want {
				t.Errorf("P ^N0 = %q, want %q", got, tc.want)
			}
			if got := f.walk(opt, "N0..P"); got != tc.want {
				t.Errorf("N0..P = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRevWalkSinceAndUntilFollowGitsOddRules(t *testing.T) {
	// e10.
	f := newFakeRepo(t)
	f.mk("A", 1000, "a=1")
	f.mk("B", 2000, "b=1", "A")
	f.mk("C", 500, "c=1", "B")
	f.mk("D", 3000, "d=1", "C", "B")
	f.mk("Z", 10, "z=1")
	f.mk("E", 100, "e=1", "A")
	f.mk("F", 5000, "f=1", "E")
	since := func(d int64) Options { o := all(); o.Since, o.HasSince = d, true; return o }
	until := func(d int64) Options { o := all(); o.Until, o.HasUntil = d, true; return o }
	topoSince := since(1500)
	topoSince.TopoOrder = true
	tests := []struct {
		name string
		opt  Options
		args []string
		want string
	}{
		{"since drops old commits but walks on through newer ones", since(1500), []string{"D"}, "D B"},
		{"since in a limited walk paints old commits' ancestors", since(1500), []string{"D", "^Z"}, "D"},
		{"since under topo order is limited too", topoSince, []string{"D"}, "D"},
		{"until is a pure filter", until(1000), []string{"D"}, "A C"},
		{"a commit at the since date is kept", since(2000), []string{"D"}, "D B"},
		{"a commit reachable only through an old one is lost", since(500), []string{"F"}, "F"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			if got := f.walk(tc.opt, tc.args...); got != tc.want {
				t.Errorf("walk %v = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
}

func TestRevWalkPathLimitingSimplifiesAsGitDoes(t *testing.T) {
	// e7: R(a,b,c,d=0); M1 (+x,+e); S1 (a,b,c=1,+e); J=(M1,S1) with a from
	// M1, b from S1, c=2.
	f := newFakeRepo(t)
	f.mk("R", 1000, "a=0 b=0 c=0 d=0")
	f.mk("M1", 1100, "x=1 e=1", "R")
	f.mk("S1", 1050, "a=1 b=1 c=1 e=1", "R")
	f.mk("J", 1200, "b=1 c=2", "M1", "S1")
	// The timing trap: T->S1, T2->U->S1, negatives.
	f.mk("T", 1300, "t=1", "S1")
	f.mk("U", 1120, "u=1", "S1")
	f.mk("T2", 1150, "t2=1", "U")
	// e6: M4=(A,B) with A's tree.
	f.mk("R6", 1000, "a=0 b=0")
	f.mk("A6", 1100, "a=1", "R6")
	f.mk("B6", 1200, "b=1", "R6")
	f.mk("M4", 1300, "b=0", "A6", "B6")

	mode := func(path string, full, firstParent bool) Options {
		o := all()
		o.SameUnderPaths = f.sameUnder(path)
		o.FullHistory = full
		o.FirstParent = firstParent
		return o
	}
	tests := []struct {
		path                   string
		def, full, firstParent string
	}{
		{"a", "R", "J S1 R", "R"},
		{"b", "S1 R", "J S1 R", "J R"},
		{"c", "J S1 R", "J S1 R", "J R"},
		{"d", "R", "R", "R"},
		{"e", "M1", "M1 S1", "M1"},
	}
	for _, tc := range tests {
		t.Run("path "+tc.path, func(t *testing.T) {
			f.t = t
			if got := f.walk(mode(tc.path, false, false), "J"); got != tc.def {
				t.Errorf("default -- %s = %q, want %q", tc.path, got, tc.def)
			}
			if got := f.walk(mode(tc.path, true, false), "J"); got != tc.full {
				t.Errorf("--full-history -- %s = %q, want %q", tc.path, got, tc.full)
			}
			if got := f.walk(mode(tc.path, false, true), "J"); got != tc.firstParent {
				t.Errorf("--first-parent -- %s = %q, want %q", tc.path, got, tc.firstParent)
			}
		})
	}
	trap := []struct {
		name string
		opt  Options
		args []string
		want string
	}{
		{"a parent flagged at setup is irrelevant", mode("b", false, false), []string{"^T", "J"}, "J"},
		{"a parent flagged later was followed", mode("b", false, false), []string{"^T2", "J"}, ""},
		{"full history keeps the merge, flagged at setup", mode("b", true, false), []string{"^T", "J"}, "J"},
		{"full history keeps the merge, flagged later", mode("b", true, false), []string{"^T2", "J"}, "J"},
		{"a merge with a parent's tree follows that parent", mode("a", false, false), []string{"M4"}, "A6 R6"},
		{"first parent with a merge of parent 1's tree", mode("a", false, true), []string{"M4"}, "A6 R6"},
	}
	for _, tc := range trap {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			if got := f.walk(tc.opt, tc.args...); got != tc.want {
				t.Errorf("walk %v = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
}

func TestRevWalkShallowCommitsActAsRoots(t *testing.T) {
	f := newFakeRepo(t)
	f.mk("R", 1000, "r=1")
	f.mk("A", 1100, "a=1", "R")
	f.mk("B", 1200, "b=1", "A")
	got, err := f.walkErr(all(), map[odb.ID]struct{}{f.ids["A"]: {}}, "B")
	if err != nil {
		t.Fatal(err)
	}
	if got != "B A" {
		t.Errorf("walk B with A shallow = %q, want %q", got, "B A")
	}
}

func TestRevWalkMissingParentIsAnErrorNamingIt(t *testing.T) {
	f := newFakeRepo(t)
	f.mk("R", 1000, "r=1")
	f.mk("A", 1100, "a=1", "R")
	f.mk("B", 1200, "b=1", "A")
	f.missing[f.ids["R"]] = true
	_, err := f.walkErr(all(), nil, "B")
	if !errors.Is(err, errFakeMissing) || !strings.Contains(err.Error(), f.ids["R"].String()) {
		t.Fatalf("walk with R missing: err = %v, want one naming %s", err, f.ids["R"])
	}
	// Under a negative tip git parses gently: no error, R is simply not reached.
	got, err := f.walkErr(all(), nil, "B", "^A")
	if err != nil || got != "B" {
		t.Fatalf("B ^A with R missing = %q, %v; want B, no error", got, err)
	}
}

func TestRevWalkReadsLazilyWithoutNegatives(t *testing.T) {
	f := newFakeRepo(t)
	prev := ""
	for i := 0; i < 100; i++ {
		name := fmt.Sprintf("c%d", i)
		if prev == "" {
			f.mk(name, int64(1000+i), name+"=1")
		} else {
			f.mk(name, int64(1000+i), name+"=1", prev)
		}
		prev = name
	}
	opt := all()
	opt.MaxCount = 3
	if got := f.walk(opt, prev); got != "c99 c98 c97" {
		t.Fatalf("-n3 = %q", got)
	}
	if f.reads > 5 {
		t.Errorf("-n3 read %d commits; the unlimited walk should read about 4", f.reads)
	}
}

func TestDateQueueOrdersByDateThenArrival(t *testing.T) {
	var q dateQueue
	dates := []uint64{5, 3, 5, 9, 3, 1, 9, 5}
	nodes := make([]*Commit, len(dates))
	for i, d := range dates {
		nodes[i] = &Commit{Date: d}
		q.push(nodes[i])
	}
	var got []int
	for q.len() > 0 {
		n := q.pop()
		for i := range nodes {
			if nodes[i] == n {
				got = append(got, i)
			}
		}
	}
	want := []int{3, 6, 0, 2, 7, 1, 4, 5}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pop order = %v, want %v", got, want)
	}
}

func BenchmarkRevWalkLinearHistory(b *testing.B) {
	f := newFakeRepo(&testing.T{})
	prev := ""
	const n = 20000
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("c%d", i)
		if prev == "" {
			f.mk(name, int64(1000+i), "")
		} else if i%10 == 0 {
			f.mk(name, int64(1000+i), "", prev, fmt.Sprintf("c%d", i-5))
		} else {
			f.mk(name, int64(1000+i), "", prev)
		}
		prev = name
	}
	tip := f.ids[prev]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := NewGraph(f, nil)
		w, err := New(context.Background(), g, []Tip{{ID: tip}}, all())
		if err != nil {
			b.Fatal(err)
		}
		count := 0
		for {
			c, err := w.Next()
			if err != nil {
				b.Fatal(err)
			}
			if c == nil {
				break
			}
			count++
		}
		if count != n {
			b.Fatalf("walked %d commits, want %d", count, n)
		}
	}
	b.ReportMetric(float64(n), "commits/op")
}

// Reserve, called once the tips are parsed (as the walker does when its
// store's closures say how many commits the walk will meet), keeps the
// nodes met so far, the same pointers, and the walk the same, whether it
// reserves too few slots, as many, or more.
func TestReserveKeepsTheNodesAndTheWalk(t *testing.T) {
	f := newFakeRepo(t)
	f.mk("R", 1000, "r=1")
	prev := "R"
	for i := 1; i <= 40; i++ {
		name := fmt.Sprintf("c%d", i)
		if i%7 == 0 {
			f.mk(name, int64(1000+i), "", prev, fmt.Sprintf("c%d", i-3))
		} else {
			f.mk(name, int64(1000+i), fmt.Sprintf("f=%d", i), prev)
		}
		prev = name
	}
	want := f.walk(all(), prev)
	for _, n := range []int{0, 1, 20, 41, 500} {
		g := NewGraph(f, nil)
		tips := f.tips(g, prev)
		tip := g.Lookup(tips[0].ID)
		if err := g.Parse(tip); err != nil {
			t.Fatal(err)
		}
		met := len(g.nodes)
		g.Reserve(n)
		if len(g.nodes) != met || g.Lookup(tips[0].ID) != tip {
			t.Fatalf("Reserve(%d): %d nodes after, %d before; tip node kept: %v", n, len(g.nodes), met, g.Lookup(tips[0].ID) == tip)
		}
		w, err := New(context.Background(), g, tips, all())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for {
			c, err := w.Next()
			if err != nil {
				t.Fatal(err)
			}
			if c == nil {
				break
			}
			names = append(names, f.names[c.ID])
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("Reserve(%d): walk\n%s\nwant\n%s", n, got, want)
		}
		if len(g.nodes) != 41 {
			t.Errorf("Reserve(%d): %d nodes after the walk, want 41", n, len(g.nodes))
		}
	}
}
