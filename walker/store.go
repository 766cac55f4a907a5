package walker

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitwalk/gitwalk/internal/mmap"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/revwalk"
	"github.com/gitwalk/gitwalk/internal/store"
)

// storeEngineVersion names how the engine computes a record. Bump it with
// any change to what a commit's record holds or how its counts are made
// (a diff fix, a new field), so that records of an older engine are never
// read as this one's.
//
// 2: the diff attribute no longer makes a symbolic link or a gitlink
// binary (git reads it for regular files only).
const storeEngineVersion = 2

// Errors OpenStore returns, checked with errors.Is. On each, a walk is
// still possible without the store, with the same results.
var (
	// ErrStoreBusy: another process holds the store past the bounded wait.
	ErrStoreBusy = store.ErrBusy
	// ErrStoreDamaged: the store's file is not sound (truncated, bytes
	// flipped); SetStoreAside moves it away so the next OpenStore starts
	// afresh. Walks also report it through Store.Err when met mid-walk.
	ErrStoreDamaged = store.ErrDamaged
	// ErrStoreNewerFormat: a newer gitwalk wrote the store.
	ErrStoreNewerFormat = store.ErrNewerFormat
)

// Store keeps each commit's result (its metadata and changes, as
// Commit.AppendBinary encodes them) between walks, in one file in a folder
// outside any repository, so that a walk reads a commit it has seen before
// instead of diffing it again. Set it as Options.Store. A record is keyed by
// the commit's id, the parent it was diffed against and a fingerprint of
// every setting that changes the result (the diff algorithm, rename mode,
// score and limit, the big-file threshold, log.showRoot, diff drivers'
// binary settings, the diff rules of every attributes source, the pathspec
// when it limits the changes, and the engine's version): never by a branch
// or repository name, so a rewritten history or a changed setting is
// computed afresh. It also keeps each commit's tree, date and parents, keyed
// by the commit alone, which the revision walk reads instead of the commit
// object. A walk's results are the same with a store as without.
//
// One process at a time holds a store's file (OpenStore waits a bounded
// time for another). A Store is safe for concurrent use by several walks
// of one or more Repos. It never writes a repository.
type Store struct {
	s *store.Store

	mu     sync.Mutex
	runs   map[string]*store.Run // this process's use, by repository
	err    error                 // the first error met using the store in a walk
	failed atomic.Bool           // err is set: read on every commit, without mu

	hits, misses atomic.Int64 // commits read from the store, and computed, so far
}

// OpenStore opens (creating it as needed) the store in dir; DefaultStoreDir
// is the user's. It returns ErrStoreBusy, ErrStoreDamaged or
// ErrStoreNewerFormat (see each), or another error when dir cannot be
// written: the caller then walks without a store.
func OpenStore(dir string) (*Store, error) {
	s, err := store.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	return &Store{s: s, runs: map[string]*store.Run{}}, nil
}

// OlderFormat is the format of the store OpenStore found and replaced by
// an empty one, because an older gitwalk wrote it (its records this one
// cannot read), or 0.
func (s *Store) OlderFormat() int { return s.s.OlderFormat() }

// DefaultStoreDir is the folder of the user's store: $GITWALK_CACHE when
// set, else gitwalk under os.UserCacheDir().
func DefaultStoreDir() (string, error) { return store.DefaultDir() }

// SetStoreAside renames the store file in dir (a damaged one) out of the
// way and returns its new name; the Store on it must be closed first.
func SetStoreAside(dir string) (string, error) { return store.SetAside(dir) }

// Path is the store's file.
func (s *Store) Path() string { return s.s.Path() }

// Err returns the first error a walk met reading or writing the store (a
// damaged record, a full disk), or nil. After it the walks went on without
// the store, so their results are right; errors.Is(err, ErrStoreDamaged)
// says the file should be set aside once closed.
func (s *Store) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close writes what the walks computed and this process's use of the
// store (for `gitwalk cache`), and lets go of the file. It returns the
// first error met in writing.
func (s *Store) Close() error {
	s.mu.Lock()
	runs := make([]store.Run, 0, len(s.runs))
	for _, r := range s.runs {
		runs = append(runs, *r)
	}
	failed := s.err != nil
	s.mu.Unlock()
	// The most used repository is noted last: it is the "last run".
	sort.Slice(runs, func(i, j int) bool { return runs[i].Commits < runs[j].Commits })
	var err error
	if !failed {
		for _, r := range runs {
			r.When = time.Now()
			if err = s.s.NoteRun(r); err != nil {
				break
			}
		}
	}
	if cerr := s.s.Close(); err == nil && !failed {
		err = cerr
	}
	return err
}

// fail notes the first error the store gave a walk; the walk goes on
// without the store.
func (s *Store) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
		s.failed.Store(true)
	}
	s.mu.Unlock()
}

func (s *Store) usable() bool { return !s.failed.Load() }

// Served returns how many commits the walks on s have read from it and
// how many they computed, so far in this process. A caller can watch the
// mix while walks run: the CLI sets the GC's target by it.
func (s *Store) Served() (hits, misses int64) { return s.hits.Load(), s.misses.Load() }

