package walker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The record is the per-commit result as bytes: what the store keeps and
// what crosses the wire between shards. Its layout, in order:
//
//	version                  1 byte (recordVersion)
//	Hash, Tree               20 bytes each
//	parents                  uvarint count, then 20 bytes each
//	Author, Committer        name, email (strings), then the time
//	Subject, Message         strings
//	changes                  uvarint count, then each change
//
// A string is a uvarint length and its bytes. A time is a tag byte
// (timeZero, timeUTC or timeFixed); the last two are followed by the Unix
// seconds (varint) and nanoseconds (uvarint), and a fixed zone by its
// offset in seconds (varint) and its name (string). A change is a head byte
// (the kind in the low 3 bits, then the flags below), its path as the length
// of the prefix it shares with the previous change's path (uvarint) and the
// rest (string), the old path likewise against its own path when
// changeOldPath is set, the score, modes, hashes present by flag, and the
// added and deleted counts (varints). Paths come sorted from a tree diff,
// so the shared prefixes are long; a rename's old path usually shares its
// folder.
const recordVersion = 1

const (
	timeZero  = 0 // time.Time{}
	timeUTC   = 1 // a time whose Location is UTC
	timeFixed = 2 // any other location, kept as its name and offset at that instant
)

const (
	changeKindMask = 0x07
	changeBinary   = 1 << 3
	changeOldPath  = 1 << 4
	changeOldHash  = 1 << 5
	changeNewHash  = 1 << 6
	changeUnknown  = 1 << 7
)

// errRecord is wrapped by every error UnmarshalBinary returns.
var errRecord = errors.New("bad commit record")

// AppendBinary appends the commit's record, a compact versioned encoding of
// everything in it but Seq (which depends on the walk, not the commit), to
// b. UnmarshalBinary reads it back. A commit made by a walk comes back
// deep-equal; a time in a location other than UTC or a fixed zone comes back
// in a fixed zone of the same name and offset at that instant, and a
// monotonic clock reading is dropped. It fails only for a change of an
// unknown kind.
func (c *Commit) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, recordVersion)
	b = append(b, c.Hash[:]...)
	b = append(b, c.Tree[:]...)
	b = binary.AppendUvarint(b, uint64(len(c.Parents)))
	for i := range c.Parents {
		b = append(b, c.Parents[i][:]...)
	}
	b = appendSignature(b, &c.Author)
	b = appendSignature(b, &c.Committer)
	b = appendString(b, c.Subject)
	b = appendString(b, c.Message)
	b = binary.AppendUvarint(b, uint64(len(c.Changes)))
	prev := ""
	for i := range c.Changes {
		ch := &c.Changes[i]
		if ch.Kind > Copied {
			return b, fmt.Errorf("commit %s: change of %q has unknown kind %d", c.Hash, ch.Path, ch.Kind)
		}
		head := byte(ch.Kind)
		if ch.Binary {
			head |= changeBinary
		}
		if ch.OldPath != "" {
			head |= changeOldPath
		}
		if ch.OldHash != (Hash{}) {
			head |= changeOldHash
		}
		if ch.NewHash != (Hash{}) {
			head |= changeNewHash
		}
		b = append(b, head)
		b = appendPath(b, prev, ch.Path)
		if ch.OldPath != "" {
			b = appendPath(b, ch.Path, ch.OldPath)
		}
		prev = ch.Path
		b = binary.AppendVarint(b, int64(ch.Score))
		b = binary.AppendUvarint(b, uint64(ch.OldMode))
		b = binary.AppendUvarint(b, uint64(ch.NewMode))
		if head&changeOldHash != 0 {
			b = append(b, ch.OldHash[:]...)
		}
		if head&changeNewHash != 0 {
			b = append(b, ch.NewHash[:]...)
		}
		b = binary.AppendVarint(b, int64(ch.Added))
		b = binary.AppendVarint(b, int64(ch.Deleted))
	}
	return b, nil
}

// MarshalBinary returns the commit's record (see AppendBinary).
func (c *Commit) MarshalBinary() ([]byte, error) { return c.AppendBinary(nil) }

