package walker

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/diff"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestHeapFallbackIsSizedByLines walks a file of 40,000 lines (4 MB) and
// its edit with arenas of 1 MiB, so that the blobs and the line diff both
// outgrow the arena: the counts must be git's, the unit must have fallen
// back to the heap, and the fallback must allocate in proportion to the
// lines, not to diff.ScratchBound's one line per byte (that bound, 0.4 GB
// here, grew to 44 GB for two 600 MB files and the runtime died out of
// memory).
func TestHeapFallbackIsSizedByLines(t *testing.T) {
	r := testrepos.NewHistory(t)
	var v1, v2 strings.Builder
	for i := 0; i < 40000; i++ {
		line := fmt.Sprintf("line %06d %s\n", i, strings.Repeat("x", 88))
		v1.WriteString(line)
		if i%100 == 50 {
			line = fmt.Sprintf("edited %06d\n", i)
		}
		v2.WriteString(line)
	}
	for i, content := range []string{v1.String(), v2.String()} {
		fmt.Fprintf(&r.Stream, "commit refs/heads/main\ncommitter C <c@example.com> %d +0000\ndata 1\nc\n", 1600000000+i)
		fmt.Fprintf(&r.Stream, "M 100644 inline big.txt\ndata %d\n%s\n", len(content), content)
	}
	r.Git("fast-import", "--quiet")
	r.Git("symbolic-ref", "HEAD", "refs/heads/main")
	want := r.Git("log", "--numstat", "--no-renames", "--format=%H")

	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	arenas := arena.NewPool(1, func() (arena.Backing, error) { return arena.NewMmap(1 << 20) })
	defer arenas.Close()
	var stats Stats
	var got strings.Builder
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	err = repo.Walk(context.Background(), Options{Workers: 1, Arenas: arenas, Stats: &stats}, func(c *Commit) error {
		fmt.Fprintf(&got, "%s\n\n", c.Hash)
		for _, ch := range c.Changes {
			fmt.Fprintf(&got, "%d\t%d\t%s\n", ch.Added, ch.Deleted, ch.Path)
		}
		return nil
	})
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	// git separates commits with a blank line; the walk's rendering ends
	// each with its changes. Compare line sets of counts.
	if g, w := strings.ReplaceAll(got.String(), "\n\n", "\n"), strings.ReplaceAll(want, "\n\n", "\n"); g != w {
		t.Fatalf("walk:\n%s\ngit:\n%s", g, w)
	}
	if stats.HeapFallback == 0 {
		t.Fatalf("no unit fell back to the heap with 1 MiB arenas: the case proves nothing (%+v)", stats)
	}
	n := v1.Len()
	bound := diff.ScratchBound(n, n)
	alloc := m1.TotalAlloc - m0.TotalAlloc
	t.Logf("%d heap fallbacks; the walk allocated %d bytes; ScratchBound of the pair is %d", stats.HeapFallback, alloc, bound)
	if alloc > uint64(bound)/4 {
		t.Errorf("the walk allocated %d bytes, not far below ScratchBound's %d: the fallback is not sized by lines", alloc, bound)
	}
}
