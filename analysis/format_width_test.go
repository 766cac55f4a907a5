package analysis

import (
	"strings"
	"testing"

	"github.com/rivo/uniseg"
)

// Printable ASCII skips grapheme clustering; widths and cuts must be those
// clustering gives, for every length around the cut and every width.
func TestASCIICellsMeasureAndCutAsClustersDo(t *testing.T) {
	var all strings.Builder
	for c := byte(' '); c <= '~'; c++ {
		all.WriteByte(c)
	}
	texts := []string{"", "a", "ab", "abc", "abcd", "src/main.go", "a b  c ", all.String(),
		"plumbing/format/packfile/very/deep/directory/with/a/long_file_name_test.go"}
	for _, s := range texts {
		if !printableASCII(s) {
			t.Fatalf("%q is printable ASCII", s)
		}
		if got, want := cellWidth(s), uniseg.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, clusters say %d", s, got, want)
		}
		for n := -1; n <= len(s)+2; n++ {
			if got, want := cutMiddle(s, n), cutClusters(s, n); got != want {
				t.Errorf("cutMiddle(%q, %d) = %q, clusters cut %q", s, n, got, want)
			}
		}
	}
	for _, s := range []string{"tab\there", "caf\u00e9", "\x7f", "漢字.go"} {
		if printableASCII(s) {
			t.Errorf("%q is not printable ASCII, so it must be clustered", s)
		}
	}
}
