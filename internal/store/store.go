// Package store keeps per-commit results between runs, in one file outside
// the repository, so that a commit already diffed is read instead of diffed
// again. A commit never changes, so neither does what it changed: a record
// is keyed by the commit's id, the parent it was diffed against and a
// fingerprint of every setting that changes the result, and never by a
// repository or branch name (a history rewritten by a force-push has new
// ids; a changed setting has a new fingerprint).
//
// The file is a bbolt database (one file, copy-on-write B+tree, ACID
// transactions). One process at a time holds it: another waits a bounded
// time (Options.Wait) and then gets ErrBusy, and should run without the
// store. Records are written in batches on a goroutine of their own; a
// batch once committed survives a crash or a kill of the process. Every
// value carries a CRC-32C of its key and bytes, verified on every read: a
// damaged file gives ErrDamaged (set it aside with SetAside and start
// afresh), never wrong data and never a panic. A file written by a newer
// format gives ErrNewerFormat. One damage is beyond these checks: bbolt's
// own pages carry no checksum, and a flip that turns a branch page's child
// into one of its ancestors makes bbolt's descent loop; it needs one exact
// bit pattern, and no test has met it.
//
// The package knows nothing of git or of what a record holds: the walker
// encodes its per-commit result (walker.Commit.AppendBinary) and hands the
// bytes over. Its tests damage copies of a store in every way the issue
// names (truncation, flipped bytes, garbage, zero length, a newer format)
// and kill a writing process with SIGKILL.
package store

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileName is the store's file in its folder.
const FileName = "store.db"

// formatVersion is the layout of the file's buckets and values. A store of
// a newer version is refused (ErrNewerFormat); one of an older version is
// replaced by an empty store (OlderFormat says so). Change it whenever a
// value or key changes shape. Version 2 added Key.Order.
const formatVersion = 2

// errOlderFormat: the file holds an older format's records, which this
// version cannot read.
var errOlderFormat = errors.New("store written in an older format")

// DefaultWait is how long Open waits for another process to let go of the
// store when Options.Wait is 0.
const DefaultWait = 2 * time.Second

// Sentinel errors, checked with errors.Is.
var (
	// ErrBusy: another process holds the store and did not let go in time.
	ErrBusy = errors.New("store in use by another process")
	// ErrDamaged: the file is not a sound store (truncated, overwritten,
	// bytes flipped). Nothing read from it is used; SetAside moves it away.
	ErrDamaged = errors.New("store damaged")
	// ErrNewerFormat: the file was written by a newer gitwalk.
	ErrNewerFormat = errors.New("store written in a newer format")
	// ErrClosed: the Store was used after Close.
	ErrClosed = errors.New("store closed")
)

// Bucket names. Records are one flat bucket so that a Prune or a Stats is
// one scan; a fingerprint's records lie together since it leads the key.
var (
	bucketMeta    = []byte("meta")    // "format", "lastrun"
	bucketRecords = []byte("records") // Key -> record
	bucketRepos   = []byte("repos")   // repository -> Run
	keyFormat     = []byte("format")
	keyLastRun    = []byte("lastrun")
)

// castagnoli is the table of the records' checksums. Go makes its tables
// for the CPU's CRC instruction on first use, 0.2 ms of CPU: made in this
// package's init, that was before every gitwalk's main; made on a
// goroutine started from init, it still cost every command, those that
// open no store too, that CPU and a thread (`gitwalk --version`, 201
// shuffled rounds: 4.86 ms of CPU then, 4.42 now). Open starts that
// goroutine, so the tables are made beside the rest of a run's start, and
// a checksum waits for them only if it comes first.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Fingerprint identifies the settings a record was computed under. Every
// setting that can change a record's bytes must be in it.
type Fingerprint [16]byte

// NewFingerprint hashes settings (each a "name=value" string, say) into a
// Fingerprint. The order matters and each part is length-prefixed, so
// ("a", "bc") and ("ab", "c") differ.
func NewFingerprint(settings ...string) Fingerprint {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, s := range settings {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	var f Fingerprint
	copy(f[:], h.Sum(nil))
	return f
}

// Key names one record: the settings, the commit, the parent it was
// diffed against (zero for the empty tree, or when the commit was not
// diffed), and Order, where the record lies among its settings' records.
// Commit ids are hashes of content, so no repository name is needed.
//
// Order is the caller's to choose, and part of the key: a Get must give the
// Order its Put gave. Records whose Orders are close lie on the same pages
// of the file, so a batch of them rewrites few pages. Keyed by commit id
// alone, a batch of random ids landed on every page of the B+tree, and each
// commit of a batch rewrote most of the file. The walker gives the commit's
// date, newest first, so a walk's batches append at one edge of its records
// and a run after new commits adds at the other.
type Key struct {
	Settings Fingerprint
	Order    uint64
	Commit   [20]byte
	Parent   [20]byte
}

const keyLen = 16 + 8 + 20 + 20

// compareKeys orders keys as their bytes (Key.bytes) sort.
func compareKeys(a, b Key) int {
	if c := bytes.Compare(a.Settings[:], b.Settings[:]); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Order, b.Order); c != 0 {
		return c
	}
	if c := bytes.Compare(a.Commit[:], b.Commit[:]); c != 0 {
		return c
	}
	return bytes.Compare(a.Parent[:], b.Parent[:])
}

