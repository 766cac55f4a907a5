package odb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The fuzz targets' seed corpora are in testdata/fuzz/<target>/, written
// from a generated repository by TestWriteFuzzSeeds (run it with
// GITWALK_WRITE_FUZZ_SEEDS=1 to refresh them), plus the f.Add seeds below.

const sampleCommit = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" +
	"parent 1111111111111111111111111111111111111111\n" +
	"parent 2222222222222222222222222222222222222222\n" +
	"author Ann Author <ann@example.com> 1700000000 +0100\n" +
	"committer Cy Committer <cy@example.com> 1700000007 -0230\n" +
	"gpgsig -----BEGIN PGP SIGNATURE-----\n \n -----END PGP SIGNATURE-----\n" +
	"\nsubject\n\nbody\n"

func FuzzParseCommit(f *testing.F) {
	f.Add([]byte(sampleCommit))
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor <> \ncommitter a <b> -5\n"))
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor x\ncommitter a b\n99999999999999999999999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCommit(data)
		if err != nil {
			return
		}
		if !bytes.HasPrefix(data, []byte("tree ")) {
			t.Fatal("accepted a commit without a tree line")
		}
		if len(c.Message) > 0 && !bytes.HasSuffix(data, c.Message) {
			t.Fatal("Message is not the end of the data")
		}
		if c.Date != referenceCommitDate(data) {
			t.Fatalf("Date = %d, reference says %d", c.Date, referenceCommitDate(data))
		}
		var again CommitInfo
		again.Parents = make([]ID, 0, 1)
		if err := ParseCommitInto(&again, data); err != nil || len(again.Parents) != len(c.Parents) {
			t.Fatal("ParseCommitInto disagrees with ParseCommit")
		}
	})
}

// referenceCommitDate is a literal transcription of git 2.39's
// parse_commit_date (a cursor walking the buffer up to tail) with its own
// strtoumax, for the fuzzer to hold commitDate to.
func referenceCommitDate(data []byte) uint64 {
	// Skip the tree line and the parent lines as parse_commit_buffer does.
	buf := 46
	for buf+47 < len(data) && string(data[buf:buf+7]) == "parent " {
		buf += 48
	}
	tail := len(data)
	if buf+6 >= tail || string(data[buf:buf+6]) != "author" {
		return 0
	}
	for buf < tail {
		c := data[buf]
		buf++
		if c == '\n' {
			break
		}
	}
	if buf+9 >= tail || string(data[buf:buf+9]) != "committer" {
		return 0
	}
	for buf < tail {
		c := data[buf]
		buf++
		if c == '>' {
			break
		}
	}
	if buf >= tail {
		return 0
	}
	dateptr := buf
	for buf < tail {
		c := data[buf]
		buf++
		if c == '\n' {
			break
		}
	}
	if buf >= tail {
		return 0
	}
	s := strings.TrimLeft(string(data[dateptr:]), " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 {
		return 0
	}
	v, err := strconv.ParseUint(s[:n], 10, 64)
	if err != nil {
		return math.MaxUint64
	}
	if neg {
		return -v
	}
	return v
}

func FuzzTreeIter(f *testing.F) {
	f.Add([]byte("100644 a\x00aaaaaaaaaaaaaaaaaaaa40000 dir\x00bbbbbbbbbbbbbbbbbbbb"))
	f.Add([]byte("160000 sub\x00cccccccccccccccccccc120000 l\x00dddddddddddddddddddd"))
	f.Add([]byte("100644 \x00aaaaaaaaaaaaaaaaaaaa"))
	f.Fuzz(func(t *testing.T, data []byte) {
		it := NewTreeIter(data)
		consumed := 0
		for {
			e, ok := it.Next()
			if !ok {
				break
			}
			if len(e.Name) == 0 || bytes.IndexByte(e.Name, 0) >= 0 {
				t.Fatalf("entry name %q", e.Name)
			}
			if CanonicalMode(e.Mode) != e.Mode {
				t.Fatalf("mode %o not canonical", e.Mode)
			}
			// The entry must be the next bytes of the data.
			nul := consumed + bytes.IndexByte(data[consumed:], 0)
			if !bytes.Equal(data[nul-len(e.Name):nul], e.Name) || !bytes.Equal(data[nul+1:nul+21], e.ID[:]) {
				t.Fatal("entry does not match the data")
			}
			consumed = nul + 21
		}
		if it.Err() == nil && consumed != len(data) {
			t.Fatalf("clean end after %d of %d bytes", consumed, len(data))
		}
	})
}

