package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gitwalk/gitwalk/walker"
)

// Identities is the identities analysis: every raw author identity (name and
// email as recorded), the canonical identity .mailmap maps it to, its
// commits and whether it is a bot (IsBot on the raw or the canonical
// identity). Candidates then suggests mailmap entries the map does not
// have yet; nothing is ever applied. Identities is a value; its zero value
// maps nothing.
type Identities struct {
	Mailmap Mailmap
}

// NewState returns an empty *IdentitiesState.
func (a Identities) NewState() State {
	return &IdentitiesState{mailmap: a.Mailmap, raw: map[identityKey]int{}, canon: map[authorKey]authorKey{}}
}

// IdentityRow is one raw identity and where the mailmap puts it.
type IdentityRow struct {
	Name, Email           string // as recorded in the commits
	CanonName, CanonEmail string // after .mailmap (the raw ones when no entry applies)
	Commits               int
	Bot                   bool
}

// IdentitiesState accumulates Identities. Not safe for concurrent use.
type IdentitiesState struct {
	mailmap Mailmap
	// raw counts commits per raw identity and the canonical one its
	// repository's mailmap gave it: mapped when observed, so that states of
	// repositories with different mailmaps merge (MergeRepositories) each
	// with its own mapping.
	raw   map[identityKey]int
	canon map[authorKey]authorKey // this state's lookups, each raw identity once
}

type identityKey struct{ raw, canon authorKey }

// Observe adds one commit.
func (s *IdentitiesState) Observe(c *walker.Commit) {
	raw := authorKey{c.Author.Name, c.Author.Email}
	canon, ok := s.canon[raw]
	if !ok {
		canon = raw
		if s.mailmap != nil {
			canon.name, canon.email, _ = s.mailmap.Lookup(raw.name, raw.email)
		}
		s.canon[raw] = canon
	}
	s.raw[identityKey{raw, canon}]++
}

// Merge adds other's counts; sums are associative.
func (s *IdentitiesState) Merge(other State) {
	o := mustBe[*IdentitiesState](other)
	for k, n := range o.raw {
		s.raw[k] += n
	}
	o.raw = nil
}

// Rows returns one row per raw identity, sorted by canonical name and email,
// then by commits (most first), then raw name and email, so that the
// identities merged into one person stand together.
func (s *IdentitiesState) Rows() []IdentityRow {
	rows := make([]IdentityRow, 0, len(s.raw))
	for k, n := range s.raw {
		r := IdentityRow{Name: k.raw.name, Email: k.raw.email, CanonName: k.canon.name, CanonEmail: k.canon.email, Commits: n}
		r.Bot = IsBot(r.Name, r.Email) || IsBot(r.CanonName, r.CanonEmail)
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if a.CanonName != b.CanonName {
			return a.CanonName < b.CanonName
		}
		if a.CanonEmail != b.CanonEmail {
			return a.CanonEmail < b.CanonEmail
		}
		if a.Commits != b.Commits {
			return a.Commits > b.Commits
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Email < b.Email
	})
	return rows
}

// Candidate is a suggested set of mailmap entries: canonical identities
// that look like one person, linked by a shared email (compared ignoring
// case, as .mailmap compares emails) or a shared name, directly or through
// other identities of the group. Proper is the identity with the most
// commits (ties: byte order of name, then email); Others are the rest, and
// Kinds[i] says how Others[i] is linked: "same-email" or "same-name" (as
// Proper's), or "linked" (through another identity of the group).
// MailmapLines[i] is the .mailmap text that would merge Others[i] into
// Proper: one line per raw identity the mailmap gathers into Others[i]
// (lines joined by newlines). Since each identity is in one group only,
// every raw identity gets at most one line, and the lines never contradict
// each other (git's mailmap does not chain entries).
type Candidate struct {
	ProperName   string
	ProperEmail  string
	Others       []IdentityRow // CanonName, CanonEmail and Commits are set
	Kinds        []string
	Commits      int // of all the identities together
	MailmapLines []string
}

// genericNames are names that many people's commits carry (a fresh
// machine's account, a tool's placeholder): a shared one says nothing about
// who made the commits, so it links no identities. Compared ignoring case.
var genericNames = []string{"root", "admin", "administrator", "user", "ubuntu", "unknown", "your name",
	"nobody", "none", "(none)", "anonymous", "git", "github", "localhost"}

// genericLocals are email local parts that, like genericNames, many people
// share; an email at a host named "(none)" or "localhost" (an unconfigured
// machine's) is generic too.
var genericLocals = []string{"root", "admin", "administrator", "user", "ubuntu", "you", "your.email",
	"your_email", "youremail", "email", "noreply", "no-reply", "nobody", "none", "unknown"}

func isGenericName(name string) bool {
	n := strings.TrimSpace(name)
	for _, g := range genericNames {
		if strings.EqualFold(n, g) {
			return true
		}
	}
	return n == ""
}

