package walker

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitwalk/gitwalk/internal/mailmap"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/refs"
	"github.com/gitwalk/gitwalk/internal/revision"
	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// ErrMailmapNotBlob is the cause of the error Mailmap returns when
// mailmap.blob names an object that is not a blob (git: "mailmap is not a
// blob").
var ErrMailmapNotBlob = errors.New("mailmap is not a blob")

// Mailmap reads the repository's mailmap as `git shortlog` and
// `git check-mailmap` read it (git 2.39 read_mailmap), lowest precedence
// first: the work tree's .mailmap (not followed when it is a symbolic link;
// none in a bare repository), the blob mailmap.blob names (HEAD:.mailmap
// by default in a bare repository; a name that resolves to nothing is
// skipped, as git skips it), then the file mailmap.file names (relative to
// the work tree's top, or to the git directory when bare).
//
// A source that exists but cannot be read is reported in the error, and
// the returned Map still holds every other source: git warns and goes on,
// and callers may do the same. The Map is the caller's; Mailmap is safe
// for concurrent use.
func (r *Repo) Mailmap() (*mailmap.Map, error) {
	m := &mailmap.Map{}
	var errs []error
	base := r.workTree
	if base == "" {
		base = r.gitDir
	}
	if r.workTree != "" {
		file := filepath.Join(r.workTree, ".mailmap")
		if fi, err := os.Lstat(file); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			// git opens it with O_NOFOLLOW and fails with ELOOP.
			errs = append(errs, fmt.Errorf("unable to open mailmap at %s: it is a symbolic link", file))
		} else if err := addMailmapFile(m, file); err != nil {
			errs = append(errs, err)
		}
	}
	blob := r.cfg.MailmapBlob
	if blob == "" && r.workTree == "" {
		blob = "HEAD:.mailmap"
	}
	if blob != "" {
		if err := r.addMailmapBlob(m, blob); err != nil {
			errs = append(errs, err)
		}
	}
	if file := r.cfg.MailmapFile; file != "" {
		if !filepath.IsAbs(file) {
			file = filepath.Join(base, file)
		}
		if err := addMailmapFile(m, file); err != nil {
			errs = append(errs, err)
		}
	}
	return m, errors.Join(errs...)
}

// addMailmapFile adds a mailmap file; a missing file is no error (ENOENT).
func addMailmapFile(m *mailmap.Map, file string) error {
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

// addMailmapBlob adds the blob that name resolves to (an object name, or
// TREE-ISH:PATH). As git's read_mailmap_blob, a name that resolves to no
// object is silently skipped.
func (r *Repo) addMailmapBlob(m *mailmap.Map, name string) error {
	id, ok, err := r.resolveBlobName(name)
	if err != nil {
		return err
	}
	if !ok {
		return nil // git: repo_get_oid failed, nothing to read
	}
	rd := r.db.NewReader()
	typ, data, err := rd.Read(id, nil)
	if err != nil {
		return fmt.Errorf("unable to read mailmap object at %s: %w", name, err)
	}
	if typ != odb.Blob {
		return fmt.Errorf("%s: %w", name, ErrMailmapNotBlob)
	}
	m.Add(data)
	return nil
}

// resolveBlobName resolves an object name as get_oid does for the forms a
// mailmap.blob takes: a revision (see Options.Revisions for the names), or
// TREE-ISH:PATH, split at the first ':' outside braces. ok is false when the
// name names nothing. The index forms (":PATH", ":N:PATH") name nothing here.
func (r *Repo) resolveBlobName(name string) (id odb.ID, ok bool, err error) {
	rr := revision.NewResolver(revwalk.NewGraph(revwalk.NewODBSource(r.db), nil), refs.Open(r.gitDir))
	colon, depth := -1, 0
	for i := 0; i < len(name) && colon < 0; i++ {
		switch {
		case name[i] == '{':
			depth++
		case name[i] == '}' && depth > 0:
			depth--
		case name[i] == ':' && depth == 0:
			colon = i
		}
	}
	if colon < 0 {
		id, err := rr.OID(name)
		return id, err == nil, nil
	}
	if colon == 0 {
		return id, false, nil
	}
	tree, err := rr.PeelOnion(name[:colon], "tree")
	if err != nil {
		return id, false, nil
	}
	path := name[colon+1:]
	if path == "" {
		return tree, true, nil
	}
	rd := r.db.NewReader()
	id = tree
	for _, part := range strings.Split(path, "/") {
		if part == "" {
			continue
		}
		typ, data, err := rd.Read(id, nil)
		if err != nil {
			return id, false, fmt.Errorf("read tree %s for %s: %w", id, name, err)
		}
		if typ != odb.Tree {
			return id, false, nil
		}
		found := false
		it := odb.NewTreeIter(data)
		for e, more := it.Next(); more; e, more = it.Next() {
			if bytes.Equal(e.Name, []byte(part)) {
				id, found = e.ID, true
				break
			}
		}
		if !found {
			return id, false, nil
		}
	}
	return id, true, nil
}
