package gen

import (
	"slices"
	"testing"
)

func TestNeedlesAreWhatEveryMatchHolds(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`(^|/)config\.guess$`, []string{"config.guess"}},
		{`^[Dd]ocs?/`, []string{"Doc/", "Docs/", "doc/", "docs/"}},
		{`(^|/)LICEN[CS]E(\.|$)`, []string{"LICENCE", "LICENSE"}}, // the longer ones hold these
		{`(^Pods|\/Pods)\/`, []string{"Pods/"}},
		{`(?i)\.ks$`, []string{".KS", ".Ks", ".K\u017f", ".kS", ".ks", ".k\u017f", ".\u212aS", ".\u212as", ".\u212a\u017f"}}, // (?i) folds k and s beyond ASCII
		{`a*`, nil},
		{`.+\.js`, []string{".js"}},
		{`(\.|-)min\.(js|css)$`, []string{"-min.css", "-min.js", ".min.css", ".min.js"}},
		{`(a|.)b`, []string{"b"}},
		{`(?:a|b*)c`, []string{"c"}},
	} {
		got, err := Needles(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Needles(%s) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}
