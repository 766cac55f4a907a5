package attributes

import (
	"crypto/sha256"
	"sort"
	"strings"
	"sync"
)

// Checker answers `git check-attr NAME... -- PATH` for a fixed list of
// attribute names, reading the sources `git log` reads, as Diff does: the
// system's file (unless GIT_ATTR_NOSYSTEM), core.attributesFile, the work
// tree's .gitattributes files from the top folder down, then
// $GIT_DIR/info/attributes (highest), with the macros the top-level files
// define and the built-in binary; a bare repository has no work tree
// files. Values are git's: "set", "unset", "unspecified" or the value
// given with NAME=VALUE. Safe for concurrent use; answers are cached per
// path.
type Checker struct {
	names                []string
	macros               *macroTable // of names
	system, global, info []attrRule
	workTree             string
	warn                 *warner // the Diff's
	fold                 bool    // the Diff's: core.ignoreCase

	mu    sync.Mutex
	dirs  map[string][]attrRule
	whole bool // dirs holds every folder's rules (read with Diff.Digest): none is read from disk
	cache map[string][]string
	// none is every name unspecified, which Check gives every path when
	// no file sets an attribute (a bare repository without global or
	// info attributes, as most are): no lock taken, nothing cached. It
	// was a quarter of the time a warm walk of go-git spent classifying.
	none []string
}

// Checker returns a checker of the attributes names, reading the same
// sources as a.
func (a *Diff) Checker(names ...string) *Checker {
	c := &Checker{names: append([]string(nil), names...), workTree: a.workTree, warn: a.warn, fold: a.fold,
		dirs: map[string][]attrRule{}, cache: map[string][]string{}}
	// After Digest has read the work tree's files, the checker takes its
	// rules from what Digest read: the answers are then those of the files
	// Digest's digest names, and a work tree where no file names a checked
	// attribute answers every path alike, as a bare repository does.
	a.mu.Lock()
	c.macros = newMacroTable(c.names, a.systemData, a.globalData, a.top, a.infoData)
	c.system = c.macros.rules(a.systemData, "", true)
	c.global = c.macros.rules(a.globalData, "", true)
	c.info = c.macros.rules(a.infoData, "", true)
	if c.workTree != "" {
		if a.read {
			c.whole = true
			for dir, data := range a.raw {
				if rules := c.macros.rules(data, dir, dir == ""); len(rules) > 0 {
					c.dirs[dir] = rules
				}
			}
		} else {
			c.dirs[""] = c.macros.rules(a.top, "", true)
		}
	}
	a.mu.Unlock()
	if (c.workTree == "" || c.whole && len(c.dirs) == 0) && len(c.system) == 0 && len(c.global) == 0 && len(c.info) == 0 {
		c.none = make([]string, len(c.names))
		for i := range c.none {
			c.none[i] = "unspecified"
		}
	}
	return c
}

// uniform says whether the checker gives every path the same answer, every
// name unspecified, at once: no attribute file it reads names one of its
// names (a bare repository, or a work tree read whole by Diff.Digest
// first, and no global or info attributes naming them).
func (c *Checker) uniform() bool { return c.none != nil }

// Digest returns a hash of every rule the checker answers from, the
// macros, its names and their order, and ok; ok is false when the checker
// reads a work tree's files as paths ask (made before Diff.Digest), and so
// cannot name them all. Two checkers with the same digest answer every
// path alike.
func (c *Checker) Digest() (sum [sha256.Size]byte, ok bool) {
	if c.workTree != "" && !c.whole {
		return sum, false
	}
	h := sha256.New()
	hashString(h, strings.Join(c.names, "\x00"))
	h.Write([]byte{flag(c.fold)})
	hashMacros(h, c.macros)
	hashRules(h, "system", c.system)
	hashRules(h, "global", c.global)
	hashRules(h, "info", c.info)
	c.mu.Lock()
	dirs := make([]string, 0, len(c.dirs))
	for d := range c.dirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		hashRules(h, "dir "+d, c.dirs[d])
	}
	c.mu.Unlock()
	h.Sum(sum[:0])
	return sum, true
}

// Check returns the value of each checked attribute for path (slash
// separated, from the top), in the order the names were given. The slice is
// shared: do not modify it.
func (c *Checker) Check(path string) []string {
	if c.none != nil {
		return c.none
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cache[path]; ok {
		return v
	}
	// As Diff.Lookup: info/attributes, the path's folders from the
	// deepest up, the global file, the system's.
	f := c.macros.newFilling(c.fold)
	f.rules(c.info, path)
	if c.workTree != "" {
		for i := len(path) - 1; i >= 0 && !f.done(); i-- {
			if path[i] == '/' {
				f.rules(c.dirRules(path[:i]), path)
			}
		}
		f.rules(c.dirRules(""), path)
	}
	f.rules(c.global, path)
	f.rules(c.system, path)
	out := f.values
	for i, v := range out {
		switch v {
		case stateSet:
			out[i] = "set"
		case stateUnset:
			out[i] = "unset"
		case stateUnspecified:
			out[i] = "unspecified"
		}
	}
	c.cache[strings.Clone(path)] = out
	return out
}

// dirRules reads a work tree folder's .gitattributes once; c.mu is held.
func (c *Checker) dirRules(dir string) []attrRule {
	rules, ok := c.dirs[dir]
	if !ok && !c.whole {
		rules = c.macros.rules(c.warn.readDir(c.workTree, dir), dir, dir == "")
		c.dirs[dir] = rules
	}
	return rules
}
