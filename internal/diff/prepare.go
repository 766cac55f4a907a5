package diff

import (
	"bytes"
	"hash/maphash"

	"github.com/gitwalk/gitwalk/arena"
)

// Constants of git's xprepare.c that change counts.
const (
	kpdisRun      = 4    // XDL_KPDIS_RUN: discard a multimatch line if nomatch lines outnumber 3 to 1
	maxEqLimit    = 1024 // XDL_MAX_EQLIMIT: cap of the "many matches" threshold
	simscanWindow = 100  // XDL_SIMSCAN_WINDOW: how far the multimatch scan looks each way
)

// Line labels of xdl_cleanup_records, by how often a line's content occurs in
// the whole other file.
const (
	labelNone   = 0 // no occurrence: the line cannot match and is discarded
	labelNormal = 1 // kept for Myers
	labelMulti  = 2 // at least mlim occurrences: discarded if inside a run of none lines
)

// file2Bit marks a class representative's offset as one into the new file.
// Inputs are below 2^30 bytes (maxInput), so offsets never reach it.
const file2Bit = 1 << 30

// lineSeed seeds line hashing. A random seed keeps crafted file contents from
// forcing collisions; the hash only picks table slots, so it cannot change
// counts (equal lines are always compared byte by byte).
var lineSeed = maphash.MakeSeed()

// trace receives what count decided, for tests: which lines of each middle
// range were discarded before Myers, and which kept lines Myers marked.
type trace struct {
	prefix, suffix int       // lines of the common prefix and suffix
	discarded      [2][]bool // per middle line of old, new
	changed        [2][]bool // per kept line of old, new
	ends           [4]int    // how Myers' splits ended, by myers.ends index
	steps          int64     // Myers' work: diagonals visited plus snake lines followed
	mxcost         int       // Myers' cost cutoff for this input
}

// count computes git's numstat counts; see Count. The arena is not rewound.
func count(a *arena.Arena, old, new []byte, minimal bool, tr *trace) (Stat, error) {
	// xdl_trim_ends, on bytes: the common prefix and suffix made of whole
	// equal lines are left out of everything but the line and class counts.
	pre := commonPrefixLen(old, new)
	if pre == len(old) && pre == len(new) {
		return Stat{}, nil
	}
	pb := bytes.LastIndexByte(old[:pre], '\n') + 1
	o, n := old[pb:], new[pb:]
	sfx := commonSuffixLen(o, n)
	if s1, s2 := len(o)-sfx, len(n)-sfx; sfx > 0 &&
		!((s1 == 0 || o[s1-1] == '\n') && (s2 == 0 || n[s2-1] == '\n')) {
		// The equal tail starts inside a line on one side: the suffix starts
		// at the first line start inside the tail, if any.
		j := bytes.IndexByte(o[s1:], '\n')
		if j < 0 {
			sfx = 0
		} else {
			sfx -= j + 1
		}
	}
	mid1, mid2 := o[:len(o)-sfx], n[:len(n)-sfx]
	prefix, suffix := old[:pb], old[len(old)-sfx:]
	m1, m2 := countLines(mid1), countLines(mid2)
	if tr != nil {
		tr.prefix, tr.suffix = bytes.Count(prefix, nl), countLines(suffix)
		tr.discarded = [2][]bool{make([]bool, m1), make([]bool, m2)}
	}
	if m1 == 0 || m2 == 0 {
		// One middle is empty: every line of the other is changed, whatever
		// cleanup and Myers would do with it.
		if tr != nil {
			tr.changed = [2][]bool{make([]bool, m1), make([]bool, m2)}
			for i := range tr.changed {
				for j := range tr.changed[i] {
					tr.changed[i][j] = true
				}
			}
		}
		return Stat{Added: m2, Deleted: m1}, nil
	}
	common := bytes.Count(prefix, nl) + countLines(suffix)
	nrec1, nrec2 := common+m1, common+m2

	ha1, err := arena.MakeUninit[int32](a, m1)
	if err != nil {
		return Stat{}, err
	}
	ha2, err := arena.MakeUninit[int32](a, m2)
	if err != nil {
		return Stat{}, err
	}

	// Classes, class counts and labels are dead once the kept lines are
	// known: Myers' arrays reuse their memory.
	tables := a.Mark()
	var cf classifier
	if err := cf.init(a, old, new, m1+m2); err != nil {
		return Stat{}, err
	}
	dis, err := arena.MakeUninit[uint8](a, m1+m2)
	if err != nil {
		return Stat{}, err
	}
	cf.classifyOld(ha1, mid1, pb)
	cf.classifyNew(ha2, mid2, pb, mid1, ha1)
	cf.countCommon(prefix)
	cf.countCommon(suffix)

	// xdl_cleanup_records: each file's threshold comes from its own whole
	// line count; the occurrences counted are those in the whole other file.
	dis1, dis2 := dis[:m1], dis[m1:]
	label(dis1, ha1, cf.n2, min(bogosqrt(nrec1), maxEqLimit))
	label(dis2, ha2, cf.n1, min(bogosqrt(nrec2), maxEqLimit))
	var disc1, disc2 []bool
	if tr != nil {
		disc1, disc2 = tr.discarded[0], tr.discarded[1]
	}
	k1 := keep(ha1, dis1, disc1)
	k2 := keep(ha2, dis2, disc2)
	a.RewindTo(tables)

	st := Stat{Deleted: m1 - k1, Added: m2 - k2}
	d, err := newMyers(a, ha1[:k1], ha2[:k2])
	if err != nil {
		return Stat{}, err
	}
	if tr != nil {
		d.chg1, d.chg2 = make([]bool, k1), make([]bool, k2)
		tr.changed = [2][]bool{d.chg1, d.chg2}
	}
	d.run(minimal)
	if tr != nil {
		tr.ends, tr.steps, tr.mxcost = d.ends, d.steps, d.mxcost
	}
	st.Deleted += d.deleted
	st.Added += d.added
	return st, nil
}

