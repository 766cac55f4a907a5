package analysis

// ChurnReport makes the Report of churn rows grouped by by. Its columns are
// KEY, added, deleted, commits, churn: the first four are code-maat's
// (entity-churn's "entity" for files and folders, author-churn's "author",
// abs-churn's "date" for days; "week" and "month" otherwise), so tools
// written for code-maat's CSV read gitwalk's. Options is left for the
// caller to fill.
func ChurnReport(rows []ChurnRow, by Grouping) *Report {
	key := "entity"
	cut := true
	switch by {
	case ByAuthor:
		key = "author"
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
