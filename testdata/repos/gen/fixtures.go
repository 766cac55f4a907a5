package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fixtures lists every repository gen builds, in build order (shallow
// clones merges, so it comes after it). testdata/repos/README.md has one
// line per fixture.
var fixtures = []fixture{
	{"content", buildContent},
	{"large", buildLarge},
	{"paths", buildPaths},
	{"types", buildTypes},
	{"merges", buildMerges},
	{"order", buildOrder},
	{"attributes", buildAttributes},
	{"quotepath", buildQuotepath},
	{"people", buildPeople},
	{"shallow", buildShallow},
	{"empty", buildEmpty},
	{"branches", buildBranches},
	{"renames", buildRenames},
}

const mainRef = "refs/heads/main"

// Fake commit ids for gitlinks: a gitlink names a commit of another
// repository, which need not exist here.
const (
	subA = "1111111111111111111111111111111111111111"
	subB = "2222222222222222222222222222222222222222"
	subC = "3333333333333333333333333333333333333333"
)

// buildContent covers how line counts treat bytes: CRLF, missing final
// newlines, empty files, NULs around byte 8000, long lines, mode-only
// changes, a rename, an empty commit, and the diffs where git's Myers is
// not minimal (sheet E10) or discards multimatch lines (E5, E7). Packed.
func buildContent(g *gitRunner, dir string) error {
	s := newStream()
	long := longLines(3, 60000)
	c1 := s.commitOn(mainRef, "add text edge cases", at(1), nil, changes{
		"crlf.txt":        file(crlf("one\ntwo\nthree\n")),
		"lf.txt":          file("one\ntwo\nthree\n"),
		"cr-only.txt":     file("a\rb\rc\n"),
		"noeol.txt":       file("first\nsecond"),
		"empty.txt":       file(""),
		"stays-empty.txt": file(""),
		"nul-7999.dat":    fileBytes(textWithNUL(7999, 9000)),
		"nul-8000.txt":    fileBytes(textWithNUL(8000, 9000)),
		"flip.txt":        file("x\ny\n"),
		"script.sh":       file("#!/bin/sh\necho hi\n"),
		"long-lines.txt":  file(join(long)),
		"old-name.txt":    file(join(uniqueLines("old", 20))),
		"pure-rename.txt": file(join(uniqueLines("pure", 5))),
	})
	c2 := s.commitOn(mainRef, "edit a CRLF line, append to a file without final newline", at(2), []*commit{c1}, changes{
		"crlf.txt":    file(crlf("one\nTWO\nthree\n")),
		"noeol.txt":   file("first\nsecond\nthird"),
		"cr-only.txt": file("a\rB\rc\n"),
	})
	c3 := s.commitOn(mainRef, "CRLF to LF and LF to CRLF, add the final newline", at(3), []*commit{c2}, changes{
		"crlf.txt":  file("one\nTWO\nthree\n"),
		"lf.txt":    file(crlf("one\ntwo\nthree\n")),
		"noeol.txt": file("first\nsecond\nthird\n"),
	})
	c4 := s.commitOn(mainRef, "remove the final newline, fill an empty file", at(4), []*commit{c3}, changes{
		"noeol.txt":       file("first\nsecond\nthird"),
		"empty.txt":       file("now has text\n"),
		"added-empty.txt": file(""),
	})
	c5 := s.commitOn(mainRef, "empty a file, delete an empty file", at(5), []*commit{c4}, changes{
		"empty.txt":       file(""),
		"stays-empty.txt": gone,
	})
	nul7999 := textWithNUL(7999, 9000)
	nul7999[8500] = 'Z'
	nul8000 := textWithNUL(8000, 9000)
	nul8000[100] = 'Z'
	c6 := s.commitOn(mainRef, "edit both NUL files, put a NUL into a text file", at(6), []*commit{c5}, changes{
		"nul-7999.dat": fileBytes(nul7999),
		"nul-8000.txt": fileBytes(nul8000),
		"flip.txt":     file("x\x00\ny\n"),
	})
	long[1] = long[1][:30000] + "X" + long[1][30001:]
	c7 := s.commitOn(mainRef, "binary back to text, edit one byte of a long line", at(7), []*commit{c6}, changes{
		"flip.txt":       file("x\ny\nz\n"),
		"long-lines.txt": file(join(long)),
	})
	c8 := s.commitOn(mainRef, "chmod +x only", at(8), []*commit{c7}, changes{
		"script.sh": execFile("#!/bin/sh\necho hi\n"),
	})
	c9 := s.commitOn(mainRef, "chmod -x and edit, add a one-line file without newline", at(9), []*commit{c8}, changes{
		"script.sh": file("#!/bin/sh\necho hello\n"),
		"one.txt":   file("only line"),
	})
	renamed := uniqueLines("old", 20)
	renamed[10] = "changed while renamed\n"
	c10 := s.commitOn(mainRef, "rename with an edit, and a pure rename", at(10), []*commit{c9}, changes{
		"old-name.txt":     gone,
		"new-name.txt":     file(join(renamed)),
		"pure-rename.txt":  gone,
		"pure-renamed.txt": file(join(uniqueLines("pure", 5))),
	})
	c11 := s.commitOn(mainRef, "empty commit", at(11), []*commit{c10}, nil)

	// E10: X+Y against Y+X, |X|=285, |Y|=259: default 285/285, --minimal 259/259.
	x, y := uniqueLines("X", 285), uniqueLines("Y", 259)
	// E5: default and --minimal 8 1, the true minimum is 7 0.
	e5a := "x\nx\nx\nx\n"
	e5b := "x\nx\nx\nA\nB\nC\nD\nx\nE\nF\nG\n"
	// E7: the 100-line window of the multimatch scan.
	k0, k1 := "K0\n", "K1\n"
	e7a := k0 + join(repeat("x\n", 40)) + k1
	mid := append(repeat("x\n", 34), uniqueLines("w", 66)...)
	r := rng(7)
	for i := len(mid) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		mid[i], mid[j] = mid[j], mid[i]
	}
	e7b := k0 + join(uniqueLines("u", 200), mid) + "x\nv\n" + k1
	c12 := s.commitOn(mainRef, "add the rewrite, multimatch and window files", at(12), []*commit{c11}, changes{
		"rewrite.txt":    file(join(x, y)),
		"multimatch.txt": file(e5a),
		"window.txt":     file(e7a),
	})
	c13 := s.commitOn(mainRef, "swap X and Y (git's default diff is not minimal), multimatch and window edits", at(13), []*commit{c12}, changes{
		"rewrite.txt":    file(join(y, x)),
		"multimatch.txt": file(e5b),
		"window.txt":     file(e7b),
	})
	s.commitOn(mainRef, "delete a binary file, add one with a NUL at byte 0, delete an empty file", at(14), []*commit{c13}, changes{
		"nul-7999.dat":    gone,
		"zero.dat":        fileBytes([]byte("\x00\x01\x02 binary from the first byte\n")),
		"added-empty.txt": gone,
	})
	if err := g.importStream(dir, s, false); err != nil {
		return err
	}
	return g.repack(dir)
}

