package mmap

import "golang.org/x/sys/unix"

// mapPopulate asks the kernel to fault a new mapping in at once.
const mapPopulate = unix.MAP_POPULATE
