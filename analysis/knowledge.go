package analysis

import (
	"context"
	"fmt"
	"math"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/gitwalk/gitwalk/walker"
)

// The degree-of-authorship model's defaults, from Avelino, Passos, Hora and
// Valente, "A Novel Approach for Estimating Truck Factors" (ICPC 2016,
// arXiv 1604.06766), who take Fritz et al.'s weights:
//
//	DOA = 3.293 + 1.098·FA + 0.164·DL − 0.321·ln(1 + AC)
//
// A person authors a file when their DOA, normalized by the file's highest,
// is above 0.75 and their DOA is at least 3.293; the truck factor removes
// authors until fewer than half the files have one left.
const (
	DefaultAuthorNormalized = 0.75
	DefaultAuthorAbsolute   = 3.293
	DefaultTruckCoverage    = 0.5
	// DefaultDepartedAfter is how many months without a commit make a
	// person departed: a year, the span the truck-factor literature (Avelino
	// et al. on project abandonment) takes a developer to have left after,
	// and long enough that holidays and release cycles do not mark
	// anyone gone.
	DefaultDepartedAfter = 12
)

// The model's weights (Fritz et al.'s, as the paper uses them).
const (
	doaBase        = 3.293
	doaFirst       = 1.098
	doaDeliveries  = 0.164
	doaAcceptances = 0.321
)

// DOA returns the degree of authorship of a person with first authorship
// first, deliveries changes of their own and acceptances changes by others.
func DOA(first bool, deliveries, acceptances int) float64 {
	fa := 0.0
	if first {
		fa = 1
	}
	return doaBase + doaFirst*fa + doaDeliveries*float64(deliveries) - doaAcceptances*math.Log(1+float64(acceptances))
}

// Knowledge is the knowledge analysis: who knows each file by the
// degree-of-authorship model, the truck factor of the repository and of
// each folder, the files a single person knows (knowledge islands), and the
// knowledge lost when people leave.
//
// For each file alive at the newest commit walked (in its tree with
// ResultAt; with Result, one whose newest change walked is not a deletion,
// nor a rename away from its path), and each person who
// created or changed it:
//   - FA, first authorship: the person made the file's creation, the Added
//     (or Copied) change of the oldest commit walked (the largest
//     walker.Commit.Seq; a walk in git's default order, not Reverse). Both
//     author and co-authors of a co-credited creation are first authors.
//   - DL, deliveries: the person's other commits changing the file (a
//     Renamed change counts as a change to its new path; a deletion is none).
//   - AC, acceptances: the other people's deliveries to the file.
//
// Paths are taken as the file's identity: renames are to be followed by the
// layer before the analyzers, which rewrites a renamed file's older paths to
// its newest one. People are
// canonical "Name <email>" after Mailmap, as in Authors; the scope's bot,
// co-author and exclusion policies apply before (Knowledge is AuthorBased).
// A Knowledge is a value; its zero value uses the paper's thresholds and
// DefaultDepartedAfter.
type Knowledge struct {
	Mailmap Mailmap
	Filter  PathFilter
	// Files, when set, says which files count besides Filter; it must be
	// safe for concurrent use. The paper counts the files linguist puts in
	// a repository's language statistics (its tool keeps what linguist's
	// breakdown_by_file lists): Classifier.InLanguageStats. nil counts
	// every file Filter and the scope keep.
	Files func(path string) bool
	// FilesName names what Files answers, for a memo of the results
	// (Keyed; ClassRulesName names a repository's classes): Files
	// without a name keeps no results.
	FilesName string
	// DepartedAfter is how many calendar months without a commit make a
	// person departed, counted back from the newest author date walked (so
	// a walk with --until answers as of then); 0 is DefaultDepartedAfter,
	// below 0 marks nobody departed.
	DepartedAfter int
	// SimulateLeave names people to take as gone besides the departed: a
	// canonical "Name <email>", a name or an email (any case).
	SimulateLeave []string
	// NoLineCounts says the walk reads no line counts
	// (walker.Options.NoLineCounts), as authorship and truck factors need
	// none: churn is then not known, files lost are ranked by commits, and
	// KnowledgeReport shows no churn.
	NoLineCounts bool
	// Normalized, Absolute and Coverage replace the paper's thresholds when
	// above 0 (DefaultAuthorNormalized, DefaultAuthorAbsolute,
	// DefaultTruckCoverage).
	Normalized, Absolute, Coverage float64
}

