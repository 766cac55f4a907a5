package diff

import (
	"math"

	"github.com/gitwalk/gitwalk/arena"
)

// Constants of git's xdiffi.c that change counts.
const (
	maxCostMin  = 256 // XDL_MAX_COST_MIN: the cost cutoff is never below this
	heurMinCost = 256 // XDL_HEUR_MIN_COST: the snake heuristic waits for this cost
	snakeCnt    = 20  // XDL_SNAKE_CNT: a snake longer than this is "interesting"
	kHeur       = 4   // XDL_K_HEUR: how far ahead of the cost a candidate must be
	lineMax     = math.MaxInt32
)

// myers is git's Myers diff (xdl_recs_cmp and xdl_split) over the classes of
// the kept lines, counting the lines it marks changed instead of marking
// them. V arrays and the box stack live in the arena.
type myers struct {
	ha1, ha2 []int32 // classes of the kept lines
	vf, vb   []int32 // furthest x per diagonal k, at index k+base
	base     int
	mxcost   int
	stack    []int32 // pending boxes: off1, lim1, off2, lim2, need_min

	deleted, added int
	chg1, chg2     []bool // per kept line, when tracing
	ends           [4]int // splits ended by: overlap, forward snake, backward snake, cutoff
	steps          int64  // diagonals visited plus snake lines followed: the work done
}

// Indexes of myers.ends.
const (
	endOverlap = iota
	endSnakeForward
	endSnakeBackward
	endCutoff
)

func newMyers(a *arena.Arena, ha1, ha2 []int32) (myers, error) {
	ndiags := len(ha1) + len(ha2) + 3
	v, err := arena.MakeUninit[int32](a, 2*ndiags+2)
	if err != nil {
		return myers{}, err
	}
	stack, err := arena.MakeUninit[int32](a, 5*(min(len(ha1), len(ha2))+1))
	if err != nil {
		return myers{}, err
	}
	return myers{
		ha1: ha1, ha2: ha2,
		vf: v[:ndiags], vb: v[ndiags:],
		base:   len(ha2) + 1,
		mxcost: max(bogosqrt(ndiags), maxCostMin),
		stack:  stack[:0],
	}, nil
}

// run diffs the whole kept sequences. Boxes are independent (every V entry a
// split reads was written by that split), so a stack replaces git's
// recursion; only boxes non-empty on both sides are pushed, and those are
// disjoint, so the stack holds at most min(len(ha1), len(ha2)) of them.
func (d *myers) run(minimal bool) {
	d.push(0, len(d.ha1), 0, len(d.ha2), minimal)
	for len(d.stack) > 0 {
		n := len(d.stack) - 5
		s := d.stack[n:]
		off1, lim1, off2, lim2, needMin := int(s[0]), int(s[1]), int(s[2]), int(s[3]), s[4] != 0
		d.stack = d.stack[:n]

		// Shrink the box by its equal head and tail.
		ha1, ha2 := d.ha1, d.ha2
		for off1 < lim1 && off2 < lim2 && ha1[off1] == ha2[off2] {
			off1++
			off2++
		}
		for off1 < lim1 && off2 < lim2 && ha1[lim1-1] == ha2[lim2-1] {
			lim1--
			lim2--
		}
		if off1 == lim1 || off2 == lim2 {
			d.change(off1, lim1, off2, lim2)
			continue
		}
		x, y, minLo, minHi, end := d.split(off1, lim1, off2, lim2, needMin)
		d.ends[end]++
		d.push(x, lim1, y, lim2, minHi)
		d.push(off1, x, off2, y, minLo)
	}
}

// push queues a box, or counts it at once if a side is empty: then every
// line of the other side is changed.
func (d *myers) push(off1, lim1, off2, lim2 int, needMin bool) {
	if off1 == lim1 || off2 == lim2 {
		d.change(off1, lim1, off2, lim2)
		return
	}
	m := int32(0)
	if needMin {
		m = 1
	}
	d.stack = append(d.stack, int32(off1), int32(lim1), int32(off2), int32(lim2), m)
}

// change marks lines [off1, lim1) of old and [off2, lim2) of new changed.
func (d *myers) change(off1, lim1, off2, lim2 int) {
	d.deleted += lim1 - off1
	d.added += lim2 - off2
	if d.chg1 != nil {
		for i := off1; i < lim1; i++ {
			d.chg1[i] = true
		}
		for i := off2; i < lim2; i++ {
			d.chg2[i] = true
		}
	}
}

