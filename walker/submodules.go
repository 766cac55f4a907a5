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
	"github.com/gitwalk/gitwalk/internal/index"
	"github.com/gitwalk/gitwalk/internal/odb"
)

// submoduleRule is which gitlinks' changes git log leaves out (diff.c
// is_submodule_ignored): those of every submodule under
// diff.ignoreSubmodules=all, unless its own ignore setting says otherwise,
// and those of a submodule whose setting is all. A submodule's setting is
// submodule.<name>.ignore from the config, else its ignore in .gitmodules,
// which maps its path to its name: git reads the work tree's file, else
// (the file gone from the work tree) the index's, else HEAD's, and none in
// a bare repository or when the index holds .gitmodules in conflict
// (submodule-config.c config_from_gitmodules, repo_read_gitmodules).
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
	// git reads the index first: a .gitmodules in conflict there gives no
	// settings at all (repo_read_gitmodules).
	ie, err := index.Lookup(r.indexFile(), ".gitmodules")
	if err != nil {
		s.err = fmt.Errorf("read the index for .gitmodules: %w", err)
		return s
	}
	if ie.Unmerged {
		return s
	}
	data, err := os.ReadFile(filepath.Join(r.workTree, ".gitmodules"))
	if errors.Is(err, fs.ErrNotExist) {
		var ok, blob bool
		if ie.Found {
			var typ odb.Type
			typ, data, err = r.db.NewReader().Read(ie.ID, nil)
			if err != nil {
				err = fmt.Errorf("the index's %s: %w", odb.ID(ie.ID), err)
			} else if typ != odb.Blob {
				return s // git reads no config from what is no blob
			}
		} else if data, ok, blob, err = r.readBlobNamed("HEAD:.gitmodules", "gitmodules"); err == nil && (!ok || !blob) {
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
			continue // the default stands
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

// indexFile is the index git reads: GIT_INDEX_FILE (from the folder run
// in, when relative), else the git folder's index (a linked worktree's
// own).
func (r *Repo) indexFile() string {
	if f := os.Getenv("GIT_INDEX_FILE"); f != "" {
		if abs, err := filepath.Abs(f); err == nil {
			return abs
		}
		return f
	}
	return filepath.Join(r.gitDir, "index")
}
