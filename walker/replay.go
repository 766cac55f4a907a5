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
// TestReplayVersionNamesTheWalksSources fails until then. Version 3 keeps
// the tips' own tree, date and parents; version 4 walks with --min-parents
// or --max-parents (not replayed) beside the same replays.
const replayVersion = 5

// replayable says whether a walk of tips with opts, limited to paths or
// not, may be replayed or kept for replaying: one that meets every
// commit of its closures in git log's default order, with no path
// limiting (which rewrites parents), no skip, no date limit, no shallow
// file (which cuts parents).
func replayable(tips []revwalk.Tip, opts Options, limited, shallow bool) bool {
	return mayReplay(opts, limited, shallow) && meetsAll(tips, opts)
}

// mayReplay is replayable before the tips are known: all it asks but
// that no tip is excluded.
func mayReplay(opts Options, limited, shallow bool) bool {
	return opts.Replay && !limited && !shallow && meetsAllOpts(opts) &&
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

// A replay's bytes: the key; the tip count, then per tip its id, tree,
// date (uvarint), parent count (one byte) and parents' ids; the commit
// count, then per commit its id, its date (uvarint), its parent count
// (one byte) and its parents' ids.
//
// The tips' own entries let the next walk resolve its revisions without
// the graph closure its tip anchors (see graphSource.deferTips): reading
// and checking git/git's 6.6 MB closure, which a replayed walk needs for
// nothing else, took 3.6 to 6.3 ms of a warm run's serial start.

// replayRecorder gathers the commits a walk pops (revwalk's OnPop), for
// the replay: those it did not hand out (merges under --no-merges) are
// kept too, marked, so that a replay can keep the walk's checkpoint
// (Options.Resume) as the walk would have.
type replayRecorder struct {
	key    [32]byte
	tips   []byte // the tips' entries
	nt     int
	popped []*revwalk.Commit
	bad    bool // a commit with more than 127 parents: not kept
	// shown says whether the walk handed a commit out ((*revwalk.Commit).Shown).
	shown func(*revwalk.Commit) bool
}

// newReplayRecorder gathers the walk of tips (parsed nodes), whose key is
// key.
func newReplayRecorder(key [32]byte, tips []*revwalk.Commit) *replayRecorder {
	r := &replayRecorder{key: key, nt: len(tips), shown: (*revwalk.Commit).Shown}
	for _, t := range tips {
		if len(t.Parents) > 255 {
			r.bad = true
			break
		}
		r.tips = append(r.tips, t.ID[:]...)
		r.tips = append(r.tips, t.Tree[:]...)
		r.tips = appendDateParents(r.tips, t)
	}
	return r
}

// appendDateParents appends c's date and parents as a replay holds them
// (c has 255 parents at most).
func appendDateParents(b []byte, c *revwalk.Commit) []byte {
	b = binary.AppendUvarint(b, c.Date)
	b = append(b, byte(len(c.Parents)))
	for _, p := range c.Parents {
		b = append(b, p[:]...)
	}
	return b
}

// pop notes a commit the walk popped.
func (r *replayRecorder) pop(c *revwalk.Commit) {
	if len(c.Parents) > maxReplayParents {
		r.bad = true
		return
	}
	r.popped = append(r.popped, c)
}

// maxReplayParents is the most parents a commit of a replay has: the
// parent count's top bit marks a commit popped but not handed out.
const (
	maxReplayParents = 127
	replayHidden     = 0x80
)

// bytes is the replay to keep, nil when it cannot be kept. Call it once
// the walk is over: whether each commit was handed out is known then.
func (r *replayRecorder) bytes() []byte {
	if r.bad {
		return nil
	}
	out := make([]byte, 0, len(r.key)+2*binary.MaxVarintLen64+len(r.tips)+len(r.popped)*40)
	out = append(out, r.key[:]...)
	out = binary.AppendUvarint(out, uint64(r.nt))
	out = append(out, r.tips...)
	out = binary.AppendUvarint(out, uint64(len(r.popped)))
	for _, c := range r.popped {
		out = append(out, c.ID[:]...)
		out = binary.AppendUvarint(out, c.Date)
		np := byte(len(c.Parents))
		if !r.shown(c) {
			np |= replayHidden
		}
		out = append(out, np)
		for _, p := range c.Parents {
			out = append(out, p[:]...)
		}
	}
	return out
}

// replayTip is a tip's entry in a replay.
type replayTip struct {
	id   Hash
	info odb.CommitInfo
}

// readReplayHead reads a replay's key and tips, and returns the rest of
// its bytes (from the commit count on); ok is false when they do not
// read whole.
func readReplayHead(data []byte) (key [32]byte, tips []replayTip, rest []byte, ok bool) {
	if len(data) < len(key) {
		return key, nil, nil, false
	}
	key = [32]byte(data[:len(key)])
	data = data[len(key):]
	nt, k := binary.Uvarint(data)
	if k <= 0 || nt > uint64(len(data))/41 {
		return key, nil, nil, false
	}
	data = data[k:]
	tips = make([]replayTip, nt)
	for i := range tips {
		t := &tips[i]
		if len(data) < 40 {
			return key, nil, nil, false
		}
		t.id, t.info.Tree = Hash(data[:20]), Hash(data[20:40])
		date, k := binary.Uvarint(data[40:])
		if k <= 0 || len(data) < 40+k+1 {
			return key, nil, nil, false
		}
		t.info.Date = date
		data = data[40+k:]
		np := int(data[0])
		if len(data)-1 < 20*np {
			return key, nil, nil, false
		}
		for p := range np {
			t.info.Parents = append(t.info.Parents, Hash(data[1+20*p:21+20*p]))
		}
		data = data[1+20*np:]
	}
	return key, tips, data, true
}

// replay hands out the commits of a kept replay. Its nodes have no parent
// nodes: a unit that computes one reads its first parent's tree itself
// (unit.compute).
type replay struct {
	data    []byte
	n, at   int              // commits popped (handed out or not), and read
	keep    *revwalk.Keeper  // the checkpoint kept along, when asked (Options.Resume)
	hidden  int              // commits read that were not handed out
	nodes   []revwalk.Commit // a slab the next nodes come from
	parents []odb.ID         // a slab the next parent lists come from
}

// openReplay returns the replay in data when it is of the walk key names
// and reads whole, else nil: a damaged or foreign replay is not used (the
// store's checksum has passed, so that is a bug, or another version).
func openReplay(data []byte, key [32]byte) *replay {
	kept, _, data, ok := readReplayHead(data)
	if !ok || kept != key {
		return nil
	}
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
		if len(rest) < 1 || len(rest)-1 < 20*int(rest[0]&^replayHidden) {
			return nil
		}
		rest = rest[1+20*int(rest[0]&^replayHidden):]
	}
	if len(rest) != 0 {
		return nil
	}
	return &replay{data: data, n: int(n)}
}

// next is the next commit handed out, nil after the last; the commits
// popped but not handed out are passed over (to keep, when one is asked
// for, the walk's checkpoint).
func (r *replay) next() *revwalk.Commit {
	for {
		if r.at == r.n {
			return nil
		}
		r.at++
		if len(r.nodes) == 0 {
			r.nodes = make([]revwalk.Commit, min(r.n-r.at+1, 1024))
		}
		c := &r.nodes[0]
		copy(c.ID[:], r.data)
		date, k := binary.Uvarint(r.data[20:])
		c.Date = date
		r.data = r.data[20+k:]
		np, hidden := int(r.data[0]&^replayHidden), r.data[0]&replayHidden != 0
		r.data = r.data[1:]
		if r.keep != nil {
			r.keep.Pop(c.ID, c.Date)
		}
		if hidden {
			r.data = r.data[20*np:]
			r.hidden++
			continue
		}
		r.nodes = r.nodes[1:]
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
		if r.keep != nil {
			r.keep.Mark(c)
		}
		return c
	}
}
