package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultBigFileThreshold is git's core.BigFileThreshold default: blobs larger
// than this are binary without being read (diff.c, diff_filespec_is_binary).
const DefaultBigFileThreshold = 512 << 20

// Config holds the settings that change what `git log --numstat` prints, read
// from the same files git reads, in git's order (system, global, repository;
// a later file wins).
type Config struct {
	QuotePath        bool
	BigFileThreshold int64
	AttributesFile   string // core.AttributesFile, "" when unset
	DiffAlgorithm    string // diff.algorithm, "" when unset
	ShowRoot         bool   // log.ShowRoot
	DiffContextZero  bool   // diff.context=0 changes counts (trim_common_tail)
	OrderFile        string // diff.OrderFile changes line order
	BinaryDrivers    map[string]bool
	MailmapFile      string // mailmap.file, "" when unset
	MailmapBlob      string // mailmap.blob, "" when unset

	// IgnoreRevsFiles are blame.ignoreRevsFile's values, in order.
	IgnoreRevsFiles []string

	// Renames is diff.renames as git log reads it (git_config_rename):
	// RenamesUnset when the key is absent (git log then detects renames),
	// else RenamesOff, RenamesOn or RenamesCopies.
	Renames Renames
	// RenameLimit is diff.renameLimit; RenameLimitSet says whether it was
	// given (git's default, 1000, applies otherwise). A value of 0 or less
	// means no limit.
	RenameLimit    int
	RenameLimitSet bool

	// PromisorRemote names a promisor remote, one that can supply the
	// objects a partial clone lacks (promisor-remote.c): the repository's
	// extensions.partialClone, else the first remote whose
	// remote.<name>.promisor is true; "" when there is none.
	PromisorRemote string
	// OriginURL is remote.origin.url (its first value): the repository's
	// name wherever it is cloned, "" when it has no origin.
	OriginURL string

	// CommitGraph is core.commitGraph (default true): whether git reads
	// the commit-graph file.
	CommitGraph bool
	// ReadChangedPaths is commitGraph.readChangedPaths (default true):
	// whether git reads the graph's changed-path Bloom filters.
	ReadChangedPaths bool
	// IgnoreCase is core.ignoreCase (default false; git init and clone set
	// it on a file system that ignores case): attribute patterns then match
	// paths whatever their case.
	IgnoreCase bool
	// IgnoreSubmodules is diff.ignoreSubmodules ("" when unset; else all,
	// dirty, untracked or none), and SubmoduleIgnore each submodule's
	// submodule.<name>.ignore, by name: with "all", git log leaves out the
	// changes of a submodule's gitlink (diff.c is_submodule_ignored).
	IgnoreSubmodules string
	SubmoduleIgnore  map[string]string
	// LogFollow is log.follow: git log then follows a walk limited to one
	// path through its renames, as with --follow.
	LogFollow bool
	// DiffRelative is diff.relative: git log run from a folder inside the
	// work tree then shows only the changes under it, with paths relative
	// to it, as with --relative.
	DiffRelative bool

	commonDir string // whose config file is the repository's own
}

// Renames is the value of diff.renames.
type Renames uint8

// The values diff.renames can take.
const (
	RenamesUnset Renames = iota
	RenamesOff
	RenamesOn
	RenamesCopies
)

// configFiles lists the files git reads for a repository, lowest
// precedence first: the system's, the global ones (XDG's and the home
// folder's, or GIT_CONFIG_GLOBAL alone) and the repository's own.
func configFiles(commonDir string) []source {
	var files []source
	if os.Getenv("GIT_CONFIG_NOSYSTEM") == "" {
		sys := os.Getenv("GIT_CONFIG_SYSTEM")
		if sys == "" {
			sys = "/etc/gitconfig"
		}
		files = append(files, source{file: sys})
	}
	if g := os.Getenv("GIT_CONFIG_GLOBAL"); g != "" {
		files = append(files, source{file: g, global: true})
	} else {
		home, _ := os.UserHomeDir()
		xdg := os.Getenv("XDG_CONFIG_HOME")
		if xdg == "" && home != "" {
			xdg = filepath.Join(home, ".config")
		}
		if xdg != "" {
			files = append(files, source{file: filepath.Join(xdg, "git", "config"), global: true})
		}
		if home != "" {
			files = append(files, source{file: filepath.Join(home, ".gitconfig"), global: true})
		}
	}
	return append(files, source{file: filepath.Join(commonDir, "config")})
}

