package mailmap_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/mailmap"
	"github.com/gitwalk/gitwalk/internal/testrepos"
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

func TestLookupMatchesGitCheckMailmap(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	git(t, dir, "", "init", "-q")
	if err := os.WriteFile(filepath.Join(dir, ".mailmap"), []byte(mailmapText), 0o644); err != nil {
		t.Fatal(err)
	}
	want := checkMailmap(t, dir, identities)
	for _, read := range []struct {
		name string
		add  func(m *mailmap.Map, data []byte)
	}{
		{"read as a file", (*mailmap.Map).AddFile},
		{"read as a blob", (*mailmap.Map).Add},
	} {
		t.Run(read.name, func(t *testing.T) {
			var m mailmap.Map
			read.add(&m, []byte(mailmapText))
			for i, ident := range identities {
				name, email := split(t, ident)
				gotName, gotEmail, _ := m.Lookup(name, email)
				if got := format(gotName, gotEmail); got != want[i] {
					t.Errorf("%q: got %q, git says %q", ident, got, want[i])
				}
			}
		})
	}
}

func TestAFileLineLongerThanGitsBufferIsReadInPieces(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	git(t, dir, "", "init", "-q")
	// The first 1023 bytes end inside the name: git parses the rest of the
	// line alone, so the mapping comes from the second piece.
	long := strings.Repeat("x", 1030) + " Piece <long@example.com>\n" + "Short <short@example.com>\n"
	if err := os.WriteFile(filepath.Join(dir, ".mailmap"), []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	idents := []string{"A <long@example.com>", "B <short@example.com>"}
	want := checkMailmap(t, dir, idents)
	var m mailmap.Map
	m.AddFile([]byte(long))
	for i, ident := range idents {
		name, email := split(t, ident)
		n, e, _ := m.Lookup(name, email)
		if got := format(n, e); got != want[i] {
			t.Errorf("%q: got %q, git says %q", ident, got, want[i])
		}
	}
}

func TestNilAndEmptyMapsKeepIdentities(t *testing.T) {
	var nilMap *mailmap.Map
	for _, m := range []*mailmap.Map{nilMap, {}} {
		if n, e, ok := m.Lookup("A", "a@x"); n != "A" || e != "a@x" || ok {
			t.Errorf("Lookup on %v = %q %q %v, want the identity unchanged", m, n, e, ok)
		}
		if m.Len() != 0 {
			t.Errorf("Len = %d, want 0", m.Len())
		}
	}
}

// TestLoadLayersSourcesAsGitDoes splits the mailmap across the three
// sources (the work tree's .mailmap, mailmap.blob, mailmap.file) with
// lines that override each other, resolves the blob with git itself, and
// compares Load's map with git check-mailmap.
func TestLoadLayersSourcesAsGitDoes(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	git(t, dir, "", "init", "-q")
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".mailmap", "Top Name <one@example.com>\nTop Two <two@example.com>\n")
	write("blobmap", "Blob Name <one@example.com>\nBlob Three <three@example.com>\n")
	git(t, dir, "", "add", "blobmap")
	git(t, dir, "", "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q", "-m", "blob")
	write("filemap", "File Name <one@example.com>\n")
	git(t, dir, "", "config", "mailmap.blob", "HEAD:blobmap")
	git(t, dir, "", "config", "mailmap.file", "filemap")

	read := func(name string) ([]byte, bool, bool, error) {
		kind, err := exec.Command("git", "-C", dir, "cat-file", "-t", name).Output()
		if err != nil {
			return nil, false, false, nil // names nothing
		}
		if strings.TrimSpace(string(kind)) != "blob" {
			return nil, true, false, nil
		}
		data, err := exec.Command("git", "-C", dir, "cat-file", "blob", name).Output()
		return data, true, true, err
	}
	m, err := mailmap.Load(mailmap.Sources{WorkTree: dir, GitDir: filepath.Join(dir, ".git"), File: "filemap", Blob: "HEAD:blobmap"}, read)
	if err != nil {
		t.Fatal(err)
	}
	idents := []string{"x <one@example.com>", "x <two@example.com>", "x <three@example.com>", "x <four@example.com>"}
	want := checkMailmap(t, dir, idents)
	for i, ident := range idents {
		name, email := split(t, ident)
		n, e, _ := m.Lookup(name, email)
		if got := format(n, e); got != want[i] {
			t.Errorf("%q: got %q, git check-mailmap says %q", ident, got, want[i])
		}
	}
	if _, err := mailmap.Load(mailmap.Sources{WorkTree: dir, Blob: "HEAD"}, read); !errors.Is(err, mailmap.ErrNotBlob) {
		t.Errorf("Load with a blob name that is a commit: %v, want ErrNotBlob", err)
	}
}
