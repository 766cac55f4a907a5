package cli

import (
	"fmt"
	"strings"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// extraFlag is one command-specific flag taken out of the arguments before
// parseAnalysisArgs sees them: a switch (set is called with "") or, when
// hasValue, a flag with a value given as --name=V or --name V.
type extraFlag struct {
	name     string
	hasValue bool
	// only, when set, takes the flag only with this value: with any other
	// (or none) it is left in the arguments, for the shared flag of the
	// same name (identities' --format mailmap beside --format F).
	only string
	set  func(v string) error
}

// takeExtraFlags removes the flags of extra from args (up to a "--") and
// returns the rest in order.
func takeExtraFlags(args []string, extra []extraFlag) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			return append(rest, args[i:]...), nil
		}
		matched := false
		for _, f := range extra {
			if !f.hasValue {
				if arg == f.name {
					matched = true
					if err := f.set(""); err != nil {
						return nil, err
					}
				}
				continue
			}
			var v string
			if val, ok := strings.CutPrefix(arg, f.name+"="); ok {
				v = val
			} else if arg == f.name && f.only != "" {
				if i+1 >= len(args) || args[i+1] != f.only {
					continue
				}
				i++
				v = args[i]
			} else if arg == f.name {
				if i+1 >= len(args) {
					return nil, usagef("option %s needs a value", f.name)
				}
				i++
				v = args[i]
			} else {
				continue
			}
			if f.only != "" && v != f.only {
				continue
			}
			matched = true
			if err := f.set(v); err != nil {
				return nil, err
			}
		}
		if !matched {
			rest = append(rest, arg)
		}
	}
	return rest, nil
}

// intFlag is a flag taking a number of 0 or more.
func intFlag(name string, dst *int) extraFlag {
	return extraFlag{name: name, hasValue: true, set: func(v string) (err error) {
		*dst, err = nonNegative(name, v)
		return err
	}}
}

// boolFlag is a switch.
func boolFlag(name string, dst *bool) extraFlag {
	return extraFlag{name: name, set: func(string) error { *dst = true; return nil }}
}

// noReverse refuses --reverse for the analyses that size files at the walk's
// first commit: with --reverse that would be the oldest one.
func noReverse(w *walkArgs, cmd string) error {
	if w.opts.Reverse {
		return usagef("%s does not take --reverse: it measures files at the walk's first commit, which --reverse would make the oldest", cmd)
	}
	return nil
}

// mailmapFor returns the repository's mailmap unless noMailmap, warning on
// stderr about a source it cannot read, as git does.
func mailmapFor(ios *iostreams, repo *walker.Repo, noMailmap bool) analysis.Mailmap {
	if noMailmap {
		return nil
	}
	mm, err := repo.SharedMailmap()
	if err != nil {
		fmt.Fprintf(ios.errOut, "gitwalk: warning: %v\n", err)
	}
	if mm == nil {
		return nil // a nil interface, not an interface holding a nil *Map
	}
	return mm
}
