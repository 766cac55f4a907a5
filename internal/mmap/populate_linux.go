package mmap

import "golang.org/x/sys/unix"

// mapPopulate asks the kernel to fault a new mapping in at once.
const mapPopulate = unix.MAP_POPULATE

// adviseHuge asks for transparent huge pages (2 MiB) behind b, where the
// system gives them on request (transparent_hugepage "madvise").
func adviseHuge(b []byte) error { return sysMadvise(b, unix.MADV_HUGEPAGE) }
