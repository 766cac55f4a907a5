// Package diff counts added and deleted lines between two versions of a text
// exactly as git 2.39.5 does for `git log --numstat` (default Myers and
// --minimal), with all scratch memory in an arena.
//
// The counts reproduce every step of git's xdiff that can change them: line
// splitting at '\n' with exact byte equality, trimming of the common prefix
// and suffix, the discarding of lines without a match and of many-times
// matched lines among them (xdl_cleanup_records), and Myers' divide and
// conquer with git's cost cutoff and snake heuristic (xdl_split). Sliding of
// change groups (xdl_change_compact) never changes the counts, so it is not
// run. See /work/shared/reference/git-numstat-counts.md for the facts.
//
// Newer git differs for --minimal: from 2.50 on, it no longer discards
// many-times matched lines under --minimal, so its --minimal counts can be
// lower than the ones computed here. Default counts are unchanged there.
package diff

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/gitwalk/gitwalk/arena"
)

// Algorithm selects the line diff git would run.
type Algorithm uint8

const (
	// Myers is git's default algorithm ("myers" or "default" for
	// diff.algorithm): Myers with git's cost cutoff and snake heuristic.
	Myers Algorithm = iota
	// Minimal is git's --minimal ("minimal" for diff.algorithm): Myers
	// without the heuristics, after the same line discarding as Myers.
	Minimal
)

// String returns the name git uses for the algorithm.
func (alg Algorithm) String() string {
	switch alg {
	case Myers:
		return "myers"
	case Minimal:
		return "minimal"
	}
	return fmt.Sprintf("Algorithm(%d)", uint8(alg))
}

// ErrUnsupported is wrapped by errors for diff algorithms git has but this
// package does not implement (patience, histogram).
var ErrUnsupported = errors.New("diff: algorithm not supported")

// ErrUnknownAlgorithm is wrapped by errors for algorithm names git does not
// know either, and for Algorithm values outside the constants.
var ErrUnknownAlgorithm = errors.New("diff: unknown algorithm")

// ErrTooLarge is wrapped by Count's error when a side is larger than git's
// MAX_XDIFF_SIZE (1023 MiB), the size above which git dies with "unable to
// generate diffstat" instead of printing counts.
var ErrTooLarge = errors.New("diff: input larger than git's 1023 MiB xdiff limit")

// ParseAlgorithm returns the Algorithm for a value of git's diff.algorithm or
// --diff-algorithm: "myers" and "default" give Myers, "minimal" gives
// Minimal (names are case-insensitive, as in git). "patience" and
// "histogram" give an error wrapping ErrUnsupported that names the
// algorithm; any other name gives one wrapping ErrUnknownAlgorithm.
func ParseAlgorithm(name string) (Algorithm, error) {
	switch strings.ToLower(name) {
	case "myers", "default":
		return Myers, nil
	case "minimal":
		return Minimal, nil
	case "patience", "histogram":
		return Myers, fmt.Errorf("diff algorithm %q: %w", name, ErrUnsupported)
	}
	return Myers, fmt.Errorf("diff algorithm %q: %w", name, ErrUnknownAlgorithm)
}

// Stat holds the line counts git's --numstat prints for one text file pair.
type Stat struct {
	Added, Deleted int
}

// maxInput is git's MAX_XDIFF_SIZE. It also keeps every line index, byte
// offset and diagonal sum of this package inside int32.
const maxInput = 1023 << 20

// Count returns the lines added and deleted from old to new, exactly as
// git 2.39.5's numstat counts them with alg. Both sides are treated as text;
// use IsBinary first, as git prints "-" counts when either side is binary.
//
// All scratch memory comes from a; when Count returns, a is rewound to where
// it was, so nothing of Count's stays allocated. If a is too small, the error
// wraps arena.ErrExhausted: retry with an arena of ScratchBound(len(old),
// len(new)) bytes. A nil a makes Count use a temporary Go heap arena (for
// tools and tests; the hot path passes an arena). old and new are only read.
// Count is safe for concurrent use with distinct arenas.
func Count(a *arena.Arena, old, new []byte, alg Algorithm) (Stat, error) {
	if alg > Minimal {
		return Stat{}, fmt.Errorf("count lines: %w: %v", ErrUnknownAlgorithm, alg)
	}
	if len(old) > maxInput || len(new) > maxInput {
		return Stat{}, fmt.Errorf("count lines of %d and %d bytes: %w", len(old), len(new), ErrTooLarge)
	}
	if a == nil {
		// Sized by line counts, which is far tighter than ScratchBound's
		// one-line-per-byte worst case.
		n1 := bytes.Count(old, nl) + 1
		n2 := bytes.Count(new, nl) + 1
		a = arena.New(arena.NewHeap(scratchBoundLines(n1, n2)))
	}
	m := a.Mark()
	st, err := count(a, old, new, alg == Minimal, nil)
	a.RewindTo(m)
	if err != nil {
		return Stat{}, fmt.Errorf("count lines of %d and %d bytes: %w", len(old), len(new), err)
	}
	return st, nil
}

// ScratchBound returns an upper bound of the arena bytes Count needs for
// inputs of oldLen and newLen bytes, padding included, whatever their
// content. The bound assumes one line per byte; ordinary source text needs
// far less (Count uses about 45 bytes per changed-region line at most).
func ScratchBound(oldLen, newLen int) int {
	if oldLen < 0 {
		oldLen = 0
	}
	if newLen < 0 {
		newLen = 0
	}
	return scratchBoundLines(min(oldLen, maxInput), min(newLen, maxInput))
}

// firstFewBytes is git's FIRST_FEW_BYTES: how much of a buffer
// buffer_is_binary looks at.
const firstFewBytes = 8000

// IsBinary reports whether git's buffer_is_binary calls data binary: a NUL
// byte in its first 8000 bytes. (Attributes and core.bigFileThreshold, which
// git checks first, are the caller's.)
func IsBinary(data []byte) bool {
	if len(data) > firstFewBytes {
		data = data[:firstFewBytes]
	}
	return bytes.IndexByte(data, 0) >= 0
}

var nl = []byte{'\n'}
