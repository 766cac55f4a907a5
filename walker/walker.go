// Package walker walks a git repository's history and computes, for each
// commit, what it changed file by file with added and deleted lines, exactly
// as `git log --numstat --no-renames` counts them.
//
// Revisions are named as `git log` takes them and commits come out in git's
// order. Each commit is a unit of work on a pool of workers: a worker holds
// one object reader from a pool.Pool, checks out an arena from an arena.Pool
// for each commit, diffs trees and lines in that arena, copies out a small
// Commit and gives the arena back. Results are put back into walk order
// through a bounded window, so memory stays bounded and the output is the
// same for any number of workers. With Options.Store, a commit whose result
// an earlier walk kept is read from the store instead (OpenStore), with the
// same result.
package walker

import (
	"time"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/diff"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/renames"
	"github.com/gitwalk/gitwalk/pool"
)

// Hash is a git object id (SHA-1). Its String method gives 40 hex digits.
type Hash = odb.ID

// ParseHash parses 40 hex digits into a Hash.
func ParseHash(s string) (Hash, error) { return odb.ParseID(s) }

// Algorithm selects the line diff whose counts a walk reports.
type Algorithm uint8

const (
	// Myers is git's default diff, with git's cost heuristics: its counts are
	// git's also where git's diff is not minimal.
	Myers Algorithm = iota
	// Minimal is `git log --minimal` (git 2.39's meaning: see the package
	// internal/diff for where newer git differs).
	Minimal
)

func (a Algorithm) internal() diff.Algorithm {
	if a == Minimal {
		return diff.Minimal
	}
	return diff.Myers
}

