package attributes

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Digest returns a hash of every diff rule in force: those of
// core.attributesFile and info/attributes, and those of every .gitattributes
// file of the work tree (every folder but .git ones, symbolic links to
// folders inside the work tree followed). Two Diffs with the same digest
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
	h := sha256.New()
	hashRules(h, "global", a.global)
	hashRules(h, "info", a.info)
	if a.workTree != "" {
		dirs := map[string][]attrRule{}
		root, err := filepath.EvalSymlinks(a.workTree)
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		fi, err := os.Stat(root)
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		raw := map[string][]byte{}
		if err := walkAttrDirs(root, root, "", []os.FileInfo{fi}, dirs, raw); err != nil {
			return [sha256.Size]byte{}, err
		}
		names := make([]string, 0, len(dirs))
		for d := range dirs {
			names = append(names, d)
		}
		sort.Strings(names)
		for _, d := range names {
			hashRules(h, "dir "+d, dirs[d])
		}
		a.mu.Lock()
		for d, rules := range dirs {
			a.dirs[d] = rules
		}
		a.raw = raw
		a.read = true
		a.mu.Unlock()
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum, nil
}

// walkAttrDirs reads the .gitattributes files under abs (the work tree's
// folder dir, "" for the top) into dirs, and keeps each file's bytes in raw
// (for Checker). stack holds the folders above, so that a link back to one
// of them is not followed round.
func walkAttrDirs(root, abs, dir string, stack []os.FileInfo, dirs map[string][]attrRule, raw map[string][]byte) error {
	entries, err := os.ReadDir(abs)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if name == ".git" {
			continue
		}
		p := filepath.Join(abs, name)
		rel := name
		if dir != "" {
			rel = dir + "/" + name
		}
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 && name == ".gitattributes" {
			continue // git opens it with O_NOFOLLOW, and reads nothing (see readFile)
		}
		if typ&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil {
				continue // a dangling link: git reads nothing through it either
			}
			if !fi.IsDir() {
				typ = fi.Mode().Type()
			} else if inside(root, p) && !onStack(stack, fi) {
				if err := walkAttrDirs(root, p, rel, append(stack, fi), dirs, raw); err != nil {
					return err
				}
				continue
			} else {
				continue
			}
		}
		switch {
		case typ.IsDir():
			fi, err := e.Info()
			if err != nil {
				return err
			}
			if err := walkAttrDirs(root, p, rel, append(stack, fi), dirs, raw); err != nil {
				return err
			}
		case name == ".gitattributes" && typ.IsRegular():
			data := readFile(p, true)
			if rules := parseAttrs(data, dir); len(rules) > 0 {
				dirs[dir] = rules
			}
			if len(data) > 0 {
				raw[dir] = data
			}
		}
	}
	return nil
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

func onStack(stack []os.FileInfo, fi os.FileInfo) bool {
	for _, s := range stack {
		if os.SameFile(s, fi) {
			return true
		}
	}
	return false
}

func hashRules(h hash.Hash, source string, rules []attrRule) {
	var n [binary.MaxVarintLen64]byte
	str := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	str(source)
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(rules)))])
	for i := range rules {
		r := &rules[i]
		str(r.pattern)
		str(r.base)
		str(r.result.Driver)
		h.Write([]byte{byte(r.result.State), flag(r.anchored), flag(r.dirOnly)})
	}
}

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}
