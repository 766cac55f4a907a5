package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// scopeArgs are the policies every analysis applies on top of its walk:
// how merges count, bots, co-authors, default exclusions, ignored revisions
// and huge changesets. parseAnalysisArgs fills them and runAnalyses applies
// them through analysis.Scope, so a command gets them by using those two.
type scopeArgs struct {
	// classRepo's classifier, made once so that the default exclusions and
	// the analyses that ask for languages share its memo of paths. With a
	// store (the walk's cache, set by useCache), the memo is kept in it
	// between runs where that is sound (analysis.RepoClassifierStored).
	classRepo *walker.Repo
	class     analysis.Classifier
	store     *walker.Store
	// pending is the scope's mailmap and classifier while build makes
	// them on a goroutine (nil when none is being made); settle waits.
	pending *pendingScope

	merges            mergePolicy
	mergesSet         bool
	bots              analysis.BotPolicy
	coauthors         bool
	shareLines        bool // --coauthors=share-lines
	noDefaultExcludes bool
	ignoreRevsFile    string
	maxChangeset      int

	// renames is the walk's rename mode, resolved against the repository's
	// diff.renames: files are followed through renames unless it is off.
	renames walker.RenameMode

	// What the run left out, for the options, --stats and the summary.
	ran        bool
	left       analysis.LeftOut
	lefts      []analysis.LeftOut // per analysis, when one walk fed several (unwrapAll)
	ignoreFrom string             // the file the ignored revisions came from
	ignoreRevs map[walker.Hash]struct{}
	excluded   []analysis.PathReason
	// noLines: the walk read no line counts (walker.Options.NoLineCounts),
	// so the lines left out are not known and not shown.
	noLines bool
}

const scopeArgsHelp = `      --bots P            bot authors in author-based analyses: exclude (default), include, only
      --coauthors         credit Co-authored-by: trailers with the commit (lines stay the author's)
      --coauthors=share-lines  credit them and share each file's lines among author and co-authors
` + leaveOutFlagsHelp + `
Renames: files are followed through the renames the walk detects (as git log does; the
repository's diff.renames, on when unset; --no-renames: by path) and counted under the path
they have at the newest commit walked (a deleted file: its last path); gitwalk files lists
their earlier names. Names are decided in git log's order, newest first: a rename names the
file for every older commit, a path added again holds a new file, and a rename made by a merge
counts only when merges are diffed (--merges include or first-parent). See README, "What counts".

Merges: by default (exclude) merge commits are left out, since a merge's changes are its
branch's, counted there. first-parent follows first parents only, each merge standing for
its branch, diffed against parent 1 (git log --first-parent). include walks every commit
and counts each merge once, diffed against its first parent (git log
--diff-merges=first-parent). The policy in force is in --stats, JSON options and summary.

Bots (names or emails ending in [bot], -bot or _bot, names ending in (bot), or naming
dependabot, renovate, github-actions, greenkeeper, pre-commit-ci, mergify, codecov...) are left
out of author-based analyses (authors, ownership, churn --by author) unless --bots include;
--bots only keeps only them.
--coauthors credits every Co-authored-by: trailer (mapped by .mailmap) with the commit and
its files in author-based analyses; the lines stay with the author, unless
--coauthors=share-lines: then each file's added and deleted lines are split evenly among the
author and the co-authors (the remainder one line each, author first), so totals do not
change. --ignore-revs-file and
--max-changeset leave commits out of every analysis. Whatever is left out is counted.

` + defaultExcludesHelp + `

For instance: --merges include   --bots only   --coauthors   --coauthors=share-lines   --max-changeset 500
              --ignore-revs-file .git-blame-ignore-revs   --no-default-excludes`

// leaveOutFlagsHelp documents the flags that leave files and commits out.
const leaveOutFlagsHelp = `      --no-default-excludes  count generated, vendored, lock and minified files too
      --ignore-revs-file F  leave out the commits F lists (default: blame.ignoreRevsFile)
      --max-changeset N   leave out commits changing more than N files
`

