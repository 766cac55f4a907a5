package arena

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/gitwalk/gitwalk/internal/mmap"
)

// offsetHeap is a heap backing whose range starts skew bytes past an
// address aligned to 128, so tests can see that alignment is absolute.
type offsetHeap struct{ b []byte }

func newOffsetHeap(size, skew int) *offsetHeap {
	raw := make([]byte, size+256)
	start := int(-addr(raw)&127) + skew
	return &offsetHeap{b: raw[start : start+size : start+size]}
}

func (h *offsetHeap) Bytes() []byte  { return h.b }
func (h *offsetHeap) Release() error { h.b = nil; return nil }

func TestAllocAlignsAbsoluteAddressesAndCountsPadding(t *testing.T) {
	tests := []struct {
		name        string
		skew        int // the backing's start address modulo 64
		first       int // bytes allocated before, with alignment 1
		align       int
		wantPadding int
	}{
		{"an aligned cursor needs no padding", 0, 8, 8, 0},
		{"alignment is of the address, not the offset", 3, 0, 8, 5},
		{"a byte after an odd start pads to the next 4", 1, 1, 4, 2},
		{"alignment 1 never pads", 7, 3, 1, 0},
		{"alignment 64 pads to the cache line", 0, 1, 64, 63},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := New(newOffsetHeap(256, tc.skew))
			if _, err := a.Alloc(tc.first, 1); err != nil {
				t.Fatal(err)
			}
			b, err := a.Alloc(10, tc.align)
			if err != nil {
				t.Fatal(err)
			}
			if got := addr(b) % uintptr(tc.align); got != 0 {
				t.Errorf("address is %d past a multiple of %d", got, tc.align)
			}
			if got, want := a.Len(), tc.first+tc.wantPadding+10; got != want {
				t.Errorf("Len() = %d, want %d", got, want)
			}
		})
	}
}

func TestAllocThatDoesNotFitIsExhaustedAndChangesNothing(t *testing.T) {
	tests := []struct {
		name  string
		skew  int
		used  int
		size  int
		align int
		fits  bool
	}{
		{"exactly the rest fits", 0, 10, 54, 1, true},
		{"one byte more than the rest", 0, 10, 55, 1, false},
		{"padding pushes it over", 0, 1, 60, 8, false},
		{"the same size fits without padding", 0, 1, 63, 1, true},
		{"padding alone overflows", 0, 60, 0, 128, false},
		{"padding up to the very end fits an empty allocation", 0, 60, 0, 64, true},
		{"an empty allocation at the end fits", 0, 64, 0, 1, true},
		{"a huge size does not overflow", 0, 1, int(^uint(0) >> 1), 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := New(newOffsetHeap(64, tc.skew))
			first, err := a.Alloc(tc.used, 1)
			if err != nil {
				t.Fatal(err)
			}
			for i := range first {
				first[i] = 0x11
			}
			before := a.Mark()
			b, err := a.Alloc(tc.size, tc.align)
			if tc.fits {
				if err != nil || len(b) != tc.size {
					t.Fatalf("Alloc(%d, %d) = %d bytes, %v; want it to fit", tc.size, tc.align, len(b), err)
				}
				return
			}
			if !errors.Is(err, ErrExhausted) || b != nil {
				t.Fatalf("Alloc(%d, %d) = %d bytes, %v; want ErrExhausted", tc.size, tc.align, len(b), err)
			}
			if a.Mark() != before {
				t.Fatalf("a failed Alloc moved the arena from %+v to %+v", before, a.Mark())
			}
			for _, v := range first {
				if v != 0x11 {
					t.Fatal("a failed Alloc wrote to the arena")
				}
			}
		})
	}
}

func TestAllocOfANegativeSizeIsAnError(t *testing.T) {
	a := New(NewHeap(64))
	if _, err := a.Alloc(-1, 1); !errors.Is(err, ErrInvalidSize) {
		t.Fatalf("Alloc(-1, 1) error = %v, want ErrInvalidSize", err)
	}
	if _, err := Make[int64](a, -3); !errors.Is(err, ErrInvalidSize) {
		t.Fatalf("Make(-3) error = %v, want ErrInvalidSize", err)
	}
	if a.Len() != 0 {
		t.Fatalf("Len() = %d after refused allocations", a.Len())
	}
}

