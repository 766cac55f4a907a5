package mmap

import (
	"runtime/debug"
	"unsafe"
)

// hugePage is the size of a transparent huge page on the systems that
// have them (x86-64 and arm64 with 4 KiB pages).
const hugePage = 2 << 20

// AdviseHeapHuge asks the system to back about size bytes of the Go heap
// with huge pages, and says whether it did. The runtime maps its heap in
// small pages and asks for no huge pages, and a first touch of a small
// page is costly (about 11 us on the VM gitwalk is measured on): the pages
// a process touches once, as a walk's growing heap does, cost more than
// the work done in them. It allocates a block of size bytes, which the
// runtime maps but does not touch, asks for huge pages behind it
// (madvise MADV_HUGEPAGE), and lets the GC take it back: the next
// allocation starts a collection, which frees it while the program goes
// on. The runtime then serves later allocations from that memory, first
// fit by address, and their first touch faults 2 MiB at a time.
//
// It is for a program's main, once, first thing: a block allocated once
// the heap has been collected may take in memory the heap used and freed,
// which the runtime then clears whole, small page by small page (the cost
// this is meant to spare).
// It does nothing (and says false) where the advice would do nothing or
// the block could fail to map, which the runtime treats as fatal: a system
// without transparent huge pages on request (see hugeOnRequest), or a
// process whose address space is limited.
func AdviseHeapHuge(size int) bool {
	_, ok := adviseHeapHuge(size)
	return ok
}

// adviseHeapHuge is AdviseHeapHuge, saying which addresses it advised.
func adviseHeapHuge(size int) (advised [2]uintptr, ok bool) {
	if size < 2*hugePage || !hugeOnRequest(size) {
		return advised, false
	}
	// With the GC off while the block is live, its allocation does not
	// start a cycle of its own beside the one that frees it: 2 to 3 ms
	// less at the start of every walk here (each cycle wakes threads).
	gcPercent := debug.SetGCPercent(-1)
	b := make([]byte, size)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := (p + hugePage - 1) &^ (hugePage - 1)
	end := (p + uintptr(size)) &^ (hugePage - 1)
	err := adviseHuge(b[start-p : end-p])
	b = nil
	// The GC on again, the next allocation finds the heap far past its
	// goal and starts a cycle, which frees the block while the caller
	// goes on. A collection here, waited for (runtime.GC), was 0.6 to
	// 1.6 ms of the caller's, a tenth of a warm run of go-git.
	debug.SetGCPercent(gcPercent)
	return [2]uintptr{start, end}, err == nil
}
