package main

import "fmt"

// People's identities, as the commits record them.
const (
	janeShort  = "jane <jane@example.com>"
	janeOld    = "Jane D <jane.doe@old.example.com>"
	janeCorp   = "J. Doe <JDoe@corp.example.com>"
	bobby      = "bobby <bob@home.example.com>"
	bobbyCaps  = "Bobby <bob@home.example.com>"
	bobLaptop  = "Bob <bob@laptop.local>"
	carol      = "Carol <carol@example.com>"
	carolSmith = "Carol Smith <carol@example.com>"
	daveA      = "Dave <dave@a.example.com>"
	daveB      = "Dave <dave@b.example.com>"
	dependabot = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
	renovate   = "renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>"
	actions    = "github-actions <41898282+github-actions[bot]@users.noreply.github.com>"
)

// peopleMailmap uses every .mailmap form: a name by email, an email by
// email, name and email by email (matched ignoring case), name and email by
// name and email, comments and blank lines.
const peopleMailmap = `# people.git's mailmap
Jane Doe <jane@example.com>
<jane@example.com> <jane.doe@old.example.com>   # the old address
Jane Doe <jane@example.com> <jdoe@CORP.example.com>

Bob Builder <bob@example.com> bobby <bob@home.example.com>
Bob Builder <bob@example.com> <bob@laptop.local>
`

// peopleAltMailmap is on refs/heads/mailmap as alt.mailmap, for mailmap.blob.
const peopleAltMailmap = "Carol Smith <carol@example.com>\nDave <dave@a.example.com> <dave@b.example.com>\n"

