package walker

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// A walk's order is a function of its tips, its options and the commits'
// parents and dates, which never change for a commit id. A walk that may
// be replayed (Options.Replay, see replayable) and goes to its end keeps
// the commits it handed out, in order, with their dates and parents, in
// the store (a memo of the repository); the next walk from the same tips
// with the same options hands them out from there without walking: on
// git/git the revision walk, on its one goroutine, bound a warm churn
// (shuffled rounds: 118.8 ms walked, 82.3 ms replayed).
//
// One replay is kept per repository and per merge policy (its memo's
// name), with the walk's tips as the key inside it (the other options are
// those replayable allows): a walk from other tips walks, and keeps its
// own in its place.

// replayVersion names how a replayed walk is decided: the order of
// internal/revwalk's date-order walk, which walks may be replayed and what
// a replay holds. Bump it with any change to them, so that a replay kept
// by an older gitwalk is not handed out as this one's order;
// TestReplayVersionNamesTheWalksSources fails until then.
const replayVersion = 2

// replayable says whether a walk of tips with opts, limited to paths or
// not, may be replayed or kept for replaying: one that meets every
// commit of its closures in git log's default order, with no path
// limiting (which rewrites parents), no skip, no date limit, no shallow
// file (which cuts parents).
func replayable(tips []revwalk.Tip, opts Options, limited, shallow bool) bool {
	return opts.Replay && !limited && !shallow && meetsAll(tips, opts) &&
		!opts.TopoOrder && !opts.Reverse && opts.Skip == 0 && opts.Until.IsZero()
}

// replayName is the memo a replay of a walk with opts is kept under.
func replayName(opts Options) string {
	return fmt.Sprintf("walk order version=%d graph=%d merges=%v", replayVersion, graphVersion, !opts.NoMerges)
}

// replayKey names the walk a replay is of: its tips, in the order given.
func replayKey(tips []revwalk.Tip) [32]byte {
	h := sha256.New()
	for _, t := range tips {
		h.Write(t.ID[:])
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// A replay's bytes: the key, the commit count, then per commit its id, its
// date (uvarint), its parent count (one byte) and its parents' ids.

// replayRecorder gathers the commits a walk hands out.
type replayRecorder struct {
	key [32]byte
	n   int
	buf []byte
	bad bool // a commit with more than 255 parents: not kept
}

func newReplayRecorder(key [32]byte) *replayRecorder {
	return &replayRecorder{key: key}
}

func (r *replayRecorder) add(c *revwalk.Commit) {
	if len(c.Parents) > 255 {
		r.bad = true
		return
	}
	r.n++
	r.buf = append(r.buf, c.ID[:]...)
	r.buf = binary.AppendUvarint(r.buf, c.Date)
	r.buf = append(r.buf, byte(len(c.Parents)))
	for _, p := range c.Parents {
		r.buf = append(r.buf, p[:]...)
	}
}

// bytes is the replay to keep, nil when it cannot be kept.
func (r *replayRecorder) bytes() []byte {
	if r.bad {
		return nil
	}
	out := make([]byte, 0, len(r.key)+binary.MaxVarintLen64+len(r.buf))
	out = append(out, r.key[:]...)
	out = binary.AppendUvarint(out, uint64(r.n))
	return append(out, r.buf...)
}

// replay hands out the commits of a kept replay. Its nodes have no parent
// nodes: a unit that computes one reads its first parent's tree itself
// (unit.compute).
type replay struct {
	data    []byte
	n, at   int
	nodes   []revwalk.Commit // a slab the next nodes come from
	parents []odb.ID         // a slab the next parent lists come from
}

// openReplay returns the replay in data when it is of the walk key names
// and reads whole, else nil: a damaged or foreign replay is not used (the
// store's checksum has passed, so that is a bug, or another version).
func openReplay(data []byte, key [32]byte) *replay {
	if len(data) < len(key) || [32]byte(data[:len(key)]) != key {
		return nil
	}
	data = data[len(key):]
	n, k := binary.Uvarint(data)
	if k <= 0 || n > uint64(len(data))/22 {
		return nil
	}
	data = data[k:]
	// Check it whole before handing out anything.
	rest := data
	for range n {
		if len(rest) < 20 {
			return nil
		}
		if _, k := binary.Uvarint(rest[20:]); k <= 0 {
			return nil
		} else {
			rest = rest[20+k:]
		}
		if len(rest) < 1 || len(rest)-1 < 20*int(rest[0]) {
			return nil
		}
		rest = rest[1+20*int(rest[0]):]
	}
	if len(rest) != 0 {
		return nil
	}
	return &replay{data: data, n: int(n)}
}

// next is the next commit, nil after the last.
func (r *replay) next() *revwalk.Commit {
	if r.at == r.n {
		return nil
	}
	r.at++
	if len(r.nodes) == 0 {
		r.nodes = make([]revwalk.Commit, min(r.n-r.at+1, 1024))
	}
	c := &r.nodes[0]
	r.nodes = r.nodes[1:]
	copy(c.ID[:], r.data)
	date, k := binary.Uvarint(r.data[20:])
	c.Date = date
	r.data = r.data[20+k:]
	np := int(r.data[0])
	r.data = r.data[1:]
	if np > 0 {
		if cap(r.parents)-len(r.parents) < np {
			r.parents = make([]odb.ID, 0, max(np, 2048))
		}
		start := len(r.parents)
		for i := 0; i < np; i++ {
			r.parents = append(r.parents, odb.ID(r.data[i*20:i*20+20]))
		}
		c.Parents = r.parents[start:len(r.parents):len(r.parents)]
		r.data = r.data[20*np:]
	}
	return c
}