// referenceApplyDelta is a plain transcription of git's patch_delta for
// the fuzzer to compare applyDelta with.
func referenceApplyDelta(base, ops []byte, size int) ([]byte, bool) {
	var out []byte
	for i := 0; i < len(ops); {
		c := ops[i]
		i++
		if c&0x80 != 0 {
			var off, n int
			for bit := 0; bit < 7; bit++ {
				if c&(1<<bit) != 0 {
					if i >= len(ops) {
						return nil, false
					}
					if bit < 4 {
						off |= int(ops[i]) << (8 * bit)
					} else {
						n |= int(ops[i]) << (8 * (bit - 4))
					}
					i++
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > len(base) || len(out)+n > size {
				return nil, false
			}
			out = append(out, base[off:off+n]...)
		} else if c != 0 {
			if i+int(c) > len(ops) || len(out)+int(c) > size {
				return nil, false
			}
			out = append(out, ops[i:i+int(c)]...)
			i += int(c)
		} else {
			return nil, false
		}
	}
	return out, len(out) == size
}

func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("hello, base object\n"), makeDelta(19, 8, 0x91, 7, 4, 3, 'x', 'y', 'z', 1, '\n'))
	f.Add([]byte("abc"), makeDelta(3, 0x10000, 0x80))
	f.Add([]byte(""), makeDelta(0, 1, 0))
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		src, dst, ops, err := deltaSizes(delta)
		if err != nil || src != int64(len(base)) || dst > 1<<20 {
			return
		}
		out := make([]byte, dst)
		err = applyDelta(out, base, ops)
		want, ok := referenceApplyDelta(base, ops, int(dst))
		if (err == nil) != ok {
			t.Fatalf("applyDelta error %v, reference ok %v", err, ok)
		}
		if ok && !bytes.Equal(out, want) {
			t.Fatal("applyDelta result differs from the reference")
		}
	})
}

func FuzzParseEntryHeader(f *testing.F) {
	f.Add([]byte{0x93, 0x07, 0x78}, uint8(0))
	f.Add([]byte{0x6f, 0x81, 0x00, 0x78}, uint8(0))
	f.Add(append([]byte{0x70}, bytes.Repeat([]byte{'A'}, 21)...), uint8(0))
	f.Fuzz(func(t *testing.T, entry []byte, at uint8) {
		data := make([]byte, 0, packHeaderLen+len(entry)+packTrailerLen+int(at))
		data = append(data, "PACK\x00\x00\x00\x02\x00\x00\x00\x01"...)
		data = append(data, make([]byte, at)...)
		data = append(data, entry...)
		data = append(data, make([]byte, packTrailerLen)...)
		off := int64(packHeaderLen + int(at))
		h, err := parseEntryHeader(data, off)
		if err != nil {
			return
		}
		end := int64(len(data) - packTrailerLen)
		if h.dataOff <= off || h.dataOff >= end || h.size < 0 {
			t.Fatalf("header %+v out of bounds for entry at %d of %d", h, off, end)
		}
		if h.typ == packOfsDelta && (h.baseOff < packHeaderLen || h.baseOff >= off) {
			t.Fatalf("base offset %d for an entry at %d", h.baseOff, off)
		}
		if h.typ != packOfsDelta && h.typ != packRefDelta && !bytes.Equal(encodeEntryHeader(h.typ, h.size), entry[:h.dataOff-off]) {
			// Only the canonical encoding round-trips; longer encodings
			// with zero high groups are legal too.
			if int64(len(encodeEntryHeader(h.typ, h.size))) > h.dataOff-off {
				t.Fatal("header decoded from fewer bytes than its shortest encoding")
			}
		}
	})
}

