package analysis

import (
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/gitwalk/gitwalk/internal/linguist"
	"github.com/gitwalk/gitwalk/walker"
)

// vendorDirs are the folders of third-party code left out by default, at
// any depth, under their own reason word (vendor-folder). Linguist's
// vendor rules hold them too; the rest of those rules give "vendored".
var vendorDirs = []string{"vendor", "node_modules", "third_party"}

// lockFiles are package managers' lock files, left out by default at any
// depth: they are written by tools, and their churn says nothing of the code.
// Linguist counts most of them as generated; these keep the word lock-file,
// and go.sum, yarn.lock and Gemfile.lock, which linguist misses, are here.
var lockFiles = []string{"go.sum", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock",
	"poetry.lock", "Gemfile.lock", "composer.lock"}

// LinguistAttributes returns the attribute names a Classifier reads, in the
// order its Attrs function returns their values (for walker.Repo.AttrChecker).
func LinguistAttributes() []string { return linguist.AttrNames() }

// Classifier decides which files count by default, and the language of
// each, by GitHub linguist's rules and the repository's linguist-*
// attributes, as linguist applies them:
//   - vendored files are left out: linguist's vendor rules (vendor/,
//     node_modules/, third_party/, deps/ at the top, configure and other
//     build scaffolding, minified files, testdata/, .github/) or the
//     linguist-vendored attribute;
//   - generated files are left out: lock files, linguist's generated path
//     rules (Godeps/, __generated__/, .idea/), or the linguist-generated
//     attribute;
//   - documentation counts: docs/, README, CHANGELOG are written and kept by
//     the project's people, and who knows them matters when one leaves (a
//     --include or --exclude filter leaves it out when asked). Its class is
//     reported (FileClass.Documentation).
//
// A specified attribute decides over the rules: -linguist-vendored or
// linguist-vendored=false keeps a file of a vendor folder, and
// linguist-generated=false a lock file. The zero value applies the rules
// alone. A Classifier is read-only once built and safe for concurrent use
// when Attrs is; Memoized makes one that classifies each path once.
type Classifier struct {
	// Attrs returns the linguist attributes of a path, in
	// LinguistAttributes order, as git check-attr gives them; nil means none
	// are set anywhere.
	Attrs func(path string) []string

	memo *classMemo // nil: classify on every call
}

// Memoized returns c with a memo of its answers, shared by its copies: a
// walk asks for every change of every commit, hundreds of thousands of
// calls, about a few thousand distinct paths, and each path's attributes,
// rules and language are then worked out once. The memo holds one entry
// (the path and its FileClass) per distinct path asked, and lives as long
// as the Classifier does: make one per walk. Attrs must give a path the
// same values on every call. Safe for concurrent use when Attrs is.
func (c Classifier) Memoized() Classifier {
	c.memo = &classMemo{m: map[string]memoEntry{}}
	return c
}

// classMemo is a Memoized classifier's answers. A read-write lock, not a
// sync.Map: a hit is a read under the shared lock with no allocation (a
// sync.Map boxes the string key), and writes stop once the walk has seen
// its paths.
type classMemo struct {
	mu sync.RWMutex
	m  map[string]memoEntry

	// Where RepoClassifierStored keeps the memo, and whether it learnt a
	// path since it was read from there.
	st     *walker.Store
	repo   *walker.Repo
	name   string // the memo's name in st: its version and attribute rules
	learnt bool

	// How many paths' classes were read from st, and how many paths were
	// classified since (MemoCounts).
	kept, classified int
}

// memoEntry is what the memo knows of a path: its class, with its language
// once asked for (Exclude does not need it, and working it out was a
// quarter of classifying a path), and its attributes and linguist's
// classes, which its language needs then.
type memoEntry struct {
	fc    FileClass
	attrs linguist.Attrs
	lc    linguist.Class
	full  bool // fc.Language and fc.LanguageStats are set
	kept  bool // read from the store: attrs and lc are not known
}

// lookup returns p's entry in the memo.
func (m *classMemo) lookup(p string) (memoEntry, bool) {
	m.mu.RLock()
	e, ok := m.m[p]
	m.mu.RUnlock()
	return e, ok
}

// store keeps p's entry. Two goroutines may both miss and classify p: they
// store the same answer (or one with the language, which stays). The key
// is a copy, since p may view a caller's reused buffer.
func (m *classMemo) store(p string, e memoEntry) {
	m.mu.Lock()
	if old, ok := m.m[p]; !ok || !old.full {
		m.m[strings.Clone(p)] = e
		m.learnt = true
		if !ok {
			m.classified++
		}
	}
	m.mu.Unlock()
}

