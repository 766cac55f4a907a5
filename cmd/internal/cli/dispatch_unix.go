//go:build unix

package cli

import (
	"fmt"
	"os"
	"syscall"
)

// runProgram replaces this process with prog, so that its signals, exit
// code and streams are the program's own. It returns only on failure.
func runProgram(_ *iostreams, prog string, args []string) error {
	err := syscall.Exec(prog, append([]string{prog}, args...), os.Environ())
	return fmt.Errorf("run %s: %w", prog, err)
}
