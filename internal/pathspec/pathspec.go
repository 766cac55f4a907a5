package pathspec

import (
	"errors"
	"fmt"
	"strings"
)

// Spec is git's pathspec for `git log -- PATH...`, as far as gitwalk
// implements it: each item matches its exact path, a folder prefix ending at a
// '/' boundary, or (when it has wildcards) a wildmatch on the whole path in
// which '*' also matches '/'. Magic: `:(literal)`, `:(glob)`, `:(icase)`,
// `:(exclude)`, `:!` and `:^`; `:(top)`/`:/` are accepted (paths are always
// from the top here). A nil *Spec matches everything.
type Spec struct {
	items    []pathItem
	positive int // items that are not excludes
}

type pathItem struct {
	pattern  string
	nowild   int // length of the literal prefix before the first wildcard
	literal  bool
	glob     bool // pathname wildmatch: '*' stops at '/'
	icase    bool
	exclude  bool
	matchAll bool // "" or ".": every path
	top      bool // :(top) or :/ magic
}

// Parse builds a pathspec from the user's path arguments. prefix is
// the folder (from the top, with a trailing '/', or "") the user ran in, to
// which relative items are joined, as git does when run inside a work tree.
func Parse(args []string, prefix string) (*Spec, error) {
	if len(args) == 0 {
		return nil, nil
	}
	ps := &Spec{}
	for _, arg := range args {
		it, err := parsePathItem(arg, prefix)
		if err != nil {
			return nil, err
		}
		if !it.exclude {
			ps.positive++
		}
		ps.items = append(ps.items, it)
	}
	return ps, nil
}

func parsePathItem(arg, prefix string) (pathItem, error) {
	var it pathItem
	p := arg
	top := false
	if strings.HasPrefix(p, ":") {
		switch {
		case strings.HasPrefix(p, ":("):
			end := strings.IndexByte(p, ')')
			if end < 0 {
				return it, fmt.Errorf("pathspec %q: missing ')' after magic", arg)
			}
			for _, m := range strings.Split(p[2:end], ",") {
				switch strings.TrimSpace(m) {
				case "literal":
					it.literal = true
				case "glob":
					it.glob = true
				case "icase":
					it.icase = true
				case "exclude":
					it.exclude = true
				case "top":
					top = true
				case "":
				default:
					return it, fmt.Errorf("pathspec %q: magic %q is not supported by gitwalk", arg, m)
				}
			}
			p = p[end+1:]
		default:
			// Short magic: magic characters up to the first other one,
			// optionally closed by a second ':'.
			i := 1
		short:
			for ; i < len(p); i++ {
				switch p[i] {
				case '!', '^':
					it.exclude = true
				case '/':
					top = true
				default:
					break short
				}
			}
			if i < len(p) && p[i] == ':' {
				i++
			}
			p = p[i:]
		}
	}
	if it.literal && it.glob {
		return it, fmt.Errorf("pathspec %q: 'literal' and 'glob' magic cannot be used together", arg)
	}
	it.top = top
	if !top {
		p = prefix + p
	}
	p = cleanPathspec(p)
	if p == "" {
		if !top && prefix != "" {
			p = strings.TrimSuffix(prefix, "/")
		} else {
			it.matchAll = true
		}
	}
	if it.icase {
		p = strings.ToLower(p)
	}
	it.pattern = p
	it.nowild = len(p)
	if !it.literal {
		if i := strings.IndexAny(p, "*?[\\"); i >= 0 {
			it.nowild = i
		}
	}
	return it, nil
}

