package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// peopleClone returns a work tree cloned from people.git, so that git and
// gitwalk both read its committed .gitattributes and .git-blame-ignore-revs.
func peopleClone(t *testing.T) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), "people")
	gitRun(t, "", "clone", "-q", testrepos.Path(t, "people"), work)
	return work
}

func csvRecords(t *testing.T, out string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("CSV does not parse: %v\n%s", err, out)
	}
	return recs
}

func mustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out, stderr, code := runGitwalk(t, args...)
	if code != 0 {
		t.Fatalf("gitwalk %v: exit %d: %s", args, code, stderr)
	}
	return out, stderr
}

// botCommits sums the commits of the bot identities in counts.
func splitBots(counts map[string]string) (people, bots map[string]string, botCommits int) {
	people, bots = map[string]string{}, map[string]string{}
	for ident, n := range counts {
		name, email, _ := strings.Cut(strings.TrimSuffix(ident, ">"), " <")
		if analysis.IsBot(name, email) {
			bots[ident] = n
			c, _ := strconv.Atoi(n)
			botCommits += c
		} else {
			people[ident] = n
		}
	}
	return people, bots, botCommits
}

func TestAuthorsOnEveryMailmapSourceCountAsGitShortlog(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, tc := range []struct {
		name   string
		config func(t *testing.T, dir string)
	}{
		{"a bare repository reads HEAD:.mailmap", func(t *testing.T, dir string) {}},
		{"mailmap.blob names another blob", func(t *testing.T, dir string) {
			gitRun(t, dir, "config", "mailmap.blob", "mailmap:alt.mailmap")
		}},
		{"mailmap.file adds to HEAD:.mailmap", func(t *testing.T, dir string) {
			extra := "Dave Two <dave@example.com> <dave@b.example.com>\nDave Two <dave@example.com> Dave <dave@a.example.com>\n"
			if err := os.WriteFile(filepath.Join(dir, "extra.mailmap"), []byte(extra), 0o644); err != nil {
				t.Fatal(err)
			}
			gitRun(t, dir, "config", "mailmap.file", "extra.mailmap")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testrepos.Path(t, "people")
			tc.config(t, dir)
			want := shortlogCounts(gitRun(t, dir, "shortlog", "-sne", "--no-merges", "HEAD"))
			people, bots, botCommits := splitBots(want)
			if len(bots) != 3 || len(people) < 4 {
				t.Fatalf("the fixture's premise fails: people %v, bots %v", people, bots)
			}
			sameCounts(t, "--bots include", want, authorsCSV(t, dir, "--bots", "include"))
			sameCounts(t, "--bots only", bots, authorsCSV(t, dir, "--bots", "only"))
			out, stderr, code := runGitwalk(t, "authors", dir, "--format", "csv")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := map[string]string{}
			for _, r := range csvRecords(t, out)[1:] {
				got[r[0]+" <"+r[1]+">"] = r[2]
			}
			sameCounts(t, "default (bots left out)", people, got)
			if note := "left out " + strconv.Itoa(botCommits) + " bot commits"; !strings.Contains(stderr, note) {
				t.Errorf("stderr does not say %q: %q", note, stderr)
			}
			// Every other output says it too: authors' JSON options and
			// --stats, and the summary, which counts the bots' commits.
			var rep struct {
				Options struct {
					LeftOut struct {
						BotCommits int `json:"bot_commits"`
					} `json:"left_out"`
				} `json:"options"`
				Rows []map[string]any `json:"rows"`
			}
			out, stderr = mustRun(t, "authors", dir, "--format", "json", "--stats")
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Options.LeftOut.BotCommits != botCommits {
				t.Errorf("authors JSON: left_out.bot_commits %d, git's bots made %d", rep.Options.LeftOut.BotCommits, botCommits)
			}
			if note := "left out: bot commits " + strconv.Itoa(botCommits) + ","; !strings.Contains(stderr, note) {
				t.Errorf("authors --stats does not say %q: %q", note, stderr)
			}
			out, _ = mustRun(t, "summary", dir, "--format", "json")
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if got := rep.Rows[0]["bot_commits"]; got != float64(botCommits) {
				t.Errorf("summary: bot_commits %v, git's bots made %d", got, botCommits)
			}
		})
	}
}

