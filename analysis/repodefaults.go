package analysis

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/gitwalk/gitwalk/internal/linguist"
	"github.com/gitwalk/gitwalk/walker"
)

// RepoExclude returns the default exclusions for repo, for Scope.Exclude:
// linguist's rules with the repository's linguist-* attributes, as
// Classifier applies them. Every program that leaves files out by default
// decides with this one function (the CLI, the Parquet export, the Beam
// pipeline), so they agree. The function is safe for concurrent use.
func RepoExclude(repo *walker.Repo) func(path string) ExcludeReason {
	return RepoClassifier(repo).Exclude
}

// RepoClassifier returns repo's file classifier, reading its linguist-*
// attributes, Memoized: it holds one entry per distinct path it is asked
// about, so make one per walk.
func RepoClassifier(repo *walker.Repo) Classifier {
	// A walk is about to ask it: linguist's rules compile now, beside the
	// walk's start, not on the goroutine that meets the first path (0.8 ms
	// of a 15 ms warm run of go-git, on its observers' critical path).
	go linguist.Prepare()
	return Classifier{Attrs: repo.AttrChecker(LinguistAttributes()...).Check}.Memoized()
}

// ReadIgnoreRevs reads the revisions to leave out (Scope.IgnoreRevs) from
// file, or from the repository's blame.ignoreRevsFile settings when file is
// "" (git reads them all; a missing file is an error, in git too). Lines
// are full object ids; '#' starts a comment, as git's oidset_parse_file
// reads them. from names the files read, joined with commas. revs is nil
// when no file was named.
func ReadIgnoreRevs(repo *walker.Repo, file string) (revs map[walker.Hash]struct{}, from string, err error) {
	files := []string{file}
	if file == "" {
		files = repo.IgnoreRevsFiles()
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, "", fmt.Errorf("ignore-revs file: %w", err)
		}
		if revs == nil {
			revs = map[walker.Hash]struct{}{}
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			id, err := walker.ParseHash(line)
			if err != nil {
				return nil, "", fmt.Errorf("ignore-revs file %s:%d: %q is not a full object id", f, n, line)
			}
			revs[id] = struct{}{}
		}
	}
	return revs, strings.Join(files, ","), nil
}