// classifier gives each distinct line content a class number (git's
// xdl_classify_record) with an open-addressing table, and counts each
// class's lines in old and in new.
type classifier struct {
	old, new []byte
	slots    []uint64 // 0 = empty, else hash's high 32 bits << 32 | class+1
	mask     uint64
	rep      []int32 // per class: offset of its first line, file2Bit for new
	repLine  []int32 // per class: index of that line in its middle range
	n1, n2   []int32 // per class: lines in the whole of old, of new
	classes  int32
	lens     [16]uint64 // bit len%1024 set if a middle line has that length
}

// tableSlots is the open-addressing table size for up to lines classes: a
// power of two with a load factor of at most 2/3.
func tableSlots(lines int) int {
	n := 1
	for n < lines+lines/2+1 {
		n <<= 1
	}
	return n
}

// perClass is the number of int32 the classifier keeps per class.
const perClass = 4

func (cf *classifier) init(a *arena.Arena, old, new []byte, lines int) error {
	slots, err := arena.Make[uint64](a, tableSlots(lines))
	if err != nil {
		return err
	}
	per, err := arena.MakeUninit[int32](a, perClass*lines)
	if err != nil {
		return err
	}
	*cf = classifier{
		old: old, new: new,
		slots: slots, mask: uint64(len(slots) - 1),
		rep: per[:lines], repLine: per[lines : 2*lines],
		n1: per[2*lines : 3*lines], n2: per[3*lines:],
	}
	return nil
}

// classifyOld sets cls[i] to the class of line i of mid, old's middle range
// at offset base, and counts the lines in n1.
func (cf *classifier) classifyOld(cls []int32, mid []byte, base int) {
	off := 0
	for i := range cls {
		end := len(mid)
		if j := bytes.IndexByte(mid[off:], '\n'); j >= 0 {
			end = off + j + 1
		}
		line := mid[off:end]
		c := cf.intern(line, int32(base+off), int32(i))
		cf.n1[c]++
		cls[i] = c
		cf.lens[(len(line)>>6)&15] |= 1 << (len(line) & 63)
		off = end
	}
}

