package renames

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
)

// MaxScore is git's similarity scale (diffcore.h MAX_SCORE): a pair scores
// from 0 to MaxScore, and MaxScore means identical content.
const MaxScore = 60000

// DefaultScore is the minimum score when none is given (git's
// DEFAULT_RENAME_SCORE, 50%).
const DefaultScore = 30000

// DefaultLimit is the default of diff.renameLimit (and -l) since git 2.33.
const DefaultLimit = 1000

// NoLimit as Options.Limit turns the rename limit off, as git's -l0 (or any
// limit ≤ 0) does.
const NoLimit = -1

// candidatesPerDst is how many candidates each destination keeps in the full
// comparison (NUM_CANDIDATE_PER_DST in diffcore-rename.c).
const candidatesPerDst = 4

// exactCandidates is how many identical sources a destination looks at
// before it settles for the best so far (find_identical_files).
const exactCandidates = 100

// emptyBlob is the id of the empty blob, which --no-rename-empty leaves out.
var emptyBlob = odb.ID{0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b,
	0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2, 0xe4, 0x8c, 0x53, 0x91}

// Binary is what a file's attributes say about it being binary, which
// decides whether the similarity estimate skips the CR of a CRLF.
type Binary uint8

// The answers the attributes can give (git's diff driver: the `binary`
// macro or `-diff` say yes, diff.<driver>.binary says yes or no).
const (
	BinaryAuto Binary = iota // no attribute: binary iff a NUL is in the first 8000 bytes
	BinaryYes                // binary whatever the content
	BinaryNo                 // text whatever the content
)

// File is one side of a candidate pair: a deleted (or, for copies,
// modified) file as a source, an added file as a destination.
type File struct {
	Path   string
	Mode   uint32 // canonical tree mode (odb.CanonicalMode)
	ID     odb.ID // the blob (or, for a gitlink, commit) id
	Binary Binary // what the attributes of Path say, for the estimate
	// Kept marks a source that still exists after the commit: a modified
	// file offered as a copy source. It is used only when Options.Copies
	// or Options.CopiesHarder is set, and its pairs are always copies.
	Kept bool
	// Unmodified marks a kept source that did not change in the commit,
	// which git offers only under -C -C (Options.CopiesHarder); it
	// implies Kept.
	Unmodified bool
}

// Options are the knobs of git's rename detection.
type Options struct {
	// MinScore is the minimum similarity on the 0..MaxScore scale (see
	// ParseScore for -M<n>); 0 means DefaultScore and MaxScore means exact
	// renames only.
	MinScore int
	// Limit is diff.renameLimit or -l<n>: when the remaining sources times
	// the remaining destinations exceed Limit², the full comparison is
	// skipped. 0 means DefaultLimit; NoLimit (any negative value) means no
	// limit. A caller holding git's value maps a value ≤ 0 to NoLimit.
	Limit int
	// Copies is -C (or diff.renames=copies): sources marked Kept are
	// used too, a source may pair more than once, and the basename step
	// is skipped.
	Copies bool
	// CopiesHarder is -C -C (or --find-copies-harder): Copies, with
	// unmodified files too as sources. Over the rename limit, the full
	// comparison still runs without them if that brings it under the
	// limit (Result.Degraded).
	CopiesHarder bool
	// NoRenameEmpty is --no-rename-empty: empty blobs are neither sources
	// nor destinations. By default they pair, exactly only.
	NoRenameEmpty bool
}

// Blobs gives the sizes and contents of blobs. Detect asks for a size
// before a content, and for either only when the estimate needs it.
type Blobs interface {
	// Size returns the size of blob id in bytes.
	Size(id odb.ID) (int64, error)
	// Read returns the content of blob id, placed in a when it fits (the
	// detector frees it again right after use).
	Read(id odb.ID, a *arena.Arena) ([]byte, error)
}

// ErrUnavailable, wrapped in an error of a Blobs method, says the blob
// cannot be had but detection should go on without it (a partial clone's
// missing blob, passed over as `git rev-list --missing` allows): the file
// still pairs exactly, by its id, and every similarity estimate with it
// scores 0.
var ErrUnavailable = errors.New("blob unavailable")

// Pair is one rename or copy found by Detect.
type Pair struct {
	Src, Dst int32 // indexes into the src and dst slices given to Detect
	Score    int32 // similarity, 0..MaxScore; MaxScore for an exact rename
	// Copy reports a copy (git's status C): the source was kept, or this
	// is not the last of several uses of one deleted source in
	// destination order (that last one is the rename, R).
	Copy bool
}

