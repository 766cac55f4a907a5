package walker

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gitwalk/gitwalk/internal/commitgraph"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/pathspec"
	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// commitGraph returns the repository's commit-graph, opened once per Repo
// and shared by its walks (it is read only), or nil and why it is not
// used ("" when the repository has none). git reads it unless
// core.commitGraph is false, and only when no history is grafted
// (commit_graph_compatible: the shallow file, info/grafts, replace refs in
// use); gitwalk refuses grafts and replace refs in use before this, so the
// shallow file is the caller's to say.
func (r *Repo) commitGraph(shallow bool) (*commitgraph.Graph, string) {
	if !r.cfg.CommitGraph {
		return nil, "not used: core.commitGraph is false"
	}
	if shallow {
		return nil, "not used: the repository is shallow"
	}
	r.graphOnce.Do(func() {
		g, err := commitgraph.Open(r.db.ObjectDirs())
		switch {
		case errors.Is(err, commitgraph.ErrNoGraph):
		case err != nil:
			r.graphNote = "not used: " + err.Error()
		default:
			r.graph = g
			r.graphNote = fmt.Sprintf("%d commits in %d file(s)", g.Len(), g.Layers())
			if g.Note() != "" {
				r.graphNote += "; chain cut at " + g.Note()
			}
		}
	})
	return r.graph, r.graphNote
}

// bloomFilter is the changed-path filter test of a path-limited walk, as
// git's prepare_to_use_bloom_filter sets it up: only with the graph's
// filters, commitGraph.readChangedPaths not false, and a pathspec of one
// literal path. Its counts are read by Stats (atomic: the walk may go on).
type bloomFilter struct {
	g               *commitgraph.Graph
	key             commitgraph.BloomKey
	definitelyNot   atomic.Int64
	maybe, noFilter atomic.Int64
}

func (r *Repo) newBloomFilter(g *commitgraph.Graph, ps *pathspec.Spec) *bloomFilter {
	if g == nil || !r.cfg.ReadChangedPaths {
		return nil
	}
	path, ok := ps.BloomPath()
	if !ok {
		return nil
	}
	s, ok := g.BloomSettings()
	if !ok {
		return nil
	}
	key, ok := commitgraph.NewBloomKey(path, s)
	if !ok {
		return nil
	}
	return &bloomFilter{g: g, key: key}
}

// maybeChanged is revwalk.Options.MaybeChanged.
func (b *bloomFilter) maybeChanged(c *revwalk.Commit) (maybe, ok bool) {
	pos, ok := b.g.Lookup(c.ID)
	if ok {
		maybe, ok = b.g.MaybeChanged(pos, b.key)
	}
	switch {
	case !ok:
		b.noFilter.Add(1)
	case maybe:
		b.maybe.Add(1)
	default:
		b.definitelyNot.Add(1)
	}
	return maybe, ok
}

// graphFileSource serves the revision walk's commits from the
// commit-graph file: tree, parents and committer date without inflating
// the commit object, as git's parse_commit_in_graph. A commit the graph
// lacks (one newer than the graph) goes to the next cache (the store's
// graphSource) or is read from its object; what the walk reads it passes
// on to that next cache. The graph comes first: a lookup is a binary
// search in mapped memory, where the store's is a B-tree lookup and a
// decode, and the graph's dates are the ones git uses when it has a
// graph (34 bits). Used on the revision walk's goroutine only.
type graphFileSource struct {
	revwalk.ObjectSource
	g     *commitgraph.Graph
	next  revwalk.CommitCache // nil when there is no store
	c     commitgraph.Commit
	found atomic.Int64 // commits served from the graph file (read by Stats while the walk may go on)
}

func newGraphFileSource(src revwalk.ObjectSource, g *commitgraph.Graph) *graphFileSource {
	next, _ := src.(revwalk.CommitCache)
	return &graphFileSource{ObjectSource: src, g: g, next: next}
}

// CommitGraph fills in info from the graph, else from the next cache.
func (s *graphFileSource) CommitGraph(id odb.ID, info *odb.CommitInfo) (uint64, bool) {
	s.c.Parents = info.Parents[:0]
	if s.g.Find(id, &s.c) {
		info.Tree, info.Parents, info.Date = s.c.Tree, s.c.Parents, s.c.Date
		s.found.Add(1)
		return s.c.Generation, true
	}
	if s.next == nil {
		return 0, false
	}
	return s.next.CommitGraph(id, info)
}

// AddCommitGraph passes what the walk read from an object to the store.
func (s *graphFileSource) AddCommitGraph(id odb.ID, info *odb.CommitInfo) {
	if s.next != nil {
		s.next.AddCommitGraph(id, info)
	}
}
