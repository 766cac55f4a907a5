package odb

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// craftEntry is one entry of a hand-made pack.
type craftEntry struct {
	id      ID     // the name the index gives it
	typ     byte   // pack entry type
	data    []byte // inflated data (the delta for deltas)
	baseRel int64  // for ofs-deltas: distance back to the base entry
	baseID  ID     // for ref-deltas
	raw     []byte // if set, written as the whole entry instead
}

// writeCraftedPack writes a pack and a v2 index of entries into a new
// bare repository and returns its git directory.
func writeCraftedPack(t *testing.T, entries []craftEntry) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "crafted.git")
	if err := os.MkdirAll(filepath.Join(dir, "objects", "pack"), 0o755); err != nil {
		t.Fatal(err)
	}
	var pk bytes.Buffer
	pk.WriteString("PACK")
	binary.Write(&pk, binary.BigEndian, uint32(2))
	binary.Write(&pk, binary.BigEndian, uint32(len(entries)))
	offs := make([]int64, len(entries))
	for i, e := range entries {
		offs[i] = int64(pk.Len())
		if e.raw != nil {
			pk.Write(e.raw)
			continue
		}
		pk.Write(encodeEntryHeader(e.typ, int64(len(e.data))))
		switch e.typ {
		case packOfsDelta:
			pk.Write(encodeOfsDelta(e.baseRel))
		case packRefDelta:
			pk.Write(e.baseID[:])
		}
		zw := zlib.NewWriter(&pk)
		zw.Write(e.data)
		zw.Close()
	}
	sum := sha1.Sum(pk.Bytes())
	pk.Write(sum[:])

	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		return bytes.Compare(entries[order[a]].id[:], entries[order[b]].id[:]) < 0
	})
	var ix bytes.Buffer
	ix.WriteString(idxV2Magic)
	binary.Write(&ix, binary.BigEndian, uint32(2))
	for b := 0; b < 256; b++ {
		n := 0
		for _, e := range entries {
			if int(e.id[0]) <= b {
				n++
			}
		}
		binary.Write(&ix, binary.BigEndian, uint32(n))
	}
	for _, i := range order {
		ix.Write(entries[i].id[:])
	}
	for range order {
		binary.Write(&ix, binary.BigEndian, uint32(0)) // CRCs, unchecked
	}
	for _, i := range order {
		binary.Write(&ix, binary.BigEndian, uint32(offs[i]))
	}
	ix.Write(sum[:])
	isum := sha1.Sum(ix.Bytes())
	ix.Write(isum[:])
	base := filepath.Join(dir, "objects", "pack", "pack-crafted")
	os.WriteFile(base+".pack", pk.Bytes(), 0o644)
	os.WriteFile(base+".idx", ix.Bytes(), 0o644)
	return dir
}

