package attributes

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDigestNamesEveryDiffRuleAndNothingElse changes a work tree's
// attribute sources one way at a time: a change to a diff rule anywhere
// (a deep folder, info/attributes, core.attributesFile, a folder reached
// through a link) changes the digest; a change to other attributes does
// not.
func TestDigestNamesEveryDiffRuleAndNothingElse(t *testing.T) {
	work := t.TempDir()
	git := filepath.Join(work, ".git")
	global := filepath.Join(t.TempDir(), "attributes")
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	digest := func() [32]byte {
		t.Helper()
		d, err := New(work, git, global).Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	write(filepath.Join(work, "a", "b", "c.txt"), "x\n")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(git, "info"), 0o755))
	prev := digest()
	if again := digest(); again != prev {
		t.Fatal("two digests of the same sources differ")
	}
	for _, step := range []struct {
		name    string
		do      func()
		changes bool
	}{
		{"a deep .gitattributes about eol", func() { write(filepath.Join(work, "a", "b", ".gitattributes"), "*.txt eol=lf\n") }, false},
		{"a deep .gitattributes about diff", func() { write(filepath.Join(work, "a", "b", ".gitattributes"), "*.txt eol=lf\n*.txt -diff\n") }, true},
		{"the same rule moved up a folder", func() {
			must(os.Remove(filepath.Join(work, "a", "b", ".gitattributes")))
			write(filepath.Join(work, "a", ".gitattributes"), "*.txt -diff\n")
		}, true},
		{"a .gitattributes inside .git", func() { write(filepath.Join(git, "x", ".gitattributes"), "* -diff\n") }, false},
		{"info/attributes", func() { write(filepath.Join(git, "info", "attributes"), "*.c diff=cpp\n") }, true},
		{"core.attributesFile", func() { write(global, "*.bin binary\n") }, true},
		{"a macro's meaning", func() { write(global, "[attr]bin -diff\n*.bin bin\n") }, false}, // the same rule, said another way
		{"a linked folder's .gitattributes", func() {
			write(filepath.Join(work, "real", ".gitattributes"), "*.md diff\n")
			must(os.Symlink("real", filepath.Join(work, "link")))
		}, true},
	} {
		step.do()
		d := digest()
		if (d != prev) != step.changes {
			t.Errorf("%s: digest changed %v, want %v", step.name, d != prev, step.changes)
		}
		prev = d
	}
}

// TestLookupAnswersFromWhatDigestRead: after Digest, a change to a
// .gitattributes file changes no answer, so the answers are the ones the
// digest names.
func TestLookupAnswersFromWhatDigestRead(t *testing.T) {
	work := t.TempDir()
	p := filepath.Join(work, "d", ".gitattributes")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("*.txt -diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := New(work, filepath.Join(work, ".git"), filepath.Join(work, "none"))
	if _, err := a.Digest(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("*.txt diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, ".gitattributes"), []byte("*.txt diff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := a.Lookup("d/x.txt"); got.State != DiffUnset {
		t.Fatalf("d/x.txt: %v, want the -diff the digest read", got)
	}
	if got := a.Lookup("y.txt"); got.State != DiffUnspecified {
		t.Fatalf("y.txt: %v, want nothing: the top .gitattributes came after the digest", got)
	}
}
