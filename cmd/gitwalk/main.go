// Command gitwalk analyses git history: where code changes, who changes it,
// what changes together. Its line counts are those of `git log --numstat`.
// Its commands are package cli's; gitwalk export runs the gitwalk-export
// program (cmd/gitwalk-export), which holds the Parquet writer this
// program does not link.
package main

import (
	"os"

	"github.com/gitwalk/gitwalk/cmd/internal/cli"
)

func main() {
	os.Exit(cli.Main(nil))
}
