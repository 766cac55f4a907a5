package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

const damageRecords = 400

// goodStore makes a closed store of damageRecords records and returns its
// file's bytes.
func goodStore(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	s := mustOpen(t, dir, &Options{BatchRecords: 64})
	putAll(t, s, 0, damageRecords)
	if err := s.NoteRun(Run{Repo: "/src/repo", Commits: damageRecords}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll opens a store made of data and reads everything in it. It fails
// the test if any read gives a wrong record (a missing one is allowed: it
// is computed again) and reports whether damage was detected, at open, on
// a read or by Check. An error other than ErrDamaged fails the test.
func readAll(t *testing.T, data []byte) (detected bool) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, nil)
	if err != nil {
		if !errors.Is(err, ErrDamaged) {
			t.Fatalf("Open: %v, want nil or ErrDamaged", err)
		}
		return true
	}
	defer s.Close()
	for i := 0; i < damageRecords; i++ {
		got, ok, err := s.Get(testKey(i))
		switch {
		case err != nil && !errors.Is(err, ErrDamaged):
			t.Fatalf("Get %d: %v, want nil or ErrDamaged", i, err)
		case err != nil:
			detected = true
			if ok || got != nil {
				t.Fatalf("Get %d returned a value with its error", i)
			}
		case ok && !bytes.Equal(got, testRecord(i)):
			t.Fatalf("Get %d returned the wrong record %q", i, got)
		}
	}
	if _, err := s.Stats(); err != nil {
		if !errors.Is(err, ErrDamaged) {
			t.Fatalf("Stats: %v", err)
		}
		detected = true
	}
	if err := s.Check(); err != nil {
		if !errors.Is(err, ErrDamaged) {
			t.Fatalf("Check: %v", err)
		}
		detected = true
	}
	return detected
}

func TestADamagedStoreIsDetectedAndNeverGivesWrongRecords(t *testing.T) {
	good := goodStore(t)
	if readAll(t, good) {
		t.Fatal("the undamaged store was reported damaged")
	}
	used := usedBytes(t, good)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"zero length", nil},
		{"one page left", good[:4096]},
		{"truncated to half of its pages in use", good[:used/2]},
		{"truncated by a page in use", good[:used-4096]},
		{"truncated mid-page", good[:used-1000]},
		{"truncated before the last record", good[:lastRecordAt(t, good)]},
		{"truncated within the last record", good[:lastRecordAt(t, good)+5]},
		{"garbage", bytes.Repeat([]byte{0xA5, 0x17, 0x00, 0xFF}, len(good)/4)},
		{"zeroed", make([]byte, len(good))},
		{"both meta pages zeroed", append(make([]byte, 8192), good[8192:]...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !readAll(t, tc.data) {
				t.Fatal("the damage went unnoticed")
			}
		})
	}
}

func TestFlippedBytesNeverGiveWrongRecords(t *testing.T) {
	good := goodStore(t)
	// Every 1021st byte (a prime stride, so offsets fall at every place in
	// a page), each flipped on its own: no read may return a wrong record
	// nor panic. Many flips land in free or unused space and change
	// nothing; those in a record must be caught. Bytes past the pages in
	// use (the file is grown ahead of them) are never read, and are left.
	step := 1021
	if testing.Short() {
		step = 4001
	}
	used := usedBytes(t, good)
	caught := 0
	for off := 0; off < used; off += step {
		data := bytes.Clone(good)
		data[off] ^= 0x5A
		if readAll(t, data) {
			caught++
		}
	}
	t.Logf("%d of %d flips detected (%d of the file's %d bytes in use)", caught, (used+step-1)/step, used, len(good))

	// A flip inside a record's bytes is always caught by its checksum.
	// Copy-on-write leaves stale copies of records in free pages, where a
	// flip changes nothing, so each copy is tried: the one in use must be
	// caught.
	for _, i := range []int{0, 399} {
		rec := testRecord(i)
		for _, d := range []int{0, len(rec) - 1} {
			caught := false
			for at := 0; ; {
				j := bytes.Index(good[at:], rec)
				if j < 0 {
					break
				}
				at += j
				data := bytes.Clone(good)
				data[at+d] ^= 1
				caught = readAll(t, data) || caught
				at++
			}
			if !caught {
				t.Fatalf("a flipped bit in record %d (byte %d) went unnoticed", i, d)
			}
		}
	}
}

// lastRecordAt is the offset of the record that lies furthest into the
// file: cutting the file there loses a page in use.
func lastRecordAt(t *testing.T, file []byte) int {
	t.Helper()
	last := -1
	for i := 0; i < damageRecords; i++ {
		last = max(last, bytes.Index(file, testRecord(i)))
	}
	if last < 0 {
		t.Fatal("no record found in the file")
	}
	return last
}

// usedBytes is how far into the file the pages in use reach (the file may
// be longer: bbolt grows it ahead).
func usedBytes(t *testing.T, file []byte) int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copy.db")
	os.WriteFile(path, file, 0o644)
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return int(n)
}
