package refs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/gitwalk/gitwalk/internal/odb"
)

// Entry is one ref resolved to the object it names (symbolic refs
// followed, tags not peeled).
type Entry struct {
	Name string
	ID   odb.ID
}

// DB lists and resolves a repository's refs as git's files backend does:
// loose refs (files under the git folder) over packed ones (packed-refs),
// symbolic refs followed. A linked worktree's HEAD and its refs/bisect/,
// refs/worktree/ and refs/rewritten/ are its own; the others are the
// common folder's. It reads the packed refs once, and every ref once,
// when first asked for a list. Not safe for concurrent use.
//
// It was go-git's storage, whose packages (its config's parser and gob,
// URL patterns) cost every gitwalk 0.3 ms before main: a tenth of a warm
// run's wall on go-git's history went to starting the process.
type DB struct {
	gitDir, commonDir string
	all               []Entry // every resolvable ref under refs/, in byte order of name
	loaded            bool
	packed            map[string]odb.ID // packed-refs, read when first needed
	packedRead        bool
	looked            map[string]refValue // names looked up in packed-refs line by line
}

// Open opens the refs of the repository whose git directory is gitDir.
// It works on a bare directory without a config file and, through the
// "commondir" file, on the git directory of a linked worktree (whose HEAD is
// its own and whose other refs are the common ones).
func Open(gitDir string) *DB {
	gitDir = filepath.Clean(gitDir)
	return &DB{gitDir: gitDir, commonDir: CommonDir(gitDir)}
}

// OtherHeads resolves the HEADs of the repository's other worktrees, as git's
// other_head_refs for --all: the main worktree first (when this is a linked
// one), then each linked worktree in directory order (readdir's, as git),
// leaving out this one, those without a "gitdir" file, and unborn HEADs.
func (r *DB) OtherHeads() ([]Entry, error) {
	var out []Entry
	add := func(dir, name string) error {
		file := filepath.Join(dir, "HEAD")
		data, err := os.ReadFile(file)
		if err != nil {
			return nil
		}
		v, err := parseLoose(name, file, data)
		if err != nil {
			return nil // a broken HEAD: git skips it too
		}
		if v.target != "" {
			id, ok, err := r.Resolve(v.target)
			if err != nil || !ok {
				return err
			}
			v.id = id
		}
		out = append(out, Entry{Name: name, ID: v.id})
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
	for range maxSymrefDepth + 1 {
		v, err := r.read(name)
		if err != nil {
			return id, false, err
		}
		switch {
		case !v.exists:
			return id, false, nil
		case v.target == "":
			return v.id, true, nil
		}
		name = v.target
	}
	return id, false, nil // git gives up on a chain this long as on a missing ref
}

// maxSymrefDepth is git's SYMREF_MAXDEPTH: how many symbolic refs a
// resolution follows.
const maxSymrefDepth = 5

// refValue is what a ref holds: an object id, or the name of the ref it
// points to (target, a symbolic ref).
type refValue struct {
	id     odb.ID
	target string
	exists bool
}

// SymbolicTarget returns the ref a symbolic ref (such as HEAD) points to, or
// "" when name is not symbolic or does not exist.
func (r *DB) SymbolicTarget(name string) string {
	v, err := r.read(name)
	if err != nil {
		return ""
	}
	return v.target
}

// dirOf is the folder a ref's file lives under: the worktree's own git
// folder for HEAD (and the other names outside refs/) and its per-worktree
// refs, the common folder for the rest (git's files backend).
func (r *DB) dirOf(name string) string {
	if !strings.HasPrefix(name, "refs/") || strings.HasPrefix(name, "refs/bisect/") ||
		strings.HasPrefix(name, "refs/worktree/") || strings.HasPrefix(name, "refs/rewritten/") {
		return r.gitDir
	}
	return r.commonDir
}

// read reads the ref name itself: its loose file, else its line in
// packed-refs (files_read_raw_ref, parse_loose_ref_contents).
func (r *DB) read(name string) (refValue, error) {
	file := filepath.Join(r.dirOf(name), filepath.FromSlash(name))
	data, err := os.ReadFile(file)
	if err == nil {
		return parseLoose(name, file, data)
	}
	if !errors.Is(err, fs.ErrNotExist) && !isDir(file) && !errors.Is(err, syscall.ENOTDIR) {
		return refValue{}, fmt.Errorf("ref %s: %w", name, err)
	}
	if !strings.HasPrefix(name, "refs/") {
		return refValue{}, nil // only refs/ are packed
	}
	if r.packedRead {
		id, ok := r.packed[name]
		return refValue{id: id, exists: ok}, nil
	}
	if v, ok := r.looked[name]; ok {
		return v, nil
	}
	id, ok, err := r.packedLookup(name)
	v := refValue{id: id, exists: ok}
	if err == nil {
		if r.looked == nil {
			r.looked = map[string]refValue{}
		}
		r.looked[name] = v // a run resolves HEAD's branch more than once
	}
	return v, err
}

// packedLookup finds name's line in packed-refs, reading it a piece at a
// time and parsing no other line: resolving HEAD in a repository whose
// branches are all packed (go-git's 1,500 refs, 98 KB) went through all of
// them to build the map that only List needs, 0.2 ms of a warm run's CPU.
// As in git, a junk line is reported by List (which reads every line),
// not by a lookup that passes it.
func (r *DB) packedLookup(name string) (id odb.ID, ok bool, err error) {
	file := filepath.Join(r.commonDir, "packed-refs")
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return id, false, nil
	}
	if err != nil {
		return id, false, fmt.Errorf("read %s: %w", file, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 16<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) != 41+len(name) || line[40] != ' ' || string(line[41:]) != name {
			continue
		}
		if id, err = odb.ParseID(string(line[:40])); err != nil {
			return id, false, fmt.Errorf("unexpected line in %s: %q", file, line)
		}
		return id, true, nil
	}
	if err := sc.Err(); err != nil {
		return id, false, fmt.Errorf("read %s: %w", file, err)
	}
	return id, false, nil
}

