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
// attributes: core.attributesFile (lowest), the work tree's .gitattributes
// files from the top folder down, then $GIT_DIR/info/attributes (highest). A
// bare repository has no work tree files. Safe for concurrent use.
type Diff struct {
	global, info []attrRule
	workTree     string
	globalFile   string // core.attributesFile or its XDG default, for Checker
	commonDir    string // holds info/attributes, for Checker

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

// attrRule is one line's pattern and its effect on the diff attribute.
type attrRule struct {
	pattern  string
	base     string // the folder of the file the rule came from, "" = top
	anchored bool   // the pattern has a '/' and matches relative to base
	dirOnly  bool   // trailing '/': matches folders only, so never a file
	result   Result
}

// New reads the attribute sources of a repository: workTree is its top
// folder ("" when bare), commonDir holds info/attributes, and
// attributesFile is core.attributesFile ("" for git's XDG default).
func New(workTree, commonDir, attributesFile string) *Diff {
	a := &Diff{workTree: workTree, commonDir: commonDir, dirs: map[string][]attrRule{}, cache: map[string]Result{}}
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
		a.globalFile = global
		a.global = readAttrFile(global, "", false)
	}
	a.info = readAttrFile(filepath.Join(commonDir, "info", "attributes"), "", false)
	return a
}

// Empty reports whether no attribute source exists at all, so that callers can
// skip the lookup on the hot path.
func (a *Diff) Empty() bool {
	return len(a.global) == 0 && len(a.info) == 0 && a.workTree == ""
}

// Lookup returns the diff attribute of path (slash-separated, from the top).
func (a *Diff) Lookup(path string) Result {
	if len(a.global) == 0 && len(a.info) == 0 && a.workTree == "" {
		return Result{}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if r, ok := a.cache[path]; ok {
		return r
	}
	var res Result
	apply := func(rules []attrRule) {
		for i := range rules {
			if rules[i].matches(path) {
				res = rules[i].result
			}
		}
	}
	apply(a.global)
	if a.workTree != "" {
		dir := ""
		apply(a.dirRules(dir))
		for i := 0; i < len(path); i++ {
			if path[i] == '/' {
				apply(a.dirRules(path[:i]))
			}
		}
	}
	apply(a.info)
	a.cache[strings.Clone(path)] = res // path may be a view of a reused buffer
	return res
}

// dirRules reads a work tree folder's .gitattributes once; a.mu is held.
func (a *Diff) dirRules(dir string) []attrRule {
	rules, ok := a.dirs[dir]
	if !ok && !a.read {
		rules = readAttrFile(filepath.Join(a.workTree, filepath.FromSlash(dir), ".gitattributes"), dir, true)
		a.dirs[dir] = rules
	}
	return rules
}

func (r *attrRule) matches(path string) bool {
	if r.dirOnly {
		return false
	}
	rel := path
	if r.base != "" {
		if !strings.HasPrefix(path, r.base+"/") {
			return false
		}
		rel = path[len(r.base)+1:]
	}
	if !r.anchored {
		if i := strings.LastIndexByte(rel, '/'); i >= 0 {
			rel = rel[i+1:]
		}
	}
	return pathspec.Wildmatch(r.pattern, rel, true)
}

// readAttrFile parses a gitattributes file, keeping only lines that say
// something about `diff` (directly, or through the built-in `binary` macro).
// A missing file has no rules. Macros defined by the user ([attr]) that touch
// diff are expanded too.
func readAttrFile(file, base string, inTree bool) []attrRule {
	return parseAttrs(readFile(file, inTree), base)
}

// parseAttrs parses the content of a gitattributes file whose folder is
// base, as readAttrFile.
func parseAttrs(data []byte, base string) []attrRule {
	var rules []attrRule
	macros := map[string]Result{"binary": {State: DiffUnset}}
	for line := range lines(data) {
		pattern, rest := splitAttrPattern(line)
		if pattern == "" {
			continue
		}
		var res Result
		touched := false
		for _, word := range strings.Fields(rest) {
			switch {
			case word == "diff":
				res, touched = Result{State: DiffSet}, true
			case word == "-diff":
				res, touched = Result{State: DiffUnset}, true
			case word == "!diff":
				res, touched = Result{State: DiffUnspecified}, true
			case strings.HasPrefix(word, "diff="):
				res, touched = Result{State: DiffDriver, Driver: word[len("diff="):]}, true
			default:
				if m, ok := macros[word]; ok {
					res, touched = m, true
				}
			}
		}
		if name, ok := strings.CutPrefix(pattern, "[attr]"); ok {
			if touched {
				macros[name] = res
			}
			continue
		}
		if !touched {
			continue
		}
		r := attrRule{base: base, result: res}
		if strings.HasSuffix(pattern, "/") {
			r.dirOnly = true
			pattern = strings.TrimSuffix(pattern, "/")
		}
		if strings.Contains(pattern, "/") {
			r.anchored = true
			pattern = strings.TrimPrefix(pattern, "/")
		}
		r.pattern = pattern
		rules = append(rules, r)
	}
	return rules
}

// splitAttrPattern splits a line into its pattern (which may be C-quoted) and
// the attribute words after it.
func splitAttrPattern(line string) (pattern, rest string) {
	if line[0] == '"' {
		if p, n, ok := unquoteC(line); ok {
			return p, line[n:]
		}
	}
	i := strings.IndexAny(line, " \t")
	if i < 0 {
		return line, ""
	}
	return line[:i], line[i:]
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
