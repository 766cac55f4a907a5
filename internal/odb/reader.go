package odb

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/gitwalk/gitwalk/arena"
)

const (
	// DefaultCacheLimit is the default byte bound of a Reader's cache of
	// delta bases: 96 MiB, git's default core.deltaBaseCacheLimit. Each
	// Reader may hold up to this much plus a quarter of it in recycled
	// buffers; lower it with SetCacheLimit when running many Readers.
	DefaultCacheLimit = 96 << 20

	// maxDeltaDepth bounds a delta chain; git's own packs stay far below
	// (pack.depth is at most 4095), so a longer chain is a loop of
	// ref-deltas or a corrupt pack.
	maxDeltaDepth = 10000

	// maxObjectSize bounds the size of any object this package will
	// allocate, so that a corrupt size field gives an error instead of
	// exhausting memory.
	maxObjectSize = 1 << 36

	// maxDeflateRatio is the largest expansion deflate allows (about
	// 1032:1); a declared size beyond it cannot come from the data there.
	maxDeflateRatio = 1040
)

// Stats counts what a Reader did since it was made.
type Stats struct {
	Objects       int64 // objects read successfully by Read
	Packed        int64 // of which from packs
	Loose         int64 // of which loose
	DeltasApplied int64 // deltas applied (one per link of each chain)
	CacheHits     int64 // delta bases found in the cache
	CacheMisses   int64 // delta bases inflated or rebuilt
	CacheBytes    int64 // bytes held by the delta-base cache now
	HeapFallbacks int64 // objects placed on the Go heap because the arena was full
	HeapBases     int64 // delta bases placed on the Go heap because the shared cache's region had no room
	InflatedBytes int64 // bytes produced by zlib
}

// Reader reads objects from a DB. It holds per-reader state (a zlib
// inflater, buffers, a bounded cache of delta bases), so it is NOT safe
// for concurrent use: use one Reader per goroutine. It must not be used
// after its DB is closed.
type Reader struct {
	db     *DB
	inf    inflater      // for pack entries: whole input, known size
	zr     io.ReadCloser // for loose objects, reused through zlib.Resetter
	src    bytes.Reader
	one    [1]byte
	hdr    [64]byte
	hint   int // position of the pack that answered last
	chain  []chainLink
	delta  []byte // inflated delta data, reused
	loose  []byte // loose object file bytes, reused
	cache  deltaCache
	shared *SharedCache // when set, delta bases are cached there instead
	stats  Stats
	limit  int64 // ReadMax's bound on the object's size; 0 = none

	touched int64 // bytes of pack pages touched, not yet handed to db
}

// chainLink is one delta of a chain being resolved.
type chainLink struct {
	p   *pack
	off int64
	h   entryHeader
}

// NewReader returns a new Reader of db with a delta-base cache of
// DefaultCacheLimit bytes.
func (db *DB) NewReader() *Reader {
	r := &Reader{db: db}
	r.cache.init(DefaultCacheLimit)
	return r
}

// NewReaderShared returns a new Reader of db that caches delta bases in
// c, shared with the other Readers given c, instead of a cache of its own.
func (db *DB) NewReaderShared(c *SharedCache) *Reader {
	r := db.NewReader()
	r.cache.setLimit(0)
	r.shared = c
	return r
}

// cacheGet looks up a cached object by its pack entry. A found entry is
// pinned: its data must not be used after cacheRelease(e).
func (r *Reader) cacheGet(p *pack, off int64) *cacheEntry {
	if r.shared != nil {
		return r.shared.get(p, off)
	}
	return r.cache.get(p, off)
}

// cacheRelease unpins an entry cacheGet returned.
func (r *Reader) cacheRelease(e *cacheEntry) {
	if r.shared != nil {
		r.shared.release(e)
		return
	}
	r.cache.release(e)
}

// cacheAdd hands data, which the reader no longer uses, to the cache.
func (r *Reader) cacheAdd(key cacheKey, data []byte, typ Type) {
	if r.shared != nil {
		r.shared.add(key, data, typ)
		return
	}
	r.cache.add(key, data, typ)
}

// cacheBuf returns a buffer of n bytes for a base bound for the cache,
// recycled from the cache's evicted bases when one of its size is free.
func (r *Reader) cacheBuf(n int64) []byte {
	if r.shared != nil {
		b, onHeap := r.shared.getBuf(n)
		if onHeap {
			r.stats.HeapBases++
		}
		return b
	}
	return r.cache.getBuf(n)
}

