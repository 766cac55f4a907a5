package refs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/gitwalk/gitwalk/internal/odb"
)

// Entry is one ref resolved to the object it names (symbolic refs
// followed, tags not peeled).
type Entry struct {
	Name string
	ID   odb.ID
}

// DB lists and resolves a repository's refs through go-git's storage:
// loose and packed refs merged (a loose ref wins), symbolic refs followed.
// It reads the refs once, when first asked for a list. Not safe for
// concurrent use.
type DB struct {
	gitDir, commonDir string
	st                *filesystem.Storage
	all               []Entry // every resolvable ref under refs/, in byte order of name
	loaded            bool
}

// Open opens the refs of the repository whose git directory is gitDir.
// It works on a bare directory without a config file and, through the
// "commondir" file, on the git directory of a linked worktree (whose HEAD is
// its own and whose other refs are the common ones).
func Open(gitDir string) *DB {
	gitDir = filepath.Clean(gitDir)
	fs := osfs.New(gitDir)
	r := &DB{gitDir: gitDir, commonDir: CommonDir(gitDir)}
	if r.commonDir != gitDir {
		r.st = filesystem.NewStorage(dotgit.NewRepositoryFilesystem(fs, osfs.New(r.commonDir)), cache.NewObjectLRUDefault())
	} else {
		r.st = filesystem.NewStorage(fs, cache.NewObjectLRUDefault())
	}
	return r
}

