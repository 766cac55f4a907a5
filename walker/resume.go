package walker

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/gitwalk/gitwalk/internal/revwalk"
)

// A walk of one tip in git log's default order splits at any commit
// into the commits popped before it and the rest. When a later walk,
// from a newer tip, has popped the same commits above that commit and
// its queue there holds what the earlier walk's held (revwalk's StopAt
// checks both), its rest is the earlier walk's rest. So what a caller
// computed from the rest of an earlier walk (the analyses' states, say)
// stands for the rest of a later one: a nightly run after ten new
// commits walks those ten and the commits above the checkpoint, not the
// whole history. The checkpoint is chosen old enough that the branches
// merged since are usually based above it (half a year: go-git's last ten
// commits merge branches begun three months before). Options.Resume asks
// for that; the caller keeps its own results beside the walk's Mark.

// Mark is a walk's checkpoint, for a later walk to resume from: the
// commit, the ids popped above it and the first ones from it on, the
// newest committer date from it on, and the key of the walk's settings
// (the store's fingerprint and the options that choose and diff its
// commits).
type Mark struct {
	at       Hash
	above    []Hash
	order    []Hash
	maxAfter uint64
	key      [32]byte
}

// IsZero says whether m marks nothing.
func (m Mark) IsZero() bool { return m.at == Hash{} }

// Above is how many commits the walk popped above the checkpoint.
func (m Mark) Above() int { return len(m.above) }

// Resume is Options.Resume: From is the walk to resume from (zero: none);
// the walk sets the rest.
type Resume struct {
	From Mark
	// Stopped says that the walk ended at From's checkpoint under the
	// same settings: the commits it did not hand out are the rest of the
	// walk From marks.
	Stopped bool
	// End is this walk's mark, when EndOK: a walk of one tip in the
	// default order (no path, count, skip or date limit, no shallow file)
	// that went to its end or stopped at From, without error, and met a
	// commit old enough for a checkpoint. A walk that stopped keeps From's
	// checkpoint with its own commits above it.
	End   Mark
	EndOK bool
	// cpSeq is one more than the Seq of the first commit handed out from
	// the new checkpoint on (0: none yet, or none).
	cpSeq atomic.Int64
}

// CheckpointSeq is the Seq of the first commit the walk handed out at or
// after the checkpoint it keeps in End, once the walk has handed it out;
// -1 before, or when the walk hands out none (or stopped: all it hands
// out is above). The commits before it are those above the checkpoint.
func (r *Resume) CheckpointSeq() int { return int(r.cpSeq.Load()) - 1 }

// checkpointAge is how much older than the tip (committer dates) a
// walk's checkpoint is: the first commit popped older. A walk resumes
// from a checkpoint up to twice as old; past that, it walks whole and
// keeps a new one. (A variable for tests.)
var checkpointAge uint64 = 183 * 24 * 3600

// markVersion names how a Mark decides a walk is resumed: the stop in
// internal/revwalk (Walk.StopAt) and resumeKey. Bump it with any change
// to them.
const markVersion = 2

// AppendBinary appends m's bytes: the version, the checkpoint, the key,
// the newest date from it on, the ids above it and from it on.
func (m Mark) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, markVersion)
	b = append(b, m.at[:]...)
	b = append(b, m.key[:]...)
	b = binary.AppendUvarint(b, m.maxAfter)
	for _, ids := range [][]Hash{m.above, m.order} {
		b = binary.AppendUvarint(b, uint64(len(ids)))
		for _, id := range ids {
			b = append(b, id[:]...)
		}
	}
	return b, nil
}

// ReadMark reads a Mark's bytes (Mark.AppendBinary) from the start of b
// and returns the bytes after them; ok is false when they do not read, or
// are of another markVersion.
func ReadMark(b []byte) (m Mark, rest []byte, ok bool) {
	if len(b) < 1+20+32 || b[0] != markVersion {
		return Mark{}, nil, false
	}
	m.at, m.key = Hash(b[1:21]), [32]byte(b[21:53])
	b = b[53:]
	var k int
	if m.maxAfter, k = binary.Uvarint(b); k <= 0 {
		return Mark{}, nil, false
	}
	b = b[k:]
	for _, ids := range []*[]Hash{&m.above, &m.order} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k)/20 {
			return Mark{}, nil, false
		}
		b = b[k:]
		*ids = make([]Hash, n)
		for i := range *ids {
			(*ids)[i] = Hash(b[20*i : 20*i+20])
		}
		b = b[20*n:]
	}
	if len(m.order) == 0 || m.order[0] != m.at {
		return Mark{}, nil, false
	}
	return m, b, true
}

