package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestGitwalkDoesNotLinkParquet holds the reason gitwalk-export is a
// program of its own: no package of gitwalk imports package export or
// parquet-go, whose initialisation (and size) every command would pay.
func TestGitwalkDoesNotLinkParquet(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not installed")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/gitwalk/gitwalk/cmd/gitwalk").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if !contains(deps, "github.com/gitwalk/gitwalk/cmd/internal/cli") {
		t.Fatalf("go list -deps does not list cmd/internal/cli: %q", deps)
	}
	for _, d := range deps {
		if d == "github.com/gitwalk/gitwalk/export" || strings.HasPrefix(d, "github.com/parquet-go/") {
			t.Errorf("cmd/gitwalk depends on %s", d)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
