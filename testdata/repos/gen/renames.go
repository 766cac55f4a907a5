package main

import (
	"fmt"
	"strings"
)

// numbered returns n lines "<tag> line i".
func numbered(tag string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s line %d\n", tag, i)
	}
	return b.String()
}

// edited returns text with every k-th line replaced.
func edited(text string, k int, mark string) string {
	lines := strings.SplitAfter(text, "\n")
	for i := range lines {
		if lines[i] != "" && (i+1)%k == 0 {
			lines[i] = mark + " " + lines[i]
		}
	}
	return strings.Join(lines, "")
}

// buildRenames covers rename detection and following files through renames:
// a pure rename, a chain of renames with edits, a swap (two modifications by
// default), a rename plus a new file at the old path, ties between identical
// sources, a directory of 8 files moved with edits (beyond -l5), renames of
// binary, empty and symlinked files, names that need quoting, renames on
// both sides of merges (one file renamed on a branch while edited on main,
// one renamed differently on each side), a path reused after its file moved
// away, and a rename inside an evil merge. Packed.
func buildRenames(g *gitRunner, dir string) error {
	s := newStream()
	bin := make([]byte, 3000)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	dirFiles := changes{}
	for i := 1; i <= 8; i++ {
		dirFiles[fmt.Sprintf("lib/mod%d.c", i)] = file(numbered(fmt.Sprintf("mod%d", i), 30))
	}
	root := changes{
		"README":         file(numbered("readme", 10)),
		"chain.txt":      file(numbered("chain", 20)),
		"pure.txt":       file(numbered("pure", 12)),
		"swap-x.txt":     file(numbered("x", 15)),
		"swap-y.txt":     file(numbered("y", 15)),
		"old-home.txt":   file(numbered("home", 18)),
		"twin/x/f.txt":   file(numbered("twin", 9)),
		"twin/y/f.txt":   file(numbered("twin", 9)),
		"data.bin":       fileBytes(bin),
		"empty.txt":      file(""),
		"link":           link("README"),
		"tab\tname.txt":  file(numbered("tab", 8)),
		"caf\u00e9.txt":  file(numbered("cafe", 8)),
		"reused.txt":     file(numbered("reused-first", 10)),
		"branchy.txt":    file(numbered("branchy", 16)),
		"contested.txt":  file(numbered("contested", 16)),
		"deep/a/b/c.txt": file(numbered("deep", 10)),
	}
	for p, e := range dirFiles {
		root[p] = e
	}
	c1 := s.commitOn(mainRef, "root: files to rename", at(1), nil, root)
	c2 := s.commitOn(mainRef, "pure rename and the first link of a chain", at(2), []*commit{c1}, changes{
		"pure.txt":       gone,
		"moved/pure.txt": c1.tree["pure.txt"],
		"chain.txt":      gone,
		"chain-2.txt":    file(edited(numbered("chain", 20), 5, "edit1")),
		"deep/a/b/c.txt": gone,
		"deep/x/b/c.txt": c1.tree["deep/a/b/c.txt"],
	})
	c3 := s.commitOn(mainRef, "edit the renamed file", at(3), []*commit{c2}, changes{
		"chain-2.txt": file(edited(numbered("chain", 20), 4, "edit2")),
	})
	c4 := s.commitOn(mainRef, "second link of the chain, and swap two files' contents", at(4), []*commit{c3}, changes{
		"chain-2.txt":   gone,
		"src/chain.txt": file(edited(edited(numbered("chain", 20), 4, "edit2"), 7, "edit3")),
		"swap-x.txt":    c3.tree["swap-y.txt"],
		"swap-y.txt":    c3.tree["swap-x.txt"],
	})
	c5 := s.commitOn(mainRef, "rename with a new file at the old path; identical sources tie", at(5), []*commit{c4}, changes{
		"old-home.txt": file(numbered("newcomer", 6)),
		"new-home.txt": c4.tree["old-home.txt"],
		"twin/x/f.txt": gone,
		"twin/y/f.txt": gone,
		"a.txt":        c4.tree["twin/x/f.txt"],
		"f.txt":        c4.tree["twin/y/f.txt"],
	})
	move := changes{}
	for i := 1; i <= 8; i++ {
		old := fmt.Sprintf("lib/mod%d.c", i)
		move[old] = gone
		move[fmt.Sprintf("src/lib/module%d.c", i)] = file(edited(numbered(fmt.Sprintf("mod%d", i), 30), 10, "moved"))
	}
	c6 := s.commitOn(mainRef, "move lib/modN.c to src/lib/moduleN.c with edits (8 x 8 pairs: beyond -l5)", at(6), []*commit{c5}, move)
	bin2 := append([]byte(nil), bin...)
	bin2[100] = 1
	c7 := s.commitOn(mainRef, "rename binary, empty, symlinked and oddly named files", at(7), []*commit{c6}, changes{
		"data.bin":        gone,
		"assets/data.bin": fileBytes(bin2),
		"empty.txt":       gone,
		"still-empty.txt": file(""),
		"link":            gone,
		"docs/link":       link("README"),
		"tab\tname.txt":   gone,
		"tab name.txt":    c6.tree["tab\tname.txt"],
		"caf\u00e9.txt":   gone,
		"caf\u00e9s.txt":  c6.tree["caf\u00e9.txt"],
	})
	c8 := s.commitOn(mainRef, "move reused.txt away", at(8), []*commit{c7}, changes{
		"reused.txt":      gone,
		"reused-away.txt": c7.tree["reused.txt"],
	})
	c9 := s.commitOn(mainRef, "a new file takes the old path", at(9), []*commit{c8}, changes{
		"reused.txt": file(numbered("reused-second", 7)),
	})
	// Branches: side renames branchy.txt while main keeps editing it; both
	// rename contested.txt, each its own way; the merge keeps side's names.
	side1 := s.commitOn("refs/heads/side", "side: rename branchy.txt and contested.txt", at(10), []*commit{c9}, changes{
		"branchy.txt":        gone,
		"side/branchy.txt":   c9.tree["branchy.txt"],
		"contested.txt":      gone,
		"side-contested.txt": c9.tree["contested.txt"],
	})
	main1 := s.commitOn(mainRef, "main: edit branchy.txt, rename contested.txt", at(11), []*commit{c9}, changes{
		"branchy.txt":        file(edited(numbered("branchy", 16), 8, "main")),
		"contested.txt":      gone,
		"main-contested.txt": file(edited(numbered("contested", 16), 8, "main")),
	})
	side2 := s.commitOn("refs/heads/side", "side: edit the renamed file", at(12), []*commit{side1}, changes{
		"side/branchy.txt": file(edited(numbered("branchy", 16), 5, "side")),
	})
	merged := edited(edited(numbered("branchy", 16), 8, "main"), 5, "side")
	m1 := s.commitOn(mainRef, "merge side: keep side's names, with main's edits", at(13), []*commit{main1, side2}, changes{
		"branchy.txt":        gone,
		"side/branchy.txt":   file(merged),
		"main-contested.txt": gone,
		"side-contested.txt": file(edited(numbered("contested", 16), 8, "main")),
	})
	m2 := s.commitOn(mainRef, "after the merge: edit the followed files", at(14), []*commit{m1}, changes{
		"side/branchy.txt": file(merged + "after the merge\n"),
		"src/chain.txt":    file(edited(edited(numbered("chain", 20), 4, "edit2"), 7, "edit3") + "last\n"),
	})
	ev := s.commitOn("refs/heads/evil", "evil: edit README", at(15), []*commit{m2}, changes{
		"README": file(numbered("readme", 10) + "evil side\n"),
	})
	s.commitOn(mainRef, "evil merge: also renames new-home.txt", at(16), []*commit{m2, ev}, changes{
		"README":            ev.tree["README"],
		"new-home.txt":      gone,
		"home/new-home.txt": m2.tree["new-home.txt"],
	})
	if err := g.importStream(dir, s, false); err != nil {
		return err
	}
	return g.repack(dir)
}
