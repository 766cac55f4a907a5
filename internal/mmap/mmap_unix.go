//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package mmap

import (
	"os"

	"golang.org/x/sys/unix"
)

const native = true

var pageSize = unix.Getpagesize()

// The system calls, as values so that tests can count and fail them.
var (
	sysMmap     = unix.Mmap
	sysMunmap   = unix.Munmap
	sysMadvise  = unix.Madvise
	sysMprotect = unix.Mprotect
)

func mapAnon(size int, populate bool) ([]byte, error) {
	flags := unix.MAP_ANON | unix.MAP_PRIVATE
	if populate {
		flags |= mapPopulate
	}
	b, err := sysMmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, flags)
	if err != nil {
		return nil, err
	}
	if populate && mapPopulate == 0 {
		for i := 0; i < len(b); i += pageSize {
			b[i] = 0
		}
	}
	return b, nil
}

func unmap(b []byte) error { return sysMunmap(b) }

func release(b []byte) error { return sysMadvise(b, unix.MADV_DONTNEED) }

func protect(b []byte, access Access) error {
	prot := unix.PROT_NONE
	switch access {
	case ReadOnly:
		prot = unix.PROT_READ
	case ReadWrite:
		prot = unix.PROT_READ | unix.PROT_WRITE
	}
	return sysMprotect(b, prot)
}

func mapFile(f *os.File, size int) ([]byte, error) {
	return sysMmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
}
