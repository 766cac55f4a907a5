package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestGitwalkLinksNeitherParquetNorHTTP holds the reason gitwalk-export is a
// program of its own: no package of gitwalk imports package export or
// parquet-go, whose initialisation (and size) every command would pay.
// Nor net/http: progressbar/v3 imports it from v3.18 on (for a server of
// the bar's state that gitwalk does not use), and with it crypto/tls,
// x509 and HTTP/2, whose initialisation cost every command 0.2 ms of a
// warm churn of go-git's 13.6 ms (go.mod keeps v3.15.0).
func TestGitwalkLinksNeitherParquetNorHTTP(t *testing.T) {
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
		if d == "github.com/gitwalk/gitwalk/export" || strings.HasPrefix(d, "github.com/parquet-go/") ||
			d == "net/http" || d == "crypto/tls" {
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
