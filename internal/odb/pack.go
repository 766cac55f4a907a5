package odb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"path/filepath"
	"strings"
)

// Pack entry types as stored in a pack's entry headers.
const (
	packCommit   = 1
	packTree     = 2
	packBlob     = 3
	packTag      = 4
	packOfsDelta = 6
	packRefDelta = 7
)

const (
	packHeaderLen  = 12 // "PACK", version, object count
	packTrailerLen = 20 // SHA-1 of everything before it
	idxV2Magic     = "\377tOc"
)

// pack is one mapped pack file with its mapped .idx. It is immutable after
// openPack and safe for concurrent use until close.
type pack struct {
	path    string // the .pack file, named in errors
	idxPath string
	data    []byte // the whole .pack mapping
	idx     []byte // the whole .idx mapping

	count   int
	version int // idx version: 1 or 2
	fanout  [256]uint32
	// For version 2: names, 32-bit offsets and 64-bit offsets tables.
	// For version 1: names is the table of 24-byte (offset, id) records.
	names     []byte
	offsets32 []byte
	offsets64 []byte

	// broken is set when the pack itself fails its checks (truncated,
	// replaced) while its index is readable: reads of its objects fail
	// with this error, naming the object.
	broken error

	releaseData, releaseIdx func() error
}

// openPack maps a pack and its index and checks that they agree.
func openPack(packPath string) (*pack, error) {
	idxPath := strings.TrimSuffix(packPath, ".pack") + ".idx"
	p := &pack{path: packPath, idxPath: idxPath}
	var err error
	p.idx, p.releaseIdx, err = mapFile(idxPath)
	if err != nil {
		return nil, fmt.Errorf("open pack index: %w", err)
	}
	p.data, p.releaseData, err = mapFile(packPath)
	if err != nil {
		p.releaseIdx()
		return nil, fmt.Errorf("open pack: %w", err)
	}
	if err := p.parseIndex(); err != nil {
		p.close()
		return nil, err
	}
	p.broken = p.checkPack()
	return p, nil
}

func (p *pack) close() error {
	if p.data == nil {
		return nil
	}
	err1 := p.releaseData()
	err2 := p.releaseIdx()
	p.data, p.idx = nil, nil
	return errors.Join(err1, err2)
}

func (p *pack) badIndex(format string, args ...any) error {
	return fmt.Errorf("pack index %s: %s: %w", p.idxPath, fmt.Sprintf(format, args...), ErrCorrupt)
}

// parseIndex validates the .idx layout and sets up the tables.
func (p *pack) parseIndex() error {
	idx := p.idx
	fanoutAt := 0
	p.version = 1
	if len(idx) >= 8 && string(idx[:4]) == idxV2Magic {
		v := binary.BigEndian.Uint32(idx[4:8])
		if v != 2 {
			return p.badIndex("unsupported version %d", v)
		}
		p.version = 2
		fanoutAt = 8
	}
	if len(idx) < fanoutAt+256*4+2*20 {
		return p.badIndex("truncated (%d bytes)", len(idx))
	}
	prev := uint32(0)
	for i := range 256 {
		v := binary.BigEndian.Uint32(idx[fanoutAt+4*i:])
		if v < prev {
			return p.badIndex("fan-out table not monotonic")
		}
		p.fanout[i] = v
		prev = v
	}
	n := int(p.fanout[255])
	p.count = n
	body := idx[fanoutAt+256*4 : len(idx)-2*20]
	if p.version == 1 {
		if len(body) != n*24 {
			return p.badIndex("size %d does not fit %d objects", len(idx), n)
		}
		p.names = body
		return nil
	}
	if len(body) < n*28 {
		return p.badIndex("size %d does not fit %d objects", len(idx), n)
	}
	p.names = body[:n*20]
	p.offsets32 = body[n*24 : n*28]
	p.offsets64 = body[n*28:]
	if len(p.offsets64)%8 != 0 {
		return p.badIndex("large offset table has a partial entry")
	}
	return nil
}

