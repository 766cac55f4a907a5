package report

import (
	"encoding/binary"
	"fmt"

	"github.com/gitwalk/gitwalk/analysis"
)

// The report's analyses keep their results as analysis.RunFrom keeps any
// (analysis.Resumable and analysis.Keyed): their states encode to a kind
// byte, a version, then counts, numbers (uvarints) and strings (a length,
// then the bytes).

const (
	stateActivity     = 'a'
	stateDirOwnership = 'd'
	stateVersion      = 1
)

// ResultsKey names whether identities are mapped and the filter.
func (a Activity) ResultsKey() (string, bool) {
	return fmt.Sprintf("activity mailmap=%t include=%q exclude=%q", a.Mailmap != nil, a.Filter.Include, a.Filter.Exclude), true
}

// ResultsKey names the depth, whether identities are mapped and the
// filter.
func (a DirOwnership) ResultsKey() (string, bool) {
	return fmt.Sprintf("dir-ownership depth=%d mailmap=%t include=%q exclude=%q", a.Depth, a.Mailmap != nil, a.Filter.Include,
		a.Filter.Exclude), true
}

// MarshalBinary encodes the figures per day and folder and the commits per
// day and author.
func (s *ActivityState) MarshalBinary() ([]byte, error) {
	b := []byte{stateActivity, stateVersion}
	b = binary.AppendUvarint(b, uint64(len(s.dirs)))
	for k, l := range s.dirs {
		b = appendDayKey(b, k)
		for _, v := range [...]int{l.commits, l.added, l.deleted} {
			b = binary.AppendUvarint(b, uint64(v))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s.authors)))
	for k, n := range s.authors {
		b = appendDayKey(b, k)
		b = binary.AppendUvarint(b, uint64(n))
	}
	return b, nil
}

// UnmarshalBinary replaces the figures of s with those data encodes.
func (s *ActivityState) UnmarshalBinary(data []byte) error {
	d := reader{b: data}
	d.header(stateActivity)
	nd := d.count()
	dirs := make(map[dayDir]*lines, nd)
	for range nd {
		k := d.dayKey()
		dirs[k] = &lines{commits: d.int(), added: d.int(), deleted: d.int()}
	}
	na := d.count()
	authors := make(map[dayDir]int, na)
	for range na {
		k := d.dayKey()
		authors[k] = d.int()
	}
	if err := d.end(); err != nil {
		return err
	}
	s.dirs, s.authors = dirs, authors
	return nil
}

// MarshalBinary encodes the depth and, per folder and author, the lines
// added and the commits.
func (s *DirOwnershipState) MarshalBinary() ([]byte, error) {
	b := []byte{stateDirOwnership, stateVersion}
	b = binary.AppendUvarint(b, uint64(s.depth))
	b = binary.AppendUvarint(b, uint64(len(s.by)))
	for k, o := range s.by {
		b = appendString(b, k.dir)
		b = appendString(b, k.who)
		b = binary.AppendUvarint(b, uint64(o.added))
		b = binary.AppendUvarint(b, uint64(o.commits))
	}
	return b, nil
}

// UnmarshalBinary replaces the figures of s with those data encodes; s
// must count as many folder levels as the encoded state did.
func (s *DirOwnershipState) UnmarshalBinary(data []byte) error {
	d := reader{b: data}
	d.header(stateDirOwnership)
	if depth := d.int(); d.err == nil && depth != s.depth {
		d.fail("depth %d decoded into depth %d", depth, s.depth)
	}
	n := d.count()
	by := make(map[dirAuthor]*owned, n)
	for range n {
		k := dirAuthor{dir: d.string(), who: d.string()}
		by[k] = &owned{added: d.int(), commits: d.int()}
	}
	if err := d.end(); err != nil {
		return err
	}
	s.by = by
	return nil
}

func appendDayKey(b []byte, k dayDir) []byte {
	b = binary.AppendVarint(b, int64(k.day))
	return appendString(b, k.key)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// reader reads an encoded state; the first error sticks (matching
// analysis.ErrBadState) and later reads give zero values.
type reader struct {
	b   []byte
	err error
}

func (d *reader) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{analysis.ErrBadState}, args...)...)
	}
	d.b = nil
}

func (d *reader) header(kind byte) {
	if len(d.b) < 2 || d.b[0] != kind || d.b[1] != stateVersion {
		d.fail("not a %c state of version %d", kind, stateVersion)
		return
	}
	d.b = d.b[2:]
}

func (d *reader) int() int {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > 1<<62 {
		d.fail("bad number")
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

// count reads a number of entries, each at least a byte long.
func (d *reader) count() int {
	n := d.int()
	if n > len(d.b) {
		d.fail("%d entries in %d bytes", n, len(d.b))
		return 0
	}
	return n
}

func (d *reader) string() string {
	n := d.int()
	if n > len(d.b) {
		d.fail("string of %d bytes in %d", n, len(d.b))
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *reader) dayKey() dayDir {
	v, n := binary.Varint(d.b)
	if n <= 0 || v < -1<<31 || v >= 1<<31 {
		d.fail("bad day")
		return dayDir{}
	}
	d.b = d.b[n:]
	return dayDir{day: int32(v), key: d.string()}
}

func (d *reader) end() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the end", len(d.b))
	}
	return d.err
}
