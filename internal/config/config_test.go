package config

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLoadReadsWhatGitConfigReads writes settings at two levels with
// `git config` and compares Load with `git config --get`.
func TestLoadReadsWhatGitConfigReads(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	home := t.TempDir()
	global := filepath.Join(home, "global")
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "xdg"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	dir := t.TempDir()
	git := gitIn(t, dir)
	git("init", "-q")
	git("config", "--global", "core.quotePath", "false")
	git("config", "--global", "diff.algorithm", "histogram")
	git("config", "--global", "core.bigFileThreshold", "3k")
	git("config", "--global", "core.ignoreCase", "yes")
	git("config", "--global", "diff.ignoreSubmodules", "dirty")
	git("config", "diff.ignoreSubmodules", "all")
	git("config", "submodule.Lib.ignore", "none")
	git("config", "core.bigFileThreshold", "2m")
	git("config", "diff.algorithm", "Myers")
	git("config", "log.showRoot", "off")
	git("config", "diff.hex.binary", "yes")
	git("config", "diff.context", "0")
	git("config", "mailmap.blob", "HEAD:.mailmap")
	git("config", "--add", "blame.ignoreRevsFile", "one")
	git("config", "--add", "blame.ignoreRevsFile", "")
	git("config", "--add", "blame.ignoreRevsFile", "~/two")

	c, err := Load(filepath.Join(dir, ".git"), filepath.Join(dir, ".git"))
	if err != nil {
		t.Fatal(err)
	}
	gitBool := func(key string) bool {
		t.Helper()
		b, err := strconv.ParseBool(git("config", "--type=bool", "--get", key))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if want := gitBool("core.quotepath"); c.QuotePath != want {
		t.Errorf("QuotePath = %v, git says %v", c.QuotePath, want)
	}
	if want := gitBool("log.showroot"); c.ShowRoot != want {
		t.Errorf("ShowRoot = %v, git says %v", c.ShowRoot, want)
	}
	if want := gitBool("core.ignorecase"); c.IgnoreCase != want || !want {
		t.Errorf("IgnoreCase = %v, git says %v (the test set it)", c.IgnoreCase, want)
	}
	if want := git("config", "--get", "diff.ignoresubmodules"); c.IgnoreSubmodules != want || want != "all" {
		t.Errorf("IgnoreSubmodules = %q, git says %q (the test set all over dirty)", c.IgnoreSubmodules, want)
	}
	if want := git("config", "--get", "submodule.Lib.ignore"); c.SubmoduleIgnore["Lib"] != want || want != "none" {
		t.Errorf("SubmoduleIgnore[Lib] = %q, git says %q", c.SubmoduleIgnore["Lib"], want)
	}
	if want := gitBool("diff.hex.binary"); c.BinaryDrivers["hex"] != want {
		t.Errorf("BinaryDrivers[hex] = %v, git says %v", c.BinaryDrivers["hex"], want)
	}
	want, err := strconv.ParseInt(git("config", "--type=int", "--get", "core.bigfilethreshold"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if c.BigFileThreshold != want {
		t.Errorf("BigFileThreshold = %d, git says %d", c.BigFileThreshold, want)
	}
	if want := strings.ToLower(git("config", "--get", "diff.algorithm")); c.DiffAlgorithm != want {
		t.Errorf("DiffAlgorithm = %q, git says %q", c.DiffAlgorithm, want)
	}
	if !c.DiffContextZero {
		t.Errorf("DiffContextZero = false with diff.context=0")
	}
	if want := git("config", "--get", "mailmap.blob"); c.MailmapBlob != want {
		t.Errorf("MailmapBlob = %q, git says %q", c.MailmapBlob, want)
	}
	// The empty value clears the list (blame's rule, not config's).
	if got := strings.Join(c.IgnoreRevsFiles, ","); got != filepath.Join(home, "two") {
		t.Errorf("IgnoreRevsFiles = %q, want only %q", got, filepath.Join(home, "two"))
	}
}

func TestLoadDefaultsAndBadValues(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "none"))
	dir := t.TempDir()
	c, err := Load(dir, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !c.QuotePath || !c.ShowRoot || c.BigFileThreshold != DefaultBigFileThreshold {
		t.Errorf("defaults = %+v, want quotePath, showRoot and a 512 MiB threshold", c)
	}
	if err := writeFile(filepath.Join(dir, "config"), "[core]\n\tbigFileThreshold = lots\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, dir); err == nil || !strings.Contains(err.Error(), "core.bigfilethreshold") {
		t.Errorf("Load with a bad size: %v, want an error naming the key", err)
	}
}

func writeFile(name, content string) error { return os.WriteFile(name, []byte(content), 0o644) }

// TestPromisorRemoteIsWhatGitCountsAsOne: a partial clone made by git has
// one; remote.<name>.promisor names one from any config file, and
// extensions.partialClone only from the repository's own.
func TestPromisorRemoteIsWhatGitCountsAsOne(t *testing.T) {
	home := t.TempDir()
	global := filepath.Join(home, "global")
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "xdg"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	git := func(dir string, args ...string) {
		t.Helper()
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	promisor := func(dir string) string {
		t.Helper()
		c, err := Load(dir, dir)
		if err != nil {
			t.Fatal(err)
		}
		return c.PromisorRemote
	}
	src := t.TempDir()
	git(src, "init", "-q", "--bare")
	git(src, "config", "uploadpack.allowFilter", "true")
	part := filepath.Join(t.TempDir(), "part.git")
	git(src, "clone", "-q", "--bare", "--filter=blob:none", "file://"+src, part)
	if got := promisor(part); got != "origin" {
		t.Errorf("a partial clone's promisor remote: %q, want origin", got)
	}
	if got := promisor(src); got != "" {
		t.Errorf("a plain repository's promisor remote: %q, want none", got)
	}
	git(src, "config", "--global", "extensions.partialClone", "elsewhere")
	if got := promisor(src); got != "" {
		t.Errorf("extensions.partialClone from the global config counted: %q", got)
	}
	git(src, "config", "--global", "remote.mirror.promisor", "true")
	if got := promisor(src); got != "mirror" {
		t.Errorf("remote.mirror.promisor from the global config: %q, want mirror", got)
	}
}

// TestASubsectionIsNotItsSection: core.quotePath under [core.] or
// [core ""] is the variable core..quotepath to git, which no setting
// reads; Load leaves quotePath on.
func TestASubsectionIsNotItsSection(t *testing.T) {
	isolatedHome(t)
	dir := t.TempDir()
	if err := writeFile(filepath.Join(dir, "config"), "[core.]\n\tquotepath = false\n[core \"\"]\n\tquotePath = false\n"); err != nil {
		t.Fatal(err)
	}
	c, err := Load(dir, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !c.QuotePath {
		t.Errorf("quotePath under a subsection turned core.quotePath off")
	}
	if out, err := exec.Command("git", "config", "-f", filepath.Join(dir, "config"), "--get", "core.quotepath").CombinedOutput(); err == nil {
		t.Errorf("git reads core.quotepath from it: %s", out)
	}
}

// TestAnIncludeThatNeverEndsIsAnError: a config file that includes
// /dev/zero (a file that never ends) is an error naming it, not a run
// that reads forever.
func TestAnIncludeThatNeverEndsIsAnError(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	isolatedHome(t)
	dir := t.TempDir()
	if err := writeFile(filepath.Join(dir, "config"), "[include]\n\tpath = /dev/zero\n"); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir, dir)
	if err == nil || !strings.Contains(err.Error(), "/dev/zero") {
		t.Errorf("Load with an include of /dev/zero: %v, want an error naming it", err)
	}
}

// TestPathSettingsExpandAsGit: core.attributesFile, mailmap.file and
// blame.ignoreRevsFile are paths to git (git_config_pathname): ~/ is the
// home folder, ~USER/ that user's, and a user git cannot find is an error.
// Load's values must be git config --type=path's.
func TestPathSettingsExpandAsGit(t *testing.T) {
	isolatedHome(t)
	u, err := user.Current()
	if err != nil || u.Username == "" || u.HomeDir == "" {
		t.Skipf("no current user to name: %v", err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "config")
	text := "[core]\n\tattributesFile = ~/attrs\n[mailmap]\n\tfile = ~" + u.Username + "/map\n[blame]\n\tignoreRevsFile = ~" + u.Username + "\n"
	if err := writeFile(file, text); err != nil {
		t.Fatal(err)
	}
	c, err := Load(dir, dir)
	if err != nil {
		t.Fatal(err)
	}
	gitPath := func(key string) string {
		t.Helper()
		out, err := exec.Command("git", "config", "-f", file, "--type=path", "--get", key).Output()
		if err != nil {
			t.Fatalf("git config --type=path %s: %v", key, err)
		}
		return strings.TrimSuffix(string(out), "\n")
	}
	if want := gitPath("core.attributesfile"); c.AttributesFile != want {
		t.Errorf("core.attributesFile = %q, git says %q", c.AttributesFile, want)
	}
	if want := gitPath("mailmap.file"); c.MailmapFile != want {
		t.Errorf("mailmap.file = %q, git says %q", c.MailmapFile, want)
	}
	if want := gitPath("blame.ignorerevsfile"); len(c.IgnoreRevsFiles) != 1 || c.IgnoreRevsFiles[0] != want {
		t.Errorf("blame.ignoreRevsFile = %q, git says %q", c.IgnoreRevsFiles, want)
	}

	if err := writeFile(file, "[mailmap]\n\tfile = ~no-such-user-gitwalk/map\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, dir); err == nil || !strings.Contains(err.Error(), "mailmap.file") {
		t.Errorf("a user nobody has: %v, want an error naming mailmap.file", err)
	}
	if out, err := exec.Command("git", "config", "-f", file, "--type=path", "--get", "mailmap.file").CombinedOutput(); err == nil {
		t.Errorf("git expands it: %s", out)
	}

	// %(prefix)/ is git's installation folder, which git expands and
	// gitwalk cannot know: an error naming the setting, never a path to
	// another file (an include, or includeIf's gitdir:, likewise).
	for _, tc := range []struct{ text, key, names string }{
		{"[core]\n\tattributesFile = %(prefix)/etc/attrs\n", "core.attributesfile", "core.attributesfile"},
		{"[mailmap]\n\tfile = %(prefix)/etc/map\n", "mailmap.file", "mailmap.file"},
		{"[include]\n\tpath = %(prefix)/etc/inc\n", "", "%(prefix)"},
		{"[includeIf \"gitdir:%(prefix)/\"]\n\tpath = inc\n", "", "%(prefix)"},
	} {
		if err := writeFile(file, tc.text); err != nil {
			t.Fatal(err)
		}
		if tc.key != "" {
			out, err := exec.Command("git", "config", "-f", file, "--type=path", "--get", tc.key).Output()
			if err != nil || !strings.HasPrefix(string(out), "/") || strings.Contains(string(out), "%(prefix)") {
				t.Fatalf("git config --type=path %s: %q, %v; want git's expansion", tc.key, out, err)
			}
		}
		if _, err := Load(dir, dir); err == nil || !strings.Contains(strings.ToLower(err.Error()), tc.names) {
			t.Errorf("%q: Load says %v, want an error naming %s", tc.text, err, tc.names)
		}
	}
}

// TestOriginURLIsGitsFirst: OriginURL is the URL git fetches origin from,
// `git remote get-url origin`: the first of several; none without an
// origin.
func TestOriginURLIsGitsFirst(t *testing.T) {
	isolatedHome(t)
	dir := t.TempDir()
	git := gitIn(t, dir)
	origin := func() string {
		t.Helper()
		c, err := Load(filepath.Join(dir, ".git"), filepath.Join(dir, ".git"))
		if err != nil {
			t.Fatal(err)
		}
		return c.OriginURL
	}
	git("init", "-q")
	if got := origin(); got != "" {
		t.Errorf("no origin: %q", got)
	}
	git("remote", "add", "upstream", "https://example.com/up.git")
	git("remote", "add", "origin", "https://example.com/a.git")
	git("config", "--add", "remote.origin.url", "https://example.com/b.git")
	if got, want := origin(), git("remote", "get-url", "origin"); got != want || got != "https://example.com/a.git" {
		t.Errorf("OriginURL %q, git remote get-url origin %q", got, want)
	}
}

// gitIn returns a runner of git in dir that fails the test on an error
// and gives git's output trimmed.
func gitIn(t *testing.T, dir string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
}