func encodeEntryHeader(typ byte, size int64) []byte {
	c := typ<<4 | byte(size&15)
	size >>= 4
	var out []byte
	for size > 0 {
		out = append(out, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	return append(out, c)
}

func encodeOfsDelta(rel int64) []byte {
	buf := []byte{byte(rel & 0x7f)}
	for rel >>= 7; rel > 0; rel >>= 7 {
		rel--
		buf = append([]byte{byte(0x80 | rel&0x7f)}, buf...)
	}
	return buf
}

func deltaVarintBytes(v int64) []byte {
	var out []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}

// makeDelta builds a delta from the base size, result size and ops.
func makeDelta(src, dst int64, ops ...byte) []byte {
	return append(append(deltaVarintBytes(src), deltaVarintBytes(dst)...), ops...)
}

func idOf(s string) ID {
	var id ID
	copy(id[:], s)
	return id
}

// wantErrNaming fails unless err matches target and names id and file.
func wantErrNaming(t *testing.T, err, target error, id ID, file string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v naming %s and %s", target, id, file)
	}
	if !errors.Is(err, target) {
		t.Fatalf("error %q does not match %v", err, target)
	}
	if !strings.Contains(err.Error(), id.String()) || (file != "" && !strings.Contains(err.Error(), file)) {
		t.Fatalf("error %q does not name %s and %s", err, id, file)
	}
}

func TestCorruptCraftedPacksGiveErrorsNamingTheObject(t *testing.T) {
	blob := []byte("hello, base object\n")
	tests := []struct {
		name    string
		entries []craftEntry
		read    ID
		want    error
	}{
		{"a delta copying beyond its base", []craftEntry{
			{id: idOf("A"), typ: packBlob, data: blob},
			{id: idOf("B"), typ: packOfsDelta, baseRel: -1, data: makeDelta(int64(len(blob)), 10, 0x91, 15, 10)},
		}, idOf("B"), ErrCorrupt},
		{"a delta whose base size is wrong", []craftEntry{
			{id: idOf("A"), typ: packBlob, data: blob},
			{id: idOf("B"), typ: packOfsDelta, baseRel: -1, data: makeDelta(5, 3, 3, 'a', 'b', 'c')},
		}, idOf("B"), ErrCorrupt},
		{"a delta making fewer bytes than it declares", []craftEntry{
			{id: idOf("A"), typ: packBlob, data: blob},
			{id: idOf("B"), typ: packOfsDelta, baseRel: -1, data: makeDelta(int64(len(blob)), 9, 3, 'a', 'b', 'c')},
		}, idOf("B"), ErrCorrupt},
		{"a delta with the reserved instruction 0", []craftEntry{
			{id: idOf("A"), typ: packBlob, data: blob},
			{id: idOf("B"), typ: packOfsDelta, baseRel: -1, data: makeDelta(int64(len(blob)), 1, 0)},
		}, idOf("B"), ErrCorrupt},
		{"two ref-deltas based on each other", []craftEntry{
			{id: idOf("A"), typ: packRefDelta, baseID: idOf("B"), data: makeDelta(3, 3, 3, 'a', 'b', 'c')},
			{id: idOf("B"), typ: packRefDelta, baseID: idOf("A"), data: makeDelta(3, 3, 3, 'a', 'b', 'c')},
		}, idOf("A"), ErrCorrupt},
		{"a ref-delta whose base is missing", []craftEntry{
			{id: idOf("A"), typ: packRefDelta, baseID: idOf("Z"), data: makeDelta(3, 3, 3, 'a', 'b', 'c')},
		}, idOf("A"), ErrNotFound},
		{"an ofs-delta pointing before the pack start", []craftEntry{
			{id: idOf("A"), typ: packOfsDelta, baseRel: 1000, data: makeDelta(3, 3, 3, 'a', 'b', 'c')},
		}, idOf("A"), ErrCorrupt},
		{"an entry of unknown type 5", []craftEntry{
			{id: idOf("A"), raw: append(encodeEntryHeader(5, 3), 0x78, 0x9c)},
		}, idOf("A"), ErrCorrupt},
		{"an entry whose size field never ends", []craftEntry{
			{id: idOf("A"), raw: bytes.Repeat([]byte{0xff}, 20)},
		}, idOf("A"), ErrCorrupt},
		{"an entry declaring more bytes than its data holds", []craftEntry{
			{id: idOf("A"), raw: append(encodeEntryHeader(packBlob, 1<<40), 0x78, 0x9c, 3, 0)},
		}, idOf("A"), ErrCorrupt},
		{"an entry whose zlib data is garbage", []craftEntry{
			{id: idOf("A"), raw: append(encodeEntryHeader(packBlob, 3), 1, 2, 3, 4, 5, 6)},
		}, idOf("A"), ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Fix up ofs-delta distances given as -1: "the previous entry".
			for i := range tc.entries {
				if tc.entries[i].baseRel == -1 {
					prev := tc.entries[i-1]
					tc.entries[i].baseRel = int64(len(encodeEntryHeader(prev.typ, int64(len(prev.data))))) + zlibLen(prev.data)
				}
			}
			dir := writeCraftedPack(t, tc.entries)
			db, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			r := db.NewReader()
			_, _, err = r.Read(tc.read, nil)
			wantErrNaming(t, err, tc.want, tc.read, "pack-crafted.pack")
			_, _, err = r.ReadHeader(tc.read)
			if err == nil && tc.want == ErrNotFound {
				t.Fatal("ReadHeader of an object whose base is missing succeeded")
			}
		})
	}
}

func zlibLen(data []byte) int64 {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return int64(b.Len())
}