// AuthorBased is true: knowledge is per person.
func (a Knowledge) AuthorBased() bool { return true }

// NewState returns an empty *KnowledgeState.
func (a Knowledge) NewState() State {
	return &KnowledgeState{opts: a, authors: canonAuthors{mailmap: a.Mailmap}, files: map[string]*knowFile{},
		away: map[string]int{}, people: map[string]*knowPerson{}, first: firstCommit{seq: -1}}
}

// KnowledgeState accumulates Knowledge. It is not safe for concurrent use:
// Run gives each worker its own and merges them. Every figure is a sum, a
// least or greatest commit position or a set union, so Merge is
// associative and does not depend on which state saw which commit.
type KnowledgeState struct {
	opts    Knowledge
	authors canonAuthors
	files   map[string]*knowFile
	// away is, per path, the newest commit (least Seq) that renamed a file
	// away from it: the path's file is gone unless changed since.
	away   map[string]int
	people map[string]*knowPerson
	newest time.Time
	first  firstCommit // the walk's first commit in walk order, whose tree ResultAt reads
	// counts caches Files's answers, so each path is asked once per state.
	counts map[string]bool
}

type knowFile struct {
	createdSeq  int      // Seq of the creating commit; -1 when no creation was walked
	creators    []string // sorted; the authors of that commit's Added change
	lastSeq     int      // Seq of the newest change
	lastDeleted bool     // the newest change deleted the file
	changes     map[string]int
	commits     int
	churn       int
}

type knowPerson struct {
	last    time.Time
	commits int
}

// Observe adds one commit.
func (s *KnowledgeState) Observe(c *walker.Commit) {
	s.first.see(c.Seq, c.Hash)
	who := s.authors.of(c.Author)
	p := s.people[who]
	if p == nil {
		p = &knowPerson{}
		s.people[who] = p
	}
	p.commits++
	when := c.Author.When
	if when.After(p.last) {
		p.last = when
	}
	if when.After(s.newest) {
		s.newest = when
	}
	for i := range c.Changes {
		ch := &c.Changes[i]
		if ch.Kind == walker.Renamed && ch.OldPath != "" && ch.OldPath != ch.Path {
			if a, ok := s.away[ch.OldPath]; !ok || c.Seq < a {
				s.away[ch.OldPath] = c.Seq
			}
		}
		if !s.opts.Filter.Match(ch.Path) || !s.counted(ch.Path) {
			continue
		}
		f := s.files[ch.Path]
		if f == nil {
			f = &knowFile{createdSeq: -1, lastSeq: c.Seq, lastDeleted: ch.Kind == walker.Deleted, changes: map[string]int{}}
			s.files[ch.Path] = f
		} else if c.Seq < f.lastSeq {
			f.lastSeq, f.lastDeleted = c.Seq, ch.Kind == walker.Deleted
		}
		f.commits++
		f.churn += ch.Added + ch.Deleted
		if ch.Kind == walker.Deleted {
			continue
		}
		f.changes[who]++
		if ch.Kind == walker.Added || ch.Kind == walker.Copied {
			switch {
			case c.Seq > f.createdSeq:
				f.createdSeq, f.creators = c.Seq, []string{who}
			case c.Seq == f.createdSeq:
				f.creators = unionSorted(f.creators, []string{who})
			}
		}
	}
}

// counted says whether Files counts p.
func (s *KnowledgeState) counted(p string) bool {
	if s.opts.Files == nil {
		return true
	}
	ok, seen := s.counts[p]
	if !seen {
		if s.counts == nil {
			s.counts = map[string]bool{}
		}
		ok = s.opts.Files(p)
		s.counts[p] = ok
	}
	return ok
}

