package main

import (
	"fmt"
	"strings"
)

// rng is a small deterministic generator (xorshift64*), so that the
// fixtures do not depend on math/rand's algorithm staying the same.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 2685821657736338717
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

var words = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
	"sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"}

// uniqueLines returns n distinct lines, each ending in "\n", named by tag
// so that lines of different calls never equal each other.
func uniqueLines(tag string, n int) []string {
	r := rng(uint64(len(tag))*0x9e3779b97f4a7c15 + 1)
	for _, c := range tag {
		r = rng(uint64(r)*31 + uint64(c) + 1)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %05d %s %s\n", tag, i, words[r.intn(len(words))], words[r.intn(len(words))])
	}
	return out
}

func join(parts ...[]string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, l := range p {
			b.WriteString(l)
		}
	}
	return b.String()
}

// repeat returns n copies of line.
func repeat(line string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = line
	}
	return out
}

// textWithNUL returns size bytes of text lines with a NUL byte at offset.
func textWithNUL(offset, size int) []byte {
	b := make([]byte, size)
	for i := range b {
		if i%64 == 63 {
			b[i] = '\n'
		} else {
			b[i] = 'a' + byte(i%26)
		}
	}
	b[offset] = 0
	b[size-1] = '\n'
	return b
}

// longLines returns n lines of width bytes each (plus "\n").
func longLines(n, width int) []string {
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		fmt.Fprintf(&b, "long line %d: ", i)
		for b.Len() < width {
			b.WriteString(words[(b.Len()/7+i)%len(words)])
			b.WriteByte(' ')
		}
		out[i] = b.String()[:width] + "\n"
	}
	return out
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
