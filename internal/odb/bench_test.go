package odb

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
)

// benchRepo returns the repository named by GITWALK_BENCH_REPO, or skips.
func benchRepo(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("GITWALK_BENCH_REPO")
	if dir == "" {
		tb.Skip("set GITWALK_BENCH_REPO to a git directory to run this on a real repository")
	}
	return dir
}

// allIDs lists every packed object id of db in index order (as git
// cat-file --batch-all-objects does, sorted by id) and then loose ones.
func allIDs(tb testing.TB, db *DB) []ID {
	tb.Helper()
	seen := map[ID]bool{}
	var ids []ID
	for _, p := range *db.packs.Load() {
		for i := 0; i < p.count; i++ {
			var id ID
			copy(id[:], p.nameAt(i))
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	for _, dir := range db.objDirs {
		for b := 0; b < 256; b++ {
			hx := hex.EncodeToString([]byte{byte(b)})
			collectLoosePrefix(dir, hx, func(id ID) {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			})
		}
	}
	return ids
}

// readAll reads every id with one reader and arena, and returns the total
// content size.
func readAll(tb testing.TB, r *Reader, ids []ID, a *arena.Arena) int64 {
	var total int64
	for _, id := range ids {
		a.Reset()
		_, data, err := r.Read(id, a)
		if err != nil {
			tb.Fatal(err)
		}
		total += int64(len(data))
	}
	return total
}

func benchmarkReadAll(b *testing.B, dir string) {
	db, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ids := allIDs(b, db)
	r := db.NewReader()
	if v, err := strconv.ParseInt(os.Getenv("GITWALK_BENCH_CACHE_MB"), 10, 64); err == nil {
		r.SetCacheLimit(v << 20)
	}
	a := arena.New(arena.NewHeap(64 << 20))
	b.ReportAllocs()
	b.ResetTimer()
	var total int64
	for b.Loop() {
		total = readAll(b, r, ids, a)
	}
	b.SetBytes(total)
	s := r.Stats()
	b.ReportMetric(float64(len(ids)), "objects")
	b.ReportMetric(float64(s.CacheHits)/float64(s.CacheHits+s.CacheMisses+1), "cache-hit-ratio")
}

// BenchmarkReadAllObjects reads every object of a generated repository
// with deep delta chains.
func BenchmarkReadAllObjects(b *testing.B) {
	dir := newRepo(b, 200)
	git(b, dir, nil, "repack", "-q", "-adf", "--depth=50", "--window=250")
	benchmarkReadAll(b, dir)
}

// BenchmarkReadAllObjectsRealRepo reads every object of GITWALK_BENCH_REPO
// in id order, as git cat-file --batch-all-objects --batch does.
func BenchmarkReadAllObjectsRealRepo(b *testing.B) {
	benchmarkReadAll(b, benchRepo(b))
}

// BenchmarkGitCatFileRealRepo runs git cat-file --batch-all-objects
// --batch on GITWALK_BENCH_REPO, output discarded: the figure to beat.
func BenchmarkGitCatFileRealRepo(b *testing.B) {
	dir := benchRepo(b)
	for b.Loop() {
		cmd := exec.Command("git", "--git-dir="+dir, "cat-file", "--batch-all-objects", "--batch")
		var null bytes.Buffer
		cmd.Stdout = nil
		cmd.Stderr = &null
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReadAllObjectsOfRealRepo compares every object of GITWALK_BENCH_REPO
// with git cat-file --batch-all-objects --batch, streaming git's output.
func TestReadAllObjectsOfRealRepo(t *testing.T) {
	dir := benchRepo(t)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := db.NewReader()
	a := arena.New(arena.NewHeap(64 << 20))
	cmd := exec.Command("git", "--git-dir="+dir, "cat-file", "--batch-all-objects", "--batch")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(out, 1<<20)
	var want []byte
	n := 0
	for {
		line, err := br.ReadString('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(line)
		id, err := ParseID(f[0])
		if err != nil || len(f) != 3 {
			t.Fatalf("cat-file line %q", line)
		}
		size, _ := strconv.Atoi(f[2])
		if cap(want) < size+1 {
			want = make([]byte, size+1)
		}
		want = want[:size+1]
		if _, err := io.ReadFull(br, want); err != nil {
			t.Fatal(err)
		}
		a.Reset()
		typ, data, err := r.Read(id, a)
		if err != nil {
			t.Fatalf("Read %s: %v", id, err)
		}
		if typ.String() != f[1] || !bytes.Equal(data, want[:size]) {
			t.Fatalf("Read %s = %s of %d bytes, git says %s of %d bytes", id, typ, len(data), f[1], size)
		}
		n++
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d objects identical to git's", n)
}

// BenchmarkInflateRealRepo inflates every whole (non-delta) entry of the
// first pack of GITWALK_BENCH_REPO with this package's inflater and with
// compress/zlib (reused through zlib.Resetter), for comparison.
func BenchmarkInflateRealRepo(b *testing.B) {
	benchInflate(b, func(typ byte) bool { return typ <= packTag })
}

// BenchmarkInflateDeltaRealRepo does the same over the delta entries,
// each inflated into its declared (delta) size: most of the streams a
// history walk inflates are these small delta streams.
func BenchmarkInflateDeltaRealRepo(b *testing.B) {
	benchInflate(b, func(typ byte) bool { return typ > packTag })
}

// benchInflate inflates the entries of the first pack of
// GITWALK_BENCH_REPO whose type keep accepts.
func benchInflate(b *testing.B, keep func(typ byte) bool) {
	db, err := Open(benchRepo(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	p := (*db.packs.Load())[0]
	type entry struct {
		src  []byte
		size int64
	}
	var ents []entry
	var total, largest int64
	for i := 0; i < p.count; i++ {
		off, _ := p.offsetAt(i)
		h, err := parseEntryHeader(p.data, off)
		if err != nil {
			b.Fatal(err)
		}
		if !keep(h.typ) {
			continue
		}
		src, _ := entryData(p, h.dataOff, h.size)
		ents = append(ents, entry{src, h.size})
		total += h.size
		largest = max(largest, h.size)
	}
	buf := make([]byte, largest)
	b.Run("odb", func(b *testing.B) {
		var f inflater
		b.ReportAllocs()
		b.SetBytes(total)
		for b.Loop() {
			for _, e := range ents {
				if _, err := f.inflate(buf[:e.size], e.src); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("compress-zlib", func(b *testing.B) {
		r := db.NewReader()
		b.ReportAllocs()
		b.SetBytes(total)
		for b.Loop() {
			for _, e := range ents {
				if err := r.resetInflater(e.src); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(r.zr, buf[:e.size]); err != nil {
					b.Fatal(err)
				}
				if err := r.expectEnd(int(e.size)); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// walkTrees compares two trees as a history walk does: equal subtrees are
// skipped by id, changed subtrees descended into, and both sides of each
// changed file read. It returns the blob bytes read.
func walkTrees(tb testing.TB, r *Reader, a *arena.Arena, oldID, newID ID) int64 {
	var oldData, newData []byte
	if !oldID.IsZero() {
		_, oldData, _ = r.Read(oldID, a)
	}
	if !newID.IsZero() {
		_, newData, _ = r.Read(newID, a)
	}
	oi, ni := NewTreeIter(oldData), NewTreeIter(newData)
	oe, ook := oi.Next()
	ne, nok := ni.Next()
	var total int64
	visit := func(o, n TreeEntry) {
		if o.ID == n.ID && o.Mode == n.Mode {
			return
		}
		ot, nt := IsTree(o.Mode), IsTree(n.Mode)
		if ot || nt {
			var oid, nid ID
			if ot {
				oid = o.ID
			}
			if nt {
				nid = n.ID
			}
			total += walkTrees(tb, r, a, oid, nid)
			return
		}
		for _, e := range []TreeEntry{o, n} {
			if IsRegular(e.Mode) {
				_, data, err := r.Read(e.ID, a)
				if err != nil {
					tb.Fatal(err)
				}
				total += int64(len(data))
			}
		}
	}
	for ook || nok {
		c := 0
		switch {
		case !ook:
			c = 1
		case !nok:
			c = -1
		default:
			c = bytes.Compare(oe.Name, ne.Name)
		}
		switch {
		case c < 0:
			visit(oe, TreeEntry{})
			oe, ook = oi.Next()
		case c > 0:
			visit(TreeEntry{}, ne)
			ne, nok = ni.Next()
		default:
			visit(oe, ne)
			oe, ook = oi.Next()
			ne, nok = ni.Next()
		}
	}
	return total
}

// BenchmarkWalkHistoryRealRepo reads what git log --numstat reads on
// GITWALK_BENCH_REPO (HEAD's history, newest first): each commit, its
// tree against its first parent's, and both sides of each changed file;
// one reader, no line diff. Compare with BenchmarkGitLogNumstatRealRepo.
func BenchmarkWalkHistoryRealRepo(b *testing.B) {
	dir := benchRepo(b)
	out := git(b, "", nil, "--git-dir="+dir, "rev-list", "HEAD")
	var commits []ID
	for _, line := range bytes.Fields(out) {
		id, err := ParseID(string(line))
		if err != nil {
			b.Fatal(err)
		}
		commits = append(commits, id)
	}
	db, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// GITWALK_BENCH_READERS=N hands commit k to reader k%N, as N workers
	// taking commits in turn would (run one after another here), to show
	// what splitting a walk does to each reader's delta-base cache.
	readers := []*Reader{db.NewReader()}
	if n, err := strconv.Atoi(os.Getenv("GITWALK_BENCH_READERS")); err == nil && n > 1 {
		for range n - 1 {
			readers = append(readers, db.NewReader())
		}
	}
	// GITWALK_BENCH_SHARED=1 makes the readers share one cache.
	if os.Getenv("GITWALK_BENCH_SHARED") != "" {
		c := NewSharedCache(DefaultCacheLimit)
		defer c.Close()
		for i := range readers {
			readers[i] = db.NewReaderShared(c)
		}
	}
	// GITWALK_BENCH_BATCH=B hands out runs of B consecutive commits.
	batch := 1
	if n, err := strconv.Atoi(os.Getenv("GITWALK_BENCH_BATCH")); err == nil && n > 1 {
		batch = n
	}
	a := arena.New(arena.NewHeap(256 << 20))
	var c CommitInfo
	b.ReportAllocs()
	var total int64
	for b.Loop() {
		total = 0
		for k, id := range commits {
			r := readers[(k/batch)%len(readers)]
			a.Reset()
			_, data, err := r.Read(id, a)
			if err != nil {
				b.Fatal(err)
			}
			if err := ParseCommitInto(&c, data); err != nil {
				b.Fatal(err)
			}
			tree := c.Tree
			var parentTree ID
			if len(c.Parents) == 1 {
				_, pdata, err := r.Read(c.Parents[0], a)
				if err != nil {
					b.Fatal(err)
				}
				var pc CommitInfo
				if err := ParseCommitInto(&pc, pdata); err != nil {
					b.Fatal(err)
				}
				parentTree = pc.Tree
			} else if len(c.Parents) > 1 {
				continue // git log shows no diff for merges
			}
			total += walkTrees(b, r, a, parentTree, tree)
		}
	}
	b.SetBytes(total)
	var s Stats
	for _, r := range readers {
		rs := r.Stats()
		s.CacheHits += rs.CacheHits
		s.CacheMisses += rs.CacheMisses
		s.InflatedBytes += rs.InflatedBytes
		s.DeltasApplied += rs.DeltasApplied
		s.Objects += rs.Objects
	}
	b.ReportMetric(float64(len(commits)), "commits")
	b.ReportMetric(float64(s.InflatedBytes)/float64(b.N)/1e6, "inflated-MB/op")
	b.ReportMetric(float64(s.DeltasApplied)/float64(b.N), "deltas/op")
	b.ReportMetric(float64(s.Objects)/float64(b.N), "reads/op")
	b.ReportMetric(float64(s.CacheHits)/float64(s.CacheHits+s.CacheMisses+1), "cache-hit-ratio")
}

// BenchmarkGitLogNumstatRealRepo runs git log --numstat --no-renames
// --format=%H on GITWALK_BENCH_REPO, output discarded.
func BenchmarkGitLogNumstatRealRepo(b *testing.B) {
	dir := benchRepo(b)
	for b.Loop() {
		cmd := exec.Command("git", "--git-dir="+dir, "log", "--numstat", "--no-renames", "--format=%H")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGitLogRawRealRepo runs git log --raw --no-renames --format=%H
// (the tree diff without reading blobs) on GITWALK_BENCH_REPO.
func BenchmarkGitLogRawRealRepo(b *testing.B) {
	dir := benchRepo(b)
	for b.Loop() {
		cmd := exec.Command("git", "--git-dir="+dir, "log", "--raw", "--no-renames", "--format=%H")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