// cacheFree gives back a buffer cacheBuf returned that the reader will
// not cache (it is abandoning a read): a region's buffer must go back to
// it, so that the region is not lost to it and can be unmapped.
func (r *Reader) cacheFree(b []byte) {
	if r.shared != nil {
		r.shared.putFree(b)
		return
	}
	r.cache.putFree(b)
}

// SetCacheLimit sets the byte bound of the reader's delta-base cache,
// evicting entries as needed. A limit <= 0 disables the cache.
func (r *Reader) SetCacheLimit(limit int64) {
	r.cache.setLimit(limit)
	r.stats.CacheBytes = r.cache.used
}

// Stats returns the reader's counters.
func (r *Reader) Stats() Stats {
	s := r.stats
	s.CacheBytes = r.cache.used
	return s
}

// ErrTooLarge is matched by the error of ReadMax for an object larger than
// its bound; the error names the object and its size.
var ErrTooLarge = errors.New("object larger than the limit")

// ReadMax is Read for an object that is not wanted when larger than max
// bytes: it fails with an error matching ErrTooLarge, decided from the
// size the object declares before its content is inflated (for a whole
// pack entry or a loose object) or before its last delta is applied.
func (r *Reader) ReadMax(id ID, a *arena.Arena, max int64) (Type, []byte, error) {
	r.limit = max
	defer func() { r.limit = 0 }()
	return r.Read(id, a)
}

func (r *Reader) tooLarge(id ID, size int64) error {
	return fmt.Errorf("object %s: %d bytes: %w of %d", id, size, ErrTooLarge, r.limit)
}

// errLooseMissing means no loose file exists for the object.
var errLooseMissing = errors.New("no loose object")

// Read returns the type and content of the object id. When a is not nil
// the content is placed in arena memory and is valid until a is reset or
// given back; when a is nil, or full (counted in Stats().HeapFallbacks),
// it is on the Go heap. A missing object gives an error matching
// ErrNotFound; a damaged one an error matching ErrCorrupt that names the
// object and the pack or loose file.
func (r *Reader) Read(id ID, a *arena.Arena) (Type, []byte, error) {
	if r.db.isClosed.Load() {
		return BadType, nil, ErrClosed
	}
	for attempt := 0; ; attempt++ {
		p, i, k := r.db.findPacked(&id, r.hint)
		if p != nil {
			r.hint = k
			t, data, err := r.readPacked(id, p, i, a)
			if err == nil {
				r.stats.Objects++
				r.stats.Packed++
			}
			return t, data, err
		}
		t, data, err := r.readLoose(id, a)
		if err == nil {
			r.stats.Objects++
			r.stats.Loose++
			return t, data, nil
		}
		if !errors.Is(err, errLooseMissing) {
			return BadType, nil, err
		}
		if attempt > 0 || !r.db.refresh() {
			return BadType, nil, r.db.notFoundErr(id)
		}
	}
}

// ReadHeader returns the type and size of the object id without reading
// all of its content (a delta's size is read from the delta's start).
func (r *Reader) ReadHeader(id ID) (Type, int64, error) {
	if r.db.isClosed.Load() {
		return BadType, 0, ErrClosed
	}
	for attempt := 0; ; attempt++ {
		p, i, k := r.db.findPacked(&id, r.hint)
		if p != nil {
			r.hint = k
			return r.packedHeader(id, p, i)
		}
		t, size, err := r.looseHeader(id)
		if !errors.Is(err, errLooseMissing) {
			return t, size, err
		}
		if attempt > 0 || !r.db.refresh() {
			return BadType, 0, r.db.notFoundErr(id)
		}
	}
}

// alloc returns n bytes for an object's content: in a when possible.
func (r *Reader) alloc(a *arena.Arena, n int64) ([]byte, error) {
	if n < 0 || n > maxObjectSize {
		return nil, fmt.Errorf("object size %d out of range", n)
	}
	if a != nil {
		b, err := arena.MakeUninit[byte](a, int(n))
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, arena.ErrExhausted) {
			return nil, err
		}
		r.stats.HeapFallbacks++
	}
	return make([]byte, n), nil
}

// resetInflater points the reused zlib reader at src.
func (r *Reader) resetInflater(src []byte) error {
	r.src.Reset(src)
	if r.zr == nil {
		zr, err := zlib.NewReader(&r.src)
		if err != nil {
			return err // compress/zlib's errors say "zlib: ..."
		}
		r.zr = zr
		return nil
	}
	if err := r.zr.(zlib.Resetter).Reset(&r.src, nil); err != nil {
		return err
	}
	return nil
}

