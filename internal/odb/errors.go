package odb

import (
	"errors"
	"fmt"
)

// Sentinel errors; match them with errors.Is. Every error returned by this
// package wraps one of them with the object id and the file concerned.
var (
	// ErrNotFound means the object (or id prefix) is not in the repository.
	ErrNotFound = errors.New("object not found")
	// ErrCorrupt means a pack, index or loose object is damaged or malformed.
	ErrCorrupt = errors.New("corrupt object")
	// ErrAmbiguous means an abbreviated id matches more than one object.
	ErrAmbiguous = errors.New("ambiguous object id prefix")
	// ErrClosed means the DB was closed.
	ErrClosed = errors.New("object database closed")
)

// MissingError is the error for an object that no pack and no loose file
// of the repository holds (while every pack could be opened): a partial
// clone's or a damaged store's missing object, which a caller may choose to
// pass over as `git rev-list --missing` does. It matches ErrNotFound.
type MissingError struct{ ID ID }

func (e *MissingError) Error() string { return fmt.Sprintf("object %s: %s", e.ID, ErrNotFound) }

// Unwrap makes a MissingError match ErrNotFound.
func (e *MissingError) Unwrap() error { return ErrNotFound }

// notFound is the error for a missing object.
func notFound(id ID) error {
	return &MissingError{ID: id}
}

// corruptf wraps ErrCorrupt with a message naming the object and the file.
func corruptf(id ID, file string, format string, args ...any) error {
	return fmt.Errorf("object %s in %s: %s: %w", id, file, fmt.Sprintf(format, args...), ErrCorrupt)
}
