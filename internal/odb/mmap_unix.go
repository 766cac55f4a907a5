//go:build unix

package odb

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the whole file at path read-only. The returned release
// function unmaps it; the bytes must not be used after that.
func mapFile(path string) ([]byte, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return mapOpen(f)
}

// mapOpen maps the whole of the open file f read-only; f may be closed
// afterwards. The release function unmaps it.
func mapOpen(f *os.File) ([]byte, func() error, error) {
	path := f.Name()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := fi.Size()
	if size == 0 {
		return []byte{}, func() error { return nil }, nil
	}
	if size < 0 || size != int64(int(size)) {
		return nil, nil, fmt.Errorf("%s: file too large to map (%d bytes)", path, size)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap %s: %w", path, err)
	}
	return data, func() error { return unix.Munmap(data) }, nil
}

// dropMapped drops the pages of a read-only file mapping from the process's
// memory; they stay in the page cache and the next access maps them back
// with the file's contents, so the bytes seen do not change. An error only
// means the pages stay mapped, so it is ignored.
func dropMapped(b []byte) {
	if len(b) > 0 {
		_ = unix.Madvise(b, unix.MADV_DONTNEED)
	}
}
