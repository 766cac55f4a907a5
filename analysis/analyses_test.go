package analysis_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// mappedCommit is one commit of `git log` with its author after .mailmap
// (git's own %aN <%aE>), in git's order.
type mappedCommit struct {
	hash, author string
	epoch        int64
	changes      []gitChange
}

func gitLogMapped(t *testing.T, dir string, args ...string) []mappedCommit {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "log", "-z", "--numstat",
		"--format=%x01%H%x02%aN <%aE>%x02%at"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git log %v: %v: %s", args, err, errb.String())
	}
	var commits []mappedCommit
	for _, rec := range strings.Split(out.String(), "\x01")[1:] {
		head, body, _ := strings.Cut(rec, "\x00")
		f := strings.Split(head, "\x02")
		epoch, _ := strconv.ParseInt(f[2], 10, 64)
		c := mappedCommit{hash: f[0], author: f[1], epoch: epoch, changes: numstatZ(t, body)}
		commits = append(commits, c)
	}
	hashes := make([]string, len(commits))
	changes := make([][]gitChange, len(commits))
	for i := range commits {
		hashes[i], changes[i] = commits[i].hash, commits[i].changes
	}
	followGit(changes, gitAdded(t, dir, hashes, args...))
	return commits
}

// gitFilesAt gives the files of rev's tree with their lines as git's
// numstat counts a whole file from the empty tree (-1: binary).
func gitFilesAt(t *testing.T, dir, rev string) map[string]int {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "diff", "--numstat", "--no-renames", "-z",
		"4b825dc642cb6eb9a060e54bf8d69288fbee4904", rev).Output()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int{}
	for _, rec := range strings.Split(string(out), "\x00") {
		f := strings.SplitN(rec, "\t", 3)
		if len(f) != 3 {
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			n = -1
		}
		files[f[2]] = n
	}
	return files
}

