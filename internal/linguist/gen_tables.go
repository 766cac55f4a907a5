//go:build ignore

// gen_tables writes tables.go from go-enry's data: `go generate` in
// internal/linguist, after a go-enry upgrade (TestTablesAreGoEnrys fails
// until then).
package main

import (
	"fmt"
	"os"

	"github.com/gitwalk/gitwalk/internal/linguist/internal/gen"
)

func main() {
	src, err := gen.Generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen_tables:", err)
		os.Exit(1)
	}
	if err := os.WriteFile("tables.go", src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen_tables:", err)
		os.Exit(1)
	}
}
