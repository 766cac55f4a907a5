package renames

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
)

// gappyBlobs holds blobs in memory; the ids in gone are unavailable.
type gappyBlobs struct {
	data  map[odb.ID]string
	gone  map[odb.ID]bool
	asked map[odb.ID]int // Size and Read calls per id
}

func (b *gappyBlobs) Size(id odb.ID) (int64, error) {
	b.asked[id]++
	if b.gone[id] {
		return 0, fmt.Errorf("object %s: %w", id, ErrUnavailable)
	}
	return int64(len(b.data[id])), nil
}

func (b *gappyBlobs) Read(id odb.ID, a *arena.Arena) ([]byte, error) {
	b.asked[id]++
	if b.gone[id] {
		return nil, fmt.Errorf("object %s: %w", id, ErrUnavailable)
	}
	return []byte(b.data[id]), nil
}

func gappyID(n byte) odb.ID { var x odb.ID; x[0], x[19] = n, n; return x }

// TestAnUnavailableBlobPairsOnlyExactly: a file whose blob cannot be had
// still pairs by id; a similar pair with one unavailable side is not made,
// whether the source or the destination is missing, and the detection goes
// on without an error, asking once per file.
func TestAnUnavailableBlobPairsOnlyExactly(t *testing.T) {
	text := strings.Repeat("a line of the file\n", 40)
	edited := text + "one more line\n"
	for _, tc := range []struct {
		name      string
		gone      odb.ID
		wantPairs string
	}{
		{"all available: the exact and the similar pair", odb.ID{}, "0->0 1->1"},
		{"the similar pair's source unavailable", gappyID(2), "0->0"},
		{"the similar pair's destination unavailable", gappyID(3), "0->0"},
		{"the exact pair's blob unavailable", gappyID(1), "0->0 1->1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &gappyBlobs{data: map[odb.ID]string{gappyID(1): "same\n", gappyID(2): text, gappyID(3): edited},
				gone: map[odb.ID]bool{tc.gone: true}, asked: map[odb.ID]int{}}
			src := []File{{Path: "old/same.txt", Mode: 0o100644, ID: gappyID(1)}, {Path: "old/edit.txt", Mode: 0o100644, ID: gappyID(2)}}
			dst := []File{{Path: "new/same.txt", Mode: 0o100644, ID: gappyID(1)}, {Path: "new/edit.txt", Mode: 0o100644, ID: gappyID(3)}}
			a := arena.New(arena.NewHeap(1 << 20))
			res, err := New(b, Options{}).Detect(a, src, dst)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			var got []string
			for _, p := range res.Pairs {
				got = append(got, fmt.Sprintf("%d->%d", p.Src, p.Dst))
			}
			if strings.Join(got, " ") != tc.wantPairs {
				t.Fatalf("pairs %v, want %s", got, tc.wantPairs)
			}
			if tc.gone != (odb.ID{}) && tc.gone != gappyID(1) && b.asked[tc.gone] != 1 {
				t.Fatalf("the unavailable blob was asked for %d times, want once", b.asked[tc.gone])
			}
		})
	}
}
