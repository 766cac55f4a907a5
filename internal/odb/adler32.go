package odb

import "encoding/binary"

// adler32Sum is hash/adler32.Checksum computed eight bytes at a time, for
// the zlib trailer check. The byte-at-a-time sum is a serial chain (s2
// waits on s1, which waits on the previous byte); here each byte position
// of an eight-byte word has its own running sum, two positions to a
// uint64, and the sums are weighted into s1 and s2 once per block.
//
// For a block of N words, where a[i] sums the bytes at position i of each
// word and p[i] sums a[i] as it stood before each word, the byte at
// position i of word k counts 8(N-1-k) + 8-i times in s2:
//
//	s1' = s1 + sum a[i]
//	s2' = s2 + 8N s1 + 8 sum p[i] + sum (8-i) a[i]
//
// A 32-bit half of p grows to at most 255·N(N-1)/2, which stays below
// 2^32 for N = adlerBlockWords.
func adler32Sum(p []byte) uint32 {
	const (
		mod = 65521
		// lanes picks bytes 0 and 4 of a word into the two halves.
		lanes = 0x000000ff_000000ff
	)
	s1, s2 := uint64(1), uint64(0)
	for len(p) >= 8 {
		n := min(len(p)/8, adlerBlockWords)
		q := p[:n*8]
		p = p[n*8:]
		var a0, a1, a2, a3, p0, p1, p2, p3 uint64
		for len(q) >= 16 {
			w, v := binary.LittleEndian.Uint64(q), binary.LittleEndian.Uint64(q[8:16])
			// Two words: p takes a twice, once with the first word.
			wa0, wa1, wa2, wa3 := w&lanes, w>>8&lanes, w>>16&lanes, w>>24&lanes
			p0 += 2*a0 + wa0
			p1 += 2*a1 + wa1
			p2 += 2*a2 + wa2
			p3 += 2*a3 + wa3
			a0 += wa0 + v&lanes
			a1 += wa1 + v>>8&lanes
			a2 += wa2 + v>>16&lanes
			a3 += wa3 + v>>24&lanes
			q = q[16:]
		}
		if len(q) >= 8 {
			w := binary.LittleEndian.Uint64(q)
			p0 += a0
			p1 += a1
			p2 += a2
			p3 += a3
			a0 += w & lanes
			a1 += w >> 8 & lanes
			a2 += w >> 16 & lanes
			a3 += w >> 24 & lanes
		}
		const lo = 1<<32 - 1
		ps := p0&lo + p0>>32 + p1&lo + p1>>32 + p2&lo + p2>>32 + p3&lo + p3>>32
		as := a0&lo + a0>>32 + a1&lo + a1>>32 + a2&lo + a2>>32 + a3&lo + a3>>32
		weighted := 8*(a0&lo) + 4*(a0>>32) + 7*(a1&lo) + 3*(a1>>32) +
			6*(a2&lo) + 2*(a2>>32) + 5*(a3&lo) + a3>>32
		s2 = (s2 + 8*uint64(n)*s1 + 8*ps + weighted) % mod
		s1 = (s1 + as) % mod
	}
	for _, b := range p {
		s1 += uint64(b)
		s2 += s1
	}
	return uint32(s2%mod)<<16 | uint32(s1%mod)
}

// adlerBlockWords is how many eight-byte words adler32Sum sums before
// folding its lanes; see adler32Sum.
const adlerBlockWords = 4096
