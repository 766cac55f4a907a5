package odb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
)

// checkAllObjects reads every object git lists and compares type and
// bytes, through readers with and without an arena and with the
// delta-base cache at the given limit.
func checkAllObjects(t *testing.T, dir string, cacheLimit int64) {
	t.Helper()
	checkAllObjectsMapped(t, dir, cacheLimit, DefaultMappedLimit)
}

// checkAllObjectsMapped is checkAllObjects with the DB's mapped limit set
// to mappedLimit; it returns how many times the DB dropped its pages.
func checkAllObjectsMapped(t *testing.T, dir string, cacheLimit, mappedLimit int64) int64 {
	t.Helper()
	want := gitAllObjects(t, dir)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMappedLimit(mappedLimit)
	r := db.NewReader()
	r.SetCacheLimit(cacheLimit)
	a := arena.New(arena.NewHeap(1 << 20))
	for _, w := range want {
		a.Reset()
		for _, ar := range []*arena.Arena{a, nil} {
			typ, data, err := r.Read(w.id, ar)
			if err != nil {
				t.Fatalf("Read %s: %v", w.id, err)
			}
			if typ.String() != w.typ || !bytes.Equal(data, w.data) {
				t.Fatalf("Read %s = %s of %d bytes, git says %s of %d bytes", w.id, typ, len(data), w.typ, len(w.data))
			}
		}
		typ, size, err := r.ReadHeader(w.id)
		if err != nil || typ.String() != w.typ || size != int64(len(w.data)) {
			t.Fatalf("ReadHeader %s = %s %d %v, git says %s %d", w.id, typ, size, err, w.typ, len(w.data))
		}
		if !db.Has(w.id) {
			t.Fatalf("Has %s = false", w.id)
		}
	}
	if s := r.Stats(); s.Objects != int64(2*len(want)) {
		t.Errorf("Stats().Objects = %d, want %d", s.Objects, 2*len(want))
	}
	return db.MappedDrops()
}

