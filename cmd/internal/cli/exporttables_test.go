package cli

import (
	"io"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/export"
)

// The tests' export writes with package export, as cmd/gitwalk-export's
// does (its main.go wires the same writer; its tests run the program).
type testTables struct{ *export.Writer }

func (t testTables) Counts() (commits, changes int, leftOut map[string]int) {
	c := t.Writer.Counts()
	return c.Commits, c.Changes, c.LeftOut
}

func parquetTables(commits, changes io.Writer, repoDir string, sc analysis.Scope, filter analysis.PathFilter) TableWriter {
	return testTables{export.NewWriter(commits, changes, export.Options{
		Repository: export.RepoName(repoDir), Mailmap: sc.Mailmap, Exclude: sc.Exclude,
		IgnoreRevs: sc.IgnoreRevs, MaxChangeset: sc.MaxChangeset, Filter: filter, Follow: true,
	})}
}