// split is git's xdl_split: it walks diagonals k = x-y forward from
// (off1, off2) and backward from (lim1, lim2) until the paths meet, and
// returns that point with both halves to be solved minimally. Unless
// needMin, it gives up early: with the snake heuristic once the cost passes
// heurMinCost, and at the cost cutoff mxcost with the furthest-reaching
// point. The half on the heuristic's side of such a point is minimal, the
// other is not.
func (d *myers) split(off1, lim1, off2, lim2 int, needMin bool) (x, y int, minLo, minHi bool, end int) {
	ha1, ha2 := d.ha1, d.ha2
	vf, vb, b := d.vf, d.vb, d.base
	dmin, dmax := off1-lim2, lim1-off2
	fmid, bmid := off1-off2, lim1-lim2
	odd := (fmid-bmid)&1 != 0
	fmin, fmax := fmid, fmid
	bmin, bmax := bmid, bmid
	vf[fmid+b] = int32(off1)
	vb[bmid+b] = int32(lim1)

	for ec := 1; ; ec++ {
		gotSnake := false

		// Widen the forward diagonal range by one each side, or narrow it
		// where it would leave the box; -1 just outside stops reads there.
		if fmin > dmin {
			fmin--
			vf[fmin-1+b] = -1
		} else {
			fmin++
		}
		if fmax < dmax {
			fmax++
			vf[fmax+1+b] = -1
		} else {
			fmax--
		}
		for k := fmax; k >= fmin; k -= 2 {
			var i1 int
			if lo, hi := vf[k-1+b], vf[k+1+b]; lo >= hi {
				i1 = int(lo) + 1
			} else {
				i1 = int(hi)
			}
			prev := i1
			i2 := i1 - k
			for i1 < lim1 && i2 < lim2 && ha1[i1] == ha2[i2] {
				i1++
				i2++
			}
			d.steps += int64(i1-prev) + 1
			if i1-prev > snakeCnt {
				gotSnake = true
			}
			vf[k+b] = int32(i1)
			if odd && bmin <= k && k <= bmax && int(vb[k+b]) <= i1 {
				return i1, i2, true, true, endOverlap
			}
		}

		if bmin > dmin {
			bmin--
			vb[bmin-1+b] = lineMax
		} else {
			bmin++
		}
		if bmax < dmax {
			bmax++
			vb[bmax+1+b] = lineMax
		} else {
			bmax--
		}
		for k := bmax; k >= bmin; k -= 2 {
			var i1 int
			if lo, hi := vb[k-1+b], vb[k+1+b]; lo < hi {
				i1 = int(lo)
			} else {
				i1 = int(hi) - 1
			}
			prev := i1
			i2 := i1 - k
			for i1 > off1 && i2 > off2 && ha1[i1-1] == ha2[i2-1] {
				i1--
				i2--
			}
			d.steps += int64(prev-i1) + 1
			if prev-i1 > snakeCnt {
				gotSnake = true
			}
			vb[k+b] = int32(i1)
			if !odd && fmin <= k && k <= fmax && i1 <= int(vf[k+b]) {
				return i1, i2, true, true, endOverlap
			}
		}

		if needMin {
			continue
		}

		// Snake heuristic: past heurMinCost, a diagonal that got well ahead
		// of the cost and ends in a snake of snakeCnt equal lines is taken.
		if gotSnake && ec > heurMinCost {
			best := 0
			for k := fmax; k >= fmin; k -= 2 {
				dd := k - fmid
				if dd < 0 {
					dd = -dd
				}
				i1 := int(vf[k+b])
				i2 := i1 - k
				v := (i1 - off1) + (i2 - off2) - dd
				if v > kHeur*ec && v > best &&
					off1+snakeCnt <= i1 && i1 < lim1 &&
					off2+snakeCnt <= i2 && i2 < lim2 && snakeBefore(ha1, ha2, i1, i2) {
					best, x, y = v, i1, i2
				}
			}
			if best > 0 {
				return x, y, true, false, endSnakeForward
			}
			for k := bmax; k >= bmin; k -= 2 {
				dd := k - bmid
				if dd < 0 {
					dd = -dd
				}
				i1 := int(vb[k+b])
				i2 := i1 - k
				v := (lim1 - i1) + (lim2 - i2) - dd
				if v > kHeur*ec && v > best &&
					off1 < i1 && i1 <= lim1-snakeCnt &&
					off2 < i2 && i2 <= lim2-snakeCnt && snakeAfter(ha1, ha2, i1, i2) {
					best, x, y = v, i1, i2
				}
			}
			if best > 0 {
				return x, y, false, true, endSnakeBackward
			}
		}

		// Cost cutoff: take the furthest-reaching point, forward only if it
		// got strictly further than the backward one.
		if ec >= d.mxcost {
			fbest, fbest1 := -1, -1
			for k := fmax; k >= fmin; k -= 2 {
				i1 := min(int(vf[k+b]), lim1)
				i2 := i1 - k
				if lim2 < i2 {
					i1, i2 = lim2+k, lim2
				}
				if fbest < i1+i2 {
					fbest, fbest1 = i1+i2, i1
				}
			}
			bbest, bbest1 := lineMax, lineMax
			for k := bmax; k >= bmin; k -= 2 {
				i1 := max(off1, int(vb[k+b]))
				i2 := i1 - k
				if i2 < off2 {
					i1, i2 = off2+k, off2
				}
				if i1+i2 < bbest {
					bbest, bbest1 = i1+i2, i1
				}
			}
			if (lim1+lim2)-bbest < fbest-(off1+off2) {
				return fbest1, fbest - fbest1, true, false, endCutoff
			}
			return bbest1, bbest - bbest1, false, true, endCutoff
		}
	}
}

// snakeBefore reports whether the snakeCnt line pairs just before (i1, i2)
// are equal.
func snakeBefore(ha1, ha2 []int32, i1, i2 int) bool {
	for k := 1; k <= snakeCnt; k++ {
		if ha1[i1-k] != ha2[i2-k] {
			return false
		}
	}
	return true
}

// snakeAfter reports whether the snakeCnt line pairs starting at (i1, i2)
// are equal.
func snakeAfter(ha1, ha2 []int32, i1, i2 int) bool {
	for k := 0; k < snakeCnt; k++ {
		if ha1[i1+k] != ha2[i2+k] {
			return false
		}
	}
	return true
}
