package walker_test

import (
	"context"
	"fmt"
	"log"
	"path/filepath"

	"github.com/gitwalk/gitwalk/walker"
)

// Walk a repository and total the lines each commit changed. The fixture is a
// small bare repository that ships in testdata/repos.
func ExampleRepo_Walk() {
	repo, err := walker.Open(filepath.Join("..", "testdata", "repos", "merges.git"))
	if err != nil {
		log.Fatal(err)
	}
	defer repo.Close()

	added, deleted, commits := 0, 0, 0
	err = repo.Walk(context.Background(), walker.Options{Revisions: []string{"--all"}}, func(c *walker.Commit) error {
		commits++
		for _, ch := range c.Changes {
			added += ch.Added
			deleted += ch.Deleted
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d commits, %d lines added, %d deleted\n", commits, added, deleted)
	// Output: 23 commits, 23 lines added, 13 deleted
}
