package analysis

import (
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/gitwalk/gitwalk/walker"
)

// ErrBadState is returned (wrapped) by the states' UnmarshalBinary for bytes
// that are not an encoded state of the receiving kind.
var ErrBadState = errors.New("bad encoded analysis state")

// The states' encodings start with a kind byte and a version, so that a
// state from another analysis or another gitwalk is refused, not misread.
const (
	stateChurn    = 'C'
	stateScoped   = 'S'
	stateCoupling = 'P'

	stateVersion = 1
)

// MarshalBinary encodes what s has accumulated, so that a state can cross
// the wire between processes (a shard's state to the one merging them).
// The analyzer's settings are not encoded, only checked on the way back:
// decode into a state made by the same Churn's NewState.
func (s *ChurnState) MarshalBinary() ([]byte, error) {
	b := []byte{stateChurn, stateVersion, byte(s.by)}
	b = binary.AppendUvarint(b, uint64(len(s.groups)))
	for k, g := range s.groups {
		b = appendString(b, k)
		for _, v := range [...]int{g.Commits, g.Added, g.Deleted, g.Churn} {
			b = binary.AppendUvarint(b, uint64(v))
		}
		b = appendSet(b, g.earlier)
	}
	return b, nil
}

// UnmarshalBinary replaces what s has accumulated with the state data
// encodes. s must come from a Churn grouping as the encoded one did.
func (s *ChurnState) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.header(stateChurn)
	if by := Grouping(d.byte()); d.err == nil && by != s.by {
		return fmt.Errorf("%w: churn by %s decoded into churn by %s", ErrBadState, by, s.by)
	}
	n := d.count()
	groups := make(map[string]*churnGroup, n)
	for range n {
		g := &churnGroup{ChurnRow: ChurnRow{Key: d.string()}}
		g.Commits, g.Added, g.Deleted, g.Churn = d.int(), d.int(), d.int(), d.int()
		if earlier := d.set(); len(earlier) > 0 {
			g.earlier = earlier
		}
		groups[g.Key] = g
	}
	if err := d.end(); err != nil {
		return err
	}
	s.groups = groups
	return nil
}

// MarshalBinary encodes what s has left out and its inner state, which must
// implement encoding.BinaryMarshaler (ChurnState does). The Scope itself is
// not encoded: it was applied when commits were observed, and merging needs
// none of it.
func (s *ScopedState) MarshalBinary() ([]byte, error) {
	inner, ok := s.inner.(encoding.BinaryMarshaler)
	if !ok {
		return nil, fmt.Errorf("analysis: %T cannot be encoded", s.inner)
	}
	in, err := inner.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b := []byte{stateScoped, stateVersion}
	l := &s.left
	for _, v := range [...]int{l.BotCommits, l.BotsCounted, l.IgnoredCommits, l.LargeCommits, l.CoAuthorCredits} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	b = binary.AppendUvarint(b, uint64(len(l.Lines)))
	for _, v := range l.Lines {
		b = binary.AppendUvarint(b, uint64(v))
	}
	b = binary.AppendUvarint(b, uint64(len(s.paths)))
	for p, r := range s.paths {
		b = appendString(b, p)
		b = append(b, byte(r))
	}
	b = appendString(b, string(in))
	return b, nil
}

// UnmarshalBinary replaces s's figures and inner state with those data
// encodes. s must come from the same Scope.Wrap of the same analyzer (the
// Scope's own settings may differ: merging does not use them).
func (s *ScopedState) UnmarshalBinary(data []byte) error {
	inner, ok := s.inner.(encoding.BinaryUnmarshaler)
	if !ok {
		return fmt.Errorf("analysis: %T cannot be decoded", s.inner)
	}
	d := decoder{b: data}
	d.header(stateScoped)
	var l LeftOut
	l.BotCommits, l.BotsCounted, l.IgnoredCommits, l.LargeCommits, l.CoAuthorCredits = d.int(), d.int(), d.int(), d.int(), d.int()
	if n := d.count(); d.err == nil && n != len(l.Lines) {
		return fmt.Errorf("%w: %d exclusion reasons, want %d", ErrBadState, n, len(l.Lines))
	}
	for i := range l.Lines {
		l.Lines[i] = d.int()
	}
	n := d.count()
	paths := make(map[string]ExcludeReason, n)
	for range n {
		p := d.string()
		r := ExcludeReason(d.byte())
		if r == NotExcluded || r >= NumExcludeReasons {
			d.fail("exclusion reason %d", r)
		}
		paths[p] = r
	}
	in := d.string()
	if err := d.end(); err != nil {
		return err
	}
	if err := inner.UnmarshalBinary([]byte(in)); err != nil {
		return err
	}
	s.left, s.paths = l, paths
	return nil
}