// inflate decompresses the zlib stream at the start of src, which is the
// pack data from offset off, into dst, which must be exactly the declared
// size: a stream that ends early, runs longer or fails its checksum is an
// error. The pages the stream spans count towards the DB's mapped limit.
func (r *Reader) inflate(src, dst []byte, off int64) error {
	n, err := r.inf.inflate(dst, src)
	if err != nil {
		return err
	}
	r.stats.InflatedBytes += int64(len(dst))
	r.noteMapped(off, n)
	return nil
}

// noteMapped counts the pages of pack data [off, off+n) as touched. The
// count is kept per reader and handed to the DB a mebibyte at a time, so
// that readers do not contend on it for every object.
func (r *Reader) noteMapped(off int64, n int) {
	ps := int64(pageSize)
	r.touched += ((off+int64(n)-1)/ps - off/ps + 1) * ps
	if r.touched >= 1<<20 {
		r.db.noteMapped(r.touched)
		r.touched = 0
	}
}

// expectEnd reads the end of the current zlib stream, which verifies its
// checksum, and fails if it holds more data.
func (r *Reader) expectEnd(declared int) error {
	for {
		n, err := r.zr.Read(r.one[:])
		if n > 0 {
			return fmt.Errorf("zlib data longer than the declared %d bytes", declared)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("zlib: %w", err)
		}
	}
}

// entryData returns the compressed bytes available for an entry whose
// zlib stream starts at off, and checks that size can come from them.
func entryData(p *pack, off, size int64) ([]byte, error) {
	end := int64(len(p.data) - packTrailerLen)
	if off >= end {
		return nil, fmt.Errorf("entry data at %d outside the pack", off)
	}
	if size > maxObjectSize || size > (end-off)*maxDeflateRatio+64 {
		return nil, fmt.Errorf("declared size %d cannot come from %d bytes of zlib data", size, end-off)
	}
	return p.data[off:end], nil
}

