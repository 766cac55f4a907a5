//go:build race

package linguist

// raceEnabled says the race detector is on: its sync.Pool drops pooled
// values at random, so regexp's matchers are reallocated and allocation
// counts mean nothing.
const raceEnabled = true