// Memo returns the bytes SetMemo kept under name for the repository r, or
// nil: none kept, or the store unusable. A memo is the caller's own, a
// function of the repository's content that a later run may start from
// (a file's class, say); its name must say everything else it depends on.
// Clones of one origin (remote.origin.url) share their memos, so a memo
// must hold nothing that differs between clones of the same content.
// A damaged memo is as a damaged record: Err reports it.
func (s *Store) Memo(r *Repo, name string) []byte {
	if !s.usable() {
		return nil
	}
	v, ok, err := s.s.Get(memoKey(r, name))
	if err != nil {
		s.fail(err)
		return nil
	}
	if !ok {
		return nil
	}
	return v
}

// SetMemo keeps data under name for the repository r (see Memo), in place
// of what was there; it is written with the run's records.
func (s *Store) SetMemo(r *Repo, name string, data []byte) {
	if !s.usable() {
		return
	}
	if err := s.s.Put(memoKey(r, name), data); err != nil {
		s.fail(err)
	}
}

// memoKey is the key of r's memo name: the repository by its origin's URL
// when it has one, so that a clone made in a new folder for every run (a
// CI job's) finds the memos of the last, else by its git folder. A memo
// holds nothing that depends on which clone wrote it: a replay is checked
// against its tips and a class table is named by the rules it applied, so
// two clones of one URL share them, at worst replacing each other's.
func memoKey(r *Repo, name string) store.Key {
	k := store.Key{Settings: store.NewFingerprint("memo", name)}
	who := "folder " + r.gitDir
	if r.cfg.OriginURL != "" {
		who = "origin " + r.cfg.OriginURL
	}
	id := sha256.Sum256([]byte(who))
	copy(k.Commit[:], id[:])
	return k
}

// note adds one walk's use of the store to its repository's run.
func (s *Store) note(repo string, hits, misses int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.runs[repo]
	if r == nil {
		r = &store.Run{Repo: repo}
		s.runs[repo] = r
	}
	r.Hits += hits
	r.Misses += misses
	r.Commits += hits + misses
	r.Bytes += bytes
}

// walkStore is one walk's use of the store: the fingerprint of its
// settings, shared by its workers.
type walkStore struct {
	s  *Store
	fp store.Fingerprint
	// none says the store held no record under fp when the walk began:
	// every lookup would miss, so none is made (see store.Holds).
	none bool
}

// storeFor returns the walk's use of opts.Store, or nil when the walk does
// not use one (none given, or a walk without changes, whose records would
// hold nothing worth keeping).
func (r *Repo) storeFor(opts *Options, u *unit) *walkStore {
	if opts.Store == nil || opts.NoChanges || !opts.Store.usable() {
		return nil
	}
	digest, err := r.attrsDigest()
	if err != nil {
		// The attributes in force cannot be named: walk without the store
		// rather than risk records of other attributes.
		opts.Store.fail(fmt.Errorf("store not used: attributes: %w", err))
		return nil
	}
	limit := r.cfg.BigFileThreshold
	if opts.MaxBlobSize > 0 {
		limit = opts.MaxBlobSize
	}
	drivers := make([]string, 0, len(r.cfg.BinaryDrivers))
	for name, bin := range r.cfg.BinaryDrivers {
		drivers = append(drivers, fmt.Sprintf("%q=%t", name, bin))
	}
	sort.Strings(drivers)
	settings := []string{
		fmt.Sprintf("engine=%d record=%d", storeEngineVersion, recordVersion),
		fmt.Sprintf("algorithm=%d", u.alg),
		fmt.Sprintf("renames=%s score=%d limit=%d copies=%t", u.renameMode, u.renameOpts.MinScore, u.renameOpts.Limit, u.renameOpts.Copies),
		fmt.Sprintf("bigfile=%d", limit),
		fmt.Sprintf("showroot=%t", r.cfg.ShowRoot),
		fmt.Sprintf("drivers=%v", drivers),
		fmt.Sprintf("attributes=%x", digest),
		"pathspec=" + u.ps.Key(),
		fmt.Sprintf("linecounts=%t", !opts.NoLineCounts),
	}
	if opts.Relative != "" {
		settings = append(settings, fmt.Sprintf("relative=%q", opts.Relative))
	}
	if sub := r.submodulesFor(opts).fingerprint(); sub != "" {
		settings = append(settings, sub)
	}
	ws := &walkStore{s: opts.Store, fp: store.NewFingerprint(settings...)}
	held, err := ws.s.s.Holds(ws.fp)
	if err != nil {
		ws.s.fail(err)
		return nil
	}
	ws.none = !held
	return ws
}

// attrsDigest is the digest of the repository's attribute sources, made
// once per Repo (its attributes are read once too: see attributes.Digest).
func (r *Repo) attrsDigest() ([32]byte, error) {
	r.digestOnce.Do(func() { r.digest, r.digestErr = r.attrs.Digest() })
	return r.digest, r.digestErr
}

// notDiffed is the parent in the key of a commit shown without a diff (a
// merge, or a root without log.showRoot): no commit has this id, and a
// root diffed against the empty tree has the zero id. They must differ: a
// merge whose parents a path limit rewrote away is diffed as a root, and
// with --full-diff its fingerprint is that of the walk without the limit.
var notDiffed = [20]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// storeKey is the key of node's record, as compute decides its diff: the
// walk's first parent (history simplification may have rewritten it), the
// zero id for a root diffed against the empty tree, or notDiffed. Its
// Order is the commit's date, newest first: a walk, newest first too, puts
// its records at one edge of the B+tree instead of all over it. Every
// source of the walk's dates (objects, the commit-graph, the store) gives
// the commit's own; were one to differ, the record would only be missed
// and computed again, since the commit's id is in the key.
func (u *unit) storeKey(node *revwalk.Commit) store.Key {
	k := store.Key{Settings: u.store.fp, Order: ^node.Date, Commit: node.ID}
	switch {
	case len(node.Parents) == 0:
		if !u.repo.cfg.ShowRoot {
			k.Parent = notDiffed
		}
	case len(node.Parents) > 1 && !u.opts.FirstParent && !u.opts.DiffMerges:
		k.Parent = notDiffed
	default:
		k.Parent = node.Parents[0]
	}
	return k
}

