//go:build arenadebug

package odb

import "fmt"

// debug turns on checks that a delta-base buffer of a region is not
// used after it is freed: freed blocks are poisoned, and a block handed
// out again must still hold only poison (or the zeros of memory never
// used).
const debug = true

// poisonByte fills freed region memory, as the arena package does.
const poisonByte = 0xA5

func poisonRegion(b []byte) {
	for i := range b {
		b[i] = poisonByte
	}
}

func checkPoison(b []byte) {
	for i, v := range b {
		if v != poisonByte && v != 0 {
			panic(fmt.Sprintf("odb: byte %d of a free delta-base buffer was written after it was freed (%#x)", i, v))
		}
	}
}
