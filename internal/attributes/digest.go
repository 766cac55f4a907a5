package attributes

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Digest returns a hash of every diff rule in force: the macros, the rules
// of the system's file, core.attributesFile and info/attributes, and those
// of every .gitattributes file of the work tree (every folder but .git
// ones, symbolic links to folders inside the work tree followed). Two Diffs with the same digest
// answer Lookup alike for every path, so a result computed with one serves
// the other. Only the rules about diff count: a .gitattributes line about
// eol or linguist changes no digest.
//
// The work tree's files are read once, here, and Lookup answers from what
// was read from then on, so the answers are those the digest names even
// when a file changes during a walk. It costs a walk of the work tree's
// folders (none for a bare repository). A folder it cannot read is an
// error: the digest would not name its rules.
func (a *Diff) Digest() ([sha256.Size]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var dirs map[string][]attrRule
	if a.workTree != "" {
		root, err := filepath.EvalSymlinks(a.workTree)
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		if _, err := os.Stat(root); err != nil {
			return [sha256.Size]byte{}, err
		}
		raw := map[string][]byte{}
		if err := walkAttrDirs(root, root, "", []string{root}, raw, a.warn, &dirLister{}); err != nil {
			return [sha256.Size]byte{}, err
		}
		// The top folder's file as read here defines the macros, which
		// every folder's rules are read with.
		a.load(raw[""])
		dirs = map[string][]attrRule{}
		for d, data := range raw {
			if rules := a.macros.rules(data, d, d == ""); len(rules) > 0 {
				dirs[d] = rules
			}
		}
		a.dirs, a.raw, a.read = dirs, raw, true
		a.cache = map[string]Result{}
	}
	h := sha256.New()
	h.Write([]byte{flag(a.fold)})
	hashMacros(h, a.macros)
	hashRules(h, "system", a.system)
	hashRules(h, "global", a.global)
	hashRules(h, "info", a.info)
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		hashRules(h, "dir "+d, dirs[d])
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum, nil
}

// walkAttrDirs reads the .gitattributes files under abs (the work tree's
// folder dir, "" for the top) into raw, each file's bytes by its folder,
// noting in w what git would warn about, in the order of a walk that
// visits each folder's entries by name. stack holds the folders above, so
// that a link back to one of them is not followed round; l lists folders.
func walkAttrDirs(root, abs, dir string, stack []string, raw map[string][]byte, w *warner, l *dirLister) error {
	entries, err := l.list(abs)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.name
		if name == ".git" {
			continue
		}
		p := filepath.Join(abs, name)
		rel := name
		if dir != "" {
			rel = dir + "/" + name
		}
		switch {
		case e.typ&fs.ModeSymlink != 0:
			if name == ".gitattributes" {
				continue // git opens it with O_NOFOLLOW, and reads nothing (see readFile)
			}
			fi, err := os.Stat(p)
			if err != nil || !fi.IsDir() {
				continue // a dangling link, or one to a file: nothing to read
			}
			if inside(root, p) && !onStack(stack, fi) {
				if err := walkAttrDirs(root, p, rel, append(stack, p), raw, w, l); err != nil {
					return err
				}
			}
		case e.typ.IsDir():
			if err := walkAttrDirs(root, p, rel, append(stack, p), raw, w, l); err != nil {
				return err
			}
		case name == ".gitattributes" && e.typ.IsRegular():
			name := ".gitattributes"
			if dir != "" {
				name = dir + "/" + name
			}
			if data := w.read(p, name, true, dir == ""); len(data) > 0 {
				raw[dir] = data
			}
		}
	}
	return nil
}

// attrEntry is an entry of a folder that the walk of .gitattributes files
// looks at: a folder, a symbolic link, or a regular file named
// .gitattributes. typ holds the type bits of its fs.FileMode.
type attrEntry struct {
	name string
	typ  fs.FileMode
}

// keep reports whether the walk looks at an entry name of type typ.
func keep(name string, typ fs.FileMode) bool {
	return typ.IsDir() || typ&fs.ModeSymlink != 0 || typ.IsRegular() && name == ".gitattributes"
}

// sortEntries puts entries in the order of their names, as os.ReadDir
// gives them: the order git's warnings come in depends on it.
func sortEntries(entries []attrEntry) {
	slices.SortFunc(entries, func(a, b attrEntry) int { return strings.Compare(a.name, b.name) })
}

// inside reports whether the link p leads into root.
func inside(root, p string) bool {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, real)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != ".."+string(filepath.Separator))
}

// onStack reports whether fi is one of the folders at the paths in stack.
// Only a link can lead back to one, so the folders are looked at only
// then, and not once each on the way down.
func onStack(stack []string, fi os.FileInfo) bool {
	for _, p := range stack {
		if s, err := os.Stat(p); err == nil && os.SameFile(s, fi) {
			return true
		}
	}
	return false
}

func hashRules(h hash.Hash, source string, rules []attrRule) {
	hashString(h, source)
	hashCount(h, len(rules))
	for i := range rules {
		r := &rules[i]
		hashString(h, r.pattern)
		hashString(h, r.base)
		h.Write([]byte{flag(r.anchored), flag(r.dirOnly)})
		hashStates(h, r.states)
	}
}

// hashMacros hashes the macro table, its targets and its macros' names in
// order.
func hashMacros(h hash.Hash, m *macroTable) {
	names := make([]string, 0, len(m.defs))
	for n := range m.defs {
		names = append(names, n)
	}
	sort.Strings(names)
	hashString(h, "macros")
	hashCount(h, len(m.targets))
	for _, t := range m.targets {
		hashString(h, t)
	}
	hashCount(h, len(names))
	for _, n := range names {
		hashString(h, n)
		hashStates(h, m.defs[n])
	}
}

func hashStates(h hash.Hash, states []attrState) {
	hashCount(h, len(states))
	for _, st := range states {
		hashString(h, st.name)
		hashString(h, st.value)
	}
}

func hashString(h hash.Hash, s string) {
	hashCount(h, len(s))
	h.Write([]byte(s))
}

func hashCount(h hash.Hash, n int) {
	var b [binary.MaxVarintLen64]byte
	h.Write(b[:binary.PutUvarint(b[:], uint64(n))])
}

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}
