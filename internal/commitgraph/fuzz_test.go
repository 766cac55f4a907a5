package commitgraph

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FuzzParse feeds the parser any bytes: it must return a File or an error,
// never panic, and a File it returns must answer every lookup, parent and
// filter query within its bytes. The checksum is checked only by Parse, so
// that mutated inputs reach the checks behind it through parse. The seed
// corpus (testdata/fuzz/FuzzParse) holds graphs git wrote; when git is
// installed, one more is written here.
func FuzzParse(f *testing.F) {
	if _, err := exec.LookPath("git"); err == nil {
		r := history(f)
		r.Git("commit-graph", "write", "--reachable", "--changed-paths")
		if data, err := os.ReadFile(filepath.Join(r.Dir, "objects/info/commit-graph")); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Parse(data)
		file, err := parse(data, false)
		if err != nil {
			return
		}
		g := &Graph{}
		if err := g.add(layer{f: file}); err != nil {
			return
		}
		g.finish()
		s, hasBloom := g.BloomSettings()
		key, _ := NewBloomKey("dir/sub/c", s)
		var c Commit
		for pos := uint32(0); pos < uint32(g.Len()); pos++ {
			id := g.ID(pos)
			if !g.Find(id, &c) {
				t.Fatalf("id %s at %d not found", id, pos)
			}
			if hasBloom {
				g.MaybeChanged(pos, key)
			}
		}
	})
}
