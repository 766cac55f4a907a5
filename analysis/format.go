package analysis

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gitwalk/gitwalk/internal/quote"
	"github.com/rivo/uniseg"
)

// ErrUnknownFormat is returned (wrapped) by ParseFormat for a name it does
// not know.
var ErrUnknownFormat = errors.New("unknown format")

// Format is how a Report is written.
type Format uint8

// The formats.
const (
	// Table is for people: aligned columns (by the cells' width on a
	// terminal, where CJK characters and emoji take two), numbers
	// right-aligned, odd path bytes quoted as git quotes them, long text cut
	// in the middle to the width asked for. Not a stable format: parse the
	// others.
	Table Format = iota
	// CSV has a header row of the column names, then one record per row
	// (RFC 4180, as encoding/csv writes it). Text is raw, dates are RFC 3339
	// in UTC, an absent value is an empty field.
	CSV
	// JSON is one object:
	//   {"analysis": NAME, "options": {NAME: VALUE, ...}, "columns": [NAME, ...],
	//    "rows": [{COLUMN: VALUE, ...}, ...]}
	// plus "notes": {NAME: VALUE, ...} after "columns" when the report has
	// Notes. The row objects' keys are in column order; numbers are JSON
	// numbers, dates RFC 3339 strings in UTC, an absent value null. Keys
	// are only ever added, never renamed or removed. JSON text is UTF-8: a
	// path's invalid UTF-8 bytes come out as U+FFFD, one per byte (CSV keeps
	// the raw bytes).
	JSON
	// NDJSON is the rows of JSON, one object per line, with nothing else.
	NDJSON
)

var formatNames = [...]string{Table: "table", CSV: "csv", JSON: "json", NDJSON: "ndjson"}

// String returns the format's name as --format takes it.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// ParseFormat reads a format name: table, csv, json or ndjson.
func ParseFormat(s string) (Format, error) {
	for f, name := range formatNames {
		if s == name {
			return Format(f), nil
		}
	}
	return 0, fmt.Errorf("%w %q: want table, csv, json or ndjson", ErrUnknownFormat, s)
}

// Column describes one column of a Report.
type Column struct {
	Name string // as it appears in CSV headers and JSON keys
	// Cut marks the column a Table may cut in the middle when the table
	// would be wider than asked (paths, names).
	Cut bool
	// Short, when set, is the header a Table shows instead of Name when the
	// table would be wider than asked, so that a long name over short
	// numbers does not take the room of the paths.
	Short string
}

// Report is an analysis's result ready to be written in any Format. Cells
// hold int, int64, float64, bool, string, time.Time or nil (absent); each
// row has one cell per column. A float64 is written with as few digits as it
// takes (round it first: 0.67, not 0.6666...); a bool is true/false in every
// format.
type Report struct {
	Analysis string         // the analysis's name, as "churn"
	Options  map[string]any // what it was run with, written by JSON (keys sorted)
	Columns  []Column
	Rows     [][]any
	// Vertical writes a Table as one "name  value" line per column, for
	// reports of a single row such as a summary.
	Vertical bool
	// Notes are figures about the whole result, such as how many commits a
	// threshold left out: JSON writes them as "notes" (in this order), a
	// Table as lines "note: TEXT" under the rows; CSV and NDJSON, which
	// hold rows only, leave them out.
	Notes []Note
}

// Note is one figure about a whole Report.
type Note struct {
	Name  string // the JSON key
	Value any    // int, int64, float64, string, bool or time.Time
	Text  string // the sentence a Table prints; "" for a figure JSON alone shows
}