// defaultExcludesHelp says what --no-default-excludes counts again.
const defaultExcludesHelp = `Default excludes (--no-default-excludes counts them): what GitHub's linguist calls vendored
or generated. Vendored: vendor/, node_modules/, third_party/ (vendor-folder), *.min.js,
*.min.css (minified), and linguist's vendor rules (vendored): deps/, configure, config.guess,
dist/, testdata/, test fixtures, .github/, .gitattributes... Generated: lock files (go.sum,
package-lock.json, yarn.lock, Cargo.lock, poetry.lock, Gemfile.lock... : lock-file) and
linguist's generated rules. The linguist-vendored and linguist-generated attributes decide
over the rules (-linguist-vendored or linguist-vendored=false keeps a file, as in linguist).
Documentation (docs/, README, CHANGELOG) counts. What was left out, and why, is printed to
stderr and in JSON options; gitwalk files lists every path with its reason.`

// parse reads the scope flag at args[i], if it is one, and returns how many
// words it took (0: not a scope flag).
func (s *scopeArgs) parse(args []string, i int) (int, error) {
	arg := args[i]
	value := func(name string) (string, int, error) {
		if v, ok := strings.CutPrefix(arg, name+"="); ok {
			return v, 1, nil
		}
		if i+1 >= len(args) || args[i+1] == "--" {
			return "", 0, usagef("option %s needs a value", name)
		}
		return args[i+1], 2, nil
	}
	is := func(name string) bool { return arg == name || strings.HasPrefix(arg, name+"=") }
	switch {
	case is("--bots"):
		v, n, err := value("--bots")
		if err != nil {
			return 0, err
		}
		if s.bots, err = analysis.ParseBotPolicy(v); err != nil {
			return 0, usagef("--bots: %v", err)
		}
		return n, nil
	case arg == "--coauthors" || arg == "--coauthors=credit":
		s.coauthors, s.shareLines = true, false
		return 1, nil
	case arg == "--coauthors=share-lines":
		s.coauthors, s.shareLines = true, true
		return 1, nil
	case strings.HasPrefix(arg, "--coauthors="):
		return 0, usagef("%s: want --coauthors, --coauthors=credit or --coauthors=share-lines", arg)
	case arg == "--no-coauthors":
		s.coauthors, s.shareLines = false, false
		return 1, nil
	case arg == "--no-default-excludes":
		s.noDefaultExcludes = true
		return 1, nil
	case arg == "--default-excludes":
		s.noDefaultExcludes = false
		return 1, nil
	case is("--ignore-revs-file"):
		v, n, err := value("--ignore-revs-file")
		if err != nil {
			return 0, err
		}
		if v == "" {
			return 0, usagef("--ignore-revs-file needs a file name")
		}
		s.ignoreRevsFile = v
		return n, nil
	case is("--max-changeset"):
		v, n, err := value("--max-changeset")
		if err != nil {
			return 0, err
		}
		if s.maxChangeset, err = nonNegative("--max-changeset", v); err != nil {
			return 0, err
		}
		return n, nil
	}
	return 0, nil
}

// parseMerges reads --merges[=P], --merges P (P one of the policy names) or
// --no-merges at args[i] and returns how many words it took. --merges alone
// is include and --no-merges exclude, as before the policy had a name.
func (s *scopeArgs) parseMerges(args []string, i int) (int, error) {
	arg := args[i]
	s.mergesSet = true
	switch {
	case arg == "--no-merges":
		s.merges = mergesExclude
		return 1, nil
	case strings.HasPrefix(arg, "--merges="):
		p, err := parseMergePolicy(strings.TrimPrefix(arg, "--merges="))
		s.merges = p
		return 1, err
	}
	if i+1 < len(args) {
		if p, err := parseMergePolicy(args[i+1]); err == nil {
			s.merges = p
			return 2, nil
		}
	}
	s.merges = mergesInclude
	return 1, nil
}