// buildLarge covers a file of 40,000 lines edited a few times, with block
// moves large enough that git's cost cutoff and snake heuristic (mxcost 512)
// decide the counts. Packed.
func buildLarge(g *gitRunner, dir string) error {
	s := newStream()
	big := uniqueLines("big", 40000)
	c1 := s.commitOn(mainRef, "add a 40000-line file", at(1), nil, changes{
		"big.txt":   file(join(big)),
		"small.txt": file("small\n"),
	})
	for _, i := range []int{3, 9000, 17777, 25000, 39999} {
		big[i] = fmt.Sprintf("edited line %d\n", i)
	}
	c2 := s.commitOn(mainRef, "edit five scattered lines", at(2), []*commit{c1}, changes{
		"big.txt": file(join(big)),
	})
	var big3 []string
	big3 = append(big3, big[:10000]...)
	big3 = append(big3, uniqueLines("inserted", 300)...)
	big3 = append(big3, big[10000:30000]...)
	big3 = append(big3, big[30200:]...)
	c3 := s.commitOn(mainRef, "insert 300 lines, delete 200", at(3), []*commit{c2}, changes{
		"big.txt":   file(join(big3)),
		"small.txt": file("small\nsmaller\n"),
	})
	// Swap neighbouring blocks of 2000 lines, and move one block far away.
	var blocks [][]string
	for i := 0; i < len(big3); i += 2000 {
		end := i + 2000
		if end > len(big3) {
			end = len(big3)
		}
		blocks = append(blocks, big3[i:end])
	}
	for i := 0; i+1 < len(blocks); i += 4 {
		blocks[i], blocks[i+1] = blocks[i+1], blocks[i]
	}
	blocks = append(blocks[1:], blocks[0])
	big4 := join(blocks...)
	c4 := s.commitOn(mainRef, "swap and move blocks of 2000 lines", at(4), []*commit{c3}, changes{
		"big.txt": file(big4),
	})
	lines := strings.SplitAfter(big4, "\n")
	lines = lines[:len(lines)-1]
	for i := 0; i < 100; i += 7 {
		lines[i] = fmt.Sprintf("rewritten head line %d\n", i)
	}
	lines = append(lines, uniqueLines("appended", 1000)...)
	c5 := s.commitOn(mainRef, "rewrite some head lines, append 1000", at(5), []*commit{c4}, changes{
		"big.txt": file(join(lines)),
	})
	// Two neighbouring blocks of 300 and 280 lines swapped mid-file: sheet
	// E10 at scale (D=560 after trimming), so the default counts are not
	// minimal.
	var moved []string
	moved = append(moved, lines[:20000]...)
	moved = append(moved, lines[20300:20580]...)
	moved = append(moved, lines[20000:20300]...)
	moved = append(moved, lines[20580:]...)
	c6 := s.commitOn(mainRef, "swap blocks of 300 and 280 lines", at(6), []*commit{c5}, changes{
		"big.txt": file(join(moved)),
	})
	// Every 40th line edited: long snakes between about 2000 changes, where
	// the snake heuristic (mxcost 512) picks the split points.
	for i := 0; i < len(moved); i += 40 {
		moved[i] = fmt.Sprintf("scattered edit %d\n", i)
	}
	s.commitOn(mainRef, "edit every 40th line", at(7), []*commit{c6}, changes{
		"big.txt": file(join(moved)),
	})
	if err := g.importStream(dir, s, false); err != nil {
		return err
	}
	return g.repack(dir)
}

