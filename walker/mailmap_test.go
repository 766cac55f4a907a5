package walker_test

// The mailmap tests that need a whole repository: Repo.Mailmap and the
// walk, against git shortlog and git check-mailmap.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gitwalk/gitwalk/internal/mailmap"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// git runs git in dir with fixed identities and dates and returns stdout.
func git(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com",
		"GIT_COMMITTER_DATE=2020-01-01T00:00:00Z", "GIT_AUTHOR_DATE=2020-01-01T00:00:00Z")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// mailmapText has every line form, comments, odd spacing, case
// differences, overrides and lines git ignores.
const mailmapText = `# a comment <commented@example.com>
Proper One <one@example.com>
<two.proper@example.com> <two@example.com>
Proper Three <three.proper@example.com> <three@example.com>
Proper Four <four.proper@example.com> Old Four <four@example.com>
<five.proper@example.com> Old Five <five@example.com>
Only Name Five <FIVE@example.com>
   Spaced	Six   <six@example.com>   trailing words
Seven First <seven@example.com>
Seven Second <Seven@Example.com>
<seven.mail@example.com> <seven@example.com>
Eight A <eight.a@example.com> Eight <eight@example.com>
Eight B <eight.b@example.com> EIGHT <eight@example.com>
Nine <> <nine@example.com>
<> <ten@example.com>
Eleven <eleven.proper@example.com> Empty Mail <>
<twelve@example.com
 # not a comment <thirteen@example.com>
Fourteen <fourteen.proper@example.com> Old Fourteen <fourteen@example.com> extra <x@y>
Fifteen <fifteen.proper@example.com> <fifteen@example.com>` + "\r" + `
Sixteen <sixteen<odd@example.com>
<seventeen.proper@example.com> Name Seventeen <seventeen@example.com>
Ümlaut Proper <umlaut@example.com>
`

// identities are looked up both in git and in Map.
var identities = []string{
	"Anyone <one@example.com>",
	"Anyone <ONE@Example.COM>",
	"Someone <two@example.com>",
	"X <three@example.com>",
	"Old Four <four@example.com>",
	"old four <FOUR@example.com>",
	"New Four <four@example.com>",
	"Old Five <five@example.com>",
	"Other Five <five@example.com>",
	"Six <six@example.com>",
	"Seven <seven@example.com>",
	"Eight <eight@example.com>",
	"Eighty <eight@example.com>",
	"Nine <nine@example.com>",
	"Ten <ten@example.com>",
	"Empty Mail <>",
	"Other <>",
	"Twelve <twelve@example.com>",
	"Thirteen <thirteen@example.com>",
	"Old Fourteen <fourteen@example.com>",
	"Fifteen <fifteen@example.com>",
	"S <sixteen<odd@example.com>",
	"Name Seventeen <seventeen@example.com>",
	"name seventeen <seventeen@example.com>",
	"Nobody <seventeen@example.com>",
	"U <UMLAUT@example.com>",
	"Stranger <stranger@example.com>",
	"<one@example.com>",
	"Commented <commented@example.com>",
}

// format prints an identity as git check-mailmap does.
func format(name, email string) string {
	if name == "" {
		return "<" + email + ">"
	}
	return name + " <" + email + ">"
}

func split(t *testing.T, ident string) (string, string) {
	t.Helper()
	lt := strings.IndexByte(ident, '<')
	gt := strings.LastIndexByte(ident, '>')
	return strings.TrimRight(ident[:lt], " "), ident[lt+1 : gt]
}

// checkMailmap asks git for the canonical form of every identity.
func checkMailmap(t *testing.T, dir string, idents []string) []string {
	t.Helper()
	out := git(t, dir, strings.Join(idents, "\n")+"\n", "check-mailmap", "--stdin")
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// shortlog is `git shortlog -sne` as a map from identity to commits.
func shortlog(t *testing.T, dir string, args ...string) map[string]string {
	t.Helper()
	out := git(t, dir, "", append([]string{"shortlog", "-sne", "HEAD"}, args...)...)
	counts := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		n, ident, _ := strings.Cut(strings.TrimSpace(line), "\t")
		counts[ident] = n
	}
	return counts
}

