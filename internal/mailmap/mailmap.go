// Package mailmap reads .mailmap files and maps author identities to
// canonical ones exactly as git 2.39 does (mailmap.c): the same line forms,
// the same comments, ASCII case-insensitive matching of emails and names,
// and the same precedence of later lines over earlier ones.
//
// The four forms of a line are
//
//	Proper Name <commit@email>
//	<proper@email> <commit@email>
//	Proper Name <proper@email> <commit@email>
//	Proper Name <proper@email> Commit Name <commit@email>
//
// A line whose first byte is '#' is a comment; anything else that does not
// parse as one of these forms is ignored, as git ignores it.
//
// Load gathers a repository's mailmap from its three sources in git's
// order (the work tree's .mailmap, mailmap.blob, mailmap.file). The tests
// compare Lookup and Load with `git check-mailmap` on the same files.
package mailmap

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
)

// Map is a set of mailmap entries. The zero value and a nil *Map map every
// identity to itself. Adding entries is not safe for concurrent use;
// once built, a Map is safe for concurrent lookups.
type Map struct {
	byEmail map[string]*entry // key: the commit email, ASCII lower-cased
	// digest names every text added, in order, and how (Add or AddFile).
	digest [32]byte
}

// Digest names what the map was made of: the texts given to Add and
// AddFile, in order, each with how it was read. Two maps with one digest
// map every identity alike; a nil or empty map has the zero digest.
func (m *Map) Digest() [32]byte {
	if m == nil {
		return [32]byte{}
	}
	return m.digest
}

// mix adds a text to the digest: the digest so far, how it was read, its
// length and bytes.
func (m *Map) mix(how byte, data []byte) {
	h := sha256.New()
	h.Write(m.digest[:])
	h.Write([]byte{how})
	h.Write(binary.AppendUvarint(nil, uint64(len(data))))
	h.Write(data)
	h.Sum(m.digest[:0])
}

// replacement is what an identity is mapped to; an absent part is kept.
type replacement struct {
	name, email       string
	hasName, hasEmail bool
}

// entry is everything known for one commit email: the email-only mapping
// and the mappings that also need the commit name to match.
type entry struct {
	simple replacement
	byName map[string]replacement // key: the commit name, ASCII lower-cased
}

// Len returns the number of distinct commit emails the map has entries for.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.byEmail)
}

// Add reads mailmap text as git reads a blob (mailmap.blob, HEAD:.mailmap):
// lines split at '\n', the text ending at its first NUL byte. Later entries
// override earlier ones, also across calls, so sources are added in git's
// order of precedence, lowest first.
func (m *Map) Add(data []byte) {
	m.mix('b', data)
	if i := bytes.IndexByte(data, 0); i >= 0 {
		data = data[:i]
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		m.addLine(line)
	}
}

// fgetsSize is the buffer git reads mailmap files with (char buffer[1024]
// and fgets): a longer line is read, and parsed, as several.
const fgetsSize = 1024

// AddFile reads mailmap text as git reads a file (the work tree's .mailmap,
// mailmap.file): with fgets into a 1024-byte buffer, so each piece of at
// most 1023 bytes ending at a '\n' is a line of its own, and a piece ends at
// its first NUL byte. Precedence is as for Add.
func (m *Map) AddFile(data []byte) {
	m.mix('f', data)
	for len(data) > 0 {
		n := fgetsSize - 1
		if n > len(data) {
			n = len(data)
		}
		if i := bytes.IndexByte(data[:n], '\n'); i >= 0 {
			n = i + 1
		}
		line := data[:n]
		data = data[n:]
		if i := bytes.IndexByte(line, 0); i >= 0 {
			line = line[:i]
		}
		m.addLine(line)
	}
}

// addLine is git's read_mailmap_line.
func (m *Map) addLine(line []byte) {
	if len(line) > 0 && line[0] == '#' {
		return
	}
	name1, email1, rest, ok := parseNameEmail(line, false)
	if !ok {
		return
	}
	var name2, email2 []byte
	var has2 bool
	if rest != nil {
		name2, email2, _, has2 = parseNameEmail(rest, true)
	}
	if !has2 {
		name2, email2 = nil, nil
	}
	m.add(name1, email1, name2, email2, has2)
}

// parseNameEmail is git's parse_name_and_email: the name before the first
// '<' (whitespace trimmed; nil when empty), the email up to the first '>'
// after it, and what follows (nil when nothing does).
func parseNameEmail(b []byte, allowEmptyEmail bool) (name, email, rest []byte, ok bool) {
	left := bytes.IndexByte(b, '<')
	if left < 0 {
		return nil, nil, nil, false
	}
	right := bytes.IndexByte(b[left+1:], '>')
	if right < 0 {
		return nil, nil, nil, false
	}
	right += left + 1
	if !allowEmptyEmail && right == left+1 {
		return nil, nil, nil, false
	}
	start, end := 0, left
	for start < end && isSpace(b[start]) {
		start++
	}
	for end > start && isSpace(b[end-1]) {
		end--
	}
	if start < end {
		name = b[start:end]
	}
	email = b[left+1 : right]
	if right+1 < len(b) {
		rest = b[right+1:]
	}
	return name, email, rest, true
}

// isSpace is git's locale-independent isspace (ctype.c): tab, LF, CR, space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// add is git's add_mapping. A line with one address maps that email; a line
// with two maps the second (with the second name, when given, only for that
// name).
func (m *Map) add(newName, newEmail, oldName, oldEmail []byte, hasOld bool) {
	if !hasOld {
		oldEmail, newEmail = newEmail, nil
	}
	if m.byEmail == nil {
		m.byEmail = map[string]*entry{}
	}
	key := fold(oldEmail)
	e := m.byEmail[key]
	if e == nil {
		e = &entry{}
		m.byEmail[key] = e
	}
	if oldName == nil {
		// A simple entry replaces only the parts it gives.
		if newName != nil {
			e.simple.name, e.simple.hasName = string(newName), true
		}
		if newEmail != nil {
			e.simple.email, e.simple.hasEmail = string(newEmail), true
		}
		return
	}
	if e.byName == nil {
		e.byName = map[string]replacement{}
	}
	e.byName[fold(oldName)] = replacement{
		name: string(newName), hasName: newName != nil,
		email: string(newEmail), hasEmail: newEmail != nil,
	}
}

// fold lower-cases ASCII letters only, as strcasecmp does for the bytes of
// UTF-8 text.
func fold(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

// foldString is fold for a string, without allocating when s has no upper
// case ASCII letter.
func foldString(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return fold([]byte(s))
		}
	}
	return s
}

// Lookup returns the canonical name and email of the identity name <email>,
// as git's map_user: an entry for the email and name wins over the
// email-only entry, parts an entry does not give are kept, and ok says
// whether any entry applied.
func (m *Map) Lookup(name, email string) (canonName, canonEmail string, ok bool) {
	if m == nil || len(m.byEmail) == 0 {
		return name, email, false
	}
	e := m.byEmail[foldString(email)]
	if e == nil {
		return name, email, false
	}
	r := e.simple
	if len(e.byName) > 0 {
		if byName, found := e.byName[foldString(name)]; found {
			r = byName
		}
	}
	if !r.hasName && !r.hasEmail {
		return name, email, false
	}
	if r.hasName {
		name = r.name
	}
	if r.hasEmail {
		email = r.email
	}
	return name, email, true
}