func TestReadMatchesGitOnEveryObject(t *testing.T) {
	base := newRepo(t, 80)
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string)
	}{
		{"a pack as fast-import writes it", func(t *testing.T, dir string) {}},
		{"a pack with deep delta chains", func(t *testing.T, dir string) {
			git(t, dir, nil, "repack", "-q", "-adf", "--depth=50", "--window=250")
		}},
		{"an aggressively gc'd repository", func(t *testing.T, dir string) {
			git(t, dir, nil, "gc", "-q", "--aggressive", "--prune=now")
		}},
		{"a pack of ref-deltas", func(t *testing.T, dir string) {
			git(t, dir, nil, "-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-adf", "--depth=50")
		}},
		{"a pack with a version 1 index", func(t *testing.T, dir string) {
			git(t, dir, nil, "-c", "pack.indexVersion=1", "repack", "-q", "-adf", "--depth=20")
		}},
		{"a pack whose index uses the 64-bit offset table", func(t *testing.T, dir string) {
			git(t, dir, nil, "repack", "-q", "-adf")
			p := packFiles(t, dir)[0]
			idx := p[:len(p)-len(".pack")] + ".idx"
			os.Remove(idx)
			git(t, dir, nil, "index-pack", "--index-version=2,0x400", "-o", idx, p)
		}},
		{"loose objects only", func(t *testing.T, dir string) {
			p := packFiles(t, dir)[0]
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{p, p[:len(p)-5] + ".idx"} {
				os.Remove(f)
			}
			git(t, dir, data, "unpack-objects", "-q")
		}},
		{"a pack plus loose objects written after it", func(t *testing.T, dir string) {
			git(t, dir, nil, "repack", "-q", "-adf")
			git(t, dir, []byte("a new loose blob\n"), "hash-object", "-w", "--stdin")
			tree := bytes.TrimSpace(git(t, dir, []byte("100644 blob 0cfd7a4ea8d9ef56cae1a01e4ba5ec0b5ba9e5b6\tnew\n"), "mktree", "--missing"))
			git(t, dir, nil, "commit-tree", string(tree), "-m", "loose commit")
		}},
		{"two packs, one with a .promisor file", func(t *testing.T, dir string) {
			git(t, dir, nil, "repack", "-q", "-adf")
			git(t, dir, []byte("second pack blob\n"), "hash-object", "-w", "--stdin")
			git(t, dir, nil, "repack", "-q", "-d")
			for _, p := range packFiles(t, dir) {
				os.WriteFile(p[:len(p)-5]+".promisor", nil, 0o644)
				break
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "repo.git")
			copyDir(t, base, dir)
			tc.prepare(t, dir)
			checkAllObjects(t, dir, DefaultCacheLimit)
		})
	}
	t.Run("a tiny delta-base cache gives the same bytes", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "repo.git")
		copyDir(t, base, dir)
		git(t, dir, nil, "repack", "-q", "-adf", "--depth=50", "--window=250")
		checkAllObjects(t, dir, 64<<10)
		checkAllObjects(t, dir, 0)
	})
	t.Run("pack pages dropped from memory over and over give the same bytes", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "repo.git")
		copyDir(t, base, dir)
		git(t, dir, nil, "repack", "-q", "-adf", "--depth=50", "--window=250")
		// With no delta-base cache every read inflates from the mapping,
		// and a one-page limit drops the pages at each mebibyte counted.
		if drops := checkAllObjectsMapped(t, dir, 0, 1); drops == 0 {
			t.Errorf("MappedDrops() = 0 with a limit of 1 byte: the pages were never dropped")
		}
		if drops := checkAllObjectsMapped(t, dir, 0, 0); drops != 0 {
			t.Errorf("MappedDrops() = %d with no limit, want 0", drops)
		}
		// Packs that fit in the limit whole are never dropped: a limit
		// just above their mappings (pack and index) but far below what
		// the reads touch.
		var mapped int64
		for _, ext := range []string{"*.pack", "*.idx"} {
			files, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", ext))
			for _, f := range files {
				fi, err := os.Stat(f)
				if err != nil {
					t.Fatal(err)
				}
				mapped += fi.Size()
			}
		}
		if drops := checkAllObjectsMapped(t, dir, 0, mapped); drops != 0 {
			t.Errorf("MappedDrops() = %d with a limit of the packs' %d mapped bytes, want 0", drops, mapped)
		}
		if drops := checkAllObjectsMapped(t, dir, 0, mapped/2); drops == 0 {
			t.Errorf("MappedDrops() = 0 with a limit of half the packs' %d mapped bytes", mapped)
		}
	})
}

func TestReadFollowsAlternates(t *testing.T) {
	base := newRepo(t, 20)
	root := t.TempDir()
	shared := filepath.Join(root, "shared.git")
	copyDir(t, base, shared)
	// mid borrows from shared through a relative path; top borrows from
	// mid through an absolute one, so top reaches shared only recursively.
	mid := filepath.Join(root, "mid.git")
	git(t, "", nil, "init", "-q", "--bare", mid)
	os.WriteFile(filepath.Join(mid, "objects", "info", "alternates"), []byte("# comment\n../../shared.git/objects\n"), 0o644)
	git(t, mid, []byte("only in mid\n"), "hash-object", "-w", "--stdin")
	top := filepath.Join(root, "top", ".git")
	git(t, "", nil, "init", "-q", filepath.Dir(top))
	os.WriteFile(filepath.Join(top, "objects", "info", "alternates"), []byte(filepath.Join(mid, "objects")+"\n"), 0o644)
	git(t, top, []byte("only in top\n"), "hash-object", "-w", "--stdin")
	os.Remove(filepath.Join(top, "config")) // Open must not need it
	checkAllObjectsOf(t, top, gitAllObjectsWithConfig(t, filepath.Dir(top)))
}

// gitAllObjectsWithConfig lists objects through a work tree (whose
// config Open's test may have removed from the .git dir).
func gitAllObjectsWithConfig(t *testing.T, workTree string) []catObject {
	t.Helper()
	return gitAllObjects(t, filepath.Join(workTree, ".git"))
}

