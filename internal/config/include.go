package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/gitwalk/gitwalk/internal/pathspec"
)

// maxIncludeDepth is git's MAX_INCLUDE_DEPTH: includes nested deeper are
// an error (a file that includes itself, in git's words "circular
// includes").
const maxIncludeDepth = 10

// reader reads config files with their includes, as git log does
// (git_config_include in config.c, git 2.39): after each variable,
// include.path names a file read in its place, and includeIf.<cond>.path
// one read when the condition holds. Conditions: gitdir: and gitdir/i:
// (a pattern the repository's git folder matches), onbranch: (a pattern
// the branch HEAD names matches), hasconfig:remote.*.url: (a pattern some
// remote's URL matches, anywhere in the configuration); any other is false.
type reader struct {
	gitDir string
	// urls are the configuration's remote.*.url values, read once a
	// hasconfig: condition asks; collecting says this reader is the one
	// reading them, for which hasconfig: conditions hold (git's
	// unconditional_remote_url).
	urls       []string
	haveURLs   bool
	collecting bool
	sources    []source // the configuration's sources, for the URLs' reading
}

// source is one place variables come from: a file, or (file "") the
// command line's, which git takes from its environment (see envEntries).
type source struct {
	file   string
	env    []entry
	global bool // a global file: one this user may not read is skipped
}

// where names a source in errors.
func (s source) where() string {
	if s.file == "" {
		return "the command line (GIT_CONFIG_COUNT, GIT_CONFIG_PARAMETERS)"
	}
	return s.file
}

// readSource calls fn with every variable of src and of the files it
// includes, in order.
func (r *reader) readSource(src source, fn func(entry, string) error) error {
	if src.file == "" {
		return r.entries(src.env, "", 0, false, fn)
	}
	return r.read(src.file, 0, false, src.global, fn)
}

// read calls fn with every variable of file and of the files it includes,
// in order. forbid says file was included by a hasconfig: condition while
// the URLs are read: it may set no remote URL (git dies on one). global
// says file is a global one (source.global).
//
// A file that does not exist is skipped, as git skips it (access_or_die:
// ENOENT, ENOTDIR), and so is a global file this user may not read
// (EACCES). git dies on any other file it cannot read: the
// system's or the repository's when not permitted, a folder where a file
// should be, an include that cannot be read ("unable to access"); so does
// this, with an error, rather than count under other settings.
func (r *reader) read(file string, depth int, forbid, global bool, fn func(entry, string) error) error {
	text, err := readFile(file)
	if err != nil {
		if skipUnread(err, global) {
			return nil
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once
		}
		return fmt.Errorf("read config %s: %w", file, err)
	}
	entries, err := parse(text)
	if err != nil {
		return fmt.Errorf("read config %s: %w", file, err)
	}
	return r.entries(entries, file, depth, forbid, fn)
}

// skipUnread says whether a config file that could not be read is
// skipped, as git skips it: one missing, or, for a global file (global), one
// this user may not read.
func skipUnread(err error, global bool) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) ||
		global && errors.Is(err, fs.ErrPermission)
}

// maxConfigSize is the most of a config file read: git refuses a file
// past INT_MAX bytes; a file that never ends (an include of /dev/zero, a
// pipe) must not read forever.
const maxConfigSize = 64 << 20

var errTooLarge = fmt.Errorf("larger than %d MiB", maxConfigSize>>20)

// readFile reads a config file whole, up to maxConfigSize.
func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, err
	}
	if len(text) > maxConfigSize {
		return nil, errTooLarge
	}
	return text, nil
}

// entries calls fn with each of the variables of from (a file, or "" for
// the command line) and reads the files their includes name.
func (r *reader) entries(entries []entry, from string, depth int, forbid bool, fn func(entry, string) error) error {
	where := source{file: from}.where()
	for _, e := range entries {
		if forbid && e.section == "remote" && e.hasSub && e.key == "url" {
			return fmt.Errorf("config %s: remote URLs cannot be set in a file included by includeIf.hasconfig:remote.*.url", where)
		}
		if err := fn(e, from); err != nil {
			return err
		}
		var include bool
		switch {
		case e.is("include", "path"):
			include = true
		case e.section == "includeif" && e.hasSub && e.key == "path":
			ok, err := r.holds(e.subsection, from)
			if err != nil {
				return err
			}
			include = ok
		}
		if !include {
			continue
		}
		if e.noValue {
			return fmt.Errorf("config %s: %s has no value", where, e.name())
		}
		path, err := r.includePath(e.value, from)
		if err != nil {
			return err
		}
		if depth+1 > maxIncludeDepth {
			return fmt.Errorf("config %s: includes nest more than %d deep, including %s (circular includes?)", where, maxIncludeDepth, path)
		}
		hasconfig := e.section == "includeif" && strings.HasPrefix(e.subsection, "hasconfig:")
		if err := r.read(path, depth+1, forbid || r.collecting && hasconfig, false, fn); err != nil {
			return err
		}
	}
	return nil
}

// includePath is an include's file: ~ expanded, and a relative path taken
// from the folder of the file that includes it (handle_path_include).
func (r *reader) includePath(path, from string) (string, error) {
	p, err := interpolate(path)
	if err != nil {
		return "", fmt.Errorf("config %s: %w", source{file: from}.where(), err)
	}
	if !filepath.IsAbs(p) {
		if from == "" {
			return "", fmt.Errorf("config %s: relative config includes must come from files (%s)", source{}.where(), path)
		}
		p = filepath.Join(filepath.Dir(from), p)
	}
	return p, nil
}

