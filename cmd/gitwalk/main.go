// Command gitwalk analyses git history: where code changes, who changes it,
// what changes together. Its line counts are those of `git log --numstat`.
// Its commands are package cli's.
package main

import (
	"os"

	"github.com/gitwalk/gitwalk/cmd/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