func (k *Key) bytes(b *[keyLen]byte) []byte {
	copy(b[:16], k.Settings[:])
	binary.BigEndian.PutUint64(b[16:24], k.Order)
	copy(b[24:44], k.Commit[:])
	copy(b[44:], k.Parent[:])
	return b[:]
}

func keyFrom(b []byte) Key {
	var k Key
	copy(k.Settings[:], b[:16])
	k.Order = binary.BigEndian.Uint64(b[16:24])
	copy(k.Commit[:], b[24:44])
	copy(k.Parent[:], b[44:])
	return k
}

// Options tune a Store. The zero value is the default for each.
type Options struct {
	// Wait is how long Open waits for another process to let go of the
	// file: 0 means DefaultWait, a negative value not at all.
	Wait time.Duration
	// BatchRecords is how many records Put gathers before they are
	// committed in one transaction (0: 2048). Records whose keys are close
	// (Key.Order) share pages, so a transaction writes about their bytes
	// and the path to them, and small batches cost little more than large
	// ones. Keyed by random commit ids, each record of a batch landed on
	// its own page: 70,000 records of 460 bytes wrote 288 MB in batches of
	// 1024, 52 MB in batches of 16384. Ordered, a cold churn of git/git in
	// batches of 2048 wrote a file of the same size as in batches of 16384
	// and peaked 32 MB lower; on go-git, whose walk is shorter than
	// BatchDelay, records are then committed during the walk instead of
	// all at Close: its cold run went from 21% to 16% over --no-cache.
	BatchRecords int
	// BatchDelay is the longest a record waits to be committed (0: 2 s);
	// a kill loses at most this much work.
	BatchDelay time.Duration
	// Sync makes every batch wait for the disk (fsync). Without it a batch
	// is in the system's page cache when committed, which a killed or
	// crashed gitwalk does not lose; a power cut may lose recent batches
	// or damage the file, and damage is detected (every value is checked
	// against its key, and a record is a function of its key, so an old
	// page read back holds a right record or fails its check). Close
	// syncs once either way when the store's writes since Open hold at
	// least closeSyncRecords records.
	Sync bool
	// TouchAfter is how old a record's last-use stamp must be before a read
	// renews it (0: 24 hours); Prune's ages are known to within it. The
	// renewals are written by Flush and Close, in one transaction.
	TouchAfter time.Duration
}

// Store is an open store. Its methods are safe for concurrent use. Close it
// to commit what is pending and let another process have the file.
type Store struct {
	dir, path string
	db        *bolt.DB
	opts      Options
	now       func() time.Time // tests move the clock

	// writeMu serializes commits of batches (the writer goroutine, Flush,
	// Close, Prune, Clear) and the swaps of db that Prune and Clear make.
	writeMu sync.Mutex
	// swapMu is held for reading while db is in use outside writeMu (Get,
	// Stats), and for writing while Prune or Clear swap in a new file.
	swapMu sync.RWMutex

	// viewMu guards view, a read transaction Gets share between writes:
	// beginning and ending one per Get was most of a warm run's reads (on
	// redis, 120 ms of CPU in Gets, 110 of them in bbolt's View, most of
	// that in beginning and ending the transaction).
	// A read transaction holds bbolt's mapping, which a commit that grows
	// the file must replace, so lockWrite ends the view and writing keeps
	// a new one from starting until unlockWrite; Gets meanwhile each use
	// a transaction of their own, as bbolt's readers beside a writer do.
	viewMu      sync.RWMutex
	view        *bolt.Tx
	viewRecords *bolt.Bucket
	writing     bool

	mu       sync.Mutex
	pending  map[Key][]byte   // put, not yet being committed
	inflight map[Key][]byte   // being committed now
	touch    map[Key]struct{} // read, with a stamp older than TouchAfter
	err      error            // sticky: damage or a failed write ends writing
	wrote    int              // records committed since Open (Close syncs past closeSyncRecords)
	synced   bool             // Close synced the file
	closed   bool
	older    int // the format of the file Open replaced, or 0

	kick chan struct{} // a full batch is waiting
	quit chan struct{}
	done chan struct{}
}