// readPacked reads the object at index position i of p. The content it
// returns is the caller's (from r.alloc): cache buffers, which may be
// region memory unmapped when the cache is closed, never leave it.
func (r *Reader) readPacked(id ID, p *pack, i int, a *arena.Arena) (_ Type, _ []byte, err error) {
	if p.broken != nil {
		return BadType, nil, corruptf(id, p.path, "%v", p.broken)
	}
	off, err := p.offsetAt(i)
	if err != nil {
		return BadType, nil, fmt.Errorf("object %s: %w", id, err)
	}
	// The object itself may be in the cache as the base of another.
	if e := r.cacheGet(p, off); e != nil {
		r.stats.CacheHits++
		typ, dst, err := r.copyCached(id, p, e, a)
		r.cacheRelease(e)
		return typ, dst, err
	}

	// Walk the chain down to a base: a whole object, a cached one, or
	// (for a ref-delta whose base is not packed) a loose one.
	chain := r.chain[:0]
	var pinned *cacheEntry // the cached base in use, released once applied
	var (
		base     []byte
		baseType Type
		baseKey  cacheKey
		fresh    bool   // base is ours, to go into the cache after use
		held     []byte // a cache buffer being filled, not yet base
	)
	defer func() {
		r.chain = chain[:0]
		if pinned != nil {
			r.cacheRelease(pinned)
		}
		if err != nil {
			// The buffers taken from the cache go back to it.
			if fresh {
				r.cacheFree(base)
			}
			if held != nil {
				r.cacheFree(held)
			}
		}
	}()
	cur, curOff := p, off
	for {
		if len(chain) > 0 {
			if e := r.cacheGet(cur, curOff); e != nil {
				r.stats.CacheHits++
				pinned = e
				base, baseType = e.data, e.typ
				break
			}
		}
		if cur.broken != nil {
			return BadType, nil, corruptf(id, cur.path, "%v", cur.broken)
		}
		h, err := parseEntryHeader(cur.data, curOff)
		if err != nil {
			return BadType, nil, corruptf(id, cur.path, "%v", err)
		}
		if h.typ <= packTag {
			src, err := entryData(cur, h.dataOff, h.size)
			if err != nil {
				return BadType, nil, corruptf(id, cur.path, "entry at offset %d: %v", curOff, err)
			}
			var dst []byte
			if len(chain) == 0 {
				if r.limit > 0 && h.size > r.limit {
					return BadType, nil, r.tooLarge(id, h.size)
				}
				dst, err = r.alloc(a, h.size)
			} else {
				dst = r.cacheBuf(h.size)
				held = dst
				r.stats.CacheMisses++
			}
			if err != nil {
				return BadType, nil, corruptf(id, cur.path, "%v", err)
			}
			if err := r.inflate(src, dst, h.dataOff); err != nil {
				return BadType, nil, corruptf(id, cur.path, "entry at offset %d: %v", curOff, err)
			}
			if len(chain) == 0 {
				return Type(h.typ), dst, nil
			}
			base, baseType = dst, Type(h.typ)
			baseKey, fresh, held = cacheKey{cur, curOff}, true, nil
			break
		}
		if len(chain) >= maxDeltaDepth {
			return BadType, nil, corruptf(id, p.path, "delta chain longer than %d (a loop of ref-deltas?)", maxDeltaDepth)
		}
		chain = append(chain, chainLink{cur, curOff, h})
		if h.typ == packOfsDelta {
			curOff = h.baseOff
			continue
		}
		bp, bi, _ := r.db.findPacked(&h.baseID, -1)
		if bp != nil {
			boff, err := bp.offsetAt(bi)
			if err != nil {
				return BadType, nil, fmt.Errorf("object %s: delta base %s: %w", id, h.baseID, err)
			}
			cur, curOff = bp, boff
			continue
		}
		t, data, err := r.readLoose(h.baseID, nil)
		if errors.Is(err, errLooseMissing) {
			return BadType, nil, fmt.Errorf("object %s in %s: delta base %s: %w", id, cur.path, h.baseID, ErrNotFound)
		}
		if err != nil {
			return BadType, nil, fmt.Errorf("object %s: delta base: %w", id, err)
		}
		base, baseType = data, t
		break
	}

	// Apply the deltas from the base up to the object.
	for k := len(chain) - 1; k >= 0; k-- {
		l := chain[k]
		src, err := entryData(l.p, l.h.dataOff, l.h.size)
		if err != nil {
			return BadType, nil, corruptf(id, l.p.path, "delta at offset %d: %v", l.off, err)
		}
		if int64(cap(r.delta)) < l.h.size {
			r.delta = make([]byte, l.h.size)
		}
		d := r.delta[:l.h.size]
		if err := r.inflate(src, d, l.h.dataOff); err != nil {
			return BadType, nil, corruptf(id, l.p.path, "delta at offset %d: %v", l.off, err)
		}
		srcSize, dstSize, ops, err := deltaSizes(d)
		if err != nil {
			return BadType, nil, corruptf(id, l.p.path, "delta at offset %d: %v", l.off, err)
		}
		if srcSize != int64(len(base)) {
			return BadType, nil, corruptf(id, l.p.path, "delta at offset %d: for a base of %d bytes, base has %d", l.off, srcSize, len(base))
		}
		// Check the instructions before allocating what they declare.
		if made, err := deltaResultSize(ops, len(base)); err != nil || made != dstSize || dstSize > maxObjectSize {
			if err == nil {
				err = fmt.Errorf("%w: makes %d bytes, declares %d", errBadDelta, made, dstSize)
			}
			return BadType, nil, corruptf(id, l.p.path, "delta at offset %d: %v", l.off, err)
		}
		var out []byte
		if k == 0 {
			if r.limit > 0 && dstSize > r.limit {
				return BadType, nil, r.tooLarge(id, dstSize)
			}
			if out, err = r.alloc(a, dstSize); err != nil {
				return BadType, nil, corruptf(id, l.p.path, "%v", err)
			}
		} else {
			out = r.cacheBuf(dstSize)
			held = out
		}
		if err := applyDelta(out, base, ops); err != nil {
			return BadType, nil, corruptf(id, l.p.path, "delta at offset %d: %v", l.off, err)
		}
		r.stats.DeltasApplied++
		if fresh {
			r.cacheAdd(baseKey, base, baseType)
		}
		if pinned != nil {
			r.cacheRelease(pinned)
			pinned = nil
		}
		// The last link's out (k == 0) is the caller's, not the cache's.
		base, fresh, baseKey, held = out, k > 0, cacheKey{l.p, l.off}, nil
	}
	return baseType, base, nil
}

