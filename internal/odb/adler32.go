package odb

import "encoding/binary"

// adler32Sum is hash/adler32.Checksum computed eight bytes at a time, for
// the zlib trailer check. The byte-at-a-time sum is a serial chain (s2
// waits on s1, which waits on the previous byte); here the bytes of a
// word are summed side by side in 16-bit lanes of a uint64 (bytes 0, 2,
// 4, 6 in one, 1, 3, 5, 7 in another) and weighted into s1 and s2 once
// per eight words.
//
// For a run of N words, where a[i] sums the bytes at position i of each
// word and p[i] sums a[i] as it stood before each word, the byte at
// position i of word k counts 8(N-1-k) + 8-i times in s2:
//
//	s1' = s1 + sum a[i]
//	s2' = s2 + 8N s1 + 8 sum p[i] + sum (8-i) a[i]
//
// With N = 8 a lane of a stays below 8·255 and of p below 28·255, so
// the lane sums and the weighted sums below, made by one multiplication
// each (the top lane of x·w sums x's lanes times w's in reverse), never
// carry out of 16 bits.
func adler32Sum(p []byte) uint32 {
	const (
		mod   = 65521
		lanes = 0x00ff00ff00ff00ff
		ones  = 0x0001000100010001
		// The weights 8-i of bytes 0, 2, 4, 6 and of 1, 3, 5, 7, in
		// reverse lane order.
		evenW = 2 | 4<<16 | 6<<32 | 8<<48
		oddW  = 1 | 3<<16 | 5<<32 | 7<<48
	)
	s1, s2 := uint64(1), uint64(0)
	for len(p) >= 64 {
		// Up to adlerBlock bytes between reductions keep s1 and s2
		// far from overflowing.
		q := p[:min(len(p), adlerBlock)&^63]
		p = p[len(q):]
		for ; len(q) >= 64; q = q[64:] {
			var ae, ao, pe, po uint64
			for k := 0; k < 64; k += 8 {
				w := binary.LittleEndian.Uint64(q[k : k+8])
				pe += ae
				po += ao
				ae += w & lanes
				ao += w >> 8 & lanes
			}
			s2 += 64*s1 + 8*((pe+po)*ones>>48) + ae*evenW>>48 + ao*oddW>>48
			s1 += (ae + ao) * ones >> 48
		}
		s1 %= mod
		s2 %= mod
	}
	for ; len(p) >= 8; p = p[8:] {
		w := binary.LittleEndian.Uint64(p)
		e, o := w&lanes, w>>8&lanes
		s2 += 8*s1 + e*evenW>>48 + o*oddW>>48
		s1 += (e + o) * ones >> 48
	}
	for _, b := range p {
		s1 += uint64(b)
		s2 += s1
	}
	return uint32(s2%mod)<<16 | uint32(s1%mod)
}

// adlerBlock is how many bytes adler32Sum sums between reductions modulo
// 65521: s2 then grows by less than 2^48.
const adlerBlock = 1 << 16