// finish sets the walk options the policies need; w.scope points at s.
func (s *scopeArgs) finish(w *walkArgs, a *analysisArgs) {
	if w.opts.FirstParent && (!s.mergesSet || s.merges == mergesInclude) {
		s.merges = mergesFirstParent // the walk's own --first-parent names the policy
	}
	firstParent := w.opts.FirstParent
	s.merges.apply(w)
	if s.merges == mergesExclude && firstParent {
		w.opts.FirstParent = true // --first-parent --merges exclude: the first-parent line, no merges
	}
	a.merges = s.merges != mergesExclude
	if s.coauthors {
		w.opts.Messages = true
	}
	w.scope = s
}

// addOptions records the policies, and what they left out, in o.
func (s *scopeArgs) addOptions(o map[string]any) {
	o["merge_policy"] = s.merges.String()
	o["renames"] = renamesText(s.renames)
	o["bots"] = s.bots.String()
	o["coauthors"] = s.coauthors
	o["coauthor_lines"] = "author"
	if s.coauthors && s.shareLines {
		o["coauthor_lines"] = "shared"
	}
	o["default_excludes"] = !s.noDefaultExcludes
	o["max_changeset"] = s.maxChangeset
	o["ignore_revs_file"] = s.ignoreFrom
	if !s.ran {
		return
	}
	left := map[string]any{
		"bot_commits":     s.left.BotCommits,
		"ignored_commits": s.left.IgnoredCommits,
		"large_commits":   s.left.LargeCommits,
	}
	files := map[string]any{}
	for _, r := range s.left.Reasons() {
		var lines any = s.left.Lines[r]
		if s.noLines {
			lines = nil // not read: null, not 0
		}
		files[r.String()] = map[string]any{"files": s.left.Files[r], "lines": lines}
	}
	left["files"] = files
	o["left_out"] = left
	o["bot_commits_counted"] = s.left.BotsCounted
}

// wrap applies the scope to an, or returns an when there is no scope.
func (s *scopeArgs) wrap(repo *walker.Repo, an analysis.Analyzer) (analysis.Analyzer, error) {
	if s == nil {
		return an, nil
	}
	sc, err := s.build(repo)
	if err != nil {
		return nil, err
	}
	return sc.Wrap(an), nil
}

// build makes the analysis.Scope the flags ask for in repo.
//
// The mailmap and the classifier (with its stored classes) are made on a
// goroutine, while the walk starts (resolving the revisions, loading the
// stored graph): the scope waits for them where it first asks them, in the
// walk's workers. Made before the walk, they were 0.7 ms of a 13 ms warm
// churn of go-git. Call settle before repo closes.
func (s *scopeArgs) build(repo *walker.Repo) (analysis.Scope, error) {
	sc := analysis.Scope{Bots: s.bots, CoAuthors: s.coauthors, ShareLines: s.shareLines, MaxChangeset: s.maxChangeset}
	revs, from, err := analysis.ReadIgnoreRevs(repo, s.ignoreRevsFile)
	if err != nil {
		return analysis.Scope{}, err
	}
	sc.IgnoreRevs, s.ignoreFrom, s.ignoreRevs = revs, from, revs
	p := s.pending
	if p == nil {
		p = &pendingScope{done: make(chan struct{})}
		s.pending = p
		classify := !s.noDefaultExcludes && s.classRepo != repo
		if classify {
			s.classRepo = repo
		}
		store := s.store
		go func() {
			defer close(p.done)
			// The mailmap is read for bots whatever the policy: the bot
			// commits an analysis counts are reported too (the summary's
			// bot_commits). A read error is reported by the commands that map.
			if mm, _ := repo.SharedMailmap(); mm != nil {
				p.mailmap = mm
			}
			if classify {
				p.class, p.classified = newClassifier(repo, store), true
			}
		}()
	}
	// The mailmap is read for bots whatever the policy, so every scope
	// has it (a pending one answers nothing until it is read).
	sc.Mailmap = p
	if !s.noDefaultExcludes {
		sc.Exclude = func(path string) analysis.ExcludeReason { return s.classifier(repo).Exclude(path) }
	}
	return sc, nil
}

