package walker

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/renames"
)

// MissingAction is what a walk does at a tree or blob the repository does
// not have, as `git rev-list --missing=<action>` names it. A partial clone
// (`git clone --filter=blob:none`) lacks most blobs by design; a damaged
// or trimmed store may lack a few objects of any kind.
type MissingAction uint8

// The missing-object actions.
const (
	// MissingError stops the walk with an error naming the object
	// (git's default, --missing=error).
	MissingError MissingAction = iota
	// MissingAllowAny goes on past any missing tree or blob
	// (--missing=allow-any).
	MissingAllowAny
	// MissingAllowPromisor goes on past missing trees and blobs when the
	// repository has a promisor remote that could supply them (a partial
	// clone: extensions.partialClone or remote.<name>.promisor), and stops
	// as MissingError does otherwise, as git does for an object no
	// promisor could supply (--missing=allow-promisor). git asks, object
	// by object, whether a promisor pack refers to it; a walk asks whether
	// the repository has a promisor remote at all.
	MissingAllowPromisor
)

// ParseMissingAction reads the value of --missing: error, allow-any or
// allow-promisor. git's print is not a walk's action (it lists objects)
// and is refused.
func ParseMissingAction(s string) (MissingAction, error) {
	switch s {
	case "error":
		return MissingError, nil
	case "allow-any":
		return MissingAllowAny, nil
	case "allow-promisor":
		return MissingAllowPromisor, nil
	}
	return MissingError, fmt.Errorf("unknown missing action %q (want error, allow-any or allow-promisor)", s)
}

func (m MissingAction) String() string {
	switch m {
	case MissingAllowAny:
		return "allow-any"
	case MissingAllowPromisor:
		return "allow-promisor"
	}
	return "error"
}

// maxMissingSample is how many missing objects and paths Stats name.
const maxMissingSample = 5

// missingSet gathers what the workers of one walk passed over: distinct
// objects and paths. It is touched only when an object is missing, so one
// lock is no cost to a walk of a complete repository.
type missingSet struct {
	mu    sync.Mutex
	ids   map[odb.ID]bool
	paths map[string]bool
}

func (m *missingSet) add(id odb.ID) {
	m.mu.Lock()
	if m.ids == nil {
		m.ids = map[odb.ID]bool{}
	}
	m.ids[id] = true
	m.mu.Unlock()
}

func (m *missingSet) addPath(p string) {
	m.mu.Lock()
	if m.paths == nil {
		m.paths = map[string]bool{}
	}
	m.paths[p] = true
	m.mu.Unlock()
}

// fill records the set in s: counts and the first ids and paths in sorted
// order, so Stats are the same for any number of workers.
func (m *missingSet) fill(s *Stats) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.MissingObjects, s.MissingPaths = len(m.ids), len(m.paths)
	ids := make([]odb.ID, 0, len(m.ids))
	for id := range m.ids {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b odb.ID) int { return slices.Compare(a[:], b[:]) })
	s.MissingSample = ids[:min(len(ids), maxMissingSample)]
	paths := make([]string, 0, len(m.paths))
	for p := range m.paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	s.MissingPathSample = paths[:min(len(paths), maxMissingSample)]
}

// passMissing reports whether err is a missing object the walk's
// --missing action lets it go on past, and records the object. A missing
// object the action does not allow is returned as the error to stop on
// (allow-promisor in a repository without a promisor remote says so).
func (u *unit) passMissing(err error) (bool, error) {
	var me *odb.MissingError
	if !errors.As(err, &me) {
		return false, err
	}
	switch u.opts.Missing {
	case MissingAllowAny:
	case MissingAllowPromisor:
		if u.repo.cfg.PromisorRemote == "" {
			return false, fmt.Errorf("%w, and no promisor remote could supply it (--missing=allow-promisor needs a partial clone; --missing=allow-any passes over any missing object)", err)
		}
	default:
		return false, err
	}
	u.missing.add(me.ID)
	u.commitMissing = append(u.commitMissing, me.ID)
	return true, nil
}

// missedIn reports whether id is among the objects the current commit
// passed over.
func (u *unit) missedIn(id odb.ID) bool {
	return slices.Contains(u.commitMissing, id)
}

// unavailable turns a missing blob the walk may pass over into the rename
// detector's ErrUnavailable.
func (u *unit) unavailable(err error) error {
	pass, stop := u.passMissing(err)
	if pass {
		return fmt.Errorf("%v: %w", err, renames.ErrUnavailable)
	}
	return stop
}