// fromStore returns node's result from the store, when it has it. The
// record's parents are replaced by the walk's and its message dropped
// unless asked for; the figures of work a hit did not do stay 0.
func (u *unit) fromStore(node *revwalk.Commit) (*Commit, unitStats, bool) {
	var st unitStats
	if !u.store.s.usable() {
		return nil, st, false
	}
	if u.store.none {
		u.store.s.misses.Add(1)
		return nil, st, false
	}
	// The record is read into the worker's buffer: what the walk keeps
	// of it, decoding copies out. The worker's reader keeps its place in
	// the store: its next commit's key is a few keys on.
	if u.recReader == nil {
		u.recReader = u.store.s.s.NewReader()
	}
	v, ok, err := u.recReader.GetInto(u.storeKey(node), func(n int) []byte {
		if cap(u.recBuf) < n {
			u.recBuf = make([]byte, n+n/4)
		}
		return u.recBuf[:n]
	})
	if err != nil {
		u.store.s.fail(err)
		return nil, st, false
	}
	if !ok {
		u.store.s.misses.Add(1)
		return nil, st, false
	}
	u.store.s.hits.Add(1)
	needed, n := binary.Uvarint(v)
	degraded := needed&recordDegraded != 0
	needed &^= recordDegraded
	if u.rec.zones == nil {
		u.rec.zones = map[string]zone{}
		u.rec.slabs = true
	}
	c := u.rec.commit()
	if n <= 0 || needed > 1<<31 || c.unmarshal(v[n:], &u.rec, u.opts.Messages) != nil || c.Hash != node.ID {
		// The value passed its checksum, so this is a bug of the encoder
		// or a record of another engine under this one's version.
		u.store.s.fail(fmt.Errorf("%w: record of commit %s does not decode", ErrStoreDamaged, node.ID))
		return nil, st, false
	}
	c.Parents = append(c.Parents[:0], node.Parents...)
	for i := range c.Changes {
		if c.Changes[i].Binary {
			st.binary++
		}
		if c.Changes[i].Kind == Renamed || c.Changes[i].Kind == Copied {
			st.renames++
		}
	}
	st.neededLimit, st.degraded = int(needed), degraded
	st.stored = int64(len(v))
	return c, st, true
}

// recordDegraded marks, in the rename limit a record starts with, a
// commit whose detection left unmodified sources out (Stats.RenameDegraded);
// a limit is at most 1<<31, so records without the mark read as before.
const recordDegraded = 1 << 32

// toStore keeps node's result c (computed with its message) in the store.
func (u *unit) toStore(node *revwalk.Commit, c *Commit, st *unitStats) {
	if !u.store.s.usable() {
		return
	}
	needed := uint64(st.neededLimit)
	if st.degraded {
		needed |= recordDegraded
	}
	// Encoded in the worker's buffer: Put keeps a copy of its own.
	v := binary.AppendUvarint(u.recEnc[:0], needed)
	v, err := c.AppendBinary(v)
	u.recEnc = v
	if err == nil {
		err = u.store.s.s.Put(u.storeKey(node), v)
	}
	if err != nil {
		u.store.s.fail(err)
		return
	}
	st.stored = int64(len(v))
}

// graphVersion names the layout of the revision walk's records (a
// commit's tree, date and parents, alone or in a closure). Bump it when
// that changes. 2: a large closure is kept in parts (closurePart).
const graphVersion = 2

// graphSource serves the revision walk's reads of commits from the store,
// so that a warm walk does not inflate every commit object again; it reads
// and keeps the ones the store lacks. Other objects (tags, trees) go to
// the repository's source. Used on the revision walk's goroutine only
// (finish too, at the revision walk's end).
//
// The store holds two kinds of graph records, both a function of commit
// ids alone: closures, a walk's every commit in one record (its tree, date
// and parents), kept under its first tip (the anchor) with a small alias
// record under each other tip; and one per commit. A walk that meets an
// anchor or an alias loads the closure: one read, a table sorted by id,
// searched where it lies, with nothing decoded. A walk to its end that
// read commits from elsewhere writes a closure of its own, and deletes the
// closures it loaded whose every commit it walked, so a repository walked
// every night keeps about one.
//
// A commit's own record is written only by a walk that did not reach its
// end (stopped, cancelled, failed), for the commits it read from their
// objects, so that the next walk resumes; a walk to its end that read
// such records deletes them, its closure holding their commits. Written on
// every walk, they were lookups and insertions at random places of the
// B+tree: on git/git's cold run they took two thirds of the store's
// commit time (0.66 of 0.99 s of CPU), 40 MB of its 131 MB file and 80 MB
// of peak RSS; and each read, about 2.5 us, was on the revision walk's
// one goroutine.
type graphSource struct {
	revwalk.ObjectSource
	s          *Store
	key        store.Key // a commit's own record
	closureKey store.Key // a closure, by anchor

	anchors map[Hash]bool // anchors and aliases not loaded yet; nil until the first read
	// noRecords says the store held no commit's own record when the walk
	// began (see listClosures): a commit no closure holds is then read from
	// its object at once. On git/git's cold run the revision walk looked
	// up all 81,966 commits in vain, on its own goroutine: 0.3 s.
	noRecords bool
	loaded    []Hash     // the keys of the closures loaded and of their aliases
	closures  []*closure // loaded
	last      int        // the closure the last commit served came from
	mapped    [][]byte   // the memory large closures were read into (see closureRecord)

	// Commits served from elsewhere than a closure, in order.
	fresh   []graphNode
	parents []Hash // the fresh nodes' parents
	ended   bool   // finish ran: the walk reached its end

	// known are the tips a replay kept, with their entries (deferTips);
	// deferred the anchors among them served from there, whose closures
	// are not loaded until a commit other than those is asked for or
	// loadDeferred is called.
	known    map[Hash]*odb.CommitInfo
	deferred []Hash
}