// pendingScope is what build makes on a goroutine: the repository's
// mailmap (nil: none) and, when build made it, the classifier.
type pendingScope struct {
	done       chan struct{}
	mailmap    analysis.Mailmap
	class      analysis.Classifier
	classified bool // class is made
}

// Lookup is the mailmap's, once it is read.
func (p *pendingScope) Lookup(name, email string) (string, string, bool) {
	<-p.done
	if p.mailmap == nil {
		return "", "", false
	}
	return p.mailmap.Lookup(name, email)
}

// settle waits for what build makes on a goroutine and keeps its
// classifier: after it, nothing build started reads the repository or the
// store.
func (s *scopeArgs) settle() {
	if s == nil || s.pending == nil {
		return
	}
	<-s.pending.done
	if s.pending.classified {
		s.class = s.pending.class
	}
	s.pending = nil
}

// unwrap returns the analysis's own State and keeps what the scope left out;
// it says on stderr what was left out, so table output says it too.
func (s *scopeArgs) unwrap(ios *iostreams, st analysis.State) analysis.State {
	ss, ok := st.(*analysis.ScopedState)
	if s == nil || !ok {
		return st
	}
	s.record(ios.errOut, ss.LeftOut(), ss.ExcludedPaths())
	return ss.Inner()
}

// record keeps what the scope left out of an analysis, for the options and
// --stats, and says it in one line on errOut.
func (s *scopeArgs) record(errOut io.Writer, left analysis.LeftOut, excluded []analysis.PathReason) {
	s.ran = true
	s.left = left
	s.excluded = excluded
	if note := s.leftOutNote(); note != "" {
		fmt.Fprintf(errOut, "gitwalk: %s\n", note)
	}
}

// unwrapAll is unwrap for several analyses fed by one walk: it keeps what
// the scope left out of each (use picks one for the options of its report)
// and says on stderr what it left out of the first.
func (s *scopeArgs) unwrapAll(ios *iostreams, states []analysis.State) []analysis.State {
	if s == nil {
		return states
	}
	quiet := *ios
	quiet.errOut = io.Discard
	out := make([]analysis.State, len(states))
	s.lefts = make([]analysis.LeftOut, len(states))
	for i := len(states) - 1; i >= 0; i-- {
		if i == 0 {
			out[i] = s.unwrap(ios, states[i])
		} else {
			out[i] = s.unwrap(&quiet, states[i])
		}
		s.lefts[i] = s.left
	}
	return out
}

// use makes the options describe what the scope left out of the i-th
// analysis given to unwrapAll.
func (s *scopeArgs) use(i int) {
	if s != nil && i < len(s.lefts) {
		s.left = s.lefts[i]
	}
}

