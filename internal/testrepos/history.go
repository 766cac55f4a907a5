package testrepos

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// History builds a bare repository with git fast-import: commits with fixed
// dates, exact parents and exact trees, then refs. It is the oracle side of
// the tests that compare with `git log`: git runs on it and gitwalk must
// print the same. Not safe for concurrent use.
type History struct {
	t     testing.TB
	Dir   string // the git directory (bare)
	marks map[string]int
	files map[string]map[string]string
	// Names maps a commit's hash to its name (its subject), after Build.
	Names map[string]string
	// Stream is the fast-import input not yet run; tests may write their
	// own commands to it before running `fast-import` with Git.
	Stream bytes.Buffer
}

// NewHistory makes an empty bare repository in a temporary folder; the test
// is skipped when git is not installed.
func NewHistory(t testing.TB) *History {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	r := &History{t: t, Dir: dir, marks: map[string]int{}, files: map[string]map[string]string{}}
	r.Git("init", "-q", "--bare", dir)
	return r
}

// HistoryAt is a History over an existing git directory whose commits are
// named by names (hash to name), to run Git and Log on.
func HistoryAt(t testing.TB, dir string, names map[string]string) *History {
	return &History{t: t, Dir: dir, Names: names, marks: map[string]int{}, files: map[string]map[string]string{}}
}

// Git runs git on the repository with no user or system configuration and
// returns its output; a failure fails the test.
func (r *History) Git(args ...string) string {
	r.t.Helper()
	out, err := r.GitErr(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// GitErr is Git returning the error (with stderr as the output) instead of
// failing. `fast-import` reads Stream.
func (r *History) GitErr(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), "GIT_DIR="+r.Dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"HOME="+r.Dir, "LC_ALL=C", "GIT_NO_REPLACE_OBJECTS=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if r.Stream.Len() > 0 && len(args) > 0 && args[0] == "fast-import" {
		cmd.Stdin = &r.Stream
	}
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// Commit makes commit name (also its subject) at committer time date; its files
// are the first parent's with edits ("path=content", "path=-" deletes).
func (r *History) Commit(name string, date int64, edits string, parents ...string) {
	r.t.Helper()
	files := map[string]string{}
	if len(parents) > 0 {
		for k, v := range r.files[parents[0]] {
			files[k] = v
		}
	}
	for _, e := range strings.Fields(edits) {
		k, v, _ := strings.Cut(e, "=")
		if v == "-" {
			delete(files, k)
		} else {
			files[k] = v
		}
	}
	r.files[name] = files
	mark := len(r.marks) + 1
	r.marks[name] = mark
	s := &r.Stream
	fmt.Fprintf(s, "reset refs/heads/build\ncommit refs/heads/build\nmark :%d\n", mark)
	fmt.Fprintf(s, "author A U Thor <a@example.com> %d +0000\n", date)
	fmt.Fprintf(s, "committer C O Mitter <c@example.com> %d +0000\n", date)
	fmt.Fprintf(s, "data %d\n%s\n", len(name), name)
	for i, p := range parents {
		pm, ok := r.marks[p]
		if !ok {
			r.t.Fatalf("unknown parent %q", p)
		}
		if i == 0 {
			fmt.Fprintf(s, "from :%d\n", pm)
		} else {
			fmt.Fprintf(s, "merge :%d\n", pm)
		}
	}
	s.WriteString("deleteall\n")
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(s, "M 100644 inline %s\ndata %d\n%s\n", k, len(files[k]), files[k])
	}
	s.WriteString("\n")
}

// Branch points refs/heads/name (or a full ref name) at a commit.
func (r *History) Branch(ref, commit string) {
	if !strings.HasPrefix(ref, "refs/") {
		ref = "refs/heads/" + ref
	}
	fmt.Fprintf(&r.Stream, "reset %s\nfrom :%d\n\n", ref, r.marks[commit])
}

// Tag makes an annotated tag.
func (r *History) Tag(name, commit string, date int64) {
	fmt.Fprintf(&r.Stream, "tag %s\nfrom :%d\ntagger T <t@example.com> %d +0000\ndata %d\n%s\n", name, r.marks[commit], date, len(name), name)
}

// Build runs fast-import, drops the build branch and points HEAD at head.
func (r *History) Build(head string) {
	r.t.Helper()
	r.Git("fast-import", "--quiet")
	r.Stream.Reset()
	r.Git("update-ref", "-d", "refs/heads/build")
	r.Git("symbolic-ref", "HEAD", "refs/heads/"+head)
	r.Names = map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.Git("log", "--all", "--format=%H %s")), "\n") {
		h, s, _ := strings.Cut(line, " ")
		r.Names[h] = s
	}
}

// Subjects turns hashes (one a line) into commit names.
func (r *History) Subjects(hashes []string) string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		if s, ok := r.Names[h]; ok {
			out[i] = s
		} else {
			out[i] = h
		}
	}
	return strings.Join(out, " ")
}

// Log is the oracle: `git log --format=%H ARGS` (no commit-graph).
func (r *History) Log(args []string) ([]string, error) {
	full := append([]string{"-c", "core.commitGraph=false", "log", "--format=%H"}, args...)
	out, err := r.GitErr(full...)
	if err != nil {
		return nil, fmt.Errorf("%s", strings.TrimSpace(out))
	}
	out = strings.TrimSpace(out)
	if out == "" {
		return nil, nil
	}
	return strings.Split(out, "\n"), nil
}
