package analysis

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/gitwalk/gitwalk/internal/linguist"
	"github.com/gitwalk/gitwalk/walker"
)

// classesVersion names how a Classifier decides a path's class: linguist's
// tables and rules (internal/linguist) and the words and folders of
// classes and nameReasons. Bump it with any change to them, so that the
// classes kept by an older gitwalk (RepoClassifierStored) are not read as
// this one's; TestClassesVersionNamesTheClassifiersSources fails until then.
const classesVersion = 2

// classesMemo is the name of the classes kept in the store.
var classesMemo = fmt.Sprintf("classes version=%d", classesVersion)

// RepoClassifierStored is RepoClassifier with its memo kept in st between
// runs: a path's class is a function of the path, linguist's rules
// (classesVersion) and the linguist attributes in force, so the classes
// the last run kept for repo under the same attribute rules
// (Checker.Digest) are known before the walk asks. Classifying a path was
// about a tenth of the CPU of a walk read from the store. SaveClasses
// keeps what the run added.
//
// The attribute files are read at once, as the store's records are keyed
// (a work tree's whole), and a file changed during the run is not seen by
// it. When they cannot be read, it is RepoClassifier.
func RepoClassifierStored(repo *walker.Repo, st *walker.Store) Classifier {
	ac, name, ok := classRules(repo)
	if !ok {
		return RepoClassifier(repo)
	}
	c := Classifier{Attrs: ac.Check}.Memoized()
	c.memo.st, c.memo.repo = st, repo
	c.memo.name = name
	if data := st.Memo(repo, c.memo.name); data != nil {
		c.memo.load(data)
	}
	// Without kept classes every path is new: the rules compile on a
	// goroutine of their own meanwhile, or the first path would wait for
	// them. With them, a warm run meets no new path and a re-run a few,
	// the first of which compiles the rules where it is met: compiling
	// them anyway was 0.5 to 1 ms of CPU in a 13 ms warm churn of go-git
	// (201 rounds: churn 14.3 -> 13.6 ms, coupling 15.3 -> 14.8 ms; the
	// re-run after 10 new commits, 61 rounds, 21.6 -> 20.8 ms).
	if c.memo.kept == 0 {
		go linguist.Prepare()
	}
	return c
}

// classRules is repo's checker of the linguist attributes, read whole,
// and the name of the class table of its rules; ok is false when the
// attributes cannot be read whole or named.
func classRules(repo *walker.Repo) (ac *walker.AttrChecker, name string, ok bool) {
	ac, err := repo.AttrCheckerWhole(LinguistAttributes()...)
	if err != nil {
		return nil, "", false
	}
	rules, ok := ac.Digest()
	if !ok {
		return nil, "", false
	}
	return ac, fmt.Sprintf("%s attributes=%x", classesMemo, rules), true
}

// ClassRulesName names what the classes of repo's files depend on besides
// linguist's tables (this program's): the version of the class table and
// the linguist attribute rules in force, which RepoClassifier and
// RepoClassifierStored apply alike (the latter keeps its table under this
// name). ok is false when the attributes cannot be read whole or named:
// what was computed with them cannot then be told apart from what other
// rules would give. It reads no table.
func ClassRulesName(repo *walker.Repo) (string, bool) {
	_, name, ok := classRules(repo)
	return name, ok
}

// SaveClasses keeps in the store the classes c learnt in this run, when
// RepoClassifierStored made it and it learnt any. Call it once the walks
// that ask c are over, before the store closes.
func (c Classifier) SaveClasses() {
	m := c.memo
	if m == nil || m.st == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.learnt {
		return
	}
	m.st.SetMemo(m.repo, m.name, m.encode())
	m.learnt = false
}

// The memo's bytes: a count, then per path, in byte order of paths, its
// length and bytes, its ExcludeReason, its flags and, with classFull, its
// language's length and bytes. A memo entry without its language is kept
// so, and completed when asked.
const (
	classVendored = 1 << iota
	classGenerated
	classDocumentation
	classLanguageStats
	classFull
)

// encode returns the memo's bytes; m.mu is held.
func (m *classMemo) encode() []byte {
	paths := make([]string, 0, len(m.m))
	size := binary.MaxVarintLen64
	for p, e := range m.m {
		paths = append(paths, p)
		size += len(p) + len(e.fc.Language) + 2*binary.MaxVarintLen64 + 2
	}
	slices.Sort(paths)
	b := make([]byte, 0, size)
	b = binary.AppendUvarint(b, uint64(len(paths)))
	for _, p := range paths {
		e := m.m[p]
		var flags byte
		for _, f := range [...]struct {
			on  bool
			bit byte
		}{{e.fc.Vendored, classVendored}, {e.fc.Generated, classGenerated}, {e.fc.Documentation, classDocumentation},
			{e.fc.LanguageStats, classLanguageStats}, {e.full, classFull}} {
			if f.on {
				flags |= f.bit
			}
		}
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
		b = append(b, byte(e.fc.Reason), flags)
		if e.full {
			b = binary.AppendUvarint(b, uint64(len(e.fc.Language)))
			b = append(b, e.fc.Language...)
		}
	}
	return b
}

// load fills the empty memo from data (encode's), or leaves it empty when
// data does not decode whole: a memo is only ever a shortcut.
func (m *classMemo) load(data []byte) {
	n, k := binary.Uvarint(data)
	if k <= 0 || n > uint64(len(data)) {
		return
	}
	// The paths and languages are views of one string: one allocation,
	// not two thousand (a warm run of go-git loads 1,219 paths).
	all := string(data[k:])
	data = data[k:]
	entries := make(map[string]memoEntry, n)
	str := func() (string, bool) {
		l, k := binary.Uvarint(data)
		if k <= 0 || l > uint64(len(data)-k) {
			return "", false
		}
		at := len(all) - len(data) + k
		data = data[k+int(l):]
		return all[at : at+int(l)], true
	}
	for range n {
		p, ok := str()
		if !ok || len(data) < 2 || ExcludeReason(data[0]) >= NumExcludeReasons || data[1]&^(classFull<<1-1) != 0 {
			return
		}
		reason, flags := ExcludeReason(data[0]), data[1]
		data = data[2:]
		e := memoEntry{fc: FileClass{Reason: reason, Vendored: flags&classVendored != 0, Generated: flags&classGenerated != 0,
			Documentation: flags&classDocumentation != 0, LanguageStats: flags&classLanguageStats != 0}, full: flags&classFull != 0, kept: true}
		if e.full {
			if e.fc.Language, ok = str(); !ok {
				return
			}
		}
		entries[p] = e
	}
	if len(data) != 0 || len(entries) != int(n) {
		return
	}
	m.mu.Lock()
	m.m, m.kept = entries, len(entries)
	m.mu.Unlock()
}

// MemoCounts says how many paths' classes c read from the store
// (RepoClassifierStored) and how many paths it classified since: a warm
// run of an unchanged history classifies none. Both are 0 for a Classifier
// without a memo.
func (c Classifier) MemoCounts() (kept, classified int) {
	m := c.memo
	if m == nil {
		return 0, 0
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.kept, m.classified
}
