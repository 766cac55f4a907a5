package config

import (
	"fmt"
	"strings"
)

// entry is one variable of a config file, in file order: its section and
// key lowercased, its subsection as written (lowercased in the old
// `[section.sub]` form, as git does; hasSub says there is one, empty or
// not), and its value; noValue says the key stood alone, without `=`
// (git's NULL value: true as a boolean). A key before any section header
// has neither section nor subsection.
type entry struct {
	section, subsection, key string
	hasSub                   bool
	value                    string
	noValue                  bool
}

// name is the entry's variable as git prints it: section, subsection (when
// there is one) and key, joined by dots.
func (e entry) name() string {
	switch {
	case e.section == "" && !e.hasSub:
		return e.key
	case !e.hasSub:
		return e.section + "." + e.key
	}
	return e.section + "." + e.subsection + "." + e.key
}

// is says whether e is the variable section.key, with no subsection.
func (e entry) is(section, key string) bool {
	return !e.hasSub && e.section == section && e.key == key
}

// parse reads a config file's text as git 2.39's parser does
// (git_parse_source, get_base_var, get_value, parse_value in config.c):
// a UTF-8 byte order mark is skipped; `#` and `;` start comments outside
// quotes; `[section]`, `[section "sub"]` (backslash escapes any byte of
// sub) and `[section.sub]` open sections, and a variable may follow `]`
// on its line; keys start with a letter and hold letters, digits and `-`;
// values drop their leading and trailing blanks, turn each inner blank
// outside quotes into a space, and know the escapes \n, \t, \b, \\, \"
// and a backslash ending the line, which continues it. CRLF reads as LF.
// A line git rejects is an error naming its number, as git's "bad config
// line N".
func parse(text []byte) ([]entry, error) {
	p := parser{text: text, line: 1}
	return p.run()
}

type parser struct {
	text []byte
	pos  int
	line int
	eof  bool
}

// next returns the next character, CRLF as '\n' and the end of the text
// as a last '\n' (get_next_char).
func (p *parser) next() byte {
	if p.pos >= len(p.text) {
		if !p.eof {
			p.eof = true
			p.line++
		}
		return '\n'
	}
	c := p.text[p.pos]
	p.pos++
	if c == '\r' && p.pos < len(p.text) && p.text[p.pos] == '\n' {
		c = '\n'
		p.pos++
	}
	if c == '\n' {
		p.line++
	}
	return c
}

// isSpace is C's isspace as git's sane_ctype has it: space, \t, \n, \v
// (no), \f (no), \r.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isKeyChar(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' || c == '-' }

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func (p *parser) run() ([]entry, error) {
	var out []entry
	if len(p.text) >= 3 && string(p.text[:3]) == "\xef\xbb\xbf" {
		p.pos = 3
	}
	var section, subsection string
	var hasSub bool
	comment := false
	for {
		c := p.next()
		switch {
		case c == '\n':
			if p.eof {
				return out, nil
			}
			comment = false
			continue
		case comment:
			continue
		case isSpace(c):
			continue
		case c == '#' || c == ';':
			comment = true
			continue
		case c == '[':
			var ok bool
			section, subsection, hasSub, ok = p.sectionHeader()
			if !ok {
				return nil, p.bad()
			}
			continue
		case !isAlpha(c):
			return nil, p.bad()
		}
		e, ok := p.variable(c)
		if !ok {
			return nil, p.bad()
		}
		// A key before any section is a variable of no section, as in git.
		e.section, e.subsection, e.hasSub = section, subsection, hasSub
		out = append(out, e)
	}
}

func (p *parser) bad() error {
	return fmt.Errorf("bad config line %d", p.line)
}

// sectionHeader reads what follows '[' (get_base_var,
// get_extended_base_var). git builds the variable's stem, the name and
// (in the `[name "sub"]` form) a dot and the subsection, and splits it at
// its first dot: in the old form, `[name.sub]`, the rest of the name is
// the subsection, lowercased with it. An empty name is allowed before a
// subsection, as in git (`[.x]`, `[ "x"]`).
func (p *parser) sectionHeader() (section, subsection string, hasSub, ok bool) {
	var name []byte
	for {
		c := p.next()
		if p.eof {
			return "", "", false, false
		}
		if c == ']' {
			if len(name) == 0 {
				return "", "", false, false
			}
			break
		}
		if isSpace(c) {
			sub, ok := p.extendedSection(c)
			if !ok {
				return "", "", false, false
			}
			name = append(append(name, '.'), sub...)
			break
		}
		if !isKeyChar(c) && c != '.' {
			return "", "", false, false
		}
		name = append(name, lower(c))
	}
	stem := string(name)
	if i := strings.IndexByte(stem, '.'); i >= 0 {
		return stem[:i], stem[i+1:], true, true
	}
	return stem, "", false, true
}

// extendedSection reads ` "sub"]` after a section's name; c is the blank
// that ended the name. A line that ends inside it is an error on that
// line (git's error_incomplete_line).
func (p *parser) extendedSection(c byte) (string, bool) {
	incomplete := func() (string, bool) {
		p.line--
		return "", false
	}
	for isSpace(c) {
		if c == '\n' {
			return incomplete()
		}
		c = p.next()
	}
	if c != '"' {
		return "", false
	}
	var sub []byte
	for {
		c := p.next()
		if c == '\n' {
			return incomplete()
		}
		if c == '"' {
			break
		}
		if c == '\\' {
			if c = p.next(); c == '\n' {
				return incomplete()
			}
		}
		sub = append(sub, c)
	}
	if p.next() != ']' {
		return "", false
	}
	return string(sub), true
}

// variable reads a key, starting with c, and its value (get_value).
func (p *parser) variable(c byte) (entry, bool) {
	key := []byte{lower(c)}
	for {
		c = p.next()
		if p.eof || !isKeyChar(c) {
			break
		}
		key = append(key, lower(c))
	}
	for c == ' ' || c == '\t' {
		c = p.next()
	}
	e := entry{key: string(key)}
	if c == '\n' {
		e.noValue = true
		return e, true
	}
	if c != '=' {
		return e, false
	}
	v, ok := p.value()
	e.value = v
	return e, ok
}

// value reads a value after '=' to the end of its line (parse_value).
func (p *parser) value() (string, bool) {
	var v []byte
	quote, comment, space := false, false, 0
	for {
		c := p.next()
		if c == '\n' {
			if quote {
				p.line-- // git names the line the quote is open on
				return "", false
			}
			return string(v), true
		}
		if comment {
			continue
		}
		if isSpace(c) && !quote {
			if len(v) > 0 {
				space++
			}
			continue
		}
		if !quote && (c == ';' || c == '#') {
			comment = true
			continue
		}
		for ; space > 0; space-- {
			v = append(v, ' ')
		}
		switch c {
		case '\\':
			switch c = p.next(); c {
			case '\n':
				continue
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'n':
				c = '\n'
			case '\\', '"':
			default:
				return "", false
			}
			v = append(v, c)
		case '"':
			quote = !quote
		default:
			v = append(v, c)
		}
	}
}
