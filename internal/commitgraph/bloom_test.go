package commitgraph

import (
	"strings"
	"testing"
)

func TestMurmur3MatchesGitsVectors(t *testing.T) {
	// t/t0095-bloom.sh: test-tool bloom get_murmur3.
	for _, tc := range []struct {
		in   string
		want uint32
	}{
		{"", 0},
		{"Hello world!", 0x627b0c2c},
		{"The quick brown fox jumps over the lazy dog", 0x2e4ff723},
	} {
		if got := murmur3(0, tc.in); got != tc.want {
			t.Errorf("murmur3(%q) = %#x, want %#x", tc.in, got, tc.want)
		}
	}
}

// TestBloomFiltersNeverMissAChange asks every commit's filter about every
// path and folder, and checks each "definitely not" against git's own diff
// with the first parent; some answers must be "definitely not", or the
// filters were not read.
func TestBloomFiltersNeverMissAChange(t *testing.T) {
	r := history(t)
	r.Git("commit-graph", "write", "--reachable", "--changed-paths")
	g, err := Open(objDir(r))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	s, ok := g.BloomSettings()
	if !ok || s.HashVersion != 1 || s.NumHashes == 0 {
		t.Fatalf("settings %+v, %t", s, ok)
	}
	paths := []string{"a", "dir", "dir/", "dir/b", "dir/sub", "dir/sub/c", "x", "nothere", "dir/nothere"}
	no := 0
	for id, name := range r.Names {
		hid := mustID(t, id)
		pos, ok := g.Lookup(hid)
		if !ok {
			t.Fatalf("%s not in the graph", name)
		}
		changed := r.Git("diff-tree", "-r", "--root", "--name-only", "--no-commit-id", id)
		if _, err := r.GitErr("rev-parse", "--verify", "-q", id+"^"); err == nil {
			changed = r.Git("diff-tree", "-r", "--name-only", id+"^", id) // against the first parent, merges too
		}
		for _, p := range paths {
			key, ok := NewBloomKey(p, s)
			if !ok {
				t.Fatalf("no key for %q", p)
			}
			maybe, has := g.MaybeChanged(pos, key)
			if !has {
				continue
			}
			if !maybe {
				no++
				prefix := strings.TrimSuffix(p, "/")
				for _, c := range strings.Fields(changed) {
					if c == prefix || strings.HasPrefix(c, prefix+"/") {
						t.Errorf("%s: the filter says %q did not change, git's diff has %s", name, p, c)
					}
				}
			}
		}
	}
	if no == 0 {
		t.Error("no filter ever said \"definitely not\"")
	}
	if _, ok := NewBloomKey("caf\xc3\xa9", s); ok {
		t.Error("a key for a path with bytes of 0x80 and above, which version 1 filters hashed by the writer's char signedness")
	}
}
