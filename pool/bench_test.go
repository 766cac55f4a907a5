package pool

import (
	"context"
	"runtime"
	"testing"
	"time"
)

type benchThing struct{ n int }

func newBenchThing() (*benchThing, error) { return &benchThing{}, nil }

// BenchmarkAcquireRelease is the hit path: one goroutine takes the warm instance and gives it back.
func BenchmarkAcquireRelease(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  Config
	}{
		{"no reaper", Config{MaxInstances: 1, WarmCount: 1}},
		// With a reaper: Acquire keeps the idle low-water mark; no clock is read on this path.
		{"with reaper", Config{MaxInstances: 2, WarmCount: 1, IdleTimeout: time.Hour}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p, err := New(bc.cfg, newBenchThing)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			b.ReportAllocs()
			for b.Loop() {
				x, err := p.Acquire()
				if err != nil {
					b.Fatal(err)
				}
				x.n++
				p.Release(x)
			}
		})
	}
}

// BenchmarkAcquireContextRelease is the hit path through AcquireContext.
func BenchmarkAcquireContextRelease(b *testing.B) {
	p, err := New(Config{MaxInstances: 1, WarmCount: 1}, newBenchThing)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		x, err := p.AcquireContext(ctx)
		if err != nil {
			b.Fatal(err)
		}
		p.Release(x)
	}
}

// BenchmarkContended has GOMAXPROCS goroutines acquiring and releasing at once, with one
// instance each (no waiting: the cost is the shared lock), and with half as many instances as
// goroutines (AcquireContext waits and is handed instances on release).
func BenchmarkContended(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	for _, bc := range []struct {
		name  string
		limit int
	}{
		{"one instance per goroutine", procs},
		{"half an instance per goroutine", max(1, procs/2)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p, err := New(Config{MaxInstances: bc.limit, WarmCount: bc.limit}, newBenchThing)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					x, err := p.AcquireContext(ctx)
					if err != nil {
						b.Error(err)
						return
					}
					x.n++
					p.Release(x)
				}
			})
		})
	}
}
