package mailmap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNotBlob is the cause of the error Load returns when mailmap.blob names
// an object that is not a blob (git: "mailmap is not a blob").
var ErrNotBlob = errors.New("mailmap is not a blob")

// Sources says where a repository's mailmap comes from.
type Sources struct {
	WorkTree string // the work tree's top folder, "" when bare
	GitDir   string // the git directory (the base of a relative File when bare)
	File     string // mailmap.file, "" when unset
	Blob     string // mailmap.blob, "" when unset
}

// ReadBlob reads the object an object name (a revision or TREE-ISH:PATH)
// names: ok is false when the name names nothing, and blob is false when
// the object is not a blob. Its errors are returned as they are, so they
// should name the object.
type ReadBlob func(name string) (data []byte, ok, blob bool, err error)

// Load reads a repository's mailmap as `git shortlog` and
// `git check-mailmap` read it (git 2.39 read_mailmap), lowest precedence
// first: the work tree's .mailmap (not followed when it is a symbolic link;
// none in a bare repository), the blob src.Blob names (HEAD:.mailmap by
// default in a bare repository; a name that resolves to nothing is skipped,
// as git skips it), then the file src.File names (relative to the work
// tree's top, or to the git directory when bare).
//
// A source that exists but cannot be read is reported in the error, and
// the returned Map still holds every other source: git warns and goes on,
// and callers may do the same.
func Load(src Sources, read ReadBlob) (*Map, error) {
	m := &Map{}
	var errs []error
	base := src.WorkTree
	if base == "" {
		base = src.GitDir
	}
	if src.WorkTree != "" {
		file := filepath.Join(src.WorkTree, ".mailmap")
		if fi, err := os.Lstat(file); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			// git opens it with O_NOFOLLOW and fails with ELOOP.
			errs = append(errs, fmt.Errorf("unable to open mailmap at %s: it is a symbolic link", file))
		} else if err := addFile(m, file); err != nil {
			errs = append(errs, err)
		}
	}
	blob := src.Blob
	if blob == "" && src.WorkTree == "" {
		blob = "HEAD:.mailmap"
	}
	if blob != "" {
		if err := addBlob(m, blob, read); err != nil {
			errs = append(errs, err)
		}
	}
	if file := src.File; file != "" {
		if !filepath.IsAbs(file) {
			file = filepath.Join(base, file)
		}
		if err := addFile(m, file); err != nil {
			errs = append(errs, err)
		}
	}
	return m, errors.Join(errs...)
}

// addFile adds a mailmap file; a missing file is no error (ENOENT).
func addFile(m *Map, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("unable to open mailmap at %s: %w", file, err)
	}
	m.AddFile(data)
	return nil
}

// addBlob adds the blob that name resolves to. As git's read_mailmap_blob,
// a name that resolves to no object is silently skipped.
func addBlob(m *Map, name string, read ReadBlob) error {
	data, ok, blob, err := read(name)
	if err != nil {
		return err
	}
	if !ok {
		return nil // git: repo_get_oid failed, nothing to read
	}
	if !blob {
		return fmt.Errorf("%s: %w", name, ErrNotBlob)
	}
	m.Add(data)
	return nil
}