func TestIdentitiesMapAsGitCheckMailmap(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	raw := countLines(gitRun(t, dir, "log", "--no-merges", "--no-use-mailmap", "--format=%an <%ae>", "HEAD"))
	out, _ := mustRun(t, "identities", dir, "--format", "csv")
	recs := csvRecords(t, out)
	if got := strings.Join(recs[0], ","); got != "name,email,canonical_name,canonical_email,commits,bot" {
		t.Fatalf("header %q", got)
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		ident := r[0] + " <" + r[1] + ">"
		got[ident] = r[4]
		want := strings.TrimSpace(gitRun(t, dir, "check-mailmap", ident))
		if canon := r[2] + " <" + r[3] + ">"; canon != want {
			t.Errorf("%s: canonical %q, git check-mailmap says %q", ident, canon, want)
		}
		if bot := analysis.IsBot(r[0], r[1]); (r[5] == "yes") != bot {
			t.Errorf("%s: bot column %q", ident, r[5])
		}
	}
	sameCounts(t, "raw identities", raw, got)
}

func TestCoauthorsAreCreditedAsGitReadsTrailers(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	want := map[string]int{}
	for ident, n := range shortlogCounts(gitRun(t, dir, "shortlog", "-sne", "--no-merges", "HEAD")) {
		want[ident], _ = strconv.Atoi(n)
	}
	credits := 0
	log := gitRun(t, dir, "log", "--no-merges", "--format=%ae%x00%(trailers:key=Co-authored-by,valueonly,separator=%x01)", "HEAD")
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		email, cos, _ := strings.Cut(line, "\x00")
		seen := map[string]bool{strings.ToLower(email): true}
		for _, co := range strings.Split(cos, "\x01") {
			if co == "" {
				continue
			}
			coEmail := co[strings.IndexByte(co, '<')+1 : strings.IndexByte(co, '>')]
			if seen[strings.ToLower(coEmail)] {
				continue
			}
			seen[strings.ToLower(coEmail)] = true
			want[strings.TrimSpace(gitRun(t, dir, "check-mailmap", co))]++
			credits++
		}
	}
	if credits < 4 {
		t.Fatalf("the fixture's premise fails: %d co-author credits", credits)
	}
	wantS := map[string]string{}
	for k, v := range want {
		wantS[k] = strconv.Itoa(v)
	}
	sameCounts(t, "--coauthors", wantS, authorsCSV(t, dir, "--coauthors", "--bots", "include"))
	// Lines stay with the authors: the totals do not move.
	sum := func(args ...string) (added int) {
		out, _ := mustRun(t, append([]string{"authors", dir, "--format", "csv", "--bots", "include"}, args...)...)
		for _, r := range csvRecords(t, out)[1:] {
			n, _ := strconv.Atoi(r[4])
			added += n
		}
		return added
	}
	if a, b := sum(), sum("--coauthors"); a != b {
		t.Errorf("--coauthors moved lines: %d added without, %d with", a, b)
	}
}

// numstatSums sums git log --numstat per path for args, leaving out the
// commits in skip and those changing more than maxFiles files (0: no limit).
func numstatSums(t *testing.T, dir string, skip map[string]bool, maxFiles int, args ...string) map[string][3]int {
	t.Helper()
	out := gitRun(t, dir, append([]string{"log", "--numstat", "--no-renames", "--format=%x00%H"}, args...)...)
	sums := map[string][3]int{}
	for _, block := range strings.Split(out, "\x00")[1:] {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		var files [][]string
		for _, l := range lines[1:] {
			if f := strings.Split(l, "\t"); len(f) == 3 {
				files = append(files, f)
			}
		}
		if skip[lines[0]] || (maxFiles > 0 && len(files) > maxFiles) {
			continue
		}
		for _, f := range files {
			s := sums[f[2]]
			s[0] += atoi(t, f[0])
			s[1] += atoi(t, f[1])
			s[2]++
			sums[f[2]] = s
		}
	}
	return sums
}

