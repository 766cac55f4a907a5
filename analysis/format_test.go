package analysis_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
)

func sampleReport() *analysis.Report {
	rows := []analysis.ChurnRow{
		{Key: "src/very/long/path/to/some/file/deep/inside/main.go", Added: 1200, Deleted: 30, Commits: 7, Churn: 1230},
		{Key: "tab\there.txt", Added: 2, Deleted: 0, Commits: 1, Churn: 2},
	}
	return analysis.ChurnReport(rows, analysis.ByFile)
}

func TestTableAlignsNumbersRightAndQuotesOddPaths(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().Write(&b, analysis.Table, 0); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"entity                                               added  deleted  commits  churn\n" +
		"src/very/long/path/to/some/file/deep/inside/main.go   1200       30        7   1230\n" +
		"\"tab\\there.txt\"                                          2        0        1      2\n"
	if b.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestTableCutsLongPathsInTheMiddleToTheWidth(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().Write(&b, analysis.Table, 60); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for _, l := range lines {
		if n := len([]rune(l)); n > 60 {
			t.Errorf("line %q is %d wide, want at most 60", l, n)
		}
	}
	if !strings.HasPrefix(lines[1], "src/very/l") || !strings.Contains(lines[1], "...") || !strings.Contains(lines[1], "nside/main.go ") {
		t.Errorf("long path not cut in the middle: %q", lines[1])
	}
}

func TestMachineFormatsParse(t *testing.T) {
	rep := analysis.SummaryReport(analysis.SummaryResult{Commits: 3, Authors: 1, First: time.Unix(0, 0), Last: time.Unix(60, 0)})
	rep.Options = map[string]any{"merges": false}

	var b bytes.Buffer
	if err := rep.Write(&b, analysis.CSV, 0); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || strings.Join(recs[0], ",") != "commits,merges,authors,files,added,deleted,first,last" || recs[1][7] != "1970-01-01T00:01:00Z" {
		t.Errorf("csv %q", recs)
	}

	b.Reset()
	if err := rep.Write(&b, analysis.JSON, 0); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Analysis string
		Options  map[string]any
		Columns  []string
		Rows     []map[string]any
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("json %q: %v", b.String(), err)
	}
	if doc.Analysis != "summary" || doc.Options["merges"] != false || len(doc.Rows) != 1 || doc.Rows[0]["commits"] != 3.0 || doc.Rows[0]["first"] != "1970-01-01T00:00:00Z" {
		t.Errorf("json %+v", doc)
	}

	b.Reset()
	empty := analysis.SummaryReport(analysis.SummaryResult{})
	if err := empty.Write(&b, analysis.NDJSON, 0); err != nil {
		t.Fatal(err)
	}
	var row map[string]any
	if err := json.Unmarshal(b.Bytes(), &row); err != nil || row["first"] != nil || row["commits"] != 0.0 {
		t.Errorf("ndjson %q (%v): want zero counts and null dates", b.String(), err)
	}
}

func TestParseFormatAndGroupingRejectUnknownNames(t *testing.T) {
	if _, err := analysis.ParseFormat("xml"); !errors.Is(err, analysis.ErrUnknownFormat) {
		t.Errorf("ParseFormat(xml) = %v", err)
	}
	if _, err := analysis.ParseGrouping("year"); !errors.Is(err, analysis.ErrUnknownGrouping) {
		t.Errorf("ParseGrouping(year) = %v", err)
	}
	for _, name := range []string{"table", "csv", "json", "ndjson"} {
		if f, err := analysis.ParseFormat(name); err != nil || f.String() != name {
			t.Errorf("ParseFormat(%s) = %v, %v", name, f, err)
		}
	}
}