// graphNode is a commit served from elsewhere than a closure; its parents
// are parents[first:first+n].
type graphNode struct {
	id, tree Hash
	date     uint64
	first, n uint32
	record   bool // served from its own record, not read from its object
}

// A closure record: its kind, the aliases' tips, then a table of entries
// sorted by id and the parents they point into:
//
//	'c' uvarint(tips) tip*20 uvarint(n) entry*n uvarint(np) parent*np
//	entry: id 20, tree 20, date 8, first parent 4, parents 4 (big-endian)
//
// An alias record is 'a' and its closure's anchor.
//
// A closure record longer than closureWhole is kept in parts: under its
// key (Order 0) a head, 'p' uvarint(parts) uvarint(length); under the same
// key with Order i (1 to parts), the record's i-th closurePart bytes. The
// store's B+tree rewrites a leaf whole when any key in it changes, and a
// value shares its leaf with the keys beside it. Whole, git/git's 6.6 MB
// closure was written again when a nightly re-run put the few new
// commits' closure beside it (the file grew by 6.7 MB a night). With its
// first part in the head, as graphVersion 2 kept it, that part and its
// neighbours were: a re-run of redis after ten new commits wrote 966 KB,
// the whole closure of its 12,000 commits. With heads that small, the few
// new commits' closure (whole, or a head) goes among small values, beside
// no part but the first.
const (
	closureRecord = 'c'
	aliasRecord   = 'a'
	partsRecord   = 'p'
	entrySize     = 20 + 20 + 8 + 4 + 4
)

// closurePart is the size of a closure record's parts (a variable for
// tests). A part shares its leaf of the B+tree with a neighbour, so a
// re-run may write a part or two again where new keys go beside them
// (the first and last of the range): in parts of 256 KiB, a re-run of
// redis after ten new commits wrote 491 KB (two parts); in parts of 16
// KiB, 98 KB in all, and the file grew by 49 KB instead of 450.
var closurePart = 16 << 10

// closureWhole is the longest closure record kept whole, at Order 0 among
// the heads: a page of the store's file (a variable for tests).
var closureWhole = 4 << 10

// maxClosureParts bounds the parts a closure's head may claim (1 GiB in
// parts of 16 KiB; git/git's closure is 6.6 MB): a head claiming more
// is read as no closure, before anything is allocated for it.
const maxClosureParts = 1 << 16

// maxAliases bounds the tips a closure is kept under (--all over a
// repository with thousands of pull-request refs): a walk from other tips
// reads their commits' own records until it meets one.
const maxAliases = 1024

// maxChain is how many closures a walk that walked them all whole leaves
// as they are. A walk that adds a few commits to them keeps those in a
// closure of their own (see finish): a nightly re-run of git/git after ten
// new commits otherwise rewrote its 6.6 MB closure. A walk that finds more
// merges them into one, so that a commit's lookup searches a few.
var maxChain = 8

// closure is a loaded closure record: its table where it lies.
type closure struct {
	keys    []Hash // its anchor, then its aliases
	parts   int    // the parts its record is kept in (0: whole)
	entries []byte // n entries of entrySize, sorted by id
	parents []byte // 20-byte ids
	served  []uint64
	// fan[k] is the number of entries whose id's first fanBits bits are
	// below k (a pack index's fan-out, finer): ids are hashes, spread
	// evenly, so with about as many slots as entries a slot holds one
	// entry or two, and most ids a closure lacks fall in an empty slot.
	fan     []uint32
	fanBits uint
}

// fanOut builds c.fan over c.entries.
func (c *closure) fanOut() {
	n := len(c.entries) / entrySize
	c.fanBits = uint(min(max(bits.Len(uint(n)), 8), 24))
	c.fan = make([]uint32, 1<<c.fanBits+1)
	k := 0
	for i := range n {
		slot := int(binary.BigEndian.Uint32(c.entries[i*entrySize:]) >> (32 - c.fanBits))
		for ; k <= slot; k++ {
			c.fan[k] = uint32(i)
		}
	}
	for ; k < len(c.fan); k++ {
		c.fan[k] = uint32(n)
	}
}

// find returns the index of id's entry, or -1. It compares id with the
// entries of its fan-out slot only: an interpolation search made a few
// probes, each likely a cache miss, and was 4.5% of a warm churn of redis
// (the revision walk's search, on its one goroutine).
func (c *closure) find(id *Hash) int {
	slot := binary.BigEndian.Uint32(id[:4]) >> (32 - c.fanBits)
	for i := int(c.fan[slot]); i < int(c.fan[slot+1]); i++ {
		switch bytes.Compare(c.entries[i*entrySize:i*entrySize+20], id[:]) {
		case 0:
			return i
		case 1:
			return -1
		}
	}
	return -1
}

