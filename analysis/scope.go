package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gitwalk/gitwalk/walker"
)

// BotPolicy says what author-based analyses do with commits whose author is
// a bot (see IsBot).
type BotPolicy uint8

// The bot policies. The zero value leaves bots out.
const (
	BotsExclude BotPolicy = iota // leave bot commits out (the default)
	BotsInclude                  // count bots as any author
	BotsOnly                     // count only bot commits
)

var botPolicyNames = [...]string{BotsExclude: "exclude", BotsInclude: "include", BotsOnly: "only"}

// String returns the policy's name as --bots takes it.
func (p BotPolicy) String() string {
	if int(p) < len(botPolicyNames) {
		return botPolicyNames[p]
	}
	return fmt.Sprintf("BotPolicy(%d)", uint8(p))
}

// ParseBotPolicy reads include, exclude or only.
func ParseBotPolicy(s string) (BotPolicy, error) {
	for p, name := range botPolicyNames {
		if s == name {
			return BotPolicy(p), nil
		}
	}
	return 0, fmt.Errorf("bot policy %q: want include, exclude or only", s)
}

// AuthorBased is implemented by analyzers whose rows are people (authors,
// churn by author, ownership). Scope applies its bot policy and credits
// co-authors only for them; every other analysis counts every commit once.
type AuthorBased interface {
	Analyzer
	// AuthorBased says whether this analyzer, as configured, counts per person.
	AuthorBased() bool
}

// AuthorBased is true: authors are people.
func (a Authors) AuthorBased() bool { return true }

// AuthorBased is true when churn is grouped by author.
func (c Churn) AuthorBased() bool { return c.By == ByAuthor }

// botNames are the built-in bot patterns, matched case-insensitively inside
// the name and the email's local part. They name the automation services
// that commit to many repositories; a name or email ending in "[bot]" (GitHub
// Apps) is a bot as well.
var botNames = []string{
	"dependabot", "renovate", "github-actions", "greenkeeper", "snyk-bot", "pre-commit-ci",
	"mergify", "imgbot", "semantic-release-bot", "allcontributors", "codecov", "k8s-ci-robot",
	"gitlab-bot", "copilot-swe-agent",
}

// IsBot reports whether an identity is a bot by the built-in patterns: a name
// or email local part ending in "[bot]" (GitHub Apps, as
// "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"), a
// name ending in "(bot)", a name or local part ending in "-bot" or "_bot"
// (machine accounts, as "Craig Younkins (bot) <cyounkins-bot@...>"), or
// one containing a known automation's name (botNames: dependabot, renovate,
// github-actions, ...). A word "bot" alone is not enough: Bot is a surname.
// Matching ignores case.
func IsBot(name, email string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	local := strings.ToLower(email)
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	for _, suffix := range []string{"[bot]", "-bot", "_bot"} {
		if strings.HasSuffix(n, suffix) || strings.HasSuffix(local, suffix) {
			return true
		}
	}
	if strings.HasSuffix(n, "(bot)") {
		return true
	}
	for _, b := range botNames {
		if strings.Contains(n, b) || strings.Contains(local, b) {
			return true
		}
	}
	return false
}

// Scope is what an analysis counts beyond the walk itself: which commits
// (bots, ignored revisions, huge changesets) and which files (default
// exclusions), and whether co-authors are credited. Wrap applies it to any
// Analyzer, so every analysis run through Wrap follows the same rules and
// reports what it left out. The zero value leaves bots out of author-based
// analyses and nothing else. A Scope is read-only once built and safe for
// concurrent use.
type Scope struct {
	// Bots applies to AuthorBased analyzers only.
	Bots BotPolicy
	// Mailmap, when set, is consulted for bots: an identity is a bot when its
	// raw or its canonical form is.
	Mailmap Mailmap
	// CoAuthors credits each Co-authored-by: trailer's identity with the
	// commit in AuthorBased analyzers: the commit and its files count for
	// them, its lines stay with the author. The walk must give messages
	// (walker.Options.Messages).
	CoAuthors bool
	// ShareLines, with CoAuthors, shares each file's added and deleted
	// lines of a co-authored commit among the author and the credited
	// co-authors instead: each gets lines/n, and the first lines%n of them,
	// author first and then co-authors in trailer order, one more, so the
	// totals stay the commit's.
	ShareLines bool
	// IgnoreRevs are commits left out of every analysis (formatting-only
	// commits, as blame.ignoreRevsFile lists them).
	IgnoreRevs map[walker.Hash]struct{}
	// MaxChangeset, when above 0, leaves out commits changing more files.
	MaxChangeset int
	// Exclude, when set, decides which changed files are left out and why
	// (DefaultExcludes); a path it gives a reason for counts nowhere.
	Exclude func(path string) ExcludeReason
}

// ExcludeReason says why a file is not counted; NotExcluded means it is.
type ExcludeReason uint8

