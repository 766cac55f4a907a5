package odb

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestParseCommitMatchesGitLog(t *testing.T) {
	dir := newRepo(t, 12)
	// One line per commit: id, tree, parents, author name, email, time,
	// zone, committer name, email, time, zone.
	out := git(t, dir, nil, "log", "--format=%H|%T|%P|%an|%ae|%at|%ad|%cn|%ce|%ct|%cd", "--date=format:%z", "main")
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := db.NewReader()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, line := range lines {
		f := strings.Split(line, "|")
		id, _ := ParseID(f[0])
		typ, data, err := r.Read(id, nil)
		if err != nil || typ != Commit {
			t.Fatalf("Read %s: %v %v", id, typ, err)
		}
		c, err := ParseCommit(data)
		if err != nil {
			t.Fatalf("ParseCommit %s: %v", id, err)
		}
		var parents []string
		for _, p := range c.Parents {
			parents = append(parents, p.String())
		}
		got := fmt.Sprintf("%s|%s|%s|%s|%s|%d|%s|%s|%s|%d|%s", id, c.Tree, strings.Join(parents, " "),
			c.Author.Name, c.Author.Email, c.Author.When, c.Author.Zone,
			c.Committer.Name, c.Committer.Email, c.Committer.When, c.Committer.Zone)
		if got != line {
			t.Fatalf("ParseCommit gives\n%s\ngit log gives\n%s", got, line)
		}
		if ct, _ := strconv.ParseUint(f[9], 10, 64); c.Date != ct {
			t.Fatalf("Date = %d, committer time %d", c.Date, ct)
		}
		if !bytes.HasPrefix(c.Message, []byte("commit ")) {
			t.Fatalf("Message %q", c.Message)
		}
	}
	if len(lines) != 12 {
		t.Fatalf("%d commits", len(lines))
	}
}

func TestParseCommitCases(t *testing.T) {
	const tree = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	const p1 = "parent 1111111111111111111111111111111111111111\n"
	tests := []struct {
		name    string
		data    string
		wantErr bool
		parents int
		date    uint64
		author  string // name|email|when|zone|offset|hasTime
	}{
		{"a plain commit", tree + p1 + "author A U <a@x> 100 +0130\ncommitter C <c@x> 200 -0800\n\nmsg\n", false, 1, 200, "A U|a@x|100|+0130|90|true"},
		{"a root commit", tree + "author A <a@x> 1 +0000\ncommitter C <c@x> 2 +0000\n\nmsg", false, 0, 2, "A|a@x|1|+0000|0|true"},
		{"no tree line", p1 + "author A <a@x> 1 +0000\n", true, 0, 0, ""},
		{"a bad tree id", "tree 4b825dc642cb6eb9a060e54bf8d69288fbee490Z\nauthor A <a@x> 1 +0000\n", true, 0, 0, ""},
		{"a bad parent line", tree + "parent 11111111111111111111111111111111111111zz\nauthor A <a@x> 1 +0000\n", true, 0, 0, ""},
		{"a committer line before the author line has date 0", tree + "committer C <c@x> 2 +0000\nauthor A <a@x> 1 +0000\n\n", false, 0, 0, "A|a@x|1|+0000|0|true"},
		{"the date is read after the first '>' of the committer line", tree + "author A <a@x> 1 +0000\ncommitter C <c>x> 7 +0000\n\n", false, 0, 0, "A|a@x|1|+0000|0|true"},
		{"a negative date wraps around as in C", tree + "author A <a@x> 1 +0000\ncommitter C <c@x> -5 +0000\n\n", false, 0, ^uint64(0) - 4, "A|a@x|1|+0000|0|true"},
		{"an overflowing date saturates", tree + "author A <a@x> 1 +0000\ncommitter C <c@x> 99999999999999999999999 +0000\n\n", false, 0, ^uint64(0), "A|a@x|1|+0000|0|true"},
		{"a committer line ending the commit has date 0", tree + "author A <a@x> 1 +0000\ncommitter C <c@x> 5 +0000\n", false, 0, 0, "A|a@x|1|+0000|0|true"},
		{"an author without a time", tree + "author A <a@x>\ncommitter C <c@x> 5 +0000\n\n", false, 0, 5, "A|a@x|0||0|false"},
		{"an author without a zone", tree + "author A <a@x> 12\ncommitter C <c@x> 5 +0000\n\n", false, 0, 5, "A|a@x|0||0|false"},
		{"an author with a '>' in the email", tree + "author A <a>b@x> 12 -0030\ncommitter C <c@x> 5 +0000\n\n", false, 0, 5, "A|a|12|-0030|-30|true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCommit([]byte(tc.data))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrBadCommit) {
					t.Fatalf("err %v does not match ErrBadCommit", err)
				}
				return
			}
			if len(c.Parents) != tc.parents || c.Date != tc.date {
				t.Fatalf("parents %d date %d, want %d %d", len(c.Parents), c.Date, tc.parents, tc.date)
			}
			a := c.Author
			got := fmt.Sprintf("%s|%s|%d|%s|%d|%v", a.Name, a.Email, a.When, a.Zone, a.Offset, a.HasTime)
			if got != tc.author {
				t.Fatalf("author %s, want %s", got, tc.author)
			}
		})
	}
}

