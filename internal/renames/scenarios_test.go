package renames

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// scenario is a hand-built commit that aims at one rule, with what git
// does there, so that a scenario that stopped exercising its rule would
// fail.
type scenario struct {
	name   string
	build  func(r *repo) string
	checks []check
	// want holds, per check, rows git must print (a subset, as "R050 old
	// -> new" or "A path"), in order.
	want [][]string
}

func scenarios() []scenario {
	T := fixed("common", 20) // equal-length lines
	family := func(prefix string, kept int) string { return keep(T, fixed(prefix, 20), kept) }
	return []scenario{
		{name: "a fifth source above the minimum is not kept: the destination stays added",
			build: func(r *repo) string {
				// x shares 13 of 22 lines with each of a..d and 10 with e;
				// a2..d2 take a..d first with 19 of 20.
				for _, s := range []string{"a", "b", "c", "d", "e"} {
					r.write("src/"+s, strings.Join(T[:10], "")+strings.Join(fixed(s, 10), ""))
				}
				r.commit("root")
				r.remove("src")
				var x string
				for _, s := range []string{"a", "b", "c", "d"} {
					x += strings.Join(fixed(s, 3), "")
					r.write("dst/"+s+"2", strings.Join(T[:10], "")+strings.Join(fixed(s, 9), "")+"changed00\n")
				}
				r.write("dst/x", strings.Join(T[:10], "")+x)
				return r.commit("mv")
			},
			checks: []check{{quotePath: true, flags: []string{"-M30%"}, opt: Options{MinScore: 18000}}},
			want:   [][]string{{"R093 src/a -> dst/a2", "A dst/x", "D src/e"}}},

		{name: "equal scores go to the source in the earlier slot, which need not be the first path",
			build: func(r *repo) string {
				// s1 scores lower; s2..s5 are identical: s5 replaces s1 in
				// slot 0 and wins the tie.
				r.write("s1", family("one", 12))
				for k := 2; k <= 5; k++ {
					r.write(fmt.Sprint("s", k), family("same", 15))
				}
				r.commit("root")
				r.remove("s1", "s2", "s3", "s4", "s5")
				r.write("x", family("same", 15)+"more\n")
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}},
			want:   [][]string{{"D s1", "D s2", "D s3", "D s4", "R097 s5 -> x"}}},

		{name: "equal scores go to a source with the destination's basename",
			build: func(r *repo) string {
				// Two sources share the basename, so the basename step
				// passes; in the matrix c/y.txt takes a/y.txt before the
				// earlier c/a.txt can.
				r.write("a/y.txt", family("p", 15))
				r.write("b/y.txt", family("p", 15))
				r.commit("root")
				r.remove("a", "b")
				r.write("c/a.txt", family("p", 15)+"more1\n")
				r.write("c/y.txt", family("p", 15)+"more2\n")
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}},
			want:   [][]string{{"R096 b/y.txt -> c/a.txt", "R096 a/y.txt -> c/y.txt"}}},

		{name: "equal scores for two destinations go to the earlier one",
			build: func(r *repo) string {
				r.write("s", family("p", 15))
				r.commit("root")
				r.remove("s")
				r.write("u", family("p", 15)+"one\n")
				r.write("v", family("p", 15)+"two\n")
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}, {quotePath: true, flags: []string{"-C"}, opt: Options{Copies: true}}},
			want:   [][]string{{"R097 s -> u", "A v"}, {"C097 s -> u", "R097 s -> v"}}},

		{name: "a chain of moves pairs only through copies",
			build: func(r *repo) string {
				// a moves to b, b to c: b stays, so only -C pairs b's old
				// content with c.
				r.write("a", strings.Join(fixed("a", 20), ""))
				r.write("b", strings.Join(fixed("b", 20), ""))
				r.commit("root")
				r.remove("a")
				r.write("b", strings.Join(fixed("a", 20), ""))
				r.write("c", strings.Join(fixed("b", 20), ""))
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}, {quotePath: true, flags: []string{"-C"}, opt: Options{Copies: true}}},
			want:   [][]string{{"D a", "M b", "A c"}, {"D a", "M b", "C100 b -> c"}}},

		{name: "a rename with a new file at the old path",
			build: func(r *repo) string {
				r.write("a.txt", family("a", 10))
				r.commit("root")
				r.write("b.txt", family("a", 10))
				r.write("a.txt", "new\n")
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}, {quotePath: true, flags: []string{"-C"}, opt: Options{Copies: true}}},
			want:   [][]string{{"M a.txt", "A b.txt"}, {"M a.txt", "C100 a.txt -> b.txt"}}},

		{name: "a swap with an edit and a third file",
			build: func(r *repo) string {
				r.write("l", family("l", 5))
				r.write("r", family("r", 5))
				r.commit("root")
				r.write("l", family("r", 5))
				r.write("r", family("l", 5))
				r.write("m", family("l", 5)+"m\n")
				return r.commit("swap")
			},
			checks: []check{{quotePath: true}, {quotePath: true, flags: []string{"-C"}, opt: Options{Copies: true}}},
			want:   [][]string{{"M l", "A m", "M r"}, {"M l", "C098 l -> m", "M r"}}},

		{name: "a file and a symlink with the same blob do not pair",
			build: func(r *repo) string {
				r.write("file", "target")
				r.symlink("target", "link")
				r.commit("root")
				r.remove("file", "link")
				r.symlink("target", "newlink")
				r.write("newfile", "target")
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}},
			want:   [][]string{{"R100 file -> newfile", "R100 link -> newlink"}}},

		{name: "a symlink never pairs inexactly, a file's target content does not matter",
			build: func(r *repo) string {
				r.write("file", "target")
				r.commit("root")
				r.remove("file")
				r.symlink("target", "link")
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}},
			want:   [][]string{{"D file", "A link"}}},

		{name: "empty files pair in path order and never with content",
			build: func(r *repo) string {
				r.write("e1", "")
				r.write("e2", "")
				r.write("full", "x\n")
				r.commit("root")
				r.remove("e1", "e2", "full")
				r.write("f1", "")
				r.write("f2", "")
				r.write("f3", "")
				r.write("g", "x\ny\n")
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}, {quotePath: true, flags: []string{"-M1%"}, opt: Options{MinScore: 600}},
				{quotePath: true, flags: []string{"--no-rename-empty"}, opt: Options{NoRenameEmpty: true}}},
			want: [][]string{{"R100 e1 -> f1", "R100 e2 -> f2", "A f3"}, {"A f3", "R050 full -> g"},
				{"D e1", "D e2", "A f1", "A f2", "A f3"}}},

		{name: "a binary file keeps its CRs in the estimate, a text file skips them",
			build: func(r *repo) string {
				text := strings.Join(fixed("t", 20), "")
				bin := "\x00" + strings.Join(fixed("b", 20), "")
				r.write("t.txt", strings.ReplaceAll(text, "\n", "\r\n"))
				r.write("b.bin", strings.ReplaceAll(bin, "\n", "\r\n"))
				r.commit("root")
				r.remove("t.txt", "b.bin")
				r.write("t2.txt", text)
				r.write("b2.bin", bin)
				return r.commit("mv")
			},
			checks: []check{{quotePath: true, flags: []string{"-M10%"}, opt: Options{MinScore: 6000}}},
			want:   [][]string{{"D b.bin", "A b2.bin", "R083 t.txt -> t2.txt"}}},

		{name: "the binary attribute keeps the CRs in the estimate",
			build: func(r *repo) string {
				r.write(".gitattributes", "b*.txt binary\n")
				text := strings.Join(fixed("t", 20), "")
				r.write("t.txt", strings.ReplaceAll(text, "\n", "\r\n"))
				r.write("b.txt", strings.ReplaceAll(text, "t", "b"))
				r.commit("root")
				r.remove("t.txt", "b.txt")
				r.write("t2.txt", text)
				r.write("b2.txt", strings.ReplaceAll(strings.ReplaceAll(text, "\n", "\r\n"), "t", "b"))
				return r.commit("mv")
			},
			checks: []check{{quotePath: true, flags: []string{"-M10%"}, opt: Options{MinScore: 6000}, binary: "b*.txt"}},
			want:   [][]string{{"D b.txt", "A b2.txt", "R083 t.txt -> t2.txt"}}},

		{name: "only 100 identical sources are looked at",
			build: func(r *repo) string {
				for k := range 102 {
					r.write(fmt.Sprintf("s/%03d", k), "same\n")
				}
				r.commit("root")
				r.remove("s")
				r.write("t/101", "same\n")
				r.write("t/000", "same\n")
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}},
			want:   [][]string{{"R100 s/000 -> t/000", "R100 s/001 -> t/101"}}},

		{name: "odd names",
			build: func(r *repo) string {
				for _, p := range []string{"q/\"quoted\"", "q/back\\slash", "q/new\nline", "b/{x => y}", "b/a => b", "u/ünï", "sp/a b/c d"} {
					r.write(p, "content of "+p+"\n")
				}
				r.commit("root")
				r.move("q/\"quoted\"", "q/\"quoted2\"")
				r.move("q/back\\slash", "q/plain")
				r.move("q/new\nline", "q/newline")
				r.move("b/{x => y}", "b/{x => z}")
				r.move("b/a => b", "c/a => b")
				r.move("u/ünï", "u/ünï2")
				r.move("sp/a b/c d", "sp/a c/c d")
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}, {quotePath: false}},
			want:   [][]string{{"R100 b/{x => y} -> b/{x => z}"}, {"R100 u/ünï -> u/ünï2"}}},

		{name: "-M100% finds exact renames only, -M1.5 too",
			build: func(r *repo) string {
				r.write("a", family("a", 10))
				r.write("b", family("b", 10))
				r.commit("root")
				r.move("a", "a2")
				r.remove("b")
				r.write("b2", family("b", 19))
				return r.commit("mv")
			},
			checks: []check{{quotePath: true, flags: []string{"-M100%"}, opt: Options{MinScore: MaxScore}},
				{quotePath: true, flags: []string{"-M1.5"}, opt: Options{MinScore: MaxScore}},
				{quotePath: true}},
			want: [][]string{{"R100 a -> a2", "D b", "A b2"}, {"R100 a -> a2", "D b", "A b2"}, {"R100 a -> a2", "R053 b -> b2"}}},

		{name: "a file replaced by a directory can pair",
			build: func(r *repo) string {
				r.write("a", family("a", 10))
				r.commit("root")
				r.remove("a")
				r.write("a/inner", family("a", 10))
				return r.commit("mv")
			},
			checks: []check{{quotePath: true}},
			want:   [][]string{{"R100 a -> a/inner"}}},
	}
}

