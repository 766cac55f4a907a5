package renames

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// lines returns n lines "<prefix> <k>" for k = from..from+n-1.
func lines(prefix string, from, n int) string {
	var b strings.Builder
	for k := from; k < from+n; k++ {
		fmt.Fprintf(&b, "%s %d\n", prefix, k)
	}
	return b.String()
}

// fixed returns n lines of equal length, "<prefix><k>" with k on 3 digits.
func fixed(prefix string, n int) []string {
	out := make([]string, n)
	for k := range out {
		out[k] = fmt.Sprintf("%s%03d\n", prefix, k)
	}
	return out
}

// keep returns the lines of base with all but the first kept replaced by
// lines of the same length from other.
func keep(base, other []string, kept int) string {
	out := slices.Clone(base)
	copy(out[kept:], other[kept:])
	return strings.Join(out, "")
}

// sheetCase is one case of the reference sheet (git-renames.md §9): a
// history, the checks to run on its last commit, and the numstat names the
// sheet records for each, which git must print too.
type sheetCase struct {
	name   string
	build  func(r *repo) string // returns the commit to check
	checks []check
	sheet  [][]string // per check: the sheet's names column
}

func sheetCases() []sheetCase {
	def := check{quotePath: true}
	with := func(flags ...string) check {
		ck := check{flags: flags, quotePath: true}
		for _, f := range flags {
			switch {
			case strings.HasPrefix(f, "-M"):
				n, err := ParseScore(f[2:])
				if err != nil {
					panic(err)
				}
				ck.opt.MinScore = n
			case strings.HasPrefix(f, "-l"):
				fmt.Sscan(f[2:], &ck.opt.Limit)
				if ck.opt.Limit <= 0 {
					ck.opt.Limit = NoLimit
				}
			case f == "-C" && ck.opt.Copies:
				ck.opt.CopiesHarder = true
			case f == "-C":
				ck.opt.Copies = true
			case f == "--no-rename-empty":
				ck.opt.NoRenameEmpty = true
			}
		}
		return ck
	}
	return []sheetCase{
		{name: "C1 a pure rename", build: func(r *repo) string {
			r.write("a.txt", lines("", 1, 20))
			r.commit("root")
			r.move("a.txt", "b.txt")
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"a.txt => b.txt"}}},

		{name: "C2 a rename with one of twenty lines changed", build: func(r *repo) string {
			r.write("old.txt", lines("", 1, 20))
			r.commit("root")
			r.remove("old.txt")
			r.write("new.txt", strings.Replace(lines("", 1, 20), "7\n", "seven\n", 1))
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"old.txt => new.txt"}}},

		{name: "C3 eleven of twenty lines changed pair only at -M30%", build: func(r *repo) string {
			r.write("old.txt", lines("", 1, 20))
			r.commit("root")
			r.remove("old.txt")
			r.write("new.txt", lines("new", 1, 11)+lines("", 12, 9))
			return r.commit("mv")
		}, checks: []check{def, with("-M30%")},
			sheet: [][]string{{"new.txt", "old.txt"}, {"old.txt => new.txt"}}},

		{name: "C4 the prefix and suffix forms", build: func(r *repo) string {
			r.write("src/app/util/io.c", "io\n")
			r.write("file", "file\n")
			r.write("a/f", "f\n")
			r.write("a/old/g", "g\n")
			r.write("x.c", "x\n")
			r.commit("root")
			r.move("src/app/util/io.c", "src/lib/util/io.c")
			r.move("file", "dir/file")
			r.move("a/f", "a/new/f")
			r.move("a/old/g", "a/g")
			r.move("x.c", "y.c")
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"a/{old => }/g", "a/{ => new}/f", "file => dir/file",
			"src/{app => lib}/util/io.c", "x.c => y.c"}}},

		{name: "C5 two identical sources for one destination", build: func(r *repo) string {
			r.write("p.txt", lines("", 1, 10))
			r.write("q.txt", lines("", 1, 10))
			r.write("x/k.txt", lines("", 1, 11))
			r.write("y/r.txt", lines("", 1, 11))
			r.commit("root")
			r.remove("p.txt", "q.txt", "x", "y")
			r.write("r.txt", lines("", 1, 10))
			r.write("z/r.txt", lines("", 1, 11))
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"q.txt", "p.txt => r.txt", "x/k.txt", "{y => z}/r.txt"}}},

		{name: "C6 one source for two identical destinations", build: func(r *repo) string {
			r.write("s.txt", lines("", 1, 10))
			r.write("x/f.txt", lines("", 1, 11))
			r.commit("root")
			r.remove("s.txt", "x")
			r.write("d1.txt", lines("", 1, 10))
			r.write("d2.txt", lines("", 1, 10))
			r.write("a.txt", lines("", 1, 11))
			r.write("y/f.txt", lines("", 1, 11))
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"x/f.txt => a.txt", "s.txt => d1.txt", "d2.txt", "y/f.txt"}}},

		{name: "C7 swapped contents are two modifications", build: func(r *repo) string {
			r.write("l.txt", lines("l", 1, 200))
			r.write("r.txt", lines("r", 1, 200))
			r.commit("root")
			r.write("l.txt", lines("r", 1, 200))
			r.write("r.txt", lines("l", 1, 200))
			return r.commit("swap")
		}, checks: []check{def}, sheet: [][]string{{"l.txt", "r.txt"}}},

		{name: "C8 empty files pair exactly unless --no-rename-empty", build: func(r *repo) string {
			r.write("e1", "")
			r.write("e2", "")
			r.commit("root")
			r.remove("e1", "e2")
			r.write("f", "")
			return r.commit("mv")
		}, checks: []check{def, with("--no-rename-empty")},
			sheet: [][]string{{"e2", "e1 => f"}, {"e1", "e2", "f"}}},

		{name: "C9 binary renames", build: func(r *repo) string {
			r.write("x.bin", "\x00\x01\x02 binary\n")
			var y []string
			for k := 0; k < 200; k++ {
				y = append(y, fmt.Sprintf("bin\x00line %03d\n", k))
			}
			r.write("y.bin", strings.Join(y, ""))
			r.commit("root")
			r.move("x.bin", "x2.bin")
			r.remove("y.bin")
			r.write("y2.bin", strings.Join(y[10:], ""))
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"x.bin => x2.bin", "y.bin => y2.bin"}}},

		{name: "C10 symlinks rename only exactly", build: func(r *repo) string {
			r.write("f", lines("", 1, 5))
			r.symlink("target1", "l1")
			r.symlink("target2", "l2")
			r.commit("root")
			r.symlink("f-target", "f")
			r.remove("l1", "l2")
			r.symlink("target1", "l1b")
			r.symlink("target2b", "l2b")
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"f", "l1 => l1b", "l2", "l2b"}}},

		{name: "C11 a directory move over the rename limit", build: buildC11,
			checks: []check{def, with("-l5"), with("-l6")},
			sheet: [][]string{
				{"d/f1.txt => e/g1.txt", "d/f2.txt => e/g2.txt", "d/f3.txt => e/g3.txt", "d/f4.txt => e/g4.txt",
					"d/f5.txt => e/g5.txt", "d/f6.txt => e/g6.txt", "{d => e}/same.txt"},
				{"d/f1.txt", "d/f2.txt", "d/f3.txt", "d/f4.txt", "d/f5.txt", "d/f6.txt",
					"e/g1.txt", "e/g2.txt", "e/g3.txt", "e/g4.txt", "e/g5.txt", "e/g6.txt", "{d => e}/same.txt"},
				{"d/f1.txt => e/g1.txt", "d/f2.txt => e/g2.txt", "d/f3.txt => e/g3.txt", "d/f4.txt => e/g4.txt",
					"d/f5.txt => e/g5.txt", "d/f6.txt => e/g6.txt", "{d => e}/same.txt"},
			}},

		{name: "C12 renames with a mode change", build: func(r *repo) string {
			r.write("run", "#!/bin/sh\necho run\n")
			r.write("tool", lines("tool", 1, 10))
			r.commit("root")
			r.move("run", "run.sh")
			r.chmodX("run.sh")
			r.remove("tool")
			r.write("tool.sh", strings.Replace(lines("tool", 1, 10), "tool 3", "tool three", 1))
			r.chmodX("tool.sh")
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"run => run.sh", "tool => tool.sh"}}},

		{name: "C13 a merge diffed against its first parent", build: func(r *repo) string {
			r.write("a.txt", lines("", 1, 20))
			root := r.commit("root")
			r.remove("a.txt")
			r.write("b.txt", lines("", 1, 19)+"last\n")
			side := r.commitWith("side", root)
			r.remove("b.txt")
			r.write("a.txt", "first\n"+lines("", 2, 19))
			main := r.commitWith("main", root)
			r.remove("a.txt")
			r.write("b.txt", "first\n"+lines("", 2, 18)+"last\n")
			return r.commitWith("Merge branch 'side'", main, side)
		}, checks: []check{{quotePath: true, logArgs: []string{"--first-parent"}}},
			sheet: [][]string{{"a.txt => b.txt"}}},

		{name: "C14 odd names", build: func(r *repo) string {
			r.write("d/my file.txt", "my\n")
			r.write("d/café.txt", "cafe\n")
			r.write("d/t\tab", "tab\n")
			r.commit("root")
			r.move("d/my file.txt", "d/my notes.txt")
			r.move("d/café.txt", "d/cafés.txt")
			r.move("d/t\tab", "d/tab")
			return r.commit("mv")
		}, checks: []check{def, {quotePath: false}},
			sheet: [][]string{
				{`"d/caf\303\251.txt" => "d/caf\303\251s.txt"`, "d/{my file.txt => my notes.txt}", `"d/t\tab" => d/tab`},
				{"d/{café.txt => cafés.txt}", "d/{my file.txt => my notes.txt}", `"d/t\tab" => d/tab`},
			}},

		{name: "C15 the minimum score", build: func(r *repo) string {
			hi, lo := fixed("hi", 100), fixed("lo", 100)
			r.write("hi", strings.Join(hi, ""))
			r.write("lo", strings.Join(lo, ""))
			r.commit("root")
			r.remove("hi", "lo")
			r.write("hi2", keep(hi, fixed("HI", 100), 90))
			r.write("lo2", keep(lo, fixed("LO", 100), 82))
			return r.commit("mv")
		}, checks: []check{def, with("-M90%")},
			sheet: [][]string{{"hi => hi2", "lo => lo2"}, {"hi => hi2", "lo", "lo2"}}},

		{name: "C17 a score of exactly the minimum pairs", build: func(r *repo) string {
			s49, s50 := fixed("a", 100), fixed("b", 100)
			r.write("s49", strings.Join(s49, ""))
			r.write("s50", strings.Join(s50, ""))
			r.commit("root")
			r.remove("s49", "s50")
			r.write("t49", keep(s49, fixed("c", 100), 49))
			r.write("t50", keep(s50, fixed("d", 100), 50))
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"s49", "t49", "s50 => t50"}}},

		{name: "C18 the basename step comes first", build: func(r *repo) string {
			foo := fixed("foo", 100)
			r.write("old/foo.c", strings.Join(foo, ""))
			r.commit("root")
			r.remove("old")
			r.write("new/foo.c", keep(foo, fixed("FOO", 100), 80))
			r.write("new/bar.c", keep(foo, fixed("BAR", 100), 95))
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"new/bar.c", "{old => new}/foo.c"}}},

		{name: "C19 an unterminated last line is not counted", build: func(r *repo) string {
			last := "twenty-nine bytes, no newline"
			r.write("s.txt", "a\nb\nc\n"+last)
			r.commit("root")
			r.remove("s.txt")
			r.write("t.txt", "a\nB\nc\n"+last)
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"s.txt", "t.txt"}}},

		{name: "C20 CRLF to LF", build: func(r *repo) string {
			r.write("w.txt", strings.ReplaceAll(lines("w", 1, 10), "\n", "\r\n"))
			r.commit("root")
			r.remove("w.txt")
			r.write("u.txt", lines("w", 1, 10))
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"w.txt => u.txt"}}},

		{name: "C21 a pathspec limits the candidates", build: func(r *repo) string {
			r.write("old/f.txt", lines("", 1, 20))
			r.write("z.txt", "z\n")
			r.commit("root")
			r.move("old/f.txt", "new/f.txt")
			r.write("z.txt", "z\nz\n")
			return r.commit("mv")
		}, checks: []check{{quotePath: true, paths: []string{"new"}}, {quotePath: true, paths: []string{"old", "new"}}},
			sheet: [][]string{{"new/f.txt"}, {"{old => new}/f.txt"}}},

		{name: "C22 copies", build: func(r *repo) string {
			r.write("x.txt", lines("x", 1, 20))
			r.write("u.txt", lines("u", 1, 21))
			r.write("del.txt", lines("del", 1, 21))
			r.commit("root")
			r.write("x.txt", lines("x", 1, 21))
			r.write("y.txt", lines("x", 1, 20))
			r.write("z.txt", lines("u", 1, 21))
			r.move("del.txt", "p.txt")
			r.write("q.txt", lines("del", 1, 21))
			return r.commit("cp")
		}, checks: []check{def, with("-C"), with("-C", "-C")},
			sheet: [][]string{
				{"del.txt => p.txt", "q.txt", "x.txt", "y.txt", "z.txt"},
				{"del.txt => p.txt", "del.txt => q.txt", "x.txt", "x.txt => y.txt", "z.txt"},
				{"del.txt => p.txt", "del.txt => q.txt", "x.txt", "x.txt => y.txt", "u.txt => z.txt"},
			}},

		{name: "C23 a gitlink moves", build: func(r *repo) string {
			r.write("f", "f\n")
			r.gitlink("0123456789abcdef0123456789abcdef01234567", "sub")
			r.commit("root")
			r.move("sub", "lib/sub")
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"sub => lib/sub"}}},

		{name: "C24 a rename sits where its destination sorts", build: func(r *repo) string {
			r.write("z.txt", "z\n")
			r.write("b.txt", "b\n")
			r.write("m.txt", "m\n")
			r.commit("root")
			r.move("z.txt", "a.txt")
			r.move("b.txt", "y.txt")
			r.write("m.txt", "m\nm\n")
			r.write("n.txt", "n\n")
			return r.commit("mv")
		}, checks: []check{def}, sheet: [][]string{{"z.txt => a.txt", "m.txt", "n.txt", "b.txt => y.txt"}}},
	}
}