// Options say what to walk and how. The zero value walks HEAD in git's
// default order with one worker per core.
type Options struct {
	// Revisions are `git log` revision arguments: names, ids (full or
	// abbreviated), REV~n, REV^n, A..B, A...B, ^A, and the pseudo-revisions
	// "--all", "--branches", "--tags", "--remotes" and "--not". Empty means HEAD.
	Revisions []string
	// Paths is a pathspec (`git log -- PATH...`): commits that do not change
	// a matching path are left out (git's default history simplification),
	// and changes are listed for matching paths only unless FullDiff.
	Paths []string
	// PathPrefix is the folder the user stands in, from the top of the work
	// tree (for example "sub/dir/"); relative Paths are joined to it.
	PathPrefix string
	FullDiff   bool
	// FullHistory is git log's --full-history: a walk limited by Paths
	// keeps every merge that is not TREESAME to all its parents, and
	// follows every parent, instead of following one a merge is TREESAME
	// to. git turns it on with --diff-merges=first-parent (and -m) too.
	FullHistory bool
	// Relative is git log's --relative prefix: when not empty, only the
	// changes whose path starts with it are listed (compared as strings,
	// as git does: "sub" takes "subway/x" too), left out before rename
	// detection, so a file moved in from outside is added. Paths stay
	// whole: the caller strips the prefix where it prints them
	// (RelativePath). The walk itself is not limited by it.
	Relative string
	// DiffFilter is git log's --diff-filter (DiffFilter.Add reads its
	// values): only the changes it selects are given, and only commits
	// with changes left (also no merge unless diffed), with MaxCount
	// counting those (unless Reverse), as git's log shows them. Walk
	// only; the store keeps every change.
	DiffFilter DiffFilter
	// Follow is git log's --follow: Paths must be one path (not an
	// exclude, no :(glob) or :(icase) magic) and FullDiff unset. The walk
	// is then not simplified by the path: every commit is walked, and
	// each is diffed against its parent under the path it follows at that
	// point of the walk's order. Where that diff is a single file added,
	// its source is looked for among every file of the parent, as
	// `-C -C` does (renames and copies, RenameScore's least similarity),
	// and a rename or copy found stands in for the addition and gives the
	// path followed from there on. Only commits with changes are given to
	// the callback, and MaxCount counts those (unless Reverse, where it
	// counts commits walked, as git's does). One worker computes the
	// commits, in order; the walk uses no Store.
	Follow bool
	// IgnoreSubmodules is git log's --ignore-submodules: "" when not given
	// (the repository's diff.ignoreSubmodules and its submodules' own
	// ignore settings decide which gitlinks' changes are left out); else
	// all, dirty, untracked or none, which alone decides (all leaves out
	// every gitlink's change, the others none).
	IgnoreSubmodules string

	FirstParent bool      // follow only first parents; merges are diffed against parent 1
	NoMerges    bool      // leave out commits with more than one parent
	TopoOrder   bool      // --topo-order
	Reverse     bool      // output in reverse order (after MaxCount and Skip)
	MaxCount    int       // at most this many commits; 0 means no limit
	Skip        int       // leave out the first Skip commits that would be shown
	Since       time.Time // --since: leave out commits older than this (git's rules)
	Until       time.Time // --until: leave out commits newer than this

	// MinParents and MaxParents (when MaxParentsSet) are git log's
	// --min-parents and --max-parents: commits with fewer or more parents
	// are left out (--merges is a MinParents of 2, --no-merges NoMerges
	// or a MaxParents of 1, and a MaxParents of 0 keeps only roots).
	MinParents    int
	MaxParents    int
	MaxParentsSet bool

	// DiffMerges diffs every merge against its first parent, as
	// `git log --diff-merges=first-parent`, while all parents are still
	// followed (FirstParent diffs merges so too, and follows only parent 1).
	DiffMerges bool
	// Messages fills in Commit.Message (whole messages cost a copy per
	// commit, so they are only kept when asked for).
	Messages bool

	// Algorithm is the line diff; when zero the repository's diff.algorithm
	// decides, and an algorithm gitwalk lacks is an error, never a silent
	// substitute.
	Algorithm    Algorithm
	AlgorithmSet bool // Algorithm was chosen by the caller (overrides diff.algorithm)

	// NoChanges skips the tree and line diffs: commits come with metadata only.
	NoChanges bool
	// ParentsOnly is NoChanges with less: commits come with their Hash,
	// Parents and Seq only, and nothing is read for them beyond what the
	// revision walk reads, which a Store's commits and a Replay spare on a
	// later walk. For a walk of a history's shape (a branch comparison's
	// base, say), where reading every commit's object would be most of it;
	// not with Follow or DiffFilter, which choose commits by their changes.
	ParentsOnly bool
	// NoLineCounts lists each commit's changed files (with renames) but
	// reads no blob to count lines: Added, Deleted and Binary stay zero.
	// Rename detection is git's all the same: exact renames by id, and the
	// similarity estimate reads the blobs of the added and deleted files
	// only (never a modified file's), so the files are named as with line
	// counts. For analyses that need only which files changed (knowledge,
	// coupling, age, commit counts), and much faster.
	NoLineCounts bool
	// Missing is what the walk does at a tree or blob the repository
	// lacks (git's --missing). By default it stops with an error naming
	// the object. When it goes on, what could not be read is left out and
	// counted in Stats: a commit whose trees are missing comes without
	// changes (Commit.ChangesMissing), a change whose blob is missing
	// without line counts (Change.Missing), and a rename the similarity
	// estimate could not judge is not found. A missing commit is an error
	// whatever the action, as in git.
	Missing MissingAction

	// Renames is rename detection, as git log does it: by default the
	// repository's diff.renames decides (on when unset, as in git log).
	// A detected rename is one Renamed change with OldPath set, in place
	// of a deletion and an addition.
	Renames RenameMode
	// RenameScore is the least similarity of a rename or copy, on git's
	// scale of 0 to MaxRenameScore (ParseRenameScore reads -M's value);
	// 0 is git's default, 50%.
	RenameScore int
	// RenameLimit is git's -l: the full comparison of a commit is skipped
	// when its remaining sources times destinations exceed the limit's
	// square (exact and same-name renames are still found; Stats say
	// when). 0 takes the repository's diff.renameLimit (git's 1000 when
	// unset); a negative value means no limit (git's -l0).
	RenameLimit int

	// MaxBlobSize, when above 0, replaces the repository's
	// core.bigFileThreshold (git's default 512 MiB): a blob larger than this
	// many bytes is binary ("-\t-" in numstat), decided from its size
	// without inflating it, as git does above the threshold.
	MaxBlobSize int64

	// Workers is the number of goroutines computing commits; 0 = GOMAXPROCS.
	Workers int
	// Slots, when set, is a budget of workers this walk shares with others
	// (NewSlots): each of its workers computes a commit only while it holds
	// a slot, so walks of several repositories at once compute no more
	// commits between them than the budget has slots. Results are the same
	// with it as without.
	Slots *Slots
	// Arenas, when set, is the arena pool the walk checks arenas out of (it
	// may be shared between walks). When nil the walk makes its own.
	Arenas *arena.Pool
	// Readers, when set, is the pool of object readers the walk's workers
	// take readers from, one commit at a time (it may be shared between
	// walks of the Repo that made it, and then bounds how many of their
	// workers read at once). When nil the walk makes its own, of Workers
	// readers.
	Readers *ReaderPool
	// CacheBytes bounds the cache of inflated delta bases the workers share
	// (0: twice the repository's packed bytes up to 64 MiB, a quarter of
	// them beyond, within 16 to 128 MiB). More
	// helps histories of big files; memory grows with it. A ReaderPool
	// given as Readers has its own cache, and this is then unused.
	CacheBytes int64
	// Store, when set, keeps each commit's result between walks: a commit
	// it holds (under this walk's settings) is read instead of diffed, and
	// one computed is put in it. Results are the same with it as without;
	// when the store fails (Store.Err) the walk goes on without it. Walks
	// with NoChanges do not use it.
	Store *Store
	// Replay lets a walk with a Store hand out its commits in the order a
	// walk from the same tips with the same options kept there, without
	// walking (and keep its own order for the next): walks in git log's
	// default order that meet every commit of their history, without path
	// limiting, a skip, a date limit or a shallow file. The commits are
	// the same; a third of a warm walk of git/git is spared.
	Replay bool
	// Resume, when set with a Store, keeps the walk's checkpoint for a
	// later walk to resume from (Resume.End; Resume.CheckpointSeq says
	// which commits were handed out from it on), and resumes this one from
	// Resume.From: when the walk reaches From's checkpoint having met what
	// the walk From marks met above it, and its queue there is that walk's
	// (revwalk's StopAt proves both), it stops there (Resume.Stopped): the
	// commits it did not hand out are the rest of the walk From marks (see
	// resume.go). Only walks of one tip in git log's default order, with
	// no path, count, skip or date limit, are resumed or marked; a walk
	// that resumes from a checkpoint is not replayed.
	Resume *Resume
	// Stats, when set, receives the walk's figures when Walk returns.
	Stats *Stats
	// Untimed leaves out of Stats where the walk's time went after its
	// setup (RevWalk, Ordered, Busy: zero), which the walk learns by
	// reading the clock two or three times a commit: 2% of the CPU of a
	// walk that reads its commits from the store. Setup and Wall are kept.
	Untimed bool
	// Progress, when set, is told how far the walk is: done commits given to
	// the callback, of total, which is -1 until the revision walk has ended.
	// To learn the total early, the revision walk then runs ahead of the
	// workers instead of just before them, keeping one pointer per commit it
	// has chosen. Progress is called on the goroutine that called Walk or
	// WalkParallel, never concurrently with itself or with Walk's callback,
	// at most every ProgressInterval, and a last time with the final count
	// when the walk ends without error. It must return quickly.
	Progress func(done, total int)
}