func isGenericEmail(email string) bool {
	e := strings.ToLower(strings.TrimSpace(email))
	local, host, _ := strings.Cut(e, "@")
	if local == "" || host == "(none)" || strings.HasSuffix(host, ".(none)") || host == "localhost" ||
		strings.HasPrefix(host, "localhost.") {
		return true
	}
	for _, g := range genericLocals {
		if local == g {
			return true
		}
	}
	return false
}

// Candidates returns merge candidates among the canonical identities: the
// groups of two or more identities joined by shared emails or names, bots
// left out (a bot's many names are its own business) and generic names and
// emails (root, root@localhost, you@example.com ...; see isGenericName)
// linking nothing. Groups are sorted by proper name and email.
func (s *IdentitiesState) Candidates() []Candidate {
	canon := map[authorKey]int{}
	raws := map[authorKey][]authorKey{} // canonical -> its raw identities, in Rows order
	var keys []authorKey
	for _, r := range s.Rows() {
		if r.Bot {
			continue
		}
		k := authorKey{r.CanonName, r.CanonEmail}
		if _, ok := canon[k]; !ok {
			keys = append(keys, k)
		}
		canon[k] += r.Commits
		raws[k] = append(raws[k], authorKey{r.Name, r.Email})
	}
	// Union-find over keys (in Rows order, so deterministic): identities
	// sharing a (non-generic) email or name end in one set.
	parent := make([]int, len(keys))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(i, j int) {
		if a, b := find(i), find(j); a != b {
			parent[b] = a
		}
	}
	byEmail, byName := map[string]int{}, map[string]int{}
	for i, k := range keys {
		if !isGenericEmail(k.email) {
			e := strings.ToLower(k.email)
			if j, ok := byEmail[e]; ok {
				union(i, j)
			} else {
				byEmail[e] = i
			}
		}
		if !isGenericName(k.name) {
			if j, ok := byName[k.name]; ok {
				union(i, j)
			} else {
				byName[k.name] = i
			}
		}
	}
	groups := map[int][]authorKey{}
	for i, k := range keys {
		groups[find(i)] = append(groups[find(i)], k)
	}
	var out []Candidate
	for _, ks := range groups {
		if len(ks) < 2 {
			continue
		}
		sort.Slice(ks, func(i, j int) bool {
			a, b := ks[i], ks[j]
			if canon[a] != canon[b] {
				return canon[a] > canon[b]
			}
			if a.name != b.name {
				return a.name < b.name
			}
			return a.email < b.email
		})
		p := ks[0]
		c := Candidate{ProperName: p.name, ProperEmail: p.email, Commits: canon[p]}
		for _, k := range ks[1:] {
			kind := "linked"
			switch {
			case strings.EqualFold(k.email, p.email) && !isGenericEmail(k.email):
				kind = "same-email"
			case k.name == p.name && !isGenericName(k.name):
				kind = "same-name"
			}
			c.Others = append(c.Others, IdentityRow{CanonName: k.name, CanonEmail: k.email, Commits: canon[k]})
			c.Kinds = append(c.Kinds, kind)
			c.Commits += canon[k]
			// .mailmap lines match the identities recorded in commits, so
			// there is one line per raw identity behind k, in the precise
			// form "Proper <proper> Commit Name <commit email>".
			var lines []string
			for _, raw := range raws[k] {
				lines = append(lines, fmt.Sprintf("%s <%s> %s <%s>", p.name, p.email, raw.name, raw.email))
			}
			c.MailmapLines = append(c.MailmapLines, strings.Join(lines, "\n"))
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ProperName != out[j].ProperName {
			return out[i].ProperName < out[j].ProperName
		}
		return out[i].ProperEmail < out[j].ProperEmail
	})
	return out
}

// IdentitiesReport makes the Report of identity rows: name, email,
// canonical_name, canonical_email, commits, bot ("yes" or "no").
func IdentitiesReport(rows []IdentityRow) *Report {
	r := &Report{
		Analysis: "identities",
		Columns: []Column{{Name: "name", Cut: true}, {Name: "email", Cut: true}, {Name: "canonical_name", Cut: true},
			{Name: "canonical_email", Cut: true}, {Name: "commits"}, {Name: "bot"}},
		Rows: make([][]any, len(rows)),
	}
	for i, row := range rows {
		r.Rows[i] = []any{row.Name, row.Email, row.CanonName, row.CanonEmail, row.Commits, yesNo(row.Bot)}
	}
	return r
}

// CandidatesReport makes the Report of merge candidates, one row per
// identity to merge: kind, proper_name, proper_email, name, email, commits
// (of that identity), mailmap (the suggested line).
func CandidatesReport(cands []Candidate) *Report {
	r := &Report{
		Analysis: "identity-candidates",
		Columns: []Column{{Name: "kind"}, {Name: "proper_name", Cut: true}, {Name: "proper_email", Cut: true},
			{Name: "name", Cut: true}, {Name: "email", Cut: true}, {Name: "commits"}, {Name: "mailmap", Cut: true}},
	}
	for _, c := range cands {
		for i, o := range c.Others {
			r.Rows = append(r.Rows, []any{c.Kinds[i], c.ProperName, c.ProperEmail, o.CanonName, o.CanonEmail, o.Commits, c.MailmapLines[i]})
		}
	}
	return r
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
