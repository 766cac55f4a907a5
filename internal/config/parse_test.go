package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// gitConfigList runs git config --list in dir with args and returns its
// lines (key=value, or key alone for a key without a value), or git's
// "bad config line N" when it refuses the file.
func gitConfigList(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	// -z: values may hold newlines; each item is key\nvalue\0, or key\0.
	cmd := exec.Command("git", append([]string{"-C", dir, "config", "--list", "-z"}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		if m := regexp.MustCompile(`bad config line \d+`).FindString(stderr); m != "" {
			return []string{m}
		}
		t.Fatalf("git config --list %v: %v: %s", args, err, stderr)
	}
	var lines []string
	for _, item := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if item == "" {
			continue
		}
		lines = append(lines, strings.Replace(item, "\n", "=", 1))
	}
	return lines
}

func entryLines(entries []entry) []string {
	var lines []string
	for _, e := range entries {
		if e.noValue {
			lines = append(lines, e.name())
		} else {
			lines = append(lines, e.name()+"="+e.value)
		}
	}
	return lines
}

// TestParseReadsWhatGitReads parses config texts git accepts and refuses,
// and compares every variable (name and value, in order) with what git
// config --list reads from the same file, or the line git's error names.
func TestParseReadsWhatGitReads(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "none"))
	texts := []string{
		"",
		"[core]\n\tquotepath = false\n",
		"\xef\xbb\xbf[core]\nquotePath=off\n",
		"[core] quotepath = on ; the same line as its section\n",
		"[Core]\n\tQuotePath\n\tbigFileThreshold = 3k # comment\n",
		"[diff \"Hex\"]\n\tbinary = true\n[diff \"a\\\"b\\\\c\\x\"]\n\tbinary\n",
		"[Diff.Hex]\n\tbinary = no\n[a.b.c]\nk = v\n[a.B \"C.d\"]\nk = v\n",
		"[x]\n\tv = \"  quoted  \" and  \t spaced   \n",
		"[x]\n\tv = a\\tb\\nc\\\\d\\\"e\\bf\n",
		"[x]\n\tv = one \\\n  two\n\tw = \"#not ; a comment\" # a comment\n",
		"[x]\r\n\tv = crlf\r\n\tw = lone\rcr\r\n",
		"[x]\n\tk-1 = a\n\tK2=b\n\n\n; comment\n# comment\n[y]\n",
		"[x]\n\tv = \"\"\n\tw =\n\tz\n",
		"[x]\n\tv = last line without a newline",
		"[x]\n\tv = \"unterminated\n",
		"[x]\n\tv = bad \\q escape\n",
		"[x\n\tv = 1\n",
		"[x \"sub]\n",
		"[x \"sub\" ]\n",
		"[x]\n\t1v = 1\n",
		"[x]\n\tv 1\n",
		"[x]\n\tv_w = 1\n",
		"[]\n",
		"[x y]\n",
		"[x]\n\tok = 1\n\tv = \"two\nlines\"\n",
		"[x]\n\tv = \"open at the end",
		"[x]\n\tv = backslash at the end\\",
		"[x \"open at the end",
		"[x]\n\tv",
		"[x]\n\tv =",
		"k = before any section\n[x]\nv = 1\n",
		"[.0]A\n[ \"sub\"]\nk = v\n[.]\nk = v\n[a.]\nk = v\n[.a.b]\nk\n",
		"[core.]\n\tquotepath = false\n[core \"\"]\n\tquotepath = false\n",
	}
	dir := t.TempDir()
	for i, text := range texts {
		file := filepath.Join(dir, "config")
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		want := gitConfigList(t, dir, "-f", file, "--no-includes")
		entries, err := parse([]byte(text))
		got := entryLines(entries)
		if err != nil {
			got = []string{err.Error()}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("text %d %q:\n got  %q\n want %q (git)", i, text, got, want)
		}
	}
}

