package commitgraph

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gitwalk/gitwalk/internal/odb"
)

// ErrDamaged is the cause (wrapped, with what is wrong) of every error about
// a commit-graph file that is not sound: a graph that gives it is not used.
var ErrDamaged = errors.New("commit-graph is damaged")

// The file's layout (gitformat-commit-graph(5)); only SHA-1 is read, as the
// object database is SHA-1 only.
const (
	hashLen    = 20
	headerSize = 8
	tocEntry   = 12
	fanoutSize = 256 * 4
	cdatEntry  = hashLen + 16
	// minSize is a header, the chunk table's terminating entry and the
	// trailer: anything shorter cannot even be checked.
	minSize = headerSize + tocEntry + hashLen

	parentNone = 0x70000000 // no parent in this slot (GRAPH_PARENT_NONE)
	highBit    = 0x80000000 // 2nd slot: index into EDGE; in EDGE: the last parent
	posMask    = 0x7fffffff

	// maxCommits keeps every position below parentNone, so that no
	// position can be read as "none".
	maxCommits = parentNone
)

// Chunk ids.
const (
	chunkFanout     = 0x4f494446 // OIDF
	chunkLookup     = 0x4f49444c // OIDL
	chunkData       = 0x43444154 // CDAT
	chunkEdges      = 0x45444745 // EDGE
	chunkGenData    = 0x47444132 // GDA2
	chunkGenOverflw = 0x47444f32 // GDO2
	chunkBloomIndex = 0x42494458 // BIDX
	chunkBloomData  = 0x42444154 // BDAT
	chunkBase       = 0x42415345 // BASE
)

// bloomHeader is the size of BDAT's header: hash version, number of hashes,
// bits per entry.
const bloomHeader = 12

// File is one commit-graph file, parsed and checked. It holds slices of the
// bytes it was parsed from, which must stay unchanged while it is used.
// Safe for concurrent use (it is read only).
type File struct {
	n      uint32 // commits in this file
	bases  int    // base graphs named in the header (B)
	fanout []byte
	oids   []byte
	cdat   []byte
	edges  []byte // nil when absent
	gda2   []byte // nil when absent
	gdo2   []byte
	base   []byte // B hashes, base first; nil when B is 0

	bidx  []byte // nil when the file has no usable Bloom filters
	bdat  []byte // BDAT without its header
	bloom BloomSettings

	sum odb.ID // the trailer: the file's own hash, the name of a chain's layer
}

// BloomSettings are the parameters of a file's changed-path Bloom filters
// (BDAT's header).
type BloomSettings struct {
	HashVersion  uint32 // 1 in git 2.39
	NumHashes    uint32 // bit positions per path
	BitsPerEntry uint32 // bits per path the filters were sized with
}

// Parse checks a whole commit-graph file held in data and returns it; an
// error wraps ErrDamaged and says what is wrong. data is kept, not copied.
func Parse(data []byte) (*File, error) { return parse(data, true) }