// DefaultDir is the folder of the user's store: $GITWALK_CACHE when set,
// else gitwalk under the user's cache folder (os.UserCacheDir). It is never
// inside a repository.
func DefaultDir() (string, error) {
	if d := os.Getenv("GITWALK_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder for the store (set GITWALK_CACHE): %w", err)
	}
	return filepath.Join(d, "gitwalk"), nil
}

// Open opens the store in dir, creating the folder and the file as needed.
// It returns ErrBusy when another process holds the file past opts.Wait,
// ErrDamaged when the file is not a sound store, ErrNewerFormat when a newer
// gitwalk wrote it, and another error when the folder cannot be written. A
// nil opts is the defaults.
func Open(dir string, opts *Options) (*Store, error) {
	go castagnoli() // see castagnoli
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Wait == 0 {
		o.Wait = DefaultWait
	}
	if o.BatchRecords <= 0 {
		o.BatchRecords = 2048
	}
	if o.BatchDelay <= 0 {
		o.BatchDelay = 2 * time.Second
	}
	if o.TouchAfter <= 0 {
		o.TouchAfter = 24 * time.Hour
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store folder: %w", err)
	}
	s := &Store{
		dir:     dir,
		path:    filepath.Join(dir, FileName),
		opts:    o,
		now:     time.Now,
		pending: map[Key][]byte{},
		touch:   map[Key]struct{}{},
		kick:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if err := s.create(); err != nil {
		return nil, err
	}
	db, err := s.openFile(o.Wait)
	if err != nil {
		return nil, err
	}
	s.db = db
	go s.writer()
	return s, nil
}

// create makes a new store file when there is none. It is built under a
// temporary name and linked into place, so that the store's name never
// shows a half-made file: an empty or meta-less file there is damage, never
// another process's store in the making.
func (s *Store) create() error {
	if _, err := os.Lstat(s.path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil // there is one (or an error Open will report)
	}
	tmp, err := os.CreateTemp(s.dir, FileName+".new-*")
	if err != nil {
		return fmt.Errorf("create store: %w", err)
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	db, err := bolt.Open(name, 0o644, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("create store %s: %w", s.path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return initBuckets(tx) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create store %s: %w", s.path, err)
	}
	if err := os.Link(name, s.path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create store %s: %w", s.path, err)
	}
	return nil
}

func initBuckets(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	var v [4]byte
	binary.BigEndian.PutUint32(v[:], formatVersion)
	if err := meta.Put(keyFormat, seal(keyFormat, nil, v[:])); err != nil {
		return err
	}
	if _, err := tx.CreateBucketIfNotExists(bucketRecords); err != nil {
		return err
	}
	_, err = tx.CreateBucketIfNotExists(bucketRepos)
	return err
}

// openFile opens and checks s.path, waiting at most wait for its lock.
func (s *Store) openFile(wait time.Duration) (db *bolt.DB, err error) {
	deadline := s.now().Add(wait)
	for {
		db, err = s.openOnce(deadline)
		if err != errReplaced {
			return db, err
		}
	}
}

// mmapSize is the address space bbolt maps the file into from the start
// (on 64-bit systems; the file itself grows as records come). With bbolt's
// default the mapping starts at 32 KiB and doubles as the file grows, and
// each time a commit outgrows it bbolt copies every node of the
// transaction out of the old mapping and faults the file in again: 40% of
// BenchmarkPutClose, and the cold run's store cost on large histories.
const mmapSize = 1 << 30

// allocSize is how far ahead of its pages in use bbolt grows the file
// when it grows it with a truncation and a sync of its own, which the
// store asks for only with Options.Sync (bbolt's default is 16 MiB once
// the mapping is larger than that, which a 1 GiB mapping always is).
// Otherwise the file grows as pages are written, and holds no slack.
const allocSize = 1 << 20

// boltOptions are the bbolt options of every file the store opens: the
// mapping of mmapSize where addresses allow, and file growth without a
// truncation and fsync of its own unless Options.Sync asks for syncs
// (every commit's fdatasync covers the size; damage from a growth lost to
// a power cut is detected like any other).
func (s *Store) boltOptions() *bolt.Options {
	o := &bolt.Options{NoGrowSync: !s.opts.Sync}
	if strconv.IntSize == 64 {
		o.InitialMmapSize = mmapSize
	}
	return o
}

// errReplaced: the file locked was renamed away (a Prune or Clear of
// another process swapped in a compacted file) while Open waited.
var errReplaced = errors.New("store file replaced")

func (s *Store) openOnce(deadline time.Time) (db *bolt.DB, err error) {
	if fi, err := os.Stat(s.path); err == nil && fi.Size() == 0 {
		return nil, s.damaged("empty file")
	}
	var file *os.File
	defer func() {
		if r := recover(); r != nil {
			// bolt.Open panicked on a damaged page: close the file it
			// opened so that its lock goes (its mapping stays until exit).
			if file != nil {
				file.Close()
			}
			db, err = nil, s.damaged(r)
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	wait := deadline.Sub(s.now())
	if wait <= 0 {
		wait = time.Nanosecond // bbolt waits forever on 0: try once
	}
	bo := s.boltOptions()
	bo.Timeout = wait
	bo.NoSync = !s.opts.Sync
	bo.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	db, err = bolt.Open(s.path, 0o644, bo)
	if err == nil {
		db.AllocSize = allocSize
	}
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s (waited %v)", ErrBusy, s.path, s.opts.Wait)
	case isDamage(err):
		return nil, s.damaged(err)
	case err != nil:
		return nil, fmt.Errorf("open store %s: %w", s.path, err)
	}
	if same, err := sameFile(file, s.path); err != nil || !same {
		db.Close()
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", s.path, err)
		}
		return nil, errReplaced
	}
	fi, err := file.Stat()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", s.path, err)
	}
	err = db.View(func(tx *bolt.Tx) error { return s.checkFormat(tx, fi.Size()) })
	if errors.Is(err, errOlderFormat) {
		// Its records are a cache this version cannot read: start afresh
		// in a new file, built and locked before it takes the name.
		s.db = db
		s.writeMu.Lock()
		err = s.rewrite(false)
		s.writeMu.Unlock()
		db, s.db = s.db, nil
		if err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func sameFile(f *os.File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(a, b), nil
}

// isDamage tells bbolt's errors about the file's content from those about
// the system (permissions, a full disk, memory), which must not make a
// caller set a sound file aside.
func isDamage(err error) bool {
	if err == nil {
		return false
	}
	for _, e := range []error{berrors.ErrInvalid, berrors.ErrVersionMismatch, berrors.ErrChecksum, berrors.ErrInvalidMapping} {
		if errors.Is(err, e) {
			return true
		}
	}
	// bbolt's error for a file shorter than its two meta pages has no
	// sentinel.
	return strings.HasPrefix(err.Error(), "file size too small")
}

func (s *Store) checkFormat(tx *bolt.Tx, fileSize int64) error {
	// The pages the last transaction left must all be in the file: a
	// shorter file was cut (bbolt would read past its end).
	if tx.Size() > fileSize {
		return s.damaged(fmt.Sprintf("truncated: %d bytes, its pages reach %d", fileSize, tx.Size()))
	}
	meta := tx.Bucket(bucketMeta)
	if meta == nil || tx.Bucket(bucketRecords) == nil || tx.Bucket(bucketRepos) == nil {
		return s.damaged("no gitwalk buckets")
	}
	v, ok := unseal(keyFormat, nil, meta.Get(keyFormat))
	if !ok || len(v) != 4 {
		return s.damaged("bad format record")
	}
	switch n := binary.BigEndian.Uint32(v); {
	case n > formatVersion:
		return fmt.Errorf("%w: %s has format %d, this gitwalk reads %d (use a newer gitwalk, or another --cache folder)", ErrNewerFormat, s.path, n, formatVersion)
	case n == 0:
		return s.damaged("format 0")
	case n < formatVersion:
		s.older = int(n)
		return errOlderFormat
	}
	return nil
}

func (s *Store) damaged(why any) error {
	return fmt.Errorf("%w: %s: %v (set it aside and start afresh)", ErrDamaged, s.path, why)
}

// SetAside renames the store file in dir (a damaged one, say) to a name
// with the time in it, so that the next Open starts afresh, and returns the
// new name. The Store on it, if any, must be closed first.
func SetAside(dir string) (string, error) {
	from := filepath.Join(dir, FileName)
	to := fmt.Sprintf("%s.damaged-%s", from, time.Now().UTC().Format("20060102T150405.000000000"))
	if err := os.Rename(from, to); err != nil {
		return "", fmt.Errorf("set the store aside: %w", err)
	}
	return to, nil
}

// seal makes a value: CRC-32C (of key, stamp and payload), then the stamp
// bytes and the payload. The key is in the checksum so that a value found
// under another key (a damaged page) fails it too.
func seal(key, stamp, payload []byte) []byte {
	v := make([]byte, 4+len(stamp)+len(payload))
	copy(v[4:], stamp)
	copy(v[4+len(stamp):], payload)
	c := crc32.Update(crc32.Checksum(key, castagnoli()), castagnoli(), v[4:])
	binary.BigEndian.PutUint32(v, c)
	return v
}

// sealHead is the bytes seal puts before a record's payload: the
// checksum and a 4-byte stamp. A pending record is held with that room in
// front, and sealed in place (sealInPlace) when its batch is committed.
const sealHead = 4 + 4

// sealInPlace seals v, a payload after sealHead bytes of room, with
// stamp, as seal would make it.
func sealInPlace(key []byte, stamp [4]byte, v []byte) []byte {
	copy(v[4:sealHead], stamp[:])
	c := crc32.Update(crc32.Checksum(key, castagnoli()), castagnoli(), v[4:])
	binary.BigEndian.PutUint32(v, c)
	return v
}

// unseal checks a value made by seal with a stamp of len(stamp) bytes,
// copies the stamp out into stamp and returns the payload (aliasing v).
func unseal(key, stamp, v []byte) ([]byte, bool) {
	if len(v) < 4+len(stamp) {
		return nil, false
	}
	c := crc32.Update(crc32.Checksum(key, castagnoli()), castagnoli(), v[4:])
	if c != binary.BigEndian.Uint32(v) {
		return nil, false
	}
	copy(stamp, v[4:])
	return v[4+len(stamp):], true
}

// Stamps are hours since the Unix epoch: a record's last write, or the
// last read that renewed it.
func stampOf(t time.Time) uint32 { return uint32(t.Unix() / 3600) }

func timeOfStamp(st uint32) time.Time { return time.Unix(int64(st)*3600, 0) }

// guard turns a panic inside bbolt (a damaged page) into ErrDamaged and
// makes memory faults on the mapped file panics it can catch. Deferred
// first thing by every method that reads or writes the file, as
// `defer s.guard(&err)()`, or, where a closure per call costs, as
// `defer s.unguard(debug.SetPanicOnFault(true), &err)`.
func (s *Store) guard(err *error) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			s.damagedBy(r, err)
		}
	}
}

// unguard is guard's deferred half, deferred itself (recover works only
// in the deferred function): old is what SetPanicOnFault gave.
func (s *Store) unguard(old bool, err *error) {
	debug.SetPanicOnFault(old)
	if r := recover(); r != nil {
		s.damagedBy(r, err)
	}
}

// damagedBy makes *err the damage a panic in bbolt (r) reports, and the
// store's sticky error.
func (s *Store) damagedBy(r any, err *error) {
	*err = s.damaged(r)
	s.mu.Lock()
	if s.err == nil {
		s.err = *err
	}
	s.mu.Unlock()
}

// Get returns the record stored under k: a copy the caller owns, and
// whether there was one. A record that fails its checksum is ErrDamaged,
// and so is every later call: close the store and set it aside.
func (s *Store) Get(k Key) (rec []byte, ok bool, err error) {
	return s.GetInto(k, func(n int) []byte { return make([]byte, n) })
}

// GetInto is Get copying the record into buf(n), a buffer of n bytes the
// caller gives (one it maps itself for a large record, say, or one it
// reuses); a buffer of another length is not used.
func (s *Store) GetInto(k Key, buf func(n int) []byte) (rec []byte, ok bool, err error) {
	return s.getInto(k, buf, nil)
}

// A Reader reads records for one goroutine at a time, keeping its place in
// the file between reads: a key a few keys after the last one it read is
// found by stepping there, not by a search from the root of the B+tree.
// A walk reads its commits in about the order of their keys (newest
// first, by Key.Order), and each worker's next commit is a few keys on;
// searches from the root were a tenth of a warm walk's CPU on git/git.
// A Reader is not safe for concurrent use; several may read one Store.
type Reader struct {
	s    *Store
	tx   *bolt.Tx     // the shared read transaction c walks
	c    *bolt.Cursor // nil until the first read of a shared transaction
	last []byte       // the key c is at; nil when c has run off the end
	// stepped counts the reads that stepped rather than searched.
	stepped int
	// now is the clock a read's stamp is compared with, read again every
	// readsPerClock reads: stamps are hours, and reading the clock for
	// every record was 6% of the CPU a warm walk of go-git spent reading
	// the store.
	now   time.Time
	reads int
}

// readsPerClock is how many reads a Reader makes on one reading of the
// clock.
const readsPerClock = 1024

// NewReader returns a Reader of s.
func (s *Store) NewReader() *Reader { return &Reader{s: s} }

// GetInto is Store.GetInto through r.
func (r *Reader) GetInto(k Key, buf func(n int) []byte) (rec []byte, ok bool, err error) {
	return r.s.getInto(k, buf, r)
}

// readerSteps is how many keys a Reader steps over before it searches
// instead.
const readerSteps = 8

// get returns the value of key in b, the records bucket of the shared
// transaction tx, from r's place in it when key lies a few keys on.
func (r *Reader) get(tx *bolt.Tx, b *bolt.Bucket, key []byte) []byte {
	if r.tx != tx || r.c == nil {
		r.tx, r.c, r.last = tx, b.Cursor(), nil
	}
	if r.last != nil && bytes.Compare(key, r.last) > 0 {
		for range readerSteps {
			k, v := r.c.Next()
			r.last = k
			if k == nil {
				return nil // the end: key is not there
			}
			switch bytes.Compare(k, key) {
			case 0:
				r.stepped++
				return v
			case 1:
				r.stepped++
				return nil // stepped past it: key is not there
			}
		}
	}
	k, v := r.c.Seek(key)
	r.last = k
	if !bytes.Equal(k, key) {
		return nil
	}
	return v
}

// into is buf(n) when it is n bytes long, else a new buffer.
func into(buf func(n int) []byte, n int) []byte {
	if b := buf(n); len(b) == n {
		return b
	}
	return make([]byte, n)
}

func (s *Store) getInto(k Key, buf func(n int) []byte, r *Reader) (rec []byte, ok bool, err error) {
	s.mu.Lock()
	if err := s.unreadable(); err != nil {
		s.mu.Unlock()
		return nil, false, err
	}
	if len(s.pending) > 0 || len(s.inflight) > 0 {
		for _, m := range [2]map[Key][]byte{s.pending, s.inflight} {
			if v, ok := m[k]; ok {
				s.mu.Unlock()
				if v == nil {
					return nil, false, nil // deleted
				}
				rec = into(buf, len(v)-sealHead)
				copy(rec, v[sealHead:])
				return rec, true, nil
			}
		}
	}
	s.mu.Unlock()
	var stamp [4]byte
	rec, ok, err = s.readRecord(k, buf, r, &stamp)
	if err != nil {
		s.fail(err)
		return nil, false, err
	}
	if ok && s.readTime(r).Sub(timeOfStamp(binary.BigEndian.Uint32(stamp[:]))) >= s.opts.TouchAfter {
		s.mu.Lock()
		s.touch[k] = struct{}{}
		s.mu.Unlock()
	}
	return rec, ok, nil
}

// readRecord reads k's record from the file into buf, with its stamp, for
// getInto. It makes no closure: a read allocated three (the read's, the
// buffer's and guard's), a fifth of the allocations of a warm walk.
func (s *Store) readRecord(k Key, buf func(n int) []byte, r *Reader, stamp *[4]byte) (rec []byte, ok bool, err error) {
	s.swapMu.RLock()
	defer s.swapMu.RUnlock()
	defer func() {
		if err != nil {
			rec, ok = nil, false // never a value from a damaged file
		}
	}()
	defer s.unguard(debug.SetPanicOnFault(true), &err) // runs first: a panic is an error above
	var kb [keyLen]byte
	key := k.bytes(&kb)
	// The record is copied out while the mapping it lies in stays: under
	// the shared transaction, or, while the file is being written, one of
	// the read's own. (Unlocked by defers: bbolt panics on a damaged page.)
	b, shared, err := s.sharedView()
	if err != nil {
		return nil, false, err
	}
	var v []byte
	if shared != nil {
		defer s.viewMu.RUnlock()
		if r != nil {
			v = r.get(shared, b, key)
		} else {
			v = b.Get(key)
		}
	} else {
		tx, err := s.db.Begin(false)
		if err != nil {
			return nil, false, err
		}
		defer tx.Rollback()
		v = tx.Bucket(bucketRecords).Get(key)
	}
	if v == nil {
		return nil, false, nil
	}
	p, good := unseal(key, stamp[:], v)
	if !good {
		return nil, false, s.damaged(fmt.Sprintf("record %x fails its checksum", key))
	}
	rec = into(buf, len(p))
	copy(rec, p)
	return rec, true, nil
}

// readTime is the time to compare a record's stamp with: the clock, or
// r's reading of it.
func (s *Store) readTime(r *Reader) time.Time {
	if r == nil {
		return s.now()
	}
	if r.reads%readsPerClock == 0 {
		r.now = s.now()
	}
	r.reads++
	return r.now
}

// unreadable is why the store can be read no more (closed, or an error
// that ended it), or nil. Called with mu held.
func (s *Store) unreadable() error {
	if s.closed {
		return ErrClosed
	}
	return s.err
}

// Holds says whether the store has any record under the settings f: in
// the file, or put since. A walk under settings the store has never seen
// (the first run, or one after a settings change) then knows every lookup
// would miss, and spares them: on git/git's cold run they were a search of
// the B+tree per commit, 0.16 s of CPU.
func (s *Store) Holds(f Fingerprint) (held bool, err error) {
	s.mu.Lock()
	if err := s.unreadable(); err != nil {
		s.mu.Unlock()
		return false, err
	}
	for _, m := range []map[Key][]byte{s.inflight, s.pending} {
		for k, v := range m {
			if k.Settings == f && v != nil {
				s.mu.Unlock()
				return true, nil
			}
		}
	}
	s.mu.Unlock()
	s.swapMu.RLock()
	defer s.swapMu.RUnlock()
	defer s.guard(&err)()
	err = s.read(func(b *bolt.Bucket, _ *bolt.Tx) error {
		k, _ := b.Cursor().Seek(f[:])
		held = k != nil && bytes.HasPrefix(k, f[:])
		return nil
	})
	if err != nil {
		s.fail(err)
		return false, err
	}
	return held, nil
}

// Keys returns the keys of the records under the settings f, in key
// order: those in the file and those put since, less those deleted.
func (s *Store) Keys(f Fingerprint) (keys []Key, err error) {
	s.mu.Lock()
	if err := s.unreadable(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	batch := map[Key]bool{} // put (true) or deleted (false) since the file
	for _, m := range []map[Key][]byte{s.inflight, s.pending} {
		for k, v := range m {
			if k.Settings == f {
				batch[k] = v != nil
			}
		}
	}
	s.mu.Unlock()
	s.swapMu.RLock()
	defer s.swapMu.RUnlock()
	defer s.guard(&err)()
	err = s.read(func(b *bolt.Bucket, _ *bolt.Tx) error {
		c := b.Cursor()
		for k, _ := c.Seek(f[:]); k != nil && bytes.HasPrefix(k, f[:]); k, _ = c.Next() {
			if len(k) != keyLen {
				return s.damaged(fmt.Sprintf("key %x", k))
			}
			if _, changed := batch[keyFrom(k)]; !changed {
				keys = append(keys, keyFrom(k))
			}
		}
		return nil
	})
	if err != nil {
		s.fail(err)
		return nil, err
	}
	for k, put := range batch {
		if put {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareKeys)
	return keys, nil
}

// read calls fn with the records bucket of the shared read transaction
// (and that transaction), begun here when there is none and no write is
// under way, or else of a transaction of its own (and nil). Called with
// swapMu held for reading.
func (s *Store) read(fn func(b *bolt.Bucket, shared *bolt.Tx) error) error {
	b, shared, err := s.sharedView()
	if err != nil {
		return err
	}
	if shared != nil {
		defer s.viewMu.RUnlock()
		return fn(b, shared)
	}
	return s.db.View(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucketRecords), nil) })
}

