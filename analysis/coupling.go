package analysis

import (
	"sort"

	"github.com/gitwalk/gitwalk/walker"
)

// Coupling is code-maat's logical coupling analysis: pairs of files that
// change in the same commits. For files a and b with revs(a) and revs(b)
// commits and shared commits changing both, degree = shared / mean(revs(a),
// revs(b)) * 100, truncated to an integer percent as code-maat does, and
// average-revs is the mean rounded up (code-maat's ceil). A pair is kept when
// the mean is at least MinRevs, shared at least MinShared, the unrounded
// degree at least MinCoupling and the degree at most MaxCoupling. Commits
// with more than MaxChangesetSize kept files are left out entirely (neither
// revisions nor pairs), as code-maat's --max-changeset-size. Files are those
// Filter keeps. The zero value has no thresholds at all (every pair); use
// DefaultCoupling for code-maat's defaults.
type Coupling struct {
	MinRevs, MinShared, MinCoupling int
	MaxCoupling                     int // 0: no upper bound
	MaxChangesetSize                int // 0: no commit is too large
	Filter                          PathFilter
}

// DefaultCoupling returns code-maat's defaults: min-revs 5, min-shared-revs
// 5, min-coupling 30, max-coupling 100, max-changeset-size 30.
func DefaultCoupling() Coupling {
	return Coupling{MinRevs: 5, MinShared: 5, MinCoupling: 30, MaxCoupling: 100, MaxChangesetSize: 30}
}

// NewState returns an empty *CouplingState.
func (a Coupling) NewState() State {
	return &CouplingState{opts: a, ids: map[string]int32{}}
}

// CouplingRow is one coupled pair; Entity < Coupled in byte order.
type CouplingRow struct {
	Entity, Coupled         string
	Degree                  int // percent, truncated
	AverageRevs             int // mean of the two revision counts, rounded up
	Shared                  int // commits changing both
	EntityRevs, CoupledRevs int // commits changing each
}

// CouplingState accumulates Coupling. Paths are interned to ids private to
// the state and pairs keyed by the two ids in one uint64. It is not safe for
// concurrent use: Run gives each worker its own and merges them.
type CouplingState struct {
	opts    Coupling
	ids     map[string]int32
	paths   []string // by id
	revs    []int32  // by id
	pairs   pairTable
	commits int // commits counted (with at least one kept file)
	leftOut int // commits left out for their size
	buf     []int32
}

func pairKey(a, b int32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(a)<<32 | uint64(uint32(b))
}

func (s *CouplingState) intern(p string) int32 {
	id, ok := s.ids[p]
	if !ok {
		id = int32(len(s.paths))
		s.ids[p] = id
		s.paths = append(s.paths, p)
		s.revs = append(s.revs, 0)
	}
	return id
}

// Observe adds one commit's kept files. It allocates only for a path or a
// pair it has not seen before.
func (s *CouplingState) Observe(c *walker.Commit) {
	n := 0
	for i := range c.Changes {
		if s.opts.Filter.Match(c.Changes[i].Path) {
			n++
		}
	}
	if n == 0 {
		return
	}
	if s.opts.MaxChangesetSize > 0 && n > s.opts.MaxChangesetSize {
		s.leftOut++
		return
	}
	s.commits++
	ids := s.buf[:0]
	for i := range c.Changes {
		if p := c.Changes[i].Path; s.opts.Filter.Match(p) {
			ids = append(ids, s.intern(p))
		}
	}
	for i, a := range ids {
		s.revs[a]++
		for _, b := range ids[i+1:] {
			s.pairs.add(pairKey(a, b), 1)
		}
	}
	s.buf = ids
}

// Merge adds other's counts to s, translating other's path ids into s's.
// The state with fewer pairs is added into the other's table: two
// workers' states share most of their pairs, and a table made room for
// both (it was) doubled one that held their union already, a fresh
// megabyte of go-git's merge, on the one goroutine that runs it.
func (s *CouplingState) Merge(other State) {
	o := mustBe[*CouplingState](other)
	if o.pairs.len() > s.pairs.len() {
		s.ids, o.ids = o.ids, s.ids
		s.paths, o.paths = o.paths, s.paths
		s.revs, o.revs = o.revs, s.revs
		s.pairs, o.pairs = o.pairs, s.pairs
	}
	tr := make([]int32, len(o.paths))
	for id, p := range o.paths {
		tr[id] = s.intern(p)
		s.revs[tr[id]] += o.revs[id]
	}
	for k, n := range o.pairs.all() {
		s.pairs.add(pairKey(tr[int32(k>>32)], tr[int32(uint32(k))]), n)
	}
	s.commits += o.commits
	s.leftOut += o.leftOut
	o.pairs, o.ids = pairTable{}, nil
}

// Commits returns how many commits were counted: those with at least one
// kept file and no more than MaxChangesetSize.
func (s *CouplingState) Commits() int { return s.commits }

// LeftOut returns how many commits were left out for touching more than
// MaxChangesetSize kept files.
func (s *CouplingState) LeftOut() int { return s.leftOut }

// Pairs returns how many distinct pairs changed together at least once,
// before the thresholds.
func (s *CouplingState) Pairs() int { return s.pairs.len() }

// Rows returns the pairs within the thresholds, by degree descending, then
// shared descending, then entity and coupled in byte order. The slice is
// the caller's.
func (s *CouplingState) Rows() []CouplingRow {
	o := s.opts
	var rows []CouplingRow
	for k, n := range s.pairs.all() {
		a, b := int32(k>>32), int32(uint32(k))
		shared, ra, rb := int(n), int(s.revs[a]), int(s.revs[b])
		sum := ra + rb
		// In integers: mean >= MinRevs, shared*100/mean >= MinCoupling.
		if sum < 2*o.MinRevs || shared < o.MinShared || 200*shared < o.MinCoupling*sum {
			continue
		}
		degree := 200 * shared / sum
		if o.MaxCoupling > 0 && degree > o.MaxCoupling {
			continue
		}
		pa, pb := s.paths[a], s.paths[b]
		if pb < pa {
			pa, pb, ra, rb = pb, pa, rb, ra
		}
		rows = append(rows, CouplingRow{Entity: pa, Coupled: pb, Degree: degree, AverageRevs: (sum + 1) / 2,
			Shared: shared, EntityRevs: ra, CoupledRevs: rb})
	}
	sort.Slice(rows, func(i, j int) bool {
		x, y := &rows[i], &rows[j]
		if x.Degree != y.Degree {
			return x.Degree > y.Degree
		}
		if x.Shared != y.Shared {
			return x.Shared > y.Shared
		}
		if x.Entity != y.Entity {
			return x.Entity < y.Entity
		}
		return x.Coupled < y.Coupled
	})
	return rows
}
