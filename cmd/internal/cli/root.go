package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

// version is set at build time with
// -ldflags "-X github.com/gitwalk/gitwalk/cmd/internal/cli.version=...".
var version = "dev"

// iostreams are the streams a command reads and writes, injected so tests run
// commands in-process and can pretend to be a terminal.
type iostreams struct {
	in        io.Reader
	out       io.Writer
	errOut    io.Writer
	outIsTerm bool
	errIsTerm bool
}

// Exit codes: 0 done, 1 failed, 2 usage, 130 interrupted.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// usageError marks an error in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError ends the run with code, and msg on one line unless it is "":
// a program gitwalk ran has said what there was to say.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string {
	if e.msg == "" {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.msg
}

func newRootCmd(ctx context.Context, ios *iostreams, tables NewTables) *cobra.Command {
	return newRootCmdFor(ctx, ios, tables, "")
}

// newRootCmdFor is newRootCmd with only the subcommand name when it is one
// of gitwalk's own (the command line's first word): building every
// command's help, about 100 KB of text, was 0.4 ms of a 13 ms warm churn
// of go-git. Any other name (help, completion, a typo, "") gets them all.
func newRootCmdFor(ctx context.Context, ios *iostreams, tables NewTables, name string) *cobra.Command {
	root := &cobra.Command{
		Use:   "gitwalk",
		Short: "Fast, exact analysis of git history",
		Long: "gitwalk walks a repository's history and tells where the code changes.\n" +
			"Its line counts are byte for byte those of `git log --numstat`.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetOut(ios.out)
	root.SetErr(ios.errOut)
	root.SetContext(ctx)
	subs := subcommands(ios, tables)
	for _, sub := range subs {
		if sub.name == name {
			// Nor cobra's completion command, which cobra makes with its
			// four shells' help texts in every run that has subcommands
			// (0.15 ms of a 13 ms warm churn); "completion" and cobra's
			// "__complete" are other names, which get everything.
			root.CompletionOptions.DisableDefaultCmd = true
			root.AddCommand(sub.make())
			return root
		}
	}
	for _, sub := range subs {
		root.AddCommand(sub.make())
	}
	return root
}

// subcommand is one of gitwalk's commands, by name, made on demand.
type subcommand struct {
	name string
	make func() *cobra.Command
}

// subcommands are gitwalk's commands, in the order help lists them.
func subcommands(ios *iostreams, tables NewTables) []subcommand {
	return []subcommand{
		{"numstat", func() *cobra.Command { return newNumstatCmd(ios) }},
		{churnCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, churnCmd) }},
		{summaryCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, summaryCmd) }},
		{authorsCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, authorsCmd) }},
		{couplingCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, couplingCmd) }},
		{ownershipCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, ownershipCmd) }},
		{hotspotsCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, hotspotsCmd) }},
		{ageCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, ageCmd) }},
		{"branches", func() *cobra.Command { return newBranchesCmd(ios) }},
		{identitiesCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, identitiesCmd) }},
		{filesCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, filesCmd) }},
		{knowledgeCmd.name, func() *cobra.Command { return newAnalysisCmd(ios, knowledgeCmd) }},
		{"report", func() *cobra.Command { return newReportCmd(ios) }},
		{"export", func() *cobra.Command { return newExportCmd(ios, tables) }},
		{"cache", func() *cobra.Command { return newCacheCmd(ios) }},
		{"version", func() *cobra.Command {
			return &cobra.Command{
				Use:     "version",
				Short:   "Print gitwalk's version",
				Example: "  gitwalk version",
				Args:    cobra.NoArgs,
				RunE: func(cmd *cobra.Command, args []string) error {
					fmt.Fprintf(ios.out, "gitwalk %s\n", version)
					return nil
				},
			}
		}},
	}
}

// execute runs gitwalk with args and returns the process exit code. Errors
// are printed on one line to stderr. tables is Main's.
func execute(ctx context.Context, ios *iostreams, args []string, tables NewTables) int {
	name := ""
	if len(args) > 0 {
		name = args[0]
	}
	root := newRootCmdFor(ctx, ios, tables, name)
	root.SetArgs(args)
	err := root.Execute()
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintln(ios.errOut, "gitwalk: interrupted")
		return exitInterrupted
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(ios.errOut, "gitwalk: %s\n", ee.msg)
		}
		return ee.code
	}
	msg := strings.TrimSpace(err.Error())
	fmt.Fprintf(ios.errOut, "gitwalk: %s%s\n", msg, hintFor(err))
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(msg) {
		fmt.Fprintf(ios.errOut, "Run 'gitwalk %s --help' for usage.\n", commandName(args))
		return exitUsage
	}
	return exitFailed
}

// hintFor gives the end of a failure's one line: what to do about the
// failures people meet most, or "" when the message says it all.
func hintFor(err error) string {
	switch {
	case errors.Is(err, walker.ErrNotRepository):
		return " (nor is any folder above it; give the repository as the first argument or with -C DIR)"
	case errors.Is(err, walker.ErrBadRevision):
		return " (not a branch, tag or commit of the repository, nor a folder; paths go after --)"
	}
	return ""
}

func isCobraUsage(msg string) bool {
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func commandName(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}