// buildPaths covers path names and tree order: spaces, quotes, backslashes,
// tabs, a newline, UTF-8 and invalid UTF-8, a leading dash, glob characters,
// deep trees, names that sort around "dir/" in tree order, and prefixes that
// a path limit must not over-match. Loose objects only.
func buildPaths(g *gitRunner, dir string) error {
	s := newStream()
	odd := []string{
		"with space.txt",
		`dq"uote.txt`,
		`back\slash.txt`,
		"tab\tname.txt",
		"new\nline.txt",
		"caf\xc3\xa9.txt",
		"\xff\xfeinvalid.txt",
		"-leading-dash.txt",
		"star*name.txt",
		"question?.txt",
		"[bracket].txt",
		".dotfile",
		"dir with space/file.txt",
		"\xe6\x97\xa5\xe6\x9c\xac/\xe3\x83\x95\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\xab.txt",
	}
	order := []string{"order/a.txt", "order/a/b.txt", "order/a/c.txt", "order/a-b.txt", "order/a0.txt", "order/ab", "order/a b"}
	prefix := []string{"src/main.c", "src/deep/z.c", "srcx/y.c", "top.c", "src.c"}
	deep := "deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/leaf.txt"
	ch := changes{deep: file("leaf\n"), "deep/a/b/c/other.txt": file("other\n")}
	for _, set := range [][]string{odd, order, prefix} {
		for _, p := range set {
			ch[p] = file(p + "\n")
		}
	}
	c1 := s.commitOn(mainRef, "add odd paths", at(1), nil, ch)
	ch = changes{}
	for _, p := range odd {
		ch[p] = file(p + "\nedited\n")
	}
	c2 := s.commitOn(mainRef, "edit every odd path", at(2), []*commit{c1}, ch)
	c3 := s.commitOn(mainRef, "edit the deep leaf and around dir/ in tree order", at(3), []*commit{c2}, changes{
		deep:            file("leaf\nedited\n"),
		"order/a/b.txt": file("b edited\n"),
		"order/a-b.txt": file("a-b edited\n"),
		"order/a0.txt":  file("a0 edited\n"),
	})
	c4 := s.commitOn(mainRef, "rename a spaced path, delete a tab path, add a newline dir", at(4), []*commit{c3}, changes{
		"with space.txt":         gone,
		"renamed with space.txt": file("with space.txt\nedited\n"),
		"tab\tname.txt":          gone,
		"new\ndir/tab\there.txt": file("deep odd\n"),
	})
	c5 := s.commitOn(mainRef, "edit under src, srcx, src.c and top.c", at(5), []*commit{c4}, changes{
		"src/main.c":   file("int main(void) { return 0; }\n"),
		"src/deep/z.c": file("z\nz\n"),
		"srcx/y.c":     file("y\ny\n"),
		"src.c":        gone,
	})
	s.commitOn(mainRef, "delete the deep tree", at(6), []*commit{c5}, changes{
		deep:                   gone,
		"deep/a/b/c/other.txt": gone,
	})
	return g.importStream(dir, s, true)
}