// unionSorted returns the sorted union of two sorted sets.
func unionSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// Merge adds other's figures; other must be a *KnowledgeState of the same
// Knowledge.
func (s *KnowledgeState) Merge(other State) {
	o := mustBe[*KnowledgeState](other)
	for who, op := range o.people {
		p := s.people[who]
		if p == nil {
			s.people[who] = op
			continue
		}
		p.commits += op.commits
		if op.last.After(p.last) {
			p.last = op.last
		}
	}
	if o.newest.After(s.newest) {
		s.newest = o.newest
	}
	if o.first.seq >= 0 {
		s.first.see(o.first.seq, o.first.hash)
	}
	for p, ok := range o.counts {
		if s.counts == nil {
			s.counts = map[string]bool{}
		}
		s.counts[p] = ok
	}
	for path, a := range o.away {
		if b, ok := s.away[path]; !ok || a < b {
			s.away[path] = a
		}
	}
	for path, of := range o.files {
		f := s.files[path]
		if f == nil {
			s.files[path] = of
			continue
		}
		if of.lastSeq < f.lastSeq {
			f.lastSeq, f.lastDeleted = of.lastSeq, of.lastDeleted
		}
		switch {
		case of.createdSeq > f.createdSeq:
			f.createdSeq, f.creators = of.createdSeq, of.creators
		case of.createdSeq == f.createdSeq && of.createdSeq >= 0:
			f.creators = unionSorted(f.creators, of.creators)
		}
		f.commits += of.commits
		f.churn += of.churn
		for who, n := range of.changes {
			f.changes[who] += n
		}
	}
	o.files, o.people, o.away = nil, nil, nil
}

// Authorship is one person's degree of authorship of one file.
type Authorship struct {
	Person      string // "Name <email>"
	First       bool   // FA: made the file's creation
	Deliveries  int    // DL: their changes to the file after its creation
	Acceptances int    // AC: the others' changes after its creation
	DOA         float64
	Normalized  float64 // DOA over the file's highest DOA
	Author      bool    // Normalized above the threshold and DOA at least the absolute one
}

// FileKnowledge is one alive file's knowledge.
type FileKnowledge struct {
	Path string
	// Authors are the people who author the file, by DOA (highest first),
	// then by name.
	Authors []string
	// People are everyone who created or changed the file, in the same order.
	People  []Authorship
	Commits int // changes walked, a co-credited commit once per person credited
	Churn   int // lines added plus deleted
}

// PersonKnowledge is one person's share of the knowledge.
type PersonKnowledge struct {
	Person   string
	Authored []string // the alive files they author, by path
	Islands  int      // how many of those they are the only author of
	Commits  int
	Last     time.Time // their newest author date walked
	Departed bool      // no commit in the DepartedAfter months before the newest
	Leaving  bool      // named by SimulateLeave
}

// TruckPerson is one person the truck-factor search removed.
type TruckPerson struct {
	Person string
	Files  int // files of the scope they author
}

// TruckFactor is the truck factor of the repository or of one folder: the
// paper's greedy search removes the person who authors the most files
// (ties: by name) until fewer than Coverage of the files have an author
// left; Factor is how many it removed, People who, in order.
type TruckFactor struct {
	Folder   string // "." for the repository
	Files    int
	Orphans  int // files with no author before anyone is removed
	Factor   int
	People   []TruckPerson
	Coverage float64 // share of the files with an author left after the removals
}

// LostFile is a file that has no author left once the departed and leaving
// people are gone.
type LostFile struct {
	Path    string
	Authors []string // who knew it, all gone
	Commits int
	Churn   int
}

// KnowledgeResult is the whole analysis.
type KnowledgeResult struct {
	// Newest is the newest author date walked, from which departures are
	// counted; DepartedBefore is the cutoff (zero when nobody departs by time).
	Newest, DepartedBefore time.Time
	Files                  []FileKnowledge   // alive files, by path
	People                 []PersonKnowledge // by files authored (most first), then by name
	Repository             TruckFactor
	Folders                []TruckFactor // every folder holding an alive file, by path
	Islands                []string      // alive files with a single author, by path
	// Lost are the files no author is left for, hot ones first: by churn,
	// then commits, then path.
	Lost []LostFile
	// UnknownLeavers are SimulateLeave names that matched nobody.
	UnknownLeavers []string
	// LeftOut is how many distinct paths walked Knowledge.Files left out.
	LeftOut int
	// NoLineCounts is Knowledge.NoLineCounts: every Churn is 0, not known.
	NoLineCounts bool
}

// Result computes the analysis from what was observed, taking as alive the
// files whose newest change walked is neither a deletion nor a rename away.
// That misses what only an unwalked commit deleted, as a merge left out by
// the merge policy (a subtree merge that moves a whole history's files):
// ResultAt reads the tree instead.
func (s *KnowledgeState) Result() *KnowledgeResult {
	return s.result(func(p string, f *knowFile) bool {
		if f.lastDeleted {
			return false
		}
		a, ok := s.away[p]
		return !ok || f.lastSeq < a
	})
}

