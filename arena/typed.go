package arena

import (
	"fmt"
	"math/bits"
	"reflect"
	"sync"
)

// Make returns n zeroed values of T from a, aligned for T. T must be
// pointer-free (numbers, bools, and arrays and structs of those); a type
// holding a string, slice, map, pointer, interface, func or channel is a
// programmer error and panics, the first time it is used. If the values do
// not fit, Make returns ErrExhausted and a is unchanged.
func Make[T any](a *Arena, n int) ([]T, error) {
	s, err := MakeUninit[T](a, n)
	clear(s)
	return s, err
}

// MakeUninit is Make without the zeroing: the values hold whatever bytes the
// arena's earlier cycles left (zeros only for fresh memory). Use it for
// tables that are filled before they are read.
func MakeUninit[T any](a *Arena, n int) ([]T, error) {
	mustBePointerFree[T]()
	size, align := sizeAlign[T]()
	if n < 0 {
		return nil, ErrInvalidSize
	}
	hi, bytes := bits.Mul(uint(n), uint(size)) // no division on the hot path
	if hi != 0 || bytes > uint(len(a.buf)-a.off) {
		return nil, ErrExhausted
	}
	b, err := a.Alloc(int(bytes), align)
	if err != nil {
		return nil, err
	}
	return bytesAs[T](b, n), nil
}

// Copy returns a copy of b in a, or ErrExhausted with a unchanged.
func Copy(a *Arena, b []byte) ([]byte, error) {
	c, err := a.Alloc(len(b), 1)
	if err != nil {
		return nil, err
	}
	copy(c, b)
	return c, nil
}

// CopyString returns the bytes of s copied into a, or ErrExhausted with a
// unchanged. (A string pointing into an arena would break the arena rule
// the moment it escaped, so the copy stays a byte slice.)
func CopyString(a *Arena, s string) ([]byte, error) {
	c, err := a.Alloc(len(s), 1)
	if err != nil {
		return nil, err
	}
	copy(c, s)
	return c, nil
}

// Grow returns s extended by n values of T, holding s's values first; the n
// new values are not zeroed. If s is the most recent allocation in a, it
// grows in place at no cost, which suits tables whose size is learned while
// filling them; otherwise the values are copied into a new allocation in a
// (s may come from anywhere). If the result does not fit, Grow returns
// ErrExhausted with a unchanged and s still valid. T must be pointer-free,
// as for Make.
func Grow[T any](a *Arena, s []T, n int) ([]T, error) {
	mustBePointerFree[T]()
	if n < 0 {
		return nil, ErrInvalidSize
	}
	size, _ := sizeAlign[T]()
	if len(s) > 0 && size > 0 && a.last >= 0 &&
		addrOf(s) == a.base+uintptr(a.last) && a.last+len(s)*size == a.off {
		if debug {
			a.checkUsable("Grow")
		}
		hi, bytes := bits.Mul(uint(n), uint(size))
		if hi != 0 || bytes > uint(len(a.buf)-a.off) {
			return nil, ErrExhausted
		}
		end := a.off + int(bytes)
		a.off = end
		return bytesAs[T](a.buf[a.last:end:end], len(s)+n), nil
	}
	if n > maxInt-len(s) {
		return nil, ErrExhausted
	}
	t, err := MakeUninit[T](a, len(s)+n)
	if err != nil {
		return nil, err
	}
	copy(t, s)
	return t, nil
}

// Append returns s with vs appended, as the built-in append does, but with
// the values in a: in place if s is the most recent allocation in a (see
// Grow), else copied. On ErrExhausted a is unchanged.
func Append[T any](a *Arena, s []T, vs ...T) ([]T, error) {
	t, err := Grow(a, s, len(vs))
	if err != nil {
		return nil, err
	}
	copy(t[len(s):], vs)
	return t, nil
}

const maxInt = int(^uint(0) >> 1)

// pointerFree caches, per composite type, whether it holds no pointers: a
// fact about the program's types that never changes, bounded by the number
// of types the program hands to the arena.
var pointerFree sync.Map // reflect.Type -> bool

// mustBePointerFree panics unless T holds no pointers. Basic types are
// (uintptr included: the collector does not follow it) are answered from
// their kind; arrays and structs are checked once and cached.
func mustBePointerFree[T any]() {
	t := reflect.TypeFor[T]()
	if k := t.Kind(); k <= reflect.Complex128 {
		return // bool, integers, floats, complexes
	}
	ok, cached := pointerFree.Load(t)
	if !cached {
		ok = !hasPointers(t)
		pointerFree.Store(t, ok)
	}
	if !ok.(bool) {
		panic(fmt.Sprintf("arena: type %v holds pointers, which arena memory must not: "+
			"store indexes or offsets into arena byte slices instead, or allocate it on the Go heap", t))
	}
}

// hasPointers reports whether a value of type t holds anything the garbage
// collector must see.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	}
	// Pointer, UnsafePointer, String, Slice, Map, Interface, Func, Chan.
	return true
}
