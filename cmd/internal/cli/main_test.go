package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the cache at a folder of its own for the whole run: no
// test may write into the user's cache. Tests that run gitwalk twice over
// one history get a warm cache this way; those that need a cold one give
// --cache a t.TempDir().
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gitwalk-test-cache")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("GITWALK_CACHE", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
