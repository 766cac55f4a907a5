package walker

import (
	"fmt"
	"strings"
)

// DiffFilter is git log's --diff-filter: which of a commit's changes are
// listed, by their status letter: A added, C copied, D deleted, M
// modified, R renamed, T type changed (a file that became a symbolic
// link, say); X, U and B, which git also takes, never occur in a walk. A
// letter in lower case leaves its changes out instead. With '*', a
// commit's changes are all listed when any is selected, else none. The
// zero value lists every change.
type DiffFilter struct {
	set, not uint16 // letters given in upper and in lower case
}

// filterLetters are git's status letters in the order of its filter
// bits (diff.c diff_status_letters); '*' is the all-or-none flag.
const filterLetters = "ACDMRTXU*B"

var filterAll = uint16(1) << strings.IndexByte(filterLetters, '*')

// Add reads one --diff-filter value into f: given several times, the
// letters add up, as in git. An unknown letter is an error naming it.
func (f *DiffFilter) Add(arg string) error {
	for i := 0; i < len(arg); i++ {
		c, not := arg[i], false
		if c >= 'a' && c <= 'z' {
			c, not = c-'a'+'A', true
		}
		j := strings.IndexByte(filterLetters, c)
		if j < 0 {
			return fmt.Errorf("unknown change class '%c' in --diff-filter=%s", arg[i], arg)
		}
		if not {
			f.not |= 1 << j
		} else {
			f.set |= 1 << j
		}
	}
	return nil
}

// IsZero reports whether f lists every change (no --diff-filter).
func (f DiffFilter) IsZero() bool { return f.set == 0 && f.not == 0 }

// letters returns the letters selected, as diff_setup_done makes them:
// lower-case letters alone select every other.
func (f DiffFilter) letters() uint16 {
	set := f.set
	if f.not != 0 {
		if set == 0 {
			set = ^filterAll
		}
		set &^= f.not
	}
	return set
}

// keep returns the changes f lists, in place (diff.c
// diffcore_apply_filter).
func (f DiffFilter) keep(changes []Change) []Change {
	set := f.letters()
	match := func(c *Change) bool {
		return set&(1<<strings.IndexByte(filterLetters, c.Status())) != 0
	}
	if set&filterAll != 0 {
		for i := range changes {
			if match(&changes[i]) {
				return changes
			}
		}
		return changes[:0]
	}
	kept := changes[:0]
	for i := range changes {
		if match(&changes[i]) {
			kept = append(kept, changes[i])
		}
	}
	return kept
}

// Status is the change's letter in git's --raw and --name-status output:
// A, C, D, M, R, or T when a file kept its path but changed its type
// (regular file, symbolic link, gitlink).
func (c *Change) Status() byte {
	switch c.Kind {
	case Added:
		return 'A'
	case Deleted:
		return 'D'
	case Renamed:
		return 'R'
	case Copied:
		return 'C'
	}
	if c.OldMode&0o170000 != c.NewMode&0o170000 {
		return 'T'
	}
	return 'M'
}

// shownOnly wraps a walk's callback for walks that, as git log's under
// --follow or --diff-filter (always_show_header off), show only the
// commits with changes left: the filter applied, a commit without changes
// is not given to fn, and MaxCount counts the commits given (git's log
// gives back the count of a commit it walked but did not show), unless
// Reverse, where git counted while it walked (the walk then counts).
func shownOnly(opts Options, fn func(*Commit) error) func(*Commit) error {
	limit := 0
	if !opts.Reverse {
		limit = opts.MaxCount
	}
	filter := opts.DiffFilter
	n := 0
	return func(c *Commit) error {
		if !filter.IsZero() {
			c.Changes = filter.keep(c.Changes)
		}
		if len(c.Changes) == 0 {
			return nil
		}
		n++
		if err := fn(c); err != nil {
			return err
		}
		if limit > 0 && n >= limit {
			return ErrStop
		}
		return nil
	}
}
