package odb

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrBadTree is the cause of errors from a TreeIter.
var ErrBadTree = errors.New("malformed tree")

// Canonical file modes of tree entries, as git writes them.
const (
	ModeTree       uint32 = 0o040000
	ModeFile       uint32 = 0o100644
	ModeExecutable uint32 = 0o100755
	ModeSymlink    uint32 = 0o120000
	ModeGitlink    uint32 = 0o160000

	modeTypeMask uint32 = 0o170000
)

// IsTree reports whether mode is a directory (a subtree).
func IsTree(mode uint32) bool { return mode&modeTypeMask == ModeTree }

// IsGitlink reports whether mode is a submodule commit (gitlink).
func IsGitlink(mode uint32) bool { return mode&modeTypeMask == ModeGitlink }

// IsSymlink reports whether mode is a symbolic link.
func IsSymlink(mode uint32) bool { return mode&modeTypeMask == ModeSymlink }

// IsRegular reports whether mode is a regular file, executable or not.
func IsRegular(mode uint32) bool { return mode&modeTypeMask == 0o100000 }

// IsExecutable reports whether mode is an executable regular file.
func IsExecutable(mode uint32) bool { return IsRegular(mode) && mode&0o111 != 0 }

// CanonicalMode maps a raw tree mode to the one git works with
// (canon_mode in git's cache.h): regular files become 100644 or 100755,
// directories, symlinks and gitlinks their bare type, anything else a
// gitlink.
func CanonicalMode(mode uint32) uint32 {
	switch mode & modeTypeMask {
	case 0o100000:
		if mode&0o100 != 0 {
			return ModeExecutable
		}
		return ModeFile
	case ModeSymlink:
		return ModeSymlink
	case ModeTree:
		return ModeTree
	}
	return ModeGitlink
}

// TreeEntry is one entry of a tree. Name aliases the tree data.
type TreeEntry struct {
	Mode uint32 // canonical mode (CanonicalMode of the stored one)
	Name []byte
	ID   ID
}

// TreeIter iterates over the entries of raw tree data without allocating.
// The zero TreeIter is an empty tree. It is not safe for concurrent use.
type TreeIter struct {
	data []byte
	err  error
}

// NewTreeIter returns an iterator over the raw tree data.
func NewTreeIter(data []byte) TreeIter { return TreeIter{data: data} }

// Reset makes it iterate over data from the start.
func (it *TreeIter) Reset(data []byte) { *it = TreeIter{data: data} }

// Next returns the next entry, in the order stored (git's name order), or
// false at the end or on malformed data (then Err says why). Modes must be
// octal digits and names non-empty and free of NUL, as git requires when
// it decodes a tree entry (decode_tree_entry).
func (it *TreeIter) Next() (TreeEntry, bool) {
	var e TreeEntry
	if len(it.data) == 0 || it.err != nil {
		return e, false
	}
	d := it.data
	sp := bytes.IndexByte(d, ' ')
	if sp <= 0 || sp > 7 {
		return e, it.fail("malformed mode")
	}
	var mode uint32
	for _, c := range d[:sp] {
		if c < '0' || c > '7' {
			return e, it.fail("malformed mode")
		}
		mode = mode<<3 | uint32(c-'0')
	}
	rest := d[sp+1:]
	nul := bytes.IndexByte(rest, 0)
	if nul < 0 {
		return e, it.fail("truncated entry name")
	}
	if nul == 0 {
		return e, it.fail("empty filename in tree entry")
	}
	if len(rest)-nul-1 < len(e.ID) {
		return e, it.fail("truncated entry id")
	}
	e.Mode = CanonicalMode(mode)
	e.Name = rest[:nul:nul]
	copy(e.ID[:], rest[nul+1:])
	it.data = rest[nul+1+len(e.ID):]
	return e, true
}

func (it *TreeIter) fail(msg string) bool {
	it.err = fmt.Errorf("%w: %s", ErrBadTree, msg)
	it.data = nil
	return false
}

// Err returns the error that stopped the iteration, or nil at a clean end.
func (it *TreeIter) Err() error { return it.err }
