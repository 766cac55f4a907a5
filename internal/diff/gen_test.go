package diff

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Generators of file pairs that stress what changes git's counts. Each takes
// a random source and returns one pair; lines carry no NUL, so git treats
// every file as text.

type generator struct {
	name string
	gen  func(r *rand.Rand) (old, new []byte)
}

var generators = []generator{
	{"small alphabet", genSmallAlphabet},
	{"shuffle", genShuffle},
	{"block moves", genBlockMoves},
	{"CR and EOL mix", genEOLMix},
	{"repeated lines", genRepeated},
	{"multimatch runs", genMultimatch},
	{"block swaps past the cost cutoff", genSwap},
}

// join makes a file of lines, each ending in '\n' unless noFinal.
func join(lines []string, noFinal bool) []byte {
	var b strings.Builder
	for i, l := range lines {
		b.WriteString(l)
		if i < len(lines)-1 || !noFinal {
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}

// edit applies n random insertions, deletions and replacements to lines,
// drawing new lines from mk.
func edit(r *rand.Rand, lines []string, n int, mk func() string) []string {
	out := append([]string(nil), lines...)
	for range n {
		i := r.IntN(len(out) + 1)
		switch r.IntN(3) {
		case 0:
			out = append(out[:i], append([]string{mk()}, out[i:]...)...)
		case 1:
			if i < len(out) {
				out = append(out[:i], out[i+1:]...)
			}
		default:
			if i < len(out) {
				out[i] = mk()
			}
		}
	}
	return out
}

func genSmallAlphabet(r *rand.Rand) ([]byte, []byte) {
	k := 1 + r.IntN(5)
	mk := func() string { return string(rune('a' + r.IntN(k))) }
	n := r.IntN(60)
	old := make([]string, n)
	for i := range old {
		old[i] = mk()
	}
	var new []string
	if r.IntN(4) == 0 {
		new = make([]string, r.IntN(60))
		for i := range new {
			new[i] = mk()
		}
	} else {
		new = edit(r, old, 1+r.IntN(10), mk)
	}
	return join(old, r.IntN(5) == 0), join(new, r.IntN(5) == 0)
}

func uniqueLines(r *rand.Rand, prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d %x", prefix, i, r.Uint32())
	}
	return out
}

func genShuffle(r *rand.Rand) ([]byte, []byte) {
	old := uniqueLines(r, "s", 1+r.IntN(80))
	// Sprinkle some duplicates.
	for range r.IntN(10) {
		old[r.IntN(len(old))] = old[r.IntN(len(old))]
	}
	new := append([]string(nil), old...)
	lo := r.IntN(len(new))
	hi := lo + r.IntN(len(new)-lo+1)
	r.Shuffle(hi-lo, func(i, j int) { new[lo+i], new[lo+j] = new[lo+j], new[lo+i] })
	new = edit(r, new, r.IntN(5), func() string { return fmt.Sprintf("n %x", r.Uint32()) })
	return join(old, false), join(new, false)
}

func genBlockMoves(r *rand.Rand) ([]byte, []byte) {
	old := uniqueLines(r, "b", 10+r.IntN(300))
	new := append([]string(nil), old...)
	for range 1 + r.IntN(4) {
		// Move a block elsewhere.
		lo := r.IntN(len(new))
		hi := lo + 1 + r.IntN(min(60, len(new)-lo))
		block := append([]string(nil), new[lo:hi]...)
		rest := append(append([]string(nil), new[:lo]...), new[hi:]...)
		at := r.IntN(len(rest) + 1)
		new = append(append(append([]string(nil), rest[:at]...), block...), rest[at:]...)
	}
	new = edit(r, new, r.IntN(6), func() string { return fmt.Sprintf("m %x", r.Uint32()) })
	return join(old, false), join(new, false)
}

func genEOLMix(r *rand.Rand) ([]byte, []byte) {
	base := []string{"a", "b", "c", "a\r", "b\r", "\r", "", "x\ry", "c\r\r"}
	mk := func() string { return base[r.IntN(len(base))] }
	old := make([]string, r.IntN(40))
	for i := range old {
		old[i] = mk()
	}
	new := edit(r, old, 1+r.IntN(8), mk)
	if r.IntN(3) == 0 {
		// CRLF conversion of some lines.
		for i := range new {
			if r.IntN(3) == 0 && !strings.HasSuffix(new[i], "\r") {
				new[i] += "\r"
			}
		}
	}
	return join(old, r.IntN(3) == 0), join(new, r.IntN(3) == 0)
}

// genRepeated makes source-like files where a few lines ("}", "", "end")
// occur very often, so they get the multi label.
func genRepeated(r *rand.Rand) ([]byte, []byte) {
	common := []string{"}", "", "\treturn nil", "end", "{"}
	mk := func() string {
		if r.IntN(3) > 0 {
			return common[r.IntN(len(common))]
		}
		return fmt.Sprintf("stmt %d", r.IntN(40))
	}
	old := make([]string, r.IntN(200))
	for i := range old {
		old[i] = mk()
	}
	new := edit(r, old, 1+r.IntN(30), mk)
	return join(old, r.IntN(6) == 0), join(new, r.IntN(6) == 0)
}

// genMultimatch builds the shape of E5 and E7: a line repeated many times
// in one file, surrounded in the other by runs of unmatched lines, with
// common prefixes and suffixes that change the thresholds.
func genMultimatch(r *rand.Rand) ([]byte, []byte) {
	x := "x"
	pre := uniqueLines(r, "p", r.IntN(4))
	suf := uniqueLines(r, "t", r.IntN(200))
	var old, new []string
	old = append(old, pre...)
	new = append(new, pre...)
	nx := 1 + r.IntN(60)
	for range nx {
		old = append(old, x)
	}
	for range r.IntN(nx + 1) {
		new = append(new, x)
	}
	mid := r.IntN(250)
	for i := range mid {
		if r.IntN(4) == 0 {
			new = append(new, x)
		} else {
			new = append(new, fmt.Sprintf("u %d", i))
		}
	}
	if r.IntN(2) == 0 {
		old = append(old, uniqueLines(r, "o", r.IntN(20))...)
	}
	old = append(old, suf...)
	new = append(new, suf...)
	if r.IntN(2) == 0 {
		old, new = new, old
	}
	return join(old, false), join(new, false)
}

// genLarge makes files of tens of thousands of lines with block swaps and
// edits, where the cost cutoff is 512 and the snake heuristic can fire.
func genLarge(r *rand.Rand) ([]byte, []byte) {
	n := 33000 + r.IntN(12000)
	old := uniqueLines(r, "L", n)
	for i := range old {
		if r.IntN(8) == 0 {
			old[i] = "}"
		}
	}
	new := append([]string(nil), old...)
	for range 2 + r.IntN(6) {
		size := 200 + r.IntN(3000)
		a := r.IntN(n - size)
		b := r.IntN(n - size)
		for i := range size {
			new[a+i], new[b+i] = new[b+i], new[a+i]
		}
	}
	new = edit(r, new, r.IntN(400), func() string { return fmt.Sprintf("E %x", r.Uint32()) })
	return join(old, false), join(new, false)
}

// genSwap permutes a few blocks of unique lines, hundreds of lines each, as
// E10 does: the minimal script then costs more than 512, where git's default
// gives up at the cost cutoff.
func genSwap(r *rand.Rand) ([]byte, []byte) {
	nb := 2 + r.IntN(3)
	blocks := make([][]string, nb)
	for i := range blocks {
		blocks[i] = uniqueLines(r, "w"+strconv.Itoa(i), 20+r.IntN(600))
		for j := range blocks[i] {
			if r.IntN(10) == 0 {
				blocks[i][j] = "}"
			}
		}
	}
	var old, new []string
	for _, b := range blocks {
		old = append(old, b...)
	}
	for _, i := range r.Perm(nb) {
		new = append(new, blocks[i]...)
	}
	new = edit(r, new, r.IntN(20), func() string { return fmt.Sprintf("e %x", r.Uint32()) })
	return join(old, false), join(new, false)
}