// The reasons, in the order reports list them.
const (
	NotExcluded       ExcludeReason = iota
	ExcludedGenerated               // linguist-generated attribute
	ExcludedVendored                // linguist-vendored attribute
	ExcludedVendorDir               // under vendor/, node_modules/ or third_party/
	ExcludedLockFile                // a package manager's lock file
	ExcludedMinified                // *.min.js, *.min.css

	// NumExcludeReasons is one more than the last reason, for arrays by reason.
	NumExcludeReasons
)

var excludeReasonNames = [...]string{NotExcluded: "counted", ExcludedGenerated: "generated",
	ExcludedVendored: "vendored", ExcludedVendorDir: "vendor-folder", ExcludedLockFile: "lock-file",
	ExcludedMinified: "minified"}

// String names the reason as reports print it.
func (r ExcludeReason) String() string {
	if int(r) < len(excludeReasonNames) {
		return excludeReasonNames[r]
	}
	return fmt.Sprintf("ExcludeReason(%d)", uint8(r))
}

// LeftOut is what a Scope left out of one analysis.
type LeftOut struct {
	BotCommits        int                    // commits by bots (BotsExclude), or by people (BotsOnly)
	BotsCounted       int                    // commits by bots the analysis counted (all of them when not AuthorBased)
	IgnoredCommits    int                    // commits in IgnoreRevs
	LargeCommits      int                    // commits changing more than MaxChangeset files
	Files             [NumExcludeReasons]int // distinct paths, per reason
	Lines             [NumExcludeReasons]int // lines added plus deleted, per reason
	CoAuthorCredits   int                    // co-author credits given
	AuthorBasedReport bool                   // the bot policy and co-authors applied
}

// Commits is how many commits were left out in all.
func (l LeftOut) Commits() int { return l.BotCommits + l.IgnoredCommits + l.LargeCommits }

// Reasons returns the exclusion reasons that left at least one file out,
// in report order.
func (l LeftOut) Reasons() []ExcludeReason {
	var out []ExcludeReason
	for r := ExcludedGenerated; r < NumExcludeReasons; r++ {
		if l.Files[r] > 0 {
			out = append(out, r)
		}
	}
	return out
}

// Wrap returns an Analyzer that applies s to an's commits. Its states are
// *ScopedState; take an's own State from ScopedState.Inner.
func (s Scope) Wrap(an Analyzer) Analyzer {
	ab, ok := an.(AuthorBased)
	return scoped{scope: s, inner: an, authorBased: ok && ab.AuthorBased()}
}

type scoped struct {
	scope       Scope
	inner       Analyzer
	authorBased bool
}

func (a scoped) NewState() State {
	return &ScopedState{scope: a.scope, authorBased: a.authorBased, inner: a.inner.NewState(),
		paths: map[string]ExcludeReason{}}
}

// ScopedState is the State of a Scope-wrapped analyzer. Not safe for
// concurrent use, as every State.
type ScopedState struct {
	scope       Scope
	authorBased bool
	inner       State
	left        LeftOut
	paths       map[string]ExcludeReason // excluded paths seen, with their reason
	reasons     map[string]ExcludeReason // Exclude's answers, so each path is asked once
	bots        map[authorKey]bool       // isBot's answers, so each identity is asked once
	// The identity isBot was last asked about, and its answer.
	last      authorKey
	lastBot   bool
	lastAsked bool
}

// Inner returns the wrapped analyzer's State.
func (s *ScopedState) Inner() State { return s.inner }

// LeftOut returns what the scope has left out so far.
func (s *ScopedState) LeftOut() LeftOut {
	l := s.left
	l.AuthorBasedReport = s.authorBased
	for _, r := range s.paths {
		l.Files[r]++
	}
	return l
}

// Observe applies the scope to c and hands what is left to the inner State.
func (s *ScopedState) Observe(c *walker.Commit) {
	sc := &s.scope
	if len(sc.IgnoreRevs) > 0 {
		if _, ok := sc.IgnoreRevs[c.Hash]; ok {
			s.left.IgnoredCommits++
			return
		}
	}
	if sc.MaxChangeset > 0 && len(c.Changes) > sc.MaxChangeset {
		s.left.LargeCommits++
		return
	}
	bot := s.isBot(c.Author.Name, c.Author.Email)
	if s.authorBased && sc.Bots != BotsInclude && bot != (sc.Bots == BotsOnly) {
		s.left.BotCommits++
		return
	}
	if bot {
		s.left.BotsCounted++
	}
	if sc.Exclude != nil {
		c = s.excludeFiles(c)
	}
	if !s.authorBased || !sc.CoAuthors {
		s.inner.Observe(c)
		return
	}
	cos := s.coAuthors(c)
	n := len(cos) + 1
	if !sc.ShareLines || n == 1 {
		s.inner.Observe(c)
		n = 0 // co-authors get no lines
	} else {
		s.inner.Observe(withShare(c, c.Author, n, 0))
	}
	for i, co := range cos {
		s.inner.Observe(withShare(c, co, n, i+1))
		s.left.CoAuthorCredits++
	}
}

