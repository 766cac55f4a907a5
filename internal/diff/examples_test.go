package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// lines makes a file of the given lines, each ending in '\n'.
func lines(ls ...string) []byte { return join(ls, false) }

// repeat returns n copies of s.
func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// numbered returns n distinct lines prefix0, prefix1, ...
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func concat(parts ...[]string) []byte {
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	return join(all, false)
}

// e7 builds the window example: K0 + 40 x + K1 against K0 + 200 unique +
// shuffled(34 x + 66 unique) + x + v + K1. The counts depend on the shuffle.
func e7() (old, new []byte) {
	r := rand.New(rand.NewPCG(3, 0))
	sh := append(repeat("x", 34), numbered("s", 66)...)
	r.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
	old = concat([]string{"K0"}, repeat("x", 40), []string{"K1"})
	new = concat([]string{"K0"}, numbered("u", 200), sh, []string{"x", "v", "K1"})
	return old, new
}

// e10 builds X+Y against Y+X with |X| and |Y| unique lines.
func e10(x, y int) (old, new []byte) {
	X, Y := numbered("X", x), numbered("Y", y)
	return concat(X, Y), concat(Y, X)
}

type example struct {
	name           string
	old, new       []byte
	myers, minimal Stat
}

// sheetExamples are the examples of the fact sheet with the counts git
// 2.39.5 printed for them there.
func sheetExamples() []example {
	e5a := lines("x", "x", "x", "x")
	e5b := lines("x", "x", "x", "A", "B", "C", "D", "x", "E", "F", "G")
	e5c := lines("x", "x", "x", "A", "B", "C", "x", "E", "F", "G")
	tail4, tail5 := numbered("", 4), numbered("", 5)
	e7a, e7b := e7()
	var ex = []example{
		{"E1: a missing final newline makes the last line differ", []byte("a\nb\n"), []byte("a\nb"), Stat{1, 1}, Stat{1, 1}},
		{"E1: a line added after a final line without newline", []byte("a\nb"), []byte("a\nb\nc"), Stat{2, 1}, Stat{2, 1}},
		{"E1: a final line without newline added", []byte("a\nb\n"), []byte("a\nb\nc"), Stat{1, 0}, Stat{1, 0}},
		{"E2: CRLF lines differ from LF lines", []byte("a\r\nb\r\n"), []byte("a\nb\n"), Stat{2, 2}, Stat{2, 2}},
		{"E12: a lone CR is an ordinary byte", []byte("a\rb\n"), []byte("a\rc\n"), Stat{1, 1}, Stat{1, 1}},
		{"E12: an empty file against one empty line", nil, []byte("\n"), Stat{1, 0}, Stat{1, 0}},
		{"E12: an empty file against two lines", nil, []byte("a\nb\n"), Stat{2, 0}, Stat{2, 0}},
		{"E5: a multimatch line in a run of unmatched lines is discarded", e5a, e5b, Stat{8, 1}, Stat{8, 1}},
		{"E5: with a shorter run it is kept", e5a, e5c, Stat{6, 0}, Stat{6, 0}},
		{"E5': a common tail of 4 keeps the threshold at 4", concat(repeat("x", 4), tail4), concat(strings.Split("x x x A B C D x E F G", " "), tail4), Stat{8, 1}, Stat{8, 1}},
		{"E5': a common tail of 5 raises the threshold to 8", concat(repeat("x", 4), tail5), concat(strings.Split("x x x A B C D x E F G", " "), tail5), Stat{7, 0}, Stat{7, 0}},
		{"E10: swapped blocks of 285 and 259 hit the cost cutoff", nil, nil, Stat{285, 285}, Stat{259, 259}},
		{"E10: with Y=255 both modes are minimal", nil, nil, Stat{255, 255}, Stat{255, 255}},
		{"E10: with Y=256 (D=512) both modes are minimal", nil, nil, Stat{256, 256}, Stat{256, 256}},
		{"E10: with Y=257 (D=514) the default gives up", nil, nil, Stat{285, 285}, Stat{257, 257}},
		{"E13: the indent heuristic does not change counts", []byte("}\n}\n\tfoo();\n"), []byte("}\n}\n}\n\tfoo();\n"), Stat{1, 0}, Stat{1, 0}},
		{"E7: the multimatch scan stops after 100 lines", e7a, e7b, Stat{}, Stat{}},
	}
	for i, y := range []int{259, 255, 256, 257} {
		ex[11+i].old, ex[11+i].new = e10(285, y)
	}
	// E7's counts depend on the shuffle; git's counts for this shuffle
	// were read by running it (see TestSheetExamplesAgreeWithGit).
	ex[16].myers, ex[16].minimal = Stat{288, 26}, Stat{288, 26}
	return ex
}

func TestSheetExamples(t *testing.T) {
	for _, tc := range sheetExamples() {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []struct {
				alg  Algorithm
				want Stat
			}{{Myers, tc.myers}, {Minimal, tc.minimal}} {
				got, err := Count(nil, tc.old, tc.new, c.alg)
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("Count(%v) = %+v, git says %+v", c.alg, got, c.want)
				}
				checkTrace(t, pair{tc.name, tc.old, tc.new}, c.alg)
			}
			if ref := refMinimal(tc.old, tc.new, refOptions{}); ref != tc.minimal {
				t.Errorf("reference --minimal = %+v, git says %+v", ref, tc.minimal)
			}
		})
	}
}

// TestSheetExamplesAgreeWithGit checks the hard-coded numbers against the
// git on this machine.
func TestSheetExamplesAgreeWithGit(t *testing.T) {
	ex := sheetExamples()
	pairs := make([]pair, len(ex))
	for i, e := range ex {
		pairs[i] = pair{e.name, e.old, e.new}
	}
	myers, minimal := gitNumstat(t, pairs, false), gitNumstat(t, pairs, true)
	for i, e := range ex {
		if myers[i] != e.myers || minimal[i] != e.minimal {
			t.Errorf("%s: git says %+v / %+v, the table %+v / %+v", e.name, myers[i], minimal[i], e.myers, e.minimal)
		}
	}
}

// TestWindowAndCapMatter shows that E7 and E11 depend on the 100-line
// window and the 1024 cap: without them the counts would differ from git's.
func TestWindowAndCapMatter(t *testing.T) {
	e7a, e7b := e7()
	if got := refMinimal(e7a, e7b, refOptions{noWindow: true}); got != (Stat{302, 40}) {
		t.Errorf("E7 without the window: reference = %+v, the sheet says 302/40", got)
	}
	if testing.Short() {
		t.Skip("E11 diffs files of a million lines")
	}
	a, b := e11()
	for _, alg := range []Algorithm{Myers, Minimal} {
		got, err := Count(nil, a, b, alg)
		if err != nil {
			t.Fatal(err)
		}
		if got != (Stat{9, 1}) {
			t.Errorf("E11 Count(%v) = %+v, git says 9/1", alg, got)
		}
	}
	if got := refMinimal(a, b, refOptions{noCap: true}); got != (Stat{8, 0}) {
		t.Errorf("E11 with the threshold uncapped: reference = %+v, the sheet says 8/0", got)
	}
}

// e11 builds the cap example: 1500 x + 2^20 unique lines against 1499 x +
// n1..n4 + x + n5..n8 + the same unique lines.
func e11() (old, new []byte) {
	filler := numbered("f", 1<<20)
	old = concat(repeat("x", 1500), filler)
	new = concat(repeat("x", 1499), numbered("n", 4), []string{"x"}, numbered("m", 4), filler)
	return old, new
}
