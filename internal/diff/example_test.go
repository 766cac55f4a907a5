package diff_test

import (
	"errors"
	"fmt"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/diff"
)

func ExampleCount() {
	a := arena.New(arena.NewHeap(1 << 20))
	old := []byte("a\nb\nc\n")
	new := []byte("a\nB\nc\nd")
	st, err := diff.Count(a, old, new, diff.Myers)
	if errors.Is(err, arena.ErrExhausted) {
		// Retry in an arena that is always large enough.
		a = arena.New(arena.NewHeap(diff.ScratchBound(len(old), len(new))))
		st, err = diff.Count(a, old, new, diff.Myers)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d\t%d\n", st.Added, st.Deleted)
	// Output: 2	1
}