// classifyNew does the same for new's middle range, counting in n2. Most
// lines of a new version follow the old one in order, so each line is
// first compared with the old line after the last one it matched, which
// gives its class without hashing; a line found elsewhere in old moves
// that cursor after it.
func (cf *classifier) classifyNew(cls []int32, mid []byte, base int, mid1 []byte, cls1 []int32) {
	off := 0
	p1, j1 := 0, 0 // cursor in old's middle: offset and line index
	for i := range cls {
		end := len(mid)
		if j := bytes.IndexByte(mid[off:], '\n'); j >= 0 {
			end = off + j + 1
		}
		line := mid[off:end]
		var c int32
		if e1 := p1 + len(line); j1 < len(cls1) && e1 <= len(mid1) && bytes.Equal(mid1[p1:e1], line) &&
			(line[len(line)-1] == '\n' || e1 == len(mid1)) {
			// A final line without newline can only be in new's middle if
			// the common suffix is empty; then old's middle ends its file.
			c = cls1[j1]
			p1, j1 = e1, j1+1
		} else {
			c = cf.intern(line, int32(base+off)|file2Bit, int32(i))
			if r := cf.rep[c]; r&file2Bit == 0 {
				p1, j1 = int(r)-base+len(line), int(cf.repLine[c])+1
			}
		}
		cf.n2[c]++
		cls[i] = c
		cf.lens[(len(line)>>6)&15] |= 1 << (len(line) & 63)
		off = end
	}
}

// countCommon adds the lines of a common prefix or suffix (new holds the
// same lines) to the counts of both files, for the classes that occur in the
// middles: other lines never reach a label.
func (cf *classifier) countCommon(part []byte) {
	off := 0
	for off < len(part) {
		end := len(part)
		if j := bytes.IndexByte(part[off:], '\n'); j >= 0 {
			end = off + j + 1
		}
		line := part[off:end]
		if cf.lens[(len(line)>>6)&15]&(1<<(len(line)&63)) != 0 {
			if c := cf.lookup(line); c >= 0 {
				cf.n1[c]++
				cf.n2[c]++
			}
		}
		off = end
	}
}

// intern returns the class of line, whose first byte is at rep (with
// file2Bit for new) and which is line i of its middle range, creating the
// class if it is the first such line.
func (cf *classifier) intern(line []byte, rep, i int32) int32 {
	h := maphash.Bytes(lineSeed, line)
	tag := h >> 32 << 32
	for s := h & cf.mask; ; s = (s + 1) & cf.mask {
		v := cf.slots[s]
		if v == 0 {
			c := cf.classes
			cf.classes++
			cf.rep[c], cf.repLine[c], cf.n1[c], cf.n2[c] = rep, i, 0, 0
			cf.slots[s] = tag | uint64(c+1)
			return c
		}
		if v&^0xffffffff == tag {
			if c := int32(uint32(v)) - 1; cf.equal(c, line) {
				return c
			}
		}
	}
}

// lookup returns the class of line, or -1 if no middle line has its content.
func (cf *classifier) lookup(line []byte) int32 {
	h := maphash.Bytes(lineSeed, line)
	tag := h >> 32 << 32
	for i := h & cf.mask; ; i = (i + 1) & cf.mask {
		s := cf.slots[i]
		if s == 0 {
			return -1
		}
		if s&^0xffffffff == tag {
			if c := int32(uint32(s)) - 1; cf.equal(c, line) {
				return c
			}
		}
	}
}

// equal reports whether class c's lines are line. A line ending in '\n'
// equals the record of the same length at the representative's offset; a
// final line without one must also end its file there.
func (cf *classifier) equal(c int32, line []byte) bool {
	r := cf.rep[c]
	buf := cf.old
	if r&file2Bit != 0 {
		buf, r = cf.new, r&^file2Bit
	}
	end := int(r) + len(line)
	if end > len(buf) || (line[len(line)-1] != '\n' && end != len(buf)) {
		return false
	}
	return bytes.Equal(buf[r:end], line)
}

// label sets dis[i] to the label of a line of class cls[i], given the class
// counts of the other file and the threshold mlim.
func label(dis []uint8, cls, other []int32, mlim int) {
	for i, c := range cls {
		switch nm := int(other[c]); {
		case nm == 0:
			dis[i] = labelNone
		case nm >= mlim:
			dis[i] = labelMulti
		default:
			dis[i] = labelNormal
		}
	}
}

