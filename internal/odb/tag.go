package odb

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/gitwalk/gitwalk/arena"
)

// ErrBadTag is the cause of errors from ParseTag.
var ErrBadTag = errors.New("malformed tag")

// ParseTag returns the object an annotated tag points to and that
// object's type, read from the tag's "object" and "type" lines as git's
// parse_tag_buffer does.
func ParseTag(data []byte) (ID, Type, error) {
	var target ID
	const objLen = len("object ") + 40
	if len(data) < objLen+1 || !bytes.HasPrefix(data, []byte("object ")) || data[objLen] != '\n' {
		return target, BadType, fmt.Errorf("%w: no object line", ErrBadTag)
	}
	if !decodeHexID(&target, data[7:objLen]) {
		return target, BadType, fmt.Errorf("%w: bad object id", ErrBadTag)
	}
	rest := data[objLen+1:]
	if !bytes.HasPrefix(rest, []byte("type ")) {
		return target, BadType, fmt.Errorf("%w: no type line", ErrBadTag)
	}
	rest = rest[len("type "):]
	eol := bytes.IndexByte(rest, '\n')
	if eol < 0 {
		return target, BadType, fmt.Errorf("%w: unterminated type line", ErrBadTag)
	}
	t := typeByName(rest[:eol])
	if t == BadType {
		return target, BadType, fmt.Errorf("%w: unknown type %q", ErrBadTag, rest[:eol])
	}
	return target, t, nil
}

// maxPeelDepth bounds a chain of tags pointing at tags.
const maxPeelDepth = 100

// Peel follows annotated tags from id to the first object that is not a
// tag and returns its id and type (id itself when it is not a tag). Tag
// contents are read into a (or the heap when a is nil); nothing of them
// is kept. A tag chain longer than 100 or a malformed tag is an error
// naming the tag.
func (r *Reader) Peel(id ID, a *arena.Arena) (ID, Type, error) {
	for range maxPeelDepth {
		typ, _, err := r.ReadHeader(id)
		if err != nil {
			return id, BadType, err
		}
		if typ != Tag {
			return id, typ, nil
		}
		_, data, err := r.Read(id, a)
		if err != nil {
			return id, BadType, err
		}
		target, _, err := ParseTag(data)
		if err != nil {
			return id, BadType, fmt.Errorf("tag %s: %w", id, err)
		}
		id = target
	}
	return id, BadType, fmt.Errorf("tag chain longer than %d at %s: %w", maxPeelDepth, id, ErrCorrupt)
}
