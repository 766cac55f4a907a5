package analysis

import "encoding/binary"

// StateReader reads the bytes of an encoded Resumable state, for states
// outside this package (the report's): a kind and version byte, then
// numbers (binary.AppendUvarint, AppendVarint) and strings (AppendString)
// as this package's states write theirs. The first error sticks, matching
// ErrBadState, and later reads give zero values, so a decode checks once,
// at End.
type StateReader struct{ d decoder }

// NewStateReader starts reading data, which must begin with the state's
// kind and version bytes.
func NewStateReader(data []byte, kind, version byte) *StateReader {
	r := &StateReader{d: decoder{b: data}}
	if len(data) < 2 || data[0] != kind || data[1] != version {
		r.d.fail("not a %c state of version %d", kind, version)
		return r
	}
	r.d.b = data[2:]
	return r
}

// ReadInt reads a count or a sum: non-negative and within int.
func (r *StateReader) ReadInt() int { return r.d.int() }

// ReadCount reads a number of entries, each at least a byte long, so that
// a damaged count cannot make a decode allocate beyond the input's size.
func (r *StateReader) ReadCount() int { return r.d.count() }

// ReadVarint reads what binary.AppendVarint wrote.
func (r *StateReader) ReadVarint() int64 {
	v, n := binary.Varint(r.d.b)
	if n <= 0 {
		r.d.fail("truncated or overlong number")
		return 0
	}
	r.d.b = r.d.b[n:]
	return v
}

// ReadString reads what AppendString wrote.
func (r *StateReader) ReadString() string { return r.d.string() }

// Fail makes the read fail (with ErrBadState) for a value the state does
// not allow.
func (r *StateReader) Fail(format string, args ...any) { r.d.fail(format, args...) }

// End ends the read: the first error, or one for bytes left over.
func (r *StateReader) End() error { return r.d.end() }

// AppendString appends s as states encode strings: its length, then its
// bytes.
func AppendString(b []byte, s string) []byte { return appendString(b, s) }
