package arena

import "unsafe"

// This file is the package's only use of unsafe. It converts between arena
// bytes and typed slices, and reads addresses for alignment.
//
// Why it is safe:
//   - Make, MakeUninit, Grow and Append only instantiate these with element
//     types that hold no pointers (checked by mustBePointerFree), so the
//     garbage collector never needs to see pointers in arena memory, whether
//     that memory is an mmap'd range it does not scan or a Go byte slice it
//     scans as pointer-free.
//   - The bytes handed to bytesAs were aligned for T by Arena.Alloc (which
//     aligns the absolute address) and are exactly n*sizeof(T) long.
//   - Addresses are only compared and used for arithmetic as integers; no
//     integer is ever turned back into a pointer.
//
// What would catch a violation: TestMakeRefusesTypesWithPointers (the type
// check), TestAllocAlignsAbsoluteAddresses (alignment), and the fuzz test
// (bounds and overlap).

// addr returns the address of the first element of b's underlying array.
func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// addrOf returns the address of the first element of s's underlying array.
func addrOf[T any](s []T) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(s))) }

// bytesAs views b, aligned for T and n*sizeof(T) bytes long, as n values of
// the pointer-free type T.
func bytesAs[T any](b []byte, n int) []T {
	if n == 0 {
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), 0)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// sizeAlign returns the size and alignment of T.
func sizeAlign[T any]() (size, align int) {
	var zero T
	return int(unsafe.Sizeof(zero)), int(unsafe.Alignof(zero))
}