func TestTableAlignsWideCharactersByTheirWidthOnATerminal(t *testing.T) {
	// An emoji and CJK characters take two terminal columns each, a
	// combining accent none: "🚀 x" is 4 wide, "漢字.go" 7, "e\u0301" 1.
	rep := &analysis.Report{
		Columns: []analysis.Column{{Name: "name", Cut: true}, {Name: "n"}},
		Rows:    [][]any{{"🚀 x", 1}, {"漢字.go", 22}, {"e\u0301", 333}},
	}
	var b bytes.Buffer
	if err := rep.Write(&b, analysis.Table, 0); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"name       n\n" +
		"🚀 x       1\n" +
		"漢字.go   22\n" +
		"e\u0301        333\n"
	if b.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestTableCutsWideCharactersWhole(t *testing.T) {
	rep := &analysis.Report{
		Columns: []analysis.Column{{Name: "path", Cut: true}, {Name: "n"}},
		Rows:    [][]any{{"文件夹/子文件夹/很长的名字/源代码.go", 1}},
	}
	var b bytes.Buffer
	if err := rep.Write(&b, analysis.Table, 20); err != nil {
		t.Fatal(err)
	}
	// 20 columns: "n" and its two spaces leave 17 for the 36-column path:
	// 7 columns of head, "...", 7 of tail, in whole characters.
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if got, want := lines[1], "文件夹/...代码.go  1"; got != want {
		t.Errorf("cut row %q, want %q", got, want)
	}
}

func TestTableSharesTheWidthBetweenLongColumns(t *testing.T) {
	long := "internal/storage/filesystem/dotgit/"
	rep := &analysis.Report{
		Columns: []analysis.Column{{Name: "entity", Cut: true}, {Name: "coupled", Cut: true}, {Name: "shared-revisions"}},
		Rows:    [][]any{{long + "writers.go", long + "writers_test.go", 4}},
	}
	var b bytes.Buffer
	if err := rep.Write(&b, analysis.Table, 95); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if n := len(lines[0]); n != 95 {
		t.Fatalf("header is %d wide, want 95: %q", n, lines[0])
	}
	// The table is 115 wide: the two paths (45 and 50 columns) lose 20
	// between them, the longer one first down to the other's width, then
	// both in turn: 37 and 38.
	f := strings.Fields(lines[1])
	if len(f[0]) != 37 || len(f[1]) != 38 || !strings.HasPrefix(f[0], "internal/stor") || !strings.HasSuffix(f[1], "writers_test.go") {
		t.Errorf("paths cut to %d and %d columns, want 37 and 38: %q", len(f[0]), len(f[1]), lines[1])
	}
}

func TestTableShowsShortHeadersOnlyWhenTooWide(t *testing.T) {
	long := "plumbing/protocol/packp/capability/"
	rep := analysis.CouplingReport([]analysis.CouplingRow{
		{Entity: long + "list.go", Coupled: long + "list_test.go", Degree: 86, AverageRevs: 12, Shared: 10, EntityRevs: 12, CoupledRevs: 11},
	})
	var b bytes.Buffer
	if err := rep.Write(&b, analysis.Table, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "entity  ") || !strings.Contains(b.String(), "  shared-revisions  first-entity-revisions  second-entity-revisions\n") {
		t.Errorf("with no width, the headers are not the column names: %q", b.String())
	}
	b.Reset()
	if err := rep.Write(&b, analysis.Table, 150); err != nil {
		t.Fatal(err)
	}
	// With the long headers the table is 180 wide and the paths would be
	// cut; with the short ones the numbers take 55 columns, spaces
	// included, and the paths (42 and 47) fit whole in 150.
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := "degree  avg-revs  shared  entity-revs  coupled-revs"
	if !strings.HasSuffix(lines[0], want) {
		t.Errorf("at 150 columns the header is %q, want it to end %q", lines[0], want)
	}
	if f := strings.Fields(lines[1]); len(lines[0]) != 144 || f[0] != long+"list.go" || f[1] != long+"list_test.go" {
		t.Errorf("at 150 columns: %q", b.String())
	}
}