// cleanPathspec removes "./" components, a leading "/" and trailing slashes,
// and resolves "..", so "dir/", "./dir" and "dir" are the same item.
func cleanPathspec(p string) string {
	var parts []string
	for _, c := range strings.Split(p, "/") {
		switch c {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, "/")
}

// matchItem reports whether the item matches the file at path.
func (it *pathItem) match(path string) bool {
	if it.matchAll {
		return true
	}
	if it.icase {
		path = strings.ToLower(path)
	}
	pat := it.pattern
	// The literal part must match, as a whole path or as a folder prefix.
	if it.nowild == len(pat) {
		return path == pat || (len(path) > len(pat) && path[len(pat)] == '/' && path[:len(pat)] == pat)
	}
	if len(path) < it.nowild || path[:it.nowild] != pat[:it.nowild] {
		return false
	}
	if path == pat {
		return true // a wildcard item also matches its literal name
	}
	if Wildmatch(pat, path, it.glob) {
		return true
	}
	return false
}

// mayMatchUnder reports whether the item could match some path inside the
// folder dir (from the top, no trailing '/').
func (it *pathItem) mayMatchUnder(dir string) bool {
	if it.matchAll || dir == "" {
		return true // the top folder holds every path
	}
	if it.icase {
		dir = strings.ToLower(dir)
	}
	lit := it.pattern[:it.nowild]
	d := dir + "/"
	if it.nowild == len(it.pattern) {
		// Literal: the folder is on the way to the item, or inside it.
		return strings.HasPrefix(lit+"/", d) || strings.HasPrefix(d, lit+"/")
	}
	return strings.HasPrefix(d, lit) || strings.HasPrefix(lit, d)
}

// coversAll reports whether the item matches every path inside dir, so a tree
// walk below it need not ask again.
func (it *pathItem) coversAll(dir string) bool {
	if it.matchAll {
		return true
	}
	if dir == "" {
		return false
	}
	if it.icase {
		dir = strings.ToLower(dir)
	}
	if it.nowild != len(it.pattern) {
		return false
	}
	return dir == it.pattern || strings.HasPrefix(dir, it.pattern+"/")
}

// Matches reports whether path is selected: some positive item matches (or
// there is none) and no exclude item does.
func (ps *Spec) Matches(path string) bool {
	if ps == nil {
		return true
	}
	ok := ps.positive == 0
	for i := range ps.items {
		it := &ps.items[i]
		if !it.exclude && !ok && it.match(path) {
			ok = true
		}
	}
	if !ok {
		return false
	}
	for i := range ps.items {
		if it := &ps.items[i]; it.exclude && it.match(path) {
			return false
		}
	}
	return true
}

// DirState says how a folder relates to the pathspec during a tree walk.
type DirState uint8

const (
	DirSkip    DirState = iota // nothing inside can match
	DirPartial                 // ask again for each entry inside
	DirAll                     // everything inside matches
)

// Dir classifies the folder dir (from the top) for a tree walk.
func (ps *Spec) Dir(dir string) DirState {
	if ps == nil {
		return DirAll
	}
	state := DirSkip
	if ps.positive == 0 {
		state = DirAll
	}
	for i := range ps.items {
		it := &ps.items[i]
		if it.exclude {
			continue
		}
		if it.coversAll(dir) {
			state = DirAll
			break
		}
		if it.mayMatchUnder(dir) {
			state = DirPartial
		}
	}
	if state == DirAll {
		for i := range ps.items {
			if it := &ps.items[i]; it.exclude && it.mayMatchUnder(dir) {
				return DirPartial
			}
		}
	}
	return state
}

// BloomPath returns the one path that git's changed-path Bloom filters
// may answer for, and false when git does not use the filters for this
// spec (revision.c: forbid_bloom_filters, prepare_to_use_bloom_filter):
// more than one item, a wildcard (unless :(literal)), any magic other than
// literal (top and exclude included), or an item that matches every path.
func (ps *Spec) BloomPath() (string, bool) {
	if ps == nil || len(ps.items) != 1 {
		return "", false
	}
	it := ps.items[0]
	if it.glob || it.icase || it.exclude || it.top || it.matchAll || it.nowild < len(it.pattern) || it.pattern == "" {
		return "", false
	}
	return it.pattern, true
}

// Key is the pathspec in a normal form, for a fingerprint of what a walk
// computes: two Specs with the same Key select the same paths (each
// item's pattern, joined to the prefix, and its magic). A nil Spec's Key
// is "".
func (ps *Spec) Key() string {
	if ps == nil {
		return ""
	}
	var b strings.Builder
	for _, it := range ps.items {
		fmt.Fprintf(&b, "%q:%t%t%t%t%t;", it.pattern, it.literal, it.glob, it.icase, it.exclude, it.matchAll)
	}
	return b.String()
}

// ErrFollowOne is git's refusal of --follow without exactly one pathspec
// item: none, two, an exclude (git adds an implicit item that matches
// everything beside it), or --full-diff (git then diffs under none).
var ErrFollowOne = errors.New("--follow requires exactly one path")

// One reports whether the spec is one item that is no exclude: what git
// counts as exactly one pathspec, where log.follow turns --follow on.
func (ps *Spec) One() bool {
	return ps != nil && len(ps.items) == 1 && !ps.items[0].exclude
}

// Follow returns the path --follow follows first: the one item's pattern
// from the top (git's pathspec item's match), which a file added at
// exactly that path is looked up by. ErrFollowOne unless One; an error
// for :(glob) or :(icase) magic, on which git's tree diff stops (a BUG
// in tree-diff.c) once it looks for a rename.
func (ps *Spec) Follow() (string, error) {
	if !ps.One() {
		return "", ErrFollowOne
	}
	it := &ps.items[0]
	if it.glob || it.icase {
		return "", fmt.Errorf("--follow does not take :(glob) or :(icase) magic, on which git stops")
	}
	return it.pattern, nil
}

// Literal returns the spec of one path taken literally (git's
// PATHSPEC_LITERAL_PATH): the path --follow follows after a rename.
func Literal(path string) *Spec {
	return &Spec{items: []pathItem{{pattern: path, nowild: len(path), literal: true, matchAll: path == ""}}, positive: 1}
}
