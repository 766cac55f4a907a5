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

// appendTime appends t: a byte saying whether it is set (0), in UTC (1)
// or in another zone (2), then its Unix seconds (signed) and nanoseconds,
// and for another zone its name and offset (a commit's, whose calendar
// some results count in: knowledge's departures).
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	name, off := t.Zone()
	utc := t.Location() == time.UTC
	kind := byte(2)
	if utc {
		kind = 1
	}
	b = append(b, kind)
	b = binary.AppendVarint(b, t.Unix())
	b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	if !utc {
		b = appendString(b, name)
		b = binary.AppendVarint(b, int64(off))
	}
	return b
}

// time reads what appendTime wrote.
func (d *decoder) time() time.Time {
	kind := d.byte()
	switch kind {
	case 0:
		return time.Time{}
	case 1, 2:
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
	t := time.Unix(sec, int64(ns)).UTC()
	if kind == 2 {
		name := d.string()
		off, n := binary.Varint(d.b)
		if n <= 0 || off < -86400 || off > 86400 {
			d.fail("time zone")
			return time.Time{}
		}
		d.b = d.b[n:]
		t = t.In(time.FixedZone(name, int(off)))
	}
	return t
}

// stateHotspots is the kind of an encoded HotspotsState.
const stateHotspots = 'H'

// MarshalBinary encodes what s has counted per file, and the first commit
// it saw in walk order (its Seq and id).
func (s *HotspotsState) MarshalBinary() ([]byte, error) {
	b := []byte{stateHotspots, stateVersion}
	b = appendFirst(b, s.first)
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
func (s *HotspotsState) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.header(stateHotspots)
	first := d.first()
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

// The kinds of the states of summary, age and knowledge.
const (
	stateSummary   = 'U'
	stateAge       = 'G'
	stateKnowledge = 'K'
)

// appendFirst appends a state's first commit: its Seq (-1: none) and id.
func appendFirst(b []byte, f firstCommit) []byte {
	b = binary.AppendVarint(b, int64(f.seq))
	return append(b, f.hash[:]...)
}

// first reads what appendFirst wrote.
func (d *decoder) first() firstCommit {
	seq, n := binary.Varint(d.b)
	if d.err == nil && (n <= 0 || seq < -1 || seq > 1<<31 || len(d.b) < n+20) {
		d.fail("first commit")
	}
	if d.err != nil {
		return firstCommit{seq: -1}
	}
	f := firstCommit{seq: int(seq), hash: walker.Hash(d.b[n : n+20])}
	d.b = d.b[n+20:]
	return f
}

// seq reads a commit's Seq, or -1 written as 0 (see appendSeq).
func (d *decoder) seq() int {
	v := d.int()
	if v > 1<<31 {
		d.fail("position %d", v)
	}
	return v - 1
}

// appendSeq appends a commit's Seq, -1 (none) included.
func appendSeq(b []byte, seq int) []byte { return binary.AppendUvarint(b, uint64(seq+1)) }

// shift moves a Seq that is one (not -1) by delta.
func shift(seq, delta int) int {
	if seq < 0 {
		return seq
	}
	return seq + delta
}

// MarshalBinary encodes what s has counted: the figures, the authors and
// the files.
func (s *SummaryState) MarshalBinary() ([]byte, error) {
	b := []byte{stateSummary, stateVersion}
	for _, v := range [...]int{s.res.Commits, s.res.Merges, s.res.Added, s.res.Deleted} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	b = appendTime(b, s.res.First)
	b = appendTime(b, s.res.Last)
	b = appendSet(b, s.authors)
	return appendSet(b, s.files), nil
}

// UnmarshalBinary replaces what s has counted with the state data encodes.
func (s *SummaryState) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.header(stateSummary)
	var r SummaryResult
	r.Commits, r.Merges, r.Added, r.Deleted = d.int(), d.int(), d.int(), d.int()
	r.First, r.Last = d.time(), d.time()
	authors, files := d.set(), d.set()
	if err := d.end(); err != nil {
		return err
	}
	s.res, s.authors, s.files = r, authors, files
	return nil
}

// MarshalBinary encodes each file's last change, the first commit and the
// newest author date observed. It fails when a commit observed was dated
// after the Age's Now (left out then, it would count under a later Now).
func (s *AgeState) MarshalBinary() ([]byte, error) {
	if !s.opts.Now.IsZero() && s.latest.After(s.opts.Now) {
		return nil, fmt.Errorf("analysis: age state with commits after its Now (%s) cannot be kept", s.opts.Now)
	}
	b := []byte{stateAge, stateVersion}
	b = appendFirst(b, s.first)
	b = appendTime(b, s.latest)
	b = binary.AppendUvarint(b, uint64(len(s.files)))
	for p, f := range s.files {
		b = appendString(b, p)
		b = appendTime(b, f.when)
		b = appendSeq(b, f.seq)
		b = appendString(b, f.author)
	}
	return b, nil
}

// UnmarshalBinary replaces what s has counted with the state data encodes.
// It fails (ErrBadState) when a commit of the state is dated after s's
// Age's Now, which would have left it out.
func (s *AgeState) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.header(stateAge)
	first, latest := d.first(), d.time()
	if d.err == nil && !s.opts.Now.IsZero() && latest.After(s.opts.Now) {
		d.fail("a commit dated %s, after now (%s)", latest, s.opts.Now)
	}
	n := d.count()
	files := make(map[string]*ageFile, n)
	for range n {
		p := d.string()
		files[p] = &ageFile{when: d.time(), seq: d.seq(), author: d.string()}
	}
	if err := d.end(); err != nil {
		return err
	}
	s.first, s.latest, s.files = first, latest, files
	return nil
}

