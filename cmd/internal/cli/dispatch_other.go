//go:build !unix

package cli

import (
	"errors"
	"fmt"
	"os/exec"
)

// runProgram runs prog with this process's streams and ends the run with
// its exit code: there is no exec(2) to hand the process over.
func runProgram(ios *iostreams, prog string, args []string) error {
	cmd := exec.Command(prog, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = ios.in, ios.out, ios.errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return exitError{code: ee.ExitCode()}
	}
	return fmt.Errorf("run %s: %w", prog, err)
}
