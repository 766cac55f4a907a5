package commitgraph

import (
	"encoding/binary"
	"math/bits"
	"strings"
)

// Seeds of the two murmur3 hashes a Bloom key is made of (bloom.c,
// fill_bloom_key).
const (
	bloomSeed0 = 0x293ae76f
	bloomSeed1 = 0x7e646e2c
)

// BloomSettings returns the settings of the graph's changed-path Bloom
// filters, and false when the graph has none git 2.39 reads (it takes them
// from the top layer).
func (g *Graph) BloomSettings() (BloomSettings, bool) {
	for i := len(g.layers) - 1; i >= 0; i-- {
		if f := g.layers[i].f; f.bidx != nil {
			return f.bloom, true
		}
	}
	return BloomSettings{}, false
}

// BloomKey is a path made ready to test against filters: the hashes of the
// path and of each folder above it, as git's prepare_to_use_bloom_filter
// makes them for a single literal path.
type BloomKey struct {
	hashes [][]uint32 // per component key (the path, then its folders, longest first)
}

// NewBloomKey returns the key of path (one trailing slash is dropped) for
// filters made with s, and false when the filters cannot answer for it:
// an empty path, or a byte of 0x80 and above, which version 1 filters
// hashed as a signed char on the machine that wrote them (the bug that
// version 2 fixes), so a filter may disagree with any one reading of it.
func NewBloomKey(path string, s BloomSettings) (BloomKey, bool) {
	path = strings.TrimSuffix(path, "/")
	if path == "" || s.NumHashes == 0 {
		return BloomKey{}, false
	}
	for i := 0; i < len(path); i++ {
		if path[i] >= 0x80 {
			return BloomKey{}, false
		}
	}
	k := BloomKey{hashes: [][]uint32{bloomHashes(path, s)}}
	for i := len(path) - 1; i > 0; i-- {
		if path[i] == '/' {
			k.hashes = append(k.hashes, bloomHashes(path[:i], s))
		}
	}
	return k, true
}

func bloomHashes(s string, set BloomSettings) []uint32 {
	h0 := murmur3(bloomSeed0, s)
	h1 := murmur3(bloomSeed1, s)
	out := make([]uint32, set.NumHashes)
	for i := range out {
		out[i] = h0 + uint32(i)*h1
	}
	return out
}

// murmur3 is the 32-bit murmur3 hash with seed, as bloom.c's
// murmur3_seeded (for bytes below 0x80, where signedness does not matter).
func murmur3(seed uint32, data string) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data) / 4
	for i := 0; i < n; i++ {
		k := uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)*5 + 0xe6546b64
	}
	tail := data[4*n:]
	var k1 uint32
	switch len(tail) {
	case 3:
		k1 ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		k1 ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		k1 ^= uint32(tail[0])
		k1 *= c1
		k1 = bits.RotateLeft32(k1, 15)
		k1 *= c2
		h ^= k1
	}
	h ^= uint32(len(data))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// MaybeChanged tests the Bloom filter of the commit at pos (below Len)
// for key: maybe is false when the commit certainly changed nothing at
// the path (against its first parent), and ok is false when the commit has
// no filter to ask (its layer has none, or the filter is empty), as git's
// check_maybe_different_in_bloom_filter.
func (g *Graph) MaybeChanged(pos uint32, key BloomKey) (maybe, ok bool) {
	l, k := g.at(pos)
	f := l.f
	if f.bidx == nil || len(key.hashes) == 0 {
		return true, false
	}
	end := binary.BigEndian.Uint32(f.bidx[4*k:])
	var start uint32
	if k > 0 {
		start = binary.BigEndian.Uint32(f.bidx[4*(k-1):])
	}
	filter := f.bdat[start:end] // Open checked the index is ordered and in range
	mod := uint64(len(filter)) * 8
	if mod == 0 {
		return true, false
	}
	for _, hs := range key.hashes {
		for _, h := range hs {
			bit := uint64(h) % mod
			if filter[bit/8]&(1<<(bit%8)) == 0 {
				return false, true
			}
		}
	}
	return true, true
}
