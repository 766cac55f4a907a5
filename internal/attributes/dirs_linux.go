package attributes

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// dirLister lists folders for the walk of .gitattributes files with
// getdents, whose entries say their type: no entry is looked at on its
// own, and only those the walk keeps become strings. Against os.ReadDir
// and an lstat of each folder (for the links' check, now made only when a
// link is met), Digest of go-git's work tree (137 folders) went from 2.1
// to 1.3 ms, of git/git's (226) from 7.3 to 4.9 ms; what is left is the
// system's, open and getdents. Not safe for concurrent use.
type dirLister struct {
	buf []byte
}

// The offsets of a linux_dirent64's fields (see getdents64(2)).
const (
	direntIno    = 0
	direntReclen = 16
	direntType   = 18
	direntName   = 19
)

// list returns the entries of the folder abs that the walk keeps, sorted
// by name.
func (l *dirLister) list(abs string) ([]attrEntry, error) {
	fd, err := openDir(abs)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: abs, Err: err}
	}
	defer unix.Close(fd)
	if l.buf == nil {
		l.buf = make([]byte, 16<<10)
	}
	var out []attrEntry
	for {
		n, err := unix.Getdents(fd, l.buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: abs, Err: err}
		}
		if n <= 0 {
			break
		}
		for b := l.buf[:n]; len(b) > 0; {
			if len(b) < direntName {
				return nil, &fs.PathError{Op: "readdirent", Path: abs, Err: unix.EIO}
			}
			size := int(binary.NativeEndian.Uint16(b[direntReclen:]))
			if size < direntName || size > len(b) {
				return nil, &fs.PathError{Op: "readdirent", Path: abs, Err: unix.EIO}
			}
			rec := b[:size]
			b = b[size:]
			if binary.NativeEndian.Uint64(rec[direntIno:]) == 0 {
				continue // a deleted file not yet gone: os.ReadDir skips these too
			}
			name := rec[direntName:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			var typ fs.FileMode
			switch rec[direntType] {
			case unix.DT_DIR:
				typ = fs.ModeDir
			case unix.DT_LNK:
				typ = fs.ModeSymlink
			case unix.DT_REG:
				if string(name) != ".gitattributes" {
					continue
				}
			case unix.DT_UNKNOWN: // a file system that does not say: ask
				var st unix.Stat_t
				if err := unix.Lstat(filepath.Join(abs, string(name)), &st); err != nil {
					continue // gone since: os.ReadDir skips it too
				}
				switch st.Mode & unix.S_IFMT {
				case unix.S_IFDIR:
					typ = fs.ModeDir
				case unix.S_IFLNK:
					typ = fs.ModeSymlink
				case unix.S_IFREG:
				default:
					continue
				}
			default:
				continue
			}
			if string(name) == "." || string(name) == ".." || !keep(string(name), typ) {
				continue
			}
			out = append(out, attrEntry{name: string(name), typ: typ})
		}
	}
	sortEntries(out)
	return out, nil
}

// openDir opens the folder abs for reading its entries.
func openDir(abs string) (int, error) {
	for {
		fd, err := unix.Open(abs, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