// Load reads the configuration of the repository whose git folder is
// gitDir and common folder commonDir (the same but in a linked worktree),
// with the files each includes (include.path, includeIf.<cond>.path: see
// reader). Missing files are skipped, as git skips them, and so is a global
// file this user may not read; any other file that cannot be read, does not
// parse or holds a bad value is an error naming the file, as git dies on
// it (see reader.read).
func Load(gitDir, commonDir string) (Config, error) {
	c := Config{QuotePath: true, BigFileThreshold: DefaultBigFileThreshold, ShowRoot: true, CommitGraph: true, ReadChangedPaths: true, commonDir: commonDir}
	r, err := newReader(gitDir, commonDir)
	if err != nil {
		return c, err
	}
	own := filepath.Join(commonDir, "config")
	for _, src := range r.sources {
		err := r.readSource(src, func(e entry, in string) error {
			return c.apply(e, in, in == own)
		})
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

// newReader returns a reader of the repository's sources in git's order
// (do_git_config_sequence): the system, global and repository files, the
// worktree's config.worktree when extensions.worktreeConfig says so, and
// the command line's variables (envEntries).
func newReader(gitDir, commonDir string) (*reader, error) {
	r := &reader{gitDir: gitDir}
	r.sources = append(r.sources, configFiles(commonDir)...)
	if worktreeConfig(filepath.Join(commonDir, "config")) {
		r.sources = append(r.sources, source{file: filepath.Join(gitDir, "config.worktree")})
	}
	env, err := envEntries()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(env) > 0 {
		r.sources = append(r.sources, source{env: env})
	}
	return r, nil
}

// stringSetting are the settings Config reads whose value is a string or
// a path, which a key given without a value cannot be.
var stringSetting = map[string]bool{
	"core.attributesfile": true, "diff.algorithm": true, "diff.orderfile": true, "mailmap.file": true,
	"mailmap.blob": true, "blame.ignorerevsfile": true, "extensions.partialclone": true,
	"diff.ignoresubmodules": true,
}

// worktreeConfig says whether the repository's own config file sets
// extensions.worktreeConfig, which has git read the worktree's
// config.worktree after it (git reads extensions from that file alone,
// without its includes; this one in format version 0 too).
func worktreeConfig(own string) bool {
	text, err := readFile(own)
	if err != nil || !strings.Contains(strings.ToLower(string(text)), "worktreeconfig") {
		return false
	}
	entries, err := parse(text)
	if err != nil {
		return false // Load reports the file
	}
	on := false
	for _, e := range entries {
		if e.is("extensions", "worktreeconfig") {
			on, _ = parseBool(e.value)
		}
	}
	return on
}

// apply sets what one variable of file says; own says file is the
// repository's own config file, the one git reads extensions from (not
// the files it includes).
func (c *Config) apply(e entry, file string, own bool) error {
	var err error
	v := e.value
	if e.noValue && !e.hasSub && stringSetting[e.section+"."+e.key] {
		// A key without '=' is a boolean true; git refuses it where it
		// wants a string or a path (config_error_nonbool).
		return fmt.Errorf("config %s: missing value for %s", source{file: file}.where(), e.name())
	}
	switch {
	case !e.hasSub:
		switch e.section + "." + e.key {
		case "core.quotepath":
			c.QuotePath, err = parseBool(v)
		case "core.bigfilethreshold":
			c.BigFileThreshold, err = parseSize(v)
		case "core.commitgraph":
			c.CommitGraph, err = parseBool(v)
		case "commitgraph.readchangedpaths":
			c.ReadChangedPaths, err = parseBool(v)
		case "core.ignorecase":
			c.IgnoreCase, err = parseBool(v)
		case "diff.ignoresubmodules":
			c.IgnoreSubmodules, err = parseIgnoreSubmodules(v)
		case "core.attributesfile":
			c.AttributesFile, err = interpolate(v)
		case "diff.algorithm":
			c.DiffAlgorithm = strings.ToLower(v)
		case "diff.context":
			c.DiffContextZero = strings.TrimSpace(v) == "0"
		case "diff.orderfile":
			c.OrderFile = v
		case "mailmap.file":
			c.MailmapFile, err = interpolate(v)
		case "mailmap.blob":
			c.MailmapBlob = v
		case "blame.ignorerevsfile":
			c.IgnoreRevsFiles, err = appendIgnoreRevsFile(c.IgnoreRevsFiles, v)
		case "diff.renames":
			c.Renames, err = parseRenames(v)
		case "diff.renamelimit":
			var n int64
			if n, err = parseSize(v); err == nil {
				c.RenameLimit, c.RenameLimitSet = int(n), true
			}
		case "log.showroot":
			c.ShowRoot, err = parseBool(v)
		case "log.follow":
			c.LogFollow, err = parseBool(v)
		case "diff.relative":
			c.DiffRelative, err = parseBool(v)
		case "extensions.partialclone":
			if own {
				c.PromisorRemote = v
			}
		}
	default:
		switch e.section + "." + e.key {
		case "remote.url":
			// The first URL of origin, as git fetches from remote->url[0]:
			// what names the repository wherever it is cloned.
			if e.subsection == "origin" && c.OriginURL == "" && !e.noValue {
				c.OriginURL = v
			}
		case "remote.promisor":
			if c.PromisorRemote == "" {
				if b, err := parseBool(v); err == nil && b {
					c.PromisorRemote = e.subsection
				}
			}
		case "submodule.ignore":
			// git reads it with repo_config_get_string_tmp: a key without
			// '=' is no value, and the .gitmodules one stands.
			if !e.noValue {
				if _, err = parseIgnoreSubmodules(v); err == nil {
					if c.SubmoduleIgnore == nil {
						c.SubmoduleIgnore = map[string]string{}
					}
					c.SubmoduleIgnore[e.subsection] = v
				}
			}
		case "diff.binary":
			var b bool
			if b, err = parseBool(v); err == nil {
				if c.BinaryDrivers == nil {
					c.BinaryDrivers = map[string]bool{}
				}
				c.BinaryDrivers[e.subsection] = b
			}
		}
	}
	if err != nil {
		return fmt.Errorf("config %s: bad value %q for %s: %w", source{file: file}.where(), v, e.name(), err)
	}
	return nil
}

// parseBool reads a git boolean; a key given with no value is true.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		return n != 0, nil
	}
	return false, fmt.Errorf("not a boolean")
}

