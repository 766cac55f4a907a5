package attributes

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestLinesAndMacrosAsGitReadsThem sets up attribute files in the ways
// git's parse_attr_line and its macros treat apart, and compares the diff
// attribute (Diff, before and after Digest) and a named one (Checker) with
// `git check-attr`, path by path:
//   - lines git ignores whole: a negative pattern (plain or quoted; "\!"
//     matches a leading '!'), a state or macro name that is no attribute's
//     (its valid states ignored with it), a macro defined in a sub-folder;
//   - macros defined in one file and used in another (the global file, the
//     top folder's, info/attributes), used before their definition, in
//     chains, redefined (info/attributes over the top folder's, the last
//     line over the first), and kept from expanding by a higher rule that
//     gives the macro itself another value;
//   - "-diff=x" and "!diff=x", which are unset and unspecified;
//   - a macro that sets a named attribute (linguist-vendored), which the
//     Checker expands too.
func TestLinesAndMacrosAsGitReadsThem(t *testing.T) {
	testrepos.IsolateGit(t)
	t.Setenv("GIT_ATTR_NOSYSTEM", "1")
	dir := t.TempDir()
	global := filepath.Join(t.TempDir(), "attributes")
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	writeUnder(t, filepath.Dir(global), "attributes", "[attr]gbin -diff\n[attr]chain1 chain2\n[attr]redef diff\n*.g1 gbin\n")
	writeUnder(t, dir, ".gitattributes", strings.Join([]string{
		"!neg.c -diff linguist-vendored",
		"\"!qneg.c\" -diff",
		"\\!lit.c -diff linguist-vendored",
		"bad.c -diff b@d",
		"bad2.c -diff linguist-vendored -",
		"early.c later",
		"[attr]later -diff",
		"[attr]chain2 chain3",
		"[attr]chain3 -diff",
		"*.ch chain1",
		"[attr]redef -diff",
		"*.rd redef",
		"[attr]twice -diff",
		"[attr]twice diff",
		"*.tw twice",
		"*.blk binary",
		"*.ux -diff=x",
		"*.nx !diff=x",
		"*.sub2 -diff",
		"*.ok linguist-vendored",
		"[attr]thirdparty linguist-vendored -diff",
		"tp/** thirdparty",
		"tp/own.c -thirdparty",
	}, "\n")+"\n")
	writeUnder(t, dir, "sub/.gitattributes", "[attr]subm -diff\n*.sm subm\n*.g1 gbin\n*.sub2 diff mac2\n")
	writeUnder(t, dir, ".git/info/attributes", "[attr]mac2 -diff\n[attr]redef2 -diff\n*.blk -binary\n*.i2 redef2\n")
	paths := []string{"!neg.c", "!qneg.c", "!lit.c", "neg.c", "bad.c", "bad2.c", "early.c", "x.ch", "x.rd", "x.tw",
		"x.blk", "x.ux", "x.nx", "x.g1", "sub/x.g1", "sub/x.sm", "sub/x.sub2", "x.sub2", "x.i2", "sub/x.ok", "tp/lib.c",
		"tp/own.c", "plain.c"}
	diffs := gitCheckAttr(t, dir, []string{"core.attributesFile=" + global}, "diff", paths)
	vendored := gitCheckAttr(t, dir, []string{"core.attributesFile=" + global}, "linguist-vendored", paths)
	asResult := func(v string) Result {
		switch v {
		case "set":
			return Result{State: DiffSet}
		case "unset":
			return Result{State: DiffUnset}
		case "unspecified":
			return Result{}
		}
		return Result{State: DiffDriver, Driver: v}
	}
	lazy := New(dir, filepath.Join(dir, ".git"), global)
	whole := New(dir, filepath.Join(dir, ".git"), global)
	if _, err := whole.Digest(); err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]*Diff{"lazy": lazy, "after Digest": whole} {
		c := a.Checker("linguist-vendored")
		for _, p := range paths {
			if got, want := a.Lookup(p), asResult(diffs[p]); got != want {
				t.Errorf("%s: %s: diff %+v, git check-attr says %q", name, p, got, diffs[p])
			}
			if got := c.Check(p)[0]; got != vendored[p] {
				t.Errorf("%s: %s: linguist-vendored %q, git check-attr says %q", name, p, got, vendored[p])
			}
		}
	}
	if vendored["tp/lib.c"] != "set" || vendored["tp/own.c"] != "unspecified" {
		t.Errorf("git check-attr linguist-vendored: tp/lib.c %q, tp/own.c %q; the test expected set and unspecified",
			vendored["tp/lib.c"], vendored["tp/own.c"])
	}
	// The cases must tell something apart: git gives each of these.
	for p, want := range map[string]string{"!neg.c": "unspecified", "!lit.c": "unset", "bad.c": "unspecified",
		"early.c": "unset", "x.ch": "unset", "x.rd": "unset", "x.tw": "set", "x.blk": "unspecified",
		"x.ux": "unset", "sub/x.sm": "unspecified", "sub/x.g1": "unset", "sub/x.sub2": "unset", "x.i2": "unset"} {
		if diffs[p] != want {
			t.Errorf("git check-attr diff %s: %q; the test expected %q", p, diffs[p], want)
		}
	}
}

