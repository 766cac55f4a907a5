package arena_test

import (
	"errors"
	"fmt"

	"github.com/gitwalk/gitwalk/arena"
)

// An arena hands out memory from one fixed range; Reset frees it all.
func ExampleArena() {
	a := arena.New(arena.NewHeap(64))
	name, _ := arena.CopyString(a, "README.md")
	counts, _ := arena.Make[int32](a, 2)
	counts[0], counts[1] = 3, 1
	fmt.Printf("%s +%d -%d, %d of %d bytes used\n", name, counts[0], counts[1], a.Len(), a.Cap())

	_, err := a.Alloc(100, 1)
	fmt.Println(errors.Is(err, arena.ErrExhausted), a.Len())

	a.Reset()
	fmt.Println(a.Len(), a.LifetimePeak())
	// Output:
	// README.md +3 -1, 20 of 64 bytes used
	// true 20
	// 0 20
}

// A pool recycles arenas between units of work: each unit checks one out,
// keeps its scratch data there, copies out what outlives it, and gives the
// arena back.
func ExamplePool() {
	p := arena.NewPool(2, func() (arena.Backing, error) { return arena.NewMmap(1 << 20) })
	defer p.Close()

	var kept []string
	for _, path := range []string{"a.go", "b.go", "c.go"} {
		a, err := p.Checkout()
		if err != nil {
			fmt.Println(err)
			return
		}
		scratch, _ := arena.CopyString(a, path)
		kept = append(kept, string(scratch)) // copied out: it outlives the arena
		p.GiveBack(a)
	}
	m := p.Metrics()
	fmt.Println(kept, m.Mints, m.Reuses, p.IdleCount())
	// Output:
	// [a.go b.go c.go] 1 2 1
}

// Grow extends the most recent allocation in place, for tables whose size is
// learned while filling them.
func ExampleGrow() {
	a := arena.New(arena.NewHeap(256))
	lines, _ := arena.MakeUninit[uint32](a, 0)
	for _, off := range []uint32{0, 12, 31, 40} {
		var err error
		if lines, err = arena.Append(a, lines, off); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(lines, a.Len())
	// Output:
	// [0 12 31 40] 16
}

// Mark and RewindTo free what a step allocated once its result is known.
func ExampleArena_RewindTo() {
	a := arena.New(arena.NewHeap(64))
	keep, _ := arena.CopyString(a, "kept")
	m := a.Mark()
	_, _ = a.Alloc(40, 8) // a step's temporary data
	a.RewindTo(m)
	fmt.Println(string(keep), a.Len(), a.Peak())
	// Output:
	// kept 4 48
}