func TestParseCommitIntoDoesNotAllocate(t *testing.T) {
	data := []byte(sampleCommit)
	var c CommitInfo
	ParseCommitInto(&c, data)
	allocs := testing.AllocsPerRun(100, func() { ParseCommitInto(&c, data) })
	if allocs != 0 {
		t.Fatalf("ParseCommitInto allocates %v times per call", allocs)
	}
}

func TestParseTag(t *testing.T) {
	dir := newRepo(t, 10)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tagID, _ := ParseID(strings.TrimSpace(string(git(t, dir, nil, "rev-parse", "v10"))))
	want := strings.TrimSpace(string(git(t, dir, nil, "rev-parse", "v10^{}")))
	typ, data, err := db.NewReader().Read(tagID, nil)
	if err != nil || typ != Tag {
		t.Fatalf("Read tag: %v %v", typ, err)
	}
	target, ttype, err := ParseTag(data)
	if err != nil || target.String() != want || ttype != Commit {
		t.Fatalf("ParseTag = %s %v %v, want %s commit", target, ttype, err, want)
	}
	peeled, ptype, err := db.NewReader().Peel(tagID, nil)
	if err != nil || peeled.String() != want || ptype != Commit {
		t.Fatalf("Peel = %s %v %v, want %s commit", peeled, ptype, err, want)
	}
	if same, ptype, err := db.NewReader().Peel(target, nil); same != target || ptype != Commit || err != nil {
		t.Fatalf("Peel of a commit = %s %v %v", same, ptype, err)
	}
	for _, bad := range []string{"", "object 12\ntype commit\n", "object " + want + "\ntype blub\n", "object " + want + "\n"} {
		if _, _, err := ParseTag([]byte(bad)); !errors.Is(err, ErrBadTag) {
			t.Errorf("ParseTag(%q) err = %v, want ErrBadTag", bad, err)
		}
	}
}

