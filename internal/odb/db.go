package odb

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxAlternateDepth is how deep alternates may chain, as in git
// (link_alt_odb_entries refuses deeper nesting than 5).
const maxAlternateDepth = 5

// DB is a repository's object database: its loose objects, its packs and
// those of its alternates. A DB is safe for concurrent use; it is
// immutable after Open except that a lookup miss rescans the pack
// directories (under a lock) to pick up packs written since. Objects are
// read through per-goroutine Readers (NewReader).
type DB struct {
	objDirs []string // the repository's objects directory, then alternates

	packs atomic.Pointer[[]*pack]

	mu       sync.Mutex // guards the fields below and pack list updates
	closed   bool
	packSeen map[string]bool      // .pack paths already opened or rejected
	dirStamp map[string]time.Time // mtime of each pack directory at last scan
	packErrs []error              // packs that could not be opened
	isClosed atomic.Bool

	// What the readers touched of the pack mappings since the last drop,
	// and the limit that starts a drop (see SetMappedLimit).
	mappedLimit   atomic.Int64
	mappedTouched atomic.Int64
	mappedDrops   atomic.Int64
}

// DefaultMappedLimit is how many bytes of pack pages readers may touch
// before the DB drops its mappings' pages from the process's memory (see
// SetMappedLimit), at least: Open sets half the packed bytes, between
// this and MaxMappedLimit.
//
// Each drop costs the faults that map the pages still in use back in. On
// git/git's 474 MB of packs, 256 MiB instead of 64 dropped 18 times
// instead of 69, halved the system time (2.0 to 1.2 s) and cut the walk's
// wall time by a tenth, for 30 MB more of peak RSS. On curl's 190 MB the
// same 256 MiB cost 105 MB more, above git's own peak: half the packed
// bytes, 95 MiB, stays below it.
const (
	DefaultMappedLimit = 64 << 20
	MaxMappedLimit     = 256 << 20
)

// pageSize is the unit in which touched pack data is counted.
var pageSize = os.Getpagesize()

// SetMappedLimit bounds the memory that the mapped pack data holds in
// this process. Mapped pages that have been read count in its resident
// memory like any other, so without a bound a walk of the whole history
// ends up holding most of its packs (git, which maps its packs too, does
// the same). Once readers have touched about n bytes of pack data since
// the last drop, the DB drops the pack mappings' pages (madvise
// MADV_DONTNEED): the kernel keeps them in its page cache and the next
// read maps them back, so nothing is read again from disk. Pages count
// once per read that spans them, so the resident part of the packs stays
// at about n or below. Packs whose data adds up to n or less are never
// dropped. The pack indexes are not dropped: lookups read them all over,
// so a drop only faulted them back in (on git/git, 114,000 faults a walk
// against 97,000 without), and they hold at most their size. n <= 0 keeps
// every page mapped. Open sets half the packed bytes, within
// DefaultMappedLimit and MaxMappedLimit. Safe for concurrent use.
func (db *DB) SetMappedLimit(n int64) { db.mappedLimit.Store(n) }

// MappedLimit returns the bound SetMappedLimit set.
func (db *DB) MappedLimit() int64 { return db.mappedLimit.Load() }

// MappedDrops returns how many times the DB has dropped its mapped pages.
func (db *DB) MappedDrops() int64 { return db.mappedDrops.Load() }

