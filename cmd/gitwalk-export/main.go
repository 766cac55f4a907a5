// Command gitwalk-export is gitwalk export: it writes the walk's commits and
// changed files as Parquet tables (package export), with the flags, output
// and exit codes of gitwalk export, which runs it. It is a program of its
// own so that the gitwalk CLI does not link parquet-go and its compressors,
// whose start every command would pay.
package main

import (
	"io"
	"os"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/cmd/internal/cli"
	"github.com/gitwalk/gitwalk/export"
)

func main() {
	os.Exit(cli.Main(newTables))
}

// tables is an export.Writer as the export command takes it.
type tables struct{ *export.Writer }

func (t tables) Counts() (commits, changes int, leftOut map[string]int) {
	c := t.Writer.Counts()
	return c.Commits, c.Changes, c.LeftOut
}

// newTables is cli.NewTables with package export's writer.
func newTables(commits, changes io.Writer, repoDir string, sc analysis.Scope, filter analysis.PathFilter) cli.TableWriter {
	return tables{export.NewWriter(commits, changes, export.Options{
		Repository: export.RepoName(repoDir), Mailmap: sc.Mailmap, Exclude: sc.Exclude,
		IgnoreRevs: sc.IgnoreRevs, MaxChangeset: sc.MaxChangeset, Filter: filter, Follow: true,
	})}
}
