package cli

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// hostileDeadline bounds each gitwalk run on a damaged repository: far more
// than any of these tiny fixtures needs, so reaching it means a hang.
const hostileDeadline = 30 * time.Second

// hostileCase is one way of damaging a copy of a fixture. damage returns
// what the one-line error must name (an object id, a file); gitOK says that
// git reads the damaged repository without complaint, in which case gitwalk
// must succeed too and print git's numstat byte for byte. gitLoops marks
// damage on which git 2.39.5 itself never ends (checked by hand: still
// running after 30 s), so the test does not run git there.
type hostileCase struct {
	name     string
	fixture  string
	args     []string
	damage   func(t *testing.T, dir string) (mustName []string)
	gitOK    bool
	gitLoops bool
}

// hostileCases lists every damage the suite tries. TestHostileRepositories
// runs numstat and every analysis command on each and checks: exit 1 with
// one "gitwalk: ..." line naming the object and/or file (or, where git
// copes, git's own output), nothing on stdout for machine formats, no panic,
// no hang, and no file of the repository written or touched.
var hostileCases = []hostileCase{
	{name: "a pack truncated to half its size", fixture: "content",
		damage: func(t *testing.T, dir string) []string {
			p := packOf(t, dir)
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			must(t, os.Truncate(p, fi.Size()/2))
			return []string{filepath.Base(p), "checksum does not match"}
		}},
	{name: "a pack entry whose zlib stream is garbage", fixture: "content",
		damage: func(t *testing.T, dir string) []string {
			e := packEntryOf(t, dir, func(e packEntry) bool { return e.typ == "blob" && e.depth == 0 && e.size > 1000 })
			patchFile(t, packOf(t, dir), e.off+int64(e.hdrLen(t, dir))+6, []byte{0xff, 0xff, 0xff, 0xff})
			return []string{filepath.Base(packOf(t, dir)), "offset " + strconv.FormatInt(e.off, 10)}
		}},
	{name: "a pack entry header declaring a wrong object size", fixture: "content",
		damage: func(t *testing.T, dir string) []string {
			e := packEntryOf(t, dir, func(e packEntry) bool { return e.typ == "blob" && e.depth == 0 && e.size > 4 && e.size < 16 })
			p := packOf(t, dir)
			b := readAt(t, p, e.off, 1)
			patchFile(t, p, e.off, []byte{b[0] ^ 1}) // the size's lowest bit
			return []string{e.id, filepath.Base(p)}
		}},
	{name: "a delta copying beyond the end of its base", fixture: "paths",
		damage: func(t *testing.T, dir string) []string {
			x, y := twoBlobs(t, dir)
			n := int64(len(y.data))
			writeSidePack(t, dir, []sideEntry{{id: x.id, refBase: y.id, delta: deltaOf(n, 10, copyOp(uint32(n-2), 10)...)}})
			removeLoose(t, dir, x.id)
			return []string{x.id, "pack-"}
		}},
	{name: "a ref-delta based on itself", fixture: "paths", gitLoops: true,
		damage: func(t *testing.T, dir string) []string {
			x, _ := twoBlobs(t, dir)
			n := int64(len(x.data))
			writeSidePack(t, dir, []sideEntry{{id: x.id, refBase: x.id, delta: deltaOf(n, n, copyOp(0, uint32(n))...)}})
			removeLoose(t, dir, x.id)
			return []string{x.id, "delta chain"}
		}},
	{name: "two ref-deltas based on each other", fixture: "paths", gitLoops: true,
		damage: func(t *testing.T, dir string) []string {
			x, y := twoBlobs(t, dir)
			writeSidePack(t, dir, []sideEntry{
				{id: x.id, refBase: y.id, delta: deltaOf(int64(len(y.data)), 1, 1, 'x')},
				{id: y.id, refBase: x.id, delta: deltaOf(int64(len(x.data)), 1, 1, 'y')},
			})
			removeLoose(t, dir, x.id)
			removeLoose(t, dir, y.id)
			return []string{"delta chain"}
		}},
	{name: "an ofs-delta and a ref-delta making a cycle", fixture: "paths", gitLoops: true,
		damage: func(t *testing.T, dir string) []string {
			x, y := twoBlobs(t, dir)
			writeSidePack(t, dir, []sideEntry{
				{id: x.id, refBase: y.id, delta: deltaOf(1, 1, 1, 'x')},
				{id: y.id, ofsBase: 0, delta: deltaOf(1, 1, 1, 'y')},
			})
			removeLoose(t, dir, x.id)
			removeLoose(t, dir, y.id)
			return []string{"delta chain"}
		}},
	{name: "an index giving an offset beyond the end of its pack", fixture: "content",
		damage: func(t *testing.T, dir string) []string {
			e := packEntryOf(t, dir, func(e packEntry) bool { return e.typ == "blob" })
			setIdxOffset(t, dir, e.id, 1<<30)
			return []string{e.id, filepath.Base(idxOf(t, dir)), "outside pack"}
		}},
	{name: "an index giving an offset in the middle of an entry", fixture: "content",
		damage: func(t *testing.T, dir string) []string {
			e := packEntryOf(t, dir, func(e packEntry) bool { return e.typ == "blob" && e.packed > 8 })
			setIdxOffset(t, dir, e.id, e.off+5)
			return []string{e.id, filepath.Base(packOf(t, dir))}
		}},
	{name: "an index whose pack checksum is not its pack's", fixture: "content",
		damage: func(t *testing.T, dir string) []string {
			idx := idxOf(t, dir)
			fi, err := os.Stat(idx)
			if err != nil {
				t.Fatal(err)
			}
			patchFile(t, idx, fi.Size()-40, []byte{0, 0, 0, 0})
			return []string{filepath.Base(packOf(t, dir)), "does not match its index"}
		}},
	// git checks an entry's CRC only when it copies the entry into a new
	// pack (repack, fetch), not when it reads objects: neither does gitwalk.
	{name: "an index with a wrong CRC, which git does not check when reading", fixture: "content", gitOK: true,
		damage: func(t *testing.T, dir string) []string {
			e := packEntryOf(t, dir, func(e packEntry) bool { return e.typ == "blob" })
			idx := idxOf(t, dir)
			n, i := idxPosition(t, idx, e.id)
			patchFile(t, idx, int64(8+1024+20*n+4*i), []byte{0xde, 0xad, 0xbe, 0xef})
			return nil
		}},
	{name: "a blob missing, as in a partial clone", fixture: "paths",
		damage: func(t *testing.T, dir string) []string {
			x, _ := twoBlobs(t, dir)
			removeLoose(t, dir, x.id)
			return []string{x.id, "not found"}
		}},
	{name: "a shallow clone, whose parents beyond the boundary are absent", fixture: "shallow", args: []string{"--all"}, gitOK: true,
		damage: func(t *testing.T, dir string) []string { return nil }},
	{name: "a shallow clone without its shallow file: a parent is missing", fixture: "shallow",
		damage: func(t *testing.T, dir string) []string {
			must(t, os.Remove(filepath.Join(dir, "shallow")))
			return []string{"not found"}
		}},
	{name: "a loose blob that is garbage", fixture: "paths",
		damage: func(t *testing.T, dir string) []string {
			x, _ := twoBlobs(t, dir)
			p := loosePathOf(dir, x.id)
			must(t, os.Chmod(p, 0o644))
			must(t, os.WriteFile(p, []byte("this is not a zlib stream"), 0o644))
			return []string{x.id, p}
		}},
	{name: "a loose commit that is garbage", fixture: "paths",
		damage: func(t *testing.T, dir string) []string {
			head := strings.TrimSpace(gitRun(t, dir, "rev-parse", "HEAD"))
			p := loosePathOf(dir, head)
			must(t, os.Chmod(p, 0o644))
			must(t, os.WriteFile(p, zlibOf("commit 5\x00hello"), 0o644))
			return []string{head}
		}},
	{name: "a branch naming an object that does not exist", fixture: "content",
		damage: func(t *testing.T, dir string) []string {
			writeRef(t, dir, "refs/heads/main", "1234567890123456789012345678901234567890\n")
			return []string{"1234567890123456789012345678901234567890"}
		}},
	{name: "a branch file that holds no object id", fixture: "content",
		damage: func(t *testing.T, dir string) []string {
			writeRef(t, dir, "refs/heads/main", "not an object id\n")
			return []string{"refs/heads/main"}
		}},
	{name: "another branch naming an object that does not exist, with --all", fixture: "content", args: []string{"--all"},
		damage: func(t *testing.T, dir string) []string {
			writeRef(t, dir, "refs/heads/zz", "1234567890123456789012345678901234567890\n")
			return []string{"refs/heads/zz", "1234567890123456789012345678901234567890"}
		}},
	{name: "another branch file that holds no object id, with --all", fixture: "merges", args: []string{"--all"},
		damage: func(t *testing.T, dir string) []string {
			writeRef(t, dir, "refs/heads/zz", "not an object id\n")
			return []string{"refs/heads/zz"}
		}},
	{name: "a packed-refs file with a junk line", fixture: "order", args: []string{"--all"},
		damage: func(t *testing.T, dir string) []string {
			f, err := os.OpenFile(filepath.Join(dir, "packed-refs"), os.O_APPEND|os.O_WRONLY, 0)
			must(t, err)
			_, err = f.WriteString("this is junk\n")
			must(t, err)
			must(t, f.Close())
			return []string{"packed-refs", "this is junk"}
		}},
	{name: "a repository with no commits", fixture: "empty",
		damage: func(t *testing.T, dir string) []string {
			return []string{"does not have any commits yet"}
		}},
	// As root, permission bits do not stop writes: there the snapshot taken
	// around every run is what proves nothing is written.
	{name: "a repository whose files and folders are all read-only", fixture: "merges", args: []string{"--all"}, gitOK: true,
		damage: func(t *testing.T, dir string) []string {
			makeReadOnly(t, dir)
			return nil
		}},
}