func isDir(file string) bool {
	fi, err := os.Stat(file)
	return err == nil && fi.IsDir()
}

// parseLoose reads a loose ref's file: "ref:" and the name of another
// ref, or an object id followed by nothing or a blank (FETCH_HEAD's lines
// go on after it). Anything else does not hold an object id.
func parseLoose(name, file string, data []byte) (refValue, error) {
	s := string(data)
	if rest, ok := strings.CutPrefix(s, "ref:"); ok {
		if target := strings.TrimSpace(rest); target != "" {
			return refValue{target: target, exists: true}, nil
		}
		return refValue{}, nil // "ref:" naming nothing: git's dangling symref, as if absent
	}
	if len(s) >= 40 && (len(s) == 40 || isSpace(s[40])) {
		if id, err := odb.ParseID(s[:40]); err == nil {
			return refValue{id: id, exists: true}, nil
		}
	}
	return refValue{}, &noIDError{name, file}
}

// noIDError is a loose ref whose file holds no object id.
type noIDError struct{ name, file string }

func (e *noIDError) Error() string {
	return fmt.Sprintf("ref %s: %s does not hold an object id", e.name, e.file)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// packedRefs reads packed-refs once: each "<id> <name>" line, "^<id>"
// lines (the peeled tag before) and the "#" header skipped. A line git
// would refuse is an error naming it ("unexpected line in packed-refs").
func (r *DB) packedRefs() (map[string]odb.ID, error) {
	if r.packedRead {
		return r.packed, nil
	}
	file := filepath.Join(r.commonDir, "packed-refs")
	data, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	packed := map[string]odb.ID{}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "^"):
			if _, err := odb.ParseID(line[1:]); err == nil {
				continue
			}
		default:
			if hexID, name, ok := strings.Cut(line, " "); ok && name != "" {
				if id, err := odb.ParseID(hexID); err == nil {
					packed[name] = id
					continue
				}
			}
		}
		return nil, fmt.Errorf("unexpected line in %s: %q", file, line)
	}
	r.packed, r.packedRead = packed, true
	return packed, nil
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
	// Loose refs: the common folder's refs/, but for a linked worktree
	// its own per-worktree folders, which are read from its git folder.
	names := map[string]bool{}
	skip := func(name string) bool { return false }
	if r.gitDir != r.commonDir {
		skip = func(name string) bool { return r.dirOf(name) != r.commonDir }
		for _, sub := range []string{"refs/bisect", "refs/worktree", "refs/rewritten"} {
			if err := looseNames(r.gitDir, sub, names, func(string) bool { return false }); err != nil {
				return err
			}
		}
	}
	if err := looseNames(r.commonDir, "refs", names, skip); err != nil {
		return err
	}
	packed, err := r.packedRefs()
	if err != nil {
		return err
	}
	for name, id := range packed {
		if !names[name] && !skip(name) {
			// Packed only: its value is known, with no file to look for
			// (redis's 8,800 packed refs were as many failed opens).
			r.all = append(r.all, Entry{Name: name, ID: id})
		}
	}
	for name := range names {
		v, err := r.read(name)
		if noID := (*noIDError)(nil); errors.As(err, &noID) {
			// git 2.39 stops on such a ref with "bad object NAME".
			return fmt.Errorf("bad object %s: %s does not hold an object id", name, noID.file)
		}
		if err != nil {
			return err
		}
		if v.target != "" {
			id, ok, err := r.Resolve(name)
			if err != nil {
				return err
			}
			if !ok {
				continue // dangling: left out, as for_each_ref leaves broken refs
			}
			v.id = id
		}
		if v.exists {
			r.all = append(r.all, Entry{Name: name, ID: v.id})
		}
	}
	sort.Slice(r.all, func(i, j int) bool { return r.all[i].Name < r.all[j].Name })
	r.loaded = true
	return nil
}

// looseNames adds the names of the loose refs under dir/sub (sub a
// slash-separated ref folder) to names, leaving out those skip says, and
// files and folders whose names start with a dot or end in .lock, which
// git's loose_fill_ref_dir passes over.
func looseNames(dir, sub string, names map[string]bool, skip func(string) bool) error {
	root := filepath.Join(dir, filepath.FromSlash(sub))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return nil
			}
			return err
		}
		if path == root {
			return nil
		}
		if base := d.Name(); strings.HasPrefix(base, ".") || strings.HasSuffix(base, ".lock") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if name := filepath.ToSlash(rel); !skip(name) {
			names[name] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list refs: %w", err)
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