// noteMapped adds n touched bytes; the reader whose bytes cross the limit
// drops the pages. A drop runs under mu so that it never races with Close
// (madvise on a range unmapped and mapped again for something else would
// zero that memory).
func (db *DB) noteMapped(n int64) {
	limit := db.mappedLimit.Load()
	if limit <= 0 {
		return
	}
	t := db.mappedTouched.Add(n)
	if t < limit || t-n >= limit {
		return // below the limit, or another reader crossed it and drops
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	db.mappedTouched.Store(0)
	if db.closed {
		return
	}
	// Packs that fit in the limit whole cannot hold more than it: dropping
	// their pages would only fault them back in (on a generated history
	// with 31 MB of pack, 20 drops for nothing, in system time).
	packs := *db.packs.Load()
	var mapped int64
	for _, p := range packs {
		mapped += int64(len(p.data))
	}
	if mapped <= limit {
		return
	}
	for _, p := range packs {
		dropMapped(p.data)
	}
	db.mappedDrops.Add(1)
}

// Open opens the object database of the git directory gitDir: a work
// tree's .git directory or a bare repository. It reads objects/, follows
// objects/info/alternates (recursively, relative paths taken relative to
// the objects directory that names them, as git does) and maps every pack
// that has an index. Close releases the mappings.
func Open(gitDir string) (*DB, error) {
	objDir := filepath.Join(gitDir, "objects")
	fi, err := os.Stat(objDir)
	if err != nil {
		return nil, fmt.Errorf("open object database %s: %w", gitDir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open object database %s: %s is not a directory", gitDir, objDir)
	}
	db := &DB{
		packSeen: map[string]bool{},
		dirStamp: map[string]time.Time{},
	}
	db.mappedLimit.Store(DefaultMappedLimit)
	abs, err := filepath.Abs(objDir)
	if err != nil {
		return nil, fmt.Errorf("open object database %s: %w", gitDir, err)
	}
	seen := map[string]bool{}
	if err := db.addObjectDir(abs, 0, seen); err != nil {
		return nil, fmt.Errorf("open object database %s: %w", gitDir, err)
	}
	empty := []*pack{}
	db.packs.Store(&empty)
	db.mu.Lock()
	db.scanPacksLocked(true)
	db.mu.Unlock()
	db.mappedLimit.Store(min(max(db.PackedBytes()/2, DefaultMappedLimit), MaxMappedLimit))
	return db, nil
}

// addObjectDir adds dir and, depth first, the alternates it names.
func (db *DB) addObjectDir(dir string, depth int, seen map[string]bool) error {
	dir = filepath.Clean(dir)
	if seen[dir] {
		return nil
	}
	seen[dir] = true
	db.objDirs = append(db.objDirs, dir)
	altFile := filepath.Join(dir, "info", "alternates")
	data, err := os.ReadFile(altFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if depth >= maxAlternateDepth {
		return fmt.Errorf("%s: alternates nested deeper than %d", altFile, maxAlternateDepth)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '"' {
			if u, err := strconv.Unquote(line); err == nil {
				line = u
			}
		}
		alt := line
		if !filepath.IsAbs(alt) {
			alt = filepath.Join(dir, alt)
		}
		if fi, err := os.Stat(alt); err != nil || !fi.IsDir() {
			// git warns and goes on without a missing alternate.
			continue
		}
		if err := db.addObjectDir(alt, depth+1, seen); err != nil {
			return err
		}
	}
	return sc.Err()
}

// scanPacksLocked opens the packs that appeared in the pack directories
// since the last scan, and reports whether any was added. Unless force,
// a directory whose mtime did not change is not read again. db.mu is held.
func (db *DB) scanPacksLocked(force bool) bool {
	if db.closed {
		return false
	}
	var added []*pack
	for _, dir := range db.objDirs {
		packDir := filepath.Join(dir, "pack")
		fi, err := os.Stat(packDir)
		if err != nil {
			continue
		}
		if !force && fi.ModTime().Equal(db.dirStamp[packDir]) {
			continue
		}
		db.dirStamp[packDir] = fi.ModTime()
		ents, err := os.ReadDir(packDir)
		if err != nil {
			continue
		}
		type cand struct {
			path  string
			mtime time.Time
		}
		var cands []cand
		for _, e := range ents {
			name := e.Name()
			if !strings.HasSuffix(name, ".pack") || !strings.HasPrefix(name, "pack-") {
				continue
			}
			path := filepath.Join(packDir, name)
			if db.packSeen[path] {
				continue
			}
			if _, err := os.Stat(strings.TrimSuffix(path, ".pack") + ".idx"); err != nil {
				continue // a pack still being written, or an orphan: git skips it too
			}
			var mt time.Time
			if info, err := e.Info(); err == nil {
				mt = info.ModTime()
			}
			cands = append(cands, cand{path, mt})
		}
		// Newest first, as git orders its packs.
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].mtime.After(cands[j].mtime) })
		for _, c := range cands {
			db.packSeen[c.path] = true
			p, err := openPack(c.path)
			if err != nil {
				db.packErrs = append(db.packErrs, err)
				continue
			}
			added = append(added, p)
		}
	}
	if len(added) == 0 {
		return false
	}
	old := *db.packs.Load()
	list := make([]*pack, 0, len(old)+len(added))
	list = append(list, added...)
	list = append(list, old...)
	db.packs.Store(&list)
	return true
}

// refresh rescans the pack directories after a lookup miss.
func (db *DB) refresh() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.scanPacksLocked(false)
}

// Close unmaps every pack. Readers of db must not be used during or
// after Close. Close is idempotent.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	db.isClosed.Store(true)
	var errs []error
	for _, p := range *db.packs.Load() {
		errs = append(errs, p.close())
	}
	empty := []*pack{}
	db.packs.Store(&empty)
	return errors.Join(errs...)
}

// findPacked looks id up in the packs, trying hint first; it returns the
// pack, the entry's index position and the pack's position in the list.
func (db *DB) findPacked(id *ID, hint int) (*pack, int, int) {
	packs := *db.packs.Load()
	if hint >= 0 && hint < len(packs) {
		if i := packs[hint].find(id); i >= 0 {
			return packs[hint], i, hint
		}
	}
	for k, p := range packs {
		if k == hint {
			continue
		}
		if i := p.find(id); i >= 0 {
			return p, i, k
		}
	}
	return nil, -1, -1
}

// loosePath returns the path of id as a loose object in objDir.
func loosePath(objDir string, id *ID) string {
	var buf [41]byte
	hex.Encode(buf[:2], id[:1])
	buf[2] = '/'
	hex.Encode(buf[3:], id[1:])
	return filepath.Join(objDir, string(buf[:]))
}

