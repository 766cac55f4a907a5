// Command gitwalk analyses git history: where code changes, who changes it,
// what changes together. Its line counts are those of `git log --numstat`.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"golang.org/x/term"
)

func main() {
	// The GC's target is diffingGCPercent, and tuneGC raises it while
	// walks read from the cache (gc.go). GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(diffingGCPercent)
		gcTuned = true
	}
	// Ctrl-C and a polite kill (CI's timeout) both end the walk through
	// its context, so the cache keeps what the run computed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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
