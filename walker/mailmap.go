package walker

import (
	"fmt"

	"github.com/gitwalk/gitwalk/internal/mailmap"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/refs"
	"github.com/gitwalk/gitwalk/internal/revision"
	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// ErrMailmapNotBlob is the cause of the error Mailmap returns when
// mailmap.blob names an object that is not a blob (git: "mailmap is not a
// blob").
var ErrMailmapNotBlob = mailmap.ErrNotBlob

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
	src := mailmap.Sources{WorkTree: r.workTree, GitDir: r.gitDir, File: r.cfg.MailmapFile, Blob: r.cfg.MailmapBlob}
	return mailmap.Load(src, r.readMailmapBlob)
}

// SharedMailmap is Mailmap read once for the Repo: every call returns the
// same Map and error. The Map is shared: read it (Lookup, safe for
// concurrent use), never change it. A command that maps identities and
// also checks for bots read the mailmap twice, one read on the command's
// goroutine before its walk (0.4 ms of a warm run of go-git: HEAD's tree
// and the blob inflated).
func (r *Repo) SharedMailmap() (*mailmap.Map, error) {
	r.mailmapOnce.Do(func() { r.mailmap, r.mailmapErr = r.Mailmap() })
	return r.mailmap, r.mailmapErr
}

// readMailmapBlob resolves a mailmap.blob name and reads the object.
func (r *Repo) readMailmapBlob(name string) (data []byte, ok, blob bool, err error) {
	return r.readBlobNamed(name, "mailmap")
}

// readBlobNamed resolves a revision name (HEAD:.mailmap) and reads the
// object: ok is false when the name resolves to nothing, blob says whether
// the object is a blob. An object that cannot be read is an error naming
// what it is read for.
func (r *Repo) readBlobNamed(name, what string) (data []byte, ok, blob bool, err error) {
	rr := revision.NewResolver(revwalk.NewGraph(revwalk.NewODBSource(r.db), nil), refs.Open(r.gitDir))
	id, ok, err := rr.Object(name)
	if err != nil || !ok {
		return nil, false, false, err
	}
	typ, data, err := r.db.NewReader().Read(id, nil)
	if err != nil {
		return nil, false, false, fmt.Errorf("unable to read %s object at %s: %w", what, name, err)
	}
	return data, true, typ == odb.Blob, nil
}