// TestIncludesAreGits reads a repository's configuration whose files
// include others, unconditionally and on every condition git 2.39 knows
// (gitdir: with ~/, ./, a relative and a folder pattern, gitdir/i:,
// onbranch:, hasconfig:remote.*.url:), some holding and some not, nested,
// relative to the including file, missing; every variable read, in
// order, must be git config --list's. Then Load's settings must be those
// of the files included.
func TestIncludesAreGits(t *testing.T) {
	home := isolatedHome(t)
	global := filepath.Join(home, "global")
	work := filepath.Join(home, "Work")
	repo := filepath.Join(work, "proj")
	if out, err := exec.Command("git", "init", "-q", "-b", "topic/x", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	gitDir := filepath.Join(repo, ".git")
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inc := filepath.Join(home, "inc")
	write(global, `[core]
	quotepath = true
[include]
	path = inc/plain
	path = inc/missing
	path = ~/inc/tilde
[includeIf "gitdir:~/Work/"]
	path = inc/work
[includeIf "gitdir:~/work/"]
	path = inc/wrong-case
[includeIf "gitdir/i:~/work/"]
	path = inc/any-case
[includeIf "gitdir:proj/.git"]
	path = inc/relative-pattern
[includeIf "gitdir:elsewhere/"]
	path = inc/never
[includeIf "onbranch:topic/"]
	path = inc/topic
[includeIf "onbranch:main"]
	path = inc/never
[includeIf "hasconfig:remote.*.url:https://example.com/**"]
	path = inc/remote
[includeIf "hasconfig:remote.*.url:git@nowhere:*"]
	path = inc/never
[includeIf "unknown:x"]
	path = inc/never
[diff]
	renames = false
`)
	write(filepath.Join(inc, "plain"), "[diff]\n\talgorithm = patience\n[include]\n\tpath = nested/one\n")
	write(filepath.Join(inc, "nested", "one"), "[mailmap]\n\tfile = from-nested\n[include]\n\tpath = ../tilde\n")
	write(filepath.Join(inc, "tilde"), "[log]\n\tshowRoot = false\n")
	write(filepath.Join(inc, "work"), "[core]\n\tquotePath = false\n[includeIf \"gitdir:./\"]\n\tpath = never\n")
	write(filepath.Join(inc, "wrong-case"), "[diff]\n\trenameLimit = 1\n")
	write(filepath.Join(inc, "any-case"), "[diff]\n\trenameLimit = 7\n")
	write(filepath.Join(inc, "relative-pattern"), "[core]\n\tbigFileThreshold = 5k\n")
	write(filepath.Join(inc, "topic"), "[diff \"bin\"]\n\tbinary = true\n")
	write(filepath.Join(inc, "remote"), "[blame]\n\tignoreRevsFile = revs\n")
	write(filepath.Join(inc, "never"), "[diff]\n\trenames = copies\n")
	write(filepath.Join(gitDir, "config"), "[remote \"origin\"]\n\turl = https://example.com/a/b.git\n[include]\n\tpath = ../../local-inc\n")
	write(filepath.Join(work, "local-inc"), "[diff]\n\tcontext = 0\n")

	want := gitConfigList(t, repo)
	got := readAll(t, gitDir, gitDir)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("variables read:\n got  %q\n want %q (git)", got, want)
	}
	c, err := Load(gitDir, gitDir)
	if err != nil {
		t.Fatal(err)
	}
	if c.QuotePath || c.ShowRoot || c.DiffAlgorithm != "patience" || c.RenameLimit != 7 || c.BigFileThreshold != 5<<10 ||
		!c.BinaryDrivers["bin"] || len(c.IgnoreRevsFiles) != 1 || c.Renames != RenamesOff || !c.DiffContextZero ||
		c.MailmapFile != "from-nested" {
		t.Errorf("Load = %+v, not the included files' settings", c)
	}

	// A file that includes itself: an error naming it, not a hang.
	write(global, "[include]\n\tpath = global\n")
	if _, err := Load(gitDir, gitDir); err == nil || !strings.Contains(err.Error(), "circular") {
		t.Errorf("a file including itself: %v, want an error on circular includes", err)
	}
	out, _ := exec.Command("git", "-C", repo, "config", "--list").CombinedOutput()
	if !strings.Contains(string(out), "circular") {
		t.Errorf("git on a file including itself: %s, expected its error on circular includes", out)
	}
}