// ResultAt is Result with the files alive taken from the tree of the walk's
// first commit in walk order (HEAD for a plain walk: the newest), read from
// repo, the walked repository. It reads that tree and its folders, no blob
// (walker.Repo.FilesAt), so it runs on a blob-less partial clone. Safe to
// call once the walk is done.
//
// The first commit observed is not always the one meant: with merges left
// out of the walk and a merge at its head, or with --until in a history
// that merged another one in (rails' Action Cable), it can be a side
// branch's commit, whose tree is not the project's. ResultIn takes the
// commit to read instead.
func (s *KnowledgeState) ResultAt(ctx context.Context, repo *walker.Repo) (*KnowledgeResult, error) {
	if s.first.seq < 0 {
		return s.Result(), nil
	}
	return s.ResultIn(ctx, repo, s.first.hash)
}

// ResultIn is Result with the files alive taken from the tree of commit,
// read from repo (trees only, as ResultAt). Safe to call once the walk is
// done.
func (s *KnowledgeState) ResultIn(ctx context.Context, repo *walker.Repo, commit walker.Hash) (*KnowledgeResult, error) {
	paths := make([]string, 0, len(s.files))
	for p := range s.files {
		paths = append(paths, p)
	}
	inTree, err := repo.FilesAt(ctx, commit, paths)
	if err != nil {
		return nil, fmt.Errorf("knowledge: files at %s: %w", commit, err)
	}
	return s.result(func(p string, _ *knowFile) bool {
		_, ok := inTree[p]
		return ok
	}), nil
}

// result computes the analysis over the files alive says are alive.
func (s *KnowledgeState) result(alive func(string, *knowFile) bool) *KnowledgeResult {
	o := s.opts
	norm, abs, cover := pick(o.Normalized, DefaultAuthorNormalized), pick(o.Absolute, DefaultAuthorAbsolute), pick(o.Coverage, DefaultTruckCoverage)
	r := &KnowledgeResult{Newest: s.newest, NoLineCounts: s.opts.NoLineCounts}
	for _, ok := range s.counts {
		if !ok {
			r.LeftOut++
		}
	}

	// Alive files and their authors.
	paths := make([]string, 0, len(s.files))
	for p, f := range s.files {
		if alive(p, f) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	authored := map[string][]string{}
	for _, p := range paths {
		f := s.files[p]
		fk := FileKnowledge{Path: p, Commits: f.commits, Churn: f.churn}
		total := 0
		for who, n := range f.changes {
			total += n
			if isIn(f.creators, who) {
				total--
			}
		}
		best := math.Inf(-1)
		for who, n := range f.changes {
			first := isIn(f.creators, who)
			dl := n
			if first {
				dl--
			}
			a := Authorship{Person: who, First: first, Deliveries: dl, Acceptances: total - dl}
			a.DOA = DOA(first, dl, total-dl)
			best = math.Max(best, a.DOA)
			fk.People = append(fk.People, a)
		}
		for i := range fk.People {
			a := &fk.People[i]
			if best > 0 {
				a.Normalized = a.DOA / best
			}
			a.Author = a.Normalized > norm && a.DOA >= abs
		}
		sort.Slice(fk.People, func(i, j int) bool {
			a, b := &fk.People[i], &fk.People[j]
			if a.DOA != b.DOA {
				return a.DOA > b.DOA
			}
			return a.Person < b.Person
		})
		for _, a := range fk.People {
			if a.Author {
				fk.Authors = append(fk.Authors, a.Person)
				authored[a.Person] = append(authored[a.Person], p)
			}
		}
		if len(fk.Authors) == 1 {
			r.Islands = append(r.Islands, p)
		}
		r.Files = append(r.Files, fk)
	}

	// People, departures and simulated leaves.
	if months := o.DepartedAfter; months >= 0 && !s.newest.IsZero() {
		if months == 0 {
			months = DefaultDepartedAfter
		}
		r.DepartedBefore = s.newest.AddDate(0, -months, 0)
	}
	leaving := map[string]bool{}
	for _, name := range o.SimulateLeave {
		found := false
		for who := range s.people {
			if personIs(who, name) {
				leaving[who], found = true, true
			}
		}
		if !found {
			r.UnknownLeavers = append(r.UnknownLeavers, name)
		}
	}
	gone := map[string]bool{}
	for who, p := range s.people {
		pk := PersonKnowledge{Person: who, Authored: authored[who], Commits: p.commits, Last: p.last,
			Departed: !r.DepartedBefore.IsZero() && p.last.Before(r.DepartedBefore), Leaving: leaving[who]}
		for _, f := range pk.Authored {
			if i := sort.SearchStrings(r.Islands, f); i < len(r.Islands) && r.Islands[i] == f {
				pk.Islands++
			}
		}
		if pk.Departed || pk.Leaving {
			gone[who] = true
		}
		r.People = append(r.People, pk)
	}
	sort.Slice(r.People, func(i, j int) bool {
		a, b := &r.People[i], &r.People[j]
		if len(a.Authored) != len(b.Authored) {
			return len(a.Authored) > len(b.Authored)
		}
		return a.Person < b.Person
	})

	// Truck factors: the repository, then every folder.
	r.Repository = truckFactor(".", r.Files, cover)
	byFolder := map[string][]FileKnowledge{}
	for _, f := range r.Files {
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			byFolder[d] = append(byFolder[d], f)
		}
	}
	folders := make([]string, 0, len(byFolder))
	for d := range byFolder {
		folders = append(folders, d)
	}
	sort.Strings(folders)
	for _, d := range folders {
		r.Folders = append(r.Folders, truckFactor(d, byFolder[d], cover))
	}

	// Knowledge loss.
	for _, f := range r.Files {
		if len(f.Authors) == 0 {
			continue
		}
		lost := true
		for _, a := range f.Authors {
			if !gone[a] {
				lost = false
				break
			}
		}
		if lost {
			r.Lost = append(r.Lost, LostFile{Path: f.Path, Authors: f.Authors, Commits: f.Commits, Churn: f.Churn})
		}
	}
	sort.Slice(r.Lost, func(i, j int) bool {
		a, b := &r.Lost[i], &r.Lost[j]
		if a.Churn != b.Churn {
			return a.Churn > b.Churn
		}
		if a.Commits != b.Commits {
			return a.Commits > b.Commits
		}
		return a.Path < b.Path
	})
	return r
}

