package export_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/export"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/parquet-go/parquet-go"
)

// Write a repository's history as the commits and changes tables, then read
// the changes back. The fixture is a small bare repository that ships in
// testdata/repos.
func ExampleWriter() {
	repo, err := walker.Open(filepath.Join("..", "testdata", "repos", "merges.git"))
	if err != nil {
		log.Fatal(err)
	}
	defer repo.Close()
	dir, err := os.MkdirTemp("", "export")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	commits, err := os.Create(filepath.Join(dir, "commits.parquet"))
	if err != nil {
		log.Fatal(err)
	}
	changes, err := os.Create(filepath.Join(dir, "changes.parquet"))
	if err != nil {
		log.Fatal(err)
	}

	// Follow names each change's file as the analyses do; it needs the
	// commits in the walk's order, which Walk's callback gets.
	w := export.NewWriter(commits, changes, export.Options{Repository: export.RepoName(repo.GitDir()),
		Exclude: analysis.RepoExclude(repo), Follow: true})
	err = repo.Walk(context.Background(), walker.Options{Revisions: []string{"--all"}}, func(c *walker.Commit) error {
		return w.Write(c)
	})
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = commits.Close()
	}
	if err == nil {
		err = changes.Close()
	}
	if err != nil {
		log.Fatal(err)
	}

	rows, err := parquet.ReadFile[export.ChangeRow](filepath.Join(dir, "changes.parquet"))
	if err != nil {
		log.Fatal(err)
	}
	added := 0
	for _, r := range rows {
		added += int(r.Added)
	}
	fmt.Printf("%d changed files, %d lines added\n", len(rows), added)
	// Output: 19 changed files, 23 lines added
}