// UnmarshalBinary sets c to the commit the record holds (Seq becomes 0).
// Bad input (truncated, trailing bytes, an unknown version or kind, counts
// the data cannot hold) is an error, never a panic; c is then unchanged.
// The decoded strings do not alias data.
func (c *Commit) UnmarshalBinary(data []byte) error { return c.unmarshal(data, nil, true) }

// recordScratch is what a worker keeps from one record's decoding to the
// next: the time zones the records named, and the buffers the paths are
// rebuilt in, which the decoded commit does not keep. A worker's scratch
// (slabs set) also carves the commits it decodes, and their parents and
// changes, from slabs: five allocations a commit were a third of those of
// a warm walk of go-git. A commit kept keeps its slabs (some tens of KiB).
type recordScratch struct {
	zones map[string]zone // time zones by name
	paths []byte
	spans []pathSpan

	slabs      bool
	commitSlab []Commit
	parentSlab []Hash
	changeSlab []Change
}

// Slab sizes, in elements: about 16 KiB of commits, 5 KiB of parents and
// 56 KiB of changes.
const (
	commitSlab = 64
	parentSlab = 256
	changeSlab = 512
)

// commit returns a zero Commit: from the slab, or new.
func (s *recordScratch) commit() *Commit { return &carve(&s.commitSlab, 1, commitSlab, s.slabs)[0] }

// parents returns n zero hashes, capacity n: appending to them copies.
func (s *recordScratch) parents(n int) []Hash { return carve(&s.parentSlab, n, parentSlab, s.slabs) }

// changes returns n zero changes, capacity n: appending to them copies.
func (s *recordScratch) changes(n int) []Change { return carve(&s.changeSlab, n, changeSlab, s.slabs) }

// carve returns n zero elements from *slab, a new slab of size when it has
// too few left, capacity n; a request over a quarter of size (or any,
// without slabs) is an allocation of its own.
func carve[T any](slab *[]T, n, size int, slabs bool) []T {
	if !slabs || n > size/4 {
		return make([]T, n)
	}
	if len(*slab) < n {
		*slab = make([]T, size)
	}
	c := (*slab)[:n:n]
	*slab = (*slab)[n:]
	return c
}

// zone is a time zone a decoder made, with the offset it was made for.
type zone struct {
	loc    *time.Location
	offset int
}