// resumeKey names what decides a walk's commits and their results beyond
// its tip: the store's fingerprint (the settings of every commit's
// result) and the options that choose the commits and their diffs.
func resumeKey(ws *walkStore, opts *Options) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "mark=%d replay=%d graph=%d ", markVersion, replayVersion, graphVersion)
	h.Write(ws.fp[:])
	fmt.Fprintf(h, " nomerges=%t firstparent=%t diffmerges=%t fullhistory=%t min=%d max=%d/%t missing=%d messages=%t",
		opts.NoMerges, opts.FirstParent, opts.DiffMerges, opts.FullHistory, opts.MinParents, opts.MaxParents,
		opts.MaxParentsSet, opts.Missing, opts.Messages)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// resumable says whether a walk of tips with opts may be resumed or
// marked: one positive tip, the default order, every commit met (as a
// replay asks, first parents allowed), no store failure.
func resumable(tips []revwalk.Tip, opts Options, limited, shallow bool) bool {
	if opts.Resume == nil || len(tips) != 1 || tips[0].Negative || opts.Follow || !opts.DiffFilter.IsZero() ||
		opts.FullDiff || len(opts.Paths) > 0 {
		return false
	}
	o := opts
	o.Replay, o.FirstParent = true, false
	return mayReplay(o, limited, shallow)
}

// resume sets the checkpoint of a walk that may be marked, and its stop
// when it may resume from opts.Resume.From under the settings ws names
// (see Options.Resume); call it before the walk's first commit.
func (rw *repoRevWalk) resume(ws *walkStore, opts *Options) {
	if !rw.resumeOK || ws == nil {
		rw.resumeOK = false
		return
	}
	rw.resumeKey = resumeKey(ws, opts)
	tip := rw.g.Lookup(rw.tips[0])
	from := opts.Resume.From
	if !from.IsZero() && from.key == rw.resumeKey && tip.Date <= from.maxAfter+2*checkpointAge {
		rw.Walk.StopAt(from.at, from.above, from.order, from.maxAfter)
		rw.stopSet = true
	}
	// A checkpoint of its own, should it not stop.
	before := uint64(0)
	if tip.Date > checkpointAge {
		before = tip.Date - checkpointAge
	}
	if rw.replay != nil {
		rw.replay.keep = revwalk.NewKeeper(before)
		return
	}
	rw.Walk.KeepCheckpoint(before)
}

// noteCheckpoint notes, for Resume.CheckpointSeq, the Seq of the first
// commit handed out from the checkpoint on; call it with each commit the
// revision walk hands out.
func (rw *repoRevWalk) noteCheckpoint(opts *Options, node *revwalk.Commit, seq int) {
	if rw.resumeOK && node.AtCheckpoint() {
		opts.Resume.cpSeq.Store(int64(seq) + 1)
	}
}

// endResume tells opts.Resume how the walk ended (ok: without error, and
// to its end or its stop); call it once the revision walk is over.
func (rw *repoRevWalk) endResume(opts *Options, ok bool) {
	res := opts.Resume
	if res == nil {
		return
	}
	res.Stopped = rw.stopSet && rw.Walk.Stopped()
	if !rw.resumeOK || !ok || !(rw.ended || res.Stopped) {
		return
	}
	checkpoint := rw.Walk.Checkpoint
	if rw.replay != nil {
		checkpoint = rw.replay.keep.Checkpoint
	}
	at, above, order, maxAfter, found := checkpoint()
	if !found {
		return
	}
	res.End = Mark{at: at, above: above, order: order, maxAfter: maxAfter, key: rw.resumeKey}
	res.EndOK = true
}
