package revision

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/pathspec"
	"github.com/gitwalk/gitwalk/internal/refs"
	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// This file turns `git log` revision arguments into the walk's starting
// points, as git 2.39's setup_revisions does (revision.c handle_revision_arg,
// handle_dotdot, handle_revision_pseudo_opt; object-name.c get_oid_1,
// get_parent, get_nth_ancestor, peel_onion; refs.c dwim rules; commit-reach.c
// get_merge_bases for A...B).

// ErrBadRevision is the cause (wrapped, naming the argument) of every error
// about a revision argument that names nothing: the message is git's
// "bad revision 'X'".
var ErrBadRevision = errors.New("bad revision")

// errUnbornHead is the cause of the error for `git log` with no revision when
// HEAD names a branch with no commits (which includes an empty repository).
var errUnbornHead = errors.New("does not have any commits yet")

// Resolver resolves names against a repository's refs and objects. Not
// safe for concurrent use (the graph is not).
type Resolver struct {
	g    *revwalk.Graph
	refs *refs.DB
}

// NewResolver resolves names in g's objects and rdb's refs.
func NewResolver(g *revwalk.Graph, rdb *refs.DB) *Resolver { return &Resolver{g: g, refs: rdb} }

// MayExclude says whether args may name a revision to exclude (a tip
// Resolve returns as Negative), from their text alone: --not, ^X, A..B,
// A...B, X^! or X^-. When it says false, no tip is excluded; when true,
// one may be (a caller may then skip work that only a walk of included
// tips can use). It reads no ref and no object.
func MayExclude(args []string) bool {
	for _, arg := range args {
		switch {
		case arg == "--not":
			return true
		case strings.HasPrefix(arg, "--"):
		case strings.HasPrefix(arg, "^"), strings.Contains(arg, ".."), strings.Contains(arg, "^!"), strings.Contains(arg, "^-"):
			return true
		}
	}
	return false
}

// Resolve resolves `git log` revision arguments (no options other
// than the pseudo-revisions --all, --branches[=PAT], --tags[=PAT],
// --remotes[=PAT], --glob=PAT and --not) into tips, in git's pending order.
// With no argument that names anything, HEAD is the default.
func Resolve(g *revwalk.Graph, rdb *refs.DB, args []string) ([]revwalk.Tip, error) {
	r := &Resolver{g: g, refs: rdb}
	var tips []revwalk.Tip
	negate := false
	inputGiven := false // git's rev_input_given: no HEAD default after --all and the like
	for _, arg := range args {
		if strings.HasPrefix(arg, "--") {
			var err error
			switch {
			case arg == "--not":
				negate = !negate
				continue
			case arg == "--all":
				if tips, err = r.addRefs(tips, "refs/", "", negate); err == nil {
					if tips, err = r.addHead(tips, negate); err == nil {
						tips, err = r.addOtherHeads(tips, negate)
					}
				}
			case arg == "--branches":
				tips, err = r.addRefs(tips, "refs/heads/", "", negate)
			case arg == "--tags":
				tips, err = r.addRefs(tips, "refs/tags/", "", negate)
			case arg == "--remotes":
				tips, err = r.addRefs(tips, "refs/remotes/", "", negate)
			case strings.HasPrefix(arg, "--branches="):
				tips, err = r.addRefs(tips, "refs/heads/", globPattern("refs/heads/", arg[len("--branches="):]), negate)
			case strings.HasPrefix(arg, "--tags="):
				tips, err = r.addRefs(tips, "refs/tags/", globPattern("refs/tags/", arg[len("--tags="):]), negate)
			case strings.HasPrefix(arg, "--remotes="):
				tips, err = r.addRefs(tips, "refs/remotes/", globPattern("refs/remotes/", arg[len("--remotes="):]), negate)
			case strings.HasPrefix(arg, "--glob="):
				tips, err = r.addRefs(tips, "", globPattern("", arg[len("--glob="):]), negate)
			default:
				return nil, fmt.Errorf("unrecognized revision option %q", arg)
			}
			if err != nil {
				return nil, err
			}
			inputGiven = true
			continue
		}
		var err error
		if tips, err = r.addArg(tips, arg, negate); err != nil {
			return nil, err
		}
		inputGiven = true
	}
	if len(tips) == 0 && !inputGiven {
		id, err := r.OID("HEAD")
		if err != nil {
			return nil, r.diagnoseHead()
		}
		return r.addObject(tips, id, false, "HEAD")
	}
	return tips, nil
}