// readAll returns every variable Load reads for the repository at gitDir
// (common folder commonDir),
// in order, as git config --list prints them.
func readAll(t *testing.T, gitDir, commonDir string) []string {
	t.Helper()
	r, err := newReader(gitDir, commonDir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, src := range r.sources {
		err := r.readSource(src, func(e entry, _ string) error {
			got = append(got, entryLines([]entry{e})...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// TestWorktreeAndCommandLineConfigAreGits: a linked worktree's
// config.worktree (read when the repository sets extensions.worktreeConfig)
// and the variables git takes from its environment (GIT_CONFIG_COUNT, then
// GIT_CONFIG_PARAMETERS in both its styles, quotes escaped) come after the
// files, as git config --list reads them; malformed ones, and a string
// setting given no value, are errors, as git log refuses them.
func TestWorktreeAndCommandLineConfigAreGits(t *testing.T) {
	isolatedHome(t)
	dir := t.TempDir()
	git := func(d string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", d}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@x", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@x")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	git(dir, "init", "-q", "-b", "main")
	git(dir, "commit", "-q", "--allow-empty", "-m", "one")
	wt := filepath.Join(t.TempDir(), "wt")
	git(dir, "worktree", "add", "-q", "-b", "side", wt)
	git(dir, "config", "extensions.worktreeConfig", "true")
	git(wt, "config", "--worktree", "core.quotePath", "false")
	git(dir, "config", "--worktree", "diff.algorithm", "histogram")
	commonDir := filepath.Join(dir, ".git")
	wtGitDir := filepath.Join(commonDir, "worktrees", "wt")

	t.Setenv("GIT_CONFIG_COUNT", "2")
	t.Setenv("GIT_CONFIG_KEY_0", "Diff.Renames")
	t.Setenv("GIT_CONFIG_VALUE_0", "copies")
	t.Setenv("GIT_CONFIG_KEY_1", "diff.Hex.binary")
	t.Setenv("GIT_CONFIG_VALUE_1", "true")
	t.Setenv("GIT_CONFIG_PARAMETERS", `'core.bigFileThreshold'='7k' 'log.ShowRoot=false' 'diff.mnemonicPrefix'= 'x.it'\''s.k'='it'\''s' 'a.b.flag'`)

	for _, tc := range []struct{ gitDir, dir string }{{commonDir, dir}, {wtGitDir, wt}} {
		want := gitConfigList(t, tc.dir)
		if got := readAll(t, tc.gitDir, commonDir); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: variables read:\n got  %q\n want %q (git)", tc.dir, got, want)
		}
	}
	c, err := Load(wtGitDir, commonDir)
	if err != nil {
		t.Fatal(err)
	}
	if c.QuotePath || c.DiffAlgorithm != "" || c.Renames != RenamesCopies || !c.BinaryDrivers["Hex"] ||
		c.BigFileThreshold != 7<<10 || c.ShowRoot {
		t.Errorf("Load in the worktree = %+v, not its config.worktree's and the command line's settings", c)
	}

	for _, bad := range [][2]string{
		{"GIT_CONFIG_PARAMETERS", `'core.quotepath`},
		{"GIT_CONFIG_PARAMETERS", `'core.quotepath'x`},
		{"GIT_CONFIG_PARAMETERS", `'nosection'='1'`},
		{"GIT_CONFIG_COUNT", "two"},
		{"GIT_CONFIG_COUNT", "3"},
		{"GIT_CONFIG_PARAMETERS", `'mailmap.blob'=`},
	} {
		t.Run(bad[0]+"="+bad[1], func(t *testing.T) {
			t.Setenv(bad[0], bad[1])
			if _, err := Load(commonDir, commonDir); err == nil {
				t.Errorf("Load took it")
			}
			if out, err := exec.Command("git", "-C", dir, "log", "-1", "--format=%aN").CombinedOutput(); err == nil {
				t.Errorf("git log took it: %s", out)
			}
		})
	}
}

// isolatedHome skips the test without git, and gives it a home folder of
// its own: no system config, the global one at home/global (not made).
func isolatedHome(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "xdg"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, "global"))
	return home
}
