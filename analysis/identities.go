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
	return &IdentitiesState{mailmap: a.Mailmap, raw: map[authorKey]int{}}
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
	raw     map[authorKey]int // commits per raw identity
}

// Observe adds one commit.
func (s *IdentitiesState) Observe(c *walker.Commit) {
	s.raw[authorKey{c.Author.Name, c.Author.Email}]++
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
		r := IdentityRow{Name: k.name, Email: k.email, CanonName: k.name, CanonEmail: k.email, Commits: n}
		if s.mailmap != nil {
			r.CanonName, r.CanonEmail, _ = s.mailmap.Lookup(k.name, k.email)
		}
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

// Candidate is a suggested mailmap entry: canonical identities that look
// like one person. Kind is "same-email" (one email, several names; compared
// ignoring case, as .mailmap compares emails) or "same-name" (one name,
// several emails). Proper is the identity with the most commits (ties: byte
// order); Others are the rest. MailmapLines[i] is the .mailmap text that
// would merge Others[i] into Proper: one line per raw identity the mailmap
// gathers into Others[i] (lines joined by newlines).
type Candidate struct {
	Kind         string
	ProperName   string
	ProperEmail  string
	Others       []IdentityRow // CanonName, CanonEmail and Commits are set
	Commits      int           // of all the identities together
	MailmapLines []string
}

// Candidates returns merge candidates among the canonical identities, bots
// left out (a bot's many names are its own business): same-email groups
// first, then same-name groups, each sorted by proper name and email.
func (s *IdentitiesState) Candidates() []Candidate {
	canon := map[authorKey]int{}
	raws := map[authorKey][]authorKey{} // canonical -> its raw identities, in Rows order
	for _, r := range s.Rows() {
		if r.Bot {
			continue
		}
		k := authorKey{r.CanonName, r.CanonEmail}
		canon[k] += r.Commits
		raws[k] = append(raws[k], authorKey{r.Name, r.Email})
	}
	byEmail := map[string][]authorKey{}
	byName := map[string][]authorKey{}
	for k := range canon {
		byEmail[strings.ToLower(k.email)] = append(byEmail[strings.ToLower(k.email)], k)
		if k.name != "" {
			byName[k.name] = append(byName[k.name], k)
		}
	}
	var out []Candidate
	group := func(kind string, groups map[string][]authorKey) {
		var found []Candidate
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
			if kind == "same-name" && sameEmails(ks) {
				continue // only the case of the email differs: same-email covers it
			}
			c := Candidate{Kind: kind, ProperName: ks[0].name, ProperEmail: ks[0].email, Commits: canon[ks[0]]}
			for _, k := range ks[1:] {
				c.Others = append(c.Others, IdentityRow{CanonName: k.name, CanonEmail: k.email, Commits: canon[k]})
				c.Commits += canon[k]
				// .mailmap lines match the identities recorded in commits,
				// so there is one line per raw identity behind k, in the
				// precise form "Proper <proper> Commit Name <commit email>".
				var lines []string
				for _, raw := range raws[k] {
					lines = append(lines, fmt.Sprintf("%s <%s> %s <%s>", ks[0].name, ks[0].email, raw.name, raw.email))
				}
				c.MailmapLines = append(c.MailmapLines, strings.Join(lines, "\n"))
			}
			found = append(found, c)
		}
		sort.Slice(found, func(i, j int) bool {
			if found[i].ProperName != found[j].ProperName {
				return found[i].ProperName < found[j].ProperName
			}
			return found[i].ProperEmail < found[j].ProperEmail
		})
		out = append(out, found...)
	}
	group("same-email", byEmail)
	group("same-name", byName)
	return out
}

func sameEmails(ks []authorKey) bool {
	for _, k := range ks[1:] {
		if !strings.EqualFold(k.email, ks[0].email) {
			return false
		}
	}
	return true
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
			r.Rows = append(r.Rows, []any{c.Kind, c.ProperName, c.ProperEmail, o.CanonName, o.CanonEmail, o.Commits, c.MailmapLines[i]})
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