// withShare returns c as who's, with share i of n of each file's lines (see
// Scope.ShareLines); n 0 gives no lines.
func withShare(c *walker.Commit, who walker.Signature, n, i int) *walker.Commit {
	cc := *c
	cc.Author = walker.Signature{Name: who.Name, Email: who.Email, When: c.Author.When}
	cc.Changes = make([]walker.Change, len(c.Changes))
	share := func(v int) int {
		if n == 0 {
			return 0
		}
		if i < v%n {
			return v/n + 1
		}
		return v / n
	}
	for j, ch := range c.Changes {
		ch.Added, ch.Deleted = share(ch.Added), share(ch.Deleted)
		cc.Changes[j] = ch
	}
	return &cc
}

func (s *ScopedState) isBot(name, email string) bool {
	// Commits in a row are often one author's: comparing with the last
	// one is cheaper than hashing both strings into the memo (2% of a
	// warm walk of go-git).
	if s.lastAsked && name == s.last.name && email == s.last.email {
		return s.lastBot
	}
	bot := s.isBotMemo(name, email)
	s.last, s.lastBot, s.lastAsked = authorKey{name, email}, bot, true
	return bot
}

func (s *ScopedState) isBotMemo(name, email string) bool {
	k := authorKey{name, email}
	if bot, ok := s.bots[k]; ok {
		return bot
	}
	bot := IsBot(name, email)
	if !bot && s.scope.Mailmap != nil {
		if n, e, ok := s.scope.Mailmap.Lookup(name, email); ok {
			bot = IsBot(n, e)
		}
	}
	if s.bots == nil {
		s.bots = map[authorKey]bool{}
	}
	s.bots[k] = bot
	return bot
}

// excludeFiles returns c without the changes Exclude leaves out, counting
// them; c itself is returned when nothing is left out.
func (s *ScopedState) excludeFiles(c *walker.Commit) *walker.Commit {
	if s.reasons == nil {
		s.reasons = map[string]ExcludeReason{}
	}
	var kept []walker.Change
	for i := range c.Changes {
		ch := &c.Changes[i]
		r, ok := s.reasons[ch.Path]
		if !ok {
			r = s.scope.Exclude(ch.Path)
			s.reasons[ch.Path] = r
		}
		if r == NotExcluded {
			if kept != nil {
				kept = append(kept, *ch)
			}
			continue
		}
		if kept == nil {
			kept = make([]walker.Change, i, len(c.Changes))
			copy(kept, c.Changes[:i])
		}
		s.paths[ch.Path] = r
		s.left.Lines[r] += ch.Added + ch.Deleted
	}
	if kept == nil {
		return c
	}
	cc := *c
	cc.Changes = kept
	return &cc
}

// coAuthors returns the co-authors of c to credit, in trailer order: a
// co-author who is the author, or is named twice, is credited once, and
// the bot policy applies to co-authors as to authors.
func (s *ScopedState) coAuthors(c *walker.Commit) []walker.Signature {
	cos := CoAuthors(c.Message)
	if len(cos) == 0 {
		return nil
	}
	var out []walker.Signature
	seen := map[string]bool{strings.ToLower(c.Author.Email): true}
	for _, co := range cos {
		key := strings.ToLower(co.Email)
		if seen[key] {
			continue
		}
		seen[key] = true
		if s.scope.Bots != BotsInclude && s.isBot(co.Name, co.Email) != (s.scope.Bots == BotsOnly) {
			continue
		}
		out = append(out, co)
	}
	return out
}

// Merge adds other's figures; other must be a *ScopedState of the same Wrap.
func (s *ScopedState) Merge(other State) {
	o := mustBe[*ScopedState](other)
	s.inner.Merge(o.inner)
	s.left.BotCommits += o.left.BotCommits
	s.left.BotsCounted += o.left.BotsCounted
	s.left.IgnoredCommits += o.left.IgnoredCommits
	s.left.LargeCommits += o.left.LargeCommits
	s.left.CoAuthorCredits += o.left.CoAuthorCredits
	for r := range s.left.Lines {
		s.left.Lines[r] += o.left.Lines[r]
	}
	for p, r := range o.paths {
		s.paths[p] = r
	}
}

// ExcludedPaths returns the paths left out, with their reasons, sorted by path.
func (s *ScopedState) ExcludedPaths() []PathReason {
	out := make([]PathReason, 0, len(s.paths))
	for p, r := range s.paths {
		out = append(out, PathReason{Path: p, Reason: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// PathReason is a path and why it was left out.
type PathReason struct {
	Path   string
	Reason ExcludeReason
}

// AuthorBased is true: ownership credits people with lines, so bots are
// left out by default like in the other per-person analyses.
func (o Ownership) AuthorBased() bool { return true }
