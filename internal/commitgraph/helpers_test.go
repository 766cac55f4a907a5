package commitgraph

import (
	"crypto/sha1"
	"testing"

	"github.com/gitwalk/gitwalk/internal/odb"
)

func sha1Sum(b []byte) [20]byte { return sha1.Sum(b) }

func mustID(t testing.TB, s string) odb.ID {
	t.Helper()
	id, err := odb.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
