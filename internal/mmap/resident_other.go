//go:build !linux

package mmap

import (
	"errors"
	"fmt"
)

// Resident returns how many of the whole pages of b are in physical memory.
// Only Linux builds implement it; elsewhere it returns an error matching
// errors.ErrUnsupported.
func Resident(b []byte) (int, error) {
	return 0, fmt.Errorf("mmap: resident pages: %w", errors.ErrUnsupported)
}