func TestHostileRepositories(t *testing.T) {
	testrepos.IsolateGit(t)
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testrepos.Path(t, tc.fixture)
			mustName := tc.damage(t, dir)
			before := snapshot(t, dir)

			var gitOut string
			if !tc.gitLoops {
				out, gitErr, gitCode := gitLogNumstat(t, dir, tc.args)
				t.Logf("git: exit %d: %s", gitCode, firstLine(gitErr))
				if tc.gitOK != (gitCode == 0) {
					t.Fatalf("git exits %d on this damage (%s); the case expects gitOK=%v", gitCode, firstLine(gitErr), tc.gitOK)
				}
				gitOut = out
			}

			// --no-cache: these are tests of reading damaged objects, and a
			// commit the cache holds is read without its objects (from a
			// run over the sound fixture, its numbers are the right ones).
			for _, cmd := range [][]string{
				append([]string{"numstat", dir, "--no-cache"}, tc.args...),
				append([]string{"churn", dir, "--no-cache", "--format", "json"}, tc.args...),
				append([]string{"authors", dir, "--no-cache", "--format", "csv"}, tc.args...),
				append([]string{"summary", dir, "--no-cache", "--format", "ndjson"}, tc.args...),
			} {
				out, stderr, code := runWithDeadline(t, cmd...)
				if cmd[0] == "numstat" {
					t.Logf("gitwalk: exit %d: %s", code, firstLine(stderr))
				}
				if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
					t.Fatalf("%s: crashed: %s", cmd[0], stderr)
				}
				if tc.gitOK {
					if code != 0 {
						t.Fatalf("%s: exit %d where git succeeds: %s", cmd[0], code, stderr)
					}
					if cmd[0] == "numstat" && out != gitOut {
						t.Fatalf("numstat differs from git: %s", firstDifference(gitOut, out))
					}
					continue
				}
				if code != exitFailed {
					t.Fatalf("%s: exit %d, want %d (stderr %q)", cmd[0], code, exitFailed, stderr)
				}
				if !strings.HasPrefix(stderr, "gitwalk: ") || strings.Count(stderr, "\n") != 1 {
					t.Fatalf("%s: stderr is not one \"gitwalk: ...\" line: %q", cmd[0], stderr)
				}
				for _, s := range mustName {
					if !strings.Contains(stderr, s) {
						t.Errorf("%s: error %q does not name %q", cmd[0], strings.TrimSpace(stderr), s)
					}
				}
				// Machine formats are complete or absent.
				if cmd[0] != "numstat" && out != "" {
					t.Errorf("%s: failed but wrote %d bytes to stdout", cmd[0], len(out))
				}
			}

			after := snapshot(t, dir)
			for p, b := range before {
				if a, ok := after[p]; !ok || a != b {
					t.Errorf("%s changed:\n before %s\n after  %s", p, b, a)
				}
			}
			for p := range after {
				if _, ok := before[p]; !ok {
					t.Errorf("%s was created", p)
				}
			}
		})
	}
}