// fill gives info entry i's tree, date and parents, false when the entry
// points outside the parents (a record that passed its checksum cannot,
// short of an encoder's bug).
func (c *closure) fill(i int, info *odb.CommitInfo) bool {
	e := c.entries[i*entrySize : (i+1)*entrySize]
	first, n := int(binary.BigEndian.Uint32(e[48:])), int(binary.BigEndian.Uint32(e[52:]))
	if first > len(c.parents)/20 || n > len(c.parents)/20-first {
		return false
	}
	copy(info.Tree[:], e[20:40])
	info.Date = binary.BigEndian.Uint64(e[40:])
	info.Parents = info.Parents[:0]
	for k := first; k < first+n; k++ {
		info.Parents = append(info.Parents, Hash(c.parents[k*20:k*20+20]))
	}
	c.served[i/64] |= 1 << (i % 64)
	return true
}

// size is how many commits the closures loaded so far hold: exact for one
// closure or a chain (whose closures are apart), more than the walk meets
// when the closures of several tips overlap.
func (s *graphSource) size() int {
	n := 0
	for _, c := range s.closures {
		n += len(c.entries) / entrySize
	}
	return n
}

// nonMerges is size without the merges: the commits a walk without merges
// (--no-merges, the analyses' default) hands out.
func (s *graphSource) nonMerges() int {
	n := 0
	for _, c := range s.closures {
		for e := c.entries; len(e) >= entrySize; e = e[entrySize:] {
			if binary.BigEndian.Uint32(e[52:]) <= 1 {
				n++
			}
		}
	}
	return n
}

func newGraphSource(src revwalk.ObjectSource, s *Store) *graphSource {
	return &graphSource{
		ObjectSource: src, s: s,
		key:        store.Key{Settings: store.NewFingerprint(fmt.Sprintf("graph=%d", graphVersion))},
		closureKey: store.Key{Settings: store.NewFingerprint(fmt.Sprintf("graph closure=%d", graphVersion))},
	}
}

// CommitGraph fills in info from the store's record of id, if it has one.
// A commit from the store is not in a commit-graph file: its generation
// is infinite, as git's for a commit it parsed from its object.
func (g *graphSource) CommitGraph(id Hash, info *odb.CommitInfo) (uint64, bool) {
	if !g.s.usable() {
		return 0, false
	}
	if g.anchors == nil {
		g.listClosures()
	}
	if t := g.known[id]; t != nil && g.anchors[id] {
		// A replay's tip that anchors a closure: served from the replay,
		// the closure loaded only if the walk goes on past it.
		delete(g.anchors, id)
		g.deferred = append(g.deferred, id)
		info.Tree, info.Date = t.Tree, t.Date
		info.Parents = append(info.Parents[:0], t.Parents...)
		return revwalk.GenerationInfinity, true
	}
	g.loadDeferred()
	if g.anchors[id] {
		delete(g.anchors, id)
		g.loadClosure(id)
	}
	// The closure the last commit came from first: a walk goes through
	// one closure at a time.
	for j := range g.closures {
		k := j
		switch {
		case j == 0:
			k = g.last
		case j <= g.last:
			k = j - 1
		}
		c := g.closures[k]
		if i := c.find(&id); i >= 0 {
			g.last = k
			if c.fill(i, info) {
				return revwalk.GenerationInfinity, true
			}
			g.s.fail(fmt.Errorf("%w: the graph closure holding commit %s does not decode", ErrStoreDamaged, id))
			return 0, false
		}
	}
	if g.noRecords {
		return 0, false
	}
	g.key.Commit = id
	v, ok, err := g.s.s.Get(g.key)
	if err != nil {
		g.s.fail(err)
		return 0, false
	}
	if !ok {
		return 0, false
	}
	d := recordDecoder{data: v}
	d.hash(&info.Tree)
	date := d.uvarint()
	n := d.count(20)
	info.Parents = info.Parents[:0]
	for i := 0; i < n && d.err == nil; i++ {
		var p Hash
		d.hash(&p)
		info.Parents = append(info.Parents, p)
	}
	if d.err != nil || d.off != len(v) {
		g.s.fail(fmt.Errorf("%w: the graph record of commit %s does not decode", ErrStoreDamaged, id))
		return 0, false
	}
	info.Date = date
	g.add(id, info, true)
	return revwalk.GenerationInfinity, true
}

// deferTips gives the source the tips a replay kept, with their entries
// (readReplayHead), before the walk's revisions are resolved. Resolving
// parses each tip, and a tip that anchors a closure loaded it: git/git's
// 6.6 MB, read and checked to serve one commit in a walk then replayed.
// Such a tip is served from here and its closure loaded only when
// another commit is asked for (the walk goes on past its tips) or
// loadDeferred is called.
func (g *graphSource) deferTips(tips []replayTip) {
	if len(tips) == 0 {
		return
	}
	g.known = make(map[Hash]*odb.CommitInfo, len(tips))
	for i := range tips {
		g.known[tips[i].id] = &tips[i].info
	}
}

