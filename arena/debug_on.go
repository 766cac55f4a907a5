//go:build arenadebug

package arena

import "fmt"

// debug turns on poisoning of freed arena memory, protection of idle pooled
// arenas, and checks that an arena is not used while idle.
const debug = true

// poisonByte fills freed memory: a value that is neither zero nor a likely
// length, so data read after free looks wrong at once.
const poisonByte = 0xA5

func (a *Arena) checkUsable(op string) {
	if a.idle {
		panic(fmt.Sprintf("arena: %s on an arena given back to its pool: check out a new one", op))
	}
}

func poison(b []byte) {
	for i := range b {
		b[i] = poisonByte
	}
}
