package odb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
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
	mode, sp, nul, msg := parseEntry(it.data)
	if msg != "" {
		return e, it.fail(msg)
	}
	d := it.data
	e.Mode = CanonicalMode(mode)
	e.Name = d[sp+1 : nul : nul]
	copy(e.ID[:], d[nul+1:])
	it.data = d[nul+1+len(e.ID):]
	return e, true
}

// parseEntry checks the tree entry at the start of d and returns its mode
// as stored, the positions of the space after the mode and of the NUL
// after the name (the id follows it), or why it is malformed.
func parseEntry(d []byte) (mode uint32, sp, nul int, msg string) {
	sp = bytes.IndexByte(d, ' ')
	if sp <= 0 || sp > 7 {
		return 0, 0, 0, "malformed mode"
	}
	for _, c := range d[:sp] {
		if c < '0' || c > '7' {
			return 0, 0, 0, "malformed mode"
		}
		mode = mode<<3 | uint32(c-'0')
	}
	nul = bytes.IndexByte(d[sp+1:], 0)
	if nul < 0 {
		return 0, 0, 0, "truncated entry name"
	}
	if nul == 0 {
		return 0, 0, 0, "empty filename in tree entry"
	}
	nul += sp + 1
	if len(d)-nul-1 < len(ID{}) {
		return 0, 0, 0, "truncated entry id"
	}
	return mode, sp, nul, ""
}

// SkipSame advances a and b past the entries at their fronts that are the
// same bytes in both, mode, name and id, and returns how many it skipped:
// a tree diff need not look at them. Two versions of a tree mostly share
// long runs of entries, found here by comparing eight bytes at a time; the
// entries skipped are checked as Next checks them, on one side since both
// hold the same bytes, and a malformed one stops the skip for Next to
// report.
func SkipSame(a, b *TreeIter) int {
	if a.err != nil || b.err != nil {
		return 0
	}
	same := commonPrefix(a.data, b.data)
	n, pos := 0, 0
	for pos < same {
		_, _, nul, msg := parseEntry(a.data[pos:])
		end := pos + nul + 1 + len(ID{})
		if msg != "" || end > same {
			break
		}
		pos = end
		n++
	}
	a.data, b.data = a.data[pos:], b.data[pos:]
	return n
}

// commonPrefix is the length of the longest prefix a and b share.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

func (it *TreeIter) fail(msg string) bool {
	it.err = fmt.Errorf("%w: %s", ErrBadTree, msg)
	it.data = nil
	return false
}

// Err returns the error that stopped the iteration, or nil at a clean end.
func (it *TreeIter) Err() error { return it.err }
