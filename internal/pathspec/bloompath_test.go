package pathspec

import "testing"

// TestBloomPathIsGitsChoice checks which pathspecs git would ask the
// changed-path filters about (revision.c: forbid_bloom_filters and
// prepare_to_use_bloom_filter): one item, no wildcard unless literal, no
// magic but literal, not the whole tree.
func TestBloomPathIsGitsChoice(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		prefix string
		want   string
		ok     bool
	}{
		{[]string{"a"}, "", "a", true},
		{[]string{"dir/"}, "", "dir", true},
		{[]string{"./dir/x"}, "", "dir/x", true},
		{[]string{"x"}, "sub/", "sub/x", true},
		{[]string{":(literal)a*b"}, "", "a*b", true},
		{[]string{"a*b"}, "", "", false},
		{[]string{"a?"}, "", "", false},
		{[]string{":(glob)a"}, "", "", false},
		{[]string{":(icase)a"}, "", "", false},
		{[]string{":(top)a"}, "", "", false},
		{[]string{":/a"}, "", "", false},
		{[]string{":!a"}, "", "", false},
		{[]string{"a", "b"}, "", "", false},
		{[]string{"."}, "", "", false},
		{nil, "", "", false},
	} {
		ps, err := Parse(tc.args, tc.prefix)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ps.BloomPath()
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q in %q: %q, %t; want %q, %t", tc.args, tc.prefix, got, ok, tc.want, tc.ok)
		}
	}
}