// copyCached copies the object of the pinned cache entry e out.
func (r *Reader) copyCached(id ID, p *pack, e *cacheEntry, a *arena.Arena) (Type, []byte, error) {
	if r.limit > 0 && int64(len(e.data)) > r.limit {
		return BadType, nil, r.tooLarge(id, int64(len(e.data)))
	}
	dst, err := r.alloc(a, int64(len(e.data)))
	if err != nil {
		return BadType, nil, corruptf(id, p.path, "%v", err)
	}
	copy(dst, e.data)
	return e.typ, dst, nil
}

// packedHeader returns the type and size of the object at index position
// i of p.
func (r *Reader) packedHeader(id ID, p *pack, i int) (Type, int64, error) {
	if p.broken != nil {
		return BadType, 0, corruptf(id, p.path, "%v", p.broken)
	}
	off, err := p.offsetAt(i)
	if err != nil {
		return BadType, 0, fmt.Errorf("object %s: %w", id, err)
	}
	if e := r.cacheGet(p, off); e != nil {
		typ, size := e.typ, int64(len(e.data))
		r.cacheRelease(e)
		return typ, size, nil
	}
	h, err := parseEntryHeader(p.data, off)
	if err != nil {
		return BadType, 0, corruptf(id, p.path, "%v", err)
	}
	if h.typ <= packTag {
		return Type(h.typ), h.size, nil
	}
	// The size is the result size at the start of the delta.
	src, err := entryData(p, h.dataOff, h.size)
	if err != nil {
		return BadType, 0, corruptf(id, p.path, "delta at offset %d: %v", off, err)
	}
	if err := r.resetInflater(src); err != nil {
		return BadType, 0, corruptf(id, p.path, "delta at offset %d: %v", off, err)
	}
	n, _ := io.ReadFull(r.zr, r.hdr[:min(int64(len(r.hdr)), h.size)])
	_, size, _, err := deltaSizes(r.hdr[:n])
	if err != nil {
		return BadType, 0, corruptf(id, p.path, "delta at offset %d: %v", off, err)
	}
	// The type is the base's, at the bottom of the chain.
	cur, curOff := p, off
	for depth := 0; ; depth++ {
		if depth > maxDeltaDepth {
			return BadType, 0, corruptf(id, p.path, "delta chain longer than %d (a loop of ref-deltas?)", maxDeltaDepth)
		}
		if e := r.cacheGet(cur, curOff); e != nil {
			typ := e.typ
			r.cacheRelease(e)
			return typ, size, nil
		}
		if cur.broken != nil {
			return BadType, 0, corruptf(id, cur.path, "%v", cur.broken)
		}
		h, err := parseEntryHeader(cur.data, curOff)
		if err != nil {
			return BadType, 0, corruptf(id, cur.path, "%v", err)
		}
		switch h.typ {
		case packOfsDelta:
			curOff = h.baseOff
			continue
		case packRefDelta:
			bp, bi, _ := r.db.findPacked(&h.baseID, -1)
			if bp == nil {
				t, _, err := r.looseHeader(h.baseID)
				if errors.Is(err, errLooseMissing) {
					return BadType, 0, fmt.Errorf("object %s in %s: delta base %s: %w", id, cur.path, h.baseID, ErrNotFound)
				}
				return t, size, err
			}
			if curOff, err = bp.offsetAt(bi); err != nil {
				return BadType, 0, fmt.Errorf("object %s: delta base %s: %w", id, h.baseID, err)
			}
			cur = bp
			continue
		}
		return Type(h.typ), size, nil
	}
}

// looseMapMin is the size from which a loose file is mapped instead of
// read into r.loose: only the pages inflated are then touched (a blob above
// core.bigFileThreshold needs its header alone, as git's loose reading
// does), and the reader keeps no buffer of that size for the rest of its
// life. Measured on a 600 MB blob stored loose (28 MB of zlib): reading it
// whole held 95 MB of RSS for a walk that only needed its size.
const looseMapMin = 1 << 20