// FuzzReadPackEntry reads an object from a one-entry in-memory pack made
// of the fuzzer's bytes: every path of Read (headers, inflating, deltas)
// must give content or an error, never a panic or a hang.
func FuzzReadPackEntry(f *testing.F) {
	f.Add(append(encodeEntryHeader(packBlob, 5), zlibBytes("hello")...))
	f.Add(append(append(encodeEntryHeader(packOfsDelta, 5), 1), zlibBytes("abc")...))
	f.Add(append(append(encodeEntryHeader(packRefDelta, 5), make([]byte, 20)...), zlibBytes("\x00\x03\x03abc")...))
	f.Fuzz(func(t *testing.T, entry []byte) {
		// Two entries: a fixed blob and the fuzzed one after it, so that
		// ofs-deltas have something to point at.
		first := append(encodeEntryHeader(packBlob, 5), zlibBytes("hello")...)
		data := append([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x02"), first...)
		off2 := len(data)
		data = append(data, entry...)
		data = append(data, make([]byte, packTrailerLen)...)
		idA, idB := idOf("A"), idOf("B")
		db := memDB(data, []ID{idA, idB}, []uint32{packHeaderLen, uint32(off2)})
		r := db.NewReader()
		typ, _, err := r.Read(idB, nil)
		if err == nil && (typ < Commit || typ > Tag) {
			t.Fatalf("Read gave type %v without error", typ)
		}
		r.ReadHeader(idB)
	})
}

// memDB is a DB over one in-memory pack whose index lists ids (sorted)
// at offsets.
func memDB(data []byte, ids []ID, offsets []uint32) *DB {
	p := &pack{path: "fuzz.pack", idxPath: "fuzz.idx", data: data, count: len(ids), version: 2,
		releaseData: func() error { return nil }, releaseIdx: func() error { return nil }}
	for _, id := range ids {
		p.names = append(p.names, id[:]...)
		for b := int(id[0]); b < 256; b++ {
			p.fanout[b]++
		}
	}
	for _, o := range offsets {
		p.offsets32 = binary.BigEndian.AppendUint32(p.offsets32, o)
	}
	db := &DB{packSeen: map[string]bool{}}
	list := []*pack{p}
	db.packs.Store(&list)
	return db
}

// TestWriteFuzzSeeds writes seed corpora from a generated repository when
// GITWALK_WRITE_FUZZ_SEEDS is set.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("GITWALK_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set GITWALK_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz seeds")
	}
	dir := newRepo(t, 12)
	git(t, dir, nil, "repack", "-q", "-adf", "--depth=50")
	objs := gitAllObjects(t, dir)
	write := func(target string, n int, vals ...any) {
		d := filepath.Join("testdata", "fuzz", target)
		os.MkdirAll(d, 0o755)
		var b bytes.Buffer
		b.WriteString("go test fuzz v1\n")
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				fmt.Fprintf(&b, "[]byte(%q)\n", v)
			case uint8:
				fmt.Fprintf(&b, "byte(%d)\n", v)
			}
		}
		os.WriteFile(filepath.Join(d, fmt.Sprintf("seed%02d", n)), b.Bytes(), 0o644)
	}
	counts := map[string]int{}
	for _, o := range objs {
		switch o.typ {
		case "commit":
			if counts["c"] < 4 {
				write("FuzzParseCommit", counts["c"], o.data)
				counts["c"]++
			}
		case "tree":
			if counts["t"] < 4 {
				write("FuzzTreeIter", counts["t"], o.data)
				counts["t"]++
			}
		}
	}
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := (*db.packs.Load())[0]
	r := db.NewReader()
	for i := 0; i < p.count && (counts["d"] < 4 || counts["h"] < 6 || counts["z"] < 4 || counts["r"] < 3); i++ {
		off, _ := p.offsetAt(i)
		h, err := parseEntryHeader(p.data, off)
		if err != nil {
			t.Fatal(err)
		}
		raw := p.data[off:min(int64(len(p.data)-packTrailerLen), h.dataOff+8)]
		if counts["h"] < 6 {
			write("FuzzParseEntryHeader", counts["h"], append([]byte(nil), raw...), uint8(0))
			counts["h"]++
		}
		if h.typ == packOfsDelta && counts["d"] < 4 && h.size < 4096 {
			d := make([]byte, h.size)
			src, _ := entryData(p, h.dataOff, h.size)
			if err := r.inflate(src, d, h.dataOff); err != nil {
				t.Fatal(err)
			}
			bh, _ := parseEntryHeader(p.data, h.baseOff)
			if bh.typ <= packTag && bh.size < 8192 {
				base := make([]byte, bh.size)
				bsrc, _ := entryData(p, bh.dataOff, bh.size)
				r.inflate(bsrc, base, bh.dataOff)
				write("FuzzApplyDelta", counts["d"], base, d)
				counts["d"]++
			}
		}
		if h.typ <= packTag && counts["z"] < 4 {
			end := h.dataOff + zlibStreamLen(t, p.data[h.dataOff:])
			write("FuzzInflate", counts["z"], append([]byte(nil), p.data[h.dataOff:end]...))
			counts["z"]++
		}
		if h.typ == packBlob && counts["r"] < 3 && h.size < 2048 {
			end := h.dataOff + zlibStreamLen(t, p.data[h.dataOff:])
			write("FuzzReadPackEntry", counts["r"], append([]byte(nil), p.data[off:end]...))
			counts["r"]++
		}
	}
}

// zlibStreamLen returns how many bytes of b the zlib stream at its start
// takes.
func zlibStreamLen(t *testing.T, b []byte) int64 {
	br := bytes.NewReader(b)
	r := &Reader{}
	r.src = *br
	if err := r.resetInflater(b); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<16)
	for {
		_, err := r.zr.Read(buf)
		if err != nil {
			break
		}
	}
	return int64(len(b) - r.src.Len())
}
