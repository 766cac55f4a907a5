// Package cli is gitwalk's command line: its commands, flags, output
// formats and progress bar. The commands' numbers are checked against C
// git's (git log --numstat) and the analyses' oracles by this package's
// tests, which run the commands in-process.
package cli

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"golang.org/x/term"
)

// Main runs the command line of os.Args and returns the process's exit
// code: 0 done, 1 failed, 2 usage, 130 interrupted.
func Main() int {
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
	ios := &iostreams{
		in:        os.Stdin,
		out:       os.Stdout,
		errOut:    os.Stderr,
		errIsTerm: term.IsTerminal(int(os.Stderr.Fd())),
		outIsTerm: term.IsTerminal(int(os.Stdout.Fd())),
	}
	return execute(ctx, ios, os.Args[1:])
}