// leftOutNote says in one line what the scope left out, "" when nothing.
func (s *scopeArgs) leftOutNote() string {
	var parts []string
	l := &s.left
	if l.BotCommits > 0 {
		what := "bot"
		if s.bots == analysis.BotsOnly {
			what = "non-bot"
		}
		parts = append(parts, fmt.Sprintf("%d %s commit%s (--bots)", l.BotCommits, what, plural(l.BotCommits)))
	}
	if l.IgnoredCommits > 0 {
		parts = append(parts, fmt.Sprintf("%d ignored commit%s (%s)", l.IgnoredCommits, plural(l.IgnoredCommits), s.ignoreFrom))
	}
	if l.LargeCommits > 0 {
		parts = append(parts, fmt.Sprintf("%d commit%s changing more than %d files (--max-changeset)", l.LargeCommits, plural(l.LargeCommits), s.maxChangeset))
	}
	for _, r := range l.Reasons() {
		if s.noLines {
			parts = append(parts, fmt.Sprintf("%d %s file%s", l.Files[r], r, plural(l.Files[r])))
		} else {
			parts = append(parts, fmt.Sprintf("%d %s file%s, %d lines", l.Files[r], r, plural(l.Files[r]), l.Lines[r]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "left out " + strings.Join(parts, "; ")
}

// printStats prints the policies and what they left out, with --stats.
func (s *scopeArgs) printStats(ios *iostreams, stats bool) {
	if s == nil || !stats {
		return
	}
	fmt.Fprintf(ios.errOut, "policy: merges %s, renames %s, bots %s, coauthors %v, coauthor lines %s, default excludes %v, max changeset %d, ignore revs %q\n",
		s.merges, renamesText(s.renames), s.bots, s.coauthors, map[bool]string{false: "author", true: "shared"}[s.coauthors && s.shareLines],
		!s.noDefaultExcludes, s.maxChangeset, s.ignoreFrom)
	l := &s.left
	fmt.Fprintf(ios.errOut, "left out: bot commits %d, ignored commits %d, large commits %d", l.BotCommits, l.IgnoredCommits, l.LargeCommits)
	for _, r := range l.Reasons() {
		if s.noLines {
			fmt.Fprintf(ios.errOut, ", %s %d files", r, l.Files[r])
		} else {
			fmt.Fprintf(ios.errOut, ", %s %d files %d lines", r, l.Files[r], l.Lines[r])
		}
	}
	fmt.Fprintln(ios.errOut)
	fmt.Fprintf(ios.errOut, "counted: bot commits %d\n", l.BotsCounted)
	if s.classRepo != nil {
		kept, classified := s.class.MemoCounts()
		fmt.Fprintf(ios.errOut, "classes: %d paths' classes read from the cache, %d paths classified\n", kept, classified)
	}
}

// renamesText says how files are named: "on" (followed through renames, by
// their newest path), "copies" (renames and copies detected) or "off" (by
// path, as git log --no-renames).
func renamesText(m walker.RenameMode) string {
	switch m {
	case walker.RenamesOff:
		return "off"
	case walker.RenamesAndCopies:
		return "copies"
	case walker.RenamesAndCopiesHarder:
		return "copies-harder"
	}
	return "on"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// classifier returns repo's file classifier (linguist's rules with the
// repository's linguist attributes), one per repository for the scope's
// run, so that every use shares one memo of the paths classified.
func (s *scopeArgs) classifier(repo *walker.Repo) analysis.Classifier {
	if p := s.pending; p != nil && s.classRepo == repo {
		<-p.done
		if p.classified {
			return p.class
		}
	}
	if s.classRepo != repo {
		s.classRepo, s.class = repo, newClassifier(repo, s.store)
	}
	return s.class
}

// newClassifier is repo's classifier, starting from the classes kept in
// store when there is one.
func newClassifier(repo *walker.Repo, store *walker.Store) analysis.Classifier {
	if store != nil {
		return analysis.RepoClassifierStored(repo, store)
	}
	return analysis.RepoClassifier(repo)
}

// saveClasses keeps the classes the run learnt in the store, once the
// walk is over (see classifier).
func (s *scopeArgs) saveClasses() {
	if s != nil && s.classRepo != nil {
		s.class.SaveClasses()
	}
}

// addSummaryColumns adds the policies and what they left out to the
// summary's one row: the merge and bot policies, the commits left out per
// reason, and files and lines left out per exclusion reason (every reason,
// so the columns are the same from run to run).
func (s *scopeArgs) addSummaryColumns(rep *analysis.Report) {
	if len(rep.Rows) != 1 {
		return
	}
	add := func(name string, v any) {
		rep.Columns = append(rep.Columns, analysis.Column{Name: name})
		rep.Rows[0] = append(rep.Rows[0], v)
	}
	add("merge_policy", s.merges.String())
	add("renames", renamesText(s.renames))
	add("bots", s.bots.String())
	// The summary counts every commit; bot_commits is how many of them were
	// by bots: what author-based analyses leave out by default.
	add("bot_commits", s.left.BotsCounted)
	add("left_out_ignored_commits", s.left.IgnoredCommits)
	add("left_out_large_commits", s.left.LargeCommits)
	for r := analysis.ExcludedGenerated; r < analysis.NumExcludeReasons; r++ {
		add("left_out_"+strings.ReplaceAll(r.String(), "-", "_")+"_files", s.left.Files[r])
		add("left_out_"+strings.ReplaceAll(r.String(), "-", "_")+"_lines", s.left.Lines[r])
	}
}