func TestAllocWithAnAlignmentThatIsNotAPowerOfTwoPanics(t *testing.T) {
	for _, align := range []int{0, -8, 3, 12} {
		msg := panicMessage(func() { _, _ = New(NewHeap(64)).Alloc(1, align) })
		if !strings.Contains(msg, "power of two") {
			t.Errorf("Alloc(1, %d) panic = %q, want one about powers of two", align, msg)
		}
	}
}

func TestAppendingToAnAllocationDoesNotOverwriteTheNext(t *testing.T) {
	a := New(NewHeap(64))
	b1, _ := a.Alloc(4, 1)
	b2, _ := a.Alloc(4, 1)
	copy(b2, "next")
	b1 = append(b1, 'x')
	if string(b2) != "next" {
		t.Fatalf("append to an earlier allocation overwrote the next one: %q", b2)
	}
	_ = b1
}

func TestZeroArenaHasNoRoom(t *testing.T) {
	var a Arena
	if _, err := a.Alloc(1, 1); !errors.Is(err, ErrExhausted) {
		t.Fatalf("zero Arena Alloc(1) error = %v, want ErrExhausted", err)
	}
	if b, err := a.Alloc(0, 1); err != nil || len(b) != 0 {
		t.Fatalf("zero Arena Alloc(0) = %v, %v; want empty, nil", b, err)
	}
	if a.Cap() != 0 || a.Remaining() != 0 {
		t.Fatalf("zero Arena Cap %d Remaining %d", a.Cap(), a.Remaining())
	}
}

type record struct {
	ID    [20]byte
	Count int32
	Flag  bool
	Sizes [3]uint64
}

func TestMakeReturnsZeroedAlignedValuesEvenFromReusedMemory(t *testing.T) {
	a := New(newOffsetHeap(1024, 1))
	junk, _ := a.Alloc(1024, 1)
	for i := range junk {
		junk[i] = 0xEE
	}
	a.Reset()
	if _, err := a.Alloc(1, 1); err != nil {
		t.Fatal(err)
	}
	rs, err := Make[record](a, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 5 || cap(rs) != 5 {
		t.Fatalf("Make(5) has len %d cap %d", len(rs), cap(rs))
	}
	if addrOf(rs)%unsafe.Alignof(record{}) != 0 {
		t.Fatal("Make returned misaligned values")
	}
	for i, r := range rs {
		if r != (record{}) {
			t.Fatalf("value %d is %+v, want zero", i, r)
		}
	}
	u, err := MakeUninit[uint16](a, 3)
	if err != nil {
		t.Fatal(err)
	}
	if u[0] == 0 {
		t.Fatalf("MakeUninit zeroed its values (%#x): it must leave them as found", u[0])
	}
}

func TestMakeThatDoesNotFitIsExhausted(t *testing.T) {
	a := New(NewHeap(100))
	if _, err := Make[uint64](a, 13); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Make 104 bytes in 100: %v, want ErrExhausted", err)
	}
	if _, err := Make[uint64](a, int(^uint(0)>>4)); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Make of an overflowing count: %v, want ErrExhausted", err)
	}
	if a.Len() != 0 {
		t.Fatalf("failed Make left Len() = %d", a.Len())
	}
	if s, err := Make[struct{}](a, 1000); err != nil || len(s) != 1000 {
		t.Fatalf("Make of empty structs = %d, %v; want 1000 free values", len(s), err)
	}
}