// sharedView returns the shared read transaction and its records bucket,
// beginning it when there is none and the file is not being written, with
// viewMu's read lock held: the caller unlocks it once done with them. It
// returns nil, the lock not held, while the file is being written.
func (s *Store) sharedView() (*bolt.Bucket, *bolt.Tx, error) {
	s.viewMu.RLock()
	if s.view == nil && !s.writing {
		s.viewMu.RUnlock()
		s.viewMu.Lock()
		if s.view == nil && !s.writing {
			tx, err := s.db.Begin(false)
			if err != nil {
				s.viewMu.Unlock()
				return nil, nil, err
			}
			s.view, s.viewRecords = tx, tx.Bucket(bucketRecords)
		}
		s.viewMu.Unlock()
		s.viewMu.RLock()
	}
	if s.view != nil {
		return s.viewRecords, s.view, nil
	}
	s.viewMu.RUnlock()
	return nil, nil, nil
}

// lockWrite takes writeMu for a change to the file (a commit, a prune, a
// swap, the close) and ends the shared read transaction, which would
// otherwise keep a growing file from being mapped again.
func (s *Store) lockWrite() {
	s.writeMu.Lock()
	s.viewMu.Lock()
	s.writing = true
	if s.view != nil {
		s.view.Rollback() // a read transaction's rollback only lets go of the mapping
		s.view, s.viewRecords = nil, nil
	}
	s.viewMu.Unlock()
}

