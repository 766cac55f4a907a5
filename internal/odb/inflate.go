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
//
// Most pack entries are small delta streams with a dynamic code each, so
// building a code is kept as cheap as decoding with it: tables of whole
// entries (a literal, or a length or distance base with its extra bits),
// sized to the longest code and filled without clearing. The decode loop
// loads the input eight bytes at a time while at least 16 remain (the
// input runs on into the rest of the pack) and leaves anything unusual,
// and the last bytes, to a careful step that checks everything.

// errInflate is the cause inside errors about malformed zlib data.
var errInflate = errors.New("malformed zlib data")

// fastBits is how many bits a table looks up at once. A code's table
// is smaller when its longest code is shorter: it is then filled
// whole, with nothing to clear.
const (
	fastBits    = 10
	maxCodeBits = 15
)

// A table entry says what a code decodes to, so that the decode loop
// needs no second lookup: the code's length in bits, and for a length
// or distance its base and how many extra bits follow.
//
//	bits 0-3   code length (1-15)
//	bits 4-7   extra bits that follow the code
//	bits 8-10  kind
//	bits 16-31 value: the literal byte, the base, or the symbol
const (
	kindLit  = 0 << 8 // a literal byte (or a code length symbol)
	kindBase = 1 << 8 // a length or distance: value plus extra bits
	kindEnd  = 2 << 8 // end of block
	kindLong = 3 << 8 // longer than the table: see decodeLong
	kindBad  = 4 << 8 // a symbol that never occurs in valid data
	kindMask = 7 << 8
)

// huffman is a canonical Huffman code: a table indexed by the next bits
// of the stream for codes up to fastBits long, and the canonical
// description for the rare longer codes.
type huffman struct {
	table   [1 << fastBits]uint32   // entries, indexed by the next bits
	bits    uint                    // index bits: the longest code, at most fastBits
	vals    []uint32                // the entry of each symbol, less its length
	count   [maxCodeBits + 1]uint16 // codes of each length
	symbols [288]uint16             // symbols ordered by code, for long codes
	first   [maxCodeBits + 1]uint16 // of each length longer than the table: first code
	index   [maxCodeBits + 1]uint16 // and the index of its symbol in symbols
}