func churnSums(t *testing.T, args ...string) map[string][3]int {
	t.Helper()
	out, _ := mustRun(t, append([]string{"churn", "--format", "csv"}, args...)...)
	got := map[string][3]int{}
	for _, r := range csvRecords(t, out)[1:] {
		got[r[0]] = [3]int{atoi(t, r[1]), atoi(t, r[2]), atoi(t, r[3])}
	}
	return got
}

func sameSums(t *testing.T, what string, want, got map[string][3]int) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: git counted nothing", what)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s: got %v, git %v", what, k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s counted, git has no such row", what, k)
		}
	}
}

func TestMergesPolicyCountsAsTheGitLogItNames(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, fixture := range []string{"merges", "people"} {
		dir := testrepos.Path(t, fixture)
		for _, tc := range []struct {
			flags []string
			git   string
		}{
			{[]string{"--merges", "exclude"}, "--no-merges"},
			{nil, "--no-merges"},
			{[]string{"--no-merges"}, "--no-merges"},
			{[]string{"--merges", "include"}, "--diff-merges=first-parent"},
			{[]string{"--merges"}, "--diff-merges=first-parent"},
			{[]string{"--merges=first-parent"}, "--first-parent"},
		} {
			t.Run(fixture+" "+strings.Join(tc.flags, " "), func(t *testing.T) {
				want := numstatSums(t, dir, nil, 0, "--all", tc.git)
				args := append([]string{dir, "--all", "--no-default-excludes"}, tc.flags...)
				sameSums(t, "churn", want, churnSums(t, args...))
				out, stderr := mustRun(t, append([]string{"summary", "--format", "json", "--stats"}, args...)...)
				var rep struct {
					Options map[string]any   `json:"options"`
					Rows    []map[string]any `json:"rows"`
				}
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatal(err)
				}
				policy := map[string]string{"--no-merges": "exclude", "--diff-merges=first-parent": "include", "--first-parent": "first-parent"}[tc.git]
				if rep.Options["merge_policy"] != policy || rep.Rows[0]["merge_policy"] != policy {
					t.Errorf("policy %q: JSON options say %v, the summary %v", policy, rep.Options["merge_policy"], rep.Rows[0]["merge_policy"])
				}
				if !strings.Contains(stderr, "policy: merges "+policy) {
					t.Errorf("--stats does not print the policy: %q", stderr)
				}
			})
		}
	}
}

// excludeReasons asks git check-attr for the linguist attributes of paths in
// work and classifies each path with git's values, so that gitwalk's own
// reading of the attributes is checked against git's (the rules themselves
// are tested in analysis and internal/linguist).
func excludeReasons(t *testing.T, work string, paths []string) map[string]analysis.ExcludeReason {
	t.Helper()
	names := analysis.LinguistAttributes()
	cmd := exec.Command("git", append([]string{"-C", work, "check-attr", "--stdin", "-z"}, names...)...)
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\x00") + "\x00")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Split(string(out), "\x00")
	attrs := map[string]map[string]string{}
	for i := 0; i+2 < len(f); i += 3 {
		if attrs[f[i]] == nil {
			attrs[f[i]] = map[string]string{}
		}
		attrs[f[i]][f[i+1]] = f[i+2]
	}
	c := analysis.Classifier{Attrs: func(p string) []string {
		vs := make([]string, len(names))
		for i, n := range names {
			vs[i] = attrs[p][n]
		}
		return vs
	}}
	reasons := map[string]analysis.ExcludeReason{}
	for _, p := range paths {
		reasons[p] = c.Exclude(p)
	}
	return reasons
}

