package odb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// This file is a zlib (RFC 1950) / DEFLATE (RFC 1951) decoder for the one
// case a pack entry needs: the whole compressed input is in memory (the
// mapped pack) and the exact output size is known (the entry header), so
// it decodes straight into the caller's buffer. Back-references then copy
// within that buffer, with no sliding window to copy through, and nothing
// is allocated. Every read is bounds-checked: a malformed stream is an
// error, never an out-of-range access. Its results are held to
// compress/zlib's by FuzzInflate.

// errInflate is the cause inside errors about malformed zlib data.
var errInflate = errors.New("malformed zlib data")

const (
	litFastBits  = 10 // bits looked up at once for literal/length codes
	distFastBits = 8  // and for distance codes
	maxCodeBits  = 15
)

// huffman is a canonical Huffman code: a table for codes up to fastBits
// long, indexed by the next bits of the stream, and the canonical
// description for the rare longer codes.
type huffman struct {
	fast     []uint16 // symbol<<4 | length; 0 means "longer code"
	fastBits uint
	count    [maxCodeBits + 1]uint16 // codes of each length
	symbols  [288]uint16             // symbols ordered by code
	empty    bool                    // no codes at all
}

// build makes the code for the code lengths lens. It accepts complete
// codes, a single code of length 1 and no codes at all, as zlib does.
func (h *huffman) build(lens []uint8) bool {
	h.count = [maxCodeBits + 1]uint16{}
	for _, l := range lens {
		h.count[l]++
	}
	h.count[0] = 0
	maxLen := 0
	for l := maxCodeBits; l > 0; l-- {
		if h.count[l] != 0 {
			maxLen = l
			break
		}
	}
	for i := range h.fast {
		h.fast[i] = 0
	}
	h.empty = maxLen == 0
	if h.empty {
		return true
	}
	left := 1
	for l := 1; l <= maxCodeBits; l++ {
		left <<= 1
		left -= int(h.count[l])
		if left < 0 {
			return false // over-subscribed
		}
	}
	if left > 0 && !(maxLen == 1 && h.count[1] == 1) {
		return false // incomplete
	}
	var offs [maxCodeBits + 2]uint16
	for l := 1; l <= maxCodeBits; l++ {
		offs[l+1] = offs[l] + h.count[l]
	}
	var next [maxCodeBits + 1]uint32
	code := uint32(0)
	for l := 1; l <= maxCodeBits; l++ {
		next[l] = code
		code = (code + uint32(h.count[l])) << 1
	}
	for sym, l := range lens {
		if l == 0 {
			continue
		}
		h.symbols[offs[l]] = uint16(sym)
		offs[l]++
		c := next[l]
		next[l]++
		if uint(l) > h.fastBits {
			continue
		}
		// The stream holds codes most significant bit first; the bit
		// buffer is read least significant bit first: reverse.
		r := bits.Reverse16(uint16(c)) >> (16 - l)
		entry := uint16(sym)<<4 | uint16(l)
		for j := uint(r); j < uint(len(h.fast)); j += 1 << l {
			h.fast[j] = entry
		}
	}
	return true
}

// bitReader reads the DEFLATE bit stream, least significant bit first.
type bitReader struct {
	in    []byte
	pos   int // next byte of in to load
	buf   uint64
	nbits uint
	over  int // bytes past the end of in loaded as zeros
}

// refill loads bytes until at least 56 bits are buffered. Past the end of
// the input it loads zeros, counted in over; the caller checks at the
// end, and a bounded number of them keeps a damaged stream from running.
func (br *bitReader) refill() {
	if br.nbits >= 56 {
		return
	}
	if br.pos+8 <= len(br.in) {
		br.buf |= binary.LittleEndian.Uint64(br.in[br.pos:]) << br.nbits
		br.pos += int(63-br.nbits) >> 3
		br.nbits |= 56
		return
	}
	for br.nbits <= 56 {
		if br.pos < len(br.in) {
			br.buf |= uint64(br.in[br.pos]) << br.nbits
			br.pos++
		} else {
			br.over++
		}
		br.nbits += 8
	}
}

// bits takes n (<= 32) bits; the caller has refilled enough.
func (br *bitReader) bits(n uint) uint32 {
	v := uint32(br.buf & (1<<n - 1))
	br.buf >>= n
	br.nbits -= n
	return v
}

// bytePos returns the position in the input of the next unread byte,
// once the reader is at a byte boundary; false if the input ran out.
func (br *bitReader) bytePos() (int, bool) {
	buffered := int(br.nbits / 8)
	if buffered < br.over {
		return 0, false
	}
	return br.pos - (buffered - br.over), true
}

// overrun reports whether more bits were used than the input holds.
func (br *bitReader) overrun() bool {
	return br.over > 0 && uint(br.over*8) > br.nbits
}

