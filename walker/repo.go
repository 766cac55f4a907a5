package walker

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gitwalk/gitwalk/internal/attributes"
	"github.com/gitwalk/gitwalk/internal/commitgraph"
	"github.com/gitwalk/gitwalk/internal/config"
	"github.com/gitwalk/gitwalk/internal/mailmap"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/pathspec"
	"github.com/gitwalk/gitwalk/internal/refs"
)

// ErrNotRepository is returned by Open when neither the path nor any folder
// above it is a git repository.
var ErrNotRepository = errors.New("not a git repository")

// Repo is an open repository: where its git directory and work tree are, its
// object database and the configuration that changes what gitwalk prints.
// A Repo is safe for concurrent use by several walks. Close releases it.
type Repo struct {
	gitDir    string // the repository's own git directory (HEAD lives here)
	commonDir string // where objects and refs live (differs in linked worktrees)
	workTree  string // "" for a bare repository
	db        *odb.DB
	cfg       config.Config
	attrs     *attributes.Diff

	graphOnce sync.Once          // the commit-graph, opened by the first walk that may use it
	graph     *commitgraph.Graph // nil: none, or not usable (graphNote says why)
	graphNote string

	digestOnce sync.Once // the attributes' digest, for a store's fingerprint
	digest     [32]byte
	digestErr  error

	mailmapOnce sync.Once // the mailmap SharedMailmap reads once
	mailmap     *mailmap.Map
	mailmapErr  error

	submodulesOnce sync.Once // which gitlinks' changes are left out (submodules.go)
	submoduleRule  *submoduleRule

	lineStore *Store // UseStore: where LineCounts keeps what it read of blobs
}

// Open opens the repository at path the way git finds it: path may be a
// work tree, any folder inside one, a bare repository (with or without a
// config file), or a .git directory. Nothing in the repository is written.
func Open(path string) (*Repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("open %s: not a directory", path)
	}
	gitDir, workTree, err := discover(abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r := &Repo{gitDir: gitDir, commonDir: refs.CommonDir(gitDir), workTree: workTree}
	if r.cfg, err = config.Load(r.gitDir, r.commonDir); err != nil {
		return nil, err
	}
	if r.db, err = odb.Open(r.commonDir); err != nil {
		return nil, fmt.Errorf("open objects of %s: %w", r.gitDir, err)
	}
	var attrOpts []attributes.Option
	if r.cfg.IgnoreCase {
		attrOpts = append(attrOpts, attributes.IgnoreCase())
	}
	r.attrs = attributes.New(r.workTree, r.commonDir, r.cfg.AttributesFile, attrOpts...)
	return r, nil
}

// Close releases the object database. Walks in progress must have ended.
func (r *Repo) Close() error {
	if r.graph != nil {
		r.graph.Close()
	}
	return r.db.Close()
}

// GitDir returns the repository's git directory.
func (r *Repo) GitDir() string { return r.gitDir }

// WorkTree returns the work tree's top folder, or "" for a bare repository.
func (r *Repo) WorkTree() string { return r.workTree }

// discover walks up from dir as git's setup_git_directory does: at each level
// a ".git" entry (directory, or file naming one) wins, then the folder itself
// as a bare repository.
func discover(dir string) (gitDir, workTree string, err error) {
	for d := dir; ; {
		dotgit := filepath.Join(d, ".git")
		if fi, err := os.Stat(dotgit); err == nil {
			if fi.IsDir() && isGitDir(dotgit) {
				return dotgit, d, nil
			}
			if fi.Mode().IsRegular() {
				if target, err := readGitFile(dotgit); err == nil && isGitDir(target) {
					return target, d, nil
				}
			}
		}
		if isGitDir(d) {
			return d, "", nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", "", ErrNotRepository
		}
		d = parent
	}
}

// readGitFile reads a ".git" file ("gitdir: PATH"), as in linked worktrees and
// submodules; a relative PATH is relative to the file's folder.
func readGitFile(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	line := strings.TrimSpace(string(data))
	target, ok := strings.CutPrefix(line, "gitdir:")
	if !ok {
		return "", fmt.Errorf("%s: not a gitdir file", file)
	}
	target = strings.TrimSpace(target)
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(file), target)
	}
	return filepath.Clean(target), nil
}

// isGitDir is git's is_git_directory: a HEAD that is a symbolic ref or an id,
// and objects/ and refs/ folders (in the common dir of a linked worktree).
func isGitDir(dir string) bool {
	head, err := os.ReadFile(filepath.Join(dir, "HEAD"))
	if err != nil {
		if target, lerr := os.Readlink(filepath.Join(dir, "HEAD")); lerr == nil && strings.HasPrefix(target, "refs/") {
			head = []byte("ref: " + target)
		} else {
			return false
		}
	}
	head = bytes.TrimSpace(head)
	if !bytes.HasPrefix(head, []byte("ref: refs/")) {
		if _, err := odb.ParseID(string(head)); err != nil {
			return false
		}
	}
	common := refs.CommonDir(dir)
	for _, sub := range []string{"objects", "refs"} {
		if fi, err := os.Stat(filepath.Join(common, sub)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// QuotePath reports git's core.quotePath for this repository (true unless
// the config turns it off): whether paths with bytes of 0x80 and above are
// printed C-quoted.
func (r *Repo) QuotePath() bool { return r.cfg.QuotePath }

// LogFollow reports git's log.follow for this repository: whether git log
// follows a walk limited to a single path through its renames, as with
// --follow (Options.Follow).
func (r *Repo) LogFollow() bool { return r.cfg.LogFollow }

// FollowsByDefault reports whether git log would follow the walk opts
// names without being told (no --follow or --no-follow): log.follow is
// set and the pathspec is one item, not an exclude (git's pathspec count:
// an exclude alone brings an item that matches everything).
func (r *Repo) FollowsByDefault(opts Options) bool {
	if !r.cfg.LogFollow {
		return false
	}
	ps, err := pathspec.Parse(opts.Paths, opts.PathPrefix)
	return err == nil && ps.One()
}

// DiffRelative reports git's diff.relative for this repository: whether
// git log run from a folder inside the work tree shows only the changes
// under it, with paths relative to it, as with --relative
// (Options.Relative).
func (r *Repo) DiffRelative() bool { return r.cfg.DiffRelative }
