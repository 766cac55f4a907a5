package attributes

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gitwalk/gitwalk/internal/pathspec"
)

// DiffState is the state of a path's `diff` attribute, the only one that
// changes numstat (diff.c diff_filespec_load_driver, userdiff.c).
type DiffState uint8

const (
	DiffUnspecified DiffState = iota // decided by content: a NUL in the first 8000 bytes
	DiffSet                          // `diff`: always text
	DiffUnset                        // `-diff` or the `binary` macro: always binary
	DiffDriver                       // `diff=NAME`: diff.NAME.binary decides, else content
)

// Diff answers "is this path's diff attribute set?" as `git log` reads
// attributes: the system's file (/etc/gitattributes, unless
// GIT_ATTR_NOSYSTEM), core.attributesFile or its XDG default, the work
// tree's .gitattributes files from the top folder down, then
// $GIT_DIR/info/attributes (highest), with the macros those files define
// ([attr]NAME) and the built-in binary. A bare repository has no work tree
// files. Safe for concurrent use.
type Diff struct {
	system, global, info []attrRule
	macros               *macroTable // of diff
	workTree             string
	// The files outside the work tree as New read them, and the top
	// folder's .gitattributes as New, then Digest, read it: the files that
	// may define macros, for the macro table and for Checker.
	systemData, globalData, infoData, top []byte
	warn                                  *warner // what git warns about in the files read
	fold                                  bool    // core.ignoreCase: patterns match whatever the case

	mu    sync.Mutex
	dirs  map[string][]attrRule // work tree folder ("" = top) -> its .gitattributes rules
	read  bool                  // Digest read every folder: dirs is complete
	raw   map[string][]byte     // with read: each folder's .gitattributes as read, for Checker
	cache map[string]Result     // path -> decision
}

// Result is a path's diff attribute: its state and, for DiffDriver, the
// driver's name.
type Result struct {
	State  DiffState
	Driver string
}

// attrRule is one pattern line, and the states it gives that can decide
// the diff attribute: diff's own and the macros' (whose expansion may set
// diff, and which a line that sets them otherwise keeps from expanding).
type attrRule struct {
	pattern  string
	base     string // the folder of the file the rule came from, "" = top
	anchored bool   // the pattern has a '/' and matches relative to base
	dirOnly  bool   // trailing '/': matches folders only, so never a file
	states   []attrState
}

// systemAttributes is the system's attributes file of git built with
// prefix /usr (Debian's, and git's default sysconfdir for that prefix).
const systemAttributes = "/etc/gitattributes"

// Option is an option of New.
type Option func(*Diff)

// IgnoreCase makes patterns match paths whatever their case, as git does
// under core.ignoreCase (dir.c match_basename and match_pathname: the
// pattern's folder and literal part compared folding case, the rest by
// wildmatch's WM_CASEFOLD).
func IgnoreCase() Option { return func(a *Diff) { a.fold = true } }

// New reads the attribute sources of a repository: workTree is its top
// folder ("" when bare), commonDir holds info/attributes, and
// attributesFile is core.attributesFile ("" for git's XDG default).
func New(workTree, commonDir, attributesFile string, opts ...Option) *Diff {
	a := &Diff{workTree: workTree, dirs: map[string][]attrRule{}, cache: map[string]Result{}, warn: &warner{}}
	for _, o := range opts {
		o(a)
	}
	if os.Getenv("GIT_ATTR_NOSYSTEM") == "" {
		a.systemData = a.warn.read(systemAttributes, systemAttributes, false, true)
	}
	global := attributesFile
	if global == "" {
		xdg := os.Getenv("XDG_CONFIG_HOME")
		if xdg == "" {
			if home, err := os.UserHomeDir(); err == nil {
				xdg = filepath.Join(home, ".config")
			}
		}
		if xdg != "" {
			global = filepath.Join(xdg, "git", "attributes")
		}
	}
	if global != "" {
		a.globalData = a.warn.read(global, global, false, true)
	}
	info := filepath.Join(commonDir, "info", "attributes")
	a.infoData = a.warn.read(info, info, false, true)
	if workTree != "" {
		a.top = a.warn.read(filepath.Join(workTree, ".gitattributes"), ".gitattributes", true, true)
	}
	a.load(a.top)
	if workTree != "" {
		a.dirs[""] = a.macros.rules(a.top, "", true)
	}
	return a
}

