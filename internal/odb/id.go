// Package odb reads git objects for walking history: loose objects and pack files
// (mmap'd, with their .idx and delta chains), tuned so that per-worker readers
// place object contents in arena memory and share nothing mutable.
//
// A DB (Open) is shared by all goroutines; each goroutine reads through its
// own Reader (DB.NewReader), which keeps a zlib inflater, reusable buffers and
// a byte-bounded cache of delta bases. The parsers (ParseCommit, ParseTag,
// TreeIter) work on raw object bytes without copying: their results alias
// the bytes they were given.
//
// Errors wrap ErrNotFound, ErrCorrupt, ErrAmbiguous or ErrClosed and name the
// object id and the pack or loose file concerned.
package odb

import (
	"encoding/hex"
	"fmt"
)

// ID is a SHA-1 object id.
type ID [20]byte

// ZeroID is the all-zero id, which names no object.
var ZeroID ID

// String returns the id as 40 lowercase hex digits.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the all-zero id.
func (id ID) IsZero() bool { return id == ZeroID }

// ParseID parses 40 hex digits (either case) into an ID.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 2*len(id) {
		return id, fmt.Errorf("object id %q: want 40 hex digits", s)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("object id %q: not hex", s)
	}
	return id, nil
}

// Type is the type of a git object, numbered as in pack files.
type Type uint8

// The object types a repository holds.
const (
	BadType Type = 0
	Commit  Type = 1
	Tree    Type = 2
	Blob    Type = 3
	Tag     Type = 4
)

// String returns git's name for the type ("commit", "tree", "blob", "tag").
func (t Type) String() string {
	switch t {
	case Commit:
		return "commit"
	case Tree:
		return "tree"
	case Blob:
		return "blob"
	case Tag:
		return "tag"
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// typeByName returns the type git names name ("commit", "tree", "blob",
// "tag"), or BadType.
func typeByName(name []byte) Type {
	switch string(name) {
	case "commit":
		return Commit
	case "tree":
		return Tree
	case "blob":
		return Blob
	case "tag":
		return Tag
	}
	return BadType
}