// ShiftSeq moves the positions s keeps by delta (see SeqShifter).
func (s *AgeState) ShiftSeq(delta int) {
	s.first.seq = shift(s.first.seq, delta)
	for _, f := range s.files {
		f.seq = shift(f.seq, delta)
	}
}

// ShiftSeq moves the first commit's position by delta (see SeqShifter).
func (s *HotspotsState) ShiftSeq(delta int) { s.first.seq = shift(s.first.seq, delta) }

// MarshalBinary encodes what s has counted: the people, the files, the
// paths renamed away, the paths Files left out, the newest date and the
// first commit.
func (s *KnowledgeState) MarshalBinary() ([]byte, error) {
	b := []byte{stateKnowledge, stateVersion}
	b = appendFirst(b, s.first)
	b = appendTime(b, s.newest)
	left := map[string]struct{}{}
	for p, ok := range s.counts {
		if !ok {
			left[p] = struct{}{}
		}
	}
	b = appendSet(b, left)
	b = binary.AppendUvarint(b, uint64(len(s.people)))
	for who, p := range s.people {
		b = appendString(b, who)
		b = appendTime(b, p.last)
		b = binary.AppendUvarint(b, uint64(p.commits))
	}
	b = binary.AppendUvarint(b, uint64(len(s.away)))
	for p, seq := range s.away {
		b = appendString(b, p)
		b = appendSeq(b, seq)
	}
	b = binary.AppendUvarint(b, uint64(len(s.files)))
	for p, f := range s.files {
		b = appendString(b, p)
		b = appendSeq(b, f.createdSeq)
		b = binary.AppendUvarint(b, uint64(len(f.creators)))
		for _, c := range f.creators {
			b = appendString(b, c)
		}
		b = appendSeq(b, f.lastSeq)
		b = append(b, flagByte(f.lastDeleted))
		b = binary.AppendUvarint(b, uint64(f.commits))
		b = binary.AppendUvarint(b, uint64(f.churn))
		b = binary.AppendUvarint(b, uint64(len(f.changes)))
		for who, n := range f.changes {
			b = appendString(b, who)
			b = binary.AppendUvarint(b, uint64(n))
		}
	}
	return b, nil
}

// UnmarshalBinary replaces what s has counted with the state data encodes.
func (s *KnowledgeState) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	d.header(stateKnowledge)
	first, newest := d.first(), d.time()
	var counts map[string]bool
	if left := d.set(); len(left) > 0 {
		counts = make(map[string]bool, len(left))
		for p := range left {
			counts[p] = false
		}
	}
	np := d.count()
	people := make(map[string]*knowPerson, np)
	for range np {
		who := d.string()
		people[who] = &knowPerson{last: d.time(), commits: d.int()}
	}
	na := d.count()
	away := make(map[string]int, na)
	for range na {
		p := d.string()
		away[p] = d.seq()
	}
	nf := d.count()
	files := make(map[string]*knowFile, nf)
	for range nf {
		p := d.string()
		f := &knowFile{createdSeq: d.seq()}
		if nc := d.count(); nc > 0 {
			f.creators = make([]string, nc)
			for i := range f.creators {
				f.creators[i] = d.string()
			}
		}
		f.lastSeq = d.seq()
		switch d.byte() {
		case 0:
		case 1:
			f.lastDeleted = true
		default:
			d.fail("file %q: deletion flag", p)
		}
		f.commits, f.churn = d.int(), d.int()
		nw := d.count()
		f.changes = make(map[string]int, nw)
		for range nw {
			who := d.string()
			f.changes[who] = d.int()
		}
		files[p] = f
	}
	if err := d.end(); err != nil {
		return err
	}
	s.first, s.newest, s.people, s.away, s.files, s.counts = first, newest, people, away, files, counts
	return nil
}

// ShiftSeq moves the positions s keeps by delta (see SeqShifter).
func (s *KnowledgeState) ShiftSeq(delta int) {
	s.first.seq = shift(s.first.seq, delta)
	for p, seq := range s.away {
		s.away[p] = shift(seq, delta)
	}
	for _, f := range s.files {
		f.createdSeq, f.lastSeq = shift(f.createdSeq, delta), shift(f.lastSeq, delta)
	}
}

func flagByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
