package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Git file modes as they appear in tree objects.
const (
	modeFile    = "100644"
	modeExec    = "100755"
	modeLink    = "120000"
	modeGitlink = "160000"
)

// entry is one path of a snapshot: its mode and its content (the symlink
// target for links, the 40-hex commit id for gitlinks).
type entry struct {
	mode string
	data []byte
}

func file(s string) entry            { return entry{modeFile, []byte(s)} }
func fileBytes(b []byte) entry       { return entry{modeFile, b} }
func execFile(s string) entry        { return entry{modeExec, []byte(s)} }
func link(target string) entry       { return entry{modeLink, []byte(target)} }
func gitlink(commitHex string) entry { return entry{modeGitlink, []byte(commitHex)} }

// gone deletes a path when used in a change set.
var gone = entry{}

// changes maps paths to their new entry; gone deletes the path.
type changes map[string]entry

// snapshot is a whole tree: every file path with its entry.
type snapshot map[string]entry

// commit is a commit already written to the stream, known by its mark.
type commit struct {
	mark int
	tree snapshot
}

// when holds the fixed dates of one commit (epoch seconds) and its zone.
type when struct {
	author, committer int64
	zone              string
}

// base is the epoch time all fixture dates count from (2023-11-14T22:13:20Z).
const base = 1700000000

// at is a commit made at base+sec, authored and committed at the same time.
func at(sec int64) when { return when{base + sec, base + sec, "+0000"} }

// raw is a commit at exactly the epoch second sec (the revwalk sheet's dates).
func raw(sec int64) when { return when{sec, sec, "+0000"} }

// stream accumulates a git fast-import stream for one fixture. Marks keep
// counting across flushes, since the marks file is carried over.
type stream struct {
	buf     bytes.Buffer
	marks   int
	blobs   map[string]int // content -> blob mark, so each blob is written once
	lastRef map[string]int // last notes commit per notes ref
	author  string         // "Name <email>" for the next commits' author; "" = A U Thor
}

func newStream() *stream {
	return &stream{blobs: map[string]int{}, lastRef: map[string]int{}}
}

func (s *stream) next() int { s.marks++; return s.marks }

// blob writes content once and returns its mark.
func (s *stream) blob(content []byte) int {
	if m, ok := s.blobs[string(content)]; ok {
		return m
	}
	m := s.next()
	fmt.Fprintf(&s.buf, "blob\nmark :%d\ndata %d\n", m, len(content))
	s.buf.Write(content)
	s.buf.WriteString("\n")
	s.blobs[string(content)] = m
	return m
}

func (s *stream) data(msg string) {
	fmt.Fprintf(&s.buf, "data %d\n%s\n", len(msg), msg)
}

func ident(role string, t int64, zone string) string {
	switch role {
	case "author":
		return fmt.Sprintf("author A U Thor <author@example.com> %d %s\n", t, zone)
	case "tagger":
		return fmt.Sprintf("tagger T A Gger <tagger@example.com> %d %s\n", t, zone)
	default:
		return fmt.Sprintf("committer C O Mitter <committer@example.com> %d %s\n", t, zone)
	}
}

// apply returns parent's snapshot (or an empty one) with ch applied. It
// panics when the result holds a path that is also a directory of another
// path: the fixture must delete one of them in the same change set.
func apply(parent snapshot, ch changes) snapshot {
	t := snapshot{}
	for p, e := range parent {
		t[p] = e
	}
	for p, e := range ch {
		if e.mode == "" {
			if _, ok := t[p]; !ok {
				panic(fmt.Sprintf("gen: deleting %q, which is not in the tree", p))
			}
			delete(t, p)
			continue
		}
		t[p] = e
	}
	for p := range t {
		for i := 0; i < len(p); i++ {
			if p[i] == '/' {
				if _, ok := t[p[:i]]; ok {
					panic(fmt.Sprintf("gen: %q is both a file and a directory of %q; delete one", p[:i], p))
				}
			}
		}
	}
	return t
}

