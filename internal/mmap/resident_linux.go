package mmap

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Resident returns how many of the whole pages of b are in physical memory,
// asking the kernel with mincore(2). b must start on a page boundary. It is
// meant for tests and tuning; it is exact only at the moment of the call.
func Resident(b []byte) (int, error) {
	b = wholePages(b)
	if len(b) == 0 {
		return 0, nil
	}
	vec := make([]byte, len(b)/pageSize)
	// unsafe: mincore reads the address range and writes one byte per page
	// into vec; both slices are live for the duration of the call.
	_, _, errno := unix.Syscall(unix.SYS_MINCORE,
		uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)),
		uintptr(unsafe.Pointer(unsafe.SliceData(vec))))
	if errno != 0 {
		return 0, fmt.Errorf("mmap: mincore %d bytes: %w", len(b), errno)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n, nil
}
