package walker

import (
	"bytes"
	"context"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// gitOut runs git in dir and returns its stdout.
func gitOut(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %v: %v: %s", args, err, errb.String())
	}
	return out.Bytes()
}

// gitSizes gives, for every file of rev's tree, what git says of its lines:
// `git diff --numstat` from the empty tree counts a whole file as added
// lines ("-" for binary, after attributes); for regular files the test
// also counts `git show REV:PATH`'s bytes as `wc -l` does, plus one for an
// unterminated last line, and checks the two agree.
func gitSizes(t *testing.T, dir, rev string) map[string]LineCount {
	t.Helper()
	const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	want := map[string]LineCount{}
	for _, rec := range strings.Split(string(gitOut(t, dir, "diff", "--numstat", "--no-renames", "-z", emptyTree, rev)), "\x00") {
		f := strings.SplitN(rec, "\t", 3)
		if len(f) != 3 {
			continue
		}
		if f[0] == "-" {
			want[f[2]] = LineCount{Binary: true}
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("numstat %q", rec)
		}
		want[f[2]] = LineCount{Lines: n}
	}
	for _, rec := range strings.Split(string(gitOut(t, dir, "ls-tree", "-r", "-z", rev)), "\x00") {
		meta, path, ok := strings.Cut(rec, "\t")
		if !ok || !strings.HasPrefix(meta, "100") || want[path].Binary {
			continue
		}
		data := gitOut(t, dir, "show", rev+":"+path)
		n := bytes.Count(data, []byte{'\n'}) // wc -l
		if len(data) > 0 && data[len(data)-1] != '\n' {
			n++
		}
		if want[path].Lines != n {
			t.Fatalf("%s: numstat says %d lines, git show has %d", path, want[path].Lines, n)
		}
	}
	return want
}

func TestLineCountsMatchGitForEveryFileOfACommit(t *testing.T) {
	for _, tc := range []struct{ fixture, rev string }{
		{"content", "HEAD"}, {"content", "HEAD~3"}, {"types", "HEAD"}, {"types", "HEAD~2"},
		{"attributes", "HEAD"}, {"paths", "HEAD"}, {"large", "HEAD"}, {"merges", "HEAD"},
	} {
		t.Run(tc.fixture+" at "+tc.rev, func(t *testing.T) {
			r := openFixture(t, tc.fixture)
			want := gitSizes(t, r.GitDir(), tc.rev)
			id, err := ParseHash(strings.TrimSpace(string(gitOut(t, r.GitDir(), "rev-parse", tc.rev+"^{commit}"))))
			if err != nil {
				t.Fatal(err)
			}
			paths := []string{"no/such/file", "no-such-file"}
			for p := range want {
				paths = append(paths, p)
			}
			// A folder is no file: ask for each folder of the tree too.
			for p := range want {
				if i := strings.LastIndexByte(p, '/'); i > 0 {
					paths = append(paths, p[:i])
				}
			}
			// Without a store, then with one (Repo.UseStore) empty and
			// holding what the last call kept.
			dir := t.TempDir()
			for _, with := range []string{"no store", "a store, cold", "a store, warm"} {
				var st *Store
				if with != "no store" {
					st = openStore(t, dir)
					r.UseStore(st)
				}
				got, err := r.LineCounts(context.Background(), id, paths)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Errorf("%s: %d files counted, git has %d", with, len(got), len(want))
				}
				for p, w := range want {
					if g, ok := got[p]; !ok || g != w {
						t.Errorf("%s: %q: got %+v (present %v), git says %+v", with, p, g, ok, w)
					}
				}
				if st != nil {
					r.UseStore(nil)
					if err := st.Close(); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

// TestLineCountsReadTheStoreNotTheBlobs: with a store, LineCounts keeps
// each blob's figures and answers from them: a memo that says otherwise
// than the blob (as many lines as bytes) is believed, which shows the
// blob is not read.
func TestLineCountsReadTheStoreNotTheBlobs(t *testing.T) {
	r := openFixture(t, "content")
	head, err := ParseHash(strings.TrimSpace(string(gitOut(t, r.GitDir(), "rev-parse", "HEAD^{commit}"))))
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, t.TempDir())
	defer st.Close()
	r.UseStore(st)
	defer r.UseStore(nil)
	blobs := map[string]Hash{}
	var paths []string
	for _, rec := range strings.Split(string(gitOut(t, r.GitDir(), "ls-tree", "-r", "-z", "HEAD")), "\x00") {
		if meta, path, ok := strings.Cut(rec, "\t"); ok && strings.HasPrefix(meta, "100644 blob ") {
			id, err := ParseHash(strings.TrimPrefix(meta, "100644 blob "))
			if err != nil {
				t.Fatal(err)
			}
			blobs[path] = id
			paths = append(paths, path)
		}
	}
	first, err := r.LineCounts(context.Background(), head, paths)
	if err != nil {
		t.Fatal(err)
	}
	kept := readBlobLines(st.Memo(r, blobLinesMemo))
	if len(kept) == 0 {
		t.Fatal("LineCounts kept nothing in the store")
	}
	for id, f := range kept {
		f.lines = f.size
		kept[id] = f
	}
	st.SetMemo(r, blobLinesMemo, appendBlobLines(nil, kept))
	again, err := r.LineCounts(context.Background(), head, paths)
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, p := range paths {
		if first[p].Binary {
			continue
		}
		f, ok := kept[blobs[p]]
		if !ok {
			t.Errorf("%s: its blob was not kept", p)
			continue
		}
		if again[p].Lines != int(f.size) {
			t.Errorf("%s: %+v, after the memo said %d lines: the blob was read", p, again[p], f.size)
		}
		if f.size != int64(first[p].Lines) {
			changed++
		}
	}
	if changed == 0 {
		t.Error("no file has fewer lines than bytes: the test proves nothing")
	}
}

// FuzzBlobLines: the memo of blobs' line counts, read from a store that
// may be damaged, reads any bytes without a panic, as empty or whole; what
// reads re-encodes to bytes that read the same.
func FuzzBlobLines(f *testing.F) {
	f.Add(appendBlobLines(nil, map[Hash]blobLines{{1}: {size: 10, lines: 2}, {2}: {size: 9000, lines: 0, nul: true}}))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		m := readBlobLines(b)
		for _, v := range m {
			if v.lines > v.size || v.size < 0 {
				t.Fatalf("read %+v", v)
			}
		}
		if got := readBlobLines(appendBlobLines(nil, m)); !reflect.DeepEqual(got, m) {
			t.Fatalf("re-encoded memo reads %v, want %v", got, m)
		}
	})
}
