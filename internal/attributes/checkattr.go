package attributes

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Checker answers `git check-attr NAME... -- PATH` for a fixed list of
// attribute names, reading the sources `git log` reads: the system's file
// (unless GIT_ATTR_NOSYSTEM), core.attributesFile, the work tree's
// .gitattributes files from the top folder down, then
// $GIT_DIR/info/attributes (highest); a bare repository has no work tree
// files. Lines are read as Diff reads them (parseLine). Values are git's:
// "set", "unset", "unspecified" or the value given with NAME=VALUE. Macros
// are not expanded (the built-in binary names none of the linguist
// attributes gitwalk asks about; a macro of the user's could). Safe for
// concurrent use; answers are cached per path.
type Checker struct {
	names                []string
	system, global, info []valueRule
	workTree             string

	mu    sync.Mutex
	dirs  map[string][]valueRule
	whole bool // dirs holds every folder's rules (read with Diff.Digest): none is read from disk
	cache map[string][]string
	// none is every name unspecified, which Check gives every path when
	// no file sets an attribute (a bare repository without global or
	// info attributes, as most are): no lock taken, nothing cached. It
	// was a quarter of the time a warm walk of go-git spent classifying.
	none []string
}

// valueRule is one attributes line: where it matches and what it says of
// each checked name (nil entries say nothing).
type valueRule struct {
	match  attrRule // only its pattern fields are used
	values []*string
}

// Checker returns a checker of the attributes names, reading the same
// sources as a.
func (a *Diff) Checker(names ...string) *Checker {
	c := &Checker{names: append([]string(nil), names...), workTree: a.workTree,
		dirs: map[string][]valueRule{}, cache: map[string][]string{}}
	c.system = c.parse(a.systemData, "", true)
	c.global = c.parse(a.globalData, "", true)
	c.info = c.parse(a.infoData, "", true)
	// After Digest has read the work tree's files, the checker takes its
	// rules from what Digest read: the answers are then those of the files
	// Digest's digest names, and a work tree where no file names a checked
	// attribute answers every path alike, as a bare repository does.
	a.mu.Lock()
	if c.workTree != "" && a.read {
		c.whole = true
		for dir, data := range a.raw {
			if rules := c.parse(data, dir, dir == ""); len(rules) > 0 {
				c.dirs[dir] = rules
			}
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

// Digest returns a hash of every rule the checker answers from, its names
// and their order, and ok; ok is false when the checker reads a work
// tree's files as paths ask (made before Diff.Digest), and so cannot name
// them all. Two checkers with the same digest answer every path alike.
func (c *Checker) Digest() (sum [sha256.Size]byte, ok bool) {
	if c.workTree != "" && !c.whole {
		return sum, false
	}
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	str := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	str(strings.Join(c.names, "\x00"))
	rules := func(kind string, rs []valueRule) {
		str(kind)
		for _, r := range rs {
			str(fmt.Sprintf("%q %q %t %t", r.match.pattern, r.match.base, r.match.anchored, r.match.dirOnly))
			for _, v := range r.values {
				if v == nil {
					str("-")
				} else {
					str("=" + *v)
				}
			}
		}
	}
	rules("system", c.system)
	rules("global", c.global)
	rules("info", c.info)
	c.mu.Lock()
	dirs := make([]string, 0, len(c.dirs))
	for d := range c.dirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		rules("dir "+d, c.dirs[d])
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
	out := make([]string, len(c.names))
	for i := range out {
		out[i] = "unspecified"
	}
	apply := func(rules []valueRule) {
		for i := range rules {
			if !rules[i].match.matches(path) {
				continue
			}
			for j, v := range rules[i].values {
				if v != nil {
					out[j] = *v
				}
			}
		}
	}
	apply(c.system)
	apply(c.global)
	if c.workTree != "" {
		apply(c.dirRules(""))
		for i := 0; i < len(path); i++ {
			if path[i] == '/' {
				apply(c.dirRules(path[:i]))
			}
		}
	}
	apply(c.info)
	c.cache[strings.Clone(path)] = out
	return out
}

func (c *Checker) dirRules(dir string) []valueRule {
	rules, ok := c.dirs[dir]
	if !ok && !c.whole {
		rules = c.read(filepath.Join(c.workTree, filepath.FromSlash(dir), ".gitattributes"), dir, true)
		c.dirs[dir] = rules
	}
	return rules
}

// read parses an attributes file, keeping the lines that name a checked
// attribute: NAME (set), -NAME (unset), !NAME (unspecified), NAME=VALUE.
func (c *Checker) read(file, base string, inTree bool) []valueRule {
	return c.parse(readFile(file, inTree), base, base == "")
}

// parse is read of an attributes file's bytes, data; macroOK says whether
// the file may define macros (see parseLine: a line that defines one where
// it may not is ignored, as are the definitions, whose lines set nothing).
func (c *Checker) parse(data []byte, base string, macroOK bool) []valueRule {
	var rules []valueRule
	for line := range lines(data) {
		l, ok := parseLine(line, macroOK)
		if !ok || l.macro != "" {
			continue
		}
		values := make([]*string, len(c.names))
		touched := false
		for _, st := range l.states {
			val := st.value
			switch val {
			case stateSet:
				val = "set"
			case stateUnset:
				val = "unset"
			case stateUnspecified:
				val = "unspecified"
			}
			for j, n := range c.names {
				if n == st.name {
					v := val
					values[j], touched = &v, true
				}
			}
		}
		if !touched {
			continue
		}
		rules = append(rules, valueRule{match: attrRule{pattern: l.pattern, base: base, anchored: l.anchored, dirOnly: l.dirOnly}, values: values})
	}
	return rules
}