// keep moves the classes of the lines kept for Myers to the front of cls and
// returns how many there are (git's rindex/ha arrays, without rindex: counts
// need no line numbers). Lines are kept if normal, or multi and not in a run
// of none lines (xdl_clean_mmatch); decisions use the original labels.
//
// git scans up to simscanWindow lines each way from every multi line; here
// the none lines in those ranges are counted with cursors that only move
// forward, so the whole pass is linear however long the runs are.
func keep(cls []int32, dis []uint8, discarded []bool) int {
	k := 0
	lastNormal := -1 // the last normal line before i
	nextNormal := 0  // the first normal line after i, or len(dis); valid while > i
	var lo, at, hi noneCounter
	for i, l := range dis {
		keepIt := l == labelNormal
		if l == labelNormal {
			lastNormal = i
		} else if l == labelMulti {
			// The run scanned backwards is [first, i), forwards (i, last].
			first := max(i-simscanWindow, lastNormal+1)
			if nextNormal <= i {
				nextNormal = i + 1
				for nextNormal < len(dis) && dis[nextNormal] != labelNormal {
					nextNormal++
				}
			}
			last := min(i+simscanWindow, nextNormal-1)
			before := at.upTo(dis, i) - lo.upTo(dis, first)
			after := hi.upTo(dis, last+1) - at.upTo(dis, i) // line i itself is multi
			multi := (i - first - before) + (last - i - after) + 2
			keepIt = before == 0 || after == 0 || !(multi*kpdisRun < multi+before+after)
		}
		if keepIt {
			cls[k] = cls[i]
			k++
		} else if discarded != nil {
			discarded[i] = true
		}
	}
	return k
}

// noneCounter counts the none lines before a position that only grows.
type noneCounter struct{ pos, none int }

// upTo returns the number of none lines in dis[:x]; x must not decrease
// from one call to the next.
func (c *noneCounter) upTo(dis []uint8, x int) int {
	for ; c.pos < x; c.pos++ {
		if dis[c.pos] == labelNone {
			c.none++
		}
	}
	return c.none
}

// bogosqrt is git's xdl_bogosqrt: 2 to the number of base-4 digits of n.
func bogosqrt(n int) int {
	r := 1
	for ; n > 0; n >>= 2 {
		r <<= 1
	}
	return r
}

// countLines returns the number of git records in b: one per '\n', plus a
// final line without one.
func countLines(b []byte) int {
	n := bytes.Count(b, nl)
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// commonPrefixLen returns the length of the longest common prefix of a and b.
func commonPrefixLen(a, b []byte) int {
	n := min(len(a), len(b))
	a, b = a[:n], b[:n]
	i := 0
	// Compare in chunks so that the common case runs at memcmp speed.
	const chunk = 256
	for i+chunk <= n && bytes.Equal(a[i:i+chunk], b[i:i+chunk]) {
		i += chunk
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffixLen returns the length of the longest common suffix of a and b.
func commonSuffixLen(a, b []byte) int {
	n := min(len(a), len(b))
	a, b = a[len(a)-n:], b[len(b)-n:]
	i := 0
	const chunk = 256
	for i+chunk <= n && bytes.Equal(a[n-i-chunk:n-i], b[n-i-chunk:n-i]) {
		i += chunk
	}
	for i < n && a[n-1-i] == b[n-1-i] {
		i++
	}
	return i
}

// scratchBoundLines is the arena bytes count needs at most for files of
// lines1 and lines2 lines: the kept classes, then the larger of the
// classification tables and Myers' arrays, which reuse their memory.
func scratchBoundLines(lines1, lines2 int) int {
	l := lines1 + lines2
	const pad = 8 // alignment padding per allocation, at most
	kept := 4*l + 2*pad
	tables := 8*tableSlots(l) + 4*perClass*l + l + 3*pad
	myers := 4*(2*(l+3)+2) + 20*(min(lines1, lines2)+1) + 2*pad
	return kept + max(tables, myers)
}