// TestIgnoredLinesAreWarnedOnceEach: the lines git ignores with a warning
// (a negative pattern, an invalid name, a macro below the top folder, a
// line of 2,048 bytes or more) are named once each, by file and line,
// however many times the file is read (New, Digest, a Checker); a lazy
// Diff names those of the files it has read.
func TestIgnoredLinesAreWarnedOnceEach(t *testing.T) {
	testrepos.IsolateGit(t)
	t.Setenv("GIT_ATTR_NOSYSTEM", "1")
	dir := t.TempDir()
	writeUnder(t, dir, ".gitattributes", "# a comment\n!neg.c -diff\n*.c diff\n*.x "+strings.Repeat("a", 2100)+" -diff\n")
	writeUnder(t, dir, "sub/.gitattributes", "*.c diff b@d\n[attr]m -diff\n\"!q.c\" -diff\n")
	want := []string{
		`.gitattributes:2: git ignores this line: its pattern is negative (\! matches a leading '!')`,
		`.gitattributes:4: git ignores this line: it is 2,048 bytes or more`,
		`sub/.gitattributes:1: git ignores this line: "b@d" is not a valid attribute name`,
		`sub/.gitattributes:2: git ignores this line: [attr]m defines a macro below the top folder`,
		`sub/.gitattributes:3: git ignores this line: its pattern is negative (\! matches a leading '!')`,
	}
	a := New(dir, filepath.Join(dir, ".git"), filepath.Join(dir, "no-global"))
	if got := a.Warnings(); !slices.Equal(got, want[:2]) {
		t.Errorf("after New:\n%s\nwant the top folder's:\n%s", strings.Join(got, "\n"), strings.Join(want[:2], "\n"))
	}
	a.Lookup("sub/x.c")
	a.Checker("linguist-vendored").Check("sub/y.c")
	if _, err := a.Digest(); err != nil {
		t.Fatal(err)
	}
	a.Checker("linguist-vendored").Check("sub/z.c")
	if got := a.Warnings(); !slices.Equal(got, want) {
		t.Errorf("after Lookup, Checkers and Digest:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestIgnoreCaseMatchesAsGit: under core.ignoreCase, patterns match paths
// whatever their case, with git's quirks (wildmatch's WM_CASEFOLD: a letter
// escaped or alone in brackets keeps its case); without it, they do not.
// Compared with git check-attr, with and without the setting.
func TestIgnoreCaseMatchesAsGit(t *testing.T) {
	testrepos.IsolateGit(t)
	t.Setenv("GIT_ATTR_NOSYSTEM", "1")
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	writeUnder(t, dir, ".gitattributes", strings.Join([]string{
		"*.PNG -diff", "Docs/*.MD -diff", "[A-C].txt -diff", "[[:upper:]]x.up -diff", "[[:lower:]]x.lo -diff",
		"\\Q.q -diff", "[Z].z -diff", "Lit.File -diff", "*END -diff", "/Top/** -diff",
	}, "\n")+"\n")
	writeUnder(t, dir, "sub/.gitattributes", "*.Sub -diff\n")
	paths := []string{"x.png", "x.PNG", "docs/a.md", "DOCS/A.MD", "b.txt", "B.txt", "ax.up", "Ax.up", "ax.lo", "Ax.lo",
		"q.q", "Q.q", "z.z", "Z.z", "lit.file", "xend", "top/deep/x", "sub/a.sub", "SUB/a.sub", "plain.c"}
	for _, fold := range []bool{false, true} {
		want := gitCheckAttr(t, dir, []string{"core.ignorecase=" + fmt.Sprint(fold)}, "diff", paths)
		var opts []Option
		if fold {
			opts = append(opts, IgnoreCase())
		}
		a := New(dir, filepath.Join(dir, ".git"), filepath.Join(dir, "no-global"), opts...)
		c := a.Checker("diff")
		for _, p := range paths {
			got := "unspecified"
			if a.Lookup(p).State == DiffUnset {
				got = "unset"
			}
			if got != want[p] || c.Check(p)[0] != want[p] {
				t.Errorf("ignoreCase %v: %s: diff %s (checker %s), git check-attr says %s", fold, p, got, c.Check(p)[0], want[p])
			}
		}
		if fold && (want["x.png"] != "unset" || want["B.txt"] != "unset" || want["ax.up"] != "unset" || want["Q.q"] != "unspecified" ||
			want["z.z"] != "unspecified" || want["top/deep/x"] != "unset") {
			t.Errorf("git check-attr under core.ignorecase: %v; the test expected it to fold letters but not an escaped or lone bracketed one", want)
		}
	}
}

// gitCheckAttr runs `git check-attr NAME -- PATHS` in dir, with the -c
// settings given ("key=value"), and returns each path's value.
func gitCheckAttr(t *testing.T, dir string, settings []string, name string, paths []string) map[string]string {
	t.Helper()
	args := []string{"-C", dir}
	for _, kv := range settings {
		args = append(args, "-c", kv)
	}
	out, err := exec.Command("git", append(append(args, "check-attr", name, "--"), paths...)...).Output()
	if err != nil {
		t.Fatalf("git check-attr %s: %v", name, err)
	}
	vals := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, ": ", 3)
		vals[f[0]] = f[2]
	}
	return vals
}
