package refs

import (
	"strings"
	"testing"
	"testing/iotest"
)

// contains finds the pattern wherever it lies against the pieces it reads,
// across their edges too, read a byte at a time, in halves or whole, and
// finds nothing where the pattern is not whole.
func TestContainsFindsThePatternAcrossPieces(t *testing.T) {
	pat := []byte(" refs/replace/")
	filler := strings.Repeat("0123456789abcdef0123456789abcdef01234567 refs/heads/x\n", 800) // 43 KB
	for _, at := range []int{0, 1, 16<<10 - 5, 16<<10 - len(pat) + 1, 16 << 10, 32<<10 - 1, len(filler)} {
		data := filler[:at] + string(pat) + "abc\n" + filler[at:]
		if ok, err := contains(strings.NewReader(data), pat); !ok || err != nil {
			t.Errorf("pattern at %d: %v, %v; want true", at, ok, err)
		}
		if ok, err := contains(iotest.OneByteReader(strings.NewReader(data)), pat); !ok || err != nil {
			t.Errorf("a byte at a time, pattern at %d: %v, %v; want true", at, ok, err)
		}
		if ok, err := contains(iotest.HalfReader(strings.NewReader(data)), pat); !ok || err != nil {
			t.Errorf("in halves, pattern at %d: %v, %v; want true", at, ok, err)
		}
		// Cut in two by a line: not the pattern.
		cut := filler[:at] + string(pat[:5]) + "\n" + string(pat[5:]) + filler[at:]
		if ok, err := contains(iotest.HalfReader(strings.NewReader(cut)), pat); ok || err != nil {
			t.Errorf("pattern cut at %d: %v, %v; want false", at, ok, err)
		}
	}
	if ok, err := contains(strings.NewReader(""), pat); ok || err != nil {
		t.Errorf("empty: %v, %v; want false", ok, err)
	}
	if _, err := contains(iotest.ErrReader(iotest.ErrTimeout), pat); err != iotest.ErrTimeout {
		t.Errorf("a failing reader: %v, want its error", err)
	}
}
