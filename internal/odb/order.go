package odb

import (
	"encoding/binary"
	"strings"
)

// PackOrder lists the objects of a DB's packs in the order they lie in
// their packs: by offset, pack after pack in the DB's order (newest
// first). Each object has a rank, its place in that list.
//
// git writes a pack's commits first, newest first (pack-objects' recency
// order); in a history that is mostly a line, that is about the order a
// revision walk asks for them. A read-ahead of the walk's commits needs
// that: reading them in the pack's order reads them before the walk asks,
// without knowing their ids, which a revision walk learns only by reading
// the commit before.
//
// The order is a pack's reverse index (the .rev file git writes beside a
// pack since 2.41 by default), mapped, or else built from the pack index:
// the offsets sorted, two passes of a radix sort. Safe for concurrent use
// once made; Close releases it.
type PackOrder struct {
	packs []*pack
	base  []int      // the rank of each pack's first object
	keys  [][]uint64 // each pack's objects by offset: offset<<orderPosBits | index position
	revs  [][]byte   // or, where keys[k] is nil, pack k's reverse index: positions by offset
	total int
	close []func() error
}

// orderPosBits holds an index position in a sort key; a pack of more
// objects, or with offsets past 2^(64-orderPosBits), is left out of the
// order (its objects have no rank).
const orderPosBits = 24

// PackOrder builds the order of db's packs as they are now.
func (db *DB) PackOrder() *PackOrder {
	o := &PackOrder{}
	for _, p := range *db.packs.Load() {
		if p.broken != nil {
			continue
		}
		if rev, release := p.reverseIndex(); rev != nil {
			o.add(p, nil, rev)
			o.close = append(o.close, release)
			continue
		}
		if p.count >= 1<<orderPosBits || int64(len(p.data)) >= 1<<(64-orderPosBits) {
			continue
		}
		keys := make([]uint64, p.count)
		ok := true
		for i := range keys {
			off, err := p.offsetAt(i)
			if err != nil {
				ok = false
				break
			}
			keys[i] = uint64(off)<<orderPosBits | uint64(i)
		}
		if !ok {
			continue // a damaged index: its readers say so
		}
		o.add(p, sortKeys(keys, uint(bitsFor(uint64(len(p.data))))), nil)
	}
	return o
}

func (o *PackOrder) add(p *pack, keys []uint64, rev []byte) {
	o.packs = append(o.packs, p)
	o.base = append(o.base, o.total)
	o.keys = append(o.keys, keys)
	o.revs = append(o.revs, rev)
	o.total += p.count
}

// Close releases the reverse indexes the order maps.
func (o *PackOrder) Close() {
	for _, f := range o.close {
		f()
	}
	o.close = nil
}

// Reverse index files: "RIDX", version 1, hash function 1 (SHA-1), the
// index positions in pack order (four bytes each), then the pack's and
// the file's checksums.
const (
	revHeaderLen  = 12
	revTrailerLen = 40
)

// reverseIndex maps the pack's .rev file when it is there and sound in
// its shape (its positions are checked as they are used), or returns nil.
func (p *pack) reverseIndex() ([]byte, func() error) {
	data, release, err := mapFile(strings.TrimSuffix(p.path, ".pack") + ".rev")
	if err != nil {
		return nil, nil
	}
	if len(data) != revHeaderLen+4*p.count+revTrailerLen || string(data[:4]) != "RIDX" ||
		binary.BigEndian.Uint32(data[4:]) != 1 || binary.BigEndian.Uint32(data[8:]) != 1 {
		release()
		return nil, nil
	}
	return data[revHeaderLen : revHeaderLen+4*p.count], release
}

// at returns the offset and index position of pack k's j-th object in
// pack order; ok is false for a reverse index that names no object.
func (o *PackOrder) at(k, j int) (off uint64, pos int, ok bool) {
	if rev := o.revs[k]; rev != nil {
		pos = int(binary.BigEndian.Uint32(rev[4*j:]))
		if pos >= o.packs[k].count {
			return 0, 0, false
		}
		off, err := o.packs[k].offsetAt(pos)
		return uint64(off), pos, err == nil
	}
	key := o.keys[k][j]
	return key >> orderPosBits, int(key & (1<<orderPosBits - 1)), true
}

// bitsFor is the number of bits n needs.
func bitsFor(n uint64) int {
	b := 0
	for n != 0 {
		b++
		n >>= 1
	}
	return b
}

// sortKeys sorts keys by their offsets (the bits above orderPosBits, of
// which offBits are used), a radix sort of 16-bit digits: two passes for
// a pack under 4 GiB. Offsets are unique, so the positions below them
// never decide. It returns the sorted slice (keys or a buffer).
func sortKeys(keys []uint64, offBits uint) []uint64 {
	buf := make([]uint64, len(keys))
	var counts [1 << 16]int
	for shift := uint(orderPosBits); shift < orderPosBits+offBits; shift += 16 {
		counts = [1 << 16]int{}
		for _, k := range keys {
			counts[(k>>shift)&0xffff]++
		}
		sum := 0
		for d, c := range counts {
			counts[d] = sum
			sum += c
		}
		for _, k := range keys {
			d := (k >> shift) & 0xffff
			buf[counts[d]] = k
			counts[d]++
		}
		keys, buf = buf, keys
	}
	return keys
}

// Len is the number of objects with a rank.
func (o *PackOrder) Len() int { return o.total }

// locate returns the pack and the place in its keys of rank.
func (o *PackOrder) locate(rank int) (int, int) {
	k := len(o.base) - 1
	for k > 0 && o.base[k] > rank {
		k--
	}
	return k, rank - o.base[k]
}

// Commit returns the id of the object at rank when it is a whole commit
// (not a delta), and false for any other object or a rank out of range.
// It reads the entry's first byte.
func (o *PackOrder) Commit(rank int) (ID, bool) {
	var id ID
	p, pos, ok := o.commitAt(rank)
	if ok {
		copy(id[:], p.nameAt(pos))
	}
	return id, ok
}

// IsCommit reports whether the object at rank is a whole commit.
func (o *PackOrder) IsCommit(rank int) bool {
	_, _, ok := o.commitAt(rank)
	return ok
}

func (o *PackOrder) commitAt(rank int) (*pack, int, bool) {
	if rank < 0 || rank >= o.total {
		return nil, 0, false
	}
	k, j := o.locate(rank)
	p := o.packs[k]
	off, pos, ok := o.at(k, j)
	if !ok || off >= uint64(len(p.data)-packTrailerLen) || (p.data[off]>>4)&7 != packCommit {
		return nil, 0, false
	}
	return p, pos, true
}

// Rank returns the rank of id, and false when no ordered pack holds it.
func (o *PackOrder) Rank(id ID) (int, bool) {
	for k, p := range o.packs {
		i := p.find(&id)
		if i < 0 {
			continue
		}
		off, err := p.offsetAt(i)
		if err != nil {
			return 0, false
		}
		// The first object at or past the entry's offset is the entry.
		lo, hi := 0, p.count
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if at, _, ok := o.at(k, mid); ok && at < uint64(off) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo == p.count {
			return 0, false
		}
		if _, pos, ok := o.at(k, lo); !ok || pos != i {
			return 0, false
		}
		return o.base[k] + lo, true
	}
	return 0, false
}