// buildTypes covers entry kinds: symlinks added, retargeted and removed,
// file<->symlink, file->directory of the same name and back, a mode-only
// change, gitlinks added, changed and removed, gitlink<->file and
// directory<->gitlink. Loose objects only.
func buildTypes(g *gitRunner, dir string) error {
	s := newStream()
	c1 := s.commitOn(mainRef, "add files and a symlink", at(1), nil, changes{
		"file.txt":         file("a\nb\n"),
		"link":             link("file.txt"),
		"becomes-link.txt": file("x\ny\n"),
		"was-link":         link("target-a"),
		"thing":            file("thing is a file\n"),
		"vendor/lib/a.c":   file("int a;\n"),
		"exec.sh":          file("#!/bin/sh\n"),
	})
	c2 := s.commitOn(mainRef, "add a dangling symlink and two gitlinks", at(2), []*commit{c1}, changes{
		"dangling":  link("nowhere/at/all"),
		"sub":       gitlink(subA),
		"libs/sub2": gitlink(subB),
	})
	c3 := s.commitOn(mainRef, "retarget a symlink, move a gitlink, chmod +x only", at(3), []*commit{c2}, changes{
		"link":    link("other.txt"),
		"sub":     gitlink(subB),
		"exec.sh": execFile("#!/bin/sh\n"),
	})
	c4 := s.commitOn(mainRef, "file to symlink and symlink to file", at(4), []*commit{c3}, changes{
		"becomes-link.txt": link("file.txt"),
		"was-link":         file("now\na\nfile\n"),
	})
	c5 := s.commitOn(mainRef, "file becomes a directory of the same name", at(5), []*commit{c4}, changes{
		"thing":           gone,
		"thing/inner.txt": file("inner\n"),
		"thing/more.txt":  file("more\n"),
	})
	c6 := s.commitOn(mainRef, "directory becomes a file again", at(6), []*commit{c5}, changes{
		"thing/inner.txt": gone,
		"thing/more.txt":  gone,
		"thing":           file("file again\n"),
	})
	c7 := s.commitOn(mainRef, "remove a gitlink and a symlink, gitlink to file, directory to gitlink", at(7), []*commit{c6}, changes{
		"sub":            gone,
		"dangling":       gone,
		"libs/sub2":      file("was a submodule\n"),
		"vendor/lib/a.c": gone,
		"vendor/lib":     gitlink(subC),
	})
	s.commitOn(mainRef, "gitlink back to a directory, symlink removed, chmod -x with edit", at(8), []*commit{c7}, changes{
		"vendor/lib":     gone,
		"vendor/lib/a.c": file("int a;\nint b;\n"),
		"link":           gone,
		"exec.sh":        file("#!/bin/sh\nexit 0\n"),
	})
	return g.importStream(dir, s, true)
}

// buildMerges covers merges: clean two-parent merges, an evil merge that
// changes files of its own, a conflict resolution, a merge keeping its first
// parent's tree, an octopus, and a second root merged in. The first stage
// is packed, the last commits are loose objects.
func buildMerges(g *gitRunner, dir string) error {
	s := newStream()
	r := s.commitOn(mainRef, "root", at(1), nil, changes{
		"a.txt": file("a1\na2\na3\n"),
		"b.txt": file("b1\nb2\n"),
		"c.txt": file("c1\n"),
	})
	a1 := s.commitOn(mainRef, "main: edit a", at(2), []*commit{r}, changes{"a.txt": file("a1\nA2\na3\n")})
	f1 := s.commitOn("refs/heads/feature", "feature: edit b", at(3), []*commit{r}, changes{"b.txt": file("b1\nB2\n")})
	f2 := s.commitOn("refs/heads/feature", "feature: add f", at(4), []*commit{f1}, changes{"f.txt": file("f\n")})
	m1 := s.commitOn(mainRef, "merge feature (clean)", at(5), []*commit{a1, f2}, changes{
		"b.txt": f2.tree["b.txt"], "f.txt": f2.tree["f.txt"],
	})
	t1 := s.commitOn("refs/heads/topic", "topic: edit c", at(6), []*commit{a1}, changes{"c.txt": file("c1\nc2\n")})
	a2 := s.commitOn(mainRef, "main: edit a again", at(7), []*commit{m1}, changes{"a.txt": file("a1\nA2\nA3\n")})
	m2 := s.commitOn(mainRef, "evil merge of topic: also edits b and adds evil.txt", at(8), []*commit{a2, t1}, changes{
		"c.txt":    t1.tree["c.txt"],
		"b.txt":    file("b1\nB2\nb3 from the merge\n"),
		"evil.txt": file("only in the merge\n"),
	})
	x := s.commitOn("refs/heads/octo-x", "octo x", at(9), []*commit{m2}, changes{"x.txt": file("x\n")})
	y := s.commitOn("refs/heads/octo-y", "octo y", at(10), []*commit{m2}, changes{"y.txt": file("y\n")})
	z := s.commitOn("refs/heads/octo-z", "octo z", at(11), []*commit{m2}, changes{"z.txt": file("z\n")})
	o := s.commitOn(mainRef, "octopus merge of x, y and z", at(12), []*commit{m2, x, y, z}, changes{
		"x.txt": file("x\n"), "y.txt": file("y\n"), "z.txt": file("z\n"),
	})
	s1 := s.commitOn("refs/heads/other-root", "second root", at(3), nil, changes{
		"lib/one.txt": file("one\n"),
		"a.txt":       file("other a\n"),
	})
	s2 := s.commitOn("refs/heads/other-root", "second root: edit", at(4), []*commit{s1}, changes{"lib/two.txt": file("two\n")})
	m3 := s.commitOn(mainRef, "merge the second root (unrelated histories)", at(13), []*commit{o, s2}, changes{
		"lib/one.txt": file("one\n"), "lib/two.txt": file("two\n"),
		"a.txt": file("a1\nA2\nA3\nother a\n"),
	})
	q1 := s.commitOn("refs/heads/side", "side: edit a", at(13), []*commit{m3}, changes{"a.txt": file("side a\n")})
	m4 := s.commitOn(mainRef, "merge side keeping main's tree (ours)", at(14), []*commit{m3, q1}, nil)
	left := s.commitOn("refs/heads/left", "left: edit line 1", at(15), []*commit{m4}, changes{"c.txt": file("left\nc2\n")})
	right := s.commitOn("refs/heads/right", "right: edit line 1", at(15), []*commit{m4}, changes{"c.txt": file("right\nc2\n")})
	m5 := s.commitOn(mainRef, "merge right into left, resolving a conflict", at(16), []*commit{left, right}, changes{
		"c.txt": file("resolved\nc2\n"),
	})
	s.tag("v1.0", m2, at(8), "version 1.0")
	s.ref("refs/tags/octopus", o)
	if err := g.importStream(dir, s, false); err != nil {
		return err
	}
	if err := g.repack(dir); err != nil {
		return err
	}
	// Stage 2, loose: main goes on and ends with a merge, so a depth-2 clone
	// (shallow.git) has a merge whose parents are its shallow roots.
	l1 := s.commitOn(mainRef, "late: edit a", at(20), []*commit{m5}, changes{"a.txt": file("late a\n")})
	g1 := s.commitOn("refs/heads/late", "late branch: add g", at(21), []*commit{m5}, changes{"g.txt": file("g1\ng2\n")})
	s.commitOn(mainRef, "merge late", at(22), []*commit{l1, g1}, changes{"g.txt": file("g1\ng2\n")})
	return g.importStream(dir, s, true)
}