// runWithDeadline runs the CLI in-process under a context with a deadline
// and fails the test, naming the command, if it has not returned a while
// after the deadline (a hang that ignores cancellation).
func runWithDeadline(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileDeadline)
	defer cancel()
	type res struct {
		out, err string
		code     int
	}
	done := make(chan res, 1)
	go func() {
		var out, errb bytes.Buffer
		code := execute(ctx, &iostreams{out: &out, errOut: &errb}, args, nil)
		done <- res{out.String(), errb.String(), code}
	}()
	timer := time.NewTimer(hostileDeadline + 10*time.Second)
	defer timer.Stop()
	select {
	case r := <-done:
		if ctx.Err() != nil {
			t.Fatalf("gitwalk %s ran into the %s deadline: a hang", strings.Join(args, " "), hostileDeadline)
		}
		return r.out, r.err, r.code
	case <-timer.C:
		t.Fatalf("gitwalk %s did not return %s after its deadline: a hang that ignores cancellation", strings.Join(args, " "), 10*time.Second)
	}
	return "", "", 0
}

// gitLogNumstat runs git log --numstat on dir with a deadline (git itself
// may loop on some damage) and returns stdout, stderr and the exit code.
func gitLogNumstat(t *testing.T, dir string, args []string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir, "log", "--numstat", "--format=%H"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		return out.String(), "git did not finish within " + hostileDeadline.String(), -1
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("git: %v", err)
	}
	return out.String(), errb.String(), 0
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// packOf returns the path of the one pack of the repository dir.
func packOf(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "pack-*.pack"))
	if len(m) != 1 {
		t.Fatalf("%s has %d packs, want 1", dir, len(m))
	}
	return m[0]
}

