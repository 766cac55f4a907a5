// Package report writes gitwalk's HTML report: one self-contained page,
// drawn in the browser from the analyses' own Reports, which it embeds as
// the JSON that `gitwalk ANALYSIS --format json` prints. The page makes no
// network request: its chart library (Apache ECharts, see assets/) and its
// script and style are embedded in the binary and inlined into the page.
//
// Each section of the page reads one slot of Page.Data (see the Slot
// constants) and draws it when the slot holds a Report with rows; otherwise
// it says there is nothing to show. A section finds its columns by name, so
// a slot is fed by giving it the analysis's Report as is.
package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
)

// The slots of Page.Data and the columns their sections read. Columns are
// looked up by name; where several names are listed the first present is
// used, so the analyses may name theirs either way. Extra columns are shown
// in the tables as they are.
const (
	// SlotSummary: the summary analysis (commits, merges, authors, files,
	// added, deleted, first, last); its options give revisions and paths.
	SlotSummary = "summary"
	// SlotFiles: churn by file (entity, added, deleted, commits, churn), top
	// N by churn. Drives "top files by churn", and the hotspot treemap while
	// SlotHotspots is empty.
	SlotFiles = "files"
	// SlotPeriods: churn by week or month (week|month, added, deleted,
	// commits, churn): the commits line of the activity chart.
	SlotPeriods = "periods"
	// SlotActivity: ActivityState.DirsReport (period, dir, commits, added,
	// deleted): the activity chart's bars, stacked by top-level directory.
	SlotActivity = "activity"
	// SlotAuthors: the authors analysis (author, email, commits, files,
	// added, deleted, first, last), top N by commits.
	SlotAuthors = "authors"
	// SlotAuthorsOverTime: ActivityState.AuthorsReport (period, author,
	// commits).
	SlotAuthorsOverTime = "activity-authors"
	// SlotHotspots: the hotspots analysis (entity, n-revs, n-authors, added,
	// deleted, churn, lines): the treemap, area lines (its size now; null
	// for a binary file, left out), colour churn.
	SlotHotspots = "hotspots"
	// SlotCoupling: the coupling analysis (entity, coupled, degree percent,
	// average-revs, shared-revisions...): the table and the network picture.
	SlotCoupling = "coupling"
	// SlotOwnership: the ownership analysis (entity, main-dev, added,
	// total-added, ownership 0..1, n-authors): the knowledge silo chart and
	// table.
	SlotOwnership = "ownership"
	// SlotOwnershipDirs: DirOwnershipState.Report (dir, main-dev, added,
	// total-added, ownership, n-authors): the knowledge silos by folder.
	SlotOwnershipDirs = "ownership-dirs"
	// SlotAge: the age analysis (entity, age-months, age-days, last-change,
	// author), shown as a table.
	SlotAge = "age"
	// SlotKnowledge: the knowledge analysis's truck view (folder, files,
	// truck-factor, people "; "-joined, orphans, coverage; the repository
	// "." first) and its notes (truck-factor, truck-factor-people, files,
	// islands, lost-files, departed-before): the truck factor with its
	// people, and the folders' table.
	SlotKnowledge = "knowledge"
	// SlotKnowledgeFiles: the knowledge files view (entity, authors by DOA
	// "; "-joined, n-authors, main-doa, commits, churn when line counts
	// were read): the map of files by main author and by loss.
	SlotKnowledgeFiles = "knowledge-files"
	// SlotKnowledgePeople: the knowledge people view (author, files,
	// islands, commits, last-commit, departed, leaving): files authored per
	// person.
	SlotKnowledgePeople = "knowledge-people"
	// SlotKnowledgeLoss: the knowledge loss view (entity, authors, commits,
	// churn), hot first: the files no author is left for, in the map and
	// in the table of hot files nobody knows.
	SlotKnowledgeLoss = "knowledge-loss"
	// SlotBranches: per branch branch|name, ahead, behind, churn, last|date,
	// author, merged: shown as a table.
	SlotBranches = "branches"
)

// Page is everything one report shows.
type Page struct {
	Title      string        // the heading: the repository's name
	Repository string        // where it was read, as given
	Generated  time.Time     // when the page was made
	Walk       time.Duration // how long the one walk that fed every section took
	Version    string        // gitwalk's version
	// Data holds each section's Report by slot name. A nil Report, a
	// missing slot or one without rows makes the section say there is
	// nothing to show. Each is embedded as Report.Write's JSON, byte for
	// byte.
	Data map[string]*analysis.Report
}

//go:embed assets/page.html
var pageHTML string

//go:embed assets/app.js
var appJS string

//go:embed assets/style.css
var styleCSS string

//go:embed assets/echarts.min.js
var echartsJS string

// Write writes p as one HTML page to w, in a single Write so that the page
// is complete or absent. It is safe for concurrent use (it reads p only).
func Write(w io.Writer, p *Page) error {
	var data bytes.Buffer
	slots := make([]string, 0, len(p.Data))
	for k := range p.Data {
		slots = append(slots, k)
	}
	sort.Strings(slots)
	for _, slot := range slots {
		r := p.Data[slot]
		if r == nil {
			continue
		}
		var b bytes.Buffer
		if err := r.Write(&b, analysis.JSON, 0); err != nil {
			return fmt.Errorf("report section %s: %w", slot, err)
		}
		fmt.Fprintf(&data, "<script type=\"application/json\" id=\"data-%s\">%s</script>\n", html.EscapeString(slot), scriptSafe(b.Bytes()))
	}
	meta, err := json.Marshal(map[string]any{
		"title":        p.Title,
		"repository":   p.Repository,
		"generated":    p.Generated.UTC().Format(time.RFC3339),
		"walk_seconds": p.Walk.Seconds(),
		"version":      p.Version,
	})
	if err != nil {
		return fmt.Errorf("report metadata: %w", err)
	}
	fmt.Fprintf(&data, "<script type=\"application/json\" id=\"data-meta\">%s</script>\n", scriptSafe(meta))

	out := strings.NewReplacer(
		"{{TITLE}}", html.EscapeString(p.Title),
		"{{STYLE}}", styleCSS,
		"{{DATA}}", data.String(),
		"{{ECHARTS}}", echartsJS,
		"{{APP}}", appJS,
	).Replace(pageHTML)
	_, err = io.WriteString(w, out)
	return err
}

// scriptSafe makes JSON safe inside a <script> element. encoding/json
// already writes '<' as \u003c, so this changes nothing in practice; it is
// the guarantee in one place: "</" can never end the element early.
func scriptSafe(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("</"), []byte(`<\/`))
}
