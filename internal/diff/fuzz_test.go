package diff

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
)

// maxRefLines keeps the quadratic reference fast enough for fuzzing.
const maxRefLines = 1000

// checkProperties holds Count to what cannot be wrong for any input:
// --minimal equals the reference, counts stay within the line counts and
// differ by the change in line count, default Myers never beats --minimal,
// --minimal is symmetric, identical inputs give 0/0, the marks form a real
// alignment, and the arena comes back rewound.
func checkProperties(t *testing.T, a *arena.Arena, old, new []byte) {
	t.Helper()
	before := a.Len()
	def, err := Count(a, old, new, Myers)
	if err != nil {
		t.Fatalf("Count(Myers): %v", err)
	}
	min, err := Count(a, old, new, Minimal)
	if err != nil {
		t.Fatalf("Count(Minimal): %v", err)
	}
	if a.Len() != before {
		t.Fatalf("Count left %d bytes allocated in the arena", a.Len()-before)
	}
	n1, n2 := countLines(old), countLines(new)
	for _, st := range []Stat{def, min} {
		if st.Added < 0 || st.Deleted < 0 || st.Added > n2 || st.Deleted > n1 {
			t.Fatalf("counts %+v out of bounds for %d and %d lines", st, n1, n2)
		}
		if st.Added-st.Deleted != n2-n1 {
			t.Fatalf("counts %+v do not add up to the line count change %d -> %d", st, n1, n2)
		}
	}
	if def.Deleted < min.Deleted || def.Added < min.Added {
		t.Fatalf("default %+v is below --minimal %+v", def, min)
	}
	if bytes.Equal(old, new) && (def != Stat{} || min != Stat{}) {
		t.Fatalf("identical inputs give %+v and %+v", def, min)
	}
	rev, err := Count(a, new, old, Minimal)
	if err != nil {
		t.Fatal(err)
	}
	if rev != (Stat{Added: min.Deleted, Deleted: min.Added}) {
		t.Fatalf("--minimal is not symmetric: %+v forward, %+v backward", min, rev)
	}
	if n1 <= maxRefLines && n2 <= maxRefLines {
		if ref := refMinimal(old, new, refOptions{}); ref != min {
			t.Fatalf("Count(Minimal) = %+v, reference says %+v", min, ref)
		}
	}
	p := pair{"fuzz", old, new}
	checkTrace(t, p, Myers)
	checkTrace(t, p, Minimal)
}

// FuzzCount checks the properties on arbitrary bytes.
func FuzzCount(f *testing.F) {
	for _, e := range sheetExamples() {
		if len(e.old)+len(e.new) < 1<<14 {
			f.Add(e.old, e.new)
		}
	}
	a := arena.New(arena.NewHeap(8 << 20))
	f.Fuzz(func(t *testing.T, old, new []byte) {
		if len(old) > 1<<15 || len(new) > 1<<15 {
			t.Skip("larger than the fuzz arena is sized for")
		}
		checkProperties(t, a, old, new)
	})
}

// alphabetLines turns each byte of b into a line: a letter from an alphabet
// of k, with a CR before the newline for bytes from 128. If noFinal, the last
// line has no newline.
func alphabetLines(b []byte, k uint8, noFinal bool) []byte {
	k = k%8 + 1
	var out []byte
	for i, c := range b {
		out = append(out, 'a'+c%k)
		if c >= 128 {
			out = append(out, '\r')
		}
		if i < len(b)-1 || !noFinal {
			out = append(out, '\n')
		}
	}
	return out
}

// FuzzCountLines checks the properties on files of lines from a small
// alphabet, where many lines occur many times: the multimatch discard,
// trimming and Myers' tie breaks all come into play.
func FuzzCountLines(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0}, []byte{0, 0, 0, 1, 2, 3, 4, 0, 5, 6, 7}, uint8(7), uint8(0))
	f.Add([]byte{0, 1, 2, 3, 4}, []byte{4, 3, 2, 1, 0}, uint8(4), uint8(3))
	f.Add([]byte{0, 1, 129, 1}, []byte{0, 129, 1, 1, 2}, uint8(2), uint8(1))
	f.Add(bytes.Repeat([]byte{0, 1, 2}, 100), bytes.Repeat([]byte{1, 0, 3, 2}, 80), uint8(3), uint8(2))
	a := arena.New(arena.NewHeap(8 << 20))
	f.Fuzz(func(t *testing.T, old, new []byte, k, flags uint8) {
		if len(old) > maxRefLines || len(new) > maxRefLines {
			t.Skip("more lines than the reference handles quickly")
		}
		checkProperties(t, a, alphabetLines(old, k, flags&1 != 0), alphabetLines(new, k, flags&2 != 0))
	})
}

// TestCountReportsExhaustion checks that a too small arena gives an error
// wrapping arena.ErrExhausted, leaves the arena as it was, and that an arena
// of ScratchBound bytes always suffices.
func TestCountReportsExhaustion(t *testing.T) {
	old, new := e10(285, 259)
	small := arena.New(arena.NewHeap(1000))
	_, err := Count(small, old, new, Myers)
	if !errors.Is(err, arena.ErrExhausted) {
		t.Fatalf("Count in a 1000-byte arena: err = %v, want arena.ErrExhausted", err)
	}
	if small.Len() != 0 {
		t.Errorf("the failed Count left %d bytes allocated", small.Len())
	}
	for _, tc := range []struct {
		name     string
		old, new []byte
	}{
		{"swapped blocks", old, new},
		{"one-byte lines only", bytes.Repeat([]byte("\n"), 5000), bytes.Repeat([]byte("a\n\n"), 1000)},
		{"no newline at all", []byte("abc"), []byte("abd")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := arena.New(arena.NewHeap(ScratchBound(len(tc.old), len(tc.new))))
			if _, err := Count(a, tc.old, tc.new, Myers); err != nil {
				t.Fatalf("Count in an arena of ScratchBound bytes: %v", err)
			}
		})
	}
}