// peopleWithMailmap is the people repository plus a .mailmap in its work
// tree that joins Ann's two addresses and renames Cyd.
func peopleWithMailmap(t *testing.T) string {
	dir := buildPeopleRepo(t)
	mm := "Ann <ann@example.com> <ann@other.org>\nCydney Q <cyd@example.com>\n"
	if err := os.WriteFile(filepath.Join(dir, ".mailmap"), []byte(mm), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// analysisDirs are the repositories the oracle tests walk: the fixtures but
// "large" (its six commits of 40,000-line diffs test the engine, which the
// churn tests already hold to git; these analyses only add its counts up),
// and the people repository with a .mailmap.
func analysisDirs(t *testing.T) map[string]string {
	dirs := fixtureDirs(t)
	delete(dirs, "large")
	dirs["people"] = peopleWithMailmap(t)
	return dirs
}

func sortedNames(m map[string]string) []string {
	var n []string
	for k := range m {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func mailmapOf(t *testing.T, dir string) analysis.Mailmap {
	t.Helper()
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	mm, err := repo.Mailmap()
	if err != nil {
		t.Fatal(err)
	}
	return mm
}

// expectedCoupling follows code-maat's formulas in floating point.
func expectedCoupling(commits []mappedCommit, o analysis.Coupling) (rows map[[2]string]analysis.CouplingRow, counted, leftOut int) {
	revs := map[string]int{}
	shared := map[[2]string]int{}
	for _, c := range commits {
		if len(c.changes) == 0 {
			continue
		}
		if o.MaxChangesetSize > 0 && len(c.changes) > o.MaxChangesetSize {
			leftOut++
			continue
		}
		counted++
		for i, a := range c.changes {
			revs[a.path]++
			for _, b := range c.changes[i+1:] {
				k := [2]string{a.path, b.path}
				if k[1] < k[0] {
					k[0], k[1] = k[1], k[0]
				}
				shared[k]++
			}
		}
	}
	rows = map[[2]string]analysis.CouplingRow{}
	for k, n := range shared {
		avg := float64(revs[k[0]]+revs[k[1]]) / 2
		coupling := float64(n) / avg * 100
		if avg < float64(o.MinRevs) || n < o.MinShared || coupling < float64(o.MinCoupling) ||
			(o.MaxCoupling > 0 && math.Floor(coupling) > float64(o.MaxCoupling)) {
			continue
		}
		rows[k] = analysis.CouplingRow{Entity: k[0], Coupled: k[1], Degree: int(coupling), AverageRevs: int(math.Ceil(avg)),
			Shared: n, EntityRevs: revs[k[0]], CoupledRevs: revs[k[1]]}
	}
	return rows, counted, leftOut
}

func TestCouplingMatchesCodeMaatsFormulasOnGitLog(t *testing.T) {
	dirs := analysisDirs(t)
	for _, name := range sortedNames(dirs) {
		dir := dirs[name]
		commits := gitLogMapped(t, dir, "--all", "--no-merges")
		options := []analysis.Coupling{
			{},                         // every pair
			{MinRevs: 2, MinShared: 1}, // some
			{MaxChangesetSize: 2},      // big commits left out
			analysis.DefaultCoupling(),
			{MinCoupling: 50, MaxCoupling: 99},
		}
		analyzers := make([]analysis.Analyzer, len(options))
		for i, o := range options {
			analyzers[i] = o
		}
		for _, workers := range []int{1, 2, 8} {
			states := runAnalyzers(t, dir, walker.Options{Revisions: []string{"--all"}, NoMerges: true}, workers, analyzers...)
			for i, o := range options {
				want, counted, leftOut := expectedCoupling(commits, o)
				t.Run(fmt.Sprintf("%s %+v with %d workers", name, o, workers), func(t *testing.T) {
					st := states[i].(*analysis.CouplingState)
					rows := st.Rows()
					got := map[[2]string]analysis.CouplingRow{}
					for _, r := range rows {
						got[[2]string{r.Entity, r.Coupled}] = r
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("pairs differ:\n got  %v\n want %v", got, want)
					}
					if st.Commits() != counted || st.LeftOut() != leftOut {
						t.Errorf("counted %d, left out %d; want %d, %d", st.Commits(), st.LeftOut(), counted, leftOut)
					}
					for i := 1; i < len(rows); i++ {
						a, b := rows[i-1], rows[i]
						if a.Degree < b.Degree || a.Degree == b.Degree && (a.Shared < b.Shared || a.Shared == b.Shared && a.Entity+"\x00"+a.Coupled > b.Entity+"\x00"+b.Coupled) {
							t.Fatalf("rows %d and %d out of order", i-1, i)
						}
					}
				})
			}
		}
	}
}

func TestCouplingThresholdsLeaveOutBigCommitsAndWeakPairs(t *testing.T) {
	// The people repository's non-merge commits (oldest first) change
	// {README, src/a.go}, {src/a.go, src/lib/b.go}, {docs/guide.md},
	// {bin.dat, src/lib/b.go}, {README, src/a.go}, {docs/guide.md,
	// vendor/v/x.go}, and the side branch {side.txt}: seven commits.
	dir := buildPeopleRepo(t)
	opts := walker.Options{Revisions: []string{"--all"}, NoMerges: true}
	st := runAnalyzers(t, dir, opts, 2, analysis.Coupling{MaxChangesetSize: 1})[0].(*analysis.CouplingState)
	if st.LeftOut() != 5 || st.Commits() != 2 || st.Pairs() != 0 {
		t.Errorf("max 1 file: left out %d, counted %d, pairs %d; want 5, 2, 0", st.LeftOut(), st.Commits(), st.Pairs())
	}
	st = runAnalyzers(t, dir, opts, 2, analysis.Coupling{MinShared: 2})[0].(*analysis.CouplingState)
	// README and src/a.go: 2 shared of 2 and 3 revisions: 2/2.5 = 80%.
	want := []analysis.CouplingRow{{Entity: "README", Coupled: "src/a.go", Degree: 80, AverageRevs: 3, Shared: 2, EntityRevs: 2, CoupledRevs: 3}}
	if got := st.Rows(); !reflect.DeepEqual(got, want) || st.LeftOut() != 0 || st.Pairs() != 4 {
		t.Errorf("min shared 2: %+v (left out %d, pairs %d), want %+v (0, 4)", got, st.LeftOut(), st.Pairs(), want)
	}
	st = runAnalyzers(t, dir, opts, 2, analysis.Coupling{MinShared: 2, MinCoupling: 81})[0].(*analysis.CouplingState)
	if got := st.Rows(); len(got) != 0 {
		t.Errorf("min coupling 81 kept %+v", got)
	}
	st = runAnalyzers(t, dir, opts, 2, analysis.Coupling{MinRevs: 3})[0].(*analysis.CouplingState)
	if got := st.Rows(); len(got) != 0 {
		t.Errorf("min revs 3 (no pair has a mean of 3) kept %+v", got)
	}
}

func TestOwnershipMatchesGitLogWithMailmap(t *testing.T) {
	dirs := analysisDirs(t)
	for _, name := range sortedNames(dirs) {
		dir := dirs[name]
		commits := gitLogMapped(t, dir, "--all", "--no-merges")
		type acc struct{ added, commits int }
		per := map[string]map[string]*acc{}
		for _, c := range commits {
			for _, ch := range c.changes {
				if per[ch.path] == nil {
					per[ch.path] = map[string]*acc{}
				}
				a := per[ch.path][c.author]
				if a == nil {
					a = &acc{}
					per[ch.path][c.author] = a
				}
				a.added += ch.added
				a.commits++
			}
		}
		want := map[string]analysis.OwnershipRow{}
		noAdded := 0
		for p, authors := range per {
			total, best := 0, ""
			for who, a := range authors {
				total += a.added
				b := authors[best]
				if best == "" || a.added > b.added || a.added == b.added && (a.commits > b.commits || a.commits == b.commits && who < best) {
					best = who
				}
			}
			if total == 0 {
				noAdded++
				continue
			}
			own, _ := strconv.ParseFloat(fmt.Sprintf("%.2f", float64(authors[best].added)/float64(total)), 64)
			want[p] = analysis.OwnershipRow{Entity: p, MainDev: best, Added: authors[best].added, TotalAdded: total, Ownership: own, Authors: len(authors)}
		}
		for _, workers := range []int{1, 2, 8} {
			st := runAnalyzers(t, dir, walker.Options{Revisions: []string{"--all"}, NoMerges: true}, workers,
				analysis.Ownership{Mailmap: mailmapOf(t, dir)})[0].(*analysis.OwnershipState)
			got := map[string]analysis.OwnershipRow{}
			for _, r := range st.Rows() {
				got[r.Entity] = r
			}
			if !reflect.DeepEqual(got, want) || st.NoAdded() != noAdded {
				t.Errorf("%s with %d workers:\n got  %v (%d without added lines)\n want %v (%d)", name, workers, got, st.NoAdded(), want, noAdded)
			}
		}
	}
}

func TestOwnershipOfThePeopleRepository(t *testing.T) {
	// Worked by hand: src/a.go gets 3 lines from Ann, 1 from Bob
	// ("three"), 1 from Cyd ("one"): Ann owns 3/5 = 0.6. With the mailmap,
	// src/lib/b.go has Bob's 1 line and Ann's (ann@other.org) 2.
	dir := peopleWithMailmap(t)
	st := runAnalyzers(t, dir, walker.Options{NoMerges: true}, 2, analysis.Ownership{Mailmap: mailmapOf(t, dir)})[0].(*analysis.OwnershipState)
	got := map[string]analysis.OwnershipRow{}
	for _, r := range st.Rows() {
		got[r.Entity] = r
	}
	want := map[string]analysis.OwnershipRow{
		"src/a.go":     {Entity: "src/a.go", MainDev: "Ann <ann@example.com>", Added: 3, TotalAdded: 5, Ownership: 0.6, Authors: 3},
		"src/lib/b.go": {Entity: "src/lib/b.go", MainDev: "Ann <ann@example.com>", Added: 2, TotalAdded: 3, Ownership: 0.67, Authors: 2},
		"README":       {Entity: "README", MainDev: "Cydney Q <cyd@example.com>", Added: 2, TotalAdded: 3, Ownership: 0.67, Authors: 2},
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: got %+v, want %+v", p, got[p], w)
		}
	}
	if st.NoAdded() != 1 { // bin.dat is binary
		t.Errorf("NoAdded %d, want 1 (bin.dat)", st.NoAdded())
	}
}

func TestHotspotsMatchGitLogAndTheFilesAtTheFirstCommit(t *testing.T) {
	dirs := analysisDirs(t)
	for _, name := range sortedNames(dirs) {
		dir := dirs[name]
		for _, revs := range [][]string{{"HEAD"}, {"--all"}} {
			commits := gitLogMapped(t, dir, append([]string{"--no-merges"}, revs...)...)
			if len(commits) == 0 {
				continue
			}
			files := gitFilesAt(t, dir, commits[0].hash)
			type acc struct {
				revs, added, deleted int
				authors              map[string]bool
			}
			per := map[string]*acc{}
			for _, c := range commits {
				for _, ch := range c.changes {
					a := per[ch.path]
					if a == nil {
						a = &acc{authors: map[string]bool{}}
						per[ch.path] = a
					}
					a.revs++
					a.added += ch.added
					a.deleted += ch.deleted
					a.authors[c.author] = true
				}
			}
			want := map[string]analysis.HotspotRow{}
			for p, a := range per {
				lines, ok := files[p]
				if !ok {
					continue
				}
				r := analysis.HotspotRow{Entity: p, Revisions: a.revs, Authors: len(a.authors), Added: a.added, Deleted: a.deleted,
					Churn: a.added + a.deleted, Lines: lines}
				if lines < 0 {
					r.Lines, r.Binary = 0, true
				}
				want[p] = r
			}
			for _, workers := range []int{1, 2, 8} {
				sorts := []analysis.HotspotSort{analysis.ByRevisions, analysis.ByChurn, analysis.ByLines}
				all := hotspotRows(t, dir, walker.Options{Revisions: revs, NoMerges: true}, workers, mailmapOf(t, dir), sorts)
				for si, by := range sorts {
					rows := all[si]
					got := map[string]analysis.HotspotRow{}
					for _, r := range rows {
						got[r.Entity] = r
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s %v with %d workers:\n got  %v\n want %v", name, revs, workers, got, want)
					}
					key := func(r analysis.HotspotRow) []int {
						switch by {
						case analysis.ByChurn:
							return []int{r.Churn, r.Revisions, r.Lines}
						case analysis.ByLines:
							return []int{r.Lines, r.Revisions, r.Churn}
						}
						return []int{r.Revisions, r.Churn, r.Lines}
					}
					for i := 1; i < len(rows); i++ {
						a, b := key(rows[i-1]), key(rows[i])
						if fmt.Sprint(a) != fmt.Sprint(b) && !lexGreater(a, b) || fmt.Sprint(a) == fmt.Sprint(b) && rows[i-1].Entity > rows[i].Entity {
							t.Fatalf("%s sorted by %s: rows %d and %d out of order", name, by, i-1, i)
						}
					}
				}
			}
		}
	}
}

func lexGreater(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return false
}

// hotspotRows runs one Hotspots per sort in one walk.
func hotspotRows(t *testing.T, dir string, opts walker.Options, workers int, mm analysis.Mailmap, sorts []analysis.HotspotSort) [][]analysis.HotspotRow {
	t.Helper()
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	opts.Workers = workers
	var as []analysis.Analyzer
	for _, by := range sorts {
		as = append(as, analysis.Hotspots{Mailmap: mm, Sort: by})
	}
	states, err := analysis.Run(context.Background(), repo, opts, as...)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]analysis.HotspotRow
	for _, st := range states {
		rows, err := st.(*analysis.HotspotsState).Rows(context.Background(), repo)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rows)
	}
	return out
}

// monthsBetween counts whole months by stepping: the largest m such that
// from's date plus m months (its day clamped to the month's end) is not
// after to's date.
func monthsBetween(from, to time.Time) int {
	m := 0
	for {
		y, mo, d := from.Date()
		next := time.Date(y, mo+time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
		last := next.AddDate(0, 1, -1).Day()
		step := time.Date(next.Year(), next.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
		toDay := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
		if step.After(toDay) {
			return m
		}
		m++
	}
}

func TestAgeMatchesGitLog(t *testing.T) {
	dirs := analysisDirs(t)
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	for _, name := range sortedNames(dirs) {
		dir := dirs[name]
		commits := gitLogMapped(t, dir, "--no-merges", "--all")
		if len(commits) == 0 {
			continue
		}
		files := gitFilesAt(t, dir, commits[0].hash)
		type last struct {
			epoch  int64
			author string
		}
		per := map[string]last{}
		for _, c := range commits { // git's order: on equal dates the first listed wins
			for _, ch := range c.changes {
				if l, ok := per[ch.path]; !ok || c.epoch > l.epoch {
					per[ch.path] = last{c.epoch, c.author}
				}
			}
		}
		want := map[string]analysis.AgeRow{}
		for p, l := range per {
			if _, ok := files[p]; !ok {
				continue
			}
			when := time.Unix(l.epoch, 0).UTC()
			days := int(now.Unix()/86400 - l.epoch/86400)
			want[p] = analysis.AgeRow{Entity: p, AgeMonths: monthsBetween(when, now), AgeDays: days, LastChange: when, Author: l.author}
		}
		for _, workers := range []int{1, 2, 8} {
			repo, err := walker.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			states, err := analysis.Run(context.Background(), repo, walker.Options{Revisions: []string{"--all"}, NoMerges: true, Workers: workers},
				analysis.Age{Mailmap: mailmapOf(t, dir), Now: now})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := states[0].(*analysis.AgeState).Rows(context.Background(), repo, time.Time{})
			repo.Close()
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]analysis.AgeRow{}
			for _, r := range rows {
				got[r.Entity] = r
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s with %d workers:\n got  %v\n want %v", name, workers, got, want)
			}
			for i := 1; i < len(rows); i++ {
				if rows[i-1].LastChange.Before(rows[i].LastChange) {
					t.Fatalf("%s: not youngest first at row %d", name, i)
				}
			}
		}
	}
}

func TestAgeCountsCalendarMonthsAndLeavesOutLaterChanges(t *testing.T) {
	// The people repository's last commit on main is 2021-03-15 10:00
	// +09:00 (01:00 UTC), touching docs/guide.md and vendor/v/x.go;
	// README and src/a.go last changed 2021-02-28 23:59:59 -01:00, which
	// is 2021-03-01 in UTC.
	dir := buildPeopleRepo(t)
	run := func(now time.Time) map[string]analysis.AgeRow {
		repo, err := walker.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer repo.Close()
		states, err := analysis.Run(context.Background(), repo, walker.Options{NoMerges: true, Workers: 2}, analysis.Age{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := states[0].(*analysis.AgeState).Rows(context.Background(), repo, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]analysis.AgeRow{}
		for _, r := range rows {
			m[r.Entity] = r
		}
		return m
	}
	got := run(time.Date(2021, 4, 14, 0, 0, 0, 0, time.UTC))
	if r := got["docs/guide.md"]; r.AgeMonths != 0 || r.AgeDays != 30 {
		t.Errorf("guide.md: %d months %d days, want 0 and 30", r.AgeMonths, r.AgeDays)
	}
	if r := got["README"]; r.AgeMonths != 1 || r.AgeDays != 44 || r.Author != "Cyd <cyd@example.com>" {
		t.Errorf("README: %+v, want 1 month, 44 days, by Cyd", r)
	}
	// On 2021-03-10 the 2021-03-15 commit has not happened: guide.md's
	// last change is then Ann's of 2021-01-04 00:30 +02:00, 2021-01-03 in
	// UTC; Jan 3 to Mar 10 is 2 whole months and 31+28+7 = 66 days.
	// vendor/v/x.go, added on 2021-03-15, has no row.
	got = run(time.Date(2021, 3, 10, 0, 0, 0, 0, time.UTC))
	if r := got["docs/guide.md"]; r.AgeMonths != 2 || r.AgeDays != 66 {
		t.Errorf("guide.md before its last change: %+v, want 2 months and 66 days", r)
	}
	if r, ok := got["vendor/v/x.go"]; ok {
		t.Errorf("vendor/v/x.go, changed only after now, has a row %+v", r)
	}
}
