package odb

import (
	"hash/adler32"
	"testing"
)

// TestAdler32 holds adler32Sum to hash/adler32 on random bytes and on
// all 0xff bytes (the largest lane sums) at every length up to 2 KiB
// (every mix of 64-byte runs, words and bytes), around every reduction
// (and every 5552 bytes, zlib's) up to 70 000 bytes, at every 61st length
// in between, and at a few lengths spanning many reductions.
func TestAdler32(t *testing.T) {
	r := rng(7)
	random := make([]byte, 1<<20)
	for i := range random {
		random[i] = byte(r.next())
	}
	ones := make([]byte, len(random))
	for i := range ones {
		ones[i] = 0xff
	}
	const fold = adlerBlock
	check := func(n int) {
		for _, in := range [][]byte{random[:n], ones[:n], random[len(random)-n:]} {
			if got, want := adler32Sum(in), adler32.Checksum(in); got != want {
				t.Fatalf("length %d: adler32Sum %08x, hash/adler32 %08x", n, got, want)
			}
		}
	}
	for n := 0; n <= 70000; n++ {
		if n < 2048 || n%61 == 0 || (n+16)%fold < 32 || (n+16)%5552 < 32 {
			check(n)
		}
	}
	for _, n := range []int{fold*7 + 3, 1 << 19, len(random) - 1, len(random)} {
		check(n)
	}
}

func FuzzAdler32(f *testing.F) {
	f.Add([]byte("Wikipedia"))
	f.Add(make([]byte, 9000))
	f.Fuzz(func(t *testing.T, in []byte) {
		if got, want := adler32Sum(in), adler32.Checksum(in); got != want {
			t.Fatalf("adler32Sum %08x, hash/adler32 %08x", got, want)
		}
	})
}

func BenchmarkAdler32(b *testing.B) {
	in := make([]byte, 64<<10)
	r := rng(1)
	for i := range in {
		in[i] = byte(r.next())
	}
	b.Run("odb", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			adler32Sum(in)
		}
	})
	b.Run("hash-adler32", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			adler32.Checksum(in)
		}
	})
}