// ourShortlog counts commits per canonical identity with Repo.Mailmap and
// the walker, as shortlog -sne does.
func ourShortlog(t *testing.T, dir string) map[string]string {
	t.Helper()
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	m, err := repo.Mailmap()
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	err = repo.Walk(t.Context(), walker.Options{NoChanges: true, Workers: 1}, func(c *walker.Commit) error {
		name, email, _ := m.Lookup(c.Author.Name, c.Author.Email)
		n[name+" <"+email+">"]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]string{}
	for k, v := range n {
		counts[k] = strconv.Itoa(v)
	}
	return counts
}

// buildHistory makes a repository with one commit per identity (some
// twice) and returns its work tree.
func buildHistory(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "", "init", "-q", "-b", "main")
	for i, ident := range append(identities, identities[:7]...) {
		name, email := split(t, ident)
		if name == "" {
			continue // git commit refuses an empty name
		}
		f := filepath.Join(dir, "f.txt")
		if err := os.WriteFile(f, []byte(strconv.Itoa(i)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, dir, "", "add", "f.txt")
		git(t, dir, "", "-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "--allow-empty-message", "-m", "c"+strconv.Itoa(i), "--author", name+" <"+email+">")
	}
	return dir
}

func diffCounts(t *testing.T, want, got map[string]string) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if want[k] != got[k] {
			t.Errorf("%q: %q commits, git shortlog says %q", k, got[k], want[k])
		}
	}
}

