package odb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadMaxRefusesWhatIsLargerThanItsBound reads every object of a packed
// repository (whole entries and delta chains) and of the same repository
// unpacked into loose objects, with a bound just below and at each size.
func TestReadMaxRefusesWhatIsLargerThanItsBound(t *testing.T) {
	packed := newRepo(t, 40)
	git(t, packed, nil, "repack", "-adf", "--depth=20", "--window=50")
	loose := newRepo(t, 40)
	var packs [][]byte
	for _, p := range packFiles(t, loose) {
		packs = append(packs, readFile(t, p))
	}
	removePacks(t, loose)
	for _, p := range packs {
		git(t, loose, p, "unpack-objects", "-q")
	}
	for _, dir := range []string{packed, loose} {
		db, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		rd := db.NewReader()
		refused := 0
		for _, o := range gitAllObjects(t, dir) {
			if len(o.data) == 0 {
				continue
			}
			_, _, err := rd.ReadMax(o.id, nil, int64(len(o.data)-1))
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%s: ReadMax below its size of %d returned %v, want ErrTooLarge", o.id, len(o.data), err)
			}
			refused++
			_, data, err := rd.ReadMax(o.id, nil, int64(len(o.data)))
			if err != nil || !bytes.Equal(data, o.data) {
				t.Fatalf("%s: ReadMax at its size returned %v and %d bytes, want the object", o.id, err, len(data))
			}
		}
		// The bound applies to one call only.
		if st := rd.Stats(); st.Objects == 0 || refused == 0 {
			t.Fatalf("nothing read in %s", dir)
		}
		db.Close()
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// removePacks moves a repository's packs away so only loose objects remain.
func removePacks(t *testing.T, dir string) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "pack-*"))
	for _, m := range matches {
		if err := os.Remove(m); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBigLooseObjectsAreMapped stores a blob whose loose file is above
// looseMapMin (incompressible, so the file is as big as the blob): Read must
// return it whole, ReadMax refuse it from its header, ReadHeader give its size,
// and the reader keep no buffer of the file's size afterwards (it maps such
// files rather than reading them). A truncated copy is a clean ErrCorrupt.
func TestBigLooseObjectsAreMapped(t *testing.T) {
	dir := newRepo(t, 1)
	blob := make([]byte, 3*looseMapMin)
	s := rng(7)
	for i := range blob {
		blob[i] = byte(s.next())
	}
	id, err := ParseID(strings.TrimSpace(string(git(t, dir, blob, "hash-object", "-w", "--stdin"))))
	if err != nil {
		t.Fatal(err)
	}
	path := loosePath(filepath.Join(dir, "objects"), &id)
	if fi, err := os.Stat(path); err != nil || fi.Size() < looseMapMin {
		t.Fatalf("the loose file is not above looseMapMin: %v %v", fi, err)
	}
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rd := db.NewReader()
	if _, _, err := rd.ReadMax(id, nil, int64(len(blob))-1); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadMax below its size: %v, want ErrTooLarge", err)
	}
	if typ, size, err := rd.ReadHeader(id); err != nil || typ != Blob || size != int64(len(blob)) {
		t.Fatalf("ReadHeader: %v %d %v", typ, size, err)
	}
	typ, data, err := rd.Read(id, nil)
	if err != nil || typ != Blob || !bytes.Equal(data, blob) {
		t.Fatalf("Read: %v, %v, %d bytes equal=%v", err, typ, len(data), bytes.Equal(data, blob))
	}
	if cap(rd.loose) >= looseMapMin {
		t.Errorf("the reader keeps a buffer of %d bytes after reading a big loose object", cap(rd.loose))
	}

	// Truncate the (read-only, as git writes it) file to half.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.NewReader().Read(id, nil); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), id.String()) {
		t.Fatalf("a truncated big loose object: %v, want ErrCorrupt naming %s", err, id)
	}
}