// buildPeople covers who is who and what counts: authors under several
// names and emails with a .mailmap in every form (HEAD:.mailmap, read in a
// bare repository), an alternative mailmap blob, bots, Co-authored-by:
// trailers (in a trailer block, in lower case, with Signed-off-by among
// other text, and one in the body that is no trailer), linguist-generated
// and linguist-vendored attributes in the committed .gitattributes (read
// from a clone's work tree), vendor folders, lock files, minified files, a
// formatting commit listed in the committed .git-blame-ignore-revs, and a
// merge that changes a file of its own. Packed, with the last stage loose.
func buildPeople(g *gitRunner, dir string) error {
	s := newStream()
	c1 := s.commitBy(mainRef, janeShort, "initial layout", at(1), nil, changes{
		".mailmap":       file(peopleMailmap),
		".gitattributes": file("gen/** linguist-generated\next/** linguist-vendored\nvendor/ours/** -linguist-vendored\n"),
		"src/main.go":    file("package main\n\nfunc main() {\n}\n"),
		"go.sum":         file("example.com/a v1.0.0 h1:aaa\n"),
	})
	c2 := s.commitBy(mainRef, janeOld, "add util and vendored code", at(2), []*commit{c1}, changes{
		"src/util.go":               file("package main\n\nfunc util() int { return 1 }\n"),
		"vendor/lib/lib.go":         file("package lib\n\nfunc Lib() {}\n"),
		"vendor/ours/ours.go":       file("package ours\n"),
		"node_modules/pkg/index.js": file("module.exports = 1;\n"),
		"third_party/x/x.c":         file("int x;\n"),
	})
	c3 := s.commitBy(mainRef, janeCorp, "add web assets and generated code", at(3), []*commit{c2}, changes{
		"web/app.min.js":    file("var a=1;var b=2;\n"),
		"web/style.min.css": file("a{b:c}\n"),
		"web/app.js":        file("var a = 1;\nvar b = 2;\n"),
		"gen/api.pb.go":     file("package gen\n\n// Code generated. DO NOT EDIT.\n"),
		"ext/lib.c":         file("int lib;\n"),
		"package-lock.json": file("{\n  \"lockfileVersion\": 3\n}\n"),
	})
	c4 := s.commitBy(mainRef, bobby, "main: print\n\nCo-authored-by: Dave <dave@a.example.com>\nCo-authored-by: Jane Doe <jane@example.com>\n",
		at(4), []*commit{c3}, changes{"src/main.go": file("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(util())\n}\n")})
	c5 := s.commitBy(mainRef, bobbyCaps, "util: two\n\nco-authored-by: Carol Smith <carol@example.com>\n", at(5), []*commit{c4},
		changes{"src/util.go": file("package main\n\nfunc util() int { return 2 }\n")})
	c6 := s.commitBy(mainRef, bobLaptop, "util: three\n\nThis paragraph mentions\nCo-authored-by: Dave <dave@b.example.com>\nbut is not the last one.\n\nReviewed-by: Carol <carol@example.com>\n",
		at(6), []*commit{c5}, changes{"src/util.go": file("package main\n\nfunc util() int { return 3 }\n")})
	c7 := s.commitBy(mainRef, carol, "web: app\n\nSome notes here\nthat are not trailers\nand more\nCo-authored-by: Dave <dave@b.example.com>\nSigned-off-by: Carol <carol@example.com>\n",
		at(7), []*commit{c6}, changes{"web/app.js": file("var a = 1;\nvar b = 2;\nvar c = 3;\n")})
	c8 := s.commitBy(mainRef, carolSmith, "web: minify", at(8), []*commit{c7}, changes{
		"web/app.min.js": file("var a=1;var b=2;var c=3;\n"),
		"gen/api.pb.go":  file("package gen\n\n// Code generated. DO NOT EDIT.\nvar X = 1\n"),
	})
	c9 := s.commitBy(mainRef, dependabot, "build(deps): bump example.com/a\n\nSigned-off-by: dependabot[bot] <support@github.com>\n", at(9), []*commit{c8}, changes{
		"go.sum": file("example.com/a v1.0.1 h1:bbb\n"),
	})
	c10 := s.commitBy(mainRef, renovate, "chore(deps): lock file maintenance", at(10), []*commit{c9}, changes{
		"package-lock.json": file("{\n  \"lockfileVersion\": 3,\n  \"packages\": {}\n}\n"),
	})
	c11 := s.commitBy(mainRef, actions, "ci: regenerate", at(11), []*commit{c10}, changes{
		"gen/api.pb.go": file("package gen\n\n// Code generated. DO NOT EDIT.\nvar X = 2\n"),
	})
	fmtCommit := s.commitBy(mainRef, daveA, "style: reformat", at(12), []*commit{c11}, changes{
		"src/main.go": file("package main\n\nimport (\n\t\"fmt\"\n)\n\nfunc main() {\n\tfmt.Println(util())\n}\n"),
		"src/util.go": file("package main\n\nfunc util() int {\n\treturn 3\n}\n"),
		"web/app.js":  file("var a = 1\nvar b = 2\nvar c = 3\n"),
	})
	f1 := s.commitBy("refs/heads/feature", daveB, "feature: add api", at(13), []*commit{fmtCommit}, changes{
		"src/api.go":        file("package main\n\nfunc api() {}\n"),
		"vendor/lib/lib.go": file("package lib\n\nfunc Lib() {}\n\nfunc More() {}\n"),
	})
	s.commitBy("refs/heads/mailmap", janeShort, "alternative mailmap", at(13), nil, changes{"alt.mailmap": file(peopleAltMailmap)})
	if err := g.importStream(dir, s, false); err != nil {
		return err
	}
	if err := g.repack(dir); err != nil {
		return err
	}
	fmtID, err := idOf(dir, fmtCommit)
	if err != nil {
		return err
	}
	// Stage 2, loose: the ignore-revs file names the formatting commit, and
	// main merges feature with a change of the merge's own.
	c12 := s.commitBy(mainRef, janeShort, "list formatting commits for blame", at(14), []*commit{fmtCommit}, changes{
		".git-blame-ignore-revs": file(fmt.Sprintf("# formatting only\n%s # style: reformat\n", fmtID)),
	})
	s.commitBy(mainRef, janeShort, "merge feature, also touching util", at(15), []*commit{c12, f1}, changes{
		"src/api.go":        f1.tree["src/api.go"],
		"vendor/lib/lib.go": f1.tree["vendor/lib/lib.go"],
		"src/util.go":       file("package main\n\nfunc util() int {\n\treturn 4\n}\n"),
	})
	return g.importStream(dir, s, true)
}
