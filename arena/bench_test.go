package arena

import (
	"sync"
	"testing"

	"github.com/gitwalk/gitwalk/internal/mmap"
)

func newBenchPool(b *testing.B, n, size int) *Pool {
	b.Helper()
	p := NewPool(n, mmapFactory(size))
	if _, err := p.Prewarm(n); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close() })
	return p
}

func BenchmarkPoolCheckoutGiveBack(b *testing.B) {
	p := newBenchPool(b, 1, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		a, err := p.Checkout()
		if err != nil {
			b.Fatal(err)
		}
		p.GiveBack(a)
	}
}

func BenchmarkPoolCheckoutGiveBackParallel(b *testing.B) {
	p := newBenchPool(b, 16, 1<<16)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a, err := p.Checkout()
			if err != nil {
				b.Fatal(err)
			}
			p.GiveBack(a)
		}
	})
}

func BenchmarkAllocSmall(b *testing.B) {
	a := New(NewHeap(1 << 20))
	b.ReportAllocs()
	for b.Loop() {
		s, err := a.Alloc(16, 8)
		if err != nil {
			a.Reset()
			continue
		}
		s[0] = 1
	}
}

func BenchmarkMakeSmall(b *testing.B) {
	a := New(NewHeap(1 << 20))
	b.ReportAllocs()
	for b.Loop() {
		s, err := Make[uint32](a, 4)
		if err != nil {
			a.Reset()
			continue
		}
		s[0] = 1
	}
}

func BenchmarkGrowInPlace(b *testing.B) {
	a := New(NewHeap(1 << 20))
	s, _ := Make[uint32](a, 0)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if s, err = Append(a, s, 7); err != nil {
			a.Reset()
			s, _ = Make[uint32](a, 0)
		}
	}
}

// unitSize is the memory one unit of work touches in BenchmarkUnit.
const unitSize = 1 << 20

// heapSink keeps make's buffers on the heap, as a real unit's would be.
var heapSink []byte

// touchUnit writes one byte in every page of b: the page faults are what a
// unit pays for memory that is not already resident.
func touchUnit(b []byte) {
	for i := 0; i < len(b); i += 4096 {
		b[i] = byte(i)
	}
}

// BenchmarkUnit compares ways to get the scratch memory of one unit of work
// that touches 1 MiB: the pool, a fresh mmap and munmap, make, and sync.Pool.
func BenchmarkUnit(b *testing.B) {
	b.Run("pool", func(b *testing.B) {
		p := newBenchPool(b, 1, unitSize)
		b.ReportAllocs()
		b.SetBytes(unitSize)
		for b.Loop() {
			a, err := p.Checkout()
			if err != nil {
				b.Fatal(err)
			}
			m, err := a.Alloc(unitSize, 1)
			if err != nil {
				b.Fatal(err)
			}
			touchUnit(m)
			p.GiveBack(a)
		}
	})
	b.Run("mmap-munmap", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(unitSize)
		for b.Loop() {
			m, err := mmap.Map(unitSize, false)
			if err != nil {
				b.Fatal(err)
			}
			touchUnit(m)
			if err := mmap.Unmap(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("make", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(unitSize)
		for b.Loop() {
			heapSink = make([]byte, unitSize)
			touchUnit(heapSink)
		}
		heapSink = nil
	})
	b.Run("sync.Pool", func(b *testing.B) {
		sp := sync.Pool{New: func() any { s := make([]byte, unitSize); return &s }}
		b.ReportAllocs()
		b.SetBytes(unitSize)
		for b.Loop() {
			m := sp.Get().(*[]byte)
			touchUnit(*m)
			sp.Put(m)
		}
	})
}
