package analysis

import "runtime"

// defaultWorkers is the walker's default: one worker per core.
func defaultWorkers() int { return runtime.GOMAXPROCS(0) }
