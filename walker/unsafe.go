package walker

import "unsafe"

// unsafeString views b as a string without copying. It is the package's one
// use of unsafe, for matching paths built in reusable buffers against
// pathspecs and attributes on the hot path. Safe because every callee only
// reads the string during the call and copies it before keeping it
// (attributes.lookup clones its cache key; see TestAttributesKeepNoView).
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