// FileClass is what a Classifier says of one path.
type FileClass struct {
	// Reason is why the path is left out by default; NotExcluded when it counts.
	Reason        ExcludeReason
	Vendored      bool
	Generated     bool
	Documentation bool
	// Language is linguist's language name ("Go", "C", "Markdown"), or ""
	// when linguist knows none for the path.
	Language string
	// LanguageStats says linguist counts the file in the repository's
	// language statistics: not vendored, generated or documentation, and
	// of a programming or markup language (linguist-detectable decides
	// otherwise). It is the set of files the truck-factor paper analyses.
	LanguageStats bool
}

// Classify returns p's class.
func (c Classifier) Classify(p string) FileClass {
	if c.memo == nil {
		return c.classify(p)
	}
	e, ok := c.memo.lookup(p)
	switch {
	case ok && e.full:
		return e.fc
	case ok && !e.kept:
		c.language(p, &e)
	default:
		e = c.classes(p)
		c.language(p, &e)
	}
	c.memo.store(p, e)
	return e.fc
}

// classify is Classify without the memo.
func (c Classifier) classify(p string) FileClass {
	e := c.classes(p)
	c.language(p, &e)
	return e.fc
}

// classes is p's class without its language.
func (c Classifier) classes(p string) memoEntry {
	attrs := c.attrs(p)
	lc := linguist.Classify(p, attrs)
	return memoEntry{fc: classes(p, attrs, lc), attrs: attrs, lc: lc}
}

// language completes e, p's class, with its language.
func (c Classifier) language(p string, e *memoEntry) {
	e.fc.Language = linguist.LanguageWith(p, e.attrs)
	e.fc.LanguageStats = linguist.InLanguageStats(e.lc, e.fc.Language, e.attrs)
	e.full = true
}

// InLanguageStats says whether p is in linguist's language statistics
// (FileClass.LanguageStats), for Knowledge.Files.
func (c Classifier) InLanguageStats(p string) bool { return c.Classify(p).LanguageStats }

// Exclude returns the reason p is left out by default (NotExcluded when it
// counts), for Scope.Exclude.
func (c Classifier) Exclude(p string) ExcludeReason {
	if c.memo == nil {
		return c.classes(p).fc.Reason
	}
	e, ok := c.memo.lookup(p)
	if !ok {
		e = c.classes(p)
		c.memo.store(p, e)
	}
	return e.fc.Reason
}

// Language returns linguist's language of p, with the linguist-language
// attribute's override, or "" when linguist knows none (for Churn.Language).
func (c Classifier) Language(p string) string {
	if c.memo != nil {
		return c.Classify(p).Language
	}
	return linguist.LanguageWith(p, c.attrs(p))
}

func (c Classifier) attrs(p string) linguist.Attrs {
	if c.Attrs == nil {
		return linguist.Attrs{}
	}
	return linguist.AttrsOf(c.Attrs(p))
}

// classes is Classify without the language, given p's attributes and
// linguist's classes of p (linguist.Classify), which the caller has for
// InLanguageStats too.
func classes(p string, attrs linguist.Attrs, lc linguist.Class) FileClass {
	fc := FileClass{Vendored: lc.Vendored != linguist.None, Generated: lc.Generated != linguist.None,
		Documentation: lc.Documentation != linguist.None}
	// An attribute names its class; otherwise the older, more precise
	// words come first, then linguist's own classes.
	vendorDir, lock, minified := nameReasons(p)
	_, genAttr := linguist.Flag(attrs.Generated)
	_, venAttr := linguist.Flag(attrs.Vendored)
	switch {
	case lc.Generated == linguist.Attribute:
		fc.Reason = ExcludedGenerated
	case lc.Vendored == linguist.Attribute:
		fc.Reason = ExcludedVendored
	case vendorDir && !venAttr:
		fc.Reason, fc.Vendored = ExcludedVendorDir, true
	case lock && !genAttr:
		fc.Reason, fc.Generated = ExcludedLockFile, true
	case minified && !venAttr:
		fc.Reason, fc.Vendored = ExcludedMinified, true
	case fc.Vendored:
		fc.Reason = ExcludedVendored
	case fc.Generated:
		fc.Reason = ExcludedGenerated
	}
	return fc
}

// DefaultExclude is Classifier{}.Exclude: why a path is left out by default
// by its name alone, with no attributes. Safe for concurrent use.
func DefaultExclude(p string) ExcludeReason { return Classifier{}.Exclude(p) }

// nameReasons says whether p is under a vendor folder (vendor/,
// node_modules/, third_party/ at any depth), a lock file, or a minified
// file (*.min.js, *.min.css).
func nameReasons(p string) (vendorDir, lock, minified bool) {
	dir, base := path.Split(p)
	// Segment by segment, without splitting into a new slice: a path's
	// slice of segments was most of what classifying it allocated.
	for rest := dir; rest != "" && !vendorDir; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		vendorDir = slices.Contains(vendorDirs, seg)
	}
	lock = slices.Contains(lockFiles, base)
	minified = strings.HasSuffix(base, ".min.js") || strings.HasSuffix(base, ".min.css")
	return vendorDir, lock, minified
}