func buildC11(r *repo) string {
	r.write("d/same.txt", lines("same", 1, 20))
	for k := 1; k <= 6; k++ {
		r.write(fmt.Sprintf("d/f%d.txt", k), lines(fmt.Sprintf("file%d", k), 1, 20))
	}
	r.commit("root")
	r.move("d/same.txt", "e/same.txt")
	for k := 1; k <= 6; k++ {
		r.remove(fmt.Sprintf("d/f%d.txt", k))
		body := lines(fmt.Sprintf("file%d", k), 1, 20)
		for _, n := range []string{"3", "9", "15"} {
			body = strings.Replace(body, fmt.Sprintf("file%d %s\n", k, n), fmt.Sprintf("edit%d %s\n", k, n), 1)
		}
		r.write(fmt.Sprintf("e/g%d.txt", k), body)
	}
	return r.commit("mv")
}

// TestSheetCases runs the cases of the reference sheet: the detector must
// agree with git, and git with the sheet. The cases are unrelated histories
// of one repository, so that git runs once per set of options.
func TestSheetCases(t *testing.T) {
	r := newRepo(t)
	type job struct {
		c     string
		ck    check
		sheet []string
	}
	groups := map[string][]job{}
	for _, tc := range sheetCases() {
		r.newHistory(" (" + tc.name + ")")
		c := tc.build(r)
		for k, ck := range tc.checks {
			groups[ck.key()] = append(groups[ck.key()], job{c, ck, tc.sheet[k]})
		}
	}
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		jobs := groups[key]
		var commits []string
		for _, j := range jobs {
			commits = append(commits, j.c)
		}
		for k, got := range r.compareAll(commits, jobs[0].ck) {
			if j := jobs[k]; !slices.Equal(got.gitNames, j.sheet) {
				t.Errorf("%s%s %v: git prints %q, the sheet says %q", j.c, r.labels[j.c], j.ck.flags, got.gitNames, j.sheet)
			}
		}
	}
}

