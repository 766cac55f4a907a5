package renames_test

import (
	"crypto/sha1"
	"fmt"
	"strings"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/renames"
)

// store is a blob source in memory; a walker passes its object reader.
type store map[odb.ID]string

func (s store) add(content string) odb.ID {
	id := odb.ID(sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(content), content))))
	s[id] = content
	return id
}

func (s store) Size(id odb.ID) (int64, error) { return int64(len(s[id])), nil }

func (s store) Read(id odb.ID, a *arena.Arena) ([]byte, error) { return arena.CopyString(a, s[id]) }

// A commit's tree diff deleted two files and added two: one moved as is,
// one moved with an edit. The rows come out as git log --numstat orders
// them: each rename in its destination's place, the deleted rows gone.
func ExampleDetector_Detect() {
	blobs := store{}
	text := strings.Repeat("a line of text\n", 9)
	deleted := []renames.File{
		{Path: "lib/util.c", Mode: odb.ModeFile, ID: blobs.add(text + "int x;\n")},
		{Path: "main.c", Mode: odb.ModeFile, ID: blobs.add("int main;\n")},
	}
	added := []renames.File{
		{Path: "src/main.c", Mode: odb.ModeFile, ID: blobs.add("int main;\n")},
		{Path: "src/util.c", Mode: odb.ModeFile, ID: blobs.add(text + "int y;\n")},
	}
	a := arena.New(arena.NewHeap(1 << 20))
	res, err := renames.New(blobs, renames.Options{}).Detect(a, deleted, added)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The tree diff's order: lib/util.c (D), main.c (D), src/main.c (A), src/util.c (A).
	for i := range deleted {
		if !res.SourceUsed(i) {
			fmt.Println("deleted", deleted[i].Path)
		}
	}
	for j := range added {
		if p, ok := res.ForDest(j); ok {
			fmt.Printf("R%03d %s\n", p.Percent(), renames.FormatPath(deleted[p.Src].Path, added[j].Path, true))
		} else {
			fmt.Println("added", added[j].Path)
		}
	}
	// Output:
	// R100 main.c => src/main.c
	// R095 {lib => src}/util.c
}

func ExampleFormatPath() {
	fmt.Println(renames.FormatPath("src/app/io.c", "src/lib/io.c", true))
	fmt.Println(renames.FormatPath("a/f", "a/new/f", true))
	fmt.Println(renames.FormatPath("file", "dir/file", true))
	fmt.Println(renames.FormatPath("d/café", "d/cafés", true))
	// Output:
	// src/{app => lib}/io.c
	// a/{ => new}/f
	// file => dir/file
	// "d/caf\303\251" => "d/caf\303\251s"
}

func ExampleParseScore() {
	for _, arg := range []string{"", "50", "90%", "100", "5.1%", "100%", "x"} {
		score, err := renames.ParseScore(arg)
		fmt.Printf("-M%s: %d %v\n", arg, score, err)
	}
	// Output:
	// -M: 0 <nil>
	// -M50: 30000 <nil>
	// -M90%: 54000 <nil>
	// -M100: 6000 <nil>
	// -M5.1%: 3060 <nil>
	// -M100%: 60000 <nil>
	// -Mx: 0 invalid similarity score "x": want digits, with an optional '.' and a final '%'
}

// git log warns once, at the end, with the largest count a commit needed.
func ExampleLimitWarning() {
	fmt.Print(renames.LimitWarning(1234, false))
	// Output:
	// warning: exhaustive rename detection was skipped due to too many files.
	// warning: you may want to set your diff.renameLimit variable to at least 1234 and retry the command.
}
