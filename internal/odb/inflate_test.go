package odb

import (
	"bytes"
	"compress/zlib"
	"io"
	"math/bits"
	"testing"
)

// stdInflate decodes src with compress/zlib, reading at most limit bytes,
// and reports whether the stream ended cleanly (checksum included).
func stdInflate(src []byte, limit int) ([]byte, bool) {
	zr, err := zlib.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, false
	}
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil || len(out) > limit {
		return out, false
	}
	return out, true
}

func zlibLevel(data []byte, level int) []byte {
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, level)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func sampleInputs() [][]byte {
	r := rng(42)
	text := []byte(fastImportHistory(3))
	random := make([]byte, 5000)
	for i := range random {
		random[i] = byte(r.next())
	}
	// Bytes of geometrically falling frequencies: Huffman codes up to
	// 15 bits, longer than the decode tables.
	skewed := make([]byte, 100000)
	for i := range skewed {
		skewed[i] = byte(bits.TrailingZeros64(r.next()|1<<31)*8) + byte(r.next()&7)
	}
	return [][]byte{nil, []byte("a"), []byte("hello, hello, hello, hello"), bytes.Repeat([]byte("ab"), 40000), text, random, skewed}
}

func TestInflateMatchesCompressZlib(t *testing.T) {
	var f inflater
	for i, in := range sampleInputs() {
		for _, level := range []int{zlib.NoCompression, zlib.BestSpeed, zlib.DefaultCompression, zlib.BestCompression, zlib.HuffmanOnly} {
			src := zlibLevel(in, level)
			dst := make([]byte, len(in))
			n, err := f.inflate(dst, append(src, "trailing"...))
			if err != nil || !bytes.Equal(dst, in) || n != len(src) {
				t.Fatalf("input %d level %d: n=%d (stream %d) err=%v equal=%v", i, level, n, len(src), err, bytes.Equal(dst, in))
			}
			for _, size := range []int{len(in) - 1, len(in) + 1} {
				if size < 0 {
					continue
				}
				if _, err := f.inflate(make([]byte, size), src); err == nil {
					t.Fatalf("input %d level %d: declared size %d of %d accepted", i, level, size, len(in))
				}
			}
			for cut := 0; cut < len(src); cut += 1 + len(src)/50 {
				if _, err := f.inflate(make([]byte, len(in)), src[:cut]); err == nil {
					t.Fatalf("input %d level %d: stream cut at %d of %d accepted", i, level, cut, len(src))
				}
			}
		}
	}
}

func TestInflateDoesNotAllocate(t *testing.T) {
	in := fastImportHistory(2)
	src := zlibLevel(in, zlib.DefaultCompression)
	dst := make([]byte, len(in))
	var f inflater
	f.inflate(dst, src)
	if n := testing.AllocsPerRun(20, func() { f.inflate(dst, src) }); n != 0 {
		t.Fatalf("inflate allocates %v times", n)
	}
}

func FuzzInflate(f *testing.F) {
	for _, in := range sampleInputs()[:4] {
		f.Add(zlibLevel(in, zlib.DefaultCompression))
		f.Add(zlibLevel(in, zlib.NoCompression))
		f.Add(zlibLevel(in, zlib.HuffmanOnly))
	}
	var inf inflater
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) >= 2 && src[1]&0x20 != 0 {
			// A preset dictionary: zlib's inflate (and so git) stops
			// for the dictionary, while compress/zlib decodes a stream
			// whose dictionary id is that of no dictionary. Pack data
			// never has one: it is rejected.
			if _, err := inf.inflate(make([]byte, 100), src); err == nil {
				t.Fatal("inflate accepts a stream with a preset dictionary")
			}
			return
		}
		want, ok := stdInflate(src, 1<<20)
		if ok {
			dst := make([]byte, len(want))
			if _, err := inf.inflate(dst, src); err != nil || !bytes.Equal(dst, want) {
				t.Fatalf("compress/zlib decodes %d bytes; inflate: %v", len(want), err)
			}
			return
		}
		// compress/zlib rejects the stream: so must we, whatever size is
		// declared.
		for _, size := range []int{len(want), len(want) + 1, 100} {
			if _, err := inf.inflate(make([]byte, size), src); err == nil {
				got := make([]byte, size)
				inf.inflate(got, src)
				t.Fatalf("compress/zlib rejects the stream after %d bytes; inflate accepts %d bytes", len(want), size)
			}
		}
	})
}
