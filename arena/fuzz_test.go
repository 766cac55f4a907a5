package arena

import (
	"errors"
	"testing"
)

// FuzzArenaOps runs sequences of Alloc, Mark, RewindTo, Reset and Grow
// against a model: a cursor computed by hand from the backing's address, a
// stack of live allocations, and the peaks. Each allocation is filled with
// its own byte, so an overlap shows up as a changed byte.
//
// The input is a skew byte (where the backing starts modulo 128), then
// three bytes per operation.
func FuzzArenaOps(f *testing.F) {
	f.Add([]byte{3, 0, 10, 3, 1, 0, 0, 0, 20, 2, 2, 0, 0, 3, 0, 0})
	f.Add([]byte{0, 0, 255, 0, 0, 255, 1, 4, 9, 9})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		const size = 512
		h := newOffsetHeap(size, int(in[0]%128))
		a := New(h)
		base := addr(h.b)
		m := model{}
		for ops := in[1:]; len(ops) >= 3; ops = ops[3:] {
			op, x, y := ops[0]%5, int(ops[1]), int(ops[2])
			switch op {
			case 0: // Alloc
				n, align := x*2, 1<<(y%8)
				start := m.off + int(-(base+uintptr(m.off))&uintptr(align-1))
				b, err := a.Alloc(n, align)
				if start+n > size {
					if !errors.Is(err, ErrExhausted) {
						t.Fatalf("Alloc(%d, %d) at %d = %v, want ErrExhausted", n, align, m.off, err)
					}
					break
				}
				if err != nil || len(b) != n || (n > 0 && addr(b) != base+uintptr(start)) {
					t.Fatalf("Alloc(%d, %d) at %d: %v, %d bytes at offset %d; want offset %d",
						n, align, m.off, err, len(b), addr(b)-base, start)
				}
				m.add(b, start)
			case 1: // Mark
				m.marks = append(m.marks, modelMark{a.Mark(), m.off, len(m.live)})
			case 2: // RewindTo
				if len(m.marks) == 0 {
					break
				}
				k := x % len(m.marks)
				mk := m.marks[k]
				a.RewindTo(mk.mark)
				m.marks = m.marks[:k+1]
				m.live = m.live[:mk.live]
				m.off = mk.off
				if n := len(m.live); n > 0 && m.live[n-1].start+len(m.live[n-1].b) > m.off {
					// grown in place since the mark: the growth is freed too
					m.live[n-1].b = m.live[n-1].b[:m.off-m.live[n-1].start]
				}
			case 3: // Reset
				a.Reset()
				m.lifetime = max(m.lifetime, m.peak)
				m.off, m.peak, m.live, m.marks = 0, 0, nil, nil
			case 4: // Grow the most recent live allocation
				if len(m.live) == 0 {
					break
				}
				last := m.live[len(m.live)-1]
				n := y
				inPlace := len(last.b) > 0 && last.start+len(last.b) == m.off
				g, err := Grow(a, last.b, n)
				var start int
				if inPlace {
					start = last.start
				} else {
					start = m.off
				}
				if start+len(last.b)+n > size {
					if !errors.Is(err, ErrExhausted) {
						t.Fatalf("Grow(%d by %d) = %v, want ErrExhausted", len(last.b), n, err)
					}
					break
				}
				if err != nil || len(g) != len(last.b)+n || (len(g) > 0 && addr(g) != base+uintptr(start)) {
					t.Fatalf("Grow(%d by %d): %v, %d bytes at %d; want offset %d (in place: %v)",
						len(last.b), n, err, len(g), addr(g)-base, start, inPlace)
				}
				for i, v := range g[:len(last.b)] {
					if v != last.fill {
						t.Fatalf("Grow lost byte %d: %#x, want %#x", i, v, last.fill)
					}
				}
				if inPlace {
					m.live = m.live[:len(m.live)-1]
				}
				m.add(g, start)
			}
			m.check(t, a)
		}
	})
}

type modelAlloc struct {
	b     []byte
	start int
	fill  byte
}

type modelMark struct {
	mark Mark
	off  int
	live int
}

type model struct {
	off, peak, lifetime int
	live                []modelAlloc
	marks               []modelMark
	fills               byte
}

// add records an allocation at start and fills it with a new byte.
func (m *model) add(b []byte, start int) {
	m.fills++
	for i := range b {
		b[i] = m.fills
	}
	m.live = append(m.live, modelAlloc{b, start, m.fills})
	m.off = start + len(b)
	m.peak = max(m.peak, m.off)
}

func (m *model) check(t *testing.T, a *Arena) {
	t.Helper()
	if a.Len() != m.off || a.Remaining() != a.Cap()-m.off || a.Peak() != m.peak ||
		a.LifetimePeak() != max(m.lifetime, m.peak) {
		t.Fatalf("arena Len %d Peak %d LifetimePeak %d; model off %d peak %d lifetime %d",
			a.Len(), a.Peak(), a.LifetimePeak(), m.off, m.peak, max(m.lifetime, m.peak))
	}
	for i, l := range m.live {
		for _, v := range l.b {
			if v != l.fill {
				t.Fatalf("live allocation %d (offset %d, %d bytes) was overwritten", i, l.start, len(l.b))
			}
		}
	}
}
