package analysis

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// classPaths are paths of every class: vendored by folder and by rule,
// generated, lock files, minified, documentation, code, and unknown.
var classPaths = []string{
	"vendor/x/y.go", "node_modules/a/b.js", "third_party/z.c", "deps/lib.c", "Godeps/Godeps.json",
	"go.sum", "yarn.lock", "web/app.min.js", "web/app.js", "docs/guide.md", "README.md", "CHANGELOG",
	"src/main.go", "lib/x.pb.go", "api/__generated__/a.ts", "testdata/in.txt", ".github/workflows/ci.yml",
	"Makefile", "x.unknownext", "deep/er/vendor/q.py",
}

func openClassRepo(t *testing.T) (*walker.Repo, string) {
	t.Helper()
	testrepos.IsolateGit(t)
	repo, err := walker.Open(testrepos.Path(t, "people"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	return repo, t.TempDir()
}

func openStore(t *testing.T, dir string) *walker.Store {
	t.Helper()
	st, err := walker.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A classifier kept in the store starts the next run with every path the
// last one asked, and answers as a classifier that keeps nothing: its
// classes, and its languages too for the paths the last run only asked
// Exclude of.
func TestStoredClassesAnswerAsTheClassifierDoes(t *testing.T) {
	repo, dir := openClassRepo(t)
	fresh := RepoClassifier(repo)
	st := openStore(t, dir)
	first := RepoClassifierStored(repo, st)
	if first.memo.st == nil {
		t.Fatal("a bare repository without attributes: the classifier does not keep its memo")
	}
	for i, p := range classPaths {
		if i%2 == 0 {
			first.Exclude(p)
		} else {
			first.Classify(p)
		}
	}
	first.SaveClasses()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openStore(t, dir)
	defer st.Close()
	second := RepoClassifierStored(repo, st)
	if n := len(second.memo.m); n != len(classPaths) {
		t.Fatalf("the second run starts with %d classes, want %d", n, len(classPaths))
	}
	if second.memo.learnt {
		t.Error("the second run learnt a class before it was asked")
	}
	for _, p := range classPaths {
		if got, want := second.Exclude(p), fresh.Exclude(p); got != want {
			t.Errorf("%s: Exclude %v, want %v", p, got, want)
		}
		if got, want := second.Classify(p), fresh.Classify(p); got != want {
			t.Errorf("%s: Classify %+v, want %+v", p, got, want)
		}
	}
	// The languages the first run did not ask for were learnt now.
	if !second.memo.learnt {
		t.Error("the second run completed languages and did not say it learnt them")
	}
}

// Under linguist attributes the classes are kept by the attribute rules
// in force: a run under the same rules starts from them, a run under other
// rules does not, and each answers as its rules say.
func TestClassesAreKeptByTheAttributeRules(t *testing.T) {
	repo, dir := openClassRepo(t)
	info := filepath.Join(repo.GitDir(), "info", "attributes")
	if err := os.MkdirAll(filepath.Dir(info), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(rules string) (Classifier, int) {
		t.Helper()
		if err := os.WriteFile(info, []byte(rules), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := walker.Open(repo.GitDir()) // its attributes are read when it opens
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		st := openStore(t, dir)
		defer st.Close()
		c := RepoClassifierStored(r, st)
		if c.memo.st == nil {
			t.Fatalf("%q: the classifier does not keep its memo", rules)
		}
		loaded := len(c.memo.m)
		for _, p := range classPaths {
			c.Exclude(p)
		}
		c.SaveClasses()
		return c, loaded
	}
	vendored := "src/** linguist-vendored\n"
	c, loaded := run(vendored)
	if loaded != 0 || c.Exclude("src/main.go") != ExcludedVendored {
		t.Fatalf("first run: %d classes loaded, src/main.go %v; want 0 and vendored", loaded, c.Exclude("src/main.go"))
	}
	c, loaded = run(vendored)
	if loaded != len(classPaths) || c.Exclude("src/main.go") != ExcludedVendored {
		t.Errorf("same rules: %d classes loaded, src/main.go %v; want %d and vendored", loaded, c.Exclude("src/main.go"), len(classPaths))
	}
	c, loaded = run("src/** -linguist-vendored\n")
	if loaded != 0 || c.Exclude("src/main.go") != NotExcluded {
		t.Errorf("other rules: %d classes loaded, src/main.go %v; want 0 and counted", loaded, c.Exclude("src/main.go"))
	}
	c, loaded = run("*.png binary\n") // names no linguist attribute: as none at all
	if c.Exclude("src/main.go") != NotExcluded || c.Exclude("vendor/x/y.go") != ExcludedVendorDir {
		t.Errorf("no linguist rule: src/main.go %v, vendor/x/y.go %v", c.Exclude("src/main.go"), c.Exclude("vendor/x/y.go"))
	}
}

// A memo that does not decode whole loads nothing; one that does loads
// every entry as it was.
func TestClassMemoLoadsWholeOrNothing(t *testing.T) {
	c := Classifier{}.Memoized()
	for i, p := range classPaths {
		if i%3 == 0 {
			c.Classify(p)
		} else {
			c.Exclude(p)
		}
	}
	data := c.memo.encode()
	for n := 0; n < len(data); n++ {
		m := &classMemo{m: map[string]memoEntry{}}
		m.load(data[:n])
		if len(m.m) != 0 {
			t.Fatalf("%d of %d bytes: %d entries loaded", n, len(data), len(m.m))
		}
	}
	m := &classMemo{m: map[string]memoEntry{}}
	m.load(append(bytes.Clone(data), 0))
	if len(m.m) != 0 {
		t.Fatalf("a byte past the end: %d entries loaded", len(m.m))
	}
	m.load(data)
	if len(m.m) != len(c.memo.m) {
		t.Fatalf("%d entries loaded, want %d", len(m.m), len(c.memo.m))
	}
	for p, e := range c.memo.m {
		got := m.m[p]
		if got.fc != e.fc || got.full != e.full || !got.kept {
			t.Errorf("%s: %+v, want %+v", p, got, e)
		}
	}
}

// classSources is the digest of the sources that decide a path's class
// for each classesVersion (see TestClassesVersionNamesTheClassifiersSources).
var classSources = map[int]string{
	1: "a9ea61b0a00d1e324e2a99480bdd50e81a8b8dec813c39b9c39d2c1d6db8ae4b",
	// 2: the memo counts the paths it read and classified (MemoCounts);
	// the classes themselves are version 1's.
	2: "bdb3730afc40180f5cd212161cdb6ab9c0acbe4c9e7286fc6a5b2a406728a008",
}

// The classes kept in the store are named by classesVersion: a change to
// what decides a class (linguist's tables and rules, this package's
// classes) without a new version would have an older gitwalk's classes
// read as this one's. This fails until the version and its digest are
// set anew.
func TestClassesVersionNamesTheClassifiersSources(t *testing.T) {
	h := sha256.New()
	for _, f := range []string{"../internal/linguist/tables.go", "../internal/linguist/linguist.go", "../internal/linguist/needles.go", "excludes.go"} {
		data, err := os.ReadFile(filepath.FromSlash(f))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", f, len(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))))
		h.Write(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
	}
	got := fmt.Sprintf("%x", h.Sum(nil))
	if want := classSources[classesVersion]; got != want {
		t.Fatalf("the classifier's sources changed (digest %s, version %d has %q): bump classesVersion and give the new version this digest in classSources", got, classesVersion, want)
	}
}
