package walker

import (
	"fmt"
	"runtime"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/pool"
)

// ReaderPool is a bounded pool of object readers of one Repo, sharing one
// cache of inflated delta bases. A walk makes its own unless Options.Readers
// names one: walks of the same Repo running at once then share the readers
// and the cache, and at most the pool's size of their workers read objects
// at any moment (a worker takes a reader for one commit at a time and waits
// when none is idle). Safe for concurrent use. The caller closes it once the
// walks that use it have returned.
type ReaderPool struct {
	repo   *Repo
	p      *pool.Pool[*odb.Reader]
	cache  *odb.SharedCache
	bound  int64 // the delta-base cache's bound
	region int64 // and the size of its region
}

// NewReaderPool returns a pool of n readers of r (n <= 0: GOMAXPROCS), all
// made at once, whose delta-base cache holds cacheBytes (0: what a walk
// gives its own: twice the repository's packed bytes up to 64 MiB, a
// quarter of them beyond, within 16 to 128 MiB).
func (r *Repo) NewReaderPool(n int, cacheBytes int64) (*ReaderPool, error) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return r.newReaders(n, cacheBytes)
}

// newReaders makes the pool of n readers a walk uses, with the delta-base
// cache they share.
func (r *Repo) newReaders(n int, cacheBytes int64) (*ReaderPool, error) {
	if cacheBytes <= 0 {
		cacheBytes = r.defaultCacheBytes()
	}
	shared := odb.NewSharedCache(cacheBytes)
	p, err := pool.New(pool.Config{MaxInstances: n, WarmCount: n},
		func() (*odb.Reader, error) { return r.db.NewReaderShared(shared), nil })
	if err != nil {
		shared.Close()
		return nil, fmt.Errorf("object readers: %w", err)
	}
	return &ReaderPool{repo: r, p: p, cache: shared, bound: cacheBytes, region: shared.RegionBytes()}, nil
}

// Metrics returns the pool's counters: acquires by every walk that used it.
func (p *ReaderPool) Metrics() pool.Metrics { return p.p.Metrics() }

// Close closes the pool and frees its delta-base cache (the memory goes
// once the readers still reading have given their buffers back). Walks
// still using it fail with pool.ErrClosed.
func (p *ReaderPool) Close() error {
	err := p.p.Close()
	p.cache.Close()
	return err
}