// TestLimitWarning checks the limit against git: which commits skip the
// full comparison, the largest NeededLimit, and the warning git log writes
// at the end of the walk.
func TestLimitWarning(t *testing.T) {
	r := newRepo(t)
	buildC11(r)
	// A second commit over the limit, with more destinations than sources,
	// and exact moves that survive any limit.
	for k := 0; k < 30; k++ {
		r.write(fmt.Sprintf("big/x%02d.txt", k), lines(fmt.Sprintf("x%d", k), 1, 10))
	}
	for k := 0; k < 4; k++ {
		r.write(fmt.Sprintf("h/h%d.txt", k), lines(fmt.Sprintf("h%d", k), 1, 10))
	}
	r.commit("more")
	r.remove("big", "h")
	for k := 0; k < 30; k++ {
		r.write(fmt.Sprintf("moved/x%02d.txt", k), lines(fmt.Sprintf("x%d", k), 1, 10))
	}
	for k := 0; k < 4; k++ {
		r.write(fmt.Sprintf("i/i%d.txt", k), lines(fmt.Sprintf("h%d", k), 1, 9)+"edited\n")
		r.write(fmt.Sprintf("i/j%d.txt", k), lines(fmt.Sprintf("h%d", k), 2, 9)+"other\n")
	}
	r.commit("move")
	var commits []string
	for k := 1; k <= r.commits; k++ {
		commits = append(commits, fmt.Sprint(":", k))
	}
	for _, tc := range []struct {
		limit string
		opt   Options
		warns bool
	}{
		{"-l5", Options{Limit: 5}, true},  // 6x6 > 25 in C11, 4x8 > 25 here
		{"-l6", Options{Limit: 6}, false}, // 36 <= 36 and 32 <= 36
		{"-l3", Options{Limit: 3}, true},
		{"-l0", Options{Limit: NoLimit}, false},
		{"-l1", Options{Limit: 1}, true},
		{"the default limit", Options{}, false},
	} {
		func() {
			var flags []string
			if strings.HasPrefix(tc.limit, "-l") {
				flags = []string{tc.limit}
			}
			needed := 0
			for _, got := range r.compareAll(commits, check{flags: flags, opt: tc.opt, quotePath: true}) {
				needed = max(needed, got.needed)
			}
			want := r.logWarning(flags...)
			if LimitWarning(needed, false) != want {
				t.Errorf("%s: warning %q, git log writes %q", tc.limit, LimitWarning(needed, false), want)
			}
			if (want != "") != tc.warns {
				t.Errorf("%s: git log warns %q: the test expected a warning: %v", tc.limit, want, tc.warns)
			}
		}()
	}
}