// checkPack validates the pack header and trailer against the index. Its
// error becomes p.broken, which readers wrap with corruptf (the object, the
// pack's path and ErrCorrupt), so it names neither itself.
func (p *pack) checkPack() error {
	d := p.data
	if len(d) < packHeaderLen+packTrailerLen || string(d[:4]) != "PACK" {
		return errors.New("not a pack file, or truncated")
	}
	if v := binary.BigEndian.Uint32(d[4:8]); v != 2 && v != 3 {
		return fmt.Errorf("unsupported pack version %d", v)
	}
	if c := binary.BigEndian.Uint32(d[8:12]); int(c) != p.count {
		return fmt.Errorf("pack holds %d objects but its index lists %d", c, p.count)
	}
	idxSum := p.idx[len(p.idx)-40 : len(p.idx)-20]
	if !bytes.Equal(idxSum, d[len(d)-packTrailerLen:]) {
		return fmt.Errorf("pack checksum does not match its index %s (truncated or replaced pack?)",
			filepath.Base(p.idxPath))
	}
	return nil
}

// nameAt returns the id of the i-th object in index order.
func (p *pack) nameAt(i int) []byte {
	if p.version == 1 {
		return p.names[i*24+4 : i*24+24]
	}
	return p.names[i*20 : i*20+20]
}

// find returns the index position of id, or -1.
func (p *pack) find(id *ID) int {
	lo := 0
	if id[0] > 0 {
		lo = int(p.fanout[id[0]-1])
	}
	hi := int(p.fanout[id[0]])
	// The bucket's ids lie in [loKey, hiKey]: their first byte is id[0].
	loKey := uint64(id[0]) << 56
	hiKey := loKey + (1<<56 - 1)
	if p.version == 1 {
		return searchIDs(p.names, 24, 4, lo, hi, loKey, hiKey, id)
	}
	return searchIDs(p.names, 20, 0, lo, hi, loKey, hiKey, id)
}

// SearchIDs returns the position of id among the ids that table holds in
// increasing order, one at the start of every stride bytes, or -1 (see
// searchIDs).
func SearchIDs(table []byte, stride int, id *ID) int {
	return searchIDs(table, stride, 0, 0, len(table)/stride, 0, math.MaxUint64, id)
}

// searchIDs returns the position in [lo, hi) of id among the ids of table,
// one at off in every stride bytes, sorted, whose first eight bytes (big
// endian) lie in [loKey, hiKey]; or -1.
//
// Object ids are hashes, spread evenly, so an id's position is about where
// its value lies between the range's ends: it probes there first
// (interpolation search) and narrows the range with each probe's value,
// for a few probes, then halves what is left. On git/git's pack index
// (849,014 objects, 3,300 to a fan-out bucket) a lookup by halving made
// 10.8 probes on average, spread over the bucket's 16 pages, each likely
// a cache miss; by interpolation 4.3, the last ones close together. Ids
// bunched together cost only more probes.
func searchIDs(table []byte, stride, off, lo, hi int, loKey, hiKey uint64, id *ID) int {
	key := binary.BigEndian.Uint64(id[:8])
	for probes := 0; lo < hi; probes++ {
		mid := int(uint(lo+hi) >> 1)
		// key stays within [loKey, hiKey], since a probe narrows them only
		// on its side of key (in a damaged table, whose ranges hold ids out
		// of order, the bounds may widen, up to all 64 bits). Past four
		// probes, only halving.
		if probes < 4 {
			// key's share of [loKey, hiKey] times the positions, in 128 bits:
			// below hi-lo, so the division cannot overflow.
			h, l := bits.Mul64(key-loKey, uint64(hi-lo))
			q := h // a span of all 64 bits: divide by 2^64
			if span := hiKey - loKey; span != math.MaxUint64 {
				q, _ = bits.Div64(h, l, span+1)
			}
			mid = lo + int(q)
		}
		name := table[mid*stride+off : mid*stride+off+20]
		k := binary.BigEndian.Uint64(name)
		c := 0
		switch {
		case k < key:
			c = -1
		case k > key:
			c = 1
		default:
			c = bytes.Compare(name[8:], id[8:])
		}
		if c == 0 {
			return mid
		}
		if c < 0 {
			lo, loKey = mid+1, k
		} else {
			hi, hiKey = mid, k
		}
	}
	return -1
}

