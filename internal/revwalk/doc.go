// Package revwalk is git's revision walk: which commits `git log` shows and
// in what order, for the options gitwalk has (--topo-order, --date-order,
// --reverse, --first-parent, --no-merges/--merges, -n, --skip,
// --since/--until, --full-history and history simplification by path),
// with git 2.39's quirks: SLOP in limit_list, the date queue's ties, shallow
// commits as roots. With generation numbers from a commit-graph it orders
// --topo-order/--date-order as git does with a graph (the incremental
// init_topo_walk, no SLOP, first-parent edges only under --first-parent),
// and it may skip TREESAME diffs where a changed-path Bloom filter says a
// path did not change. It also finds merge bases for A...B.
//
// The walk starts from Tips that package revision resolves; trees are
// compared under the pathspec through a function the caller gives
// (Options.SameUnderPaths), so this package knows nothing of pathspecs.
//
// The tests build histories in memory (commits with exact dates and parents)
// whose expected orders were read off git, and package revision's tests
// compare whole walks with `git log --format=%H` on repositories git builds.
package revwalk