// buildOrder covers the walk order cases of the revwalk sheet: equal
// committer dates (ties), commits dated before their parents, author dates
// unlike committer dates, several roots, branches and tags whose order
// matters for --all/--branches/--tags (lightweight, annotated, nested, a tag
// of a tree and of a blob), notes, remote and pull refs, the --since and
// SLOP cases. Packed objects, packed refs (main's packed entry is stale) and
// loose objects and refs.
func buildOrder(g *gitRunner, dir string) error {
	s := newStream()
	heads := func(n string) string { return "refs/heads/" + n }
	r := s.commitOn(mainRef, "R", raw(1000), nil, changes{"r.txt": file("r\n")})
	// e1: ties between merge parents and FIFO queue ties; skew.
	x1 := s.commitOn(heads("e1-x"), "X1", raw(2000), []*commit{r}, changes{"x.txt": file("x\n")})
	y1 := s.commitOn(heads("e1-y"), "Y1", raw(2000), []*commit{r}, changes{"y.txt": file("y\n")})
	m := s.commitOn(heads("e1-m"), "M", raw(3000), []*commit{x1, y1}, changes{"y.txt": file("y\n")})
	m2 := s.commitOn(heads("e1-m2"), "M2", raw(3000), []*commit{y1, x1}, changes{"x.txt": file("x\n")})
	b0 := s.commitOn(heads("e1-n3"), "B0", raw(2400), []*commit{r}, changes{"b.txt": file("b\n")})
	a0 := s.commitOn(heads("e1-n3"), "A0", raw(2500), []*commit{b0}, changes{"a.txt": file("a\n")})
	q2 := s.commitOn(heads("e1-q2"), "Q2", raw(2400), []*commit{r}, changes{"q.txt": file("q\n")})
	n3 := s.commitOn(heads("e1-n3"), "N3", raw(3000), []*commit{a0, q2}, changes{"q.txt": file("q\n")})
	c1 := s.commitOn(heads("e1-c1"), "C1 (dated before its parent)", raw(50), []*commit{r}, changes{"c1.txt": file("c1\n")})
	c2 := s.commitOn(heads("e1-c2"), "C2 (dated before its parent)", raw(200), []*commit{r}, changes{"c2.txt": file("c2\n")})
	sk := s.commitOn(heads("e1-s"), "S", raw(300), []*commit{c1, c2}, changes{"c2.txt": file("c2\n")})
	// e2: equal dates on three branch tips; --all takes refs in name order.
	p := s.commitOn(heads("e2-zeta"), "P", raw(2000), []*commit{r}, changes{"p.txt": file("p\n")})
	q := s.commitOn(heads("e2-alpha"), "Q", raw(2000), []*commit{r}, changes{"q.txt": file("q\n")})
	s2 := s.commitOn(heads("e2-main"), "S2", raw(2000), []*commit{r}, changes{"s.txt": file("s\n")})
	// e12: author dates unlike committer dates, and other time zones.
	k := s.commitOn(heads("e12"), "K", when{5000, 1500, "+0530"}, []*commit{r}, changes{"k.txt": file("k\n")})
	ka := s.commitOn(heads("e12"), "KA", when{1200, 1600, "-0800"}, []*commit{k}, changes{"k.txt": file("k\nka\n")})
	kb := s.commitOn(heads("e12"), "KB", when{4000, 1600, "+0000"}, []*commit{ka}, changes{"k.txt": file("k\nka\nkb\n")})
	// e9: the SLOP rule. X9 <- P9; X9 <- N_k ... N1 <- N0, the N_i dated 100*i,
	// N0 new: `git log P9 ^slop7-N0` shows X9, `P9 ^slop6-N0` does not.
	x9 := s.commitOn(heads("slop-x"), "X9", raw(1000), []*commit{r}, changes{"x9.txt": file("x9\n")})
	p9 := s.commitOn(heads("slop-p"), "P9", raw(2000), []*commit{x9}, changes{"p9.txt": file("p9\n")})
	for _, chain := range []int{6, 7} {
		prev := x9
		for i := chain; i >= 1; i-- {
			prev = s.commitOn(heads(fmt.Sprintf("slop%d-n0", chain)), fmt.Sprintf("N%d of %d", i, chain), raw(int64(100*i)), []*commit{prev},
				changes{fmt.Sprintf("n%d.txt", chain): file(fmt.Sprintf("%d\n", i))})
		}
		s.commitOn(heads(fmt.Sprintf("slop%d-n0", chain)), fmt.Sprintf("N0 of %d", chain), raw(3000), []*commit{prev},
			changes{fmt.Sprintf("n%d.txt", chain): file("0\n")})
	}
	// e10: --since. D=(C->B->A, B) and F->E->A with E dated before A.
	ea := s.commitOn(heads("since-d"), "EA", raw(1000), []*commit{r}, changes{"ea.txt": file("a\n")})
	eb := s.commitOn(heads("since-d"), "EB", raw(2000), []*commit{ea}, changes{"ea.txt": file("b\n")})
	ec := s.commitOn(heads("since-d"), "EC", raw(500), []*commit{eb}, changes{"ea.txt": file("c\n")})
	s.commitOn(heads("since-d"), "ED", raw(3000), []*commit{ec, eb}, changes{"ed.txt": file("d\n")})
	ee := s.commitOn(heads("since-f"), "EE", raw(100), []*commit{ea}, changes{"ee.txt": file("e\n")})
	s.commitOn(heads("since-f"), "EF", raw(5000), []*commit{ee}, changes{"ee.txt": file("f\n")})
	// e13: equal-dated tips reached through branches and tags.
	var tips []*commit
	for i := 1; i <= 4; i++ {
		tips = append(tips, s.commitOn(heads(fmt.Sprintf("e13-p%d", i)), fmt.Sprintf("p%d", i), raw(2000), []*commit{r},
			changes{fmt.Sprintf("p%d.txt", i): file("p\n")}))
	}
	s.ref(heads("e13-a"), tips[0])
	s.ref(heads("e13-b"), tips[3])
	for i := 1; i <= 4; i++ {
		// drop the per-tip branches again; only e13-a/b and the tags below point at them.
		fmt.Fprintf(&s.buf, "reset %s\nfrom 0000000000000000000000000000000000000000\n\n", heads(fmt.Sprintf("e13-p%d", i)))
	}
	s.tag("e13-t1", tips[2], raw(2100), "annotated tag of p3")
	s.ref("refs/tags/e13-t2", tips[1])
	// Other refs --all walks.
	rm := s.commitOn("refs/remotes/origin/main", "RM (only on a remote ref)", raw(2200), nil, changes{"rm.txt": file("rm\n")})
	s.commitOn("refs/pull/1/head", "PR (only on a pull ref)", raw(2300), []*commit{rm}, changes{"pr.txt": file("pr\n")})
	s.note("refs/notes/commits", m, raw(4000), "a note on M")
	s.tag("v1.0", m, raw(3500), "annotated tag of M")
	s.ref("refs/tags/v0.1-light", x1)
	s.tag("v0.9", q, raw(2100), "annotated tag of Q")
	// main first points at the merge of e1's tips (packed ref), then moves on
	// in stage 2 (loose ref), so packed-refs holds a stale main.
	top := s.commitOn(mainRef, "T: octopus of the e1, e2 and e12 tips", raw(4500), []*commit{m, m2, n3, sk, p, q, s2, kb, p9}, nil)
	if err := g.importStream(dir, s, false); err != nil {
		return err
	}
	rid, err := idOf(dir, r)
	if err != nil {
		return err
	}
	tree, err := g.revParse(dir, rid+"^{tree}")
	if err != nil {
		return err
	}
	if _, err := g.mktag(dir, "tree-tag", tree, "tree", 3600, "a tag of R's tree"); err != nil {
		return err
	}
	blob, err := g.revParse(dir, rid+":r.txt")
	if err != nil {
		return err
	}
	if _, err := g.run(dir, nil, "update-ref", "refs/tags/blob-tag", blob); err != nil {
		return err
	}
	v1, err := g.revParse(dir, "refs/tags/v1.0")
	if err != nil {
		return err
	}
	if _, err := g.mktag(dir, "v1.0-nested", v1, "tag", 3700, "a tag of the tag v1.0"); err != nil {
		return err
	}
	if err := g.repack(dir); err != nil {
		return err
	}
	if _, err := g.run(dir, nil, "pack-refs", "--all", "--prune"); err != nil {
		return err
	}
	s.commitOn(mainRef, "U: after packing", raw(4600), []*commit{top}, changes{"u.txt": file("u\n")})
	return g.importStream(dir, s, true)
}