func TestDefaultExcludesLeaveOutWhatCheckAttrAndTheNamesSay(t *testing.T) {
	testrepos.IsolateGit(t)
	work := peopleClone(t)
	all := numstatSums(t, work, nil, 0, "--no-merges")
	var paths []string
	for p := range all {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	reasons := excludeReasons(t, work, paths)
	want := map[string][3]int{}
	var files, lines [analysis.NumExcludeReasons]int
	for p, s := range all {
		r := reasons[p]
		if r == analysis.NotExcluded {
			want[p] = s
			continue
		}
		files[r]++
		lines[r] += s[0] + s[1]
	}
	for _, r := range []analysis.ExcludeReason{analysis.ExcludedGenerated, analysis.ExcludedVendored, analysis.ExcludedVendorDir,
		analysis.ExcludedLockFile, analysis.ExcludedMinified} {
		if files[r] == 0 {
			t.Fatalf("the fixture's premise fails: no file left out as %s", r)
		}
	}
	sameSums(t, "churn", want, churnSums(t, work))
	sameSums(t, "churn --no-default-excludes", all, churnSums(t, work, "--no-default-excludes"))
	out, stderr := mustRun(t, "summary", work, "--format", "json")
	var rep struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for r := analysis.ExcludedGenerated; r < analysis.NumExcludeReasons; r++ {
		key := "left_out_" + strings.ReplaceAll(r.String(), "-", "_")
		if got := rep.Rows[0][key+"_files"]; got != float64(files[r]) {
			t.Errorf("%s_files = %v, want %d", key, got, files[r])
		}
		if got := rep.Rows[0][key+"_lines"]; got != float64(lines[r]) {
			t.Errorf("%s_lines = %v, want %d", key, got, lines[r])
		}
		if note := strconv.Itoa(files[r]) + " " + r.String() + " file"; !strings.Contains(stderr, note) {
			t.Errorf("stderr does not say %q: %q", note, stderr)
		}
	}
}

func TestIgnoredRevisionsAndLargeChangesetsAreLeftOut(t *testing.T) {
	testrepos.IsolateGit(t)
	work := peopleClone(t)
	list := filepath.Join(work, ".git-blame-ignore-revs")
	skip := map[string]bool{}
	data, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 0 && len(f[0]) == 40 {
			skip[f[0]] = true
		}
	}
	if len(skip) != 1 {
		t.Fatalf("the fixture's premise fails: %v", skip)
	}
	base := []string{work, "--no-default-excludes"}
	want := numstatSums(t, work, skip, 0, "--no-merges")
	sameSums(t, "--ignore-revs-file", want, churnSums(t, append(base, "--ignore-revs-file", list)...))
	gitRun(t, work, "config", "blame.ignoreRevsFile", ".git-blame-ignore-revs")
	sameSums(t, "blame.ignoreRevsFile", want, churnSums(t, base...))
	_, stderr := mustRun(t, append([]string{"churn"}, base...)...)
	if !strings.Contains(stderr, "1 ignored commit") {
		t.Errorf("stderr does not say the commit was left out: %q", stderr)
	}
	gitRun(t, work, "config", "--unset", "blame.ignoreRevsFile")
	for _, n := range []int{2, 3} {
		want := numstatSums(t, work, nil, n, "--no-merges")
		sameSums(t, "--max-changeset "+strconv.Itoa(n), want, churnSums(t, append(base, "--max-changeset", strconv.Itoa(n))...))
	}
}

func TestPolicyOutputsAreTheSameForEveryWorkerCount(t *testing.T) {
	testrepos.IsolateGit(t)
	work := peopleClone(t)
	for _, args := range [][]string{
		{"authors", "--coauthors"},
		{"authors", "--bots", "only", "--merges", "include"},
		{"summary", "--merges", "first-parent"},
		{"churn", "--merges", "include", "--max-changeset", "3"},
		{"churn", "--by", "author", "--coauthors"},
		{"authors", "--coauthors=share-lines", "--bots", "include"},
		{"ownership", "--coauthors=share-lines"},
		{"files", "--merges", "include"},
		{"identities", "--max-changeset", "2"},
		{"identities", "--candidates"},
		{"identities"},
	} {
		full := append(append([]string{args[0], work, "--all", "--format", "json"}, args[1:]...), "-j1")
		one, _ := mustRun(t, full...)
		for _, j := range []string{"-j2", "-j8"} {
			full[len(full)-1] = j
			if got, _ := mustRun(t, full...); got != one {
				t.Errorf("%v: %s differs from -j1: %s", args, j, firstDifference(one, got))
			}
		}
	}
}