// unlockWrite lets Gets share a read transaction again and lets go of
// writeMu.
func (s *Store) unlockWrite() {
	s.viewMu.Lock()
	s.writing = false
	s.viewMu.Unlock()
	s.writeMu.Unlock()
}

// fail records the first error that ends writing.
func (s *Store) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

// Put stores a copy of rec under k; it is committed with its batch, at the
// latest Options.BatchDelay later, or by Flush or Close. The caller may
// reuse rec at once. An error means the store can take no more (a failed
// write, a full disk, damage): the walk goes on without it.
func (s *Store) Put(k Key, rec []byte) error {
	// The copy leaves room in front for the checksum and stamp the value
	// is sealed with at the commit (see seal), so that it is the value
	// written: a walk's records were otherwise allocated twice, and on
	// git/git's cold run the collector's work grew with them.
	v := make([]byte, sealHead+len(rec))
	copy(v[sealHead:], rec)
	return s.put(k, v)
}

// Delete removes the record under k, if there is one, with the batch Put
// would commit it in.
func (s *Store) Delete(k Key) error { return s.put(k, nil) }

// put puts rec, or a deletion when rec is nil, in the pending batch.
func (s *Store) put(k Key, rec []byte) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if s.err != nil {
		err := s.err
		s.mu.Unlock()
		return err
	}
	s.pending[k] = rec
	n := len(s.pending)
	s.mu.Unlock()
	switch {
	case n >= 2*s.opts.BatchRecords:
		// The writer is behind: commit here, which waits for it.
		return s.commit(false)
	case n >= s.opts.BatchRecords:
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// Flush commits every record put so far, and the renewed stamps of records
// read, and returns the first error writing has met.
func (s *Store) Flush() error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return s.commit(true)
}