// buildAttributes covers info/attributes, which git log reads in a bare
// repository: `binary` and `-diff` make text files binary, `diff` makes a
// file with NULs text. The committed .gitattributes is NOT read by git
// 2.39.5 in a bare repository. Packed.
func buildAttributes(g *gitRunner, dir string) error {
	s := newStream()
	nul := "text\x00with a NUL\nsecond line\n"
	c1 := s.commitOn(mainRef, "add files governed by info/attributes", at(1), nil, changes{
		"text.dat":             file("plain text\nmarked binary\n"),
		"nodiff.txt":           file("plain text\nmarked -diff\n"),
		"forced.txt":           file(nul),
		"plain-nul.bin":        file(nul),
		"plain.txt":            file("no attributes\n"),
		"empty-nodiff.txt":     file(""),
		"tree-says-binary.txt": file("the committed .gitattributes marks me binary\n"),
		".gitattributes":       file("tree-says-binary.txt binary\n"),
		"sub/deep.dat":         file("binary by pattern\n"),
	})
	c2 := s.commitOn(mainRef, "edit every file", at(2), []*commit{c1}, changes{
		"text.dat":             file("plain text\nmarked binary\nedited\n"),
		"nodiff.txt":           file("plain text\nedited\n"),
		"forced.txt":           file(nul + "third\x00line\n"),
		"plain-nul.bin":        file(nul + "third\n"),
		"plain.txt":            file("no attributes\nedited\n"),
		"empty-nodiff.txt":     file("not empty now\n"),
		"tree-says-binary.txt": file("edited\n"),
		"sub/deep.dat":         file("edited\n"),
	})
	s.commitOn(mainRef, "chmod +x a -diff file, delete a forced-text file", at(3), []*commit{c2}, changes{
		"nodiff.txt": execFile("plain text\nedited\n"),
		"forced.txt": gone,
	})
	if err := g.importStream(dir, s, false); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "info"), 0o755); err != nil {
		return err
	}
	attrs := "*.dat binary\nnodiff.txt -diff\nempty-nodiff.txt -diff\nforced.txt diff\n"
	if err := os.WriteFile(filepath.Join(dir, "info", "attributes"), []byte(attrs), 0o644); err != nil {
		return err
	}
	return g.repack(dir)
}