func checkAllObjectsOf(t *testing.T, dir string, want []catObject) {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := db.NewReader()
	for _, w := range want {
		typ, data, err := r.Read(w.id, nil)
		if err != nil {
			t.Fatalf("Read %s: %v", w.id, err)
		}
		if typ.String() != w.typ || !bytes.Equal(data, w.data) {
			t.Fatalf("Read %s = %s of %d bytes, git says %s of %d bytes", w.id, typ, len(data), w.typ, len(w.data))
		}
	}
}

func TestReadOfMissingObjectIsErrNotFound(t *testing.T) {
	dir := newRepo(t, 3)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id, _ := ParseID("00000000000000000000000000000000000000aa")
	_, _, err = db.NewReader().Read(id, nil)
	if !errors.Is(err, ErrNotFound) || !bytes.Contains([]byte(err.Error()), []byte(id.String())) {
		t.Fatalf("Read of a missing object: %v, want ErrNotFound naming %s", err, id)
	}
	if _, _, err := db.NewReader().ReadHeader(id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ReadHeader of a missing object: %v, want ErrNotFound", err)
	}
	if db.Has(id) {
		t.Fatal("Has of a missing object = true")
	}
}

func TestReadSeesPacksWrittenAfterOpen(t *testing.T) {
	dir := newRepo(t, 3)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := db.NewReader()
	out := git(t, dir, []byte("written after Open\n"), "hash-object", "-w", "--stdin")
	id, _ := ParseID(string(bytes.TrimSpace(out)))
	git(t, dir, nil, "repack", "-q", "-ad") // the loose object moves into a new pack
	typ, data, err := r.Read(id, nil)
	if err != nil || typ != Blob || string(data) != "written after Open\n" {
		t.Fatalf("Read of an object packed after Open = %v %q %v", typ, data, err)
	}
}

func TestReadPlacesContentInTheArenaAndFallsBackToTheHeap(t *testing.T) {
	dir := newRepo(t, 3)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	objs := gitAllObjects(t, dir)
	r := db.NewReader()
	a := arena.New(arena.NewHeap(64))
	var small, large catObject
	for _, o := range objs {
		if len(o.data) > 0 && len(o.data) <= 32 && small.typ == "" {
			small = o
		}
		if len(o.data) > 1000 {
			large = o
		}
	}
	_, data, err := r.Read(small.id, a)
	if err != nil || !bytes.Equal(data, small.data) {
		t.Fatalf("Read small: %v", err)
	}
	if a.Len() == 0 {
		t.Fatal("a small object was not placed in the arena")
	}
	_, data, err = r.Read(large.id, a)
	if err != nil || !bytes.Equal(data, large.data) {
		t.Fatalf("Read large: %v", err)
	}
	if got := r.Stats().HeapFallbacks; got != 1 {
		t.Fatalf("HeapFallbacks = %d after an object larger than the arena, want 1", got)
	}
}

func TestUseAfterCloseIsErrClosed(t *testing.T) {
	dir := newRepo(t, 2)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	objs := gitAllObjects(t, dir)
	r := db.NewReader()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := r.Read(objs[0].id, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close: %v, want ErrClosed", err)
	}
	if _, err := db.ResolvePrefix(objs[0].id.String()[:8]); !errors.Is(err, ErrClosed) {
		t.Fatalf("ResolvePrefix after Close: %v, want ErrClosed", err)
	}
}

func TestOpenOfADirectoryWithoutObjectsFails(t *testing.T) {
	if _, err := Open(t.TempDir()); err == nil {
		t.Fatal("Open of an empty directory succeeded")
	}
}

func TestReadInSteadyStateDoesNotAllocate(t *testing.T) {
	dir := newRepo(t, 40)
	git(t, dir, nil, "repack", "-q", "-adf", "--depth=50")
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := allIDs(t, db)
	r := db.NewReader()
	a := arena.New(arena.NewHeap(8 << 20))
	readAll(t, r, ids, a) // warm the cache and the buffers
	allocs := testing.AllocsPerRun(3, func() { readAll(t, r, ids, a) })
	if perObject := allocs / float64(len(ids)); perObject > 0.01 {
		t.Fatalf("%.0f allocations reading %d objects (%.3f per object)", allocs, len(ids), perObject)
	}
}
