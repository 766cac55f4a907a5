package odb

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// rawEntry is a tree entry as git stores it.
func rawEntry(mode, name string, id byte) []byte {
	b := []byte(mode + " " + name + "\x00")
	return append(b, bytes.Repeat([]byte{id}, 20)...)
}

// SkipSame skips exactly the leading entries whose bytes are equal on both
// sides, leaving both iterators at the first that differs: there Next
// gives what it gave without the skip. Entry ids are chosen so that two
// entries often share long runs of bytes (an id that differs only at its
// end, a name that is a prefix of the other's).
func TestSkipSameSkipsExactlyTheEqualEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 2000 {
		n := r.IntN(12)
		var a, b []byte
		var entries [][]byte
		for i := range n {
			entries = append(entries, rawEntry("100644", fmt.Sprintf("f%03d", i), byte(r.IntN(3))))
		}
		same := r.IntN(n + 1)
		for i, e := range entries {
			a = append(a, e...)
			if i >= same {
				e = bytes.Clone(e)
				switch r.IntN(3) {
				case 0:
					e[len(e)-1] ^= 1 // the id's last byte
				case 1:
					e[1] = '4' // the mode: 140644 is still octal
				default:
					e = rawEntry("100644", fmt.Sprintf("f%03dx", i), e[len(e)-1])
				}
			}
			b = append(b, e...)
		}
		ai, bi := NewTreeIter(a), NewTreeIter(b)
		if got := SkipSame(&ai, &bi); got != same {
			t.Fatalf("trial %d: skipped %d of %d entries, %d alike", trial, got, n, same)
		}
		wa, wb := NewTreeIter(a), NewTreeIter(b)
		for range same {
			wa.Next()
			wb.Next()
		}
		for {
			ge, gok := ai.Next()
			we, wok := wa.Next()
			if gok != wok || !bytes.Equal(ge.Name, we.Name) || ge.ID != we.ID || ge.Mode != we.Mode {
				t.Fatalf("trial %d: after the skip, %v %q; want %v %q", trial, gok, ge.Name, wok, we.Name)
			}
			if !gok {
				break
			}
		}
		if !bytes.Equal(bi.data, wb.data) {
			t.Fatalf("trial %d: the second side left at another place", trial)
		}
	}
}

// A malformed entry inside the bytes both sides share is not skipped:
// Next then reports it, as it would without the skip.
func TestSkipSameStopsAtAMalformedEntry(t *testing.T) {
	good := rawEntry("100644", "a", 1)
	for name, bad := range map[string][]byte{
		"mode":       rawEntry("10x644", "b", 2),
		"empty name": rawEntry("100644", "", 2),
		"long mode":  rawEntry("10064400", "b", 2),
	} {
		t.Run(name, func(t *testing.T) {
			data := append(append(bytes.Clone(good), bad...), rawEntry("100644", "c", 3)...)
			a, b := NewTreeIter(data), NewTreeIter(bytes.Clone(data))
			if got := SkipSame(&a, &b); got != 1 {
				t.Fatalf("skipped %d entries, want the one before the malformed entry", got)
			}
			if _, ok := a.Next(); ok || a.Err() == nil || !strings.Contains(a.Err().Error(), "malformed tree") {
				t.Fatalf("Next after the skip: ok %v, err %v; want the malformed entry reported", ok, a.Err())
			}
		})
	}
}

func TestCommonPrefix(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 5000 {
		a := make([]byte, r.IntN(40))
		for i := range a {
			a[i] = byte(r.IntN(2))
		}
		b := bytes.Clone(a[:r.IntN(len(a)+1)])
		if len(b) > 0 && r.IntN(2) == 0 {
			b[r.IntN(len(b))] ^= 1
		}
		want := 0
		for want < len(a) && want < len(b) && a[want] == b[want] {
			want++
		}
		if got := commonPrefix(a, b); got != want {
			t.Fatalf("commonPrefix(%v, %v) = %d, want %d", a, b, got, want)
		}
	}
}