// buildQuotepath covers core.quotePath=false in the repository's config:
// non-ASCII bytes print raw, while tabs, quotes and backslashes are still
// quoted. Loose objects only.
func buildQuotepath(g *gitRunner, dir string) error {
	s := newStream()
	c1 := s.commitOn(mainRef, "add non-ASCII paths", at(1), nil, changes{
		"caf\xc3\xa9.txt":                file("caf\xc3\xa9\n"),
		"\xe6\x97\xa5\xe6\x9c\xac/x.txt": file("x\n"),
		"\xff bad utf8.txt":              file("bad\n"),
		"tab\there.txt":                  file("tab\n"),
		`dq"uote.txt`:                    file("quote\n"),
		`back\slash.txt`:                 file("backslash\n"),
		"plain.txt":                      file("plain\n"),
	})
	s.commitOn(mainRef, "edit them", at(2), []*commit{c1}, changes{
		"caf\xc3\xa9.txt":                file("caf\xc3\xa9\nedited\n"),
		"\xe6\x97\xa5\xe6\x9c\xac/x.txt": file("x\nedited\n"),
		"\xff bad utf8.txt":              file("bad\nedited\n"),
		"tab\there.txt":                  file("tab\nedited\n"),
		`dq"uote.txt`:                    gone,
	})
	if err := g.importStream(dir, s, true); err != nil {
		return err
	}
	return writeConfig(dir, "\tquotePath = false\n")
}

// buildShallow is a depth-2 bare clone of merges.git's main: its tip is a
// merge whose two parents are shallow roots (listed in the shallow file).
func buildShallow(g *gitRunner, dir string) error {
	src := filepath.Join(filepath.Dir(dir), "merges.git")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if _, err := g.run("", nil, "-c", "pack.threads=1", "clone", "--quiet", "--bare", "--template=",
		"--depth=2", "file://"+src, dir); err != nil {
		return err
	}
	if err := g.repack(dir); err != nil {
		return err
	}
	id, err := g.revParse(dir, mainRef)
	if err != nil {
		return err
	}
	// clone writes packed-refs only; a loose main keeps refs/ from being
	// an empty directory that a commit of the fixture would drop.
	return looseRef(dir, mainRef, id)
}