// offsetAt returns the pack offset of the i-th object in index order,
// checked to lie inside the pack's entry area.
func (p *pack) offsetAt(i int) (int64, error) {
	var off int64
	if p.version == 1 {
		off = int64(binary.BigEndian.Uint32(p.names[i*24:]))
	} else {
		v := binary.BigEndian.Uint32(p.offsets32[i*4:])
		if v&0x80000000 == 0 {
			off = int64(v)
		} else {
			j := int(v & 0x7fffffff)
			if j >= len(p.offsets64)/8 {
				return 0, p.badIndex("large offset %d out of range", j)
			}
			u := binary.BigEndian.Uint64(p.offsets64[j*8:])
			if u > 1<<62 {
				return 0, p.badIndex("large offset %d too large", u)
			}
			off = int64(u)
		}
	}
	if off < packHeaderLen || off >= int64(len(p.data)-packTrailerLen) {
		return 0, p.badIndex("offset %d outside pack %s (%d bytes)", off, filepath.Base(p.path), len(p.data))
	}
	return off, nil
}

// entryHeader is a decoded pack entry header.
type entryHeader struct {
	typ     byte  // packCommit..packRefDelta
	size    int64 // inflated size of the entry's data (the delta for deltas)
	dataOff int64 // offset of the zlib stream
	baseOff int64 // for packOfsDelta: offset of the base entry
	baseID  ID    // for packRefDelta: id of the base object
}

// errBadHeader is the cause inside errors about malformed entry headers.
var errBadHeader = errors.New("malformed entry header")

// parseEntryHeader decodes the entry header at off in a pack of which
// data is the whole mapping. It reads nothing outside
// data[:len(data)-packTrailerLen].
func parseEntryHeader(data []byte, off int64) (entryHeader, error) {
	var h entryHeader
	end := int64(len(data) - packTrailerLen)
	if off < packHeaderLen || off >= end {
		return h, fmt.Errorf("%w: offset %d outside the pack", errBadHeader, off)
	}
	pos := off
	c := data[pos]
	pos++
	h.typ = (c >> 4) & 7
	size := uint64(c & 15)
	shift := uint(4)
	for c&0x80 != 0 {
		if pos >= end {
			return h, fmt.Errorf("%w: truncated size at offset %d", errBadHeader, off)
		}
		if shift > 57 {
			return h, fmt.Errorf("%w: size overflows at offset %d", errBadHeader, off)
		}
		c = data[pos]
		pos++
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	if size > 1<<62 {
		return h, fmt.Errorf("%w: size %d too large at offset %d", errBadHeader, size, off)
	}
	h.size = int64(size)
	switch h.typ {
	case packCommit, packTree, packBlob, packTag:
	case packOfsDelta:
		if pos >= end {
			return h, fmt.Errorf("%w: truncated delta offset at offset %d", errBadHeader, off)
		}
		c = data[pos]
		pos++
		rel := uint64(c & 0x7f)
		for c&0x80 != 0 {
			if pos >= end {
				return h, fmt.Errorf("%w: truncated delta offset at offset %d", errBadHeader, off)
			}
			if rel >= 1<<56 {
				return h, fmt.Errorf("%w: delta offset overflows at offset %d", errBadHeader, off)
			}
			c = data[pos]
			pos++
			rel = ((rel + 1) << 7) | uint64(c&0x7f)
		}
		if rel == 0 || rel > uint64(off-packHeaderLen) {
			return h, fmt.Errorf("%w: delta base distance %d invalid at offset %d", errBadHeader, rel, off)
		}
		h.baseOff = off - int64(rel)
	case packRefDelta:
		if end-pos < 20 {
			return h, fmt.Errorf("%w: truncated base id at offset %d", errBadHeader, off)
		}
		copy(h.baseID[:], data[pos:pos+20])
		pos += 20
	default:
		return h, fmt.Errorf("%w: unknown type %d at offset %d", errBadHeader, h.typ, off)
	}
	if pos >= end {
		return h, fmt.Errorf("%w: no data after header at offset %d", errBadHeader, off)
	}
	h.dataOff = pos
	return h, nil
}
