package walker

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/refs"
	"github.com/gitwalk/gitwalk/internal/revision"
	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// BranchRef is a branch: a ref under refs/heads/ or refs/remotes/ and the
// commit it names (an annotated tag in a branch ref is followed to its
// commit).
type BranchRef struct {
	Ref    string // full ref name, as "refs/heads/main" or "refs/remotes/origin/main"
	Name   string // short name, as "main" or "origin/main"
	Hash   Hash   // the tip commit
	Remote bool   // a remote-tracking branch (refs/remotes/)
}

// ErrNoDefaultBranch is returned (wrapped, naming what was tried) by
// DefaultBranch when none of the candidates exists.
var ErrNoDefaultBranch = errors.New("no default branch")

// Branches lists the local branches (refs/heads/*) and, when remotes is
// set, the remote-tracking ones (refs/remotes/*, leaving out the symbolic
// refs/remotes/*/HEAD), in byte order of the full ref name as git
// for-each-ref lists them. Loose and packed refs are both read (a loose ref
// wins). Refs that do not name a commit (a tree, a blob, a dangling symbolic
// ref) are left out. An empty repository, or one with only a detached HEAD,
// has none: the result is empty with no error. Safe for concurrent use.
func (r *Repo) Branches(remotes bool) ([]BranchRef, error) {
	rdb := refs.Open(r.gitDir)
	g := revwalk.NewGraph(revwalk.NewODBSource(r.db), nil)
	prefixes := []string{"refs/heads/"}
	if remotes {
		prefixes = append(prefixes, "refs/remotes/")
	}
	var out []BranchRef
	for _, prefix := range prefixes {
		list, err := rdb.List(prefix)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			if prefix == "refs/remotes/" && (strings.HasSuffix(e.Name, "/HEAD") || rdb.SymbolicTarget(e.Name) != "") {
				continue
			}
			c, err := g.CommitOf(e.ID)
			if err != nil {
				if errors.Is(err, revwalk.ErrNotCommit) {
					continue
				}
				return nil, fmt.Errorf("branch %s: %w", e.Name, err)
			}
			out = append(out, BranchRef{
				Ref:    e.Name,
				Name:   strings.TrimPrefix(strings.TrimPrefix(e.Name, "refs/heads/"), "refs/remotes/"),
				Hash:   c.ID,
				Remote: prefix == "refs/remotes/",
			})
		}
	}
	return out, nil
}

// DefaultBranch chooses the branch others are compared with: the branch
// refs/remotes/origin/HEAD points to when it exists, else the branch HEAD
// points to when HEAD is symbolic to a branch with commits, else main, else
// master. When none exists the error wraps ErrNoDefaultBranch and names
// the candidates tried. Safe for concurrent use.
func (r *Repo) DefaultBranch() (BranchRef, error) {
	rdb := refs.Open(r.gitDir)
	g := revwalk.NewGraph(revwalk.NewODBSource(r.db), nil)
	try := func(ref string) (BranchRef, bool, error) {
		id, ok, err := rdb.Resolve(ref)
		if err != nil || !ok {
			return BranchRef{}, false, err
		}
		c, err := g.CommitOf(id)
		if err != nil {
			if errors.Is(err, revwalk.ErrNotCommit) {
				return BranchRef{}, false, nil
			}
			return BranchRef{}, false, fmt.Errorf("branch %s: %w", ref, err)
		}
		remote := strings.HasPrefix(ref, "refs/remotes/")
		name := strings.TrimPrefix(strings.TrimPrefix(ref, "refs/heads/"), "refs/remotes/")
		return BranchRef{Ref: ref, Name: name, Hash: c.ID, Remote: remote}, true, nil
	}
	var candidates []string
	if t := rdb.SymbolicTarget("refs/remotes/origin/HEAD"); t != "" {
		candidates = append(candidates, t)
	}
	if t := rdb.SymbolicTarget("HEAD"); strings.HasPrefix(t, "refs/heads/") {
		candidates = append(candidates, t)
	}
	candidates = append(candidates, "refs/heads/main", "refs/heads/master")
	for _, ref := range candidates {
		b, ok, err := try(ref)
		if err != nil {
			return BranchRef{}, err
		}
		if ok {
			return b, nil
		}
	}
	return BranchRef{}, fmt.Errorf("%w (tried refs/remotes/origin/HEAD, the branch of HEAD, main, master)", ErrNoDefaultBranch)
}

// ResolveCommit resolves a revision name as Options.Revisions takes a single
// one (a branch, tag, id, REV~n, REV^n...) to the commit it names, following
// tags. A name that names nothing, or names no commit, is an error naming
// it. Safe for concurrent use.
func (r *Repo) ResolveCommit(rev string) (Hash, error) {
	g := revwalk.NewGraph(revwalk.NewODBSource(r.db), nil)
	rr := revision.NewResolver(g, refs.Open(r.gitDir))
	id, err := rr.OID(rev)
	if err != nil {
		return Hash{}, err
	}
	c, err := g.CommitOf(id)
	if err != nil {
		return Hash{}, fmt.Errorf("%s: %w", rev, err)
	}
	return c.ID, nil
}

// ReadCommit returns the commit id's metadata as a walk with NoChanges
// and Messages hands it out, read from its object: Parents are those the
// object names (a walk's may be fewer: a shallow repository's), and Seq
// is 0.
func (r *Repo) ReadCommit(id Hash) (*Commit, error) {
	typ, data, err := r.db.NewReader().Read(id, nil)
	if err != nil {
		return nil, err
	}
	if typ != odb.Commit {
		return nil, fmt.Errorf("object %s is a %s, not a commit", id, typ)
	}
	info, err := odb.ParseCommit(data)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", id, err)
	}
	var u unit // for its signatures' time zones
	return &Commit{
		Hash:      id,
		Tree:      info.Tree,
		Parents:   append([]Hash(nil), info.Parents...),
		Author:    u.signature(info.Author),
		Committer: u.signature(info.Committer),
		Subject:   subject(info.Message),
		Message:   string(info.Message),
	}, nil
}

// NewArenaPool returns an arena pool like the one a walk makes for itself:
// it retains up to n idle arenas of the walker's size and releases the pages
// a give-back touched beyond the walker's retained size. Pass it as
// Options.Arenas to share it between walks (it is safe for concurrent use);
// the caller closes it when the walks have ended.
func NewArenaPool(n int) *arena.Pool {
	return arena.NewPool(n, func() (arena.Backing, error) { return arena.NewMmap(arenaSize) },
		arena.WithRetain(arenaRetain))
}