func TestMakeRefusesTypesWithPointers(t *testing.T) {
	tests := []struct {
		name  string
		make  func(*Arena)
		okay  bool
		label string
	}{
		{"bytes are fine", func(a *Arena) { _, _ = Make[byte](a, 1) }, true, ""},
		{"uintptr is fine: the collector does not follow it", func(a *Arena) { _, _ = Make[uintptr](a, 1) }, true, ""},
		{"structs of numbers and arrays are fine", func(a *Arena) { _, _ = Make[record](a, 1) }, true, ""},
		{"an empty array of pointers holds none", func(a *Arena) { _, _ = Make[[0]*int](a, 1) }, true, ""},
		{"a string is refused", func(a *Arena) { _, _ = Make[string](a, 1) }, false, "string"},
		{"a slice is refused", func(a *Arena) { _, _ = Make[[]byte](a, 1) }, false, "[]uint8"},
		{"a map is refused", func(a *Arena) { _, _ = Make[map[int]int](a, 1) }, false, "map[int]int"},
		{"a pointer is refused", func(a *Arena) { _, _ = MakeUninit[*int](a, 1) }, false, "*int"},
		{"an interface is refused", func(a *Arena) { _, _ = Make[any](a, 1) }, false, "interface {}"},
		{"a func is refused", func(a *Arena) { _, _ = Make[func()](a, 1) }, false, "func()"},
		{"a chan is refused", func(a *Arena) { _, _ = Make[chan int](a, 1) }, false, "chan int"},
		{"an unsafe pointer is refused", func(a *Arena) { _, _ = Make[unsafe.Pointer](a, 1) }, false, "unsafe.Pointer"},
		{"a struct with a string inside is refused", func(a *Arena) {
			_, _ = Make[struct {
				N    int
				Name string
			}](a, 1)
		}, false, "Name string"},
		{"an array of pointers is refused", func(a *Arena) { _, _ = Make[[2]*byte](a, 1) }, false, "[2]*uint8"},
		{"growing a slice of strings is refused", func(a *Arena) { _, _ = Grow[string](a, nil, 1) }, false, "string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 2 { // the second time answers from the cache
				msg := panicMessage(func() { tc.make(New(NewHeap(64))) })
				if tc.okay && msg != "" {
					t.Fatalf("panicked: %s", msg)
				}
				if !tc.okay && !(strings.Contains(msg, "holds pointers") && strings.Contains(msg, tc.label)) {
					t.Fatalf("panic = %q, want one naming %q and saying it holds pointers", msg, tc.label)
				}
			}
		})
	}
}

func TestThePointerCheckIsCachedPerCompositeType(t *testing.T) {
	type fresh struct{ A, B uint32 }
	typ := reflect.TypeFor[fresh]()
	pointerFree.Delete(typ) // in case of -count > 1
	if _, ok := pointerFree.Load(typ); ok {
		t.Fatal("type cached before first use")
	}
	if _, err := Make[fresh](New(NewHeap(64)), 1); err != nil {
		t.Fatal(err)
	}
	if v, ok := pointerFree.Load(typ); !ok || v != true {
		t.Fatalf("after first use the cache holds %v, %v; want true", v, ok)
	}
}

func TestCopyAndCopyStringCopyIntoTheArena(t *testing.T) {
	a := New(NewHeap(16))
	src := []byte("hello")
	c, err := Copy(a, src)
	if err != nil || string(c) != "hello" {
		t.Fatalf("Copy = %q, %v", c, err)
	}
	src[0] = 'j'
	if string(c) != "hello" {
		t.Fatal("Copy shares memory with its source")
	}
	s, err := CopyString(a, "world")
	if err != nil || string(s) != "world" {
		t.Fatalf("CopyString = %q, %v", s, err)
	}
	if _, err := CopyString(a, "too long for it"); !errors.Is(err, ErrExhausted) {
		t.Fatalf("CopyString past the end: %v, want ErrExhausted", err)
	}
	if _, err := Copy(a, make([]byte, 7)); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Copy past the end: %v, want ErrExhausted", err)
	}
	if a.Len() != 10 {
		t.Fatalf("Len() = %d, want 10", a.Len())
	}
}

