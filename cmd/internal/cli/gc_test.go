package cli

import "testing"

func TestWalksNamesTheCommandsThatWalkHere(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"version"}, false},
		{[]string{"cache", "prune"}, false},
		{[]string{"export", "repo", "--out", "x"}, false}, // runs gitwalk-export
		{[]string{"--help"}, false},
		{[]string{"churn", "repo"}, true},
		{[]string{"numstat"}, true},
		{[]string{"report", "."}, true},
	} {
		if got := walks(c.args); got != c.want {
			t.Errorf("walks(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
