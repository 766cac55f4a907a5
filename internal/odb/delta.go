package odb

import (
	"errors"
	"fmt"
)

// errBadDelta is the cause inside errors about malformed deltas.
var errBadDelta = errors.New("malformed delta")

// deltaSizes decodes the two sizes at the start of a delta: the size of
// the base it applies to and of the result it makes, and returns the
// rest of the delta (the instructions).
func deltaSizes(delta []byte) (src, dst int64, rest []byte, err error) {
	src, n := deltaVarint(delta)
	if n <= 0 {
		return 0, 0, nil, fmt.Errorf("%w: bad base size", errBadDelta)
	}
	delta = delta[n:]
	dst, n = deltaVarint(delta)
	if n <= 0 {
		return 0, 0, nil, fmt.Errorf("%w: bad result size", errBadDelta)
	}
	return src, dst, delta[n:], nil
}

// deltaVarint decodes a little-endian base-128 size; n <= 0 means bad.
func deltaVarint(b []byte) (v int64, n int) {
	var u uint64
	var shift uint
	for i, c := range b {
		if shift > 56 {
			return 0, -1
		}
		u |= uint64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if u > 1<<62 {
				return 0, -1
			}
			return int64(u), i + 1
		}
	}
	return 0, 0
}

// applyDelta writes into dst the result of the delta instructions ops
// applied to base. dst must have exactly the result size the delta
// declares; every copy is checked against base and dst, so a malformed
// delta gives an error, never an out-of-range access.
func applyDelta(dst, base, ops []byte) error {
	out := 0
	i := 0
	for i < len(ops) {
		c := ops[i]
		i++
		switch {
		case c&0x80 != 0:
			off, size, next, err := decodeCopy(c, ops, i)
			if err != nil {
				return err
			}
			i = next
			if uint64(off)+uint64(size) > uint64(len(base)) {
				return fmt.Errorf("%w: copy of %d bytes at %d beyond base of %d bytes", errBadDelta, size, off, len(base))
			}
			if int(size) > len(dst)-out {
				return fmt.Errorf("%w: copy of %d bytes overflows result of %d bytes", errBadDelta, size, len(dst))
			}
			out += copy(dst[out:], base[off:off+size])
		case c != 0:
			n := int(c)
			if n > len(ops)-i {
				return fmt.Errorf("%w: truncated insert instruction", errBadDelta)
			}
			if n > len(dst)-out {
				return fmt.Errorf("%w: insert of %d bytes overflows result of %d bytes", errBadDelta, n, len(dst))
			}
			out += copy(dst[out:], ops[i:i+n])
			i += n
		default:
			return fmt.Errorf("%w: reserved instruction 0", errBadDelta)
		}
	}
	if out != len(dst) {
		return fmt.Errorf("%w: made %d bytes, declared %d", errBadDelta, out, len(dst))
	}
	return nil
}

// deltaResultSize walks the delta instructions ops without copying and
// returns the size they make from a base of baseLen bytes, checking every
// copy against the base. It lets a reader refuse a malformed delta before
// allocating the result size it declares.
func deltaResultSize(ops []byte, baseLen int) (int64, error) {
	var out int64
	i := 0
	for i < len(ops) {
		c := ops[i]
		i++
		switch {
		case c&0x80 != 0:
			off, size, next, err := decodeCopy(c, ops, i)
			if err != nil {
				return 0, err
			}
			i = next
			if uint64(off)+uint64(size) > uint64(baseLen) {
				return 0, fmt.Errorf("%w: copy of %d bytes at %d beyond base of %d bytes", errBadDelta, size, off, baseLen)
			}
			out += int64(size)
		case c != 0:
			if int(c) > len(ops)-i {
				return 0, fmt.Errorf("%w: truncated insert instruction", errBadDelta)
			}
			out += int64(c)
			i += int(c)
		default:
			return 0, fmt.Errorf("%w: reserved instruction 0", errBadDelta)
		}
	}
	return out, nil
}

// decodeCopy decodes the operands of a copy-from-base instruction c whose
// operand bytes start at ops[i]: the low seven bits of c say which of offset
// bytes 0..3 and size bytes 0..2 follow; a size of 0 means 0x10000. It
// returns the offset, the size and the index after the operands.
func decodeCopy(c byte, ops []byte, i int) (off, size uint32, next int, err error) {
	for bit := uint(0); bit < 7; bit++ {
		if c&(1<<bit) == 0 {
			continue
		}
		if i >= len(ops) {
			return 0, 0, i, fmt.Errorf("%w: truncated copy instruction", errBadDelta)
		}
		v := uint32(ops[i])
		i++
		if bit < 4 {
			off |= v << (8 * bit)
		} else {
			size |= v << (8 * (bit - 4))
		}
	}
	if size == 0 {
		size = 0x10000
	}
	return off, size, i, nil
}