// RenameMode says whether a walk detects renames and copies.
type RenameMode uint8

// The rename modes.
const (
	RenamesAsConfigured    RenameMode = iota // the repository's diff.renames; on when unset (git log's default)
	RenamesOff                               // --no-renames
	RenamesOn                                // -M: renames
	RenamesAndCopies                         // -C (or diff.renames=copies): copies from changed files too
	RenamesAndCopiesHarder                   // -C -C, --find-copies-harder: copies from unmodified files too
)

func (m RenameMode) String() string {
	switch m {
	case RenamesOff:
		return "off"
	case RenamesOn:
		return "renames"
	case RenamesAndCopies:
		return "copies"
	case RenamesAndCopiesHarder:
		return "copies-harder"
	}
	return "as-configured"
}

// MaxRenameScore is a rename score of 100% (git's MAX_SCORE).
const MaxRenameScore = renames.MaxScore

// ParseRenameScore reads the value of git's -M<n>, --find-renames=<n> or
// -C<n> as git does: digits are a fraction ("5" and "50" are 50%, "100"
// is 10%), a "%" suffix makes them a percentage, and 0 means the default.
func ParseRenameScore(s string) (int, error) { return renames.ParseScore(s) }

// ProgressInterval is the least time between two calls of Options.Progress:
// a terminal redraws no faster than people read, and the walk pays for a
// call only this often, not per commit.
const ProgressInterval = 100 * time.Millisecond