// MarshalBinary encodes what s has counted: the commits counted and left
// out, each path with its revisions, and each pair with its count. The
// Coupling's settings are not encoded: decode into a state made by the
// same Coupling's NewState.
func (s *CouplingState) MarshalBinary() ([]byte, error) {
	b := []byte{stateCoupling, stateVersion}
	b = binary.AppendUvarint(b, uint64(s.commits))
	b = binary.AppendUvarint(b, uint64(s.leftOut))
	b = binary.AppendUvarint(b, uint64(len(s.paths)))
	for id, p := range s.paths {
		b = appendString(b, p)
		b = binary.AppendUvarint(b, uint64(s.revs[id]))
	}
	b = binary.AppendUvarint(b, uint64(s.pairs.len()))
	for k, n := range s.pairs.all() {
		b = binary.AppendUvarint(b, k>>32)
		b = binary.AppendUvarint(b, uint64(uint32(k)))
		b = binary.AppendUvarint(b, uint64(n))
	}
	return b, nil
}

// UnmarshalBinary replaces what s has counted with the state data encodes.
func (s *CouplingState) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.header(stateCoupling)
	commits, leftOut := d.int(), d.int()
	n := d.count()
	ids := make(map[string]int32, n)
	paths := make([]string, 0, n)
	revs := make([]int32, 0, n)
	for range n {
		p, r := d.string(), d.int()
		if _, dup := ids[p]; dup && d.err == nil {
			d.fail("path %q twice", p)
		}
		if r > 1<<31-1 {
			d.fail("%d revisions", r)
		}
		ids[p] = int32(len(paths))
		paths = append(paths, p)
		revs = append(revs, int32(r))
	}
	var pairs pairTable
	np := d.count()
	pairs.reserve(np)
	for range np {
		a, b, c := d.int(), d.int(), d.int()
		if a >= len(paths) || b >= len(paths) || a > b || c > 1<<31-1 {
			d.fail("pair (%d, %d) of %d paths", a, b, len(paths))
			break
		}
		pairs.add(pairKey(int32(a), int32(b)), int32(c))
	}
	if err := d.end(); err != nil {
		return err
	}
	s.commits, s.leftOut, s.ids, s.paths, s.revs, s.pairs = commits, leftOut, ids, paths, revs, pairs
	return nil
}

// appendSet appends a set of strings: its size, then each string.
func appendSet(b []byte, set map[string]struct{}) []byte {
	b = binary.AppendUvarint(b, uint64(len(set)))
	for k := range set {
		b = appendString(b, k)
	}
	return b
}

// set reads what appendSet wrote; an empty set is an empty map.
func (d *decoder) set() map[string]struct{} {
	n := d.count()
	set := make(map[string]struct{}, n)
	for range n {
		set[d.string()] = struct{}{}
	}
	return set
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads an encoded state; the first error sticks and later reads
// return zero values, so a decode checks once, at the end.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrBadState}, args...)...)
	}
	d.b = nil
}

func (d *decoder) header(kind byte) {
	if len(d.b) < 2 || d.b[0] != kind {
		d.fail("not a %c state", kind)
		return
	}
	if d.b[1] != stateVersion {
		d.fail("version %d, want %d", d.b[1], stateVersion)
		return
	}
	d.b = d.b[2:]
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail("truncated")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("truncated or overlong number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// int reads a count or a sum: non-negative and within int.
func (d *decoder) int() int {
	v := d.uvarint()
	if v > uint64(^uint(0)>>1) {
		d.fail("number %d out of range", v)
		return 0
	}
	return int(v)
}

// count reads a number of entries, each at least one byte long, so that a
// corrupt count cannot make a decode allocate more than the input's size.
func (d *decoder) count() int {
	n := d.int()
	if n > len(d.b) {
		d.fail("%d entries in %d bytes", n, len(d.b))
		return 0
	}
	return n
}

func (d *decoder) string() string {
	n := d.int()
	if n > len(d.b) {
		d.fail("string of %d bytes in %d", n, len(d.b))
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) end() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the end", len(d.b))
	}
	return d.err
}

// The states' kinds, beyond churn, scope and coupling.
const (
	stateAuthors   = 'A'
	stateOwnership = 'O'
)

// MarshalBinary encodes what s has counted per author: commits, lines,
// the paths changed, and the first and last dates.
func (s *AuthorsState) MarshalBinary() ([]byte, error) {
	b := []byte{stateAuthors, stateVersion}
	b = binary.AppendUvarint(b, uint64(len(s.byAuthor)))
	for k, a := range s.byAuthor {
		b = appendString(b, k.name)
		b = appendString(b, k.email)
		for _, v := range [...]int{a.commits, a.added, a.deleted} {
			b = binary.AppendUvarint(b, uint64(v))
		}
		b = appendTime(b, a.first)
		b = appendTime(b, a.last)
		b = appendSet(b, a.files)
	}
	return b, nil
}

// UnmarshalBinary replaces what s has counted with the state data encodes.
func (s *AuthorsState) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.header(stateAuthors)
	n := d.count()
	by := make(map[authorKey]*authorAcc, n)
	for range n {
		k := authorKey{name: d.string(), email: d.string()}
		by[k] = &authorAcc{commits: d.int(), added: d.int(), deleted: d.int(), first: d.time(), last: d.time(), files: d.set()}
	}
	if err := d.end(); err != nil {
		return err
	}
	s.byAuthor = by
	return nil
}