func TestGrowExtendsTheMostRecentAllocationInPlace(t *testing.T) {
	a := New(NewHeap(64))
	s, _ := Make[uint32](a, 2)
	s[0], s[1] = 1, 2
	g, err := Grow(a, s, 3)
	if err != nil {
		t.Fatal(err)
	}
	if addrOf(g) != addrOf(s) || len(g) != 5 || cap(g) != 5 {
		t.Fatalf("Grow moved or misshaped the table: len %d cap %d moved %v", len(g), cap(g), addrOf(g) != addrOf(s))
	}
	if a.Len() != 20 || g[0] != 1 || g[1] != 2 {
		t.Fatalf("after growth Len() = %d, values %v", a.Len(), g[:2])
	}
	g, err = Append(a, g, 6, 7)
	if err != nil || len(g) != 7 || g[5] != 6 || g[6] != 7 || addrOf(g) != addrOf(s) {
		t.Fatalf("Append in place = %v, %v", g, err)
	}
	if _, err := Grow(a, g, 10); !errors.Is(err, ErrExhausted) {
		t.Fatalf("Grow past the end: %v, want ErrExhausted", err)
	}
	if a.Len() != 28 {
		t.Fatalf("a failed Grow changed Len() to %d", a.Len())
	}
}

func TestGrowCopiesWhatIsNotTheMostRecentAllocation(t *testing.T) {
	tests := []struct {
		name  string
		setup func(a *Arena) []uint16
	}{
		{"an allocation followed by another", func(a *Arena) []uint16 {
			s, _ := Make[uint16](a, 2)
			_, _ = a.Alloc(1, 1)
			return s
		}},
		{"a slice from the Go heap", func(a *Arena) []uint16 { return []uint16{0, 0} }},
		{"a prefix of the most recent allocation", func(a *Arena) []uint16 {
			s, _ := Make[uint16](a, 4)
			return s[:2]
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := New(NewHeap(64))
			s := tc.setup(a)
			s[0], s[1] = 10, 20
			g, err := Append(a, s, 30)
			if err != nil {
				t.Fatal(err)
			}
			if addrOf(g) == addrOf(s) {
				t.Fatal("grew in place over memory that was not free")
			}
			if len(g) != 3 || g[0] != 10 || g[1] != 20 || g[2] != 30 {
				t.Fatalf("Append = %v, want [10 20 30]", g)
			}
		})
	}
}

func TestRewindToFreesEverythingAllocatedSinceTheMark(t *testing.T) {
	a := New(NewHeap(64))
	_, _ = a.Alloc(8, 1)
	m := a.Mark()
	b1, _ := a.Alloc(16, 1)
	_, _ = a.Alloc(16, 1)
	a.RewindTo(m)
	if a.Len() != 8 || a.Peak() != 40 {
		t.Fatalf("after rewind Len %d Peak %d, want 8 and 40", a.Len(), a.Peak())
	}
	b2, _ := a.Alloc(16, 1)
	if addr(b1) != addr(b2) {
		t.Fatal("memory freed by RewindTo was not handed out again")
	}
}

func TestRewindToAStaleMarkPanics(t *testing.T) {
	tests := []struct {
		name string
		run  func(a *Arena)
	}{
		{"a mark from before Reset", func(a *Arena) {
			m := a.Mark()
			a.Reset()
			a.RewindTo(m)
		}},
		{"a mark already rewound past", func(a *Arena) {
			m1 := a.Mark()
			_, _ = a.Alloc(4, 1)
			m2 := a.Mark()
			a.RewindTo(m1)
			a.RewindTo(m2)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := panicMessage(func() { tc.run(New(NewHeap(64))) })
			if !strings.Contains(msg, "reverse order") {
				t.Fatalf("panic = %q, want advice on marks", msg)
			}
		})
	}
}