// TestCopiesHarderLimit checks -C -C over the limit against git: when
// leaving the unmodified sources out brings the comparison under the
// limit, it runs without them and git warns that it "only found copies
// from modified paths"; otherwise it is skipped.
func TestCopiesHarderLimit(t *testing.T) {
	r := newRepo(t)
	for k := range 12 {
		r.write(fmt.Sprintf("keep/u%02d.txt", k), lines(fmt.Sprintf("u%d", k), 1, 20))
	}
	r.write("m.txt", lines("m", 1, 20))
	r.write("n.txt", lines("n", 1, 20))
	r.commit("root")
	r.write("m.txt", lines("m", 1, 21))
	r.write("n.txt", lines("n", 2, 20))
	r.write("copy/m.txt", lines("m", 1, 19)+"changed\n")
	r.write("copy/u03.txt", lines("u3", 1, 19)+"changed\n")
	r.write("copy/n2.txt", lines("n", 1, 18)+"changed\n")
	c := r.commit("copy")
	for _, tc := range []struct {
		limit    string
		needed   int
		degraded bool
	}{
		{"-l10", 0, false}, // 3 x 14 <= 100
		{"-l4", 14, true},  // 3 x 14 > 16, 3 x 2 <= 16
		{"-l2", 14, false}, // 3 x 2 > 4: skipped
	} {
		flags := []string{"-C", "-C", tc.limit}
		var opt Options
		fmt.Sscan(tc.limit[2:], &opt.Limit)
		opt.CopiesHarder = true
		got := r.compare(c, check{flags: flags, opt: opt, quotePath: true})
		if got.needed != tc.needed || got.degraded != tc.degraded {
			t.Errorf("%v: needed %d, degraded %v; the test expected %d, %v", flags, got.needed, got.degraded, tc.needed, tc.degraded)
		}
		if w, want := LimitWarning(got.needed, got.degraded), r.logWarning(flags...); w != want {
			t.Errorf("%v: warning %q, git log writes %q", flags, w, want)
		}
	}
}
