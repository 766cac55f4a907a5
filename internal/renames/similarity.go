package renames

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
)

// The similarity estimate is git's (diffcore-delta.c): a file is cut into
// chunks that end after an LF or at 64 counted bytes, each chunk is hashed
// to one of hashBase values, and a file's signature is, per hash value, the
// number of bytes in chunks with that hash. Chunks with equal hashes count
// as equal, collisions included, so the hash must be exactly git's.

// hashBase is the number of chunk hash values (HASHBASE, a prime).
const hashBase = 107927

// maxChunk is the most bytes one chunk counts.
const maxChunk = 64

// firstFewBytes is how much of a file git looks at for a NUL to call it
// binary (FIRST_FEW_BYTES in xdiff-interface.c).
const firstFewBytes = 8000

// sigEntry is one chunk hash of a file's signature and its byte count.
type sigEntry struct {
	hash, count uint32
}

// estimate returns git's similarity score of source i and destination j
// (estimate_similarity): 0 unless both are regular files or when their
// sizes alone rule out reaching minScore; else the bytes of the destination's
// chunks found in the source, over the larger size.
func (d *Detector) estimate(i, j int32, minScore int) (int, error) {
	s, t := &d.src[i], &d.dst[j]
	if !odb.IsRegular(s.Mode) || !odb.IsRegular(t.Mode) {
		return 0, nil // symlinks and gitlinks rename only exactly
	}
	ss, ts := &d.srcSt[i], &d.dstSt[j]
	// Both sizes are asked before either error counts, so that Blobs learns
	// of every unavailable file of the pair, not only the source.
	srcSize, serr := d.sizeOf(s, ss)
	dstSize, derr := d.sizeOf(t, ts)
	for _, err := range []error{serr, derr} {
		if err != nil && !errors.Is(err, ErrUnavailable) {
			return 0, err
		}
	}
	if serr != nil || derr != nil {
		return 0, nil
	}
	big, small := max(srcSize, dstSize), min(srcSize, dstSize)
	// git computes in double (MAX_SCORE is 60000.0); so do we, to round
	// as it does.
	if float64(big)*(MaxScore-float64(minScore)) < float64(big-small)*MaxScore {
		return 0, nil
	}
	if err := d.signature(s, ss); err != nil {
		return unavailable(err)
	}
	if err := d.signature(t, ts); err != nil {
		return unavailable(err)
	}
	if dstSize == 0 {
		return 0, nil
	}
	copied := common(d.sigs[ss.sigOff:ss.sigOff+ss.sigLen], d.sigs[ts.sigOff:ts.sigOff+ts.sigLen])
	return int(float64(copied) * MaxScore / float64(big)), nil
}

// unavailable turns an estimate's error into a score of 0 when the error
// is a blob's ErrUnavailable (the pair cannot be judged, so it is not
// made), and keeps any other error.
func unavailable(err error) (int, error) {
	if errors.Is(err, ErrUnavailable) {
		return 0, nil
	}
	return 0, err
}

// common returns the bytes two signatures share: per hash, the smaller of
// the two counts (diffcore_count_changes' src_copied).
func common(s, t []sigEntry) uint64 {
	var n uint64
	for len(s) > 0 && len(t) > 0 {
		switch {
		case s[0].hash < t[0].hash:
			s = s[1:]
		case s[0].hash > t[0].hash:
			t = t[1:]
		default:
			n += uint64(min(s[0].count, t[0].count))
			s, t = s[1:], t[1:]
		}
	}
	return n
}

// signature computes f's signature into d.sigs unless it is there. The
// content is read into the arena and freed again once hashed; the
// signature, sorted by hash, is appended to d.sigs, which grows in place
// as long as nothing else was allocated after it.
func (d *Detector) signature(f *File, st *fileState) error {
	if st.sigOff >= 0 {
		return nil
	}
	mark := d.a.Mark()
	data, err := d.blobs.Read(f.ID, d.a)
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			st.size = sizeUnavailable
		}
		d.a.RewindTo(mark)
		return fmt.Errorf("read %s (%s): %w", f.ID, f.Path, err)
	}
	d.hashChunks(data, isText(f.Binary, data))
	d.a.RewindTo(mark)
	slices.Sort(d.touched)
	off, n := len(d.sigs), len(d.touched)
	if !d.sigsHeap {
		var grown []sigEntry
		if grown, err = arena.Grow(d.a, d.sigs, n); err == nil {
			d.sigs = grown
		} else { // the arena is full: go on on the Go heap (see scratch)
			d.sigs = slices.Clip(d.sigs)
			d.sigsHeap = true
		}
	}
	if d.sigsHeap {
		d.heapBytes += n * int(reflect.TypeFor[sigEntry]().Size())
		d.sigs = slices.Grow(d.sigs, n)[:off+n]
	}
	for k, h := range d.touched {
		d.sigs[off+k] = sigEntry{hash: h, count: d.counts[h]}
		d.counts[h] = 0
	}
	d.touched = d.touched[:0]
	st.sigOff, st.sigLen = int32(off), int32(len(d.sigs)-off)
	return nil
}

// isText reports whether the estimate treats data as text, skipping the CR
// of each CRLF: unless the attributes decide, text is data without a NUL
// in its first 8000 bytes (diff_filespec_is_binary).
func isText(b Binary, data []byte) bool {
	switch b {
	case BinaryYes:
		return false
	case BinaryNo:
		return true
	}
	return bytes.IndexByte(data[:min(len(data), firstFewBytes)], 0) < 0
}

// hashChunks adds data's chunks to d.counts and the hashes it sees first
// to d.touched (hash_chars). A last chunk with no LF and fewer than 64
// counted bytes is not counted, as in git.
func (d *Detector) hashChunks(data []byte, text bool) {
	if d.counts == nil {
		d.counts = make([]uint32, hashBase) // once per detector, reused for every file
	}
	var a1, a2 uint32
	n := uint32(0)
	for k, c := range data {
		if text && c == '\r' && k+1 < len(data) && data[k+1] == '\n' {
			continue
		}
		old := a1
		a1 = (a1 << 7) ^ (a2 >> 25)
		a2 = (a2 << 7) ^ (old >> 25)
		a1 += uint32(c)
		n++
		if n < maxChunk && c != '\n' {
			continue
		}
		h := (a1 + a2*0x61) % hashBase
		if d.counts[h] == 0 {
			d.touched = append(d.touched, h)
		}
		d.counts[h] += n
		n, a1, a2 = 0, 0, 0
	}
}