// loadDeferred loads the closures of the tips served from a replay
// (deferTips), each tip counted as served by its closure, as it would
// have been had the closure been loaded to serve it.
func (g *graphSource) loadDeferred() {
	g.known = nil // no tip is served from the replay after the first other commit
	if len(g.deferred) == 0 {
		return
	}
	tips := g.deferred
	g.deferred = nil
	for _, id := range tips {
		g.loadClosure(id)
		for _, c := range g.closures {
			if i := c.find(&id); i >= 0 {
				c.served[i/64] |= 1 << (i % 64)
				break
			}
		}
	}
}

// AddCommitGraph keeps the tree, date and parents of a commit the walk
// read, for the closure finish writes (or the commit's own record, should
// the walk not reach its end).
func (g *graphSource) AddCommitGraph(id Hash, info *odb.CommitInfo) {
	if g.s.usable() {
		g.add(id, info, false)
	}
}

// add keeps a commit served from elsewhere than a closure.
func (g *graphSource) add(id Hash, info *odb.CommitInfo, record bool) {
	g.fresh = append(g.fresh, graphNode{id: id, tree: info.Tree, date: info.Date, first: uint32(len(g.parents)), n: uint32(len(info.Parents)), record: record})
	g.parents = append(g.parents, info.Parents...)
}

// closureMapMin is the size from which closureRecord maps a closure's
// memory (a variable for tests).
var closureMapMin = 1 << 20

// release frees the memory closures were read into; the source is not
// used afterwards. Called once the revision walk is over.
func (g *graphSource) release() {
	g.closures, g.anchors = nil, nil
	for _, b := range g.mapped {
		_ = mmap.Unmap(b) // an error leaves the mapping, nothing worse
	}
	g.mapped = nil
}

// keepUnended writes the own record of each commit the walk read from its
// object, when the walk did not reach its end: the next walk reads them
// instead of the objects. Called once the revision walk is over.
func (g *graphSource) keepUnended() {
	if g.ended || !g.s.usable() {
		return
	}
	var v []byte
	for i := range g.fresh {
		nd := &g.fresh[i]
		if nd.record {
			continue
		}
		v = make([]byte, 0, 20+binary.MaxVarintLen64+1+20*nd.n)
		v = append(v, nd.tree[:]...)
		v = binary.AppendUvarint(v, nd.date)
		v = binary.AppendUvarint(v, uint64(nd.n))
		for _, p := range g.parents[nd.first : nd.first+nd.n] {
			v = append(v, p[:]...)
		}
		g.key.Commit = nd.id
		if err := g.s.s.Put(g.key, v); err != nil {
			g.s.fail(err)
			return
		}
	}
}

// listClosures learns the anchors and aliases of the closures in the
// store.
func (g *graphSource) listClosures() {
	g.anchors = map[Hash]bool{}
	keys, err := g.s.s.Keys(g.closureKey.Settings)
	if err != nil {
		g.s.fail(err)
		return
	}
	held, err := g.s.s.Holds(g.key.Settings)
	if err != nil {
		g.s.fail(err)
		return
	}
	g.noRecords = !held
	for _, k := range keys {
		if k.Order == 0 { // not a closure's part
			g.anchors[k.Commit] = true
		}
	}
}

// loadClosure reads the closure anchored at, or aliased by, key.
func (g *graphSource) loadClosure(key Hash) {
	v, parts := g.closureRecord(key)
	if len(v) == 1+20 && v[0] == aliasRecord {
		g.loaded = append(g.loaded, key)
		anchor := Hash(v[1:])
		if slices.Contains(g.loaded, anchor) {
			return
		}
		delete(g.anchors, anchor)
		key = anchor
		v, parts = g.closureRecord(anchor)
	}
	if v == nil {
		return
	}
	d := recordDecoder{data: v}
	if d.byte() != closureRecord {
		d.fail("not a closure")
	}
	tips := d.count(20)
	var aliases []Hash
	for k := 0; k < tips && d.err == nil; k++ {
		var tip Hash
		d.hash(&tip)
		aliases = append(aliases, tip)
	}
	c := &closure{parts: parts}
	if n := d.count(entrySize); d.err == nil {
		c.entries = v[d.off : d.off+n*entrySize]
		d.off += n * entrySize
		c.served = make([]uint64, (n+63)/64)
	}
	if np := d.count(20); d.err == nil {
		c.parents = v[d.off : d.off+np*20]
		d.off += np * 20
	}
	if d.err != nil || d.off != len(v) {
		g.s.fail(fmt.Errorf("%w: the graph closure under commit %s does not decode", ErrStoreDamaged, key))
		return
	}
	c.fanOut()
	c.keys = append([]Hash{key}, aliases...)
	g.loaded = append(g.loaded, key)
	for _, tip := range aliases {
		g.loaded = append(g.loaded, tip)
		delete(g.anchors, tip)
	}
	g.closures = append(g.closures, c)
}

