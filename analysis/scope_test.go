package analysis_test

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

func TestTrailersAreTheOnesGitInterpretTrailersParses(t *testing.T) {
	testrepos.IsolateGit(t)
	messages := []string{
		"subject only",
		"subject\n\nCo-authored-by: A <a@example.com>\n",
		"subject\n\nbody text\n\nCo-authored-by: A <a@example.com>\nco-authored-by: B <b@example.com>\n",
		"subject\n\nCo-authored-by: A <a@example.com>\nnot a trailer line\n",
		"subject\n\nsome text\nmore text\nand more\nCo-authored-by: A <a@example.com>\nSigned-off-by: S <s@example.com>\n",
		"subject\n\ntext\ntext\ntext\ntext\ntext\ntext\ntext\nCo-authored-by: A <a@example.com>\nSigned-off-by: S <s@example.com>\n",
		"subject\n\nCo-authored-by: A <a@example.com>\n  continued\nReviewed-by: R <r@example.com>\n",
		"subject\n\nthe body mentions\nCo-authored-by: A <a@example.com>\n\nthe end.\n",
		"Co-authored-by: A <a@example.com>\n",
		"subject\n\nKey : value with a space before the colon\n",
		"subject\n\nCo-authored-by: A <a@example.com>\n\n\n",
	}
	for _, msg := range messages {
		cmd := exec.Command("git", "interpret-trailers", "--parse", "--no-divider")
		cmd.Stdin = strings.NewReader(msg)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git interpret-trailers: %v", err)
		}
		var want []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" {
				want = append(want, strings.ToLower(l))
			}
		}
		var got []string
		for _, tr := range analysis.Trailers(msg) {
			got = append(got, strings.ToLower(tr.Key+": "+tr.Value))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("message %q: trailers %q, git parses %q", msg, got, want)
		}
	}
}

func TestIsBotKnowsTheCommonAutomations(t *testing.T) {
	for _, tc := range []struct {
		name, email string
		bot         bool
	}{
		{"dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", true},
		{"Renovate Bot", "bot@renovateapp.com", true},
		{"github-actions", "41898282+github-actions[bot]@users.noreply.github.com", true},
		{"someone", "someapp[bot]@users.noreply.github.com", true},
		{"Jane Doe", "jane@example.com", false},
		{"Robert", "robert@example.com", false},
		{"Abbot", "abbot@example.com", false},
		{"Craig Younkins (bot)", "45402181+cyounkins-bot@users.noreply.github.com", true},
		{"release_bot", "ci@example.com", true},
		{"Marc Bot", "marc.bot@example.com", false},
		{"Theo Buehler", "botovq@users.noreply.github.com", false},
		{"Nick Quaranto", "nick@thoughtbot.com", false},
	} {
		if got := analysis.IsBot(tc.name, tc.email); got != tc.bot {
			t.Errorf("IsBot(%q, %q) = %v, want %v", tc.name, tc.email, got, tc.bot)
		}
	}
}

func commitBy(id byte, name, email, msg string, paths ...string) *walker.Commit {
	c := &walker.Commit{Author: walker.Signature{Name: name, Email: email, When: time.Unix(int64(id)*1000, 0)}, Message: msg}
	c.Hash[0] = id
	for _, p := range paths {
		c.Changes = append(c.Changes, walker.Change{Path: p, Added: 2, Deleted: 1})
	}
	return c
}

// TestScopeLeavesOutAndCountsWhatItSays works on hand-made commits: one by
// a bot, one ignored, one too large, one with a co-author, and files of
// every default-excluded kind, so each count below is read off the list.
func TestScopeLeavesOutAndCountsWhatItSays(t *testing.T) {
	commits := []*walker.Commit{
		commitBy(1, "dependabot[bot]", "bot@example.com", "bump", "go.sum"),
		commitBy(2, "Ann", "ann@example.com", "fmt", "a.go", "b.go"),
		commitBy(3, "Ann", "ann@example.com", "big", "a.go", "b.go", "c.go", "d.go"),
		commitBy(4, "Ann", "ann@example.com", "pair\n\nCo-authored-by: Bo <bo@example.com>\n", "a.go", "vendor/x.go", "web/app.min.js"),
		commitBy(5, "Bo", "bo@example.com", "lock", "package-lock.json", "b.go"),
	}
	sc := analysis.Scope{
		CoAuthors:    true,
		IgnoreRevs:   map[walker.Hash]struct{}{commits[1].Hash: {}},
		MaxChangeset: 3,
		Exclude:      analysis.DefaultExclude,
	}
	for _, split := range []int{0, 2, 5} {
		an := sc.Wrap(analysis.Authors{})
		a, b := an.NewState(), an.NewState()
		for i, c := range commits {
			if i < split {
				a.Observe(c)
			} else {
				b.Observe(c)
			}
		}
		a.Merge(b)
		st := a.(*analysis.ScopedState)
		l := st.LeftOut()
		if l.BotCommits != 1 || l.IgnoredCommits != 1 || l.LargeCommits != 1 || l.CoAuthorCredits != 1 {
			t.Errorf("split %d: commits left out %+v", split, l)
		}
		if l.Files[analysis.ExcludedVendorDir] != 1 || l.Lines[analysis.ExcludedVendorDir] != 3 ||
			l.Files[analysis.ExcludedMinified] != 1 || l.Files[analysis.ExcludedLockFile] != 1 || l.Lines[analysis.ExcludedLockFile] != 3 {
			t.Errorf("split %d: files left out %+v", split, l)
		}
		rows := st.Inner().(*analysis.AuthorsState).Rows()
		// Ann: commit 4 (a.go: 2+1). Bo: commit 5 (b.go) and the credit for
		// commit 4 (a.go, no lines).
		want := []analysis.AuthorRow{
			{Name: "Bo", Email: "bo@example.com", Commits: 2, Files: 2, Added: 2, Deleted: 1},
			{Name: "Ann", Email: "ann@example.com", Commits: 1, Files: 1, Added: 2, Deleted: 1},
		}
		for i := range rows {
			rows[i].First, rows[i].Last = time.Time{}, time.Time{}
		}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("split %d: rows %+v, want %+v", split, rows, want)
		}
	}
}