// unmarshal is UnmarshalBinary with a worker's scratch (when not nil): it
// keeps the time zones it makes and takes those it has from there (zones
// repeat across a history, and a FixedZone per signature was 0.06 s of a
// warm churn of git/git's 0.7 s), and rebuilds the paths in its buffers,
// so that the commit's allocations are the ones it keeps. The message is
// decoded only when messages is set.
//
// The paths, names, emails, subject and message are substrings of one
// string: the paths rebuilt, then the record's bytes from the first name
// to the subject's end, or the message's. Copying the whole record,
// message and changes included, was 1.1 KiB a commit on git/git, where
// the analyses that take no message keep 150 bytes of it.
func (c *Commit) unmarshal(data []byte, scratch *recordScratch, messages bool) error {
	if scratch == nil {
		scratch = &recordScratch{}
	}
	d := recordDecoder{data: data, zones: scratch.zones}
	var out Commit
	if v := d.byte(); d.err == nil && v != recordVersion {
		return fmt.Errorf("%w: version %d, this gitwalk reads version %d", errRecord, v, recordVersion)
	}
	d.hash(&out.Hash)
	d.hash(&out.Tree)
	if n := d.count(20); n > 0 {
		out.Parents = scratch.parents(n)
		for i := range out.Parents {
			d.hash(&out.Parents[i])
		}
	}
	var an, ae, cn, ce pathSpan
	d.signature(&out.Author, &an, &ae)
	d.signature(&out.Committer, &cn, &ce)
	subject, message := d.span(), d.span()
	end := subject.off + subject.n
	if messages {
		end = message.off + message.n
	}
	// A change takes at least 6 bytes: head, prefix, suffix length, score,
	// two modes (and two counts).
	paths := scratch.paths[:0]
	if n := d.count(6); n > 0 {
		out.Changes = scratch.changes(n)
		// Paths are rebuilt into one buffer, and the names, emails and
		// subject (or message) follow them there: all are substrings of one
		// string, one allocation, as the walk makes them.
		spans := slices.Grow(scratch.spans[:0], 2*n)[:2*n]
		clear(spans)
		prev := pathSpan{}
		for i := range out.Changes {
			ch := &out.Changes[i]
			head := d.byte()
			if head&changeUnknown != 0 || head&changeKindMask > byte(Copied) {
				d.fail("change %d has head byte %#x", i, head)
			}
			ch.Kind = ChangeKind(head & changeKindMask)
			ch.Binary = head&changeBinary != 0
			var p pathSpan
			paths, p = d.path(paths, prev)
			spans[2*i] = p
			prev = p
			if head&changeOldPath != 0 {
				var o pathSpan
				paths, o = d.path(paths, p)
				if o.n == 0 && d.err == nil {
					d.fail("change %d has an empty old path", i)
				}
				spans[2*i+1] = o
			}
			ch.Score = d.int()
			ch.OldMode = FileMode(d.uint32())
			ch.NewMode = FileMode(d.uint32())
			if head&changeOldHash != 0 {
				d.hash(&ch.OldHash)
				if ch.OldHash == (Hash{}) && d.err == nil {
					d.fail("change %d has a zero old hash marked present", i)
				}
			}
			if head&changeNewHash != 0 {
				d.hash(&ch.NewHash)
				if ch.NewHash == (Hash{}) && d.err == nil {
					d.fail("change %d has a zero new hash marked present", i)
				}
			}
			ch.Added = d.int()
			ch.Deleted = d.int()
			if d.err != nil {
				break
			}
		}
		scratch.spans = spans
	}
	if d.err == nil {
		base := len(paths)
		paths = append(paths, data[an.off:end]...)
		all := string(paths)
		at := func(p pathSpan) string {
			if p.n == 0 {
				return ""
			}
			return all[base+p.off-an.off : base+p.off-an.off+p.n]
		}
		out.Author.Name, out.Author.Email = at(an), at(ae)
		out.Committer.Name, out.Committer.Email = at(cn), at(ce)
		out.Subject = at(subject)
		if messages {
			out.Message = at(message)
		}
		for i := range out.Changes {
			p, o := scratch.spans[2*i], scratch.spans[2*i+1]
			out.Changes[i].Path = all[p.off : p.off+p.n]
			if o.n > 0 {
				out.Changes[i].OldPath = all[o.off : o.off+o.n]
			}
		}
	}
	scratch.paths = paths
	if d.err == nil && len(d.data) != d.off {
		d.fail("%d bytes after the record", len(d.data)-d.off)
	}
	if d.err != nil {
		return d.err
	}
	*c = out
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendPath writes p as the length of its common prefix with prev and the
// rest.
func appendPath(b []byte, prev, p string) []byte {
	n := 0
	for n < len(prev) && n < len(p) && prev[n] == p[n] {
		n++
	}
	b = binary.AppendUvarint(b, uint64(n))
	return appendString(b, p[n:])
}

func appendSignature(b []byte, s *Signature) []byte {
	b = appendString(b, s.Name)
	b = appendString(b, s.Email)
	return appendTime(b, s.When)
}

func appendTime(b []byte, t time.Time) []byte {
	switch {
	case t == time.Time{}:
		return append(b, timeZero)
	case t.Location() == time.UTC:
		b = append(b, timeUTC)
		b = binary.AppendVarint(b, t.Unix())
		return binary.AppendUvarint(b, uint64(t.Nanosecond()))
	}
	name, offset := t.Zone()
	b = append(b, timeFixed)
	b = binary.AppendVarint(b, t.Unix())
	b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	b = binary.AppendVarint(b, int64(offset))
	return appendString(b, name)
}

// recordDecoder reads a record front to back. The first error sticks:
// later reads return zero values, so the decoding code reads straight
// through and checks once.
type recordDecoder struct {
	data []byte
	off  int
	err  error

	zones map[string]zone // time zones by name, or nil
}

func (d *recordDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errRecord, fmt.Sprintf(format, args...))
	}
}