// diagnoseHead is git's diagnose_missing_default for HEAD.
func (r *Resolver) diagnoseHead() error {
	target := r.refs.SymbolicTarget("HEAD")
	if target == "" {
		return errors.New("your current branch appears to be broken")
	}
	if _, _, err := r.refs.Resolve(target); err != nil {
		return fmt.Errorf("your current branch appears to be broken: %w", err)
	}
	return fmt.Errorf("your current branch '%s' %w", strings.TrimPrefix(target, "refs/heads/"), errUnbornHead)
}

// globPattern is for_each_glob_ref_in's pattern: the prefix, "refs/" when
// neither a prefix nor "refs/" starts it, and "/*" when it has no wildcard.
func globPattern(prefix, pattern string) string {
	full := pattern
	if prefix != "" {
		full = prefix + pattern
	} else if !strings.HasPrefix(pattern, "refs/") {
		full = "refs/" + pattern
	}
	if !strings.ContainsAny(pattern, "*?[\\") {
		if !strings.HasSuffix(full, "/") {
			full += "/"
		}
		full += "*"
	}
	return full
}

// addRefs adds every ref under prefix (matching glob, when not empty) in
// byte order of name. Refs to trees and blobs are skipped, as git's
// handle_commit does without --objects.
func (r *Resolver) addRefs(tips []revwalk.Tip, prefix, glob string, negative bool) ([]revwalk.Tip, error) {
	refs, err := r.refs.List(prefix)
	if err != nil {
		return nil, err
	}
	for _, ref := range refs {
		if glob != "" && !pathspec.Wildmatch(glob, ref.Name, false) {
			continue
		}
		if tips, err = r.addObject(tips, ref.ID, negative, ref.Name); err != nil {
			return nil, err
		}
	}
	return tips, nil
}

// addHead adds HEAD (detached or not) when it names a commit.
func (r *Resolver) addHead(tips []revwalk.Tip, negative bool) ([]revwalk.Tip, error) {
	id, ok, err := r.refs.Resolve("HEAD")
	if err != nil || !ok {
		return tips, err
	}
	return r.addObject(tips, id, negative, "HEAD")
}

// addOtherHeads adds the HEADs of the other worktrees (--all).
func (r *Resolver) addOtherHeads(tips []revwalk.Tip, negative bool) ([]revwalk.Tip, error) {
	heads, err := r.refs.OtherHeads()
	if err != nil {
		return nil, err
	}
	for _, h := range heads {
		if tips, err = r.addObject(tips, h.ID, negative, h.Name); err != nil {
			return nil, err
		}
	}
	return tips, nil
}

// addObject adds the commit that id names, following tags; trees and blobs
// are dropped silently, a missing object is an error naming it.
func (r *Resolver) addObject(tips []revwalk.Tip, id odb.ID, negative bool, name string) ([]revwalk.Tip, error) {
	cid, typ, err := r.g.Peel(id)
	if err != nil {
		return nil, fmt.Errorf("bad object %s: %w", name, err)
	}
	if typ != odb.Commit {
		return tips, nil
	}
	n := r.g.Lookup(cid)
	if err := r.g.Parse(n); err != nil {
		return nil, fmt.Errorf("bad object %s: %w", name, err)
	}
	return append(tips, revwalk.Tip{ID: cid, Negative: negative, Name: name}), nil
}

