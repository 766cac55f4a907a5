//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package mmap

import (
	"errors"
	"runtime/debug"
	"testing"

	"golang.org/x/sys/unix"
)

// countCalls replaces the system call hooks with counting wrappers for the
// duration of the test.
func countCalls(t *testing.T) map[string]int {
	t.Helper()
	counts := map[string]int{}
	mm, mu, ma, mp := sysMmap, sysMunmap, sysMadvise, sysMprotect
	t.Cleanup(func() { sysMmap, sysMunmap, sysMadvise, sysMprotect = mm, mu, ma, mp })
	sysMmap = func(fd int, off int64, n, prot, flags int) ([]byte, error) {
		counts["mmap"]++
		return mm(fd, off, n, prot, flags)
	}
	sysMunmap = func(b []byte) error { counts["munmap"]++; return mu(b) }
	sysMadvise = func(b []byte, advice int) error { counts["madvise"]++; return ma(b, advice) }
	sysMprotect = func(b []byte, prot int) error { counts["mprotect"]++; return mp(b, prot) }
	return counts
}

func TestEveryCallMakesOneSystemCall(t *testing.T) {
	counts := countCalls(t)
	b, err := Map(3*PageSize(), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := Release(b[PageSize():]); err != nil {
		t.Fatal(err)
	}
	if err := Protect(b, ReadOnly); err != nil {
		t.Fatal(err)
	}
	if err := Protect(b, ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := Unmap(b); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"mmap": 1, "madvise": 1, "mprotect": 2, "munmap": 1}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("%s called %d times, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
}

func TestFailedSystemCallsAreReturnedWrapped(t *testing.T) {
	mm := sysMmap
	t.Cleanup(func() { sysMmap = mm })
	sysMmap = func(int, int64, int, int, int) ([]byte, error) { return nil, unix.ENOMEM }
	_, err := Map(1, false)
	if !errors.Is(err, unix.ENOMEM) {
		t.Fatalf("Map with mmap failing = %v, want an error matching ENOMEM", err)
	}
}

func TestProtectNoAccessMakesReadsFaultAndReadWriteUndoesIt(t *testing.T) {
	b, err := Map(PageSize(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer mustUnmap(t, b)
	b[0] = 7
	if err := Protect(b, NoAccess); err != nil {
		t.Fatal(err)
	}
	if !faults(func() { sink = b[0] }) {
		t.Fatal("reading a NoAccess page did not fault")
	}
	if err := Protect(b, ReadOnly); err != nil {
		t.Fatal(err)
	}
	if b[0] != 7 {
		t.Fatalf("ReadOnly page reads %d, want 7", b[0])
	}
	if !faults(func() { b[0] = 8 }) {
		t.Fatal("writing a ReadOnly page did not fault")
	}
	if err := Protect(b, ReadWrite); err != nil {
		t.Fatal(err)
	}
	b[0] = 9
}

// sink keeps reads that only test for faults from being optimised away.
var sink byte

// faults reports whether f faulted on a memory access.
func faults(f func()) (faulted bool) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			faulted = true
		}
	}()
	f()
	return false
}