// closureRecord is the closure or alias record under key, or nil, and the
// parts it was kept in (0: whole). A large one is read into memory of its
// own, mapped with huge pages where the system gives them, and freed by
// release: git/git's closure is 6.6 MB, and copying it into fresh Go heap
// took 22-50 ms of a warm run's 0.7 s on a VM where each first touch of a
// page traps (huge pages: a few ms). A record kept in parts of which one is
// missing or of another length (a prune took it) is as if absent: the walk
// reads those commits otherwise, and writes the closure again.
func (g *graphSource) closureRecord(key Hash) ([]byte, int) {
	g.closureKey.Commit = key
	defer func() { g.closureKey.Order = 0 }()
	alloc := func(n int) []byte {
		if n < closureMapMin {
			return make([]byte, n)
		}
		b, err := mmap.MapHuge(n)
		if err != nil {
			return make([]byte, n)
		}
		g.mapped = append(g.mapped, b)
		return b[:n]
	}
	v, ok, err := g.s.s.GetInto(g.closureKey, alloc)
	if err != nil {
		g.s.fail(err)
		return nil, 0
	}
	if !ok {
		return nil, 0
	}
	if len(v) == 0 || v[0] != partsRecord {
		return v, 0
	}
	d := recordDecoder{data: v}
	d.byte()
	parts64, length64 := d.uvarint(), d.uvarint()
	part := uint64(closurePart)
	if d.err != nil || d.off != len(v) || parts64 < 1 || parts64 > maxClosureParts || length64 <= (parts64-1)*part || length64 > parts64*part {
		return nil, 0
	}
	parts, length := int(parts64), int(length64)
	whole := alloc(length)
	off := 0
	for i := range parts {
		want := closurePartLen(length, i)
		g.closureKey.Order = uint64(i + 1)
		part, ok, err := g.s.s.GetInto(g.closureKey, func(n int) []byte {
			if n != want {
				return make([]byte, n)
			}
			return whole[off : off+n]
		})
		if err != nil {
			g.s.fail(err)
			return nil, 0
		}
		if !ok || len(part) != want || &part[0] != &whole[off] {
			return nil, 0
		}
		off += want
	}
	if off != length {
		return nil, 0
	}
	return whole, parts
}

// closurePartLen is the length of part i of a closure record of length
// bytes kept in parts of closurePart.
func closurePartLen(length, i int) int {
	return max(0, min(closurePart, length-i*closurePart))
}