// parse is Parse; without verifySum the trailer is not checked, so that
// fuzzing reaches the checks behind it.
func parse(data []byte, verifySum bool) (*File, error) {
	if len(data) < minSize {
		return nil, damaged("file of %d bytes is too small", len(data))
	}
	if string(data[:4]) != "CGPH" {
		return nil, damaged("signature %q is not CGPH", data[:4])
	}
	if data[4] != 1 {
		return nil, damaged("version %d is not 1", data[4])
	}
	if data[5] != 1 {
		return nil, damaged("hash version %d is not 1 (SHA-1)", data[5])
	}
	f := &File{bases: int(data[7])}
	copy(f.sum[:], data[len(data)-hashLen:])
	if verifySum {
		if sum := sha1.Sum(data[:len(data)-hashLen]); !bytes.Equal(sum[:], f.sum[:]) {
			return nil, damaged("checksum %x does not match the trailer %x", sum, f.sum[:])
		}
	}
	chunks, err := readChunks(data, int(data[6]))
	if err != nil {
		return nil, err
	}
	var ok bool
	if f.fanout, ok = chunks[chunkFanout]; !ok || len(f.fanout) != fanoutSize {
		return nil, damaged("OID fanout chunk missing or not %d bytes", fanoutSize)
	}
	if f.oids, ok = chunks[chunkLookup]; !ok || len(f.oids)%hashLen != 0 {
		return nil, damaged("OID lookup chunk missing or not a whole number of ids")
	}
	if len(f.oids)/hashLen >= maxCommits {
		return nil, damaged("%d commits are more than a graph can number", len(f.oids)/hashLen)
	}
	f.n = uint32(len(f.oids) / hashLen)
	if f.cdat, ok = chunks[chunkData]; !ok || len(f.cdat) != int(f.n)*cdatEntry {
		return nil, damaged("commit data chunk missing or not %d bytes", int(f.n)*cdatEntry)
	}
	if err := f.checkFanout(); err != nil {
		return nil, err
	}
	if e, ok := chunks[chunkEdges]; ok {
		if len(e)%4 != 0 {
			return nil, damaged("extra edge chunk of %d bytes", len(e))
		}
		f.edges = e
	}
	if f.bases > 0 {
		if f.base, ok = chunks[chunkBase]; !ok || len(f.base) != f.bases*hashLen {
			return nil, damaged("base graphs chunk missing or not %d ids", f.bases)
		}
	}
	if err := f.readGenerations(chunks); err != nil {
		return nil, err
	}
	if err := f.readBloom(chunks); err != nil {
		return nil, err
	}
	if f.bases == 0 {
		// A file with bases is checked when its chain is put together.
		if err := f.checkParents(f.n); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// readChunks reads the chunk table after the header: n entries and the
// terminating one, each id with its offset; a chunk ends where the next
// begins, and all lie between the table and the trailer.
func readChunks(data []byte, n int) (map[uint32][]byte, error) {
	end := len(data) - hashLen
	tableEnd := headerSize + (n+1)*tocEntry
	if tableEnd > end {
		return nil, damaged("file is too small to hold %d chunks", n)
	}
	chunks := make(map[uint32][]byte, n)
	prev := uint64(tableEnd)
	var prevID uint32
	for i := 0; i <= n; i++ {
		e := data[headerSize+i*tocEntry:]
		id := binary.BigEndian.Uint32(e)
		off := binary.BigEndian.Uint64(e[4:])
		if i == n {
			if id != 0 {
				return nil, damaged("chunk table not terminated by id 0")
			}
		} else if id == 0 {
			return nil, damaged("chunk table ends after %d of %d chunks", i, n)
		}
		if off < prev || off > uint64(end) {
			return nil, damaged("chunk %08x at offset %d is out of place (after %d, before %d)", id, off, prev, end)
		}
		if i > 0 {
			if _, dup := chunks[prevID]; dup {
				return nil, damaged("chunk %08x appears twice", prevID)
			}
			chunks[prevID] = data[prev:off:off]
		}
		prev, prevID = off, id
	}
	return chunks, nil
}

// checkFanout checks that the ids are strictly ascending and that the
// fanout counts them by first byte, so that a lookup finds every id.
func (f *File) checkFanout() error {
	var count uint32
	for b := 0; b < 256; b++ {
		want := binary.BigEndian.Uint32(f.fanout[4*b:])
		for count < f.n && int(f.oids[int(count)*hashLen]) == b {
			count++
		}
		if want != count {
			return damaged("fanout entry %d is %d, the ids say %d", b, want, count)
		}
	}
	if count != f.n {
		return damaged("fanout counts %d of %d ids", count, f.n)
	}
	for i := 1; i < int(f.n); i++ {
		if bytes.Compare(f.oids[(i-1)*hashLen:i*hashLen], f.oids[i*hashLen:(i+1)*hashLen]) >= 0 {
			return damaged("ids not in ascending order at position %d", i)
		}
	}
	return nil
}

// readGenerations takes GDA2 and GDO2 when present and consistent.
func (f *File) readGenerations(chunks map[uint32][]byte) error {
	gda, ok := chunks[chunkGenData]
	if !ok {
		return nil
	}
	if len(gda) != int(f.n)*4 {
		return damaged("generation data chunk of %d bytes for %d commits", len(gda), f.n)
	}
	gdo := chunks[chunkGenOverflw]
	if len(gdo)%8 != 0 {
		return damaged("generation overflow chunk of %d bytes", len(gdo))
	}
	for i := 0; i < int(f.n); i++ {
		v := binary.BigEndian.Uint32(gda[4*i:])
		if v&highBit != 0 && int(v&posMask) >= len(gdo)/8 {
			return damaged("generation overflow index %d out of range", v&posMask)
		}
	}
	f.gda2, f.gdo2 = gda, gdo
	return nil
}

// readBloom takes BIDX and BDAT when both are present and of hash version
// 1, the only one git 2.39 reads (it ignores the filters otherwise).
func (f *File) readBloom(chunks map[uint32][]byte) error {
	idx, okIdx := chunks[chunkBloomIndex]
	dat, okDat := chunks[chunkBloomData]
	if !okIdx || !okDat {
		return nil
	}
	if len(dat) < bloomHeader {
		return damaged("Bloom data chunk of %d bytes", len(dat))
	}
	s := BloomSettings{
		HashVersion:  binary.BigEndian.Uint32(dat),
		NumHashes:    binary.BigEndian.Uint32(dat[4:]),
		BitsPerEntry: binary.BigEndian.Uint32(dat[8:]),
	}
	if s.HashVersion != 1 {
		return nil
	}
	if s.NumHashes == 0 || s.NumHashes > 64 {
		return damaged("Bloom filters with %d hashes", s.NumHashes)
	}
	if len(idx) != int(f.n)*4 {
		return damaged("Bloom index chunk of %d bytes for %d commits", len(idx), f.n)
	}
	var prev uint32
	for i := 0; i < int(f.n); i++ {
		v := binary.BigEndian.Uint32(idx[4*i:])
		if v < prev || int64(v) > int64(len(dat)-bloomHeader) {
			return damaged("Bloom index entry %d (%d) out of order or past the data", i, v)
		}
		prev = v
	}
	f.bidx, f.bdat, f.bloom = idx, dat[bloomHeader:], s
	return nil
}

// Len returns the number of commits in the file.
func (f *File) Len() int { return int(f.n) }

// Checksum returns the file's trailer: its SHA-1, by which a chain names it.
func (f *File) Checksum() odb.ID { return f.sum }

// find returns the index of id in the file.
func (f *File) find(id *odb.ID) (uint32, bool) {
	b := int(id[0])
	var lo uint32
	if b > 0 {
		lo = binary.BigEndian.Uint32(f.fanout[4*(b-1):])
	}
	hi := binary.BigEndian.Uint32(f.fanout[4*b:])
	for lo < hi {
		mid := lo + (hi-lo)/2
		switch c := bytes.Compare(f.oids[int(mid)*hashLen:int(mid+1)*hashLen], id[:]); {
		case c == 0:
			return mid, true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// id returns the id at index i.
func (f *File) id(i uint32) (id odb.ID) {
	copy(id[:], f.oids[int(i)*hashLen:])
	return id
}

// entry returns the commit data of index i.
func (f *File) entry(i uint32) []byte {
	return f.cdat[int(i)*cdatEntry : int(i+1)*cdatEntry]
}

// checkParents checks every parent position of the file against limit, the
// number of commits in it and its bases (a parent is never in a layer
// above), and every extra edge list for its end.
func (f *File) checkParents(limit uint32) error {
	nEdges := uint32(len(f.edges) / 4)
	for i := uint32(0); i < f.n; i++ {
		e := f.entry(i)
		p1 := binary.BigEndian.Uint32(e[hashLen:])
		p2 := binary.BigEndian.Uint32(e[hashLen+4:])
		if p1 != parentNone && p1 >= limit {
			return damaged("commit %s: parent position %d out of range (%d commits)", f.id(i), p1, limit)
		}
		if p1 == parentNone && p2 != parentNone {
			return damaged("commit %s: a second parent without a first", f.id(i))
		}
		switch {
		case p2 == parentNone:
		case p2&highBit == 0:
			if p2 >= limit {
				return damaged("commit %s: parent position %d out of range (%d commits)", f.id(i), p2, limit)
			}
		default:
			for k := p2 & posMask; ; k++ {
				if k >= nEdges {
					return damaged("commit %s: extra edge list runs past its chunk", f.id(i))
				}
				v := binary.BigEndian.Uint32(f.edges[4*k:])
				if v&posMask >= limit {
					return damaged("commit %s: parent position %d out of range (%d commits)", f.id(i), v&posMask, limit)
				}
				if v&highBit != 0 {
					break
				}
			}
		}
	}
	return nil
}