// readLooseFile returns the bytes of the loose file of id from the first
// object directory that has it: in r.loose, or mapped when the file is at
// least looseMapMin bytes. The bytes are valid until done is called, which
// the caller must do once it has inflated what it needs.
func (r *Reader) readLooseFile(id ID) (path string, data []byte, done func(), err error) {
	for _, dir := range r.db.objDirs {
		path := loosePath(dir, &id)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return path, nil, nil, fmt.Errorf("object %s: %w", id, err)
		}
		if fi, err := f.Stat(); err == nil && fi.Size() >= looseMapMin {
			data, unmap, err := mapOpen(f)
			f.Close()
			if err != nil {
				return path, nil, nil, fmt.Errorf("object %s: %w", id, err)
			}
			return path, data, func() {
				r.src.Reset(nil) // the inflater must not keep the mapping
				unmap()
			}, nil
		}
		data, err := readAllInto(f, r.loose[:0])
		f.Close()
		if err != nil {
			return path, nil, nil, fmt.Errorf("object %s: read %s: %w", id, path, err)
		}
		r.loose = data
		return path, data, func() {}, nil
	}
	return "", nil, nil, errLooseMissing
}

// readAllInto reads f to its end, appending to buf.
func readAllInto(f *os.File, buf []byte) ([]byte, error) {
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() < maxObjectSize {
		if need := int(fi.Size()) + 1; cap(buf) < need {
			buf = make([]byte, 0, need)
		}
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// looseHeaderOf inflates the start of a loose object and parses its
// "type size\x00" header. It returns the type, the size and the content
// bytes already inflated after the header (in r.hdr).
func (r *Reader) looseHeaderOf(data []byte) (Type, int64, []byte, error) {
	if err := r.resetInflater(data); err != nil {
		return BadType, 0, nil, err
	}
	n, err := io.ReadFull(r.zr, r.hdr[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return BadType, 0, nil, fmt.Errorf("zlib: %w", err)
	}
	t, size, hl, err := parseLooseHeader(r.hdr[:n])
	if err != nil {
		return BadType, 0, nil, err
	}
	return t, size, r.hdr[hl:n], nil
}

// parseLooseHeader parses "type size\x00" and returns the header length.
func parseLooseHeader(b []byte) (Type, int64, int, error) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return BadType, 0, 0, errors.New("bad loose object header")
	}
	t := typeByName(b[:sp])
	if t == BadType {
		return BadType, 0, 0, fmt.Errorf("bad loose object header: type %q", b[:sp])
	}
	var size int64
	i := sp + 1
	start := i
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if size > (maxObjectSize)/10 {
			return BadType, 0, 0, errors.New("bad loose object header: size too large")
		}
		size = size*10 + int64(b[i]-'0')
	}
	if i == start || i >= len(b) || b[i] != 0 || (b[start] == '0' && i-start > 1) {
		return BadType, 0, 0, errors.New("bad loose object header: size")
	}
	return t, size, i + 1, nil
}

// readLoose reads id as a loose object.
func (r *Reader) readLoose(id ID, a *arena.Arena) (Type, []byte, error) {
	path, data, done, err := r.readLooseFile(id)
	if err != nil {
		return BadType, nil, err
	}
	defer done()
	t, size, got, err := r.looseHeaderOf(data)
	if err != nil {
		return BadType, nil, corruptf(id, path, "%v", err)
	}
	if int64(len(got)) > size {
		return BadType, nil, corruptf(id, path, "zlib data longer than the declared %d bytes", size)
	}
	if r.limit > 0 && size > r.limit {
		return BadType, nil, r.tooLarge(id, size)
	}
	if size > int64(len(data))*maxDeflateRatio+64 {
		return BadType, nil, corruptf(id, path, "declared size %d cannot come from %d bytes", size, len(data))
	}
	dst, err := r.alloc(a, size)
	if err != nil {
		return BadType, nil, corruptf(id, path, "%v", err)
	}
	copy(dst, got)
	n, err := io.ReadFull(r.zr, dst[len(got):])
	r.stats.InflatedBytes += int64(len(got) + n)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return BadType, nil, corruptf(id, path, "zlib data ends after %d of the declared %d bytes", len(got)+n, size)
		}
		return BadType, nil, corruptf(id, path, "zlib: %v", err)
	}
	if err := r.expectEnd(int(size)); err != nil {
		return BadType, nil, corruptf(id, path, "%v", err)
	}
	return t, dst, nil
}

// looseHeader returns the type and size of id as a loose object.
func (r *Reader) looseHeader(id ID) (Type, int64, error) {
	path, data, done, err := r.readLooseFile(id)
	if err != nil {
		return BadType, 0, err
	}
	defer done()
	t, size, _, err := r.looseHeaderOf(data)
	if err != nil {
		return BadType, 0, corruptf(id, path, "%v", err)
	}
	return t, size, nil
}