func TestRepoMailmapMatchesGitShortlog(t *testing.T) {
	testrepos.IsolateGit(t)
	work := buildHistory(t)
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("a work tree's .mailmap", func(t *testing.T) {
		write(filepath.Join(work, ".mailmap"), mailmapText)
		defer os.Remove(filepath.Join(work, ".mailmap"))
		want := shortlog(t, work)
		if want["Proper One <one@example.com>"] != "2" {
			t.Fatalf("the test's premise fails: git did not merge the identities of one@example.com: %v", want)
		}
		diffCounts(t, want, ourShortlog(t, work))
	})
	t.Run("mailmap.file overrides the work tree's .mailmap", func(t *testing.T) {
		write(filepath.Join(work, ".mailmap"), mailmapText)
		defer os.Remove(filepath.Join(work, ".mailmap"))
		extra := filepath.Join(t.TempDir(), "extra")
		write(extra, "File One <one@example.com>\nFile Stranger <stranger@example.com>\n")
		git(t, work, "", "config", "mailmap.file", extra)
		defer git(t, work, "", "config", "--unset", "mailmap.file")
		want := shortlog(t, work)
		if _, ok := want["File One <one@example.com>"]; !ok {
			t.Fatalf("the test's premise fails: git did not apply mailmap.file: %v", want)
		}
		diffCounts(t, want, ourShortlog(t, work))
	})
	t.Run("mailmap.blob in a work tree", func(t *testing.T) {
		write(filepath.Join(work, "mm.txt"), mailmapText)
		git(t, work, "", "add", "mm.txt")
		git(t, work, "", "-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "-m", "mailmap", "--author", "Blob Writer <one@example.com>")
		git(t, work, "", "config", "mailmap.blob", "HEAD:mm.txt")
		defer git(t, work, "", "config", "--unset", "mailmap.blob")
		diffCounts(t, shortlog(t, work), ourShortlog(t, work))
	})
	t.Run("a bare repository's HEAD:.mailmap", func(t *testing.T) {
		write(filepath.Join(work, ".mailmap"), mailmapText)
		git(t, work, "", "add", ".mailmap")
		git(t, work, "", "-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "-m", "mailmap", "--author", "Mapper <two@example.com>")
		bare := filepath.Join(t.TempDir(), "bare.git")
		git(t, work, "", "clone", "-q", "--bare", work, bare)
		want := shortlog(t, bare)
		if _, ok := want["Proper One <one@example.com>"]; !ok {
			t.Fatalf("the test's premise fails: git did not apply HEAD:.mailmap: %v", want)
		}
		diffCounts(t, want, ourShortlog(t, bare))
	})
	t.Run("a bare repository's mailmap.blob naming nothing", func(t *testing.T) {
		bare := filepath.Join(t.TempDir(), "bare.git")
		git(t, work, "", "clone", "-q", "--bare", work, bare)
		git(t, bare, "", "config", "mailmap.blob", "HEAD:no-such-file")
		diffCounts(t, shortlog(t, bare), ourShortlog(t, bare))
	})
}

func TestRepoMailmapReportsABlobThatIsATree(t *testing.T) {
	testrepos.IsolateGit(t)
	work := t.TempDir()
	git(t, work, "", "init", "-q")
	git(t, work, "", "-c", "user.name=U", "-c", "user.email=u@x", "commit", "-q", "--allow-empty", "-m", "empty")
	git(t, work, "", "config", "mailmap.blob", "HEAD^{tree}")
	repo, err := walker.Open(work)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	m, err := repo.Mailmap()
	if err == nil || !strings.Contains(err.Error(), "not a blob") {
		t.Fatalf("err = %v, want one saying the object is not a blob", err)
	}
	if m == nil {
		t.Fatal("no map returned with the error: callers cannot go on as git does")
	}
}

func TestARelativeMailmapFileIsTakenFromTheTopOfTheWorkTree(t *testing.T) {
	testrepos.IsolateGit(t)
	work := t.TempDir()
	git(t, work, "", "init", "-q")
	deep := filepath.Join(work, "sub", "deep")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "sub", "mm"), []byte("Relative <a@example.com>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, work, "", "config", "mailmap.file", "sub/mm")
	want := checkMailmap(t, deep, []string{"A <a@example.com>"})[0]
	repo, err := walker.Open(deep)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	m, err := repo.Mailmap()
	if err != nil {
		t.Fatal(err)
	}
	if n, e, _ := m.Lookup("A", "a@example.com"); format(n, e) != want {
		t.Errorf("got %q, git check-mailmap in a subfolder says %q", format(n, e), want)
	}
}

func TestASymlinkedWorkTreeMailmapIsNotFollowed(t *testing.T) {
	testrepos.IsolateGit(t)
	work := t.TempDir()
	git(t, work, "", "init", "-q")
	if err := os.WriteFile(filepath.Join(work, "real"), []byte("Linked <a@example.com>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(work, ".mailmap")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	want := checkMailmap(t, work, []string{"A <a@example.com>"})[0]
	repo, err := walker.Open(work)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	m, err := repo.Mailmap()
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("err = %v, want one saying .mailmap is a symbolic link (git warns too)", err)
	}
	if n, e, _ := m.Lookup("A", "a@example.com"); format(n, e) != want {
		t.Errorf("got %q, git check-mailmap says %q", format(n, e), want)
	}
}

// TestSharedMailmapIsReadOnce: SharedMailmap reads the mailmap once for a
// Repo, whoever asks first, and every caller gets that Map and error,
// which answer as Mailmap's own.
func TestSharedMailmapIsReadOnce(t *testing.T) {
	testrepos.IsolateGit(t)
	work := t.TempDir()
	git(t, work, "", "init", "-q")
	if err := os.WriteFile(filepath.Join(work, ".mailmap"), []byte("Canon <c@example.com> <a@example.com>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, err := walker.Open(work)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	own, ownErr := repo.Mailmap()
	maps := make([]*mailmap.Map, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range maps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			maps[i], errs[i] = repo.SharedMailmap()
		}()
	}
	wg.Wait()
	for i := range maps {
		if maps[i] != maps[0] || errs[i] != errs[0] {
			t.Fatalf("call %d got another Map or error than call 0", i)
		}
	}
	if (errs[0] == nil) != (ownErr == nil) {
		t.Fatalf("SharedMailmap's error %v, Mailmap's %v", errs[0], ownErr)
	}
	for _, id := range [][2]string{{"A", "a@example.com"}, {"B", "b@example.com"}} {
		n1, e1, ok1 := own.Lookup(id[0], id[1])
		n2, e2, ok2 := maps[0].Lookup(id[0], id[1])
		if n1 != n2 || e1 != e2 || ok1 != ok2 {
			t.Fatalf("%v: Mailmap says %q %q %v, SharedMailmap %q %q %v", id, n1, e1, ok1, n2, e2, ok2)
		}
	}
	if n, _, ok := maps[0].Lookup("A", "a@example.com"); !ok || n != "Canon" {
		t.Fatalf("the shared map does not map A: %q %v", n, ok)
	}
}
