package attributes

import (
	"bytes"
	"iter"
	"os"
)

// Limits git 2.39.5 puts on attributes (attr.h, attr.c; CVE-2022-23521):
// a file of maxFileSize bytes or more is ignored whole, and a line (not
// blank, not a comment) of maxLineLength bytes or more is ignored.
const (
	maxFileSize   = 100 << 20
	maxLineLength = 2048
)

// readFile reads an attributes file as git's read_attr_from_file does:
// nil when it cannot be read or is too large; with inTree (a work tree's
// .gitattributes, opened by git with O_NOFOLLOW) nil when it is a
// symbolic link, which git refuses ("Too many levels of symbolic links").
func readFile(file string, inTree bool) []byte {
	stat := os.Stat
	if inTree {
		stat = os.Lstat
	}
	fi, err := stat(file)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() >= maxFileSize {
		return nil
	}
	data, err := os.ReadFile(file)
	if err != nil || len(data) >= maxFileSize {
		return nil
	}
	return data
}

// lines yields an attributes file's lines as git reads them
// (strbuf_getline and handle_attr_line): a UTF-8 byte order mark dropped
// from the first, CRLF as LF, leading blanks (space, tab, CR) skipped,
// and blank lines, comments and lines too long (maxLineLength, counted
// before the blanks are skipped) left out.
func lines(data []byte) iter.Seq[string] {
	return func(yield func(string) bool) {
		for line := range bytes.Lines(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))) {
			line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
			text := bytes.TrimLeft(line, " \t\r")
			if len(text) == 0 || text[0] == '#' || len(line) >= maxLineLength {
				continue
			}
			if !yield(string(bytes.TrimRight(text, "\r"))) {
				return
			}
		}
	}
}
