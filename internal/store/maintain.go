package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Run is what one run of a command did with the store, for one
// repository: `gitwalk cache` lists the last one of each repository, and
// the hit rate of the very last.
type Run struct {
	Repo    string    // the repository, as the caller names it (its absolute path, say)
	When    time.Time // when the run ended
	Commits int       // records the run read or wrote
	Bytes   int64     // their size
	Hits    int       // records read instead of computed
	Misses  int       // records computed and written
}

func (r *Run) encode() []byte {
	var b []byte
	b = binary.AppendVarint(b, r.When.UnixNano())
	b = binary.AppendUvarint(b, uint64(r.Commits))
	b = binary.AppendUvarint(b, uint64(r.Bytes))
	b = binary.AppendUvarint(b, uint64(r.Hits))
	b = binary.AppendUvarint(b, uint64(r.Misses))
	return append(b, r.Repo...)
}

func decodeRun(b []byte) (Run, bool) {
	var r Run
	when, n := binary.Varint(b)
	if n <= 0 {
		return r, false
	}
	b = b[n:]
	r.When = time.Unix(0, when)
	var v [4]uint64
	for i := range v {
		v[i], n = binary.Uvarint(b)
		if n <= 0 || v[i] > 1<<62 {
			return r, false
		}
		b = b[n:]
	}
	r.Commits, r.Bytes, r.Hits, r.Misses = int(v[0]), int64(v[1]), int(v[2]), int(v[3])
	r.Repo = string(b)
	return r, true
}

// NoteRun records a run: as its repository's entry in the list of
// repositories seen, and as the store's last run. It is written at once.
func (s *Store) NoteRun(r Run) (err error) {
	if err := s.usable(); err != nil {
		return err
	}
	s.lockWrite()
	defer s.unlockWrite()
	defer s.guard(&err)()
	v := r.encode()
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketRepos).Put([]byte(r.Repo), seal([]byte(r.Repo), nil, v)); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyLastRun, seal(keyLastRun, nil, v))
	})
	if err != nil && !errors.Is(err, ErrDamaged) {
		err = fmt.Errorf("write store %s: %w", s.path, err)
	}
	// The note alone does not make Close sync the file (a third of a
	// millisecond, a fiftieth of a warm run of go-git). A crash of the
	// system before the note reaches the disk loses the note, or leaves
	// pages out of order: a damaged store, set aside, or stale pages whose
	// values are still sealed to their keys and checked on every read. A
	// record never changes once its key is written, so neither gives a
	// wrong number.
	return err
}

func (s *Store) usable() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return s.err
}

// Stats are what a store holds.
type Stats struct {
	Repos       []Run // the last run of each repository, the most recent first
	LastRun     Run   // the store's last run (zero when none was noted)
	Records     int   // per-commit records
	RecordBytes int64 // their keys and values
	FileBytes   int64 // the file's size on disk (pages freed by a Prune are reused, or given back by its compaction)
}

// Stats reads what the store holds, committing pending records first. It
// reads every record's key and size, not their contents.
func (s *Store) Stats() (st Stats, err error) {
	if err := s.Flush(); err != nil {
		return st, err
	}
	s.swapMu.RLock()
	defer s.swapMu.RUnlock()
	defer s.guard(&err)()
	err = s.db.View(func(tx *bolt.Tx) error {
		st.FileBytes = tx.Size()
		if v, ok := unseal(keyLastRun, nil, tx.Bucket(bucketMeta).Get(keyLastRun)); ok {
			st.LastRun, _ = decodeRun(v)
		}
		err := tx.Bucket(bucketRepos).ForEach(func(k, v []byte) error {
			p, ok := unseal(k, nil, v)
			if !ok {
				return s.damaged(fmt.Sprintf("repository entry %q fails its checksum", k))
			}
			r, ok := decodeRun(p)
			if !ok {
				return s.damaged(fmt.Sprintf("repository entry %q", k))
			}
			st.Repos = append(st.Repos, r)
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
			st.Records++
			st.RecordBytes += int64(len(k) + len(v))
			return nil
		})
	})
	sort.SliceStable(st.Repos, func(i, j int) bool { return st.Repos[i].When.After(st.Repos[j].When) })
	// bbolt grows the file ahead of the pages in use: the disk's figure is
	// the file's size.
	if fi, serr := os.Stat(s.path); serr == nil {
		st.FileBytes = fi.Size()
	}
	return st, err
}

