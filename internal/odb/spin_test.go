package odb

import (
	"runtime"
	"sync"
	"testing"
)

// TestSpinningMutexExcludes has goroutines, more than processors, add to
// a counter under the lock without atomics: a lost update means two held
// it at once (and -race reports the unsynchronised accesses).
func TestSpinningMutexExcludes(t *testing.T) {
	var m spinningMutex
	const goroutines, adds = 8, 20000
	counter := 0
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < adds; i++ {
				m.Lock()
				v := counter
				if i%64 == 0 {
					// Hold it across a yield now and then, so that others
					// spin out and block in Lock.
					runtime.Gosched()
				}
				counter = v + 1
				m.Unlock()
			}
		}()
	}
	wg.Wait()
	if counter != goroutines*adds {
		t.Fatalf("counter = %d, want %d", counter, goroutines*adds)
	}
}
