package store

import (
	"crypto/rand"
	"testing"
)

// BenchmarkPutClose: a cold run's store, a new file that takes n records
// and is closed: what the end of a first run waits for.
func BenchmarkPutClose(b *testing.B) {
	const n = 9000
	keys := make([]Key, n)
	for i := range keys {
		rand.Read(keys[i].Commit[:])
	}
	rec := make([]byte, 380)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s, err := Open(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range keys {
			if err := s.Put(k, rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