// Prune removes records until the records' bytes are at most maxBytes,
// least recently used first, and every record, and repository entry, not
// used within maxAge; 0 means no bound for either. A record's use is known
// to within Options.TouchAfter: Prune never removes one used within maxAge,
// and may keep one unused for up to maxAge+TouchAfter. When it removed
// anything, or the file is over twice the size of its records, it rewrites
// the file compactly so that the disk space goes back to the system. It
// returns how many records it removed.
func (s *Store) Prune(maxBytes int64, maxAge time.Duration) (removed int, err error) {
	if err := s.Flush(); err != nil {
		return 0, err
	}
	s.lockWrite()
	defer s.unlockWrite()
	defer s.guard(&err)()
	type entry struct {
		key   [keyLen]byte
		stamp uint32
		size  int64
	}
	var all []entry
	var total int64
	var stale [][]byte // repository entries older than maxAge
	var used int64     // bytes of the file's pages in use or free inside it
	now := s.now()
	err = s.db.View(func(tx *bolt.Tx) error {
		used = tx.Size()
		err := tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
			if len(k) != keyLen || len(v) < 8 {
				return s.damaged(fmt.Sprintf("record %x", k))
			}
			e := entry{stamp: binary.BigEndian.Uint32(v[4:8]), size: int64(len(k) + len(v))}
			copy(e.key[:], k)
			all = append(all, e)
			total += e.size
			return nil
		})
		if err != nil || maxAge <= 0 {
			return err
		}
		return tx.Bucket(bucketRepos).ForEach(func(k, v []byte) error {
			p, ok := unseal(k, nil, v)
			r, ok2 := decodeRun(p)
			if !ok || !ok2 || now.Sub(r.When) > maxAge {
				stale = append(stale, bytes.Clone(k))
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	// Oldest first; the key breaks ties so that the choice is the same
	// every time.
	sort.Slice(all, func(i, j int) bool {
		if all[i].stamp != all[j].stamp {
			return all[i].stamp < all[j].stamp
		}
		return bytes.Compare(all[i].key[:], all[j].key[:]) < 0
	})
	var victims [][keyLen]byte
	for _, e := range all {
		// A stamp is the hour of the last renewal, which lags the last
		// use by up to TouchAfter (and the hour's rounding).
		tooOld := maxAge > 0 && now.Sub(timeOfStamp(e.stamp)) > maxAge+s.opts.TouchAfter+time.Hour
		tooBig := maxBytes > 0 && total > maxBytes
		if !tooOld && !tooBig {
			break
		}
		victims = append(victims, e.key)
		total -= e.size
	}
	// Random keys leave pages part empty and copy-on-write leaves free
	// ones: a file over twice its records is rewritten even when nothing
	// goes.
	bloated := used > 2*total+64<<10
	if len(victims) == 0 && len(stale) == 0 && !bloated {
		return 0, nil
	}
	// Removals are committed in slices, so that a kill midway keeps what
	// was removed and a huge prune needs no huge transaction.
	for len(victims) > 0 || len(stale) > 0 {
		n := min(len(victims), 10000)
		part := victims[:n]
		victims = victims[n:]
		err = s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketRecords)
			for i := range part {
				if err := b.Delete(part[i][:]); err != nil {
					return err
				}
			}
			for _, k := range stale {
				if err := tx.Bucket(bucketRepos).Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		stale = nil
		if err != nil {
			return removed, fmt.Errorf("prune store %s: %w", s.path, err)
		}
		removed += len(part)
	}
	s.mu.Lock()
	for k := range s.touch {
		delete(s.touch, k) // the records may be gone; their stamps were old anyway
	}
	s.mu.Unlock()
	return removed, s.rewrite(true)
}

// Clear removes every record and repository entry and gives the disk
// space back.
func (s *Store) Clear() (err error) {
	if err := s.usable(); err != nil {
		return err
	}
	s.lockWrite()
	defer s.unlockWrite()
	s.mu.Lock()
	s.pending, s.touch = map[Key][]byte{}, map[Key]struct{}{}
	s.mu.Unlock()
	defer s.guard(&err)()
	return s.rewrite(false)
}

// rewrite builds a new file next to the store (a compacted copy of it when
// copy is set, else an empty store), renames it over the store's name and
// swaps it in. The new file is locked before it takes the name, so no
// other process can open it first; one that was waiting for the old file
// sees that its name now points elsewhere and waits for the new one.
// Called with writeMu held.
func (s *Store) rewrite(copy bool) (err error) {
	tmp, err := os.CreateTemp(s.dir, FileName+".new-*")
	if err != nil {
		return fmt.Errorf("rewrite store: %w", err)
	}
	name := tmp.Name()
	tmp.Close()
	bo := s.boltOptions()
	bo.Timeout = time.Second
	dst, err := bolt.Open(name, 0o644, bo)
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("rewrite store: %w", err)
	}
	dst.AllocSize = allocSize
	if copy {
		err = bolt.Compact(dst, s.db, 64<<20)
	} else {
		err = dst.Update(initBuckets)
	}
	if err == nil {
		err = os.Rename(name, s.path)
	}
	if err != nil {
		dst.Close()
		os.Remove(name)
		return fmt.Errorf("rewrite store %s: %w", s.path, err)
	}
	dst.NoSync, dst.NoGrowSync = !s.opts.Sync, !s.opts.Sync // it was built with syncs: durable before its rename
	s.swapMu.Lock()
	old := s.db
	s.mu.Lock()
	s.db = dst
	s.mu.Unlock()
	s.swapMu.Unlock()
	if err := old.Close(); err != nil {
		return fmt.Errorf("close the old store file: %w", err)
	}
	return nil
}

// Check reads the whole file: every record's and entry's checksum (which
// reads every page in use), and every page's header (a known type, and
// pages it spans within the file). It costs a read of the file, so Open
// does not do it: `gitwalk cache` can, and a caller can after an error.
// A problem is ErrDamaged.
//
// bbolt's own Tx.Check is not used: it trusts page headers, and a flipped
// overflow count makes it loop for billions of pages.
func (s *Store) Check() (err error) {
	if err := s.Flush(); err != nil {
		return err
	}
	s.lockWrite()
	defer s.unlockWrite()
	defer s.guard(&err)()
	// A writable transaction, never committed: Tx.Page needs the free list
	// and no writer alongside.
	tx, err := s.db.Begin(true)
	if err != nil {
		return fmt.Errorf("check store %s: %w", s.path, err)
	}
	defer tx.Rollback()
	for _, name := range [][]byte{bucketMeta, bucketRepos, bucketRecords} {
		stamp := 0
		if bytes.Equal(name, bucketRecords) {
			stamp = 4
		}
		var st [4]byte
		err := tx.Bucket(name).ForEach(func(k, v []byte) error {
			if _, ok := unseal(k, st[:stamp], v); !ok {
				return s.damaged(fmt.Sprintf("%s entry %x fails its checksum", name, k))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for id := 0; ; {
		p, err := tx.Page(id)
		if err != nil {
			return fmt.Errorf("check store %s: %w", s.path, err)
		}
		if p == nil {
			return nil // past the last page
		}
		if p.Type == "free" {
			id++
			continue
		}
		switch p.Type {
		case "branch", "leaf", "meta", "freelist":
		default:
			return s.damaged(fmt.Sprintf("page %d has type %s", id, p.Type))
		}
		next := id + p.OverflowCount + 1
		if q, err := tx.Page(next - 1); err != nil || q == nil {
			return s.damaged(fmt.Sprintf("page %d spans %d pages, past the end", id, p.OverflowCount+1))
		}
		id = next
	}
}