// FileMode is a git tree entry mode (0o100644, 0o100755, 0o120000 symlink,
// 0o160000 submodule gitlink); 0 means absent.
type FileMode uint32

// ChangeKind says what happened to a path.
type ChangeKind uint8

// The kinds of change.
const (
	Modified ChangeKind = iota // content or mode changed; the type may have changed too
	Added
	Deleted
	Renamed // the file moved from OldPath to Path (its content may have changed too)
	Copied  // Path is a copy of OldPath, which stays
)

// RenameLimitWarning returns the lines git log writes to stderr after its
// output when the rename limit skipped the full comparison somewhere
// (Stats.RenameLimitNeeded), or "" when it did not.
func RenameLimitWarning(s *Stats) string {
	return renames.LimitWarning(s.RenameLimitNeeded, s.RenameDegraded)
}

func (k ChangeKind) String() string {
	switch k {
	case Added:
		return "added"
	case Deleted:
		return "deleted"
	case Renamed:
		return "renamed"
	case Copied:
		return "copied"
	}
	return "modified"
}

// Change is one file's change in a commit. A file that became a symlink (or
// a submodule) is one Modified change, as git's numstat counts it.
type Change struct {
	Path string
	// OldPath is the path the file had in the parent, for a Renamed or
	// Copied change; "" otherwise.
	OldPath string
	// Score is the similarity of a Renamed or Copied pair as git computes
	// it, in percent (100 for identical content); 0 otherwise.
	Score            int
	Kind             ChangeKind
	OldMode, NewMode FileMode
	OldHash, NewHash Hash
	Added, Deleted   int  // lines, as git's numstat; 0 when Binary
	Binary           bool // git prints "-\t-" for it
	// Missing says a blob of the change was missing and passed over
	// (Options.Missing): its line counts are 0 and not known, and a rename
	// to or from it could be found only exactly.
	Missing bool
}

// Signature is an author or committer.
type Signature struct {
	Name, Email string
	When        time.Time // in the signature's own time zone
}

// Commit is one walked commit and its changes against its first parent (or
// the empty tree for a root). Merges have no Changes unless FirstParent or
// DiffMerges was set, as in `git log`. A Commit handed to the callback is the callback's to
// keep: nothing in it points into arena memory.
type Commit struct {
	Hash      Hash
	Tree      Hash
	Parents   []Hash // after history simplification, when Paths were given
	Author    Signature
	Committer Signature
	Subject   string
	Message   string // the whole message, only when Options.Messages
	Changes   []Change
	// ChangesMissing says a tree the commit's diff needed was missing and
	// passed over (Options.Missing): Changes is empty and not known.
	ChangesMissing bool
	// Seq is the commit's 0-based position in walk order (after Skip,
	// MaxCount and Reverse): 0 is the first commit `git log` would print.
	// It lets per-worker state of WalkParallel find the first or last
	// commit of the walk without the order the workers saw them in.
	Seq int
}

// BaseStats counts the object readers' work on delta chains: bases found
// in the delta-base cache (Hits) and bases inflated or rebuilt (Misses),
// deltas applied, and the bytes zlib produced for every object read.
// OnHeap counts the bases placed on the Go heap because the cache's region
// (Stats.BasesRegion) had no room for them.
type BaseStats struct {
	Hits, Misses, Deltas, Inflated, OnHeap int64
}

