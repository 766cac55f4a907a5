package analysis

import (
	"strings"

	"github.com/gitwalk/gitwalk/walker"
)

// Trailer is one "Key: value" line of a message's trailer block.
type Trailer struct {
	Key, Value string
}

// Trailers returns the trailers of a commit message as
// `git interpret-trailers --parse` finds them (git 2.39 trailer.c): the
// last paragraph, when it is not the subject, is the trailer block if all
// its lines are "Key: value" trailers (or continuation lines, which start
// with white space), or if at least a quarter are and one of them is a
// Signed-off-by: line. Keys keep their spelling; values are trimmed and
// continuation lines joined with a space.
func Trailers(msg string) []Trailer {
	msg = strings.TrimRight(msg, " \t\r\n")
	lines := strings.Split(msg, "\n")
	// The last paragraph: after the last blank line.
	start := len(lines)
	for start > 0 && strings.TrimSpace(lines[start-1]) != "" {
		start--
	}
	if start == 0 {
		return nil // only a subject paragraph
	}
	block := lines[start:]
	var out []Trailer
	trailers, others, signedOff := 0, 0, false
	for _, line := range block {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "#") {
			continue // a comment line, as git's default comment char
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		key, value, ok := splitTrailer(line)
		if !ok {
			others++
			continue
		}
		trailers++
		if strings.EqualFold(key, "Signed-off-by") {
			signedOff = true
		}
		out = append(out, Trailer{Key: key, Value: value})
	}
	if trailers == 0 || (others > 0 && !(signedOff && trailers*3 >= others)) {
		return nil
	}
	return out
}

// splitTrailer splits "Key: value" where Key is letters, digits and '-'
// (git allows white space before the separator).
func splitTrailer(line string) (key, value string, ok bool) {
	i := strings.IndexByte(line, ':')
	if i <= 0 {
		return "", "", false
	}
	key = strings.TrimRight(line[:i], " \t")
	if key == "" {
		return "", "", false
	}
	for j := 0; j < len(key); j++ {
		c := key[j]
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", "", false
		}
	}
	return key, strings.TrimSpace(line[i+1:]), true
}

// CoAuthors returns the identities of a message's Co-authored-by: trailers
// (the key in any case), in message order. A value that is not
// "Name <email>" is skipped.
func CoAuthors(msg string) []walker.Signature {
	if !strings.Contains(msg, ":") {
		return nil
	}
	var out []walker.Signature
	for _, t := range Trailers(msg) {
		if !strings.EqualFold(t.Key, "Co-authored-by") {
			continue
		}
		lt, gt := strings.IndexByte(t.Value, '<'), strings.LastIndexByte(t.Value, '>')
		if lt < 0 || gt < lt {
			continue
		}
		out = append(out, walker.Signature{Name: strings.TrimSpace(t.Value[:lt]), Email: strings.TrimSpace(t.Value[lt+1 : gt])})
	}
	return out
}
