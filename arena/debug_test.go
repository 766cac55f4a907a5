//go:build arenadebug

package arena

import (
	rtdebug "runtime/debug"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/mmap"
)

func TestASliceKeptPastGiveBackFaultsAtOnce(t *testing.T) {
	if !mmap.Native() {
		t.Skip("no memory protection on this system")
	}
	p := NewPool(1, mmapFactory(1<<16))
	defer closePool(t, p)
	a := mustCheckout(t, p)
	kept, err := CopyString(a, "tree entry")
	if err != nil {
		t.Fatal(err)
	}
	p.GiveBack(a)
	if !faults(func() { sink = kept[0] }) {
		t.Fatal("reading arena memory after GiveBack did not fault")
	}
	if !faults(func() { kept[0] = 'x' }) {
		t.Fatal("writing arena memory after GiveBack did not fault")
	}
	again := mustCheckout(t, p)
	if again != a {
		t.Fatal("the pool did not hand the same arena out again")
	}
	if string(kept) != strings.Repeat("\xA5", len(kept)) {
		t.Fatalf("freed memory reads %q after checkout, want poison", kept)
	}
	p.GiveBack(again)
}

func TestPrewarmedArenasAreProtectedUntilCheckedOut(t *testing.T) {
	if !mmap.Native() {
		t.Skip("no memory protection on this system")
	}
	p := NewPool(1, mmapFactory(1<<16))
	defer closePool(t, p)
	if _, err := p.Prewarm(1); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	mem := p.idle[0].buf
	p.mu.Unlock()
	if !faults(func() { sink = mem[0] }) {
		t.Fatal("an idle prewarmed arena could be read")
	}
	a := mustCheckout(t, p)
	b, err := a.Alloc(10, 1)
	if err != nil {
		t.Fatal(err)
	}
	b[0] = 1
	p.GiveBack(a)
}

func TestResetAndRewindPoisonWhatTheyFree(t *testing.T) {
	a := New(NewHeap(64))
	keep, _ := a.Alloc(8, 1)
	copy(keep, "keepkeep")
	m := a.Mark()
	gone, _ := a.Alloc(8, 1)
	copy(gone, "gonegone")
	a.RewindTo(m)
	if string(keep) != "keepkeep" || string(gone) != strings.Repeat("\xA5", 8) {
		t.Fatalf("after RewindTo kept %q, freed %q; want the first intact and the second poisoned", keep, gone)
	}
	a.Reset()
	if string(keep) != strings.Repeat("\xA5", 8) {
		t.Fatalf("after Reset memory reads %q, want poison", keep)
	}
}

func TestUsingAnArenaAfterGiveBackPanics(t *testing.T) {
	p := NewPool(1, heapFactory(64))
	defer closePool(t, p)
	a := mustCheckout(t, p)
	p.GiveBack(a)
	for name, f := range map[string]func(){
		"Alloc":    func() { _, _ = a.Alloc(1, 1) },
		"Reset":    func() { a.Reset() },
		"RewindTo": func() { a.RewindTo(a.Mark()) },
	} {
		if msg := panicMessage(f); !strings.Contains(msg, "given back") {
			t.Errorf("%s on an idle arena: panic %q, want one saying it was given back", name, msg)
		}
	}
}

// sink keeps reads that only test for faults from being optimised away.
var sink byte

// faults reports whether f faulted on a memory access.
func faults(f func()) (faulted bool) {
	old := rtdebug.SetPanicOnFault(true)
	defer rtdebug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			faulted = true
		}
	}()
	f()
	return false
}