// buildEmpty is a repository with no commits: HEAD names an unborn main.
func buildEmpty(g *gitRunner, dir string) error { return nil }

// buildBranches covers comparing branches with a default branch: a branch
// only ahead of main, one only behind, one diverged (with a binary file and
// a merge of main in its own history), one merged into main, one at main's
// tip, names with slashes, a tip whose committer date is much later than
// its author date, and remote-tracking refs with a symbolic
// refs/remotes/origin/HEAD. Packed objects; packed refs except
// origin/HEAD (symbolic refs stay loose) and one loose branch.
func buildBranches(g *gitRunner, dir string) error {
	s := newStream()
	heads := func(n string) string { return "refs/heads/" + n }
	r := s.commitOn(mainRef, "root", at(1), nil, changes{
		"README":   file(join(uniqueLines("readme", 4))),
		"src/a.go": file(join(uniqueLines("a", 10))),
	})
	m1 := s.commitOn(mainRef, "main: edit a.go", at(2), []*commit{r}, changes{
		"src/a.go": file(join(uniqueLines("a", 8), uniqueLines("a-m1", 3))),
	})
	m2 := s.commitOn(mainRef, "main: add b.go", at(3), []*commit{m1}, changes{"src/b.go": file(join(uniqueLines("b", 5)))})
	m3 := s.commitOn(mainRef, "main: edit README", at(4), []*commit{m2}, changes{
		"README": file(join(uniqueLines("readme", 4), uniqueLines("readme-m3", 2))),
	})
	t1 := s.commitOn(heads("merged-topic"), "merged-topic: add c.go", at(5), []*commit{m3}, changes{"src/c.go": file(join(uniqueLines("c", 6)))})
	t2 := s.commitOn(heads("merged-topic"), "merged-topic: edit c.go", at(6), []*commit{t1}, changes{"src/c.go": file(join(uniqueLines("c", 4), uniqueLines("c-t2", 1)))})
	mm := s.commitOn(mainRef, "merge merged-topic", at(7), []*commit{m3, t2}, changes{"src/c.go": t2.tree["src/c.go"]})
	m5 := s.commitOn(mainRef, "main: edit b.go", at(8), []*commit{mm}, changes{"src/b.go": file(join(uniqueLines("b", 3), uniqueLines("b-m5", 4)))})
	// ahead only: two commits on top of main.
	a1 := s.commitOn(heads("topic/ahead"), "ahead: add d.txt", at(9), []*commit{m5}, changes{"docs/d.txt": file(join(uniqueLines("d", 7)))})
	s.commitOn(heads("topic/ahead"), "ahead: edit a.go", at(10), []*commit{a1}, changes{
		"src/a.go": file(join(uniqueLines("a", 8), uniqueLines("a-m1", 2), uniqueLines("a-ahead", 5))),
	})
	// behind only.
	s.ref(heads("old"), m1)
	// diverged: from m2, a binary file, an edit, main merged in, an edit.
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	d1 := s.commitOn(heads("feature/diverged"), "diverged: add logo.png", at(11), []*commit{m2}, changes{"img/logo.png": fileBytes(png)})
	d2 := s.commitOn(heads("feature/diverged"), "diverged: edit a.go", at(12), []*commit{d1}, changes{
		"src/a.go": file(join(uniqueLines("a", 5), uniqueLines("a-div", 6))),
	})
	dm := s.commitOn(heads("feature/diverged"), "diverged: merge main", at(13), []*commit{d2, m3}, changes{"README": m3.tree["README"]})
	s.commitOn(heads("feature/diverged"), "diverged: edit logo.png and README", at(14), []*commit{dm}, changes{
		"img/logo.png": fileBytes(append(png, 1, 2, 3)),
		"README":       file(join(uniqueLines("readme", 2), uniqueLines("readme-div", 3))),
	})
	// a deep slashed name, authored long before it was committed.
	s.commitOn(heads("user/jo/fix-1"), "fix: edit b.go", when{base + 2, base + 30, "+0200"}, []*commit{m5}, changes{
		"src/b.go": file(join(uniqueLines("b", 3), uniqueLines("b-fix", 2))),
	})
	s.ref(heads("same-as-main"), m5)
	s.ref("refs/remotes/origin/main", m5)
	s.ref("refs/remotes/origin/stale", m2)
	if err := g.importStream(dir, s, false); err != nil {
		return err
	}
	if err := g.repack(dir); err != nil {
		return err
	}
	if _, err := g.run(dir, nil, "pack-refs", "--all", "--prune"); err != nil {
		return err
	}
	if _, err := g.run(dir, nil, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main"); err != nil {
		return err
	}
	// topic/ahead is also a loose ref (the same id as its packed entry).
	tip, err := g.revParse(dir, "refs/heads/topic/ahead")
	if err != nil {
		return err
	}
	return looseRef(dir, "refs/heads/topic/ahead", tip)
}
