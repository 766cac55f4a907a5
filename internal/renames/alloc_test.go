package renames

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
)

// memBlobs is a blob store in memory, for tests and benchmarks that need
// no repository.
type memBlobs map[odb.ID][]byte

var errNoBlob = errors.New("no such blob")

func (m memBlobs) Size(id odb.ID) (int64, error) {
	b, ok := m[id]
	if !ok {
		return 0, fmt.Errorf("blob %s: %w", id, errNoBlob)
	}
	return int64(len(b)), nil
}

func (m memBlobs) Read(id odb.ID, a *arena.Arena) ([]byte, error) {
	b, ok := m[id]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", id, errNoBlob)
	}
	if c, err := arena.Copy(a, b); err == nil {
		return c, nil
	}
	return slices.Clone(b), nil // the arena is full: on the heap, as odb.Reader does
}

// add stores content and returns its blob id, as git computes it.
func (m memBlobs) add(content string) odb.ID {
	id := odb.ID(sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(content), content))))
	m[id] = []byte(content)
	return id
}

// moveCommit is a commit that moves n files to another directory: half
// unchanged (exact renames), half edited in one line (the basename step),
// except that ten of the first thirty are also renamed (the full
// comparison, kept to a fixed size so that the cost stays linear in n).
func moveCommit(n int) (blobs memBlobs, src, dst []File) {
	blobs = memBlobs{}
	for k := range n {
		body := lines(fmt.Sprintf("file %d line", k), 1, 30)
		name := fmt.Sprintf("f%05d.c", k)
		newName := name
		edited := body
		switch {
		case k < 30 && k%3 == 2:
			edited = strings.Replace(body, "line 9\n", "line nine\n", 1)
			newName = fmt.Sprintf("g%05d.c", k)
		case k%2 == 1:
			edited = strings.Replace(body, "line 7\n", "line seven\n", 1)
		}
		dir := fmt.Sprintf("%03d/", k/30) // a group shares a directory
		src = append(src, File{Path: "old/" + dir + name, Mode: odb.ModeFile, ID: blobs.add(body)})
		dst = append(dst, File{Path: "new/" + dir + newName, Mode: odb.ModeFile, ID: blobs.add(edited)})
	}
	return blobs, src, dst
}

