package walker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gitwalk/gitwalk/internal/config"
)

// submoduleRule is which gitlinks' changes git log leaves out (diff.c
// is_submodule_ignored): those of every submodule under
// diff.ignoreSubmodules=all, unless its own ignore setting says otherwise,
// and those of a submodule whose setting is all. A submodule's setting is
// submodule.<name>.ignore from the config, else its ignore in .gitmodules,
// which maps its path to its name: git reads the work tree's file, else
// (the file gone from the work tree) HEAD's, and none in a bare repository
// (submodule-config.c config_from_gitmodules; gitwalk does not read the
// index, whose .gitmodules git would read between the two).
type submoduleRule struct {
	all    bool            // diff.ignoreSubmodules=all
	except map[string]bool // paths whose own setting differs from all's answer: ignored when !all, kept when all
	err    error           // .gitmodules could not be read: said when a gitlink changes
}

// none says no gitlink's change is ever left out.
func (s *submoduleRule) none() bool { return !s.all && len(s.except) == 0 && s.err == nil }

// ignored says whether a change of the gitlink at path is left out.
func (s *submoduleRule) ignored(path string) (bool, error) {
	if s.err != nil {
		return false, s.err
	}
	return s.all != s.except[path], nil
}

// fingerprint names the rule for the store's key: the paths whose changes
// are left out, or all but those kept.
func (s *submoduleRule) fingerprint() string {
	if s.none() {
		return ""
	}
	paths := make([]string, 0, len(s.except))
	for p := range s.except {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return fmt.Sprintf("ignore-submodules all=%v except=%q err=%v", s.all, paths, s.err != nil)
}

// submodulesFor returns the rule of a walk with opts: the repository's,
// or Options.IgnoreSubmodules', which overrides every setting (git's
// override_submodule_config).
func (r *Repo) submodulesFor(opts *Options) *submoduleRule {
	if opts.IgnoreSubmodules != "" {
		return &submoduleRule{all: opts.IgnoreSubmodules == "all"}
	}
	return r.submodules()
}

// submodules returns the repository's rule, read once.
func (r *Repo) submodules() *submoduleRule {
	r.submodulesOnce.Do(func() { r.submoduleRule = r.readSubmoduleRule() })
	return r.submoduleRule
}

func (r *Repo) readSubmoduleRule() *submoduleRule {
	s := &submoduleRule{all: r.cfg.IgnoreSubmodules == "all"}
	if r.workTree == "" {
		return s
	}
	data, err := os.ReadFile(filepath.Join(r.workTree, ".gitmodules"))
	if errors.Is(err, fs.ErrNotExist) {
		var ok, blob bool
		data, ok, blob, err = r.readBlobNamed("HEAD:.gitmodules", "gitmodules")
		if err == nil && (!ok || !blob) {
			return s
		}
	}
	if err != nil {
		s.err = fmt.Errorf("read .gitmodules: %w", err)
		return s
	}
	subs, err := config.ParseGitmodules(data)
	if err != nil {
		s.err = fmt.Errorf(".gitmodules: %w", err)
		return s
	}
	for _, sub := range subs {
		if sub.Path == "" {
			continue
		}
		setting := sub.Ignore
		if v, ok := r.cfg.SubmoduleIgnore[sub.Name]; ok {
			setting = v
		}
		if setting == "" {
			continue // the default stands (no unmerged .gitmodules: gitwalk reads no index)
		}
		if ign := setting == "all"; ign != s.all {
			if s.except == nil {
				s.except = map[string]bool{}
			}
			s.except[strings.TrimSuffix(sub.Path, "/")] = true
		}
	}
	return s
}
