// Command gitwalk analyses git history: where code changes, who changes it,
// what changes together. Its line counts are those of `git log --numstat`.
package main

import (
	"context"
	"os"
	"os/signal"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	io := &iostreams{
		in:        os.Stdin,
		out:       os.Stdout,
		errOut:    os.Stderr,
		errIsTerm: term.IsTerminal(int(os.Stderr.Fd())),
		outIsTerm: term.IsTerminal(int(os.Stdout.Fd())),
	}
	os.Exit(execute(ctx, io, os.Args[1:]))
}
