//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package mmap

// mapPopulate is zero where mmap has no populate flag; mapAnon then touches
// each page itself.
const mapPopulate = 0

// adviseHuge does nothing: these systems have no such advice.
func adviseHuge(b []byte) error { return nil }