// parseRenames reads diff.renames: a boolean, or "copies"/"copy" in any case
// (git_config_rename in diff.c).
func parseRenames(v string) (Renames, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "copies", "copy":
		return RenamesCopies, nil
	}
	on, err := parseBool(v)
	if err != nil {
		return RenamesUnset, err
	}
	if on {
		return RenamesOn, nil
	}
	return RenamesOff, nil
}

// parseSize reads a git size with an optional k, m or g suffix.
func parseSize(v string) (int64, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	mult := int64(1)
	switch {
	case strings.HasSuffix(v, "k"):
		mult, v = 1<<10, v[:len(v)-1]
	case strings.HasSuffix(v, "m"):
		mult, v = 1<<20, v[:len(v)-1]
	case strings.HasSuffix(v, "g"):
		mult, v = 1<<30, v[:len(v)-1]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not a size")
	}
	return n * mult, nil
}

// appendIgnoreRevsFile adds one blame.ignoreRevsFile value, a path as
// interpolate reads it: the key may be given several times, and an empty
// value clears the list (git's blame_ignore_revs_files handling in
// builtin/blame.c).
func appendIgnoreRevsFile(list []string, v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	p, err := interpolate(v)
	return append(list, p), err
}

// parseIgnoreSubmodules checks a value of --ignore-submodules, as git's
// handle_ignore_submodules_arg, which dies on any other.
func parseIgnoreSubmodules(v string) (string, error) {
	switch v {
	case "all", "dirty", "untracked", "none":
		return v, nil
	}
	return "", errors.New("want all, dirty, untracked or none")
}

// Submodule is one submodule .gitmodules names: its name, its path in the
// work tree, and its ignore setting ("" when none, or not one git takes).
type Submodule struct {
	Name, Path, Ignore string
}

// ParseGitmodules reads a .gitmodules file's submodules as git's
// submodule-config.c does: submodule.<name>.path and .ignore (a value
// other than all, dirty, untracked or none is left out, as git leaves it
// out with a warning). A text git's config parser refuses is an error.
func ParseGitmodules(data []byte) ([]Submodule, error) {
	entries, err := parse(data)
	if err != nil {
		return nil, err
	}
	var subs []Submodule
	at := map[string]int{}
	for _, e := range entries {
		if e.section != "submodule" || !e.hasSub || e.noValue || e.key != "path" && e.key != "ignore" {
			continue
		}
		i, ok := at[e.subsection]
		if !ok {
			i = len(subs)
			at[e.subsection] = i
			subs = append(subs, Submodule{Name: e.subsection})
		}
		switch e.key {
		case "path":
			subs[i].Path = e.value
		case "ignore":
			if _, err := parseIgnoreSubmodules(e.value); err == nil {
				subs[i].Ignore = e.value
			}
		}
	}
	return subs, nil
}
