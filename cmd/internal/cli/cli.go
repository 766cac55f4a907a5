// Package cli is gitwalk's command line: its commands, flags, output
// formats and progress bar, run by two programs. cmd/gitwalk is the CLI
// people run; cmd/gitwalk-export adds the export command's Parquet writer,
// which the CLI does not link (parquet-go and its compressors would cost
// every command's start), and gitwalk export runs gitwalk-export as git runs
// git-foo for git foo. The commands' numbers are checked against C git's
// (git log --numstat) and the analyses' oracles by this package's tests,
// which run the commands in-process.
package cli

import (
	"context"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
	"golang.org/x/term"
)

// A TableWriter writes the walk's commits, in the walk's order, into the
// export command's two tables. It need not be safe for concurrent use.
type TableWriter interface {
	Write(c *walker.Commit) error
	// Close writes what is left and the tables' footers.
	Close() error
	// Counts returns the rows written, and the change rows per reason the
	// analyses leave them out ("" for those they count).
	Counts() (commits, changes int, leftOut map[string]int)
}

// NewTables returns the TableWriter of the commits table to commits and
// the changes table to changes, for the repository at repoDir (its work
// tree, or its git folder when bare). The rows are marked as the analyses
// decide with sc and filter, following files through renames.
type NewTables func(commits, changes io.Writer, repoDir string, sc analysis.Scope, filter analysis.PathFilter) TableWriter

// Main runs the command line of os.Args and returns the process's exit
// code: 0 done, 1 failed, 2 usage, 130 interrupted. tables writes the
// export command's tables; when it is nil, as in cmd/gitwalk, export runs
// the gitwalk-export program instead (dispatch.go). When it is set, the
// program is gitwalk-export, and its arguments are the export command's.
func Main(tables NewTables) int {
	// Huge pages behind the heap a walk will grow, first thing, while the
	// heap has not been collected (gc.go).
	walking := tables != nil || walks(os.Args[1:])
	if walking {
		readyHeap()
	}
	// The GC's target is diffingGCPercent, and tuneGC raises it while
	// walks read from the cache (gc.go). GOGC in the environment wins. A
	// command that does not walk keeps Go's 100%: at 25% its first 1 MB
	// started a GC (gitwalk version: 677 page faults against 511 without
	// it, 17.5 ms against 15.9).
	if os.Getenv("GOGC") == "" && walking {
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
	args := os.Args[1:]
	if tables != nil {
		args = append([]string{"export"}, args...)
	}
	return execute(ctx, ios, args, tables)
}
