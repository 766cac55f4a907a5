package config

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestUnreadableFilesAreGits: git skips a config file that does not
// exist, and a global one its user may not read; it dies on any other it
// cannot read (access_or_die, then "unable to access"): the system's or
// the repository's when not permitted, a folder where a file should be,
// an include it cannot read. Load must fail where git log fails, naming
// the file, and read on where git reads on: skipping such a file would
// count under other settings than git's.
func TestUnreadableFilesAreGits(t *testing.T) {
	home := isolatedHome(t)
	repo := filepath.Join(home, "repo")
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	gitDir := filepath.Join(repo, ".git")
	folder := filepath.Join(home, "a-folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(gitDir, "config")
	text, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	// gitLogFails runs git log as the test's settings have it: its exit
	// says whether git read its configuration.
	gitLogFails := func() bool {
		cmd := exec.Command("git", "-C", repo, "log", "--oneline", "-n1", "--all")
		out, err := cmd.CombinedOutput()
		return err != nil && strings.Contains(string(out), "fatal")
	}
	type unreadCase struct {
		name  string
		setup func(t *testing.T)
		fails bool
	}
	cases := []unreadCase{
		{"every file as it should be", func(t *testing.T) {}, false},
		{"a global file missing", func(t *testing.T) { t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, "none")) }, false},
		{"a folder for the global file", func(t *testing.T) { t.Setenv("GIT_CONFIG_GLOBAL", folder) }, true},
		{"a folder for the system file", func(t *testing.T) {
			t.Setenv("GIT_CONFIG_NOSYSTEM", "")
			t.Setenv("GIT_CONFIG_SYSTEM", folder)
		}, true},
		{"a folder for the repository's file", func(t *testing.T) {
			if err := os.Rename(own, own+".kept"); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(own, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				os.Remove(own)
				os.Rename(own+".kept", own)
			})
		}, true},
		{"an include of a folder", func(t *testing.T) {
			writeConfig(t, own, string(text)+"[include]\n\tpath = "+folder+"\n")
			t.Cleanup(func() { writeConfig(t, own, string(text)) })
		}, true},
		{"an include of a missing file", func(t *testing.T) {
			writeConfig(t, own, string(text)+"[include]\n\tpath = "+filepath.Join(home, "none")+"\n")
			t.Cleanup(func() { writeConfig(t, own, string(text)) })
		}, false},
	}
	if os.Geteuid() != 0 {
		// Permissions hold for this user (root reads every file).
		secret := filepath.Join(home, "secret")
		writeConfig(t, secret, "[diff]\n\trenames = false\n")
		if err := os.Chmod(secret, 0); err != nil {
			t.Fatal(err)
		}
		cases = append(cases,
			unreadCase{"a global file not permitted", func(t *testing.T) { t.Setenv("GIT_CONFIG_GLOBAL", secret) }, false},
			unreadCase{"a system file not permitted", func(t *testing.T) {
				t.Setenv("GIT_CONFIG_NOSYSTEM", "")
				t.Setenv("GIT_CONFIG_SYSTEM", secret)
			}, true})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup(t)
			if got := gitLogFails(); got != tc.fails {
				t.Fatalf("git log fails: %v, want %v (the case is not the one meant)", got, tc.fails)
			}
			_, err := Load(gitDir, gitDir)
			if (err != nil) != tc.fails {
				t.Fatalf("Load: %v; want an error: %v", err, tc.fails)
			}
			if err != nil && !strings.Contains(err.Error(), "read config ") {
				t.Fatalf("Load: %v; want it to name the file", err)
			}
		})
	}
}

// TestSkipUnreadIsAccessOrDies: what a file that could not be read is
// skipped for, the permission case included, which root cannot make.
func TestSkipUnreadIsAccessOrDies(t *testing.T) {
	pe := func(errno syscall.Errno) error { return &fs.PathError{Op: "open", Path: "f", Err: errno} }
	for _, tc := range []struct {
		err    error
		global bool
		skip   bool
	}{
		{pe(syscall.ENOENT), false, true},
		{pe(syscall.ENOTDIR), false, true},
		{pe(syscall.EACCES), true, true},
		{pe(syscall.EACCES), false, false},
		{pe(syscall.EISDIR), true, false},
		{pe(syscall.ELOOP), true, false},
		{errTooLarge, true, false},
	} {
		if got := skipUnread(tc.err, tc.global); got != tc.skip {
			t.Errorf("skipUnread(%v, global %v) = %v, want %v", tc.err, tc.global, got, tc.skip)
		}
	}
}

func writeConfig(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
