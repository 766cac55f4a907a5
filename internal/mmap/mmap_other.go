//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package mmap

import (
	"io"
	"os"
)

// The heap fallback: memory comes from the Go heap (so it is scanned as a
// byte slice, which holds no pointers), Release and Protect do nothing.

const native = false

const pageSize = 4096

// The "system calls" of the fallback, as values like the real ones so that
// tests read the same everywhere.
var (
	sysMmap   = func(size int) ([]byte, error) { return make([]byte, size), nil }
	sysMunmap = func(b []byte) error { return nil }
)

func mapAnon(size int, populate bool) ([]byte, error) { return sysMmap(size) }

func unmap(b []byte) error { return sysMunmap(b) }

func release(b []byte) error { return nil }

func protect(b []byte, access Access) error { return nil }

func mapFile(f *os.File, size int) ([]byte, error) {
	b := make([]byte, size)
	_, err := io.ReadFull(io.NewSectionReader(f, 0, int64(size)), b)
	return b, err
}

func adviseHuge(b []byte) error { return nil }