// Percent returns the score as the percentage git prints (R089): rounded
// down.
func (p Pair) Percent() int { return int(float64(p.Score) * 100 / MaxScore) }

// Result is what one Detect call found. Its slices are in the arena given
// to Detect: valid until that arena is reset, rewound before the call, or
// given back.
type Result struct {
	// Pairs holds the pairs in destination order.
	Pairs []Pair
	// NeededLimit is max(sources, destinations) when the rename limit made
	// Detect skip the full comparison (or, if Degraded, leave unmodified
	// sources out of it), else 0. `git log` keeps the largest over all
	// commits and warns at the end: see LimitWarning.
	NeededLimit int
	// Degraded reports that under CopiesHarder the limit was exceeded
	// and the full comparison ran without the unmodified sources.
	Degraded bool
	// HeapBytes counts the bytes Detect put on the Go heap because the
	// arena was full (0 when the arena was large enough).
	HeapBytes int

	srcUses []int32 // per source: how many pairs use it
	dstPair []int32 // per destination: its index in Pairs, or -1
}

// ForDest returns the pair whose destination is dst (an index into the dst
// slice given to Detect), if there is one. Git prints a paired destination
// as the rename or copy, in the destination's place among the rows.
func (r *Result) ForDest(dst int) (Pair, bool) {
	if dst < 0 || dst >= len(r.dstPair) || r.dstPair[dst] < 0 {
		return Pair{}, false
	}
	return r.Pairs[r.dstPair[dst]], true
}

// SourceUsed reports whether some pair uses source src. Git drops the row
// of a deleted source that is used (its rename takes the destination's
// place); a kept source's own row stays.
func (r *Result) SourceUsed(src int) bool {
	return src >= 0 && src < len(r.srcUses) && r.srcUses[src] > 0
}

// fileState is what a detection learns about one file, in arena memory.
type fileState struct {
	size   int64 // -1 until asked; sizeUnavailable when Blobs said ErrUnavailable
	sigOff int32 // start of the file's signature in Detector.sigs; -1 until computed
	sigLen int32
}

// candidate is one (source, destination) comparison kept for the greedy
// pairing (diffcore-rename.c struct diff_score). dst < 0 marks an empty
// slot.
type candidate struct {
	src, dst int32
	score    int32
	name     int32 // 1 if the basenames are equal
}

// Detector finds renames and copies commit after commit, keeping scratch
// memory between calls so that a detection allocates on the Go heap only
// when a table grows past its earlier size. It is not safe for concurrent
// use: give each worker its own.
type Detector struct {
	blobs Blobs
	opt   Options

	counts  []uint32 // per chunk hash, the bytes counted; all zero between signatures
	touched []uint32 // the chunk hashes with a count, for one file

	// Set for one Detect call only (cleared when it returns).
	a         *arena.Arena
	src, dst  []File
	srcSt     []fileState
	dstSt     []fileState
	srcUses   []int32 // git's rename_used: pairs using the source, plus 1 if kept
	dstPair   []int32 // the source paired with the destination, or -1
	dstScore  []int32
	sigs      []sigEntry
	sigsHeap  bool // sigs moved to the Go heap when the arena was full
	heapBytes int
}

// New returns a detector that reads blobs through blobs with options opt.
func New(blobs Blobs, opt Options) *Detector {
	return &Detector{blobs: blobs, opt: opt}
}