// Has reports whether the object id is in the database (packed or loose).
// It does not check the object's content.
func (db *DB) Has(id ID) bool {
	if db.isClosed.Load() {
		return false
	}
	for attempt := 0; attempt < 2; attempt++ {
		if p, _, _ := db.findPacked(&id, -1); p != nil {
			return true
		}
		for _, dir := range db.objDirs {
			if _, err := os.Stat(loosePath(dir, &id)); err == nil {
				return true
			}
		}
		if attempt == 0 && !db.refresh() {
			break
		}
	}
	return false
}

// notFoundErr names id and mentions packs that could not be opened, since
// the object may be in one of them.
func (db *DB) notFoundErr(id ID) error {
	db.mu.Lock()
	errs := db.packErrs
	db.mu.Unlock()
	if len(errs) == 0 {
		return notFound(id)
	}
	return fmt.Errorf("object %s: %w (%d unreadable pack(s): %w)", id, ErrNotFound, len(errs), errs[0])
}

// ResolvePrefix returns the one object whose id starts with the hex digits
// hexPrefix (4 to 40 digits, either case). It fails with an error matching
// ErrNotFound when no object matches and ErrAmbiguous when several do.
// A full 40-digit id must name an existing object.
func (db *DB) ResolvePrefix(hexPrefix string) (ID, error) {
	var zero ID
	n := len(hexPrefix)
	if n < 4 || n > 40 {
		return zero, fmt.Errorf("object id prefix %q: want 4 to 40 hex digits", hexPrefix)
	}
	lower := strings.ToLower(hexPrefix)
	for i := 0; i < n; i++ {
		c := lower[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return zero, fmt.Errorf("object id prefix %q: not hex", hexPrefix)
		}
	}
	if db.isClosed.Load() {
		return zero, ErrClosed
	}
	// lo is the prefix padded with zeros: the smallest id it can match.
	var lo ID
	padded := lower + strings.Repeat("0", 40-n)
	if _, err := hex.Decode(lo[:], []byte(padded)); err != nil {
		return zero, fmt.Errorf("object id prefix %q: not hex", hexPrefix)
	}
	var found []ID
	add := func(id ID) {
		for _, f := range found {
			if f == id {
				return
			}
		}
		found = append(found, id)
	}
	for attempt := 0; attempt < 2; attempt++ {
		for _, p := range *db.packs.Load() {
			p.collectPrefix(&lo, n, add, 2)
		}
		for _, dir := range db.objDirs {
			collectLoosePrefix(dir, lower, add)
		}
		if len(found) > 0 || attempt == 1 || !db.refresh() {
			break
		}
	}
	switch len(found) {
	case 0:
		return zero, fmt.Errorf("object id prefix %s: %w", lower, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return zero, fmt.Errorf("object id prefix %s: %w: matches %s, %s ...", lower, ErrAmbiguous, found[0], found[1])
}

// matchesPrefix reports whether name starts with the first nibbles hex
// digits of lo.
func matchesPrefix(name []byte, lo *ID, nibbles int) bool {
	full := nibbles / 2
	if !bytes.Equal(name[:full], lo[:full]) {
		return false
	}
	if nibbles%2 == 1 && name[full]&0xf0 != lo[full] {
		return false
	}
	return true
}

// collectPrefix calls add for up to limit ids of p matching the prefix.
func (p *pack) collectPrefix(lo *ID, nibbles int, add func(ID), limit int) {
	start := 0
	if lo[0] > 0 {
		start = int(p.fanout[lo[0]-1])
	}
	end := int(p.fanout[lo[0]])
	i := sort.Search(end-start, func(k int) bool {
		return bytes.Compare(p.nameAt(start+k), lo[:]) >= 0
	}) + start
	for ; i < end && limit > 0; i++ {
		name := p.nameAt(i)
		if !matchesPrefix(name, lo, nibbles) {
			break
		}
		var id ID
		copy(id[:], name)
		add(id)
		limit--
	}
}

// collectLoosePrefix calls add for loose objects of dir matching prefix
// (lowercase hex, at least 2 digits).
func collectLoosePrefix(dir, prefix string, add func(ID)) {
	ents, err := os.ReadDir(filepath.Join(dir, prefix[:2]))
	if err != nil {
		return
	}
	rest := prefix[2:]
	for _, e := range ents {
		name := e.Name()
		if len(name) != 38 || !strings.HasPrefix(name, rest) {
			continue
		}
		if id, err := ParseID(prefix[:2] + name); err == nil {
			add(id)
		}
	}
}

// PackedBytes returns the total size of the pack files open now, a measure
// of how much data a history holds (callers size caches by it).
func (db *DB) PackedBytes() int64 {
	var n int64
	if packs := db.packs.Load(); packs != nil {
		for _, p := range *packs {
			n += int64(len(p.data))
		}
	}
	return n
}

// ObjectDirs returns the objects directories the DB reads, the
// repository's own first, then its alternates in git's order (depth
// first, as named). The slice must not be modified.
func (db *DB) ObjectDirs() []string { return db.objDirs }