// MarshalBinary encodes what s has counted per file and author.
func (s *OwnershipState) MarshalBinary() ([]byte, error) {
	b := []byte{stateOwnership, stateVersion}
	b = binary.AppendUvarint(b, uint64(len(s.files)))
	for p, f := range s.files {
		b = appendString(b, p)
		b = binary.AppendUvarint(b, uint64(f.total))
		b = binary.AppendUvarint(b, uint64(len(f.authors)))
		for who, a := range f.authors {
			b = appendString(b, who)
			b = binary.AppendUvarint(b, uint64(a.added))
			b = binary.AppendUvarint(b, uint64(a.commits))
		}
	}
	return b, nil
}

// UnmarshalBinary replaces what s has counted with the state data encodes.
func (s *OwnershipState) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.header(stateOwnership)
	n := d.count()
	files := make(map[string]*ownFile, n)
	for range n {
		p := d.string()
		f := &ownFile{total: d.int()}
		na := d.count()
		f.authors = make(map[string]*ownAuthor, na)
		for range na {
			who := d.string()
			f.authors[who] = &ownAuthor{added: d.int(), commits: d.int()}
		}
		files[p] = f
	}
	if err := d.end(); err != nil {
		return err
	}
	s.files = files
	return nil
}

// appendTime appends t: a byte saying whether it is set, then its Unix
// seconds (signed) and nanoseconds. A decoded time is in UTC, as the
// states keep theirs.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// time reads what appendTime wrote.
func (d *decoder) time() time.Time {
	switch d.byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		d.fail("time")
		return time.Time{}
	}
	sec, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("truncated or overlong time")
		return time.Time{}
	}
	d.b = d.b[n:]
	ns := d.uvarint()
	if ns >= 1e9 {
		d.fail("nanoseconds %d", ns)
		return time.Time{}
	}
	return time.Unix(sec, int64(ns)).UTC()
}

// stateHotspots is the kind of an encoded HotspotsState.
const stateHotspots = 'H'

// MarshalBinary encodes what s has counted per file, and the first commit
// it saw in walk order (its Seq and id).
func (s *HotspotsState) MarshalBinary() ([]byte, error) {
	b := []byte{stateHotspots, stateVersion}
	b = binary.AppendVarint(b, int64(s.first.seq))
	b = append(b, s.first.hash[:]...)
	b = binary.AppendUvarint(b, uint64(len(s.files)))
	for p, f := range s.files {
		b = appendString(b, p)
		for _, v := range [...]int{f.revs, f.added, f.deleted} {
			b = binary.AppendUvarint(b, uint64(v))
		}
		b = appendSet(b, f.authors)
	}
	return b, nil
}

// UnmarshalBinary replaces what s has counted with the state data encodes.
// A decoded first commit keeps the Seq of the walk that saw it: merged
// into the state of a later walk resumed above it, whose first commit has
// Seq 0 when it handed out any, it is the first only when that walk
// handed out none, which is then right too.
func (s *HotspotsState) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.header(stateHotspots)
	seq, n := binary.Varint(d.b)
	if d.err == nil && (n <= 0 || seq < -1 || len(d.b) < n+20) {
		d.fail("first commit")
	}
	var first firstCommit
	if d.err == nil {
		first.seq, first.hash = int(seq), walker.Hash(d.b[n:n+20])
		d.b = d.b[n+20:]
	}
	nf := d.count()
	files := make(map[string]*hotFile, nf)
	for range nf {
		p := d.string()
		files[p] = &hotFile{revs: d.int(), added: d.int(), deleted: d.int(), authors: d.set()}
	}
	if err := d.end(); err != nil {
		return err
	}
	s.first, s.files = first, files
	return nil
}
