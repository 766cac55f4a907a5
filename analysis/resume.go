package analysis

import (
	"context"
	"encoding"
	"encoding/binary"
	"fmt"
	"maps"

	"github.com/gitwalk/gitwalk/walker"
)

// Resumable is a State that can be kept between runs: RunFrom keeps the
// merged states of a run beside the mark of its walk, and the next run
// from a newer tip walks only down to that mark and merges them in. A
// state that keeps commits' positions (walker.Commit.Seq) must be a
// SeqShifter too, or a resumed walk's positions and the kept ones would
// not compare.
type Resumable interface {
	State
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// SeqShifter is a Resumable state that keeps commits' walk positions
// (walker.Commit.Seq). RunFrom shifts those of a decoded kept state by
// delta, to where the resumed walk would have handed their commits out:
// after every commit it handed out, in the kept walk's order.
type SeqShifter interface {
	ShiftSeq(delta int)
}

// Resumed is what RunFrom returns.
type Resumed struct {
	// States are the analyzers' merged states, as Run returns them.
	States []State
	// Memo is what to give the next RunFrom of the same analyzers: the
	// states of the part of this run's walk below its checkpoint, the
	// names the Follower gave there, and the walk's mark. It is nil when
	// there is nothing new to keep: the walk cannot be marked (see
	// walker.Options.Resume), or it stopped where the memo given did and
	// met nothing new above it.
	Memo []byte
	// Resumed says that the states given in the memo stood for the walk
	// below its checkpoint; Redone, that the walk stopped there but walked
	// again whole: the renames known there were not those the memo's
	// states were named under, or those did not decode.
	Resumed, Redone bool
	// Walked is how many commits the walk handed out (after Redone: in the
	// second walk).
	Walked int
}

// resultsVersion names the layout of RunFrom's memo; the states' own
// encodings carry their versions (stateVersion).
const resultsVersion = 4

// RunFrom is Run, resumed from memo (what an earlier RunFrom of the same
// analyzers, with the same options, returned in Resumed.Memo; nil: none).
// The results are those of Run. A walk keeps a checkpoint (walker's
// Resume: a commit about half a year older than its tip) and the states of
// the commits from there on; a later walk from a newer tip that stops at
// that checkpoint (its commits above it walked, its queue there the
// earlier walk's) adds those states instead of walking the rest, when
// the Follower knows the same renames there as the earlier run did, so
// that every file below has the name it had then. Otherwise the walk
// goes on, or walks again, as Run. Analyzers whose states are not
// Resumable run as Run, with no memo.
//
// The memo stands for the analyzers' settings and scope only as they
// were: the caller keys it by them (the bots, the exclusions, the
// mailmap), and by the program that wrote it.
func RunFrom(ctx context.Context, repo *walker.Repo, opts walker.Options, memo []byte, analyzers ...Analyzer) (Resumed, error) {
	for _, a := range analyzers {
		if _, ok := a.NewState().(Resumable); !ok {
			states, err := Run(ctx, repo, opts, analyzers...)
			return Resumed{States: states}, err
		}
	}
	if opts.Stats == nil {
		opts.Stats = &walker.Stats{} // for Walked
	}
	kept, ok := readResults(memo, len(analyzers))
	if !ok {
		kept = results{}
	}
	res := &walker.Resume{From: kept.mark}
	opts.Resume = res
	sp := &split{res: res, n: len(analyzers)}
	above, below, f, err := runFollowed(ctx, repo, opts, analyzers, sp)
	if err != nil {
		return Resumed{}, err
	}
	var out Resumed
	if res.Stopped {
		olds, ok := decodeStates(analyzers, kept, f)
		if ok {
			// The kept commits come right after those this walk handed
			// out, which it numbered from 0.
			for _, st := range olds {
				if sh, ok := st.(SeqShifter); ok {
					sh.ShiftSeq(opts.Stats.Commits - kept.seq)
				}
			}
			for i := range above {
				above[i].Merge(below[i])
				above[i].Merge(olds[i])
			}
			out.States, out.Resumed, out.Walked = above, true, opts.Stats.Commits
			// The walk's figures count the commits the kept states stand
			// for, as a walk of them would have (the CLI's --repos lists
			// them); the kept part had none of the warnings (quiet).
			opts.Stats.Commits += kept.below
			if res.EndOK && res.End.Above() != kept.mark.Above() {
				kept.mark = res.End
				out.Memo = kept.append(nil)
			}
			return out, nil
		}
		// Walk again, keeping a checkpoint of its own.
		res = &walker.Resume{}
		opts.Resume = res
		sp = &split{res: res, n: len(analyzers)}
		if above, below, f, err = runFollowed(ctx, repo, opts, analyzers, sp); err != nil {
			return Resumed{}, err
		}
		out.Redone = true
	}
	out.Walked = opts.Stats.Commits
	if res.EndOK && quiet(opts.Stats) {
		at, n := sp.at, 0
		if !sp.snapped {
			at = f.alias // nothing handed out from the checkpoint on
		} else {
			n = opts.Stats.Commits - res.CheckpointSeq()
		}
		if kept, err := newResults(res.End, at, opts.Stats.Commits-n, n, below); err == nil {
			out.Memo = kept.append(nil)
		}
	}
	for i := range above {
		above[i].Merge(below[i])
	}
	out.States = above
	return out, nil
}

// quiet says whether a walk met nothing its figures warn of (the rename
// limit, missing objects): what a run says besides its results then comes
// from the commits it walks, and a run that resumes says the same.
func quiet(st *walker.Stats) bool {
	return st.RenameLimitNeeded == 0 && !st.RenameDegraded && st.MissingObjects == 0 && st.MissingCommits == 0 &&
		st.MissingChanges == 0
}

// results is a memo of RunFrom: the walk's mark, the Follower's aliases
// at its checkpoint, the Seq of the first commit it handed out from there
// on and how many it handed out, and their encoded states.
type results struct {
	mark       walker.Mark
	at         map[string]string
	seq, below int
	states     [][]byte
}

// newResults encodes the states of the n commits below the checkpoint m
// marks, the first of which had Seq seq.
func newResults(m walker.Mark, at map[string]string, seq, n int, below []State) (results, error) {
	r := results{mark: m, at: at, seq: seq, below: n, states: make([][]byte, len(below))}
	for i, s := range below {
		data, err := s.(Resumable).MarshalBinary()
		if err != nil {
			return results{}, err
		}
		r.states[i] = data
	}
	return r, nil
}

// decodeStates decodes the kept states, when the Follower (f, at the
// checkpoint the walk stopped at) knows the renames they were named
// under, into new states of analyzers.
func decodeStates(analyzers []Analyzer, kept results, f *Follower) ([]State, bool) {
	if !maps.Equal(f.alias, kept.at) || len(kept.states) != len(analyzers) {
		return nil, false
	}
	olds := make([]State, len(analyzers))
	for i, a := range analyzers {
		st := a.NewState().(Resumable)
		if err := st.UnmarshalBinary(kept.states[i]); err != nil {
			return nil, false
		}
		olds[i] = st
	}
	return olds, true
}

// A memo of results: 'R', resultsVersion, the mark (walker.Mark's
// bytes), the first Seq below it and the commits below it, the aliases (a count, then each path and
// name), the number of states, then each state's length and bytes.
func (r results) append(b []byte) []byte {
	b = append(b, 'R', resultsVersion)
	b, _ = r.mark.AppendBinary(b)
	b = binary.AppendUvarint(b, uint64(r.seq))
	b = binary.AppendUvarint(b, uint64(r.below))
	b = binary.AppendUvarint(b, uint64(len(r.at)))
	for p, name := range r.at {
		b = appendString(b, p)
		b = appendString(b, name)
	}
	b = binary.AppendUvarint(b, uint64(len(r.states)))
	for _, data := range r.states {
		b = appendString(b, string(data))
	}
	return b
}

// readResults reads a memo of n states; ok is false when it does not
// read, or holds another number of states.
func readResults(b []byte, n int) (results, bool) {
	if len(b) < 2 || b[0] != 'R' || b[1] != resultsVersion {
		return results{}, false
	}
	m, rest, ok := walker.ReadMark(b[2:])
	if !ok {
		return results{}, false
	}
	r := results{mark: m, at: map[string]string{}}
	d := decoder{b: rest}
	r.seq, r.below = d.int(), d.int()
	for range d.count() {
		p := d.string()
		r.at[p] = d.string()
	}
	if d.count() != n {
		return results{}, false
	}
	r.states = make([][]byte, n)
	for i := range r.states {
		k := d.int()
		if k > len(d.b) {
			return results{}, false
		}
		r.states[i], d.b = d.b[:k], d.b[k:]
	}
	if d.end() != nil {
		return results{}, false
	}
	return r, true
}

// Keyed is an Analyzer that names its settings for a memo of its results
// (RunFrom): two analyzers with one key accumulate alike. ok is false when
// the settings cannot be named (a function, say): then nothing is kept.
type Keyed interface {
	Analyzer
	ResultsKey() (key string, ok bool)
}

// ResultsKey names the grouping and the filter; by language, the names
// come from Language, a function, and ok is false.
func (a Churn) ResultsKey() (string, bool) {
	if a.By == ByLanguage {
		return "", false
	}
	return fmt.Sprintf("churn by=%s include=%q exclude=%q", a.By, a.Filter.Include, a.Filter.Exclude), true
}

// ResultsKey names whether identities are mapped (the mailmap's content
// is the caller's to check) and the filter.
func (a Authors) ResultsKey() (string, bool) {
	return fmt.Sprintf("authors mailmap=%t include=%q exclude=%q", a.Mailmap != nil, a.Filter.Include, a.Filter.Exclude), true
}

// ResultsKey names whether identities are mapped (the mailmap's content
// is the caller's to check) and the filter.
func (a Ownership) ResultsKey() (string, bool) {
	return fmt.Sprintf("ownership mailmap=%t include=%q exclude=%q", a.Mailmap != nil, a.Filter.Include, a.Filter.Exclude), true
}

// ResultsKey names whether identities are mapped (the mailmap's content
// is the caller's to check) and the filter; the sort orders rows only.
func (a Hotspots) ResultsKey() (string, bool) {
	return fmt.Sprintf("hotspots mailmap=%t include=%q exclude=%q", a.Mailmap != nil, a.Filter.Include, a.Filter.Exclude), true
}

// ResultsKey names the filter.
func (a Summary) ResultsKey() (string, bool) {
	return fmt.Sprintf("summary include=%q exclude=%q", a.Filter.Include, a.Filter.Exclude), true
}

// ResultsKey names whether identities are mapped (the mailmap's content
// is the caller's to check) and the filter. Now is not named: a kept
// state stands for any Now none of its commits is dated after (see
// AgeState.UnmarshalBinary); the order of rows is not counted.
func (a Age) ResultsKey() (string, bool) {
	return fmt.Sprintf("age mailmap=%t include=%q exclude=%q", a.Mailmap != nil, a.Filter.Include, a.Filter.Exclude), true
}

// ResultsKey names whether identities are mapped (the mailmap's content
// is the caller's to check), the filter, Files by its FilesName (ok is
// false for Files without one) and whether lines are counted; the
// thresholds and departures apply to the result only.
func (a Knowledge) ResultsKey() (string, bool) {
	if a.Files != nil && a.FilesName == "" {
		return "", false
	}
	return fmt.Sprintf("knowledge mailmap=%t include=%q exclude=%q files=%q nolines=%t", a.Mailmap != nil,
		a.Filter.Include, a.Filter.Exclude, a.FilesName, a.NoLineCounts), true
}

// ResultsKey names the largest changeset and the filter, which decide
// what a state counts; the thresholds apply to its rows only.
func (a Coupling) ResultsKey() (string, bool) {
	return fmt.Sprintf("coupling changeset=%d include=%q exclude=%q", a.MaxChangesetSize, a.Filter.Include, a.Filter.Exclude), true
}