// Detect pairs sources src (deleted files, and with Options.Copies the
// modified files marked Kept) with destinations dst (added files) as git
// does, both given in the order of the commit's tree diff (path order).
// Its working memory and its Result are in a (what does not fit goes to
// the Go heap, counted in Result.HeapBytes); blob contents are read into a
// and freed again. An error comes only from reading a blob.
func (d *Detector) Detect(a *arena.Arena, src, dst []File) (Result, error) {
	d.a, d.src, d.dst = a, src, dst
	defer d.release()
	res, err := d.detect()
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// scratch returns n values of T from the call's arena, not zeroed; when the
// arena is full, it returns them from the Go heap instead and counts their
// bytes in Result.HeapBytes, so that a commit larger than the arena is
// slower but still detected.
func scratch[T any](d *Detector, n int) []T {
	s, err := arena.MakeUninit[T](d.a, n)
	if err != nil {
		d.heapBytes += n * int(reflect.TypeFor[T]().Size())
		return make([]T, n)
	}
	return s
}

// release forgets the call's arena memory, which the detector must not
// keep past the call.
func (d *Detector) release() {
	d.a, d.src, d.dst = nil, nil, nil
	d.srcSt, d.dstSt, d.srcUses, d.dstPair, d.dstScore, d.sigs = nil, nil, nil, nil, nil, nil
	d.sigsHeap = false
}

func (d *Detector) copies() bool { return d.opt.Copies || d.opt.CopiesHarder }

func (d *Detector) minScore() int {
	switch m := d.opt.MinScore; {
	case m <= 0:
		return DefaultScore
	case m > MaxScore:
		return MaxScore
	default:
		return m
	}
}

func (d *Detector) detect() (Result, error) {
	var res Result
	d.setup()
	// The candidates (rename_src, rename_dst): indexes into src and dst.
	srcs := scratch[int32](d, len(d.src))[:0]
	dsts := scratch[int32](d, len(d.dst))[:0]
	for i := range d.src {
		f := &d.src[i]
		if d.opt.NoRenameEmpty && f.ID == emptyBlob {
			continue
		}
		if f.Unmodified && !d.opt.CopiesHarder {
			continue
		}
		if f.Kept || f.Unmodified {
			if !d.copies() {
				continue
			}
			d.srcUses[i] = 1 // the file itself stays: every pair from it is a copy
		}
		srcs = append(srcs, int32(i)) // in place: cap is len(d.src)
	}
	for j := range d.dst {
		if d.opt.NoRenameEmpty && d.dst[j].ID == emptyBlob {
			continue
		}
		dsts = append(dsts, int32(j))
	}
	if len(srcs) > 0 && len(dsts) > 0 {
		if err := d.pair(&res, srcs, dsts); err != nil {
			return res, err
		}
	}
	d.collect(&res)
	return res, nil
}

// setup allocates the per-file state of one call.
func (d *Detector) setup() {
	d.heapBytes = 0
	d.srcSt = scratch[fileState](d, len(d.src))
	d.dstSt = scratch[fileState](d, len(d.dst))
	for _, st := range [][]fileState{d.srcSt, d.dstSt} {
		for i := range st {
			st[i] = fileState{size: -1, sigOff: -1}
		}
	}
	d.srcUses = scratch[int32](d, len(d.src))
	clear(d.srcUses)
	d.dstPair = scratch[int32](d, len(d.dst))
	for j := range d.dstPair {
		d.dstPair[j] = -1
	}
	d.dstScore = scratch[int32](d, len(d.dst))
	clear(d.dstScore)
}

// pair runs git's steps (diffcore_rename_extended) on the candidates.
func (d *Detector) pair(res *Result, srcs, dsts []int32) error {
	d.exact(srcs, dsts)
	minScore := d.minScore()
	if minScore == MaxScore {
		return nil // -M100%: exact renames only
	}
	if !d.copies() {
		// A source is renamed at most once: those used by exact renames
		// are out (remove_unneeded_paths_from_src).
		srcs = d.unused(srcs)
		// The basename step needs its pairs to reach halfway from the
		// minimum to identical (find_basename_matches' default factor).
		minBase := minScore + int(0.5*float64(MaxScore-minScore))
		if err := d.basenames(srcs, dsts, minBase); err != nil {
			return err
		}
		srcs = d.unused(srcs)
	}
	left := 0
	for _, j := range dsts {
		if d.dstPair[j] < 0 {
			left++
		}
	}
	if left == 0 || len(srcs) == 0 {
		return nil
	}
	limit := d.opt.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	// too_many_rename_candidates: the matrix may not outgrow limit². (A
	// limit past 2³² cannot be reached, and its square would overflow.)
	if limit > 0 && limit < 1<<32 && uint64(left)*uint64(len(srcs)) > uint64(limit)*uint64(limit) {
		res.NeededLimit = max(left, len(srcs))
		if !d.opt.CopiesHarder {
			return nil
		}
		// Under -C -C, try without the unmodified sources, as -C would.
		srcs = slices.DeleteFunc(srcs, func(i int32) bool { return d.src[i].Unmodified })
		if uint64(left)*uint64(len(srcs)) > uint64(limit)*uint64(limit) {
			return nil
		}
		res.Degraded = true
	}
	return d.matrix(srcs, dsts, left, minScore)
}

// unused removes the sources already paired from srcs, in place.
func (d *Detector) unused(srcs []int32) []int32 {
	return slices.DeleteFunc(srcs, func(i int32) bool { return d.srcUses[i] > 0 })
}

// record pairs source i with destination j (record_rename_pair).
func (d *Detector) record(i, j int32, score int) {
	d.srcUses[i]++
	d.dstPair[j] = i
	d.dstScore[j] = int32(score)
}

// exact pairs destinations with sources of the same blob id
// (find_exact_renames): a hash join on the id, so a commit moving many
// files stays linear. Destinations choose in path order, each taking the
// first eligible source in path order, preferring an unused one and then
// one with the same basename.
func (d *Detector) exact(srcs, dsts []int32) {
	size := 8
	for size < 2*len(srcs) {
		size <<= 1
	}
	mask := uint32(size - 1)
	head := scratch[int32](d, size) // per id: the first candidate (position in srcs)
	for i := range head {
		head[i] = -1
	}
	next := scratch[int32](d, len(srcs)) // the next candidate with the same id
	slot := func(id *odb.ID) uint32 {
		h := binary.LittleEndian.Uint32(id[:4]) & mask // ids are uniform: their bytes are a hash
		for head[h] >= 0 && d.src[srcs[head[h]]].ID != *id {
			h = (h + 1) & mask
		}
		return h
	}
	// Inserted last first, so that each chain runs in path order.
	for k := len(srcs) - 1; k >= 0; k-- {
		h := slot(&d.src[srcs[k]].ID)
		next[k] = head[h]
		head[h] = int32(k)
	}
	for _, j := range dsts {
		t := &d.dst[j]
		best, bestScore, budget := int32(-1), -1, exactCandidates
		for k := head[slot(&t.ID)]; k >= 0; k = next[k] {
			i := srcs[k]
			s := &d.src[i]
			// A symlink or gitlink pairs only with its own kind; 100644
			// and 100755 pair with each other.
			if (!odb.IsRegular(s.Mode) || !odb.IsRegular(t.Mode)) && s.Mode != t.Mode {
				continue
			}
			used := d.srcUses[i] > 0
			if used && !d.copies() {
				continue
			}
			score := 0
			if !used {
				score++
			}
			if sameBasename(s.Path, t.Path) {
				score++
			}
			if score > bestScore {
				best, bestScore = i, score
				if score == 2 {
					break
				}
			}
			if budget--; budget == 0 {
				break
			}
		}
		if best >= 0 {
			d.record(best, j, MaxScore)
		}
	}
}

// basenames pairs a source with a destination when their basename is
// unique among the remaining sources and among the unpaired destinations,
// and they score at least minBase (find_basename_matches). It runs before
// the full comparison, so it may pick a worse pair than that would.
func (d *Detector) basenames(srcs, dsts []int32, minBase int) error {
	bs := scratch[int32](d, len(srcs))
	copy(bs, srcs)
	bd := scratch[int32](d, len(dsts))[:0]
	for _, j := range dsts {
		if d.dstPair[j] < 0 {
			bd = append(bd, j)
		}
	}
	bySrcBase := func(x, y int32) int { return strings.Compare(basename(d.src[x].Path), basename(d.src[y].Path)) }
	byDstBase := func(x, y int32) int { return strings.Compare(basename(d.dst[x].Path), basename(d.dst[y].Path)) }
	slices.SortFunc(bs, bySrcBase)
	slices.SortFunc(bd, byDstBase)
	for k, i := range bs {
		base := basename(d.src[i].Path)
		if (k > 0 && basename(d.src[bs[k-1]].Path) == base) ||
			(k+1 < len(bs) && basename(d.src[bs[k+1]].Path) == base) {
			continue // not unique among the sources
		}
		n, found := slices.BinarySearchFunc(bd, base, func(j int32, b string) int {
			return strings.Compare(basename(d.dst[j].Path), b)
		})
		if !found || (n+1 < len(bd) && basename(d.dst[bd[n+1]].Path) == base) {
			continue // no destination with it, or more than one
		}
		j := bd[n]
		score, err := d.estimate(i, j, minBase)
		if err != nil {
			return err
		}
		if score >= minBase {
			d.record(i, j, score)
		}
	}
	return nil
}

// matrix compares each unpaired destination with each remaining source,
// keeps the best candidatesPerDst per destination, and pairs greedily by
// score (the end of diffcore_rename_extended, find_renames).
func (d *Detector) matrix(srcs, dsts []int32, left, minScore int) error {
	mx := scratch[candidate](d, left*candidatesPerDst)
	row := 0
	for _, j := range dsts {
		if d.dstPair[j] >= 0 {
			continue
		}
		m := mx[row*candidatesPerDst : (row+1)*candidatesPerDst]
		row++
		for k := range m {
			m[k] = candidate{dst: -1}
		}
		for _, i := range srcs {
			score, err := d.estimate(i, j, minScore)
			if err != nil {
				return err
			}
			c := candidate{src: i, dst: j, score: int32(score)}
			if sameBasename(d.src[i].Path, d.dst[j].Path) {
				c.name = 1
			}
			recordIfBetter(m, c)
		}
	}
	// A stable sort, as git's STABLE_QSORT: equal candidates stay in
	// destination order, then slot order.
	slices.SortStableFunc(mx, compareCandidates)
	d.greedy(mx, minScore, false)
	if d.copies() {
		d.greedy(mx, minScore, true) // then sources may be used again
	}
	return nil
}

// greedy pairs the sorted candidates from the best down to the minimum,
// skipping paired destinations and, unless reuse, used sources.
func (d *Detector) greedy(mx []candidate, minScore int, reuse bool) {
	for _, c := range mx {
		if c.dst < 0 || int(c.score) < minScore {
			return
		}
		if d.dstPair[c.dst] >= 0 || (!reuse && d.srcUses[c.src] > 0) {
			continue
		}
		d.record(c.src, c.dst, int(c.score))
	}
}

// compareCandidates orders candidates best first: by score, then with
// equal basenames first; empty slots last (score_compare).
func compareCandidates(a, b candidate) int {
	switch {
	case a.dst < 0 && b.dst < 0:
		return 0
	case a.dst < 0:
		return 1
	case b.dst < 0:
		return -1
	case a.score != b.score:
		return int(b.score - a.score)
	}
	return int(b.name - a.name)
}

// recordIfBetter puts c in the slots m if it beats the worst of them:
// slots fill in order, then the worst (the lowest-numbered of equal
// worsts) is replaced by a strictly better candidate (record_if_better).
func recordIfBetter(m []candidate, c candidate) {
	worst := 0
	for k := 1; k < len(m); k++ {
		if compareCandidates(m[k], m[worst]) > 0 {
			worst = k
		}
	}
	if compareCandidates(m[worst], c) > 0 {
		m[worst] = c
	}
}

// collect turns the pairing into the Result: pairs in destination order,
// each marked a copy unless it is the last use of a deleted source
// (diff_resolve_rename_copy).
func (d *Detector) collect(res *Result) {
	n := 0
	for _, i := range d.dstPair {
		if i >= 0 {
			n++
		}
	}
	pairs := scratch[Pair](d, n)
	// Walked backwards, the first use of a deleted source met is its last
	// in destination order: the rename. srcUses counts down to tell.
	k := n
	for j := len(d.dstPair) - 1; j >= 0; j-- {
		i := d.dstPair[j]
		if i < 0 {
			continue
		}
		k--
		pairs[k] = Pair{Src: i, Dst: int32(j), Score: d.dstScore[j]}
		d.dstPair[j] = int32(k)
	}
	for k := range pairs {
		p := &pairs[k]
		if s := &d.src[p.Src]; s.Kept || s.Unmodified {
			p.Copy = true
		}
	}
	seen := scratch[bool](d, len(d.src))
	clear(seen)
	for k := n - 1; k >= 0; k-- {
		p := &pairs[k]
		if !p.Copy && seen[p.Src] {
			p.Copy = true
		}
		seen[p.Src] = true
	}
	// srcUses becomes a count of pairs.
	for i := range d.src {
		if s := &d.src[i]; (s.Kept || s.Unmodified) && d.srcUses[i] > 0 {
			d.srcUses[i]-- // the file's own use
		}
	}
	res.Pairs, res.srcUses, res.dstPair = pairs, d.srcUses, d.dstPair
	res.HeapBytes = d.heapBytes
}

// basename is the part of path after its last slash.
func basename(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}

// sameBasename reports whether two paths end in the same name
// (basename_same).
func sameBasename(a, b string) bool { return basename(a) == basename(b) }

// sizeUnavailable marks a fileState whose blob is unavailable, so Blobs
// is asked once per file, not once per pair.
const sizeUnavailable = -2

// sizeOf returns the size of a source's (isSrc) or destination's blob.
func (d *Detector) sizeOf(f *File, st *fileState) (int64, error) {
	if st.size == sizeUnavailable {
		return 0, fmt.Errorf("%s (%s): %w", f.ID, f.Path, ErrUnavailable)
	}
	if st.size < 0 {
		n, err := d.blobs.Size(f.ID)
		if errors.Is(err, ErrUnavailable) {
			st.size = sizeUnavailable
		}
		if err != nil {
			return 0, fmt.Errorf("size of %s (%s): %w", f.ID, f.Path, err)
		}
		st.size = n
	}
	return st.size, nil
}