// build makes the code for the code lengths lens, whose symbols decode
// to the entries vals. It accepts complete codes, a single code of
// length 1 and no codes at all, as zlib does; decoding an absent code
// is an error.
func (h *huffman) build(lens []uint8, vals []uint32) bool {
	h.vals = vals
	h.count = [maxCodeBits + 1]uint16{}
	for _, l := range lens {
		h.count[l]++
	}
	h.count[0] = 0
	maxLen := uint(0)
	for l := maxCodeBits; l > 0; l-- {
		if h.count[l] != 0 {
			maxLen = uint(l)
			break
		}
	}
	h.bits = min(maxLen, fastBits)
	if maxLen == 0 {
		h.table[0] = kindBad
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
	if left > 0 {
		if maxLen != 1 || h.count[1] != 1 {
			return false // incomplete
		}
		// One code of one bit: the other bit is no code.
		h.table[0], h.table[1] = kindBad, kindBad
	}
	// The symbols in canonical order: by code length, then symbol.
	var offs [maxCodeBits + 1]uint16
	for l := 1; l < maxCodeBits; l++ {
		offs[l+1] = offs[l] + h.count[l]
	}
	for sym, l := range lens {
		if l != 0 {
			h.symbols[offs[l]%288] = uint16(sym)
			offs[l]++
		}
	}
	// Fill the table one code length at a time, doubling it before each:
	// a code of length l then needs one write at l bits, its copies in
	// the doubled halves already made. Slots that belong to longer codes
	// hold copies of nothing in particular until a longer code, or the
	// long-code mark, overwrites them. The stream holds codes most
	// significant bit first, the bit buffer is read least significant
	// bit first: the index is the code reversed.
	code, i := uint(0), 0
	for l := uint(1); l <= h.bits; l++ {
		half := 1 << (l - 1)
		if l > 1 {
			copy(h.table[half:2*half], h.table[:half])
		}
		for n := h.count[l]; n > 0; n-- {
			j := bits.Reverse16(uint16(code)) >> (16 - l)
			h.table[j%(1<<fastBits)] = vals[h.symbols[i%288]] | uint32(l)
			code++
			i++
		}
		code <<= 1
	}
	for l := h.bits + 1; l <= maxLen; l++ {
		h.first[l], h.index[l] = uint16(code), uint16(i)
		for n := h.count[l]; n > 0; n-- {
			j := bits.Reverse16(uint16(code>>(l-fastBits))) >> (16 - fastBits)
			h.table[j%(1<<fastBits)] = kindLong
			code++
			i++
		}
		code <<= 1
	}
	return true
}

// decodeLong decodes a code longer than the table from the bits in buf:
// the first length at which the next bits, read as a code, fall among
// that length's codes. It returns the symbol's entry with the code's
// length, or kindBad if buf holds no code.
func (h *huffman) decodeLong(buf uint64) uint32 {
	rev := uint(bits.Reverse16(uint16(buf)))
	for l := uint(fastBits + 1); l <= maxCodeBits; l++ {
		if c := rev>>(16-l) - uint(h.first[l]); c < uint(h.count[l]) {
			return h.vals[h.symbols[(uint(h.index[l])+c)%288]] | uint32(l)
		}
	}
	return kindBad
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

// decode reads one code of h and returns its entry, whose kind is never
// kindLong; the caller has refilled.
func (br *bitReader) decode(h *huffman) (uint32, error) {
	e := h.table[br.buf&(1<<h.bits-1)%(1<<fastBits)]
	if e&kindMask == kindLong {
		e = h.decodeLong(br.buf)
	}
	if e&kindMask == kindBad {
		return 0, fmt.Errorf("%w: invalid code", errInflate)
	}
	n := uint(e & 15)
	br.buf >>= n
	br.nbits -= n
	return e, nil
}

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clenOrder   = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// The table entries (less the code length) of each alphabet's symbols.
// Literal/length symbols 286 and 287 and distance symbols 30 and 31
// have fixed codes but never occur in valid data.
var litVals, distVals, clenVals = entryVals()

func entryVals() (lit [288]uint32, dist [32]uint32, clen [19]uint32) {
	for sym := range lit {
		switch {
		case sym < 256:
			lit[sym] = uint32(sym)<<16 | kindLit
		case sym == 256:
			lit[sym] = kindEnd
		case sym-257 < len(lengthBase):
			i := sym - 257
			lit[sym] = uint32(lengthBase[i])<<16 | uint32(lengthExtra[i])<<4 | kindBase
		default:
			lit[sym] = kindBad
		}
	}
	for sym := range dist {
		if sym < len(distBase) {
			dist[sym] = distBase[sym]<<16 | uint32(distExtra[sym])<<4 | kindBase
		} else {
			dist[sym] = kindBad
		}
	}
	for sym := range clen {
		clen[sym] = uint32(sym)<<16 | kindLit
	}
	return lit, dist, clen
}

// inflater decodes zlib streams into known-size buffers. Its tables are
// reused from stream to stream; it is not safe for concurrent use.
type inflater struct {
	lit, dist           huffman
	fixedLit, fixedDist huffman
	clen                huffman
	fixedBuilt          bool
	lens                [320]uint8
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
	if !f.fixedLit.build(l[:], litVals[:]) || !f.fixedDist.build(d[:], distVals[:]) {
		panic("odb: fixed Huffman codes do not build: the table code is broken")
	}
	f.fixedBuilt = true
}

// inflate decodes the zlib stream at the start of src into dst, which
// must be exactly as long as the stream's content, and checks the
// stream's Adler-32 checksum. It returns how many bytes of src the stream
// took.
func (f *inflater) inflate(dst, src []byte) (int, error) {
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
			if out, err = f.block(&br, dst, out, &f.fixedLit, &f.fixedDist); err != nil {
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
	if !f.clen.build(cl[:], clenVals[:]) || f.clen.bits == 0 {
		return fmt.Errorf("%w: bad code length code", errInflate)
	}
	lens := f.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		if br.nbits < 16 {
			br.refill()
		}
		// Code length codes are at most 7 bits: never longer than
		// the table.
		e := f.clen.table[br.buf&(1<<f.clen.bits-1)%(1<<fastBits)]
		if e&kindMask == kindBad {
			return fmt.Errorf("%w: invalid code", errInflate)
		}
		br.buf >>= e & 15
		br.nbits -= uint(e & 15)
		sym := e >> 16
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
	if !f.lit.build(lens[:nlit], litVals[:]) || !f.dist.build(lens[nlit:], distVals[:]) {
		return fmt.Errorf("%w: bad Huffman code", errInflate)
	}
	return nil
}

// block decodes one compressed block into dst from out on; it returns the
// new output position.
//
// Its fast loop runs while 16 bytes of input are left to load from (the
// input is the rest of the pack, so nearly always): it refills the bit
// buffer without checks once per literal pair or match (56 bits cover
// two literal codes, or a length and a distance with their extra bits,
// 15+5+15+13; between a literal and a match it refills again), and
// looks up the next code before the refill's load when it can. It takes
// only what it can finish: a literal with room in dst, or a match with
// a table-decoded distance that stays inside dst. Anything else (end of
// block, a code longer than the table, an invalid code, a malformed
// match, the last bytes of input) is left, unconsumed, to one step of
// the careful loop below it, which checks everything and handles every
// case.
func (f *inflater) block(br *bitReader, dst []byte, out int, lit, dist *huffman) (int, error) {
	litMask := uint64(1)<<lit.bits - 1
	distMask := uint64(1)<<dist.bits - 1
	litTab, distTab := &lit.table, &dist.table
	in := br.in
	for {
		buf, nbits, pos := br.buf, br.nbits, br.pos
	fast:
		for pos+16 <= len(in) {
			// Look up the next code in the bits already buffered, if
			// they are enough, so the lookup need not wait for the
			// refill's load.
			e := litTab[buf&litMask%(1<<fastBits)]
			short := nbits < fastBits
			buf |= binary.LittleEndian.Uint64(in[pos:]) << nbits
			pos += int(63-nbits) >> 3
			nbits |= 56
			if short {
				e = litTab[buf&litMask%(1<<fastBits)]
			}
			if e&kindMask == kindLit {
				if out >= len(dst) {
					break
				}
				n := e & 15
				buf >>= n
				nbits -= uint(n)
				dst[out] = byte(e >> 16)
				out++
				e = litTab[buf&litMask%(1<<fastBits)]
				if e&kindMask == kindLit {
					if out >= len(dst) {
						break
					}
					n := e & 15
					buf >>= n
					nbits -= uint(n)
					dst[out] = byte(e >> 16)
					out++
					continue
				}
				buf |= binary.LittleEndian.Uint64(in[pos:]) << nbits
				pos += int(63-nbits) >> 3
				nbits |= 56
			}
			if e&kindMask != kindBase {
				break
			}
			// A length, then its distance; consumed only once the
			// match is known to be valid.
			n, x := e&15, e>>4&15
			length := int(e>>16) + int(buf>>n&(1<<x-1))
			b := buf >> (n + x)
			d := distTab[b&distMask%(1<<fastBits)]
			if d&kindMask != kindBase {
				break
			}
			dn, dx := d&15, d>>4&15
			distance := int(d>>16) + int(b>>dn&(1<<dx-1))
			if distance > out || length > len(dst)-out {
				break
			}
			buf = b >> (dn + dx)
			nbits -= uint(n + x + dn + dx)

			src, end := out-distance, out+length
			switch {
			case distance >= length && length > 32:
				copy(dst[out:end], dst[src:out])
			case distance >= 8 && end+8 <= len(dst):
				// Eight bytes at a time, past end into the room left:
				// each word read lies before the words written.
				for ; out < end; out, src = out+8, src+8 {
					binary.LittleEndian.PutUint64(dst[out:], binary.LittleEndian.Uint64(dst[src:]))
				}
			case distance == 1 && end+8 <= len(dst):
				w := uint64(dst[src]) * 0x0101010101010101
				for ; out < end; out += 8 {
					binary.LittleEndian.PutUint64(dst[out:], w)
				}
			case length <= 16:
				for ; out < end; out, src = out+1, src+1 {
					dst[out] = dst[src]
				}
			default:
				for out < end {
					out += copy(dst[out:end], dst[src:out])
				}
			}
			out = end
			continue fast
		}
		br.buf, br.nbits, br.pos = buf, nbits, pos

		// One symbol, checked.
		if br.nbits < 48 {
			br.refill()
			if br.over > 8 {
				return 0, fmt.Errorf("%w: truncated", errInflate)
			}
		}
		e, err := br.decode(lit)
		if err != nil {
			return 0, err
		}
		switch e & kindMask {
		case kindLit:
			if out >= len(dst) {
				return 0, fmt.Errorf("%w: more data than the declared %d bytes", errInflate, len(dst))
			}
			dst[out] = byte(e >> 16)
			out++
			continue
		case kindEnd:
			return out, nil
		}
		length := int(e>>16) + int(br.bits(uint(e>>4&15)))
		d, err := br.decode(dist)
		if err != nil {
			return 0, err
		}
		distance := int(d>>16) + int(br.bits(uint(d>>4&15)))
		if distance > out {
			return 0, fmt.Errorf("%w: distance %d before the start", errInflate, distance)
		}
		if length > len(dst)-out {
			return 0, fmt.Errorf("%w: more data than the declared %d bytes", errInflate, len(dst))
		}
		src, end := out-distance, out+length
		if distance >= length {
			copy(dst[out:end], dst[src:out])
			out = end
			continue
		}
		// Overlapping copy: the source repeats with period distance;
		// copy in doubling chunks.
		for out < end {
			out += copy(dst[out:end], dst[src:out])
		}
	}
}
