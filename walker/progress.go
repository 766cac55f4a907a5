package walker

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// lookahead runs a revision walk to its end on a goroutine of its own, so
// the number of commits is known while the workers are still busy with the
// first ones. It holds one pointer per chosen commit not yet taken (the
// commits' nodes are in the walk's graph already).
type lookahead struct {
	mu    sync.Mutex
	nodes []*revwalk.Commit
	head  int
	ended bool
	err   error
	more  chan struct{} // a token when nodes grew or the walk ended
	done  chan struct{} // closed when the goroutine has returned
	total atomic.Int64  // commits chosen: -1 until the walk has ended
}

// startLookahead starts walking rw with next until it ends, fails or ctx is
// done. Nothing else may use rw afterwards.
func startLookahead(ctx context.Context, next func() (*revwalk.Commit, error)) *lookahead {
	la := &lookahead{more: make(chan struct{}, 1), done: make(chan struct{})}
	la.total.Store(-1)
	go func() {
		defer close(la.done)
		n := 0
		for {
			node, err := next()
			if err == nil && node != nil && ctx.Err() != nil {
				err = ctx.Err()
			}
			la.mu.Lock()
			if node != nil && err == nil {
				la.nodes = append(la.nodes, node)
				n++
			} else {
				la.ended, la.err = true, err
			}
			ended := la.ended
			la.mu.Unlock()
			if ended && err == nil {
				la.total.Store(int64(n))
			}
			select {
			case la.more <- struct{}{}:
			default:
			}
			if ended {
				return
			}
		}
	}()
	return la
}

// next returns the walk's next commit as rw.Next would, waiting for the
// goroutine when it is not that far yet.
func (la *lookahead) next(ctx context.Context) (*revwalk.Commit, error) {
	for {
		la.mu.Lock()
		if la.head < len(la.nodes) {
			n := la.nodes[la.head]
			la.nodes[la.head] = nil
			la.head++
			la.mu.Unlock()
			return n, nil
		}
		ended, err := la.ended, la.err
		la.mu.Unlock()
		if ended {
			return nil, err
		}
		select {
		case <-la.more:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// progress reports a walk's progress to Options.Progress, throttled by a
// ticker: between ticks the walk pays one atomic add per commit (parallel
// walks) or one channel poll (ordered walks).
type progress struct {
	fn     func(done, total int)
	la     *lookahead
	done   atomic.Int64 // commits given to WalkParallel's callbacks
	ticker *time.Ticker
}

func newProgress(fn func(done, total int), la *lookahead) *progress {
	return &progress{fn: fn, la: la, ticker: time.NewTicker(ProgressInterval)}
}

func (p *progress) report(done int) { p.fn(done, int(p.la.total.Load())) }

// poll reports done if a tick is due; it does not block.
func (p *progress) poll(done int) {
	select {
	case <-p.ticker.C:
		p.report(done)
	default:
	}
}

func (p *progress) stop() { p.ticker.Stop() }
