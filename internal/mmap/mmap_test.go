package mmap

import (
	"errors"
	"testing"
)

func TestMapRoundsSizesUpToWholePagesOfZeros(t *testing.T) {
	ps := PageSize()
	tests := []struct {
		name string
		size int
		want int
	}{
		{"one byte takes a page", 1, ps},
		{"a page takes a page", ps, ps},
		{"a page and a byte take two pages", ps + 1, 2 * ps},
		{"a megabyte takes whole pages", 1 << 20, RoundUp(1 << 20)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Map(tc.size, false)
			if err != nil {
				t.Fatal(err)
			}
			defer mustUnmap(t, b)
			if len(b) != tc.want {
				t.Fatalf("Map(%d) has %d bytes, want %d", tc.size, len(b), tc.want)
			}
			for i, v := range b {
				if v != 0 {
					t.Fatalf("byte %d of a new mapping is %#x, want 0", i, v)
				}
			}
			b[0], b[len(b)-1] = 1, 2 // writable end to end
		})
	}
}

func TestMapRefusesSizesThatAreNotPositive(t *testing.T) {
	for _, size := range []int{0, -1, -maxSize, maxSize + 1} {
		if b, err := Map(size, false); !errors.Is(err, ErrSize) {
			t.Errorf("Map(%d) = %d bytes, %v; want an error matching ErrSize", size, len(b), err)
		}
	}
}

func TestPageSizeIsAPowerOfTwo(t *testing.T) {
	ps := PageSize()
	if ps <= 0 || ps&(ps-1) != 0 {
		t.Fatalf("PageSize() = %d, want a positive power of two", ps)
	}
}

func TestReleaseAndProtectOfNothingDoNothing(t *testing.T) {
	if err := Release(nil); err != nil {
		t.Errorf("Release(nil) = %v", err)
	}
	if err := Protect(nil, NoAccess); err != nil {
		t.Errorf("Protect(nil) = %v", err)
	}
}

func mustUnmap(t *testing.T, b []byte) {
	t.Helper()
	if err := Unmap(b); err != nil {
		t.Fatal(err)
	}
}

func TestMapHugeGivesZeroedWritableMemory(t *testing.T) {
	const size = 3<<20 + 5
	b, err := MapHuge(size)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != RoundUp(size) {
		t.Fatalf("len %d, want %d", len(b), RoundUp(size))
	}
	for i := 0; i < len(b); i += 4096 {
		if b[i] != 0 {
			t.Fatalf("byte %d is %d, want 0", i, b[i])
		}
		b[i] = byte(i >> 12)
	}
	if b[5<<12] != 5 {
		t.Fatal("a write did not hold")
	}
	mustUnmap(t, b)
	if _, err := MapHuge(0); err == nil {
		t.Fatal("MapHuge(0) gave memory")
	}
}