func TestResetEmptiesTheArenaAndPeaksRemember(t *testing.T) {
	a := New(NewHeap(100))
	_, _ = a.Alloc(60, 1)
	if a.Len() != 60 || a.Remaining() != 40 || a.Cap() != 100 || a.Peak() != 60 {
		t.Fatalf("Len %d Remaining %d Cap %d Peak %d", a.Len(), a.Remaining(), a.Cap(), a.Peak())
	}
	a.Reset()
	if a.Len() != 0 || a.Remaining() != 100 || a.Peak() != 0 || a.LifetimePeak() != 60 {
		t.Fatalf("after Reset: Len %d Remaining %d Peak %d LifetimePeak %d",
			a.Len(), a.Remaining(), a.Peak(), a.LifetimePeak())
	}
	_, _ = a.Alloc(30, 1)
	if a.Peak() != 30 || a.LifetimePeak() != 60 {
		t.Fatalf("second cycle Peak %d LifetimePeak %d, want 30 60", a.Peak(), a.LifetimePeak())
	}
	_, _ = a.Alloc(45, 1)
	if a.LifetimePeak() != 75 {
		t.Fatalf("LifetimePeak %d, want 75 while the current cycle is the highest", a.LifetimePeak())
	}
}

func TestNewWithoutABackingPanics(t *testing.T) {
	if msg := panicMessage(func() { New(nil) }); !strings.Contains(msg, "NewHeap") {
		t.Fatalf("New(nil) panic = %q, want advice", msg)
	}
}

func TestMmapBackingIsWholePagesAndReleasesOnce(t *testing.T) {
	m, err := NewMmap(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Bytes()) != mmap.PageSize() {
		t.Fatalf("NewMmap(1) has %d bytes, want a page", len(m.Bytes()))
	}
	a := New(m)
	b, err := a.Alloc(a.Cap(), 1)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] = 1
	if err := m.Release(); err != nil {
		t.Fatal(err)
	}
	if err := m.Release(); err != nil || m.Bytes() != nil {
		t.Fatalf("second Release = %v, Bytes %d long; want nil and none", err, len(m.Bytes()))
	}
	if _, err := NewMmap(0); !errors.Is(err, mmap.ErrSize) {
		t.Fatalf("NewMmap(0) error = %v, want one matching mmap.ErrSize", err)
	}
}

func TestMmapReleasePagesReleasesOnlyWholePagesInside(t *testing.T) {
	if !mmap.Native() {
		t.Skip("no mmap on this system")
	}
	ps := mmap.PageSize()
	var got [][2]int
	m, err := NewMmap(8 * ps)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Release()
	base := addr(m.Bytes())
	old := releaseMemory
	t.Cleanup(func() { releaseMemory = old })
	releaseMemory = func(b []byte) error {
		got = append(got, [2]int{int(addr(b) - base), len(b)})
		return nil
	}
	tests := []struct {
		name      string
		off, n    int
		wantCalls [][2]int
	}{
		{"whole pages are released", ps, 2 * ps, [][2]int{{ps, 2 * ps}}},
		{"partial pages at both ends are kept", ps + 1, 3 * ps, [][2]int{{2 * ps, 2 * ps}}},
		{"less than a page releases nothing", 10, 100, nil},
		{"the end of the range counts as a page end", 6 * ps, 2 * ps, [][2]int{{6 * ps, 2 * ps}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			if err := m.ReleasePages(tc.off, tc.n); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.wantCalls) {
				t.Fatalf("released %v, want %v", got, tc.wantCalls)
			}
		})
	}
}

func TestHeapBackingIsExactlyItsSize(t *testing.T) {
	h := NewHeap(100)
	if len(h.Bytes()) != 100 {
		t.Fatalf("NewHeap(100) has %d bytes", len(h.Bytes()))
	}
	if err := h.Release(); err != nil || h.Bytes() != nil {
		t.Fatalf("Release = %v, then %d bytes", err, len(h.Bytes()))
	}
	if msg := panicMessage(func() { NewHeap(-1) }); msg == "" {
		t.Fatal("NewHeap(-1) did not panic")
	}
}

// panicMessage runs f and returns what it panicked with, or "" if it did not.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = toString(r)
		}
	}()
	f()
	return ""
}

func toString(r any) string {
	switch v := r.(type) {
	case string:
		return v
	case error:
		return v.Error()
	}
	return reflect.ValueOf(r).String()
}
