package linguist

import (
	"fmt"
	"math/bits"
	"slices"
)

// maxRules bounds the rules of one ruleSet, so that the set of rules whose
// needles a path holds is a bitset on the stack (ruleBits) and a rule's
// index a byte. linguist's vendor.yml, the largest, has 168.
const maxRules = 256

// ruleBits is a set of rule indices.
type ruleBits [maxRules / 64]uint64

func (b *ruleBits) add(i uint8) { b[i/64] |= 1 << (i % 64) }

func (b *ruleBits) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

// needleMatcher finds, in one pass over a path, every rule of a ruleSet one
// of whose needles the path holds: an Aho-Corasick automaton over all the
// needles, made a deterministic one (every state has a next state for every
// byte). Testing each rule's needles with strings.Contains cost a pass per
// needle, 282 of them for the vendor rules, and was a fifth of a warm
// churn run's CPU; a path here costs a table lookup per byte.
//
// Bytes that occur in no needle share one column of the table (class 0),
// which keeps it to a column per distinct needle byte: about 2,000 states
// by 57 columns for the vendor rules, rounded up to 64 so that a row is
// found by a shift, 255 KB of 16-bit entries. (The three tables took
// 550 KB of 32-bit entries before, and touching that fresh memory was most
// of the 5 ms they took to build at a run's start.)
type needleMatcher struct {
	class [256]uint16 // a byte's column in next
	shift uint32      // a state's row is s<<shift: columns rounded up to a power of two
	// next[s<<shift+class[c]] is the state after reading c in state s: the
	// longest needle prefix that ends the text read, with hasRules set
	// when a needle ends there. State 0 is the empty prefix.
	next []uint16
	// rules[outs[s]:outs[s+1]] are the rules one of whose needles ends
	// the text read in state s (its own needle or a suffix of it).
	outs  []uint32
	rules []uint8
}

// hasRules marks, in needleMatcher.next, a state where needles end; the
// states are fewer.
const hasRules = 1 << 15

// newNeedleMatcher builds the matcher of rules' needles. It panics when
// the rules are more than maxRules (or their needles make hasRules states
// or more): the tables are generated, and the tests build every ruleSet.
func newNeedleMatcher(rules []rule) *needleMatcher {
	if len(rules) > maxRules {
		panic(fmt.Sprintf("linguist: %d rules in a set, the needle matcher holds %d: raise maxRules", len(rules), maxRules))
	}
	m := &needleMatcher{}
	classes := 1
	for _, r := range rules {
		for _, n := range r.needles {
			for i := 0; i < len(n); i++ {
				if m.class[n[i]] == 0 {
					m.class[n[i]] = uint16(classes)
					classes++
				}
			}
		}
	}
	m.shift = uint32(bits.Len(uint(classes - 1)))
	w := 1 << m.shift

	// The trie of the needles, in the table itself: next holds its edges
	// by state (an edge never leads to state 0, so 0 there means none
	// yet), own the rules whose needle ends at each state. An empty needle
	// is left out: every path holds it, and ruleSet tries its rule on
	// every path. A trie has at most one state per needle byte, and one
	// allocation of that bound spares the runs that classify paths a
	// growing table (its copies and collections were 20 ms of a run).
	bound := 1
	for _, r := range rules {
		for _, n := range r.needles {
			bound += len(n)
		}
	}
	next := make([]uint16, bound*w)
	own := make([][]uint8, 1, bound)
	// parent[s] is the state the trie's edge into s leaves, and col[s]
	// that edge's column: the fill below lays a state's edges over its
	// failure's row without scanning the row for them.
	parent := make([]uint16, 1, bound)
	col := make([]uint16, 1, bound)
	for i, r := range rules {
		for _, n := range r.needles {
			if n == "" {
				continue
			}
			s := 0
			for j := 0; j < len(n); j++ {
				e := s*w + int(m.class[n[j]])
				if next[e] == 0 {
					if len(own) >= hasRules {
						panic(fmt.Sprintf("linguist: the needles of %d rules make more than %d states", len(rules), hasRules))
					}
					next[e] = uint16(len(own))
					own = append(own, nil)
					parent = append(parent, uint16(s))
					col = append(col, m.class[n[j]])
				}
				s = int(next[e])
			}
			own[s] = appendRule(own[s], uint8(i))
		}
	}
	states := len(own)
	next = next[:states*w]

	// children[first[s]:first[s+1]] are the states s's edges lead to.
	// States were made in needle order, so a child's number is above its
	// parent's; counted by parent, they are listed in one pass.
	first := make([]uint32, states+1)
	for c := 1; c < states; c++ {
		first[parent[c]+1]++
	}
	for s := 0; s < states; s++ {
		first[s+1] += first[s]
	}
	children := make([]uint16, states)
	fill := slices.Clone(first[:states])
	for c := 1; c < states; c++ {
		children[fill[parent[c]]] = uint16(c)
		fill[parent[c]]++
	}

	// Breadth first, each state's failure (the state of its longest proper
	// suffix that is a trie state) is known before the state is reached,
	// and so is the failure's row: a state's row is its failure's, with
	// its own edges over it, and a state's rules gain its failure's. The
	// root's row is its edges, 0 (itself) elsewhere. A transition is
	// flagged as it is written: a state has rules when it has its own or
	// its failure has, and the failure's are known by then (its failure
	// was set when its parent, nearer the root, was reached).
	fail := make([]uint16, states)
	flag := make([]uint16, states) // hasRules or 0
	out := make([][]uint8, states)
	queue := make([]uint16, 1, states)
	for len(queue) > 0 {
		s := int(queue[0])
		queue = queue[1:]
		out[s] = own[s]
		if s != 0 {
			for _, r := range out[fail[s]] {
				out[s] = appendRule(out[s], r)
			}
			copy(next[s*w:(s+1)*w], next[int(fail[s])*w:(int(fail[s])+1)*w])
		}
		for _, child := range children[first[s]:first[s+1]] {
			c := int(col[child])
			if s != 0 {
				fail[child] = next[s*w+c] &^ hasRules // the failure's transition, before the edge covers it
			}
			if len(own[child]) > 0 || flag[fail[child]] != 0 {
				flag[child] = hasRules
			}
			next[s*w+c] = child | flag[child]
			queue = append(queue, child)
		}
	}
	m.next = next
	m.outs = make([]uint32, states+1)
	for s, rs := range out {
		m.rules = append(m.rules, rs...)
		m.outs[s+1] = uint32(len(m.rules))
	}
	return m
}

// appendRule adds rule r to rs unless it is there.
func appendRule(rs []uint8, r uint8) []uint8 {
	for _, x := range rs {
		if x == r {
			return rs
		}
	}
	return append(rs, r)
}

// scan adds to found every rule one of whose non-empty needles p holds.
func (m *needleMatcher) scan(p string, found *ruleBits) {
	s := uint32(0)
	for i := 0; i < len(p); i++ {
		x := m.next[s<<m.shift+uint32(m.class[p[i]])]
		s = uint32(x &^ hasRules)
		if x&hasRules != 0 { // rare: a needle ends here
			for _, r := range m.rules[m.outs[s]:m.outs[s+1]] {
				found.add(r)
			}
		}
	}
}