// decode reads one symbol of h; the caller has refilled.
func (br *bitReader) decode(h *huffman) (int, error) {
	e := h.fast[br.buf&(1<<h.fastBits-1)]
	if e != 0 {
		n := uint(e & 15)
		br.buf >>= n
		br.nbits -= n
		return int(e >> 4), nil
	}
	if h.empty {
		return 0, fmt.Errorf("%w: symbol from an empty code", errInflate)
	}
	// A code longer than the table: walk the canonical code bit by bit.
	code, first, index := 0, 0, 0
	buf := br.buf
	for l := 1; l <= maxCodeBits; l++ {
		code |= int(buf & 1)
		buf >>= 1
		count := int(h.count[l])
		if code-first < count {
			br.buf >>= uint(l)
			br.nbits -= uint(l)
			return int(h.symbols[index+code-first]), nil
		}
		index += count
		first = (first + count) << 1
		code <<= 1
	}
	return 0, fmt.Errorf("%w: invalid code", errInflate)
}

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clenOrder   = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// inflater decodes zlib streams into known-size buffers. Its tables are
// reused from stream to stream; it is not safe for concurrent use.
type inflater struct {
	lit, dist         huffman
	fixedLit, fixDist huffman
	clen              huffman
	fixedBuilt        bool
	lens              [320]uint8
	litFast           [1 << litFastBits]uint16
	distFast          [1 << distFastBits]uint16
	fixedLitFast      [1 << litFastBits]uint16
	fixedDistFast     [1 << distFastBits]uint16
	clenFast          [1 << 7]uint16
}

func (f *inflater) init() {
	if f.lit.fast != nil {
		return
	}
	f.lit.fast, f.lit.fastBits = f.litFast[:], litFastBits
	f.dist.fast, f.dist.fastBits = f.distFast[:], distFastBits
	f.fixedLit.fast, f.fixedLit.fastBits = f.fixedLitFast[:], litFastBits
	f.fixDist.fast, f.fixDist.fastBits = f.fixedDistFast[:], distFastBits
	f.clen.fast, f.clen.fastBits = f.clenFast[:], 7
}

func (f *inflater) buildFixed() {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	// The fixed distance code has 32 five-bit codes; 30 and 31 never
	// occur in valid data and are rejected when decoded.
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	if !f.fixedLit.build(l[:]) || !f.fixDist.build(d[:]) {
		panic("odb: fixed Huffman codes do not build: the table code is broken")
	}
	f.fixedBuilt = true
}

// inflate decodes the zlib stream at the start of src into dst, which
// must be exactly as long as the stream's content, and checks the
// stream's Adler-32 checksum. It returns how many bytes of src the stream
// took.
func (f *inflater) inflate(dst, src []byte) (int, error) {
	f.init()
	if len(src) < 2 {
		return 0, fmt.Errorf("%w: no zlib header", errInflate)
	}
	cmf, flg := src[0], src[1]
	if cmf&0x0f != 8 || cmf>>4 > 7 || (uint16(cmf)<<8|uint16(flg))%31 != 0 {
		return 0, fmt.Errorf("%w: bad zlib header", errInflate)
	}
	if flg&0x20 != 0 {
		return 0, fmt.Errorf("%w: preset dictionary", errInflate)
	}
	br := bitReader{in: src, pos: 2}
	out := 0
	for final := false; !final; {
		br.refill()
		final = br.bits(1) == 1
		switch br.bits(2) {
		case 0:
			// Stored: drop to a byte boundary and copy LEN bytes.
			br.bits(br.nbits & 7)
			pos, ok := br.bytePos()
			br.buf, br.nbits, br.over = 0, 0, 0
			if !ok || pos+4 > len(src) {
				return 0, fmt.Errorf("%w: truncated stored block", errInflate)
			}
			n := int(binary.LittleEndian.Uint16(src[pos:]))
			if uint16(n) != ^binary.LittleEndian.Uint16(src[pos+2:]) {
				return 0, fmt.Errorf("%w: stored block length check", errInflate)
			}
			pos += 4
			if n > len(src)-pos {
				return 0, fmt.Errorf("%w: truncated stored block", errInflate)
			}
			if n > len(dst)-out {
				return 0, fmt.Errorf("%w: more data than the declared %d bytes", errInflate, len(dst))
			}
			out += copy(dst[out:], src[pos:pos+n])
			br.pos = pos + n
			continue
		case 1:
			if !f.fixedBuilt {
				f.buildFixed()
			}
			var err error
			if out, err = f.block(&br, dst, out, &f.fixedLit, &f.fixDist); err != nil {
				return 0, err
			}
		case 2:
			if err := f.readDynamic(&br); err != nil {
				return 0, err
			}
			var err error
			if out, err = f.block(&br, dst, out, &f.lit, &f.dist); err != nil {
				return 0, err
			}
		default:
			return 0, fmt.Errorf("%w: reserved block type", errInflate)
		}
		if br.overrun() {
			return 0, fmt.Errorf("%w: truncated", errInflate)
		}
	}
	if out != len(dst) {
		return 0, fmt.Errorf("%w: %d bytes, declared %d", errInflate, out, len(dst))
	}
	// The checksum follows at the next byte boundary.
	br.bits(br.nbits & 7)
	pos, ok := br.bytePos()
	if !ok || pos+4 > len(src) {
		return 0, fmt.Errorf("%w: truncated checksum", errInflate)
	}
	if binary.BigEndian.Uint32(src[pos:]) != adler32Sum(dst) {
		return 0, fmt.Errorf("%w: checksum mismatch", errInflate)
	}
	return pos + 4, nil
}

