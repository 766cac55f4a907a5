package analysis

import "iter"

// pairTable counts pairs of path ids (pairKey) for CouplingState: an
// open-addressing hash table, probed linearly, at most half full. Go's map
// of uint64 to int32 did the same job at about twice the cost: its
// assignments and its growth were a sixth of a warm coupling run's CPU on
// go-git, most of it in the workers' Observe and the Merge after them, which
// runs on one goroutine while the other core waits.
type pairTable struct {
	slots []pairSlot // a power of two long, or empty
	n     int        // slots in use
	shift uint       // 64 - log2(len(slots))
}

// pairSlot holds key+1 (0: the slot is empty; a pairKey is never the
// largest uint64, its ids being non-negative int32s) and its count.
type pairSlot struct {
	key uint64
	n   int32
}

// minPairSlots is a new table's size: 16 KiB, the pairs of a few hundred
// commits of a few files.
const minPairSlots = 1 << 10

// slot returns the index key+1 (k) starts its probe at: Fibonacci hashing,
// the top bits of k times 2^64 divided by the golden ratio, which mixes the
// two ids' bits (each a small number in its 32-bit half) into them.
func (t *pairTable) slot(k uint64) int {
	return int((k * 0x9e3779b97f4a7c15) >> t.shift)
}

// add adds n to key's count.
func (t *pairTable) add(key uint64, n int32) {
	if 2*(t.n+1) > len(t.slots) {
		t.resize(max(minPairSlots, 2*len(t.slots)))
	}
	k := key + 1
	mask := len(t.slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == k {
			s.n += n
			return
		}
		if s.key == 0 {
			s.key, s.n = k, n
			t.n++
			return
		}
	}
}

// reserve makes room for n pairs in all, so that adding them does not
// grow the table step by step: a decoded state's pairs, which come in the
// order of the table they were kept from, then fill it front to back.
func (t *pairTable) reserve(n int) {
	size := max(minPairSlots, len(t.slots))
	for 2*n > size {
		size *= 2
	}
	if size > len(t.slots) {
		t.resize(size)
	}
}

// resize moves the pairs into a table of size slots (a power of two).
func (t *pairTable) resize(size int) {
	old := t.slots
	t.slots = make([]pairSlot, size)
	t.shift = 64
	for s := size; s > 1; s >>= 1 {
		t.shift--
	}
	mask := size - 1
	for _, s := range old {
		if s.key == 0 {
			continue
		}
		i := t.slot(s.key)
		for t.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// len returns how many distinct pairs the table counts.
func (t *pairTable) len() int { return t.n }

// all yields every pair's key and count, in no particular order.
func (t *pairTable) all() iter.Seq2[uint64, int32] {
	return func(yield func(uint64, int32) bool) {
		for _, s := range t.slots {
			if s.key != 0 && !yield(s.key-1, s.n) {
				return
			}
		}
	}
}
