package attributes

import (
	"bytes"
	"iter"
	"os"
	"strings"
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

// The values an attribute state can give besides NAME=VALUE's text.
const (
	stateSet         = "\x00set"         // NAME
	stateUnset       = "\x00unset"       // -NAME
	stateUnspecified = "\x00unspecified" // !NAME
)

// attrState is one attribute a line names, and what it says of it.
type attrState struct {
	name  string
	value string // stateSet, stateUnset, stateUnspecified, or the text after '='
}

// attrLine is one line of an attributes file as git's parse_attr_line
// reads it: a macro's definition ("[attr]NAME states"), or a pattern and
// the states it gives the paths it matches.
type attrLine struct {
	macro   string // the macro the line defines; "" for a pattern line
	pattern string // the pattern without its leading '/' and trailing '/'
	// anchored: the pattern has a '/' and matches relative to its file's
	// folder (else it matches a path's last name); dirOnly: it ended with
	// a '/' and matches folders only, so never a file.
	anchored, dirOnly bool
	states            []attrState
}

// attrBlank is what separates a line's words (attr.c's blank).
const attrBlank = " \t\r\n"

// parseLine reads line (blank lines and comments already left out) as
// git's parse_attr_line does, and says false where git ignores the line:
//   - a macro defined where macros are not allowed: only the top folder's
//     .gitattributes, info/attributes and the global and system files may
//     define them (macroOK); git says "[attr]NAME not allowed: FILE:LINE";
//   - a name that is not an attribute's, in a state or after "[attr]":
//     letters, digits, '-', '.' and '_', not starting with '-'; git says
//     "NAME is not a valid attribute name: FILE:LINE", and ignores the
//     whole line, its valid states too;
//   - a negative pattern ("!..."; git warns "Negative patterns are ignored
//     in git attributes"); "\!" matches a leading '!'.
//
// A pattern may be C-quoted, as git writes paths; one whose quotes do not
// close is read as it stands, up to a blank.
func parseLine(line string, macroOK bool) (attrLine, bool) {
	var l attrLine
	name, rest := "", ""
	quoted := false
	if line[0] == '"' {
		if p, n, ok := unquoteC(line); ok {
			name, rest, quoted = p, line[n:], true
		}
	}
	if !quoted {
		i := strings.IndexAny(line, attrBlank)
		if i < 0 {
			i = len(line)
		}
		name, rest = line[:i], line[i:]
	}
	if m, ok := strings.CutPrefix(name, "[attr]"); ok && m != "" {
		if !macroOK {
			return l, false
		}
		m = strings.TrimLeft(m, attrBlank)
		if i := strings.IndexAny(m, attrBlank); i >= 0 {
			m = m[:i]
		}
		if !validAttrName(m) {
			return l, false
		}
		l.macro = m
	}
	for _, word := range strings.FieldsFunc(rest, func(r rune) bool { return strings.ContainsRune(attrBlank, r) }) {
		n, value := word, stateSet
		if eq := strings.IndexByte(word, '='); eq >= 0 {
			n, value = word[:eq], word[eq+1:]
		}
		switch word[0] {
		case '-':
			n, value = n[1:], stateUnset
		case '!':
			n, value = n[1:], stateUnspecified
		}
		if !validAttrName(n) {
			return l, false
		}
		l.states = append(l.states, attrState{name: n, value: value})
	}
	if l.macro != "" {
		return l, true
	}
	if name == "" || name[0] == '!' {
		return l, false
	}
	if strings.HasSuffix(name, "/") {
		l.dirOnly = true
		name = name[:len(name)-1]
	}
	if strings.Contains(name, "/") {
		l.anchored = true
		name = strings.TrimPrefix(name, "/")
	}
	l.pattern = name
	return l, true
}

// validAttrName is attr.c's attr_name_valid.
func validAttrName(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c == '.' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
