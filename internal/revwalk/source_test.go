package revwalk

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/odb"
)

// TestODBSourceReadsObjectsOfEverySize reads, through one source, objects
// small enough for its first arena, larger ones that make it grow, one
// beyond its largest arena, and small ones again, loose and packed: each
// read gives the object whole, and the arena ends at its largest size.
func TestODBSourceReadsObjectsOfEverySize(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(stdin []byte, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		cmd.Stdin = bytes.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	git(nil, "init", "-q", "--bare")
	sizes := []int{100, 40 << 10, 200 << 10, 700 << 10, 3 << 20, 10, 50 << 10}
	var ids []string
	for i, n := range sizes {
		b := bytes.Repeat([]byte{byte('a' + i)}, n)
		ids = append(ids, git(b, "hash-object", "-w", "--stdin"))
	}
	for _, packed := range []bool{false, true} {
		if packed {
			git([]byte(strings.Join(ids, "\n")+"\n"), "pack-objects", "-q", filepath.Join(dir, "objects", "pack", "pack"))
			git(nil, "prune-packed")
		}
		db, err := odb.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		src := NewODBSource(db).(*odbSource)
		for i, hex := range ids {
			id, err := odb.ParseID(hex)
			if err != nil {
				t.Fatal(err)
			}
			typ, data, err := src.ReadObject(id)
			if err != nil || typ != odb.Blob {
				t.Fatalf("packed %v: read %s: type %v, %v", packed, hex, typ, err)
			}
			// What a read returns is valid until the next read.
			if n := sizes[i]; len(data) != n || bytes.Count(data, []byte{byte('a' + i)}) != n {
				t.Errorf("packed %v: object %d (%d bytes) misread: %d bytes", packed, i, n, len(data))
			}
			if c := src.a.Cap(); i == 0 && c != sourceArenaMin || i == 1 && c <= sourceArenaMin {
				t.Errorf("packed %v: arena of %d bytes after reading %d", packed, c, sizes[i])
			}
		}
		if c := src.a.Cap(); c != sourceArenaMax {
			t.Errorf("packed %v: arena of %d bytes after reading %d, want it grown to %d", packed, c, 3<<20, sourceArenaMax)
		}
		db.Close()
	}
}