func idxOf(t *testing.T, dir string) string {
	t.Helper()
	return strings.TrimSuffix(packOf(t, dir), ".pack") + ".idx"
}

// packEntry is one line of git verify-pack -v.
type packEntry struct {
	id, typ      string
	size, packed int64
	off          int64
	depth        int
}

// hdrLen is the length of the entry's header (type and size varint).
func (e packEntry) hdrLen(t *testing.T, dir string) int {
	t.Helper()
	b := readAt(t, packOf(t, dir), e.off, 16)
	n := 1
	for b[n-1]&0x80 != 0 {
		n++
	}
	return n
}

// packEntryOf returns the first entry of the repository's pack, in pack
// order, for which ok holds, as git verify-pack lists it.
func packEntryOf(t *testing.T, dir string, ok func(packEntry) bool) packEntry {
	t.Helper()
	out := gitRun(t, dir, "verify-pack", "-v", idxOf(t, dir))
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || len(f[0]) != 40 {
			continue
		}
		var e packEntry
		e.id, e.typ = f[0], f[1]
		e.size, _ = strconv.ParseInt(f[2], 10, 64)
		e.packed, _ = strconv.ParseInt(f[3], 10, 64)
		e.off, _ = strconv.ParseInt(f[4], 10, 64)
		if len(f) >= 7 {
			e.depth, _ = strconv.Atoi(f[5])
		}
		if ok(e) {
			return e
		}
	}
	t.Fatalf("no pack entry of %s fits the case", dir)
	return packEntry{}
}

