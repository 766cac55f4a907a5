package odb

import (
	"regexp"
	"strconv"
	"testing"
)

// looseHeaderRe is git's rule for a loose object's header (object-file.c
// parse_loose_header): a type name, one space, the size in canonical
// decimal (no sign, no leading zero), a NUL.
var looseHeaderRe = regexp.MustCompile(`^(blob|tree|commit|tag) (0|[1-9][0-9]*)\x00`)

// FuzzParseLooseHeader holds parseLooseHeader to git's rule: every header
// git accepts with a size this package can hold is read with git's type,
// size and length; every header git refuses is refused, as is any size far
// beyond maxObjectSize. Sizes just above maxObjectSize may go either way
// (the allocation refuses them later).
func FuzzParseLooseHeader(f *testing.F) {
	for _, s := range []string{"blob 0\x00", "commit 1234\x00tree ", "tag 01\x00", "tree 12", "blob  3\x00",
		"blob 3 \x00", "blob -3\x00", "blub 3\x00", "blob 99999999999999999999999\x00", "tree 68719476736\x00x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, size, n, err := parseLooseHeader(b)
		m := looseHeaderRe.FindSubmatch(b)
		if m == nil {
			if err == nil {
				t.Fatalf("%q: git refuses the header; parseLooseHeader gives %v %d", b, typ, size)
			}
			return
		}
		want, perr := strconv.ParseUint(string(m[2]), 10, 64)
		switch {
		case perr == nil && want <= maxObjectSize:
			if err != nil || typ != typeByName(m[1]) || size != int64(want) || n != len(m[0]) {
				t.Fatalf("%q: want %s %d (%d bytes); got %v %d (%d bytes), %v", b, m[1], want, len(m[0]), typ, size, n, err)
			}
		case perr != nil || want > 1<<40:
			if err == nil {
				t.Fatalf("%q: a size of %s digits is accepted as %d", b, m[2], size)
			}
		}
	})
}
