//go:build !race

package linguist

const raceEnabled = false
