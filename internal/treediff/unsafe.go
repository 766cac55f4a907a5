package treediff

import "unsafe"

// unsafeString views b as a string without copying. It is the package's one
// use of unsafe, for matching paths built in the differ's reusable buffer
// against the pathspec on the hot path. Safe because the pathspec only reads
// the string during the call and keeps nothing of it.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