func TestCraftedPackReadsBack(t *testing.T) {
	// The crafted-pack writer itself must make readable packs, or the
	// corruption cases above would prove nothing.
	blob := []byte("hello, base object\n")
	entries := []craftEntry{
		{id: idOf("A"), typ: packBlob, data: blob},
		{id: idOf("B"), typ: packOfsDelta, data: makeDelta(int64(len(blob)), 8, 0x91, 7, 4, 3, 'x', 'y', 'z', 1, '\n')},
		{id: idOf("C"), typ: packRefDelta, baseID: idOf("B"), data: makeDelta(8, 4, 0x90, 4)},
	}
	entries[1].baseRel = int64(len(encodeEntryHeader(packBlob, int64(len(blob))))) + zlibLen(blob)
	dir := writeCraftedPack(t, entries)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := db.NewReader()
	for _, tc := range []struct {
		id   ID
		want string
	}{{idOf("A"), string(blob)}, {idOf("B"), "base" + "xyz\n"}, {idOf("C"), "base"}} {
		typ, data, err := r.Read(tc.id, nil)
		if err != nil || typ != Blob || string(data) != tc.want {
			t.Fatalf("Read %s = %v %q %v, want blob %q", tc.id, typ, data, err, tc.want)
		}
		if typ, size, err := r.ReadHeader(tc.id); err != nil || typ != Blob || size != int64(len(tc.want)) {
			t.Fatalf("ReadHeader %s = %v %d %v", tc.id, typ, size, err)
		}
	}
}

func TestDamagedRepositoriesGiveErrorsNotPanics(t *testing.T) {
	base := newRepo(t, 30)
	git(t, base, nil, "repack", "-q", "-adf", "--depth=50")
	objs := gitAllObjects(t, base)

	t.Run("a truncated pack fails every read naming the object and the pack", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "r.git")
		copyDir(t, base, dir)
		p := packFiles(t, dir)[0]
		fi, _ := os.Stat(p)
		os.Truncate(p, fi.Size()/2)
		db, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, _, err = db.NewReader().Read(objs[0].id, nil)
		wantErrNaming(t, err, ErrCorrupt, objs[0].id, filepath.Base(p))
	})

	t.Run("a truncated index makes objects not found, saying the pack is unreadable", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "r.git")
		copyDir(t, base, dir)
		p := packFiles(t, dir)[0]
		os.Truncate(p[:len(p)-5]+".idx", 100)
		db, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, _, err = db.NewReader().Read(objs[0].id, nil)
		wantErrNaming(t, err, ErrNotFound, objs[0].id, ".idx")
	})

	t.Run("flipped bytes in a pack give errors or git's bytes, never a panic", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "r.git")
		copyDir(t, base, dir)
		p := packFiles(t, dir)[0]
		data, _ := os.ReadFile(p)
		r := rng(7)
		body := len(data) - packHeaderLen - packTrailerLen
		for range 40 {
			i := packHeaderLen + int(r.next()%uint64(body))
			data[i] ^= byte(1 + r.next()%255)
		}
		os.WriteFile(p, data, 0o644)
		db, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rd := db.NewReader()
		failed := 0
		for _, o := range objs {
			_, _, err := rd.Read(o.id, nil)
			if err != nil {
				failed++
				wantErrNaming(t, err, ErrCorrupt, o.id, filepath.Base(p))
			}
			rd.ReadHeader(o.id)
		}
		if failed == 0 {
			t.Fatal("40 flipped bytes damaged no object")
		}
	})

	t.Run("a damaged loose object gives an error naming it and its file", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			content []byte
		}{
			{"garbage", []byte("this is not zlib")},
			{"bad header type", zlibBytes("blub 3\x00abc")},
			{"size larger than content", zlibBytes("blob 10\x00abc")},
			{"size smaller than content", zlibBytes("blob 1\x00abc")},
			{"no NUL after the header", zlibBytes("blob 3")},
			{"empty file", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "r.git")
				git(t, "", nil, "init", "-q", "--bare", dir)
				id := idOf("loose object id.....")
				path := loosePath(filepath.Join(dir, "objects"), &id)
				os.MkdirAll(filepath.Dir(path), 0o755)
				os.WriteFile(path, tc.content, 0o644)
				db, err := Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				r := db.NewReader()
				_, _, err = r.Read(id, nil)
				wantErrNaming(t, err, ErrCorrupt, id, path)
			})
		}
	})
}

func zlibBytes(s string) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}