// commitOn writes a commit on ref with the given parents (first parent first)
// whose tree is the first parent's tree (empty for a root) with ch applied.
func (s *stream) commitOn(ref, subject string, w when, parents []*commit, ch changes) *commit {
	var prev snapshot
	if len(parents) > 0 {
		prev = parents[0].tree
	}
	return s.commitTree(ref, subject, w, parents, apply(prev, ch))
}

// commitBy is commitOn with author ("Name <email>") as the author and msg
// as the whole message.
func (s *stream) commitBy(ref, author, msg string, w when, parents []*commit, ch changes) *commit {
	s.author = author
	defer func() { s.author = "" }()
	return s.commitOn(ref, msg, w, parents, ch)
}

// commitTree writes a commit on ref with exactly the tree t.
func (s *stream) commitTree(ref, subject string, w when, parents []*commit, t snapshot) *commit {
	paths := make([]string, 0, len(t))
	for p := range t {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	blobMarks := map[string]int{}
	for _, p := range paths {
		if e := t[p]; e.mode != modeGitlink {
			blobMarks[p] = s.blob(e.data)
		}
	}
	m := s.next()
	// reset first, so that a root commit on an existing ref has no parent.
	fmt.Fprintf(&s.buf, "reset %s\ncommit %s\nmark :%d\n", ref, ref, m)
	if s.author != "" {
		fmt.Fprintf(&s.buf, "author %s %d %s\n", s.author, w.author, w.zone)
	} else {
		s.buf.WriteString(ident("author", w.author, w.zone))
	}
	s.buf.WriteString(ident("committer", w.committer, w.zone))
	s.data(subject + "\n")
	for i, p := range parents {
		if i == 0 {
			fmt.Fprintf(&s.buf, "from :%d\n", p.mark)
		} else {
			fmt.Fprintf(&s.buf, "merge :%d\n", p.mark)
		}
	}
	s.buf.WriteString("deleteall\n")
	for _, p := range paths {
		e := t[p]
		if e.mode == modeGitlink {
			fmt.Fprintf(&s.buf, "M %s %s %s\n", e.mode, e.data, quote(p))
		} else {
			fmt.Fprintf(&s.buf, "M %s :%d %s\n", e.mode, blobMarks[p], quote(p))
		}
	}
	s.buf.WriteString("\n")
	return &commit{mark: m, tree: t}
}

// ref points ref (a branch or a lightweight tag) at c.
func (s *stream) ref(ref string, c *commit) {
	fmt.Fprintf(&s.buf, "reset %s\nfrom :%d\n\n", ref, c.mark)
}

// tag writes an annotated tag refs/tags/name pointing at c.
func (s *stream) tag(name string, c *commit, w when, message string) {
	fmt.Fprintf(&s.buf, "tag %s\nfrom :%d\n", name, c.mark)
	s.buf.WriteString(ident("tagger", w.committer, w.zone))
	s.data(message + "\n")
}

// note attaches a note with text to c on the notes ref (refs/notes/...).
func (s *stream) note(ref string, c *commit, w when, text string) {
	b := s.blob([]byte(text + "\n"))
	m := s.next()
	fmt.Fprintf(&s.buf, "commit %s\nmark :%d\n", ref, m)
	s.buf.WriteString(ident("author", w.author, w.zone))
	s.buf.WriteString(ident("committer", w.committer, w.zone))
	s.data("Notes added by gen\n")
	if prev, ok := s.lastRef[ref]; ok {
		fmt.Fprintf(&s.buf, "from :%d\n", prev)
	}
	fmt.Fprintf(&s.buf, "N :%d :%d\n\n", b, c.mark)
	s.lastRef[ref] = m
}

// take returns the stream written since the last take and empties it.
func (s *stream) take() []byte {
	out := append([]byte(nil), s.buf.Bytes()...)
	s.buf.Reset()
	return append(out, "done\n"...)
}

// quote writes a path in fast-import's C-style quoting, which accepts any
// byte: quotes, backslashes and control bytes escaped, bytes >= 0x80 octal.
func quote(p string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