// errPrefix is interpolate's error for a path that starts with %(prefix)/.
var errPrefix = errors.New("%(prefix)/ is the folder git was installed in, which gitwalk does not know (write the path itself)")

// interpolate expands a leading ~/ (the home folder) or ~user/ as git's
// interpolate_path does, for include paths and the settings git reads as
// paths (git_config_pathname: core.attributesFile, mailmap.file,
// blame.ignoreRevsFile); a user it cannot find is an error, as in git.
// git also reads a leading %(prefix)/ as the folder it was installed in
// (/usr for Debian's git: `git config --type=path` prints /usr/etc/x for
// %(prefix)/etc/x), which gitwalk, which does not run git, cannot know:
// that is an error too, rather than a path that names another file.
func interpolate(path string) (string, error) {
	if strings.HasPrefix(path, "%(prefix)/") {
		return "", fmt.Errorf("could not expand %q: %w", path, errPrefix)
	}
	if !strings.HasPrefix(path, "~") {
		return path, nil
	}
	name, _, _ := strings.Cut(path[1:], "/")
	var home string
	if name == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("could not expand %q: no home folder", path)
		}
		home = h
	} else {
		u, err := user.Lookup(name)
		if err != nil {
			return "", fmt.Errorf("could not expand %q: %v", path, err)
		}
		home = u.HomeDir
	}
	// What follows the name is kept as written, a trailing slash too.
	return home + path[1+len(name):], nil
}

// holds says whether an includeIf condition holds
// (include_condition_is_true).
func (r *reader) holds(cond, from string) (bool, error) {
	if pat, ok := strings.CutPrefix(cond, "gitdir:"); ok {
		return r.gitDirMatches(pat, from, false)
	}
	if pat, ok := strings.CutPrefix(cond, "gitdir/i:"); ok {
		return r.gitDirMatches(pat, from, true)
	}
	if pat, ok := strings.CutPrefix(cond, "onbranch:"); ok {
		return r.onBranch(pat), nil
	}
	if pat, ok := strings.CutPrefix(cond, "hasconfig:remote.*.url:"); ok {
		if r.collecting {
			return true, nil
		}
		if err := r.readURLs(); err != nil {
			return false, err
		}
		for _, u := range r.urls {
			if pathspec.Wildmatch(pat, u, true) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, nil // unknown conditions are false
}

// gitDirMatches is gitdir: (and, with fold, gitdir/i:): the pattern with
// ~ expanded, ./ standing for the including file's folder, **/ before a
// relative pattern and ** after one that ends in /, matched against the
// git folder's real path, then against its absolute path (include_by_path,
// prepare_include_condition_pattern).
func (r *reader) gitDirMatches(pat, from string, fold bool) (bool, error) {
	if r.gitDir == "" {
		return false, nil
	}
	// A user git cannot find leaves the pattern as written, as in git.
	p, err := interpolate(pat)
	switch {
	case errors.Is(err, errPrefix):
		return false, fmt.Errorf("config %s: includeIf gitdir: %w", source{file: from}.where(), err)
	case err == nil:
		pat = p
	}
	prefix := 0
	switch {
	case strings.HasPrefix(pat, "./"):
		if from == "" {
			return false, fmt.Errorf("config %s: relative config include conditionals must come from files (%s)", source{}.where(), pat)
		}
		real, err := realPath(from)
		if err != nil {
			return false, fmt.Errorf("config %s: %w", from, err)
		}
		dir := filepath.Dir(real)
		pat = dir + pat[1:]
		prefix = len(dir) + 1
	case !filepath.IsAbs(pat):
		pat = "**/" + pat
	}
	if strings.HasSuffix(pat, "/") {
		pat += "**"
	}
	match := func(text string) bool {
		p := pat
		if fold {
			p, text = strings.ToLower(p), strings.ToLower(text)
		}
		if prefix > 0 && (len(text) < prefix || p[:prefix] != text[:prefix]) {
			return false
		}
		return pathspec.Wildmatch(p[prefix:], text[prefix:], true)
	}
	if real, err := realPath(r.gitDir); err == nil && match(real) {
		return true, nil
	}
	abs, err := filepath.Abs(r.gitDir)
	return err == nil && match(abs), nil
}

func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// onBranch is onbranch:: the branch HEAD names, without refs/heads/,
// matches the pattern (** added after a trailing /). A detached HEAD
// matches nothing.
func (r *reader) onBranch(pat string) bool {
	head, err := os.ReadFile(filepath.Join(r.gitDir, "HEAD"))
	if err != nil {
		return false
	}
	ref, ok := strings.CutPrefix(strings.TrimRight(string(head), "\r\n"), "ref: ")
	if !ok {
		return false
	}
	branch, ok := strings.CutPrefix(strings.TrimSpace(ref), "refs/heads/")
	if !ok {
		return false
	}
	if strings.HasSuffix(pat, "/") {
		pat += "**"
	}
	return pathspec.Wildmatch(pat, branch, true)
}

// readURLs reads every remote.*.url of the configuration once, with
// hasconfig: conditions holding (populate_remote_urls).
func (r *reader) readURLs() error {
	if r.haveURLs {
		return nil
	}
	r.haveURLs = true
	c := reader{gitDir: r.gitDir, collecting: true}
	for _, src := range r.sources {
		err := c.readSource(src, func(e entry, _ string) error {
			if e.section == "remote" && e.hasSub && e.key == "url" && !e.noValue {
				r.urls = append(r.urls, e.value)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