// Stats are a walk's figures.
type Stats struct {
	Commits      int
	FilesDiffed  int   // file pairs whose lines were diffed
	BytesDiffed  int64 // bytes of the blobs diffed
	Binary       int   // file pairs reported as binary
	HeapFallback int   // units whose diff scratch outgrew the arena and used the heap
	TreesCarried int   // trees a worker's tree diff kept from its last commit instead of reading them again
	Workers      int
	Wall         time.Duration
	Arenas       arena.Metrics // the walk's arena pool, when the walk ends
	Readers      pool.Metrics  // the walk's pool of object readers (or the shared one's, all walks counted), when the walk ends
	// Renames counts the renames and copies found.
	Renames int
	// FollowRedone counts, under Options.Follow, the commits diffed a
	// second time: their worker diffed them under the path followed
	// before a rename the walk had not reached yet.
	FollowRedone int
	// RenameLimitNeeded is, when the rename limit made some commit skip
	// the full comparison, the largest limit that would have let it run
	// (git's needed_rename_limit); 0 otherwise. git log warns about it at
	// the end: RenameLimitWarning gives the words.
	RenameLimitNeeded int
	// RenameDegraded reports that under RenamesAndCopiesHarder the rename
	// limit made some commit look for copies among changed files only
	// (git's "only found copies from modified paths").
	RenameDegraded bool
	// AttributeWarnings are what git warns about in the attribute files
	// the repository has read so far (a line or a file git ignores), each
	// once, as "FILE:LINE: what" (work tree files by their path from the
	// top).
	AttributeWarnings []string
	// StoreHits counts the commits whose results were read from
	// Options.Store, StoreMisses those computed and put in it (the
	// revision walk's reads of the store are not counted). The work figures above (FilesDiffed,
	// BytesDiffed, HeapFallback) count only what was computed; Binary,
	// Renames and RenameLimitNeeded are the same warm or cold.
	StoreHits, StoreMisses int
	// StoreBytes is the size of the records read and written.
	StoreBytes int64
	// PackDrops counts the times the packs' mapped pages were dropped from
	// memory during the walk (every PackDropEvery bytes of pack pages read;
	// the page cache keeps them), which bounds what the packs hold of the
	// process's resident memory. Concurrent walks of one Repo share the
	// count.
	PackDrops int64
	// PackDropEvery is how many bytes of pack pages read start a drop.
	PackDropEvery int64
	// BasesBound is the byte bound of the delta-base cache the walk's
	// readers share, and Bases what they did with it.
	BasesBound int64
	Bases      BaseStats
	// BasesRegion is the size of the memory region outside the Go heap,
	// with huge pages where the system gives them, that the cache takes
	// its buffers from (0: none, they are all on the heap).
	BasesRegion int64

	// Where the walk's time went, for the serial fraction (Amdahl): the
	// time before the first commit could be dispatched (the revision
	// walk's setup: revisions resolved, a limited or topo-ordered walk
	// prepared), the time the one goroutine of the revision walk spent
	// producing commits after that, and the time the ordered callback
	// (Walk's fn) ran, one commit at a time. Busy is the workers' time
	// on units, added over the workers; Busy / (Workers * Wall) is how
	// much of the workers' capacity the walk used. All but Setup are zero
	// with Options.Untimed.
	Setup, RevWalk, Ordered, Busy time.Duration

	// What the revision walk read to learn the commits' trees, parents and
	// dates: commits inflated from their objects, taken from the
	// repository's commit-graph file, or from Options.Store's records.
	WalkCommitsRead, WalkCommitsFromGraph, WalkCommitsFromStore int
	// WalkCommitsReplayed were handed out as a walk from the same tips
	// kept them in the store, without walking (Options.Replay).
	WalkCommitsReplayed int
	// Units need a commit's object for its author and message: the
	// revision walk handed over the content of WalkCommitsHanded of those
	// it read, keeping at most HandedBound bytes of them at a time, and a
	// unit read the others again.
	WalkCommitsHanded int
	HandedBound       int64
	// Of WalkCommitsRead, WalkCommitsAhead were read ahead of the walk,
	// in the order of the packs, by ReadAheadReaders goroutines of their
	// own, holding at most AheadBound bytes of commits not yet asked for;
	// they read WalkAheadDropped more that the walk did not ask for, and
	// were busy for ReadAhead, added up.
	WalkCommitsAhead, WalkAheadDropped, ReadAheadReaders int
	AheadBound                                           int64
	ReadAhead                                            time.Duration
	// CommitGraph says whether the walk read the commit-graph ("N commits
	// in K file(s)"), or why not ("not used: ..."); "" when the
	// repository has none.
	CommitGraph string
	// What the commit-graph's changed-path Bloom filters answered in a
	// walk limited to one literal path (git's trace2 bloom statistics):
	// "definitely not" (a tree diff against the first parent skipped),
	// "maybe" (the diff was run), and commits without a filter.
	BloomDefinitelyNot, BloomMaybe, BloomNoFilter int

	// What a walk that passes over missing objects (Options.Missing) left
	// out: the distinct trees and blobs it could not read, the commits that
	// came without changes (a tree missing), the changes that came without
	// line counts (a blob missing, Change.Missing) and their distinct paths,
	// with the first few objects and paths in sorted order to name them.
	MissingObjects    int
	MissingCommits    int
	MissingChanges    int
	MissingPaths      int
	MissingSample     []Hash
	MissingPathSample []string
}
