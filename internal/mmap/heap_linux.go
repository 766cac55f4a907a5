package mmap

import (
	"bytes"
	"os"

	"golang.org/x/sys/unix"
)

// hugeOnRequest says whether advising huge pages behind a block of size
// bytes of the heap would do anything and cannot hurt: transparent huge
// pages are given on request ("[madvise]"; with "[always]" the heap has
// them already, with "[never]" never), the kernel does not refuse to
// commit memory it has not got (vm.overcommit_memory 2 could fail the
// mapping), and the address space is not limited near the block's size.
func hugeOnRequest(size int) bool {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !bytes.Contains(mode, []byte("[madvise]")) {
		return false
	}
	if o, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err != nil || bytes.HasPrefix(o, []byte("2")) {
		return false
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &lim); err != nil {
		return false
	}
	return lim.Cur == unix.RLIM_INFINITY || lim.Cur/8 >= uint64(size)
}
