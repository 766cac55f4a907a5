package pool_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/gitwalk/gitwalk/pool"
)

// A scratch is something expensive to set up that one goroutine at a time may use.
type scratch struct {
	buf bytes.Buffer
}

func (s *scratch) Close() error { return nil }

func Example() {
	p, err := pool.New(pool.Config{MaxInstances: 2, WarmCount: 1},
		func() (*scratch, error) { return new(scratch), nil },
		pool.WithReset(func(s *scratch) error { s.buf.Reset(); return nil }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()

	s, err := p.AcquireContext(context.Background()) // the warm instance: a hit
	if err != nil {
		fmt.Println(err)
		return
	}
	s.buf.WriteString("work")
	p.Release(s) // reset, then idle again

	a, _ := p.Acquire() // a hit
	b, _ := p.Acquire() // a miss: built now
	_, err = p.Acquire()
	fmt.Println(err)
	p.Release(a)
	p.Release(b)

	m := p.Metrics()
	fmt.Printf("hits %d, misses %d, exhausted %d, live %d, idle %d\n", m.Hits, m.Misses, m.Exhausted, m.Live, m.Idle)
	fmt.Println(p)
	// Output:
	// pool exhausted: pool[*pool_test.scratch] has 2 instances live, MaxInstances is 2
	// hits 2, misses 1, exhausted 1, live 2, idle 2
	// pool[*pool_test.scratch]{open, live 2 of max 2, idle 2, waiting 0, warm 1, idle timeout 0s}
}
