package quote

import "testing"

func TestPathQuotesAsGitDoes(t *testing.T) {
	cases := []struct {
		name, in  string
		quotePath bool
		want      string
	}{
		{"a plain path stays as it is", "dir/a b.txt", true, "dir/a b.txt"},
		{"a tab is escaped", "tab\tname", true, `"tab\tname"`},
		{"a newline is escaped", "a\nb", true, `"a\nb"`},
		{"quotes and backslashes are escaped", `q"b\s`, true, `"q\"b\\s"`},
		{"non-ASCII bytes are octal with core.quotePath", "\xc3\xa9 t", true, `"\303\251 t"`},
		{"non-ASCII bytes stay raw without core.quotePath", "\xc3\xa9 t", false, "\xc3\xa9 t"},
		{"other control bytes are octal", "a\x01\x7f", true, `"a\001\177"`},
		{"bell and friends have letters", "\a\b\v\f\r", true, `"\a\b\v\f\r"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(Path(nil, tc.in, tc.quotePath)); got != tc.want {
				t.Errorf("Path(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzPathRoundTrip(f *testing.F) {
	for _, s := range []string{"a", "tab\tname", "\xc3\xa9", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := string(Path(nil, s, true))
		if q == s {
			for i := 0; i < len(s); i++ {
				if needs(s[i], true) {
					t.Fatalf("unquoted output %q holds byte %#x that needs quoting", q, s[i])
				}
			}
			return
		}
		got, ok := unquote(q)
		if !ok || got != s {
			t.Fatalf("Path(%q) = %s does not unquote back (got %q)", s, q, got)
		}
	})
}

// unquote is the test's independent reading of C-quoted strings.
func unquote(q string) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	var out []byte
	for i := 1; i < len(q)-1; i++ {
		if q[i] != '\\' {
			out = append(out, q[i])
			continue
		}
		i++
		switch q[i] {
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 't':
			out = append(out, 9)
		case 'n':
			out = append(out, 10)
		case 'v':
			out = append(out, 11)
		case 'f':
			out = append(out, 12)
		case 'r':
			out = append(out, 13)
		case '"', '\\':
			out = append(out, q[i])
		default:
			if i+2 >= len(q) {
				return "", false
			}
			out = append(out, (q[i]-'0')<<6|(q[i+1]-'0')<<3|(q[i+2]-'0'))
			i += 2
		}
	}
	return string(out), true
}

// Needed says yes exactly when Path changes the path, for every byte.
func TestNeededIsWhetherPathQuotes(t *testing.T) {
	for c := 0; c < 256; c++ {
		for _, quotePath := range []bool{false, true} {
			p := "a" + string([]byte{byte(c)}) + "b"
			quoted := string(Path(nil, p, quotePath)) != p
			if got := Needed(p, quotePath); got != quoted {
				t.Errorf("Needed(%q, %v) = %v, Path quotes it: %v", p, quotePath, got, quoted)
			}
		}
	}
}
