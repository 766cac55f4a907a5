package mmap

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// vmaFlags returns the VmFlags of the mapping of /proc/self/smaps that
// holds addr.
func vmaFlags(t *testing.T, addr uintptr) []string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line)[0], "-"); ok && !strings.HasSuffix(strings.Fields(line)[0], ":") {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(addr) >= a && uint64(addr) < b
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Fields(strings.TrimPrefix(line, "VmFlags:"))
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return nil
}

func TestAdviseHeapHugeMarksTheHeapItFreed(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !bytes.Contains(mode, []byte("[madvise]")) {
		t.Skipf("transparent huge pages are not given on request here (%q)", mode)
	}
	advised, ok := adviseHeapHuge(16 << 20)
	if !ok {
		t.Fatal("adviseHeapHuge(16 MiB) did not advise, on a system that gives huge pages on request")
	}
	if advised[1]-advised[0] < 12<<20 || advised[0]%hugePage != 0 || advised[1]%hugePage != 0 {
		t.Fatalf("advised %#x-%#x: not the huge pages inside a 16 MiB block", advised[0], advised[1])
	}
	for _, addr := range []uintptr{advised[0], advised[1] - 1} {
		if flags := vmaFlags(t, addr); !slices.Contains(flags, "hg") {
			t.Errorf("the mapping at %#x has flags %v, without hg (MADV_HUGEPAGE)", addr, flags)
		}
	}
}

func TestAdviseHeapHugeLeavesSmallSizesAlone(t *testing.T) {
	if _, ok := adviseHeapHuge(hugePage); ok {
		t.Error("a block of one huge page was advised: it may hold none whole")
	}
}

// TestAdviseHeapHugeGivesTheBlockBack checks that the block is not kept:
// once a collection has run (the next allocation starts one), the heap no
// longer holds it.
func TestAdviseHeapHugeGivesTheBlockBack(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !bytes.Contains(mode, []byte("[madvise]")) {
		t.Skipf("transparent huge pages are not given on request here (%q)", mode)
	}
	if _, ok := adviseHeapHuge(64 << 20); !ok {
		t.Fatal("adviseHeapHuge(64 MiB) did not advise, on a system that gives huge pages on request")
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.HeapAlloc >= 64<<20 {
		t.Errorf("the heap holds %d bytes after a collection: the 64 MiB block was kept", m.HeapAlloc)
	}
}
