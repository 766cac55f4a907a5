package report

import (
	"encoding/binary"
	"fmt"

	"github.com/gitwalk/gitwalk/analysis"
)

// The report's analyses keep their results as analysis.RunFrom keeps any
// (analysis.Resumable and analysis.Keyed): their states encode to a kind
// byte, a version, then counts, numbers and strings, written and read as
// the analysis package's states are (analysis.AppendString,
// analysis.StateReader).

const (
	stateActivity     = 'a'
	stateDirOwnership = 'd'
	stateVersion      = 1
)

// ResultsKey names whether identities are mapped and the filter.
func (a Activity) ResultsKey() (string, bool) {
	return fmt.Sprintf("activity mailmap=%t include=%q exclude=%q", a.Mailmap != nil, a.Filter.Include, a.Filter.Exclude), true
}

// ResultsKey names the depth, whether identities are mapped and the
// filter.
func (a DirOwnership) ResultsKey() (string, bool) {
	return fmt.Sprintf("dir-ownership depth=%d mailmap=%t include=%q exclude=%q", a.Depth, a.Mailmap != nil, a.Filter.Include,
		a.Filter.Exclude), true
}

// MarshalBinary encodes the figures per day and folder and the commits per
// day and author.
func (s *ActivityState) MarshalBinary() ([]byte, error) {
	b := []byte{stateActivity, stateVersion}
	b = binary.AppendUvarint(b, uint64(len(s.dirs)))
	for k, l := range s.dirs {
		b = appendDayKey(b, k)
		for _, v := range [...]int{l.commits, l.added, l.deleted} {
			b = binary.AppendUvarint(b, uint64(v))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s.authors)))
	for k, n := range s.authors {
		b = appendDayKey(b, k)
		b = binary.AppendUvarint(b, uint64(n))
	}
	return b, nil
}

// UnmarshalBinary replaces the figures of s with those data encodes.
func (s *ActivityState) UnmarshalBinary(data []byte) error {
	d := analysis.NewStateReader(data, stateActivity, stateVersion)
	nd := d.ReadCount()
	dirs := make(map[dayDir]*lines, nd)
	for range nd {
		k := readDayKey(d)
		dirs[k] = &lines{commits: d.ReadInt(), added: d.ReadInt(), deleted: d.ReadInt()}
	}
	na := d.ReadCount()
	authors := make(map[dayDir]int, na)
	for range na {
		k := readDayKey(d)
		authors[k] = d.ReadInt()
	}
	if err := d.End(); err != nil {
		return err
	}
	s.dirs, s.authors = dirs, authors
	return nil
}

// MarshalBinary encodes the depth and, per folder and author, the lines
// added and the commits.
func (s *DirOwnershipState) MarshalBinary() ([]byte, error) {
	b := []byte{stateDirOwnership, stateVersion}
	b = binary.AppendUvarint(b, uint64(s.depth))
	b = binary.AppendUvarint(b, uint64(len(s.by)))
	for k, o := range s.by {
		b = analysis.AppendString(b, k.dir)
		b = analysis.AppendString(b, k.who)
		b = binary.AppendUvarint(b, uint64(o.added))
		b = binary.AppendUvarint(b, uint64(o.commits))
	}
	return b, nil
}

// UnmarshalBinary replaces the figures of s with those data encodes; s
// must count as many folder levels as the encoded state did.
func (s *DirOwnershipState) UnmarshalBinary(data []byte) error {
	d := analysis.NewStateReader(data, stateDirOwnership, stateVersion)
	if depth := d.ReadInt(); depth != s.depth {
		d.Fail("depth %d decoded into depth %d", depth, s.depth)
	}
	n := d.ReadCount()
	by := make(map[dirAuthor]*owned, n)
	for range n {
		k := dirAuthor{dir: d.ReadString(), who: d.ReadString()}
		by[k] = &owned{added: d.ReadInt(), commits: d.ReadInt()}
	}
	if err := d.End(); err != nil {
		return err
	}
	s.by = by
	return nil
}

func appendDayKey(b []byte, k dayDir) []byte {
	b = binary.AppendVarint(b, int64(k.day))
	return analysis.AppendString(b, k.key)
}

// readDayKey reads what appendDayKey wrote.
func readDayKey(d *analysis.StateReader) dayDir {
	day := d.ReadVarint()
	if day < -1<<31 || day >= 1<<31 {
		d.Fail("day %d", day)
	}
	return dayDir{day: int32(day), key: d.ReadString()}
}
