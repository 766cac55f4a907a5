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
