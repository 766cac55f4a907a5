//go:build !linux

package mmap

// hugeOnRequest is false: only Linux gives huge pages on request.
func hugeOnRequest(size int) bool { return false }
