package attributes

import (
	"bytes"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Limits git 2.39.5 puts on attributes (attr.h, attr.c; CVE-2022-23521):
// a file of maxFileSize bytes or more is ignored whole, and a line (not
// blank, not a comment) of maxLineLength bytes or more is ignored.
const (
	maxFileSize   = 100 << 20
	maxLineLength = 2048
)

// readFile reads an attributes file as git's read_attr_from_file does:
// nil when it cannot be read or is too large (tooLarge, which git warns
// about); with inTree (a work tree's .gitattributes, opened by git with
// O_NOFOLLOW) nil when it is a symbolic link, which git refuses ("Too many
// levels of symbolic links").
func readFile(file string, inTree bool) (data []byte, tooLarge bool) {
	stat := os.Stat
	if inTree {
		stat = os.Lstat
	}
	fi, err := stat(file)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	if fi.Size() >= maxFileSize {
		return nil, true
	}
	data, err = os.ReadFile(file)
	if err != nil || len(data) >= maxFileSize {
		return nil, err == nil
	}
	return data, false
}

// lines yields an attributes file's lines as git reads them
// (strbuf_getline and handle_attr_line): a UTF-8 byte order mark dropped
// from the first, CRLF as LF, leading blanks (space, tab, CR) skipped,
// and blank lines, comments and lines too long (maxLineLength, counted
// before the blanks are skipped) left out.
func lines(data []byte) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, text := range numberedLines(data) {
			if text != lineTooLong && !yield(text) {
				return
			}
		}
	}
}

// lineTooLong stands for a line numberedLines leaves out for its length.
const lineTooLong = "\x00too long"

// numberedLines is lines with each line's number (from 1), and the lines
// too long as lineTooLong.
func numberedLines(data []byte) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		n := 0
		for line := range bytes.Lines(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))) {
			n++
			line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
			text := bytes.TrimLeft(line, " \t\r")
			if len(text) == 0 || text[0] == '#' {
				continue
			}
			t := lineTooLong
			if len(line) < maxLineLength {
				t = string(bytes.TrimRight(text, "\r"))
			}
			if !yield(n, t) {
				return
			}
		}
	}
}

// warner keeps what git warns about in the attribute files read (a file
// or a line it ignores), once each, in the order met. Safe for concurrent
// use.
type warner struct {
	mu   sync.Mutex
	seen map[string]bool
	list []string
}

// file notes what git would warn about in the file name (as messages name
// it) read as data, tooLarge when readFile left it out for its size;
// macroOK as parseLine's.
func (w *warner) file(name string, data []byte, tooLarge, macroOK bool) {
	if tooLarge {
		w.add(name + ": git ignores this file: it is 100 MiB or more")
		return
	}
	for n, text := range numberedLines(data) {
		why := "it is 2,048 bytes or more"
		if text != lineTooLong {
			if _, _, why = parseLine(text, macroOK); why == "" {
				continue
			}
		}
		w.add(fmt.Sprintf("%s:%d: git ignores this line: %s", name, n, why))
	}
}

// read reads the attributes file at path (as readFile), noting what git
// would warn about under name.
func (w *warner) read(path, name string, inTree, macroOK bool) []byte {
	data, tooLarge := readFile(path, inTree)
	w.file(name, data, tooLarge, macroOK)
	return data
}

// readDir reads the .gitattributes of the work tree's folder dir ("" for
// the top), as read.
func (w *warner) readDir(workTree, dir string) []byte {
	name := ".gitattributes"
	if dir != "" {
		name = dir + "/" + name
	}
	return w.read(filepath.Join(workTree, filepath.FromSlash(name)), name, true, dir == "")
}

func (w *warner) add(msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.seen[msg] {
		if w.seen == nil {
			w.seen = map[string]bool{}
		}
		w.seen[msg] = true
		w.list = append(w.list, msg)
	}
}

// warnings returns what was noted so far; the slice is the caller's.
func (w *warner) warnings() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.list)
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
// git's parse_attr_line does, and says false where git ignores the line,
// with why for those git warns about:
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
func parseLine(line string, macroOK bool) (l attrLine, ok bool, why string) {
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
			return l, false, "[attr]" + m + " defines a macro below the top folder"
		}
		m = strings.TrimLeft(m, attrBlank)
		if i := strings.IndexAny(m, attrBlank); i >= 0 {
			m = m[:i]
		}
		if !validAttrName(m) {
			return l, false, fmt.Sprintf("%q is not a valid attribute name", m)
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
			return l, false, fmt.Sprintf("%q is not a valid attribute name", n)
		}
		l.states = append(l.states, attrState{name: n, value: value})
	}
	if l.macro != "" {
		return l, true, ""
	}
	if name == "" {
		return l, false, ""
	}
	if name[0] == '!' {
		return l, false, "its pattern is negative (\\! matches a leading '!')"
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
	return l, true, ""
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