// finish keeps a closure of the commits this walk read, under its first
// tip with aliases under the others, when some of them came from
// elsewhere than a closure; then it deletes the commits' own records it
// read, and the closures it loaded, with their aliases, whose every commit
// it walked: the new closure holds them. A closure this walk only partly
// walked (one from other tips, or a walk limited by date) stays.
//
// When the walk walked every closure it loaded whole, fewer than maxChain
// of them, and read only a few commits besides (a quarter of those it
// served at most), the new closure holds just those few, under the tips
// among them, and the others stay: they are its chain, loaded in turn as
// the walk reaches their anchors. With nothing new, closures walked whole
// are merged only once they are maxChain or more. Called at the end of a
// revision walk that walked to its end.
func (g *graphSource) finish(tips []Hash) {
	g.loadDeferred() // a walk that met only its tips: their closures hold them
	g.ended = true
	if !g.s.usable() || len(g.fresh) == 0 && len(g.closures) < 2 {
		return // nothing new, and no closures to merge
	}
	// Nothing new and a chain shorter than maxChain: the closures stay as
	// they are (see below). Every warm walk after a re-run ends here.
	if len(g.fresh) == 0 && len(g.closures) < maxChain {
		return
	}
	type served struct {
		id Hash
		c  *closure // nil: fresh
		i  int      // its entry in c, or its index in fresh
	}
	byID := func(a served, id Hash) int { return bytes.Compare(a.id[:], id[:]) }
	sortByID := func(l []served) []served {
		slices.SortFunc(l, func(a, b served) int { return bytes.Compare(a.id[:], b.id[:]) })
		return slices.CompactFunc(l, func(a, b served) bool { return a.id == b.id })
	}
	// The fresh commits, sorted by id.
	fresh := make([]served, 0, len(g.fresh))
	for i := range g.fresh {
		fresh = append(fresh, served{id: g.fresh[i].id, i: i})
	}
	fresh = sortByID(fresh)
	// Every commit served, fresh or from a closure, once, sorted by id:
	// made only when needed. Sorting the 82,000 commits of git/git's
	// closures took a twentieth of a re-run's CPU, and a re-run that
	// walked its chain whole only needs the few fresh ones.
	var all []served
	everything := func() []served {
		if all == nil {
			all = append(make([]served, 0, len(fresh)), fresh...)
			for _, c := range g.closures {
				for i := 0; i < len(c.entries)/entrySize; i++ {
					if c.served[i/64]&(1<<(i%64)) != 0 {
						all = append(all, served{id: Hash(c.entries[i*entrySize : i*entrySize+20]), c: c, i: i})
					}
				}
			}
			all = sortByID(all)
		}
		return all
	}
	// has says whether the walk served id: a fresh commit, or one a
	// closure served. It asks each closure rather than sorting every
	// commit: a re-run after new commits met, in its closure, the commits
	// it had read before loading it (those the revision that named the
	// closure's tip read to resolve it, HEAD~10's ten), and sorting the
	// 3,800 of go-git for them was 3% of the CPU of the re-run.
	has := func(id Hash) bool {
		if _, ok := slices.BinarySearchFunc(fresh, id, byID); ok {
			return true
		}
		for _, c := range g.closures {
			if i := c.find(&id); i >= 0 && c.served[i/64]&(1<<(i%64)) != 0 {
				return true
			}
		}
		return false
	}
	// A loaded closure is walked whole when each of its commits was served,
	// by it or, where closures overlap, by the one found first.
	walked := make([]bool, len(g.closures))
	merge := len(g.closures) > 1
	for k, c := range g.closures {
		walked[k] = true
		for i := 0; i < len(c.entries)/entrySize && walked[k]; i++ {
			walked[k] = c.served[i/64]&(1<<(i%64)) != 0 || has(Hash(c.entries[i*entrySize:i*entrySize+20]))
		}
		merge = merge && walked[k]
	}
	wholeChain := len(g.closures) > 0 && !slices.Contains(walked, false)
	// Nothing new: keep the closures as they are, unless this walk walked
	// all of a long chain, which one then replaces.
	if len(g.fresh) == 0 && (!merge || len(g.closures) < maxChain) {
		return
	}
	var keys []Hash // anchor first, then aliases
	for _, t := range tips {
		if has(t) && !slices.Contains(keys, t) && len(keys) <= maxAliases {
			keys = append(keys, t)
		}
	}
	if wholeChain && len(g.closures) < maxChain && len(g.fresh) > 0 && 4*len(fresh) <= len(fresh)+servedFromClosures(g.closures) {
		// A few new commits: a closure of their own, at the tips among
		// them, beside the chain (which stays whole).
		var freshKeys []Hash
		for _, k := range keys {
			if _, ok := slices.BinarySearchFunc(fresh, k, byID); ok {
				freshKeys = append(freshKeys, k)
			}
		}
		if len(freshKeys) > 0 {
			all, keys = fresh, freshKeys
			clear(walked) // none is replaced
		}
	}
	all = everything()
	if len(keys) == 0 {
		keys = append(keys, all[0].id)
	}

	var parents []byte
	np := 0
	table := make([]byte, 0, len(all)*entrySize)
	for _, s := range all {
		var e [entrySize]byte
		if s.c == nil {
			nd := &g.fresh[s.i]
			copy(e[:20], nd.id[:])
			copy(e[20:40], nd.tree[:])
			binary.BigEndian.PutUint64(e[40:], nd.date)
			binary.BigEndian.PutUint32(e[48:], uint32(np))
			binary.BigEndian.PutUint32(e[52:], nd.n)
			for _, p := range g.parents[nd.first : nd.first+nd.n] {
				parents = append(parents, p[:]...)
			}
			np += int(nd.n)
		} else {
			copy(e[:], s.c.entries[s.i*entrySize:(s.i+1)*entrySize])
			first, n := int(binary.BigEndian.Uint32(e[48:])), int(binary.BigEndian.Uint32(e[52:]))
			parents = append(parents, s.c.parents[first*20:(first+n)*20]...)
			binary.BigEndian.PutUint32(e[48:], uint32(np))
			np += n
		}
		table = append(table, e[:]...)
	}
	v := make([]byte, 0, 1+3*binary.MaxVarintLen64+20*len(keys)+len(table)+len(parents))
	v = append(v, closureRecord)
	v = binary.AppendUvarint(v, uint64(len(keys)-1))
	for _, k := range keys[1:] {
		v = append(v, k[:]...)
	}
	v = binary.AppendUvarint(v, uint64(len(all)))
	v = append(v, table...)
	v = binary.AppendUvarint(v, uint64(np))
	v = append(v, parents...)

	for k, c := range g.closures {
		if !walked[k] {
			continue
		}
		for n, old := range c.keys {
			if slices.Contains(keys, old) {
				continue // written again below
			}
			g.closureKey.Commit = old
			parts := 0
			if n == 0 {
				parts = c.parts // the anchor's record; aliases are whole
			}
			for i := 0; i <= parts; i++ { // the head or whole, then the parts
				g.closureKey.Order = uint64(i)
				if err := g.s.s.Delete(g.closureKey); err != nil {
					g.closureKey.Order = 0
					g.s.fail(err)
					return
				}
			}
			g.closureKey.Order = 0
		}
	}
	for i := range g.fresh {
		if g.fresh[i].record {
			g.key.Commit = g.fresh[i].id
			if err := g.s.s.Delete(g.key); err != nil {
				g.s.fail(err)
				return
			}
		}
	}
	for n, k := range keys {
		rec := v
		if n > 0 {
			rec = append([]byte{aliasRecord}, keys[0][:]...)
		}
		g.closureKey.Commit = k
		if n == 0 && len(v) > closureWhole {
			g.putParts(v)
			continue
		}
		if err := g.s.s.Put(g.closureKey, rec); err != nil {
			g.s.fail(err)
			return
		}
	}
}

// servedFromClosures counts the commits the closures cs served.
func servedFromClosures(cs []*closure) int {
	n := 0
	for _, c := range cs {
		for _, w := range c.served {
			n += bits.OnesCount64(w)
		}
	}
	return n
}

// putParts puts the closure record v, longer than closureWhole, in parts
// under g.closureKey (see closurePart). A closure rewritten under the same
// anchor in fewer parts leaves its last parts behind, unread (the head
// says how many there are), until a prune.
func (g *graphSource) putParts(v []byte) {
	defer func() { g.closureKey.Order = 0 }()
	parts := (len(v) + closurePart - 1) / closurePart
	head := []byte{partsRecord}
	head = binary.AppendUvarint(head, uint64(parts))
	head = binary.AppendUvarint(head, uint64(len(v)))
	if err := g.s.s.Put(g.closureKey, head); err != nil {
		g.s.fail(err)
		return
	}
	for i := range parts {
		g.closureKey.Order = uint64(i + 1)
		if err := g.s.s.Put(g.closureKey, v[i*closurePart:i*closurePart+closurePartLen(len(v), i)]); err != nil {
			g.s.fail(err)
			return
		}
	}
}