// OtherHeads resolves the HEADs of the repository's other worktrees, as git's
// other_head_refs for --all: the main worktree first (when this is a linked
// one), then each linked worktree in directory order (readdir's, as git),
// leaving out this one, those without a "gitdir" file, and unborn HEADs.
func (r *DB) OtherHeads() ([]Entry, error) {
	var out []Entry
	add := func(dir, name string) error {
		data, err := os.ReadFile(filepath.Join(dir, "HEAD"))
		if err != nil {
			return nil
		}
		line := strings.TrimSpace(string(data))
		if target, ok := strings.CutPrefix(line, "ref:"); ok {
			id, ok, err := r.Resolve(strings.TrimSpace(target))
			if err != nil || !ok {
				return err
			}
			out = append(out, Entry{Name: name, ID: id})
			return nil
		}
		id, err := odb.ParseID(line)
		if err != nil {
			return nil // a broken HEAD: git skips it too
		}
		out = append(out, Entry{Name: name, ID: id})
		return nil
	}
	if r.commonDir != r.gitDir {
		if err := add(r.commonDir, "HEAD"); err != nil {
			return nil, err
		}
	}
	f, err := os.Open(filepath.Join(r.commonDir, "worktrees"))
	if err != nil {
		return out, nil
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("list worktrees: %w", err)
	}
	for _, name := range names {
		dir := filepath.Join(r.commonDir, "worktrees", name)
		if dir == r.gitDir {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "gitdir")); err != nil {
			continue
		}
		if err := add(dir, "worktrees/"+name+"/HEAD"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Resolve follows the ref name (a full name such as "refs/heads/main" or
// "HEAD") to an object id. ok is false when the ref does not exist or is a
// symbolic ref to one that does not (an unborn branch).
func (r *DB) Resolve(name string) (id odb.ID, ok bool, err error) {
	ref, err := storer.ResolveReference(r.st, plumbing.ReferenceName(name))
	if err != nil {
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return id, false, nil
		}
		return id, false, fmt.Errorf("ref %s: %w", name, r.explain(err))
	}
	if ref == nil || ref.Type() != plumbing.HashReference {
		return id, false, nil
	}
	if ref.Hash().IsZero() {
		// go-git reads a ref file that holds no object id as the zero id.
		if err := r.checkPackedRefs(); err != nil {
			return id, false, err
		}
		return id, false, fmt.Errorf("ref %s: %s does not hold an object id",
			ref.Name(), filepath.Join(r.commonDir, filepath.FromSlash(ref.Name().String())))
	}
	return odb.ID(ref.Hash()), true, nil
}

// SymbolicTarget returns the ref a symbolic ref (such as HEAD) points to, or
// "" when name is not symbolic or does not exist.
func (r *DB) SymbolicTarget(name string) string {
	ref, err := r.st.Reference(plumbing.ReferenceName(name))
	if err != nil || ref == nil || ref.Type() != plumbing.SymbolicReference {
		return ""
	}
	return ref.Target().String()
}

// List returns the refs whose names start with prefix ("refs/" for all), in
// git's order (byte order of the full name). Dangling symbolic refs are left
// out, as git's for_each_ref leaves out broken refs.
func (r *DB) List(prefix string) ([]Entry, error) {
	if err := r.load(); err != nil {
		return nil, err
	}
	lo := sort.Search(len(r.all), func(i int) bool { return r.all[i].Name >= prefix })
	hi := lo
	for hi < len(r.all) && strings.HasPrefix(r.all[hi].Name, prefix) {
		hi++
	}
	return r.all[lo:hi], nil
}

// MayHave says whether a ref whose name starts with prefix (a folder,
// ending in "/") may exist, without reading every ref as List does: a
// file under the folder in the common or the git directory, or a line of
// packed-refs naming one. True is a maybe (List says which, and whether
// they resolve); false is sure.
func (r *DB) MayHave(prefix string) (bool, error) {
	if r.loaded {
		l, err := r.List(prefix)
		return len(l) > 0, err
	}
	for _, dir := range []string{r.commonDir, r.gitDir} {
		found := false
		err := filepath.WalkDir(filepath.Join(dir, filepath.FromSlash(prefix)), func(_ string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !d.IsDir() {
				found = true
				return fs.SkipAll
			}
			return nil
		})
		if err != nil || found {
			return found, err
		}
	}
	f, err := os.Open(filepath.Join(r.commonDir, "packed-refs"))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	return contains(f, []byte(" "+prefix))
}

// contains says whether r holds pat, reading it a piece at a time: a
// packed-refs file read whole was a fresh buffer of its size (98 KB for
// go-git's 1,500 refs) on every walk, whose page faults were most of the
// time MayHave took.
func contains(r io.Reader, pat []byte) (bool, error) {
	buf := make([]byte, max(16<<10, 2*len(pat)))
	kept := 0 // the end of the last piece, where pat may begin
	for {
		n, err := r.Read(buf[kept:])
		if bytes.Contains(buf[:kept+n], pat) {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if end := kept + n; end > len(pat)-1 {
			kept = copy(buf, buf[end-(len(pat)-1):end])
		} else {
			kept = end
		}
	}
}

func (r *DB) load() error {
	if r.loaded {
		return nil
	}
	iter, err := r.st.IterReferences()
	if err != nil {
		return fmt.Errorf("list refs: %w", r.explain(err))
	}
	defer iter.Close()
	seen := make(map[string]bool)
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().String()
		if !strings.HasPrefix(name, "refs/") || seen[name] {
			return nil
		}
		seen[name] = true
		switch ref.Type() {
		case plumbing.HashReference:
			if ref.Hash().IsZero() {
				// A ref that holds no object id (go-git reads it as the
				// zero id): git 2.39 stops with "bad object NAME".
				if err := r.checkPackedRefs(); err != nil {
					return err
				}
				return fmt.Errorf("bad object %s: %s does not hold an object id",
					name, filepath.Join(r.commonDir, filepath.FromSlash(name)))
			}
			r.all = append(r.all, Entry{Name: name, ID: odb.ID(ref.Hash())})
		case plumbing.SymbolicReference:
			id, ok, err := r.Resolve(name)
			if err != nil {
				return err
			}
			if ok {
				r.all = append(r.all, Entry{Name: name, ID: id})
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list refs: %w", r.explain(err))
	}
	sort.Slice(r.all, func(i, j int) bool { return r.all[i].Name < r.all[j].Name })
	r.loaded = true
	return nil
}

// explain replaces go-git's bare "malformed packed-ref" with git's message,
// which names the file and the line.
func (r *DB) explain(err error) error {
	if errors.Is(err, dotgit.ErrPackedRefsBadFormat) {
		if perr := r.checkPackedRefs(); perr != nil {
			return perr
		}
	}
	return err
}

// checkPackedRefs checks the packed-refs file line by line as git's
// packed-refs parser does, and names the first line it would refuse
// ("unexpected line in packed-refs"). A missing file is no error.
func (r *DB) checkPackedRefs() error {
	file := filepath.Join(r.commonDir, "packed-refs")
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "^"):
			if _, err := odb.ParseID(line[1:]); err == nil {
				continue
			}
		default:
			if id, name, ok := strings.Cut(line, " "); ok && name != "" {
				if _, err := odb.ParseID(id); err == nil {
					continue
				}
			}
		}
		return fmt.Errorf("unexpected line in %s: %q", file, line)
	}
	return nil
}

// ReadShallow reads the ids listed in the repository's "shallow" file
// (commits whose parents a shallow clone does not have); nil when the
// repository is not shallow.
func ReadShallow(commonDir string) (map[odb.ID]struct{}, error) {
	data, err := os.ReadFile(filepath.Join(commonDir, "shallow"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("read shallow file: %w", err)
	}
	set := make(map[odb.ID]struct{})
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		id, err := odb.ParseID(line)
		if err != nil {
			return nil, fmt.Errorf("shallow file %s: %w", filepath.Join(commonDir, "shallow"), err)
		}
		set[id] = struct{}{}
	}
	return set, nil
}

// CommonDir follows a linked worktree's "commondir" file to the folder that
// holds the shared objects and refs; for an ordinary repository it is gitDir
// (git's get_common_dir).
func CommonDir(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	p := strings.TrimSpace(string(data))
	if !filepath.IsAbs(p) {
		p = filepath.Join(gitDir, p)
	}
	return filepath.Clean(p)
}