// load makes the macro table from the top-level files, the work tree's
// top .gitattributes being top, and parses the files outside the work
// tree with it.
func (a *Diff) load(top []byte) {
	a.top = top
	a.macros = newMacroTable([]string{"diff"}, a.systemData, a.globalData, top, a.infoData)
	a.system = a.macros.rules(a.systemData, "", true)
	a.global = a.macros.rules(a.globalData, "", true)
	a.info = a.macros.rules(a.infoData, "", true)
}

// Empty reports whether no attribute source exists at all, so that callers can
// skip the lookup on the hot path.
func (a *Diff) Empty() bool {
	return len(a.system) == 0 && len(a.global) == 0 && len(a.info) == 0 && a.workTree == ""
}

// Warnings returns what git warns about in the attribute files read so
// far (a line or a file it ignores), each once, as "FILE:LINE: what":
// work tree files by their path from the top, the others by their own.
// The slice is the caller's.
func (a *Diff) Warnings() []string { return a.warn.warnings() }

// Lookup returns the diff attribute of path (slash-separated, from the top).
func (a *Diff) Lookup(path string) Result {
	if a.Empty() {
		return Result{}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if r, ok := a.cache[path]; ok {
		return r
	}
	// As git's fill (filling): info/attributes, the path's folders from
	// the deepest up, the global file, the system's.
	f := a.macros.newFilling(a.fold)
	f.rules(a.info, path)
	if a.workTree != "" {
		for i := len(path) - 1; i >= 0 && !f.done(); i-- {
			if path[i] == '/' {
				f.rules(a.dirRules(path[:i]), path)
			}
		}
		f.rules(a.dirRules(""), path)
	}
	f.rules(a.global, path)
	f.rules(a.system, path)
	res := diffResult(f.values[0])
	a.cache[strings.Clone(path)] = res // path may be a view of a reused buffer
	return res
}

// diffResult is the Result a value of the diff attribute gives.
func diffResult(value string) Result {
	switch value {
	case stateSet:
		return Result{State: DiffSet}
	case stateUnset:
		return Result{State: DiffUnset}
	case stateUnspecified:
		return Result{}
	}
	return Result{State: DiffDriver, Driver: value}
}

// dirRules reads a work tree folder's .gitattributes once; a.mu is held.
func (a *Diff) dirRules(dir string) []attrRule {
	rules, ok := a.dirs[dir]
	if !ok && !a.read {
		rules = a.macros.rules(a.warn.readDir(a.workTree, dir), dir, dir == "")
		a.dirs[dir] = rules
	}
	return rules
}

// matches says whether the rule applies to path; fold is core.ignoreCase.
func (r *attrRule) matches(path string, fold bool) bool {
	if r.dirOnly {
		return false
	}
	rel := path
	if r.base != "" {
		n := len(r.base)
		if len(path) <= n || path[n] != '/' || !(path[:n] == r.base || fold && asciiEqualFold(path[:n], r.base)) {
			return false
		}
		rel = path[n+1:]
	}
	if !r.anchored {
		if i := strings.LastIndexByte(rel, '/'); i >= 0 {
			rel = rel[i+1:]
		}
	}
	if fold {
		return pathspec.WildmatchFold(r.pattern, rel, true)
	}
	return pathspec.Wildmatch(r.pattern, rel, true)
}

// asciiEqualFold is strncasecmp's equality: ASCII letters folded, other
// bytes as they are.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// unquoteC reads a C-quoted string at the start of s, as git writes quoted
// paths, and returns it with the number of bytes read.
func unquoteC(s string) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return b.String(), i + 1, true
		case '\\':
			i++
			if i >= len(s) {
				return "", 0, false
			}
			switch e := s[i]; e {
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'v':
				b.WriteByte('\v')
			case 'f':
				b.WriteByte('\f')
			case 'r':
				b.WriteByte('\r')
			case '0', '1', '2', '3':
				if i+2 >= len(s) {
					return "", 0, false
				}
				v := (int(e-'0') << 6) | (int(s[i+1]-'0') << 3) | int(s[i+2]-'0')
				b.WriteByte(byte(v))
				i += 2
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}