func (d *recordDecoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.data) {
		d.fail("truncated at byte %d", d.off)
		return 0
	}
	d.off++
	return d.data[d.off-1]
}

func (d *recordDecoder) hash(h *Hash) {
	if d.err != nil {
		return
	}
	if len(d.data)-d.off < len(h) {
		d.fail("truncated at byte %d", d.off)
		return
	}
	copy(h[:], d.data[d.off:])
	d.off += len(h)
}

func (d *recordDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.data[d.off:])
	if n <= 0 {
		d.fail("bad number at byte %d", d.off)
		return 0
	}
	d.off += n
	return v
}

func (d *recordDecoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.data[d.off:])
	if n <= 0 {
		d.fail("bad number at byte %d", d.off)
		return 0
	}
	d.off += n
	return v
}

// int reads a varint that must fit an int.
func (d *recordDecoder) int() int {
	v := d.varint()
	if int64(int(v)) != v {
		d.fail("number %d out of range", v)
		return 0
	}
	return int(v)
}

func (d *recordDecoder) uint32() uint32 {
	v := d.uvarint()
	if v > 1<<32-1 {
		d.fail("number %d out of range", v)
		return 0
	}
	return uint32(v)
}

// count reads a count of items of at least min bytes each and checks that
// the rest of the record can hold them, so bad input cannot make it
// allocate more than the record's size.
func (d *recordDecoder) count(min int) int {
	v := d.uvarint()
	if v > uint64(len(d.data)-d.off)/uint64(min) {
		d.fail("count %d at byte %d is more than the record holds", v, d.off)
		return 0
	}
	return int(v)
}

// length reads a string's length and checks that the record holds it.
func (d *recordDecoder) length() int {
	v := d.uvarint()
	if v > uint64(len(d.data)-d.off) {
		d.fail("string of %d bytes at byte %d is longer than the record", v, d.off)
		return 0
	}
	return int(v)
}

// span reads a string and says where its bytes are in data.
func (d *recordDecoder) span() pathSpan {
	n := d.length()
	if d.err != nil {
		return pathSpan{off: d.off}
	}
	p := pathSpan{d.off, n}
	d.off += n
	return p
}

// pathSpan is where a decoded path lies in the buffer of a record's paths.
type pathSpan struct{ off, n int }

// path reads a prefix-compressed path against prev (a span of buf) and
// appends it to buf.
func (d *recordDecoder) path(buf []byte, prev pathSpan) ([]byte, pathSpan) {
	shared := d.uvarint()
	n := d.length()
	if d.err != nil {
		return buf, pathSpan{}
	}
	if shared > uint64(prev.n) {
		d.fail("path at byte %d shares %d bytes of a %d-byte path", d.off, shared, prev.n)
		return buf, pathSpan{}
	}
	off := len(buf)
	buf = append(buf, buf[prev.off:prev.off+int(shared)]...)
	buf = append(buf, d.data[d.off:d.off+n]...)
	d.off += n
	return buf, pathSpan{off, len(buf) - off}
}

// signature reads a signature's time into s, and where its name and email
// are into name and email (see unmarshal).
func (d *recordDecoder) signature(s *Signature, name, email *pathSpan) {
	*name = d.span()
	*email = d.span()
	switch tag := d.byte(); tag {
	case timeZero:
	case timeUTC, timeFixed:
		sec := d.varint()
		nsec := d.uvarint()
		if nsec >= 1e9 {
			d.fail("%d nanoseconds", nsec)
		}
		if tag == timeUTC {
			s.When = time.Unix(sec, int64(nsec)).UTC()
			return
		}
		offset := d.int()
		zs := d.span()
		if d.err != nil {
			return
		}
		// As the walk makes it (unit.signature): the zone's name is the raw
		// text of the commit's time zone.
		zb := d.data[zs.off : zs.off+zs.n]
		z, ok := d.zones[string(zb)]
		if !ok || z.offset != offset {
			zname := string(zb)
			z = zone{time.FixedZone(zname, offset), offset}
			if d.zones != nil {
				d.zones[zname] = z
			}
		}
		s.When = time.Unix(sec, int64(nsec)).In(z.loc)
	default:
		d.fail("time tag %d", tag)
	}
}
