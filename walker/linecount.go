package walker

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/diff"
	"github.com/gitwalk/gitwalk/internal/odb"
)

// LineCount is the size in lines of one file of a commit's tree.
type LineCount struct {
	// Lines is the number of lines as git's numstat counts a file added
	// from nothing (diff.c count_lines): the newline bytes, plus one for a
	// last line without a newline; `wc -l` counts only the newlines. An
	// empty file has 0. It is 0 when Binary.
	Lines int
	// Binary says git's diff takes the file as binary (numstat prints
	// "-\t-" for it), decided as for a walk's changes: the path's diff
	// attribute, then core.bigFileThreshold, then a NUL in the first 8000
	// bytes.
	Binary bool
}

// LineCounts returns the line counts of the named files (paths from the top
// of the repository, as Change.Path) in the tree of commit. A symbolic link
// counts its target's text and a submodule (gitlink) the one line
// "Subproject commit <id>", as numstat counts them. A path that names no
// file in that tree (absent, or a folder) is absent from the map. Blobs are
// read one at a time, so memory is bounded by the largest file. LineCounts
// is safe for concurrent use and honours ctx between files.
func (r *Repo) LineCounts(ctx context.Context, commit Hash, paths []string) (map[string]LineCount, error) {
	return r.treeFiles(ctx, commit, paths, true)
}

// FilesAt reports which of the named files (paths from the top of the
// repository, as Change.Path) are files in the tree of commit: the paths
// of LineCounts' map, found from the trees alone, without reading a blob
// (so on a blob-less partial clone too). Safe for concurrent use.
func (r *Repo) FilesAt(ctx context.Context, commit Hash, paths []string) (map[string]bool, error) {
	lc, err := r.treeFiles(ctx, commit, paths, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(lc))
	for p := range lc {
		out[p] = true
	}
	return out, nil
}

// treeFiles finds the named files in commit's tree and, when count, their
// line counts.
func (r *Repo) treeFiles(ctx context.Context, commit Hash, paths []string, count bool) (map[string]LineCount, error) {
	rd := r.db.NewReader()
	typ, data, err := rd.Read(commit, nil)
	if err != nil {
		return nil, fmt.Errorf("line counts: read commit %s: %w", commit, err)
	}
	if typ != odb.Commit {
		return nil, fmt.Errorf("line counts: object %s is a %s, not a commit", commit, typ)
	}
	info, err := odb.ParseCommit(data)
	if err != nil {
		return nil, fmt.Errorf("line counts: commit %s: %w", commit, err)
	}
	// Only folders that lead to a wanted path are read.
	want := make(map[string]bool, len(paths))
	dirs := map[string]bool{}
	for _, p := range paths {
		want[p] = true
		for i := 0; i < len(p); i++ {
			if p[i] == '/' {
				dirs[p[:i]] = true
			}
		}
	}
	lc := &lineCounter{
		ctx:   ctx,
		u:     &unit{repo: r, rd: rd, opts: &Options{}}, // the repository's core.bigFileThreshold applies
		a:     arena.New(arena.NewHeap(4 << 20)),        // one blob at a time; a bigger one goes to the heap
		want:  want,
		dirs:  dirs,
		count: count,
		out:   make(map[string]LineCount, len(paths)),
	}
	st := r.lineStore
	if count && st != nil {
		lc.kept, lc.seen = readBlobLines(st.Memo(r, blobLinesMemo)), map[odb.ID]blobLines{}
	}
	if err := lc.tree(info.Tree, nil); err != nil {
		return nil, fmt.Errorf("line counts at %s: %w", commit, err)
	}
	if lc.seen != nil && lc.read > 0 {
		st.SetMemo(r, blobLinesMemo, appendBlobLines(nil, lc.seen))
	}
	return lc.out, nil
}

// UseStore has LineCounts keep in s what it reads of blobs (their sizes,
// lines and whether a NUL makes them binary, which never change) and
// read it back on a later call, from this run or the next, instead of
// reading the blobs again: hotspots counts every file of the commit it
// measures on every run. The repository's attributes and
// core.bigFileThreshold still decide per path. Call it before LineCounts,
// once; s must stay open while LineCounts may run.
func (r *Repo) UseStore(s *Store) { r.lineStore = s }

// blobLinesMemo names the memo of blobs' line counts: the blobs of the
// last commit LineCounts counted, by id (see blobLines).
const blobLinesMemo = "blob lines version=1"

// blobLines is what LineCounts needs of a blob whatever its path: its
// size, its lines as numstat counts them, and whether a NUL in its first
// 8000 bytes makes it binary.
type blobLines struct {
	size, lines int64
	nul         bool
}