func readAt(t *testing.T, path string, off int64, n int) []byte {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	return b
}

func patchFile(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	must(t, os.Chmod(path, 0o644)) // git writes packs read-only
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteAt(b, off)
	must(t, err)
	must(t, f.Close())
}

// idxPosition returns the object count of a v2 index and id's position.
func idxPosition(t *testing.T, idx, id string) (n, i int) {
	t.Helper()
	data, err := os.ReadFile(idx)
	must(t, err)
	n = int(binary.BigEndian.Uint32(data[8+255*4:]))
	want, _ := hex.DecodeString(id)
	i = sort.Search(n, func(k int) bool { return bytes.Compare(data[8+1024+20*k:8+1024+20*k+20], want) >= 0 })
	if i == n || !bytes.Equal(data[8+1024+20*i:8+1024+20*i+20], want) {
		t.Fatalf("%s not in %s", id, idx)
	}
	return n, i
}

func setIdxOffset(t *testing.T, dir, id string, off int64) {
	t.Helper()
	idx := idxOf(t, dir)
	n, i := idxPosition(t, idx, id)
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(off))
	patchFile(t, idx, int64(8+1024+24*n+4*i), b[:])
}

// looseBlob is a blob of a loose-only fixture.
type looseBlob struct {
	id   string
	data []byte
}

// twoBlobs returns two different non-empty blobs changed by the walk of
// HEAD, both loose.
func twoBlobs(t *testing.T, dir string) (looseBlob, looseBlob) {
	t.Helper()
	out := gitRun(t, dir, "log", "--no-renames", "--raw", "--no-abbrev", "--format=", "HEAD")
	seen := map[string]bool{}
	var got []looseBlob
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[0][0] != ':' || !strings.HasPrefix(f[1], "100") {
			continue
		}
		id := f[3]
		if seen[id] || strings.Trim(id, "0") == "" {
			continue
		}
		seen[id] = true
		data := []byte(gitRun(t, dir, "cat-file", "blob", id))
		if len(data) < 4 {
			continue
		}
		if _, err := os.Stat(loosePathOf(dir, id)); err != nil {
			continue
		}
		got = append(got, looseBlob{id, data})
		if len(got) == 2 {
			return got[0], got[1]
		}
	}
	t.Fatalf("%s: no two loose non-empty blobs in HEAD's history", dir)
	return looseBlob{}, looseBlob{}
}

func loosePathOf(dir, id string) string {
	return filepath.Join(dir, "objects", id[:2], id[2:])
}

func removeLoose(t *testing.T, dir, id string) {
	t.Helper()
	must(t, os.Remove(loosePathOf(dir, id)))
}

func writeRef(t *testing.T, dir, name, content string) {
	t.Helper()
	must(t, os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(content), 0o644))
}

func zlibOf(s string) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

// sideEntry is a delta entry of a hand-made pack added beside the
// repository's objects: a ref-delta on refBase, or (refBase empty) an
// ofs-delta on the entry ofsBase places before it in the pack.
type sideEntry struct {
	id      string
	refBase string
	ofsBase int
	delta   []byte
}

// deltaOf makes delta data: base and result sizes, then the instructions.
func deltaOf(src, dst int64, ops ...byte) []byte {
	var b []byte
	for _, v := range []int64{src, dst} {
		for v >= 0x80 {
			b = append(b, byte(v)|0x80)
			v >>= 7
		}
		b = append(b, byte(v))
	}
	return append(b, ops...)
}