// Write renders r in format f and writes it to w in a single Write, so that
// machine output is complete or absent. width is the widest a Table may be
// (0: no limit); the other formats ignore it.
func (r *Report) Write(w io.Writer, f Format, width int) error {
	var buf bytes.Buffer
	var err error
	switch f {
	case Table:
		r.writeTable(&buf, width)
	case CSV:
		err = r.writeCSV(&buf)
	case JSON:
		err = r.writeJSON(&buf)
	case NDJSON:
		err = r.writeNDJSON(&buf)
	default:
		return fmt.Errorf("write %s report: %w %v", r.Analysis, ErrUnknownFormat, f)
	}
	if err != nil {
		return fmt.Errorf("write %s report as %s: %w", r.Analysis, f, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// text gives a cell as CSV and tables show it (tables then quote paths).
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case []string:
		return strings.Join(v, ", ")
	}
	return fmt.Sprint(v)
}

func numeric(v any) bool {
	switch v.(type) {
	case int, int64, float64:
		return true
	}
	return false
}

func (r *Report) writeCSV(buf *bytes.Buffer) error {
	cw := csv.NewWriter(buf)
	header := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		header[i] = c.Name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(r.Columns))
	for _, row := range r.Rows {
		for i := range rec {
			rec[i] = text(row[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// appendRow appends row as a JSON object with keys in column order.
func (r *Report) appendRow(dst []byte, row []any) ([]byte, error) {
	dst = append(dst, '{')
	for i, c := range r.Columns {
		if i > 0 {
			dst = append(dst, ',')
		}
		k, err := json.Marshal(c.Name)
		if err != nil {
			return nil, err
		}
		dst = append(dst, k...)
		dst = append(dst, ':')
		v := row[i]
		if t, ok := v.(time.Time); ok {
			v = t.UTC().Format(time.RFC3339)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		dst = append(dst, b...)
	}
	return append(dst, '}'), nil
}

func (r *Report) writeJSON(buf *bytes.Buffer) error {
	head := struct {
		Analysis string         `json:"analysis"`
		Options  map[string]any `json:"options"`
		Columns  []string       `json:"columns"`
	}{r.Analysis, r.Options, make([]string, len(r.Columns))}
	if head.Options == nil {
		head.Options = map[string]any{}
	}
	for i, c := range r.Columns {
		head.Columns[i] = c.Name
	}
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	// Reopen the object to add the notes and rows after the head's keys.
	out := b[:len(b)-1]
	if len(r.Notes) > 0 {
		out = append(out, `,"notes":{`...)
		for i, n := range r.Notes {
			if i > 0 {
				out = append(out, ',')
			}
			v := n.Value
			if t, ok := v.(time.Time); ok {
				v = t.UTC().Format(time.RFC3339)
			}
			k, err := json.Marshal(n.Name)
			if err != nil {
				return err
			}
			val, err := json.Marshal(v)
			if err != nil {
				return err
			}
			out = append(append(append(out, k...), ':'), val...)
		}
		out = append(out, '}')
	}
	out = append(out, `,"rows":[`...)
	for i, row := range r.Rows {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, "\n"...)
		if out, err = r.appendRow(out, row); err != nil {
			return err
		}
	}
	if len(r.Rows) > 0 {
		out = append(out, '\n')
	}
	out = append(out, "]}\n"...)
	buf.Write(out)
	return nil
}

func (r *Report) writeNDJSON(buf *bytes.Buffer) error {
	var line []byte
	var err error
	for _, row := range r.Rows {
		if line, err = r.appendRow(line[:0], row); err != nil {
			return err
		}
		line = append(line, '\n')
		buf.Write(line)
	}
	return nil
}

// tableCell gives a cell as a table shows it: text with control characters,
// quotes and backslashes quoted as git quotes paths (UTF-8 kept), so that one
// row stays one line; an absent value is "-".
func tableCell(v any) string {
	if v == nil {
		return "-"
	}
	s := text(v)
	if _, ok := v.(string); ok && quote.Needed(s, false) {
		s = string(quote.Path(nil, s, false))
	}
	return s
}

// cellWidth is how many terminal columns s takes: grapheme clusters, with
// East Asian wide characters and emoji counting two and combining marks
// none, as terminals draw them.
// Printable ASCII, which most paths and names are, takes a column a byte
// and needs no clustering (clustering was a tenth of a warm churn's CPU).
func cellWidth(s string) int {
	if printableASCII(s) {
		return len(s)
	}
	return uniseg.StringWidth(s)
}

// printableASCII reports whether every byte of s is in ' '..'~': each
// such byte is a grapheme cluster of its own, one column wide.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// cutMiddle shortens s to at most n terminal columns by replacing its middle
// with "...", cutting only between grapheme clusters (the result may be one
// column narrower than n when a wide character does not fit).
func cutMiddle(s string, n int) string {
	if printableASCII(s) {
		if len(s) <= n {
			return s
		}
		if n <= 3 {
			return s[:max(n, 0)]
		}
		keep := n - 3
		return s[:keep/2] + "..." + s[len(s)-(keep-keep/2):]
	}
	return cutClusters(s, n)
}

// cutClusters is cutMiddle for any text: by grapheme clusters and their
// widths.
func cutClusters(s string, n int) string {
	if uniseg.StringWidth(s) <= n {
		return s
	}
	type cluster struct {
		text  string
		width int
	}
	var cs []cluster
	state := -1
	for rest := s; rest != ""; {
		var c string
		var w int
		c, rest, w, state = uniseg.FirstGraphemeClusterInString(rest, state)
		cs = append(cs, cluster{c, w})
	}
	take := func(budget int, from []cluster, fromEnd bool) []string {
		var out []string
		for i := range from {
			c := from[i]
			if fromEnd {
				c = from[len(from)-1-i]
			}
			if c.width > budget {
				break
			}
			budget -= c.width
			out = append(out, c.text)
		}
		return out
	}
	if n <= 3 {
		return strings.Join(take(max(n, 0), cs, false), "")
	}
	keep := n - 3
	head := take(keep/2, cs, false)
	tail := take(keep-keep/2, cs[len(head):], true)
	var b strings.Builder
	for _, c := range head {
		b.WriteString(c)
	}
	b.WriteString("...")
	for i := len(tail) - 1; i >= 0; i-- {
		b.WriteString(tail[i])
	}
	return b.String()
}

// minCut is the narrowest a cut column gets, so a path stays recognisable
// even on a very narrow terminal (the line then wraps).
const minCut = 12

// tableWidthOf is the width of a table's lines: its columns' widths and
// two spaces between each two.
func tableWidthOf(widths []int) int {
	total := 2 * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	return total
}

// fitWidths narrows the Cut columns until the table fits in width: always
// the widest of them first, so that two long columns (a pair of paths, a
// path and a name) end up sharing the room evenly instead of one being cut
// to nothing. A column gets no narrower than minCut or its header; if the
// table still does not fit, lines wrap.
func fitWidths(widths []int, header []string, cols []Column, width int) {
	total := tableWidthOf(widths)
	for total > width {
		widest := -1
		for i, c := range cols {
			if c.Cut && widths[i] > max(minCut, cellWidth(header[i])) && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			return
		}
		widths[widest]--
		total--
	}
}

func (r *Report) writeTable(buf *bytes.Buffer, width int) {
	if r.Vertical {
		r.writeVertical(buf)
		return
	}
	cells := make([][]string, len(r.Rows))
	flat := make([]string, len(r.Rows)*len(r.Columns))
	header := make([]string, len(r.Columns))
	cellsW := make([]int, len(r.Columns)) // the widest cell of each column
	widths := make([]int, len(r.Columns))
	right := make([]bool, len(r.Columns))
	for i, c := range r.Columns {
		header[i] = c.Name
		right[i] = true
	}
	for ri, row := range r.Rows {
		cells[ri] = flat[ri*len(r.Columns) : (ri+1)*len(r.Columns) : (ri+1)*len(r.Columns)]
		for i := range r.Columns {
			s := tableCell(row[i])
			cells[ri][i] = s
			cellsW[i] = max(cellsW[i], cellWidth(s))
			if row[i] != nil && !numeric(row[i]) {
				right[i] = false
			}
		}
	}
	for i := range widths {
		widths[i] = max(cellsW[i], cellWidth(header[i]))
	}
	if width > 0 && tableWidthOf(widths) > width {
		for i, c := range r.Columns {
			if c.Short != "" {
				header[i] = c.Short
				widths[i] = max(cellsW[i], cellWidth(c.Short))
			}
		}
		fitWidths(widths, header, r.Columns, width)
	}
	spaces := func(n int) {
		for ; n > 0; n-- {
			buf.WriteByte(' ')
		}
	}
	line := func(row []string) {
		start := buf.Len()
		for i, s := range row {
			if i > 0 {
				buf.WriteString("  ")
			}
			s = cutMiddle(s, widths[i])
			pad := max(widths[i]-cellWidth(s), 0)
			last := i == len(row)-1
			switch {
			case right[i]:
				spaces(pad)
				buf.WriteString(s)
			case last:
				buf.WriteString(s)
			default:
				buf.WriteString(s)
				spaces(pad)
			}
		}
		// An empty last cell would leave the padding of the one before it.
		end := buf.Len()
		for end > start && buf.Bytes()[end-1] == ' ' {
			end--
		}
		buf.Truncate(end)
		buf.WriteByte('\n')
	}
	buf.Grow((tableWidthOf(widths) + 1) * (len(cells) + 1))
	line(header)
	for _, row := range cells {
		line(row)
	}
	r.writeNotes(buf)
}

// writeNotes prints the notes under a table, one "note: " line each.
func (r *Report) writeNotes(buf *bytes.Buffer) {
	for _, n := range r.Notes {
		if n.Text == "" {
			continue
		}
		buf.WriteString("note: ")
		buf.WriteString(n.Text)
		buf.WriteByte('\n')
	}
}

func (r *Report) writeVertical(buf *bytes.Buffer) {
	nameW := 0
	for _, c := range r.Columns {
		nameW = max(nameW, cellWidth(c.Name))
	}
	for _, row := range r.Rows {
		for i, c := range r.Columns {
			buf.WriteString(c.Name)
			buf.WriteString(strings.Repeat(" ", nameW-cellWidth(c.Name)+2))
			buf.WriteString(tableCell(row[i]))
			buf.WriteByte('\n')
		}
	}
	r.writeNotes(buf)
}