// writer commits batches when one is full or BatchDelay has passed.
func (s *Store) writer() {
	defer close(s.done)
	t := time.NewTicker(s.opts.BatchDelay)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-s.kick:
		case <-t.C:
		}
		s.commit(false) // an error sticks in s.err; Put and Flush return it
	}
}

// commit writes the pending records in one transaction (and the renewed
// stamps too when touches is set).
func (s *Store) commit(touches bool) (err error) {
	s.lockWrite()
	defer s.unlockWrite()
	s.mu.Lock()
	if s.err != nil {
		err := s.err
		s.mu.Unlock()
		return err
	}
	batch := s.pending
	var touched map[Key]struct{}
	if touches && len(s.touch) > 0 {
		touched, s.touch = s.touch, map[Key]struct{}{}
	}
	if len(batch) == 0 && len(touched) == 0 {
		s.mu.Unlock()
		return nil
	}
	s.pending, s.inflight = map[Key][]byte{}, batch
	db := s.db
	s.mu.Unlock()

	defer func() {
		s.mu.Lock()
		s.inflight = nil
		if err != nil && s.err == nil {
			s.err = err
		}
		s.mu.Unlock()
	}()
	defer s.guard(&err)()
	var stamp [4]byte
	binary.BigEndian.PutUint32(stamp[:], stampOf(s.now()))
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		// Pages split when written are filled this full (bbolt's default
		// is half): random keys spread a batch over every page, so a
		// half-full split leaves the whole tree half empty.
		b.FillPercent = 0.9
		// In key order: bbolt keeps a leaf's entries in a sorted array in
		// memory until the commit spills it, and keys in order append
		// where random ones move the array (5% of BenchmarkPutClose).
		keys := make([]Key, 0, len(batch))
		for k := range batch {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareKeys)
		var kb [keyLen]byte
		for i := range keys {
			key := keys[i].bytes(&kb)
			rec := batch[keys[i]]
			var err error
			if rec == nil {
				err = b.Delete(key)
			} else {
				err = b.Put(key, sealInPlace(key, stamp, rec))
			}
			if err != nil {
				return err
			}
		}
		for k := range touched {
			key := k.bytes(&kb)
			v := b.Get(key)
			if v == nil {
				continue // pruned meanwhile
			}
			var old [4]byte
			p, ok := unseal(key, old[:], v)
			if !ok {
				return s.damaged(fmt.Sprintf("record %x fails its checksum", key))
			}
			if err := b.Put(key, seal(key, stamp[:], p)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrDamaged) {
		err = fmt.Errorf("write store %s: %w", s.path, err)
	}
	if err == nil {
		s.mu.Lock()
		s.wrote += len(batch)
		s.mu.Unlock()
	}
	return err
}

// closeSyncRecords is how many records a store's writes must hold for
// Close to sync the file. A run that wrote that many took seconds or more
// to compute them, and a power cut could lose them; a nightly re-run that
// wrote a few dozen (go-git after 10 new commits: 26) waited 3 ms for the
// disk, a tenth of the run. What a cut loses is computed again; what it
// damages is found and set aside (see Options.Sync).
const closeSyncRecords = 1024

// Close commits what is pending, stops the writer and lets go of the file.
// It returns the first error writing met (the records of a failed batch
// are lost; earlier batches are kept).
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.closed = true
	s.mu.Unlock()
	close(s.quit)
	<-s.done
	err := s.commit(true)
	s.lockWrite()
	defer s.unlockWrite()
	s.swapMu.Lock()
	defer s.swapMu.Unlock()
	if !s.opts.Sync && s.wrote >= closeSyncRecords && err == nil {
		if serr := s.db.Sync(); serr != nil {
			err = fmt.Errorf("sync store %s: %w", s.path, serr)
		}
		s.synced = true
	}
	if cerr := s.db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close store %s: %w", s.path, cerr)
	}
	return err
}

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// OlderFormat is the format of the store Open found and replaced by an
// empty one, because an older gitwalk wrote it, or 0.
func (s *Store) OlderFormat() int { return s.older }
