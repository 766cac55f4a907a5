package mailmap_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/mailmap"
)

var identRe = regexp.MustCompile(`([^<>\n]*)<([^<>\n]*)>`)

// FuzzParse checks that parsing never panics, that a file and a blob with
// the same short lines give the same map, and that emails match whatever
// their ASCII case.
func FuzzParse(f *testing.F) {
	f.Add([]byte(mailmapText))
	f.Add([]byte("A <a@x>\n<b@x> <c@x>\nD <d@x> E <e@x>\n# F <f@x>\n"))
	f.Add([]byte("<a@x> <>\n X <> Y <>\r\n<"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var file, blob mailmap.Map
		file.AddFile(data)
		blob.Add(data)
		comparable := bytes.IndexByte(data, 0) < 0
		for _, line := range bytes.Split(data, []byte("\n")) {
			if len(line) >= 1023 {
				comparable = false
			}
		}
		for _, m := range identRe.FindAllSubmatch(data, 20) {
			name, email := strings.TrimSpace(string(m[1])), string(m[2])
			fn, fe, fok := file.Lookup(name, email)
			if comparable {
				if bn, be, bok := blob.Lookup(name, email); bn != fn || be != fe || bok != fok {
					t.Fatalf("%q <%s>: file gives %q <%s> %v, blob %q <%s> %v", name, email, fn, fe, fok, bn, be, bok)
				}
			}
			un, ue, uok := file.Lookup(name, asciiUpper(email))
			if uok != fok || un != fn || (fok && !strings.EqualFold(ue, fe)) {
				t.Fatalf("%q <%s>: upper-case email maps to %q <%s> %v, lower to %q <%s> %v", name, email, un, ue, uok, fn, fe, fok)
			}
		}
	})
}

// asciiUpper upper-cases ASCII letters only: git folds no other byte.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}
