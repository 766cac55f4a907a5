//go:build !unix

package odb

import (
	"io"
	"os"
)

// mapFile reads the whole file at path into memory: the portable stand-in
// for a read-only mapping on systems without mmap support here.
func mapFile(path string) ([]byte, func() error, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}

// dropMapped has nothing to drop where packs are read into the heap.
func dropMapped([]byte) {}

// mapOpen reads the whole of the open file f: the portable stand-in for
// a read-only mapping.
func mapOpen(f *os.File) ([]byte, func() error, error) {
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
