package analysis

// ChurnReport makes the Report of churn rows grouped by by. Its columns are
// KEY, added, deleted, commits, churn: the first four are code-maat's
// (entity-churn's "entity" for files and folders, author-churn's "author",
// abs-churn's "date" for days; "week", "month" and "language" otherwise), so tools
// written for code-maat's CSV read gitwalk's. Options is left for the
// caller to fill.
func ChurnReport(rows []ChurnRow, by Grouping) *Report {
	key := "entity"
	cut := true
	switch by {
	case ByAuthor:
		key = "author"
	case ByLanguage:
		key, cut = "language", false
	case ByDay:
		key, cut = "date", false
	case ByWeek:
		key, cut = "week", false
	case ByMonth:
		key, cut = "month", false
	}
	r := &Report{
		Analysis: "churn",
		Columns:  []Column{{Name: key, Cut: cut}, {Name: "added"}, {Name: "deleted"}, {Name: "commits"}, {Name: "churn"}},
		Rows:     make([][]any, len(rows)),
	}
	for i, row := range rows {
		r.Rows[i] = []any{row.Key, row.Added, row.Deleted, row.Commits, row.Churn}
	}
	return r
}

// SummaryReport makes the one-row Report of a summary; dates are absent
// (nil) when no commit was walked. Options is left for the caller to fill.
func SummaryReport(s SummaryResult) *Report {
	var first, last any
	if s.Commits > 0 {
		first, last = s.First.UTC(), s.Last.UTC()
	}
	return &Report{
		Analysis: "summary",
		Columns: []Column{{Name: "commits"}, {Name: "merges"}, {Name: "authors"}, {Name: "files"},
			{Name: "added"}, {Name: "deleted"}, {Name: "first"}, {Name: "last"}},
		Rows:     [][]any{{s.Commits, s.Merges, s.Authors, s.Files, s.Added, s.Deleted, first, last}},
		Vertical: true,
	}
}

// CouplingReport makes the Report of coupled pairs: entity, coupled, degree,
// average-revs (code-maat's coupling columns), then code-maat's verbose
// ones: shared-revisions, first-entity-revisions, second-entity-revisions.
// Options and Notes are left for the caller to fill.
func CouplingReport(rows []CouplingRow) *Report {
	r := &Report{
		Analysis: "coupling",
		Columns: []Column{{Name: "entity", Cut: true}, {Name: "coupled", Cut: true}, {Name: "degree"},
			{Name: "average-revs", Short: "avg-revs"}, {Name: "shared-revisions", Short: "shared"},
			{Name: "first-entity-revisions", Short: "entity-revs"}, {Name: "second-entity-revisions", Short: "coupled-revs"}},
		Rows: make([][]any, len(rows)),
	}
	for i, row := range rows {
		r.Rows[i] = []any{row.Entity, row.Coupled, row.Degree, row.AverageRevs, row.Shared, row.EntityRevs, row.CoupledRevs}
	}
	return r
}

// OwnershipReport makes the Report of main developers: entity, main-dev,
// added, total-added, ownership (code-maat's main-dev columns), n-authors.
// Options and Notes are left for the caller to fill.
func OwnershipReport(rows []OwnershipRow) *Report {
	r := &Report{
		Analysis: "ownership",
		Columns: []Column{{Name: "entity", Cut: true}, {Name: "main-dev", Cut: true}, {Name: "added"}, {Name: "total-added"},
			{Name: "ownership"}, {Name: "n-authors"}},
		Rows: make([][]any, len(rows)),
	}
	for i, row := range rows {
		r.Rows[i] = []any{row.Entity, row.MainDev, row.Added, row.TotalAdded, row.Ownership, row.Authors}
	}
	return r
}

// HotspotsReport makes the Report of hotspots: entity, n-revs, n-authors
// (code-maat's revisions and authors columns), added, deleted, churn, lines
// (absent for a binary file). Options is left for the caller to fill.
func HotspotsReport(rows []HotspotRow) *Report {
	r := &Report{
		Analysis: "hotspots",
		Columns: []Column{{Name: "entity", Cut: true}, {Name: "n-revs"}, {Name: "n-authors"}, {Name: "added"},
			{Name: "deleted"}, {Name: "churn"}, {Name: "lines"}},
		Rows: make([][]any, len(rows)),
	}
	for i, row := range rows {
		var lines any = row.Lines
		if row.Binary {
			lines = nil
		}
		r.Rows[i] = []any{row.Entity, row.Revisions, row.Authors, row.Added, row.Deleted, row.Churn, lines}
	}
	return r
}

// AgeReport makes the Report of file ages: entity, age-months (code-maat's
// age columns), age-days, last-change, author. Options is left for the
// caller to fill.
func AgeReport(rows []AgeRow) *Report {
	r := &Report{
		Analysis: "age",
		Columns: []Column{{Name: "entity", Cut: true}, {Name: "age-months"}, {Name: "age-days"}, {Name: "last-change"},
			{Name: "author", Cut: true}},
		Rows: make([][]any, len(rows)),
	}
	for i, row := range rows {
		r.Rows[i] = []any{row.Entity, row.AgeMonths, row.AgeDays, row.LastChange.UTC(), row.Author}
	}
	return r
}