// readDynamic reads a dynamic block's code descriptions into f.lit and
// f.dist.
func (f *inflater) readDynamic(br *bitReader) error {
	br.refill()
	nlit := int(br.bits(5)) + 257
	ndist := int(br.bits(5)) + 1
	nclen := int(br.bits(4)) + 4
	if nlit > 286 || ndist > 30 {
		return fmt.Errorf("%w: too many codes", errInflate)
	}
	var cl [19]uint8
	for i := 0; i < nclen; i++ {
		if br.nbits < 3 {
			br.refill()
		}
		cl[clenOrder[i]] = uint8(br.bits(3))
	}
	if !f.clen.build(cl[:]) || f.clen.empty {
		return fmt.Errorf("%w: bad code length code", errInflate)
	}
	lens := f.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		if br.nbits < 16 {
			br.refill()
		}
		sym, err := br.decode(&f.clen)
		if err != nil {
			return err
		}
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16:
			if i == 0 {
				return fmt.Errorf("%w: repeat with no previous length", errInflate)
			}
			val = lens[i-1]
			rep = 3 + int(br.bits(2))
		case 17:
			rep = 3 + int(br.bits(3))
		default:
			rep = 11 + int(br.bits(7))
		}
		if i+rep > len(lens) {
			return fmt.Errorf("%w: code lengths overflow", errInflate)
		}
		for ; rep > 0; rep-- {
			lens[i] = val
			i++
		}
	}
	if br.overrun() {
		return fmt.Errorf("%w: truncated", errInflate)
	}
	if lens[256] == 0 {
		return fmt.Errorf("%w: no end-of-block code", errInflate)
	}
	if !f.lit.build(lens[:nlit]) || !f.dist.build(lens[nlit:]) {
		return fmt.Errorf("%w: bad Huffman code", errInflate)
	}
	return nil
}

// block decodes one compressed block into dst from out on; it returns the
// new output position. The common cases (codes found in the fast tables)
// are decoded inline; decode handles the rest.
func (f *inflater) block(br *bitReader, dst []byte, out int, lit, dist *huffman) (int, error) {
	litFast, litMask := lit.fast, uint64(len(lit.fast)-1)
	distFast, distMask := dist.fast, uint64(len(dist.fast)-1)
	for {
		// 48 buffered bits cover a length code and its extra bits
		// (15+5) and a distance code and its extra bits (15+13).
		if br.nbits < 48 {
			br.refill()
			if br.over > 8 {
				return 0, fmt.Errorf("%w: truncated", errInflate)
			}
		}
		var sym int
		if e := litFast[br.buf&litMask]; e != 0 {
			n := uint(e & 15)
			br.buf >>= n
			br.nbits -= n
			sym = int(e >> 4)
		} else {
			var err error
			if sym, err = br.decode(lit); err != nil {
				return 0, err
			}
		}
		if sym < 256 {
			if out >= len(dst) {
				return 0, fmt.Errorf("%w: more data than the declared %d bytes", errInflate, len(dst))
			}
			dst[out] = byte(sym)
			out++
			continue
		}
		if sym == 256 {
			return out, nil
		}
		sym -= 257
		if sym >= len(lengthBase) {
			return 0, fmt.Errorf("%w: bad length code", errInflate)
		}
		length := int(lengthBase[sym])
		if x := uint(lengthExtra[sym]); x > 0 {
			length += int(br.buf & (1<<x - 1))
			br.buf >>= x
			br.nbits -= x
		}
		var dsym int
		if e := distFast[br.buf&distMask]; e != 0 {
			n := uint(e & 15)
			br.buf >>= n
			br.nbits -= n
			dsym = int(e >> 4)
		} else {
			var err error
			if dsym, err = br.decode(dist); err != nil {
				return 0, err
			}
		}
		if dsym >= len(distBase) {
			return 0, fmt.Errorf("%w: bad distance code", errInflate)
		}
		d := int(distBase[dsym])
		if x := uint(distExtra[dsym]); x > 0 {
			d += int(br.buf & (1<<x - 1))
			br.buf >>= x
			br.nbits -= x
		}
		if d > out {
			return 0, fmt.Errorf("%w: distance %d before the start", errInflate, d)
		}
		if length > len(dst)-out {
			return 0, fmt.Errorf("%w: more data than the declared %d bytes", errInflate, len(dst))
		}
		if d >= length {
			copy(dst[out:out+length], dst[out-d:])
			out += length
			continue
		}
		if d == 1 {
			// A run of one byte: the commonest overlapping copy.
			b := dst[out-1]
			run := dst[out : out+length]
			for i := range run {
				run[i] = b
			}
			out += length
			continue
		}
		// Overlapping copy: the source repeats with period d; copy in
		// doubling chunks.
		start := out - d
		end := out + length
		for out < end {
			out += copy(dst[out:end], dst[start:out])
		}
	}
}