func TestIdentityCandidatesAreMailmapLinesGitThenApplies(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	out, _ := mustRun(t, "identities", dir, "--format", "mailmap")
	// Worked out from the fixture: without merges, Jane Doe (3 commits)
	// and Jane D (1, recorded as jane.doe@old.example.com) share
	// jane@example.com; Carol and Carol Smith (1 each,
	// ties go to byte order) share carol@example.com; Dave has two emails
	// with one commit each.
	for _, line := range []string{
		"Carol <carol@example.com> Carol Smith <carol@example.com>",
		"Jane Doe <jane@example.com> Jane D <jane.doe@old.example.com>",
		"Dave <dave@a.example.com> Dave <dave@b.example.com>",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("no suggestion %q in:\n%s", line, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "suggested.mailmap"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "config", "mailmap.file", "suggested.mailmap")
	people, _, _ := splitBots(shortlogCounts(gitRun(t, dir, "shortlog", "-sne", "--no-merges", "HEAD")))
	names, emails := map[string]string{}, map[string]string{}
	for ident := range people {
		name, email, _ := strings.Cut(strings.TrimSuffix(ident, ">"), " <")
		if other, ok := names[name]; ok {
			t.Errorf("after the suggestions git still has %q and %q", other, ident)
		}
		if other, ok := emails[strings.ToLower(email)]; ok {
			t.Errorf("after the suggestions git still has %q and %q", other, ident)
		}
		names[name], emails[strings.ToLower(email)] = ident, ident
	}
	if again, _ := mustRun(t, "identities", dir, "--format", "mailmap"); again != "" {
		t.Errorf("candidates left once git applies them:\n%s", again)
	}
}

func TestPolicyFlagsAreInEveryAnalysisHelp(t *testing.T) {
	for _, cmd := range []string{"churn", "authors", "summary", "identities", "files"} {
		out, _, code := runGitwalk(t, cmd, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		for _, want := range []string{"--merges P", "--bots P", "--coauthors", "--no-default-excludes", "--ignore-revs-file",
			"--max-changeset", "--coauthors=share-lines", "For instance: --merges include", "Default excludes"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s --help does not mention %q", cmd, want)
			}
		}
	}
}

func TestBadPolicyFlagsGetOneClearLine(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--merges=sometimes"}, exitUsage, "--merges"},
		{[]string{"--bots", "maybe"}, exitUsage, "--bots"},
		{[]string{"--bots"}, exitUsage, "--bots needs a value"},
		{[]string{"--max-changeset", "-1"}, exitUsage, "--max-changeset"},
		{[]string{"--ignore-revs-file", filepath.Join(dir, "no-such-file")}, exitFailed, "no-such-file"},
		{[]string{"--ignore-revs-file", filepath.Join(dir, "config")}, exitFailed, "not a full object id"},
	} {
		_, stderr, code := runGitwalk(t, append([]string{"churn", dir}, tc.args...)...)
		first, _, _ := strings.Cut(stderr, "\n")
		if code != tc.code || !strings.Contains(first, tc.want) || strings.Contains(stderr, "panic") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d naming %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

func TestFilesListsEveryPathWithWhyItIsNotCounted(t *testing.T) {
	testrepos.IsolateGit(t)
	work := peopleClone(t)
	all := numstatSums(t, work, nil, 0, "--no-merges")
	var paths []string
	for p := range all {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	reasons := excludeReasons(t, work, paths)
	out, _ := mustRun(t, "files", work, "--format", "csv", "--exclude", "src/api.go")
	recs := csvRecords(t, out)
	if got := strings.Join(recs[0], ","); got != "path,commits,added,deleted,status,earlier_names" {
		t.Fatalf("header %q", got)
	}
	var listed []string
	for _, r := range recs[1:] {
		p := r[0]
		listed = append(listed, p)
		want := "counted"
		switch {
		case reasons[p] != analysis.NotExcluded:
			want = reasons[p].String()
		case p == "src/api.go":
			want = "filtered"
		}
		if r[4] != want {
			t.Errorf("%s: status %q, want %q", p, r[4], want)
		}
		if r[5] != "" {
			t.Errorf("%s: earlier names %q, but git renames nothing in this repository", p, r[5])
		}
		if s := all[p]; [3]int{atoi(t, r[2]), atoi(t, r[3]), atoi(t, r[1])} != s {
			t.Errorf("%s: %v, git %v", p, r[1:4], s)
		}
	}
	if strings.Join(listed, "\n") != strings.Join(paths, "\n") {
		t.Errorf("listed %v, git saw %v", listed, paths)
	}
}

// TestCandidateGroupsMergeChainsButNotGenericIdentities works on a repository
// whose identities chain (a name shared with one, an email with the next)
// and share only generic names and emails. Applying the suggestions through
// mailmap.file, git must then see every chain as one person, with no two
// people sharing a name or an email except the generic ones, which must be
// left as they were.
func TestCandidateGroupsMergeChainsButNotGenericIdentities(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := filepath.Join(t.TempDir(), "work")
	gitRun(t, "", "init", "-q", "-b", "main", dir)
	t.Setenv("GIT_COMMITTER_NAME", "C")
	t.Setenv("GIT_COMMITTER_EMAIL", "c@example.com")
	t.Setenv("GIT_COMMITTER_DATE", "2022-01-01T00:00:00Z")
	t.Setenv("GIT_AUTHOR_DATE", "2022-01-01T00:00:00Z")
	authors := []string{
		"Ann One <ann@x.example>", "Ann One <ann@x.example>", "Ann One <ann@y.example>", "Nan <ann@y.example>",
		"Nan <nan@z.example>", "Bo <BO@w.example>", "Bo Two <bo@w.example>",
		"root <root@host1.example>", "root <admin@host2.example>", "Cy <cy@metal.(none)>", "Di <cy@metal.(none)>",
		"Ed <you@example.com>", "Fay <you@example.com>",
	}
	for i, a := range authors {
		gitRun(t, dir, "commit", "-q", "--allow-empty", "-m", "c"+strconv.Itoa(i), "--author", a)
	}
	before := shortlogCounts(gitRun(t, dir, "shortlog", "-sne", "HEAD"))
	out, _ := mustRun(t, "identities", dir, "--format", "mailmap")
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		raw := line[strings.IndexByte(line, '>')+2:]
		if seen[raw] {
			t.Errorf("two suggestions for %q:\n%s", raw, out)
		}
		seen[raw] = true
	}
	suggested := filepath.Join(t.TempDir(), "suggested.mailmap")
	if err := os.WriteFile(suggested, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, dir, "config", "mailmap.file", suggested)
	after := shortlogCounts(gitRun(t, dir, "shortlog", "-sne", "HEAD"))
	names, emails := map[string]int{}, map[string]int{}
	for ident := range after {
		name, email, _ := strings.Cut(strings.TrimSuffix(ident, ">"), " <")
		names[name]++
		emails[strings.ToLower(email)]++
	}
	for _, generic := range []string{"root <root@host1.example>", "root <admin@host2.example>", "Cy <cy@metal.(none)>",
		"Di <cy@metal.(none)>", "Ed <you@example.com>", "Fay <you@example.com>"} {
		if after[generic] != before[generic] || before[generic] == "" {
			t.Errorf("%s: %q commits before the suggestions, %q after: a generic identity was merged", generic, before[generic], after[generic])
		}
	}
	for n, c := range names {
		if c > 1 && n != "root" {
			t.Errorf("after the suggestions git still has %d people named %q", c, n)
		}
	}
	for e, c := range emails {
		if c > 1 && e != "cy@metal.(none)" && e != "you@example.com" {
			t.Errorf("after the suggestions git still has %d people at %q", c, e)
		}
	}
	// Each chain is one person now, with all its commits as git counted them.
	for _, chain := range [][]string{
		{"Ann One <ann@x.example>", "Ann One <ann@y.example>", "Nan <ann@y.example>", "Nan <nan@z.example>"},
		{"Bo <BO@w.example>", "Bo Two <bo@w.example>"},
	} {
		sum, found := 0, 0
		for _, ident := range chain {
			sum += atoi(t, before[ident])
			if after[ident] != "" {
				found++
			}
		}
		if found != 1 {
			t.Errorf("chain %v is %d people after the suggestions: %v", chain, found, after)
		}
		for _, ident := range chain {
			if after[ident] != "" && atoi(t, after[ident]) != sum {
				t.Errorf("chain %v: %s has %s commits, git counted %d for the chain before", chain, ident, after[ident], sum)
			}
		}
	}
	if again, _ := mustRun(t, "identities", dir, "--format", "mailmap"); again != "" {
		t.Errorf("candidates left once git applies them:\n%s", again)
	}
}

// TestCoauthorsShareLinesSplitsEachFileAsDocumented works out from git log
// --numstat, the trailers as git reads them and git check-mailmap what
// --coauthors=share-lines must give each person: every file's lines of a
// co-authored commit split evenly among the author and the co-authors, the
// remainder one line each in order, author first.
func TestCoauthorsShareLinesSplitsEachFileAsDocumented(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "people")
	log := gitRun(t, dir, "log", "--no-merges", "--numstat", "--no-renames",
		"--format=%x00%aN <%aE>%x01%ae%x01%(trailers:key=Co-authored-by,valueonly,separator=%x02)", "HEAD")
	type sums struct{ commits, added, deleted int }
	want := map[string]*sums{}
	get := func(who string) *sums {
		if want[who] == nil {
			want[who] = &sums{}
		}
		return want[who]
	}
	shared := 0
	for _, block := range strings.Split(log, "\x00")[1:] {
		head, numstat, _ := strings.Cut(block, "\n")
		f := strings.Split(head, "\x01")
		people := []string{f[0]}
		seen := map[string]bool{strings.ToLower(f[1]): true}
		for _, co := range strings.Split(f[2], "\x02") {
			if co == "" {
				continue
			}
			email := strings.ToLower(co[strings.IndexByte(co, '<')+1 : strings.IndexByte(co, '>')])
			if !seen[email] {
				seen[email] = true
				people = append(people, strings.TrimSpace(gitRun(t, dir, "check-mailmap", co)))
			}
		}
		n := len(people)
		if n > 1 {
			shared++
		}
		for _, who := range people {
			get(who).commits++
		}
		for _, line := range strings.Split(strings.TrimSpace(numstat), "\n") {
			c := strings.Split(line, "\t")
			if len(c) != 3 {
				continue
			}
			for k, v := range []int{atoi(t, c[0]), atoi(t, c[1])} {
				for i, who := range people {
					part := v / n
					if i < v%n {
						part++
					}
					if k == 0 {
						get(who).added += part
					} else {
						get(who).deleted += part
					}
				}
			}
		}
	}
	if shared < 2 {
		t.Fatalf("the fixture's premise fails: %d co-authored commits", shared)
	}
	out, _ := mustRun(t, "authors", dir, "--format", "csv", "--bots", "include", "--no-default-excludes", "--coauthors=share-lines")
	got := map[string]sums{}
	for _, r := range csvRecords(t, out)[1:] {
		got[r[0]+" <"+r[1]+">"] = sums{atoi(t, r[2]), atoi(t, r[4]), atoi(t, r[5])}
	}
	for who, w := range want {
		if got[who] != *w {
			t.Errorf("%s: commits, added, deleted %v; from git %v", who, got[who], *w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d people, git's log has %d: %v", len(got), len(want), got)
	}
	// The option is recorded, and a wrong value is one clear line.
	out, _ = mustRun(t, "authors", dir, "--format", "json", "--coauthors=share-lines")
	if !strings.Contains(out, `"coauthor_lines":"shared"`) {
		t.Errorf("JSON options do not say the lines are shared: %.300s", out)
	}
	if _, stderr, code := runGitwalk(t, "authors", dir, "--coauthors=halves"); code != exitUsage || !strings.Contains(stderr, "--coauthors=share-lines") {
		t.Errorf("--coauthors=halves: exit %d, %q", code, stderr)
	}
}

// TestEveryAnalysisLeavesOutIgnoredAndLargeCommitsAndSaysSo runs every
// analysis command with the repository's blame.ignoreRevsFile and with
// --max-changeset, and checks that each one's JSON options count the
// commits git's log says were left out, and that ownership's lines are
// git's without the ignored commit.
func TestEveryAnalysisLeavesOutIgnoredAndLargeCommitsAndSaysSo(t *testing.T) {
	testrepos.IsolateGit(t)
	work := peopleClone(t)
	gitRun(t, work, "config", "blame.ignoreRevsFile", ".git-blame-ignore-revs")
	const limit = 2
	large := 0
	out := gitRun(t, work, "log", "--no-merges", "--numstat", "--format=%x00%H", "HEAD")
	for _, block := range strings.Split(out, "\x00")[1:] {
		files := 0
		for _, line := range strings.Split(block, "\n") {
			if strings.Count(line, "\t") == 2 {
				files++
			}
		}
		if files > limit {
			large++
		}
	}
	if large == 0 {
		t.Fatal("the fixture's premise fails: no commit changes more than 2 files")
	}
	type options struct {
		Options struct {
			LeftOut struct {
				Ignored int `json:"ignored_commits"`
				Large   int `json:"large_commits"`
			} `json:"left_out"`
		} `json:"options"`
	}
	for _, cmd := range []string{"churn", "authors", "ownership", "coupling", "hotspots", "age", "summary", "files", "identities"} {
		for _, tc := range []struct {
			args           []string
			ignored, large int
		}{
			{nil, 1, 0},
			{[]string{"--ignore-revs-file", os.DevNull, "--max-changeset", strconv.Itoa(limit)}, 0, large},
		} {
			args := append([]string{cmd, work, "--format", "json", "--bots", "include"}, tc.args...)
			out, stderr := mustRun(t, args...)
			var rep options
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			if l := rep.Options.LeftOut; l.Ignored != tc.ignored || l.Large != tc.large {
				t.Errorf("%v: left out %d ignored and %d large commits, want %d and %d", args, l.Ignored, l.Large, tc.ignored, tc.large)
			}
			if tc.ignored > 0 && !strings.Contains(stderr, "1 ignored commit") {
				t.Errorf("%v: stderr does not say the ignored commit was left out: %q", args, stderr)
			}
			if tc.large > 0 && !strings.Contains(stderr, strconv.Itoa(large)+" commits changing more than 2 files") {
				t.Errorf("%v: stderr does not say the large commits were left out: %q", args, stderr)
			}
		}
	}
	// Ownership's total added lines per file are git's, without the
	// formatting commit the ignore-revs file lists.
	skip := map[string]bool{}
	for _, line := range strings.Split(gitRun(t, work, "show", "HEAD:.git-blame-ignore-revs"), "\n") {
		if f := strings.Fields(line); len(f) > 0 && len(f[0]) == 40 {
			skip[f[0]] = true
		}
	}
	want := numstatSums(t, work, skip, 0, "--no-merges")
	out, _ = mustRun(t, "ownership", work, "--format", "csv", "--bots", "include", "--no-default-excludes")
	rows := csvRecords(t, out)[1:]
	if len(rows) == 0 {
		t.Fatal("no ownership rows")
	}
	for _, r := range rows {
		if got := atoi(t, r[3]); got != want[r[0]][0] {
			t.Errorf("ownership %s: total added %d, git without the ignored commit %d", r[0], got, want[r[0]][0])
		}
	}
}