// TestScenarios compares the detector with git on the scenarios. They are
// unrelated histories of one repository (but for those that need
// attributes of their own), so that git runs once per set of options.
func TestScenarios(t *testing.T) {
	type job struct {
		c    string
		ck   check
		want []string
	}
	shared := newRepo(t)
	repos := []*repo{shared}
	groups := map[*repo]map[string][]job{shared: {}}
	for _, sc := range scenarios() {
		r := shared
		if slices.ContainsFunc(sc.checks, func(ck check) bool { return ck.binary != "" }) {
			r = newRepo(t) // its .gitattributes would change the others
			repos = append(repos, r)
			groups[r] = map[string][]job{}
		}
		r.newHistory(" (" + sc.name + ")")
		c := sc.build(r)
		for k, ck := range sc.checks {
			groups[r][ck.key()] = append(groups[r][ck.key()], job{c, ck, sc.want[k]})
		}
	}
	for _, r := range repos {
		for _, key := range slices.Sorted(maps.Keys(groups[r])) {
			jobs := groups[r][key]
			var commits []string
			for _, j := range jobs {
				commits = append(commits, j.c)
			}
			for k, got := range r.compareAll(commits, jobs[0].ck) {
				if err := containsInOrder(got.rows, jobs[k].want); err != nil {
					t.Errorf("%s%s %v: %v (the scenario does not do what its name says)",
						jobs[k].c, r.labels[jobs[k].c], jobs[k].ck.flags, err)
				}
			}
		}
	}
}

// containsInOrder checks that rows hold want (as "R050 old -> new" or
// "A path") in this order.
func containsInOrder(rows []rawEntry, want []string) error {
	var got []string
	for _, e := range rows {
		if e.status == 'R' || e.status == 'C' {
			got = append(got, fmt.Sprintf("%c%03d %s -> %s", e.status, e.score, e.path, e.newPath))
		} else {
			got = append(got, fmt.Sprintf("%c %s", e.status, e.path))
		}
	}
	k := 0
	for _, g := range got {
		if k < len(want) && g == want[k] {
			k++
		}
	}
	if k < len(want) {
		return fmt.Errorf("rows %q lack %q in this order", got, want[k:])
	}
	return nil
}