func TestTreeIterMatchesGitLsTree(t *testing.T) {
	dir := newRepo(t, 3)
	out := git(t, dir, nil, "ls-tree", "main")
	treeID, _ := ParseID(strings.TrimSpace(string(git(t, dir, nil, "rev-parse", "main^{tree}"))))
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, data, err := db.NewReader().Read(treeID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	it := NewTreeIter(data)
	for {
		e, ok := it.Next()
		if !ok {
			break
		}
		kind := "blob"
		switch {
		case IsTree(e.Mode):
			kind = "tree"
		case IsGitlink(e.Mode):
			kind = "commit"
		}
		fmt.Fprintf(&b, "%06o %s %s\t%s\n", e.Mode, kind, e.ID, e.Name)
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	if b.String() != string(out) {
		t.Fatalf("tree iteration gives\n%s\ngit ls-tree gives\n%s", b.String(), out)
	}
}

func TestTreeIterCases(t *testing.T) {
	id := strings.Repeat("i", 20)
	tests := []struct {
		name  string
		data  string
		modes []uint32
		err   bool
	}{
		{"an empty tree", "", nil, false},
		{"git's modes are kept", "100644 a\x00" + id + "100755 b\x00" + id + "40000 c\x00" + id + "120000 d\x00" + id + "160000 e\x00" + id,
			[]uint32{ModeFile, ModeExecutable, ModeTree, ModeSymlink, ModeGitlink}, false},
		{"old modes are canonicalized as git does", "100664 a\x00" + id + "100775 b\x00" + id + "040000 c\x00" + id,
			[]uint32{ModeFile, ModeExecutable, ModeTree}, false},
		{"a non-octal mode is an error", "100a44 a\x00" + id, nil, true},
		{"an empty mode is an error", " a\x00" + id, nil, true},
		{"an empty name is an error", "100644 \x00" + id, nil, true},
		{"a truncated id is an error", "100644 a\x00" + id[:19], []uint32{}, true},
		{"a missing NUL is an error", "100644 a", nil, true},
		{"an error after good entries", "100644 a\x00" + id + "x", []uint32{ModeFile}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := NewTreeIter([]byte(tc.data))
			var modes []uint32
			for {
				e, ok := it.Next()
				if !ok {
					break
				}
				modes = append(modes, e.Mode)
			}
			if (it.Err() != nil) != tc.err || (it.Err() != nil && !errors.Is(it.Err(), ErrBadTree)) {
				t.Fatalf("Err() = %v, want error %v", it.Err(), tc.err)
			}
			if fmt.Sprint(modes) != fmt.Sprint(tc.modes) && len(modes)+len(tc.modes) > 0 {
				t.Fatalf("modes %o, want %o", modes, tc.modes)
			}
		})
	}
}

func TestTreeIterDoesNotAllocate(t *testing.T) {
	data := []byte("100644 a\x00" + strings.Repeat("i", 20) + "40000 b\x00" + strings.Repeat("j", 20))
	allocs := testing.AllocsPerRun(100, func() {
		it := NewTreeIter(data)
		for {
			if _, ok := it.Next(); !ok {
				break
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("tree iteration allocates %v times", allocs)
	}
}

func TestResolvePrefixAgreesWithGit(t *testing.T) {
	dir := newRepo(t, 40)
	objs := gitAllObjects(t, dir)
	// Keep a few objects loose so that both sources are searched.
	git(t, dir, []byte("a loose one\n"), "hash-object", "-w", "--stdin")
	objs = gitAllObjects(t, dir)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The truth for every 4-digit prefix and a few longer ones, from
	// the full object list; checked against git rev-parse on a sample.
	count := map[string]int{}
	for _, o := range objs {
		s := o.id.String()
		for _, n := range []int{4, 5, 7, 40} {
			count[s[:n]]++
		}
	}
	checked := 0
	for prefix, n := range count {
		id, err := db.ResolvePrefix(prefix)
		switch {
		case n == 1 && (err != nil || !strings.HasPrefix(id.String(), prefix)):
			t.Fatalf("ResolvePrefix(%s) = %s, %v; want the one match", prefix, id, err)
		case n > 1 && !errors.Is(err, ErrAmbiguous):
			t.Fatalf("ResolvePrefix(%s) err = %v; want ErrAmbiguous (%d matches)", prefix, err, n)
		}
		if checked < 15 && len(prefix) == 4 {
			checked++
			out := git(t, dir, nil, "rev-parse", "--disambiguate="+prefix)
			if got := len(strings.Fields(string(out))); got != n {
				t.Fatalf("git finds %d objects for %s, the object list %d", got, prefix, n)
			}
		}
	}
	// Upper case is accepted; missing prefixes and bad input are errors.
	one := objs[0].id.String()
	if count[one[:7]] == 1 {
		if id, err := db.ResolvePrefix(strings.ToUpper(one[:7])); err != nil || id != objs[0].id {
			t.Fatalf("upper-case prefix: %s %v", id, err)
		}
	}
	for p := 0; p < 0x10000; p++ {
		s := fmt.Sprintf("%04x", p)
		if count[s] == 0 {
			if _, err := db.ResolvePrefix(s); !errors.Is(err, ErrNotFound) {
				t.Fatalf("ResolvePrefix(%s) of no object: %v", s, err)
			}
			break
		}
	}
	for _, bad := range []string{"", "abc", "xyz1", strings.Repeat("a", 41)} {
		if _, err := db.ResolvePrefix(bad); err == nil {
			t.Errorf("ResolvePrefix(%q) succeeded", bad)
		}
	}
}

func TestReadersWorkConcurrently(t *testing.T) {
	dir := newRepo(t, 40)
	git(t, dir, nil, "repack", "-q", "-adf", "--depth=50")
	objs := gitAllObjects(t, dir)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name   string
		shared *SharedCache
	}{
		{"each with its own cache", nil},
		{"sharing one cache", NewSharedCache(1 << 20)},
	} {
		t.Run(tc.name, func(t *testing.T) { readConcurrently(t, db, objs, tc.shared) })
		if tc.shared != nil {
			tc.shared.Close()
		}
	}
}

func readConcurrently(t *testing.T, db *DB, objs []catObject, shared *SharedCache) {
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := db.NewReader()
			if shared != nil {
				r = db.NewReaderShared(shared)
			}
			for i := range objs {
				o := objs[(i*7+w*13)%len(objs)]
				_, data, err := r.Read(o.id, nil)
				if err != nil || !bytes.Equal(data, o.data) {
					errs <- fmt.Errorf("worker %d: %s: %v", w, o.id, err)
					return
				}
				db.Has(o.id)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