func pick(v, def float64) float64 {
	if v > 0 {
		return v
	}
	return def
}

func isIn(sorted []string, s string) bool {
	i := sort.SearchStrings(sorted, s)
	return i < len(sorted) && sorted[i] == s
}

// personIs says whether name names the canonical identity who ("Name
// <email>"): the whole identity, the name, or the email in any case.
func personIs(who, name string) bool {
	if who == name {
		return true
	}
	n, e, _ := strings.Cut(who, " <")
	e = strings.TrimSuffix(e, ">")
	return n == name || strings.EqualFold(e, name) || strings.EqualFold(who, name)
}

// truckFactor runs the paper's greedy search over files. A person's file
// count does not change as others are removed, so the greedy order is the
// people sorted by files authored (most first), then by name.
func truckFactor(folder string, files []FileKnowledge, cover float64) TruckFactor {
	tf := TruckFactor{Folder: folder, Files: len(files)}
	if len(files) == 0 {
		return tf
	}
	of := map[string][]int{}        // the files each person authors, by index
	left := make([]int, len(files)) // authors left per file
	covered := 0
	for i, f := range files {
		for _, a := range f.Authors {
			of[a] = append(of[a], i)
		}
		left[i] = len(f.Authors)
		if left[i] > 0 {
			covered++
		}
	}
	tf.Orphans = len(files) - covered
	order := make([]string, 0, len(of))
	for who := range of {
		order = append(order, who)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if len(of[a]) != len(of[b]) {
			return len(of[a]) > len(of[b])
		}
		return a < b
	})
	for _, who := range order {
		if float64(covered)/float64(len(files)) < cover {
			break
		}
		tf.People = append(tf.People, TruckPerson{Person: who, Files: len(of[who])})
		for _, i := range of[who] {
			if left[i]--; left[i] == 0 {
				covered--
			}
		}
	}
	tf.Factor = len(tf.People)
	tf.Coverage = math.Round(1e4*float64(covered)/float64(len(files))) / 1e4
	return tf
}
