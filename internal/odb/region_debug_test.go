//go:build arenadebug

package odb

import "testing"

func TestRegionCatchesAWriteAfterFree(t *testing.T) {
	r := mustRegion(t, 8*regionGranule)
	b := r.alloc(8 * regionGranule)
	r.free(b)
	if b[100] != poisonByte {
		t.Fatalf("a freed block holds %#x, want the poison %#x", b[100], poisonByte)
	}
	b[100] = 1 // a bug: the buffer is used after it was given back
	defer func() {
		if recover() == nil {
			t.Fatal("a block written after free was handed out again without a panic")
		}
	}()
	r.alloc(8 * regionGranule)
}