// appendBlobLines appends the memo of m: its count, then per blob its id,
// size, lines and NUL flag.
func appendBlobLines(b []byte, m map[odb.ID]blobLines) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	for id, f := range m {
		b = append(b, id[:]...)
		b = binary.AppendUvarint(b, uint64(f.size))
		b = binary.AppendUvarint(b, uint64(f.lines))
		nul := byte(0)
		if f.nul {
			nul = 1
		}
		b = append(b, nul)
	}
	return b
}

// readBlobLines reads what appendBlobLines wrote; bytes that do not read
// whole give an empty map (every blob is then read again).
func readBlobLines(b []byte) map[odb.ID]blobLines {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return map[odb.ID]blobLines{}
	}
	b = b[k:]
	m := make(map[odb.ID]blobLines, n)
	for range n {
		if len(b) < 20 {
			return map[odb.ID]blobLines{}
		}
		id := odb.ID(b[:20])
		b = b[20:]
		size, k1 := binary.Uvarint(b)
		if k1 <= 0 {
			return map[odb.ID]blobLines{}
		}
		lines, k2 := binary.Uvarint(b[k1:])
		if k2 <= 0 || len(b) < k1+k2+1 || b[k1+k2] > 1 || lines > size || size > 1<<62 {
			return map[odb.ID]blobLines{}
		}
		m[id] = blobLines{size: int64(size), lines: int64(lines), nul: b[k1+k2] == 1}
		b = b[k1+k2+1:]
	}
	if len(b) != 0 {
		return map[odb.ID]blobLines{}
	}
	return m
}

type lineCounter struct {
	ctx        context.Context
	u          *unit
	a          *arena.Arena
	want, dirs map[string]bool
	count      bool // read each file's blob to count its lines
	out        map[string]LineCount
	// With a store (Repo.UseStore): the blobs kept there, those met here
	// (to keep), and how many were read.
	kept, seen map[odb.ID]blobLines
	read       int
}

// tree visits the entries of the tree id, whose path is prefix.
func (lc *lineCounter) tree(id odb.ID, prefix []byte) error {
	typ, data, err := lc.u.rd.Read(id, nil)
	if err != nil {
		return fmt.Errorf("read tree %s: %w", id, err)
	}
	if typ != odb.Tree {
		return fmt.Errorf("object %s is a %s, not a tree", id, typ)
	}
	it := odb.NewTreeIter(data)
	for e, more := it.Next(); more; e, more = it.Next() {
		p := append(prefix[:len(prefix):len(prefix)], e.Name...)
		if odb.IsTree(e.Mode) {
			if lc.dirs[string(p)] {
				if err := lc.tree(e.ID, append(p, '/')); err != nil {
					return err
				}
			}
			continue
		}
		if !lc.want[string(p)] {
			continue
		}
		if err := lc.ctx.Err(); err != nil {
			return err
		}
		if !lc.count {
			lc.out[string(p)] = LineCount{}
			continue
		}
		n, err := lc.file(string(p), e.Mode, e.ID)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		lc.out[string(p)] = n
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("tree %s: %w", id, err)
	}
	return nil
}

// file counts one blob (or gitlink) as the walk's unit reads a change's
// side: from what the store kept of the blob when it has it, as side
// decides (the path's attributes, then the size, then a NUL).
func (lc *lineCounter) file(path string, mode uint32, id odb.ID) (LineCount, error) {
	attr := lc.u.repo.attrs.Lookup(path)
	keep := lc.seen != nil && mode != odb.ModeGitlink
	if keep {
		if f, ok := lc.kept[id]; ok {
			lc.seen[id] = f
			binary, decided := lc.u.repo.diffDecision(mode, attr)
			limit := lc.u.repo.cfg.BigFileThreshold
			if !decided && (limit > 0 && f.size > limit || f.nul) {
				binary = true
			}
			if binary {
				return LineCount{Binary: true}, nil
			}
			return LineCount{Lines: int(f.lines)}, nil
		}
	}
	mark := lc.a.Mark()
	defer lc.a.RewindTo(mark)
	data, binary, err := lc.u.side(lc.a, mode, id, attr, false)
	if err != nil {
		return LineCount{}, err
	}
	n := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	if keep && data != nil {
		// Its content was read (a NUL may have made it binary).
		lc.seen[id] = blobLines{size: int64(len(data)), lines: int64(n), nul: diff.IsBinary(data)}
		lc.read++
	}
	if binary {
		return LineCount{Binary: true}, nil
	}
	return LineCount{Lines: n}, nil
}