// addArg is handle_revision_arg for one revision argument.
func (r *Resolver) addArg(tips []revwalk.Tip, arg string, negative bool) ([]revwalk.Tip, error) {
	bad := fmt.Errorf("%w '%s'", ErrBadRevision, arg)
	if arg == ".." || arg == "" {
		return nil, bad
	}
	if out, ok, err := r.addDotDot(tips, arg, negative); err != nil {
		return nil, err
	} else if ok {
		return out, nil
	}
	name := arg
	if base, ok := strings.CutSuffix(name, "^@"); ok {
		// All parents of base, not base itself.
		if c, err := r.commitish(base); err == nil {
			for i, p := range c.Parents {
				var err error
				if tips, err = r.addObject(tips, p, negative, fmt.Sprintf("%s^%d", base, i+1)); err != nil {
					return nil, err
				}
			}
			return tips, nil
		}
	}
	if base, ok := strings.CutSuffix(name, "^!"); ok {
		// base, and its parents negated.
		if c, err := r.commitish(base); err == nil {
			for i, p := range c.Parents {
				var err error
				if tips, err = r.addObject(tips, p, !negative, fmt.Sprintf("%s^%d", base, i+1)); err != nil {
					return nil, err
				}
			}
			name = base
		}
	}
	if i := strings.Index(name, "^-"); i >= 0 {
		// base ^base^N (N = 1 when absent).
		base, num := name[:i], name[i+2:]
		nth := 1
		if num != "" {
			if _, err := fmt.Sscanf(num, "%d", &nth); err != nil || nth < 1 || fmt.Sprint(nth) != num {
				return nil, bad
			}
		}
		if c, err := r.commitish(base); err == nil {
			if nth <= len(c.Parents) {
				var err error
				if tips, err = r.addObject(tips, c.Parents[nth-1], !negative, fmt.Sprintf("%s^%d", base, nth)); err != nil {
					return nil, err
				}
			}
			name = base
		}
	}
	neg := negative
	if strings.HasPrefix(name, "^") {
		neg = !neg
		name = name[1:]
	}
	id, err := r.OID(name)
	if err != nil {
		return nil, bad
	}
	return r.addObject(tips, id, neg, arg)
}

// addDotDot is handle_dotdot: A..B adds ^A and B; A...B adds the merge bases
// of A and B negated, then A, then B. An empty side is HEAD. ok is false when
// arg is no range or a side names nothing (git then tries the whole
// argument as one name, which fails).
func (r *Resolver) addDotDot(tips []revwalk.Tip, arg string, negative bool) ([]revwalk.Tip, bool, error) {
	i := strings.Index(arg, "..")
	if i < 0 {
		return tips, false, nil
	}
	aName, bName := arg[:i], arg[i+2:]
	symmetric := strings.HasPrefix(bName, ".")
	if symmetric {
		bName = bName[1:]
	}
	if aName == "" {
		aName = "HEAD"
	}
	if bName == "" {
		bName = "HEAD"
	}
	a, err := r.OID(aName)
	if err != nil {
		return tips, false, nil
	}
	b, err := r.OID(bName)
	if err != nil {
		return tips, false, nil
	}
	if !symmetric {
		if tips, err = r.addObject(tips, a, !negative, aName); err != nil {
			return nil, false, err
		}
		tips, err = r.addObject(tips, b, negative, bName)
		return tips, err == nil, err
	}
	ca, err := r.g.CommitOf(a)
	if err != nil {
		return tips, false, nil
	}
	cb, err := r.g.CommitOf(b)
	if err != nil {
		return tips, false, nil
	}
	bases, err := revwalk.MergeBases(r.g, ca, cb)
	if err != nil {
		return nil, false, err
	}
	for _, m := range bases {
		tips = append(tips, revwalk.Tip{ID: m.ID, Negative: !negative, Name: m.ID.String()})
	}
	if tips, err = r.addObject(tips, a, negative, aName); err != nil {
		return nil, false, err
	}
	tips, err = r.addObject(tips, b, negative, bName)
	return tips, err == nil, err
}

// commitish resolves name and follows it to a parsed commit.
func (r *Resolver) commitish(name string) (*revwalk.Commit, error) {
	id, err := r.OID(name)
	if err != nil {
		return nil, err
	}
	return r.g.CommitOf(id)
}

