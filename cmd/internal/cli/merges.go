package cli

import (
	"strings"
)

// setDiffMerges reads --diff-merges: the forms of git's option that gitwalk
// computes. git's other forms (combined, dense-combined, separate) diff a
// merge against each parent and have no single numstat row per file.
func (w *walkArgs) setDiffMerges(v string) error {
	switch v {
	case "first-parent", "1":
		// git's set_first_parent also turns history simplification off,
		// and a later --diff-merges=off does not turn it on again.
		w.opts.DiffMerges, w.opts.FullHistory = true, true
	case "off", "none":
		w.opts.DiffMerges = false
	default:
		return usagef("--diff-merges=%s: gitwalk implements first-parent and off", v)
	}
	return nil
}

// mergePolicy is how the analyses count merge commits (--merges).
type mergePolicy uint8

const (
	// mergesExclude leaves merges out (the default): a merge's changes are
	// its branch's, already counted on the branch.
	mergesExclude mergePolicy = iota
	// mergesFirstParent follows first parents only (git's --first-parent):
	// each merge stands for its whole branch, diffed against parent 1, and
	// the branch's own commits are not walked.
	mergesFirstParent
	// mergesInclude walks every commit, and each merge counts once with its
	// changes against its first parent (--diff-merges=first-parent).
	mergesInclude
)

var mergePolicyNames = [...]string{mergesExclude: "exclude", mergesFirstParent: "first-parent", mergesInclude: "include"}

func (p mergePolicy) String() string { return mergePolicyNames[p] }

func parseMergePolicy(v string) (mergePolicy, error) {
	for p, name := range mergePolicyNames {
		if v == name {
			return mergePolicy(p), nil
		}
	}
	return 0, usagef("--merges %q: want %s", v, strings.Join(mergePolicyNames[:], ", "))
}

// apply sets the walk options the policy stands for.
func (p mergePolicy) apply(w *walkArgs) {
	switch p {
	case mergesExclude:
		w.opts.NoMerges, w.opts.FirstParent, w.opts.DiffMerges = true, false, false
	case mergesFirstParent:
		w.opts.NoMerges, w.opts.FirstParent, w.opts.DiffMerges = false, true, true
	case mergesInclude:
		w.opts.NoMerges, w.opts.FirstParent, w.opts.DiffMerges = false, false, true
	}
}
