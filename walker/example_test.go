package walker_test

import (
	"context"
	"fmt"
	"log"
	"os"
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

// Keep each commit's result in a store, so that the second walk reads the
// commits instead of diffing them. The store is a folder outside the
// repository (walker.DefaultStoreDir is the user's cache).
func ExampleOpenStore() {
	dir, err := os.MkdirTemp("", "gitwalk-store")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	repo, err := walker.Open(filepath.Join("..", "testdata", "repos", "merges.git"))
	if err != nil {
		log.Fatal(err)
	}
	defer repo.Close()

	for _, run := range []string{"cold", "warm"} {
		store, err := walker.OpenStore(dir) // on an error, walk without it
		if err != nil {
			log.Fatal(err)
		}
		var st walker.Stats
		opts := walker.Options{Revisions: []string{"--all"}, Store: store, Stats: &st}
		if err := repo.Walk(context.Background(), opts, func(c *walker.Commit) error { return nil }); err != nil {
			log.Fatal(err)
		}
		if err := store.Close(); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d commits, %d read from the store, %d diffed\n", run, st.Commits, st.StoreHits, st.StoreMisses)
	}
	// Output:
	// cold: 23 commits, 0 read from the store, 23 diffed
	// warm: 23 commits, 23 read from the store, 0 diffed
}

// Walk two repositories at once with one budget of two workers between
// them: each walk runs its own goroutines, but no more than two commits are
// computed at any moment, whichever repository they are of.
func ExampleNewSlots() {
	slots := walker.NewSlots(2)
	counts := make([]int, 2)
	errs := make(chan error, 2)
	for i, name := range []string{"merges.git", "content.git"} {
		go func(i int, name string) {
			repo, err := walker.Open(filepath.Join("..", "testdata", "repos", name))
			if err != nil {
				errs <- err
				return
			}
			defer repo.Close()
			errs <- repo.Walk(context.Background(), walker.Options{Revisions: []string{"--all"}, Workers: 2, Slots: slots},
				func(c *walker.Commit) error {
					counts[i]++
					return nil
				})
		}(i, name)
	}
	for range counts {
		if err := <-errs; err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("merges: %d commits, content: %d commits\n", counts[0], counts[1])
	// Output: merges: 23 commits, content: 14 commits
}