// copyOp is a copy-from-base instruction with a 4-byte offset and 3-byte size.
func copyOp(off, size uint32) []byte {
	return []byte{0x80 | 0x7f, byte(off), byte(off >> 8), byte(off >> 16), byte(off >> 24), byte(size), byte(size >> 8), byte(size >> 16)}
}

// writeSidePack writes entries as a version 2 pack with its version 2 index
// (CRCs and checksums as git writes them) into dir's objects/pack.
func writeSidePack(t *testing.T, dir string, entries []sideEntry) {
	t.Helper()
	var pk bytes.Buffer
	pk.WriteString("PACK")
	binary.Write(&pk, binary.BigEndian, uint32(2))
	binary.Write(&pk, binary.BigEndian, uint32(len(entries)))
	offs := make([]int64, len(entries))
	crcs := make([]uint32, len(entries))
	for i, e := range entries {
		start := pk.Len()
		offs[i] = int64(start)
		typ := byte(7)
		if e.refBase == "" {
			typ = 6
		}
		size := len(e.delta)
		c := typ<<4 | byte(size&15)
		size >>= 4
		for size > 0 {
			pk.WriteByte(c | 0x80)
			c, size = byte(size&0x7f), size>>7
		}
		pk.WriteByte(c)
		if typ == 7 {
			id, _ := hex.DecodeString(e.refBase)
			pk.Write(id)
		} else {
			rel := offs[i] - offs[e.ofsBase]
			var enc []byte
			enc = append(enc, byte(rel&0x7f))
			for rel >>= 7; rel > 0; rel >>= 7 {
				rel--
				enc = append([]byte{0x80 | byte(rel&0x7f)}, enc...)
			}
			pk.Write(enc)
		}
		zw := zlib.NewWriter(&pk)
		zw.Write(e.delta)
		zw.Close()
		crcs[i] = crc32.ChecksumIEEE(pk.Bytes()[start:])
	}
	packSum := sha1.Sum(pk.Bytes())
	pk.Write(packSum[:])

	order := make([]int, len(entries))
	ids := make([][]byte, len(entries))
	for i := range order {
		order[i] = i
		ids[i], _ = hex.DecodeString(entries[i].id)
	}
	sort.Slice(order, func(a, b int) bool { return bytes.Compare(ids[order[a]], ids[order[b]]) < 0 })
	var ix bytes.Buffer
	ix.Write([]byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	for b := 0; b < 256; b++ {
		n := 0
		for _, id := range ids {
			if int(id[0]) <= b {
				n++
			}
		}
		binary.Write(&ix, binary.BigEndian, uint32(n))
	}
	for _, i := range order {
		ix.Write(ids[i])
	}
	for _, i := range order {
		binary.Write(&ix, binary.BigEndian, crcs[i])
	}
	for _, i := range order {
		binary.Write(&ix, binary.BigEndian, uint32(offs[i]))
	}
	ix.Write(packSum[:])
	idxSum := sha1.Sum(ix.Bytes())
	ix.Write(idxSum[:])

	base := filepath.Join(dir, "objects", "pack", fmt.Sprintf("pack-%x", packSum))
	must(t, os.WriteFile(base+".pack", pk.Bytes(), 0o444))
	must(t, os.WriteFile(base+".idx", ix.Bytes(), 0o444))
}

// makeReadOnly takes write permission off every file and folder under dir,
// and gives it back when the test ends so that the copy can be removed.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	var dirs []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		return os.Chmod(p, fi.Mode().Perm()&^0o222)
	})
	must(t, err)
	// Folders last, deepest first, or the walk could not finish.
	for i := len(dirs) - 1; i >= 0; i-- {
		must(t, os.Chmod(dirs[i], 0o555))
	}
	t.Cleanup(func() {
		for _, d := range dirs {
			os.Chmod(d, 0o755)
		}
	})
}
