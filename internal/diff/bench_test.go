package diff

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
)

// sourceLike returns n lines that look like source code: mostly distinct
// statements, with the blank lines and braces real files repeat.
func sourceLike(r *rand.Rand, n int, tag string) []string {
	out := make([]string, n)
	for i := range out {
		switch r.IntN(10) {
		case 0:
			out[i] = ""
		case 1:
			out[i] = "\t}"
		default:
			out[i] = fmt.Sprintf("\tx%s%d := compute(%d, %q) // %x", tag, i, r.IntN(1000), tag, r.Uint32())
		}
	}
	return out
}

// fewEdits returns a copy of lines with n edits spread through the file.
func fewEdits(r *rand.Rand, lines []string, n int) []string {
	return edit(r, lines, n, func() string { return fmt.Sprintf("\tedited(%x)", r.Uint32()) })
}

type benchCase struct {
	name     string
	old, new []byte
}

func benchCases() []benchCase {
	r := rand.New(rand.NewPCG(42, 42))
	src2k := sourceLike(r, 2000, "a")
	src20k := sourceLike(r, 20000, "b")
	return []benchCase{
		{"2k lines, 5 edits", join(src2k, false), join(fewEdits(r, src2k, 5), false)},
		{"20k lines, 5 edits", join(src20k, false), join(fewEdits(r, src20k, 5), false)},
		{"2k lines, total rewrite", join(src2k, false), join(sourceLike(r, 2000, "c"), false)},
	}
}

// TestCountAllocatesNothing checks that in steady state Count puts all its
// scratch in the arena: zero Go heap allocations per call.
func TestCountAllocatesNothing(t *testing.T) {
	a := arena.New(arena.NewHeap(16 << 20))
	for _, bc := range benchCases() {
		for _, alg := range []Algorithm{Myers, Minimal} {
			allocs := testing.AllocsPerRun(20, func() {
				if _, err := Count(a, bc.old, bc.new, alg); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s, %v: %v heap allocations per Count, want 0", bc.name, alg, allocs)
			}
		}
	}
}

func BenchmarkCount(b *testing.B) {
	a := arena.New(arena.NewHeap(16 << 20))
	for _, bc := range benchCases() {
		for _, alg := range []Algorithm{Myers, Minimal} {
			b.Run(fmt.Sprintf("%s/%v", bc.name, alg), func(b *testing.B) {
				a.Reset()
				b.ReportAllocs()
				b.SetBytes(int64(len(bc.old) + len(bc.new)))
				for b.Loop() {
					if _, err := Count(a, bc.old, bc.new, alg); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(a.Peak()), "arena-B")
			})
		}
	}
}
