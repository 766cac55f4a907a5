package odb

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrBadCommit is the cause of errors from ParseCommit.
var ErrBadCommit = errors.New("malformed commit")

// Signature is an author or committer line, split as git splits an ident
// (split_ident_line in git's ident.c). Its byte slices alias the commit
// data it was parsed from.
type Signature struct {
	Name  []byte // the name, trailing spaces trimmed
	Email []byte // between '<' and the first '>' after it
	// When is the Unix time after the last '>' of the line; 0 when the
	// line has no well-formed time (HasTime false).
	When    int64
	HasTime bool
	// Zone is the raw time zone, such as "+0100"; empty when absent.
	Zone []byte
	// Offset is Zone as minutes east of UTC (git reads "+hhmm").
	Offset int
}

// CommitInfo is a parsed commit. Its byte slices (signatures, Message)
// alias the data it was parsed from: copy them to keep them past it.
type CommitInfo struct {
	Tree    ID
	Parents []ID
	// Author and Committer are the author and committer lines; a missing
	// line leaves its Signature zero.
	Author, Committer Signature
	// Date is the commit date by which git's default revision walk sorts
	// commits, computed exactly as git 2.39's parse_commit_date: the
	// number (C strtoumax, base 10) after the first '>' found from the
	// start of the committer line, which must directly follow the author
	// line after the parents; 0 when that shape is absent. It is
	// unsigned, as git's timestamp_t: compare it unsigned.
	Date uint64
	// Encoding is the value of the encoding header, if any.
	Encoding []byte
	// Message is everything after the blank line that ends the headers.
	Message []byte
}

// ParseCommit parses raw commit data as git does: a "tree" line first,
// then "parent" lines, then other headers; a commit without a valid tree
// line or with a malformed parent line is an error, as it is for git
// (parse_commit_buffer). The result aliases data.
func ParseCommit(data []byte) (CommitInfo, error) {
	var c CommitInfo
	err := ParseCommitInto(&c, data)
	return c, err
}

// ParseCommitInto is ParseCommit writing into c, reusing the capacity of
// c.Parents so that parsing in a loop does not allocate.
func ParseCommitInto(c *CommitInfo, data []byte) error {
	parents := c.Parents[:0]
	*c = CommitInfo{}
	const treeLen = len("tree ") + 40
	if len(data) <= treeLen+1 || !bytes.HasPrefix(data, []byte("tree ")) || data[treeLen] != '\n' {
		c.Parents = parents
		return fmt.Errorf("%w: no tree line", ErrBadCommit)
	}
	if !decodeHexID(&c.Tree, data[5:treeLen]) {
		c.Parents = parents
		return fmt.Errorf("%w: bad tree id", ErrBadCommit)
	}
	pos := treeLen + 1
	const parentLen = len("parent ") + 40
	for pos+parentLen < len(data) && bytes.HasPrefix(data[pos:], []byte("parent ")) {
		var p ID
		if !decodeHexID(&p, data[pos+7:pos+parentLen]) || data[pos+parentLen] != '\n' {
			c.Parents = parents
			return fmt.Errorf("%w: bad parent line", ErrBadCommit)
		}
		parents = append(parents, p)
		pos += parentLen + 1
	}
	c.Parents = parents
	c.Date = commitDate(data[pos:])

	// The remaining headers, up to the first empty line.
	for pos < len(data) {
		eol := bytes.IndexByte(data[pos:], '\n')
		var line []byte
		next := len(data)
		if eol < 0 {
			line = data[pos:]
		} else {
			line = data[pos : pos+eol]
			next = pos + eol + 1
		}
		if len(line) == 0 {
			c.Message = data[next:]
			return nil
		}
		switch {
		case bytes.HasPrefix(line, []byte("author ")) && c.Author.Name == nil && c.Author.Email == nil:
			c.Author = parseSignature(line[len("author "):])
		case bytes.HasPrefix(line, []byte("committer ")) && c.Committer.Name == nil && c.Committer.Email == nil:
			c.Committer = parseSignature(line[len("committer "):])
		case bytes.HasPrefix(line, []byte("encoding ")) && c.Encoding == nil:
			c.Encoding = line[len("encoding "):]
		}
		pos = next
	}
	c.Message = data[len(data):]
	return nil
}

// decodeHexID decodes 40 hex digits (either case) into id.
func decodeHexID(id *ID, b []byte) bool {
	if len(b) != 40 {
		return false
	}
	_, err := hex.Decode(id[:], b)
	return err == nil
}

// commitDate is git 2.39's parse_commit_date on the data after the parent
// lines.
func commitDate(b []byte) uint64 {
	if len(b) <= 6 || !bytes.HasPrefix(b, []byte("author")) {
		return 0
	}
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return 0
	}
	b = b[i+1:]
	if len(b) <= 9 || !bytes.HasPrefix(b, []byte("committer")) {
		return 0
	}
	gt := bytes.IndexByte(b, '>')
	if gt < 0 || gt+1 >= len(b) {
		return 0
	}
	b = b[gt+1:]
	// git also gives 0 when that newline is the last byte of the commit.
	if nl := bytes.IndexByte(b, '\n'); nl < 0 || nl+1 >= len(b) {
		return 0
	}
	return strtoumax(b)
}

// strtoumax is C's strtoumax(s, NULL, 10) on b: leading white space, an
// optional sign, decimal digits; negative values wrap around and overflow
// saturates, as in C.
func strtoumax(b []byte) uint64 {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var v uint64
	overflow := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if v > (^uint64(0)-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if overflow {
		return ^uint64(0)
	}
	if neg {
		return -v
	}
	return v
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// parseSignature splits an ident line ("Name <email> 1234567890 +0100")
// as git's split_ident_line does; a line without '<' or '>' gives a
// Signature holding only what could be found.
func parseSignature(line []byte) Signature {
	var s Signature
	lt := bytes.IndexByte(line, '<')
	if lt < 0 {
		s.Name = line
		return s
	}
	name := line[:lt]
	for len(name) > 0 && isCSpace(name[len(name)-1]) {
		name = name[:len(name)-1]
	}
	s.Name = name
	gt := bytes.IndexByte(line[lt+1:], '>')
	if gt < 0 {
		s.Email = line[lt+1:]
		return s
	}
	s.Email = line[lt+1 : lt+1+gt]
	// The time follows the last '>' of the line.
	rest := line[bytes.LastIndexByte(line, '>')+1:]
	i := 0
	for i < len(rest) && isCSpace(rest[i]) {
		i++
	}
	start := i
	var when uint64
	overflow := false
	for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
		if when > (1<<63-1)/10 {
			overflow = true
		}
		when = when*10 + uint64(rest[i]-'0')
	}
	if i == start {
		return s
	}
	for i < len(rest) && isCSpace(rest[i]) {
		i++
	}
	if i >= len(rest) || (rest[i] != '+' && rest[i] != '-') {
		return s
	}
	tz := i
	i++
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == tz+1 {
		return s
	}
	if !overflow {
		s.When = int64(when)
	}
	s.HasTime = !overflow
	s.Zone = rest[tz:i]
	s.Offset = zoneMinutes(s.Zone)
	return s
}

// zoneMinutes reads a "+hhmm" zone as minutes east of UTC, taking the
// digits as git's tz handling does (hh*60 + mm of the decimal value).
func zoneMinutes(z []byte) int {
	v := 0
	for _, c := range z[1:] {
		v = v*10 + int(c-'0')
		if v > 1<<20 {
			break
		}
	}
	m := v/100*60 + v%100
	if z[0] == '-' {
		m = -m
	}
	return m
}
