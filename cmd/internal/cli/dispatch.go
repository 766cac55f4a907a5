package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"
)

// exportProgram is the program that holds the export command's Parquet
// writer, and how to get it when it is missing.
const (
	exportProgram = "gitwalk-export"
	exportInstall = "go install github.com/gitwalk/gitwalk/cmd/gitwalk-export@latest"
)

// runExportProgram runs gitwalk-export with export's arguments, streams
// and exit code, as git runs git-foo for git foo. Its own help is the
// CLI's, so --help needs no program.
func runExportProgram(cmd *cobra.Command, ios *iostreams, args []string) error {
	prog, err := findExportProgram()
	if err != nil {
		if wantsHelp(args) {
			return cmd.Help()
		}
		return err
	}
	return runProgram(ios, prog, args)
}

// findExportProgram returns gitwalk-export's path: next to this program's
// executable (symbolic links resolved, so a link to gitwalk finds the
// gitwalk-export installed beside it), else on PATH.
func findExportProgram() (string, error) {
	name := exportProgram
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self, err := os.Executable(); err == nil {
		if self, err = filepath.EvalSymlinks(self); err == nil {
			p := filepath.Join(filepath.Dir(self), name)
			if isProgram(p) {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath(exportProgram); err == nil {
		return p, nil
	}
	return "", exitError{code: exitUsage, msg: "export needs the " + exportProgram + " program (" +
		exportInstall + "), not found next to gitwalk or on PATH"}
}

// isProgram says whether p is a file this user may run.
func isProgram(p string) bool {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	return runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0
}

// wantsHelp says whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help":
			return true
		}
	}
	return false
}