// TestDetectAllocations checks that a detection allocates on the Go heap
// only to grow its scratch: run again on a commit of any size, it
// allocates nothing more, and the rename limit keeps the matrix small.
func TestDetectAllocations(t *testing.T) {
	a := arena.New(arena.NewHeap(64 << 20))
	big := 3000
	blobs, src, dst := moveCommit(big)
	d := New(blobs, Options{})
	run := func(n int) Result {
		a.Reset()
		res, err := d.Detect(a, src[:n], dst[:n])
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run(big) // grows the scratch
	if len(res.Pairs) != big || res.NeededLimit != 0 {
		t.Fatalf("%d pairs of %d, needed limit %d", len(res.Pairs), big, res.NeededLimit)
	}
	exact := 0
	for _, p := range res.Pairs {
		if p.Src != p.Dst {
			t.Fatalf("%s paired with %s", src[p.Src].Path, dst[p.Dst].Path)
		}
		if p.Score == MaxScore {
			exact++
		}
	}
	if exact != big/2-5 { // the even files but the five renamed
		t.Errorf("%d exact renames, want %d", exact, big/2-5)
	}
	for _, n := range []int{30, 300, big} {
		if allocs := testing.AllocsPerRun(5, func() { run(n) }); allocs != 0 {
			t.Errorf("moving %d files: %.0f allocations per detection, want 0", n, allocs)
		}
	}
}

// TestDetectErrors checks that a missing blob comes back as an error that
// names the file.
func TestDetectErrors(t *testing.T) {
	blobs, src, dst := moveCommit(30)
	for k := range dst {
		if k%3 == 2 {
			delete(blobs, dst[k].ID)
		}
	}
	_, err := New(blobs, Options{}).Detect(arena.New(arena.NewHeap(1<<20)), src, dst)
	if !errors.Is(err, errNoBlob) || !strings.Contains(err.Error(), "new/000/g00002.c") {
		t.Errorf("missing blob: error %v, want one naming new/000/g00002.c", err)
	}
}

// TestDetectSmallArena checks that a commit too large for the arena is
// detected all the same, with what did not fit on the Go heap.
func TestDetectSmallArena(t *testing.T) {
	blobs, src, dst := moveCommit(300)
	want, err := New(blobs, Options{}).Detect(arena.New(arena.NewHeap(16<<20)), src, dst)
	if err != nil || want.HeapBytes != 0 {
		t.Fatalf("large arena: %v, %d bytes on the heap", err, want.HeapBytes)
	}
	for _, size := range []int{0, 4 << 10, 12 << 10, 40 << 10} {
		got, err := New(blobs, Options{}).Detect(arena.New(arena.NewHeap(size)), src, dst)
		if err != nil {
			t.Fatalf("arena of %d bytes: %v", size, err)
		}
		if !slices.Equal(got.Pairs, want.Pairs) || got.HeapBytes == 0 {
			t.Errorf("arena of %d bytes: %d pairs (want %d), %d bytes on the heap",
				size, len(got.Pairs), len(want.Pairs), got.HeapBytes)
		}
		for j := range dst {
			if p, ok := got.ForDest(j); !ok || p.Src != int32(j) {
				t.Errorf("arena of %d bytes: %s paired with %v", size, dst[j].Path, p)
				break
			}
		}
	}
}

// BenchmarkDetectMoves detects a commit that moves n files (see
// moveCommit): allocations per op must not grow with n.
func BenchmarkDetectMoves(b *testing.B) {
	for _, n := range []int{300, 3000, 30000} {
		b.Run(fmt.Sprint("files=", n), func(b *testing.B) {
			blobs, src, dst := moveCommit(n)
			a := arena.New(arena.NewHeap(256 << 20))
			d := New(blobs, Options{})
			b.ReportAllocs()
			for b.Loop() {
				a.Reset()
				if _, err := d.Detect(a, src, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// counting counts the calls a detection makes to a blob source.
type counting struct {
	memBlobs
	sizes, reads int
}

func (c *counting) Size(id odb.ID) (int64, error) { c.sizes++; return c.memBlobs.Size(id) }

func (c *counting) Read(id odb.ID, a *arena.Arena) ([]byte, error) {
	c.reads++
	return c.memBlobs.Read(id, a)
}

// TestDetectReadsLazily checks that blobs are read only when the estimate
// needs them: exact renames use ids only, sizes that rule a pair out spare
// the contents, and a file's content is read once however many pairs it
// is in.
func TestDetectReadsLazily(t *testing.T) {
	blobs := memBlobs{}
	f := func(path, content string) File { return File{Path: path, Mode: odb.ModeFile, ID: blobs.add(content)} }
	long := lines("long", 1, 100)
	for _, tc := range []struct {
		name         string
		src, dst     []File
		sizes, reads int
	}{
		{"exact renames read nothing",
			[]File{f("a", "a\n"), f("b", "b\n")}, []File{f("c", "a\n"), f("d", "b\n")}, 0, 0},
		{"sizes too far apart spare the contents",
			[]File{f("a", "a\n"), f("b", "b\n")}, []File{f("c", long), f("d", long+"x\n")}, 4, 0},
		{"each content is read once",
			[]File{f("a", long+"a\n"), f("b", long+"b\n"), f("e", long+"e\n")},
			[]File{f("c", long+"c\n"), f("d", long+"d\n")}, 5, 5},
		{"symlinks and gitlinks read nothing",
			[]File{{Path: "l", Mode: odb.ModeSymlink, ID: blobs.add("t")}, {Path: "s", Mode: odb.ModeGitlink, ID: odb.ID{1}}},
			[]File{{Path: "m", Mode: odb.ModeSymlink, ID: blobs.add("u")}, {Path: "g", Mode: odb.ModeGitlink, ID: odb.ID{2}}}, 0, 0},
	} {
		c := &counting{memBlobs: blobs}
		if _, err := New(c, Options{}).Detect(arena.New(arena.NewHeap(1<<20)), tc.src, tc.dst); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.sizes != tc.sizes || c.reads != tc.reads {
			t.Errorf("%s: %d sizes and %d reads, want %d and %d", tc.name, c.sizes, c.reads, tc.sizes, tc.reads)
		}
	}
}
