package treediff

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/arena"
	"github.com/gitwalk/gitwalk/internal/odb"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestCarriedTreesChangeNothing diffs a history's commits against their
// parents, newest first as the walk does and in a scrambled order, with a
// differ that carries trees and one that does not: the changes are the
// same, and diffing a commit after its child finds the trees carried (the
// root at least). Under -tags arenadebug, a tree used after its
// generation's arena was reset would read poison and differ.
func TestCarriedTreesChangeNothing(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	gitTree(t, dir, "init", "-q")
	const commits = 12
	for i := 0; i < commits; i++ {
		for _, name := range []string{
			fmt.Sprintf("d%d/f%d", i%3, i%4),
			fmt.Sprintf("d%d/e/g%d", i%2, i%5),
			fmt.Sprintf("top%d", i%2),
		} {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(fmt.Sprintf("%s %d\n", name, i)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if i == 7 {
			os.RemoveAll(filepath.Join(dir, "d1"))
		}
		gitTree(t, dir, "add", "-A")
		gitTree(t, dir, "commit", "-q", "-m", fmt.Sprint(i))
	}
	db, err := odb.Open(filepath.Join(dir, ".git"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// trees[i]: the tree of HEAD~i; trees[commits] the empty tree.
	trees := make([]odb.ID, commits+1)
	for i := 0; i < commits; i++ {
		if trees[i], err = odb.ParseID(gitTree(t, dir, "rev-parse", fmt.Sprintf("HEAD~%d^{tree}", i))); err != nil {
			t.Fatal(err)
		}
	}
	list := func(d *Differ) string {
		var b strings.Builder
		for i := range d.Changes() {
			c := &d.Changes()[i]
			fmt.Fprintf(&b, "%06o %06o %s %s %s\n", c.OldMode, c.NewMode, c.OldID, c.NewID, d.Path(c))
		}
		return b.String()
	}
	plain := New(db.NewReader(), arena.New(arena.NewHeap(1<<20)), nil)
	want := make([]string, commits)
	for i := range want {
		plain.Reset(db.NewReader(), plain.a, nil)
		if err := plain.Diff(trees[i+1], trees[i]); err != nil {
			t.Fatal(err)
		}
		if want[i] = list(plain); want[i] == "" {
			t.Fatalf("HEAD~%d changes nothing: the fixture must", i)
		}
	}
	newestFirst := make([]int, commits)
	for i := range newestFirst {
		newestFirst[i] = i
	}
	scrambled := []int{3, 4, 0, 11, 10, 5, 9, 1, 2, 8, 7, 6}
	for _, tc := range []struct {
		name     string
		order    []int
		limit    int
		wantHits int
	}{
		{"newest first", newestFirst, 1 << 20, commits - 1},
		{"scrambled", scrambled, 1 << 20, 0},
		{"no room to carry", newestFirst, carryRoom - 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unitArena := arena.New(arena.NewHeap(1 << 20))
			d := New(db.NewReader(), unitArena, nil)
			d.CarryTrees(tc.limit)
			for _, i := range tc.order {
				unitArena.Reset() // as the walk gives the unit's arena back
				d.Reset(db.NewReader(), unitArena, nil)
				if err := d.Diff(trees[i+1], trees[i]); err != nil {
					t.Fatal(err)
				}
				if got := list(d); got != want[i] {
					t.Errorf("HEAD~%d with carried trees:\n%s\nwithout:\n%s", i, got, want[i])
				}
			}
			hits := d.CarriedHits()
			if tc.wantHits > 0 && hits < tc.wantHits {
				t.Errorf("carried hits %d, want at least %d (a root per commit after the first)", hits, tc.wantHits)
			}
			if tc.limit < carryRoom && hits != 0 {
				t.Errorf("carried hits %d with no room to carry", hits)
			}
		})
	}
}
