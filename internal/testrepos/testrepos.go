// Package testrepos finds the bare fixture repositories under testdata/repos
// for tests, and gives each test its own copy, so that no test can change the
// committed fixtures. The fixtures themselves are made by
// `go run ./testdata/repos/gen`; testdata/repos/README.md says what each
// covers.
package testrepos

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// Root returns the absolute path of testdata/repos in this module. It
// panics if the directory cannot be found, which means the package was
// built outside the gitwalk source tree: run the tests from the checkout.
// Safe for concurrent use.
func Root() string {
	var tried []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "repos")
		if isDir(dir) {
			return dir
		}
		tried = append(tried, dir)
	}
	// Built with -trimpath, the caller's path is not a file path: look for
	// go.mod above the working directory (go test runs in the package's
	// directory) instead.
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if isFile(filepath.Join(dir, "go.mod")) {
				repos := filepath.Join(dir, "testdata", "repos")
				if isDir(repos) {
					return repos
				}
				tried = append(tried, repos)
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	panic("testrepos: testdata/repos not found (tried " + strings.Join(tried, ", ") +
		"); run the tests from a gitwalk checkout")
}

// Names returns the name of every fixture (the directory name without its
// .git suffix, such as "content"), sorted. It panics if testdata/repos
// holds no fixture, since the fixtures are committed: regenerate them with
// `go run ./testdata/repos/gen` from the module root. Safe for concurrent use.
func Names() []string {
	root := Root()
	entries, err := os.ReadDir(root)
	if err != nil {
		panic("testrepos: " + err.Error())
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && strings.HasSuffix(e.Name(), ".git") {
			names = append(names, strings.TrimSuffix(e.Name(), ".git"))
		}
	}
	if len(names) == 0 {
		panic("testrepos: no NAME.git fixture in " + root + "; run `go run ./testdata/repos/gen` from the module root")
	}
	sort.Strings(names)
	return names
}

// Path returns the path of a private copy of the fixture name (as listed by
// Names) in a temporary directory that is removed when the test ends. The
// copy is the test's to read or change; the committed fixture is never
// touched. Directories git needs that a git checkout of this module cannot
// hold because they are empty (refs/heads, objects/pack, ...) exist in the
// copy. An unknown name, or a copy that fails, fails the test.
func Path(t testing.TB, name string) string {
	t.Helper()
	src := filepath.Join(Root(), name+".git")
	if name == "" || strings.ContainsAny(name, `/\`) || !isDir(src) {
		t.Fatalf("testrepos: no fixture %q; fixtures are %v", name, Names())
		return ""
	}
	dst := filepath.Join(t.TempDir(), name+".git")
	if err := copyDir(src, dst); err != nil {
		t.Fatalf("testrepos: copy fixture %s: %v", name, err)
		return ""
	}
	for _, d := range []string{"refs/heads", "refs/tags", "objects/info", "objects/pack"} {
		if err := os.MkdirAll(filepath.Join(dst, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatalf("testrepos: copy fixture %s: %v", name, err)
			return ""
		}
	}
	return dst
}

// copyDir copies the directories and regular files under src to dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return &fs.PathError{Op: "copy", Path: p, Err: fs.ErrInvalid}
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// IsolateGit makes git, and gitwalk in the same process, read no user or
// system configuration for the rest of the test: HOME and XDG_CONFIG_HOME
// point at an empty folder, GIT_CONFIG_NOSYSTEM is set and GIT_DIR and
// GIT_CONFIG_GLOBAL are unset. Tests that compare with git call it first.
func IsolateGit(t testing.TB) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, v := range []string{"GIT_CONFIG_GLOBAL", "GIT_DIR"} {
		t.Setenv(v, "") // restored after the test
		os.Unsetenv(v)
	}
}