// OID is git's get_oid_1: REV~n, REV^n (from the right), REV^{...}, then
// a name: @, a full id, a ref by git's dwim rules, an abbreviated id.
func (r *Resolver) OID(name string) (odb.ID, error) {
	var zero odb.ID
	i := len(name) - 1
	for i >= 0 && name[i] >= '0' && name[i] <= '9' {
		i--
	}
	if i >= 0 && (name[i] == '~' || name[i] == '^') {
		base, digits := name[:i], name[i+1:]
		num := 0
		for _, d := range digits {
			num = num*10 + int(d-'0')
			if num > 1<<31-1 {
				return zero, fmt.Errorf("%s: number too large", name)
			}
		}
		if digits == "" {
			num = 1
		}
		c, err := r.commitish(base)
		if err != nil {
			return zero, err
		}
		if name[i] == '^' {
			if num == 0 {
				return c.ID, nil
			}
			if num > len(c.Parents) {
				return zero, fmt.Errorf("%s: commit %s has no parent %d", name, c.ID, num)
			}
			return c.Parents[num-1], nil
		}
		for ; num > 0; num-- {
			if c.FirstParent() == nil {
				return zero, fmt.Errorf("%s: commit %s has no parent", name, c.ID)
			}
			c = c.FirstParent()
			if err := r.g.Parse(c); err != nil {
				return zero, err
			}
		}
		return c.ID, nil
	}
	if strings.HasSuffix(name, "}") {
		if j := strings.LastIndex(name, "^{"); j >= 0 {
			return r.PeelOnion(name[:j], name[j+2:len(name)-1])
		}
	}
	if name == "@" {
		name = "HEAD"
	}
	if len(name) == 40 && isHex(name) {
		return odb.ParseID(name)
	}
	if id, ok, err := r.dwimRef(name); err != nil {
		return zero, err
	} else if ok {
		return id, nil
	}
	if len(name) >= 4 && len(name) < 40 && isHex(name) {
		return r.g.ResolvePrefix(name)
	}
	return zero, fmt.Errorf("%w '%s'", ErrBadRevision, name)
}

// PeelOnion is REV^{} (follow tags), REV^{commit}, REV^{tree}, REV^{object}.
func (r *Resolver) PeelOnion(base, kind string) (odb.ID, error) {
	id, err := r.OID(base)
	if err != nil {
		return id, err
	}
	switch kind {
	case "object":
		return id, nil
	case "", "commit", "tree":
		cid, typ, err := r.g.Peel(id)
		if err != nil {
			return cid, err
		}
		switch {
		case kind == "":
			return cid, nil
		case kind == "commit" && typ == odb.Commit:
			return cid, nil
		case kind == "tree" && typ == odb.Tree:
			return cid, nil
		case kind == "tree" && typ == odb.Commit:
			c, err := r.g.CommitOf(cid)
			if err != nil {
				return cid, err
			}
			return c.Tree, nil
		}
		return cid, fmt.Errorf("%s^{%s}: object %s is a %s", base, kind, cid, typ)
	}
	return id, fmt.Errorf("%s^{%s}: unsupported", base, kind)
}

// dwimRef tries git's ref rules for a short name in order: NAME (for HEAD,
// pseudo-refs and full names), refs/NAME, refs/tags/NAME, refs/heads/NAME,
// refs/remotes/NAME, refs/remotes/NAME/HEAD. The first that resolves wins.
func (r *Resolver) dwimRef(name string) (odb.ID, bool, error) {
	if name == "" || strings.Contains(name, "..") || strings.HasSuffix(name, "/") || strings.HasPrefix(name, "/") {
		return odb.ID{}, false, nil
	}
	rules := [...]string{"%s", "refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s", "refs/remotes/%s/HEAD"}
	for k, rule := range rules {
		if k == 0 && !strings.HasPrefix(name, "refs/") && !isPseudoRef(name) {
			continue
		}
		id, ok, err := r.refs.Resolve(fmt.Sprintf(rule, name))
		if err != nil {
			continue // a name that is no valid ref name, or a broken ref: git goes on too
		}
		if ok {
			return id, true, nil
		}
	}
	return odb.ID{}, false, nil
}

// isPseudoRef reports whether name has the shape of HEAD, FETCH_HEAD,
// ORIG_HEAD and the like: upper case letters and underscores.
func isPseudoRef(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'A' && c <= 'Z' || c == '_') {
			return false
		}
	}
	return name != ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
