package main

import (
	"fmt"
	"testing"
)

// TestWorkerKeepsFewIdleRepositoriesOpen checks the process cache: a
// repository in use is never closed, idle ones beyond maxIdleRepos are,
// least recently used first, and one closed is opened again on demand.
func TestWorkerKeepsFewIdleRepositoriesOpen(t *testing.T) {
	// Distinct repositories: copies of one fixture under distinct paths.
	var paths []string
	for range maxIdleRepos + 4 {
		_, p := fixtures(t, "content")
		paths = append(paths, p[0])
	}
	t.Cleanup(func() { // leave the process cache as the other tests expect it
		worker.mu.Lock()
		defer worker.mu.Unlock()
		for _, p := range paths {
			k := fmt.Sprintf("%s\x00%v", p, false)
			if r := worker.repos[k]; r != nil {
				r.readers.Close()
				r.repo.Close()
				delete(worker.repos, k)
			}
		}
	})
	inUse, err := acquire(paths[0], false)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths[1:] {
		r, err := acquire(p, false)
		if err != nil {
			t.Fatal(err)
		}
		release(r)
	}
	open, idle := 0, 0
	worker.mu.Lock()
	for _, r := range worker.repos {
		open++
		if r.refs == 0 {
			idle++
		}
	}
	_, kept := worker.repos[fmt.Sprintf("%s\x00%v", paths[0], false)]
	worker.mu.Unlock()
	if idle != maxIdleRepos || open != maxIdleRepos+1 || !kept {
		t.Errorf("%d open, %d idle (in use kept: %v); want %d idle and the one in use", open, idle, kept, maxIdleRepos)
	}
	// The repository in use still works, and the first idle one closed
	// opens again.
	if _, err := inUse.repo.ResolveCommit("HEAD"); err != nil {
		t.Errorf("the repository in use: %v", err)
	}
	release(inUse)
	again, err := acquire(paths[1], false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.repo.ResolveCommit("HEAD"); err != nil {
		t.Errorf("reopened repository: %v", err)
	}
	release(again)
}
