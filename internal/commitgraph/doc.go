// Package commitgraph reads git's commit-graph file (objects/info/commit-graph,
// or the split chain under objects/info/commit-graphs/, as
// gitformat-commit-graph(5) describes it), so that a revision walk gets a
// commit's root tree, parents and committer date without inflating the
// commit object, as git 2.39 does (commit-graph.c: parse_commit_graph,
// load_commit_graph_chain, fill_commit_in_graph). It also exposes the
// generation numbers (topological levels, and corrected commit dates from
// GDA2/GDO2) and the changed-path Bloom filters (BIDX/BDAT).
//
// A graph is mapped read-only and checked whole when it is opened: the
// header, the chunk table's bounds, every chunk's size, the fanout against
// the sorted ids, every parent position, the chain's links and the SHA-1
// trailer. git checks less at load time (it verifies the checksum only in
// `git commit-graph verify`, and dies on a parent position out of range);
// checking once at open costs one pass over the file and means a lookup
// never meets bad data: a graph that fails any check is not used, and the
// error says why. Nothing here panics on a damaged file (FuzzParse).
//
// The tests have git write graphs (single files, chains, with and without
// changed paths) in temporary repositories and compare every commit's data
// with `git cat-file`/`git log`; package walker's tests compare whole
// walks with git's on repositories with graphs fresh, stale and damaged.
package commitgraph
