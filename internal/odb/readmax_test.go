package odb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
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
