// Package index reads git's index file (the staging area) as far as
// gitwalk needs it: the entry of one path, which git names ":path" (for
// example ":.gitmodules", which submodule-config.c reads when the work
// tree has no .gitmodules). It reads versions 2, 3 and 4 of the format
// (read-cache.c: create_from_disk, with version 4's path compression),
// with SHA-1 ids, and says when it cannot answer (a split index, whose
// entries live partly in a shared file) rather than guess. Its tests
// compare it with `git rev-parse :PATH` and `git ls-files --stage`.
package index

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrUnsupported says the index is one this package does not read: a
// split index, or an object format other than SHA-1.
var ErrUnsupported = errors.New("index format not read by gitwalk")

// Entry is what the index holds for a path.
type Entry struct {
	Found    bool     // the path has a stage-0 entry
	ID       [20]byte // its object id
	Mode     uint32
	Unmerged bool // the path has entries of stages 1 to 3 (a conflict)
}

const (
	headerSize = 12
	fixedSize  = 40 + 20 + 2 // stat data, id, flags
	extended   = 0x4000
	stageMask  = 0x3000
	nameMask   = 0x0fff
)

// Lookup reads the index file at file and returns path's entry. A file
// that does not exist is an empty index (no entry, no error). Entries are
// sorted by path, so the reading stops past path's place, and reads the
// file whole only when a shared index beside it says it may be a split
// one, whose "link" extension follows the entries.
func Lookup(file, path string) (Entry, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return Entry{}, nil
	}
	if err != nil {
		return Entry{}, err
	}
	defer f.Close()
	whole := mayBeSplit(filepath.Dir(file))
	buf := make([]byte, 4<<10)
	for {
		n, err := io.ReadFull(f, buf)
		data := buf[:n]
		atEnd := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !atEnd {
			return Entry{}, err
		}
		if e, err := lookup(data, path, whole, atEnd); !errors.Is(err, errShort) {
			return e, err
		}
		// The part read ends before path's place: read twice as much.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return Entry{}, err
		}
		buf = make([]byte, 2*len(buf))
	}
}

// mayBeSplit reports whether the folder holds a shared index
// (sharedindex.<id>), which a split index's entries are partly in.
func mayBeSplit(dir string) bool {
	names, err := os.ReadDir(dir)
	if err != nil {
		return true // then read the index whole
	}
	for _, n := range names {
		if strings.HasPrefix(n.Name(), "sharedindex.") {
			return true
		}
	}
	return false
}

// errShort says the data given to lookup ends before it could answer.
var errShort = errors.New("index: more to read")

// lookup finds path's entry in data, the index file or (atEnd false)
// its first part: errShort when that part ends before path's place, or,
// when whole, before the end of the extensions.
func lookup(data []byte, path string, whole, atEnd bool) (Entry, error) {
	short := func(err error) error {
		if !atEnd {
			return errShort
		}
		return err
	}
	var e Entry
	if len(data) < headerSize && !atEnd {
		return e, errShort
	}
	if len(data) < headerSize || string(data[:4]) != "DIRC" {
		return e, errors.New("index: bad signature")
	}
	version := binary.BigEndian.Uint32(data[4:])
	if version < 2 || version > 4 {
		return e, fmt.Errorf("index: version %d", version)
	}
	count := binary.BigEndian.Uint32(data[8:])
	pos := headerSize
	var prev []byte // version 4: the previous entry's path
	for i := uint32(0); i < count; i++ {
		start := pos
		if len(data)-pos < fixedSize+2 {
			return e, short(errors.New("index: truncated entry"))
		}
		mode := binary.BigEndian.Uint32(data[pos+24:])
		var id [20]byte
		copy(id[:], data[pos+40:pos+60])
		flags := binary.BigEndian.Uint16(data[pos+60:])
		pos += fixedSize
		if flags&extended != 0 {
			if version < 3 {
				return e, errors.New("index: extended flags in a version 2 index")
			}
			pos += 2
		}
		var name []byte
		if version == 4 {
			strip, n := varint(data[pos:])
			if n <= 0 {
				return e, short(errors.New("index: truncated path"))
			}
			if strip > uint64(len(prev)) {
				return e, errors.New("index: bad path compression")
			}
			pos += n
			nul := bytes.IndexByte(data[pos:], 0)
			if nul < 0 {
				return e, short(errors.New("index: truncated path"))
			}
			name = append(prev[:len(prev)-int(strip):len(prev)-int(strip)], data[pos:pos+nul]...)
			prev = name
			pos += nul + 1
		} else {
			n := int(flags & nameMask)
			if n == nameMask {
				n = bytes.IndexByte(data[pos:], 0) // a name of 4095 bytes or more
			}
			if n < 0 || len(data)-pos < n+1 {
				return e, short(errors.New("index: truncated path"))
			}
			name = data[pos : pos+n]
			// 1 to 8 NULs pad the entry to a multiple of 8 bytes.
			pos = start + (pos-start+n+8)&^7
		}
		switch c := bytes.Compare(name, []byte(path)); {
		case c == 0 && flags&stageMask == 0:
			e.Found, e.ID, e.Mode = true, id, mode
		case c == 0:
			e.Unmerged = true
		case c > 0 && !whole:
			return e, nil // sorted by path: nothing of path's is left
		}
	}
	// The extensions, up to the trailing checksum: a split index's
	// "link" says entries are in a shared file too.
	if !atEnd {
		return e, errShort
	}
	for end := len(data) - 20; pos < end; {
		if end-pos < 8 {
			return e, errors.New("index: truncated extension")
		}
		sig, size := string(data[pos:pos+4]), int(binary.BigEndian.Uint32(data[pos+4:]))
		if size > end-pos-8 {
			return e, errors.New("index: truncated extension")
		}
		if sig == "link" {
			return Entry{}, ErrUnsupported
		}
		pos += 8 + size
	}
	return e, nil
}

// varint decodes git's variable-length integer (varint.c decode_varint):
// seven bits a byte, most significant first, each continuation adding one
// so that no value has two encodings. It returns the value and the bytes
// read, or 0 bytes when data ends first or the value overflows.
func varint(data []byte) (uint64, int) {
	var v uint64
	for i, c := range data {
		if i > 0 {
			if v+1 > (1<<57)-1 {
				return 0, 0
			}
			v = (v + 1) << 7
		}
		v |= uint64(c & 127)
		if c&128 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}
