package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The test binary is also the second process of the tests that need one:
// with GITWALK_STORE_HELPER set it runs that helper instead of the tests.
func TestMain(m *testing.M) {
	if h := os.Getenv("GITWALK_STORE_HELPER"); h != "" {
		if err := helper(h, os.Getenv("GITWALK_STORE_DIR")); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func helper(mode, dir string) error {
	switch mode {
	case "hold":
		// Hold the store until stdin closes.
		s, err := Open(dir, nil)
		if err != nil {
			return err
		}
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		return s.Close()
	case "write":
		// Write records for ever, saying after each Flush how many are
		// committed; the test kills it.
		s, err := Open(dir, &Options{BatchRecords: 7, BatchDelay: time.Millisecond})
		if err != nil {
			return err
		}
		for i := 0; ; i++ {
			if err := s.Put(testKey(i), testRecord(i)); err != nil {
				return err
			}
			if i%50 == 49 {
				if err := s.Flush(); err != nil {
					return err
				}
				fmt.Printf("flushed %d\n", i+1)
			}
		}
	case "full":
		// A disk that fills up: writes past 256 KiB fail with EFBIG.
		signal.Ignore(syscall.SIGXFSZ)
		s, err := Open(dir, &Options{BatchRecords: 10})
		if err != nil {
			return err
		}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 256 << 10, Max: 256 << 10}); err != nil {
			return err
		}
		for i := 0; i < 100000; i++ {
			if err := s.Put(testKey(i), testRecord(i)); err != nil {
				fmt.Println("put failed:", err)
				break
			}
			if i%10 == 9 {
				if err := s.Flush(); err != nil {
					fmt.Println("flush failed:", err)
					break
				}
				fmt.Printf("flushed %d\n", i+1)
			}
		}
		err = s.Close()
		fmt.Println("closed:", err)
		return nil
	}
	return fmt.Errorf("unknown helper %q", mode)
}

func testKey(i int) Key {
	var k Key
	k.Settings = NewFingerprint("test", "v1")
	binary.BigEndian.PutUint64(k.Commit[:], uint64(i)*0x9E3779B97F4A7C15) // spread like hashes
	binary.BigEndian.PutUint32(k.Commit[16:], uint32(i))
	binary.BigEndian.PutUint32(k.Parent[:], uint32(i+1))
	return k
}

// testRecord is a record whose bytes say which it is, so a wrong one shows.
func testRecord(i int) []byte {
	return []byte(fmt.Sprintf("record %06d %s", i, strings.Repeat("x", i%97)))
}

func startHelper(t *testing.T, mode, dir string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GITWALK_STORE_HELPER="+mode, "GITWALK_STORE_DIR="+dir)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, in, bufio.NewScanner(out)
}

func mustOpen(t *testing.T, dir string, o *Options) *Store {
	t.Helper()
	s, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func putAll(t *testing.T, s *Store, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := s.Put(testKey(i), testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecordsRoundTripAcrossOpens(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, &Options{BatchRecords: 16})
	putAll(t, s, 0, 300)
	// Read back before and after their batches commit.
	for i := 0; i < 300; i += 7 {
		got, ok, err := s.Get(testKey(i))
		if err != nil || !ok || !bytes.Equal(got, testRecord(i)) {
			t.Fatalf("Get %d = %q, %v, %v before close", i, got, ok, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(testKey(0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close: %v, want ErrClosed", err)
	}
	if err := s.Put(testKey(0), nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close: %v, want ErrClosed", err)
	}
	// Close waits for the writer goroutine: none outlives the Store. (Counting
	// goroutines is not enough: the runtime and os/signal start their own.)
	// The writer closes done as its last deferred call, so it may still be
	// on its way out, runnable, when Close returns (seen once under -race in
	// CI): it must be gone soon after, where a writer left running stays.
	deadline := time.Now().Add(2 * time.Second)
	for g := storeGoroutine(); g != ""; g = storeGoroutine() {
		if time.Now().After(deadline) {
			t.Fatalf("a goroutine of the store runs 2 s after Close:\n%s", g)
		}
		time.Sleep(time.Millisecond)
	}

	s = mustOpen(t, dir, nil)
	defer s.Close()
	for i := 0; i < 300; i++ {
		got, ok, err := s.Get(testKey(i))
		if err != nil || !ok || !bytes.Equal(got, testRecord(i)) {
			t.Fatalf("Get %d = %q, %v, %v after reopening", i, got, ok, err)
		}
	}
	other := testKey(1)
	other.Settings = NewFingerprint("test", "v2")
	if _, ok, err := s.Get(other); ok || err != nil {
		t.Fatalf("a record was found under other settings (%v, %v)", ok, err)
	}
	if _, ok, _ := s.Get(testKey(300)); ok {
		t.Fatal("a record never put was found")
	}
	st, err := s.Stats()
	if err != nil || st.Records != 300 || st.RecordBytes <= 0 || st.FileBytes < st.RecordBytes {
		t.Fatalf("Stats = %+v, %v; want 300 records", st, err)
	}
}

func TestConcurrentPutsAndGetsSeeEveryRecord(t *testing.T) {
	s := mustOpen(t, t.TempDir(), &Options{BatchRecords: 32, BatchDelay: time.Millisecond})
	defer s.Close()
	const workers, each = 4, 250
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for i := w * each; i < (w+1)*each; i++ {
				if err := s.Put(testKey(i), testRecord(i)); err != nil {
					errs <- err
					return
				}
				// Read back one of its own and one of a neighbour's
				// (there or not yet): never a wrong record.
				for _, j := range []int{i, (i + each) % (workers * each)} {
					got, ok, err := s.Get(testKey(j))
					if err != nil || (j == i && !ok) || (ok && !bytes.Equal(got, testRecord(j))) {
						errs <- fmt.Errorf("Get %d = %q, %v, %v", j, got, ok, err)
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for w := 0; w < workers; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if st, err := s.Stats(); err != nil || st.Records != workers*each {
		t.Fatalf("Stats = %+v, %v; want %d records", st, err, workers*each)
	}
}

func TestFingerprintsSeparateTheirParts(t *testing.T) {
	if NewFingerprint("a", "bc") == NewFingerprint("ab", "c") {
		t.Error("(a, bc) and (ab, c) have one fingerprint")
	}
	if NewFingerprint("a", "b") == NewFingerprint("b", "a") {
		t.Error("the order of settings is lost")
	}
	if NewFingerprint("a") != NewFingerprint("a") {
		t.Error("a fingerprint is not a function of its settings")
	}
}

func TestRunsAreListedPerRepositoryNewestFirst(t *testing.T) {
	s := mustOpen(t, t.TempDir(), nil)
	defer s.Close()
	t0 := time.Unix(1700000000, 0)
	runs := []Run{
		{Repo: "/src/a", When: t0, Commits: 10, Bytes: 1000, Hits: 0, Misses: 10},
		{Repo: "/src/b", When: t0.Add(time.Hour), Commits: 5, Bytes: 50, Hits: 5},
		{Repo: "/src/a", When: t0.Add(2 * time.Hour), Commits: 12, Bytes: 1200, Hits: 10, Misses: 2},
	}
	for _, r := range runs {
		if err := s.NoteRun(r); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Repos) != 2 || !runEqual(st.Repos[0], runs[2]) || !runEqual(st.Repos[1], runs[1]) {
		t.Fatalf("Repos = %+v", st.Repos)
	}
	if !runEqual(st.LastRun, runs[2]) {
		t.Fatalf("LastRun = %+v, want %+v", st.LastRun, runs[2])
	}
}

func runEqual(a, b Run) bool { a.When, b.When = a.When.UTC(), b.When.UTC(); return a == b }

func TestASecondStoreWaitsThenIsBusy(t *testing.T) {
	dir := t.TempDir()
	a := mustOpen(t, dir, nil)
	_, err := Open(dir, &Options{Wait: 50 * time.Millisecond})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("second Open: %v, want ErrBusy", err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("the error %q does not name the store", err)
	}
	putAll(t, a, 0, 10)

	// A second Open that waits long enough gets the store once the first
	// lets go, with what the first wrote.
	got := make(chan error, 1)
	go func() {
		b, err := Open(dir, &Options{Wait: time.Minute})
		if err == nil {
			rec, ok, gerr := b.Get(testKey(3))
			if gerr != nil || !ok || !bytes.Equal(rec, testRecord(3)) {
				err = fmt.Errorf("the waiting store reads %q, %v, %v", rec, ok, gerr)
			}
			b.Close()
		}
		got <- err
	}()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

func TestAnotherProcessHoldingTheStoreMakesOpenBusy(t *testing.T) {
	dir := t.TempDir()
	cmd, in, out := startHelper(t, "hold", dir)
	if !out.Scan() || out.Text() != "ready" {
		t.Fatalf("helper said %q", out.Text())
	}
	if _, err := Open(dir, &Options{Wait: 100 * time.Millisecond}); !errors.Is(err, ErrBusy) {
		t.Fatalf("Open while another process holds the store: %v, want ErrBusy", err)
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	s := mustOpen(t, dir, nil)
	s.Close()
}

func TestAKilledWriterLeavesAStoreWithItsCommittedBatches(t *testing.T) {
	dir := t.TempDir()
	cmd, _, out := startHelper(t, "write", dir)
	flushed := 0
	for flushed < 400 && out.Scan() {
		if n, ok := strings.CutPrefix(out.Text(), "flushed "); ok {
			flushed, _ = strconv.Atoi(n)
		}
	}
	if flushed < 400 {
		t.Fatalf("the writer stopped at %d records: %v", flushed, out.Err())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	s := mustOpen(t, dir, nil)
	defer s.Close()
	for i := 0; i < flushed; i++ {
		got, ok, err := s.Get(testKey(i))
		if err != nil || !ok || !bytes.Equal(got, testRecord(i)) {
			t.Fatalf("record %d of %d flushed: %q, %v, %v", i, flushed, got, ok, err)
		}
	}
	if err := s.Check(); err != nil {
		t.Fatalf("the store a kill left fails its check: %v", err)
	}
	st, _ := s.Stats()
	t.Logf("%d records flushed before the kill, %d in the store", flushed, st.Records)
}

func TestAFullDiskFailsWritesButKeepsTheStore(t *testing.T) {
	dir := t.TempDir()
	cmd, _, out := startHelper(t, "full", dir)
	var lines []string
	flushed := 0
	for out.Scan() {
		lines = append(lines, out.Text())
		if n, ok := strings.CutPrefix(out.Text(), "flushed "); ok {
			flushed, _ = strconv.Atoi(n)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the writer crashed on a full disk: %v\n%s", err, strings.Join(lines, "\n"))
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "closed: ") || !strings.Contains(strings.Join(lines, "\n"), "failed: write store") {
		t.Fatalf("no write error was reported:\n%s", strings.Join(lines[max(0, len(lines)-3):], "\n"))
	}
	s := mustOpen(t, dir, nil)
	defer s.Close()
	for i := 0; i < flushed; i++ {
		got, ok, err := s.Get(testKey(i))
		if err != nil || !ok || !bytes.Equal(got, testRecord(i)) {
			t.Fatalf("record %d of %d flushed before the disk filled: %q, %v, %v", i, flushed, got, ok, err)
		}
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestAFolderUnderAFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, nil, 0o644)
	_, err := Open(filepath.Join(notDir, "cache"), nil)
	if err == nil || errors.Is(err, ErrDamaged) {
		t.Fatalf("Open under a file: %v, want an error that is not damage", err)
	}
}

func TestAReadOnlyFolderIsAnError(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes a read-only folder all the same")
	}
	ro := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(ro, 0o555)
	if _, err := Open(ro, nil); err == nil || errors.Is(err, ErrDamaged) {
		t.Fatalf("Open in a read-only folder: %v, want an error that is not damage", err)
	}
}

func TestPruneRemovesTheLeastRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1700000000, 0)
	s := mustOpen(t, dir, &Options{TouchAfter: time.Hour})
	defer s.Close()
	s.now = func() time.Time { return now }
	putAll(t, s, 0, 100) // written at day 0
	s.Flush()
	now = now.Add(10 * 24 * time.Hour)
	putAll(t, s, 100, 200) // written at day 10
	// Read at day 10: renews the stamps of 0..9.
	for i := 0; i < 10; i++ {
		if _, ok, err := s.Get(testKey(i)); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	s.NoteRun(Run{Repo: "/old", When: now.Add(-9 * 24 * time.Hour)})
	s.NoteRun(Run{Repo: "/new", When: now})
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	removed, err := s.Prune(0, 5*24*time.Hour)
	if err != nil || removed != 90 {
		t.Fatalf("Prune by age removed %d (%v), want 90", removed, err)
	}
	for i := 0; i < 200; i++ {
		_, ok, err := s.Get(testKey(i))
		if err != nil || ok != (i < 10 || i >= 100) {
			t.Fatalf("record %d: found %v (%v) after pruning by age", i, ok, err)
		}
	}
	st, err := s.Stats()
	if err != nil || st.Records != 110 || len(st.Repos) != 1 || st.Repos[0].Repo != "/new" {
		t.Fatalf("Stats after pruning by age: %+v, %v", st, err)
	}

	// By size: the oldest go first (0..9 and 100..199 share a stamp; the
	// key decides among them), down to the bound.
	bound := st.RecordBytes / 2
	if _, err := s.Prune(bound, 0); err != nil {
		t.Fatal(err)
	}
	st2, err := s.Stats()
	if err != nil || st2.RecordBytes > bound || st2.Records == 0 || st2.Records >= st.Records {
		t.Fatalf("Stats after pruning to %d bytes: %+v, %v", bound, st2, err)
	}
	if st2.FileBytes > st.FileBytes {
		t.Errorf("the file grew: %d bytes, was %d", st2.FileBytes, st.FileBytes)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestPruneCompactsABloatedFileAndKeepsEveryRecord(t *testing.T) {
	s := mustOpen(t, t.TempDir(), &Options{BatchRecords: 8})
	defer s.Close()
	putAll(t, s, 0, 3000) // small batches of random keys: pages part empty
	before, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if before.FileBytes <= 2*before.RecordBytes+64<<10 {
		t.Fatalf("the test's file is not bloated: %d bytes for %d of records", before.FileBytes, before.RecordBytes)
	}
	// Reads go on while the file is swapped.
	stop, readErr := make(chan struct{}), make(chan error, 1)
	go func() {
		for i := 0; ; i = (i + 1) % 3000 {
			select {
			case <-stop:
				readErr <- nil
				return
			default:
			}
			if got, ok, err := s.Get(testKey(i)); !ok || err != nil || !bytes.Equal(got, testRecord(i)) {
				readErr <- fmt.Errorf("record %d during compaction: %q, %v, %v", i, got, ok, err)
				return
			}
		}
	}()
	n, err := s.Prune(0, 0)
	close(stop)
	if n != 0 || err != nil {
		t.Fatalf("Prune with no bounds removed %d (%v)", n, err)
	}
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	after, err := s.Stats()
	if err != nil || after.Records != 3000 || after.FileBytes >= before.FileBytes {
		t.Fatalf("after Prune: %+v, %v; before: %d bytes", after, err, before.FileBytes)
	}
	for i := 0; i < 3000; i++ {
		if got, ok, err := s.Get(testKey(i)); !ok || err != nil || !bytes.Equal(got, testRecord(i)) {
			t.Fatalf("record %d after compaction: %q, %v, %v", i, got, ok, err)
		}
	}
}

func TestClearEmptiesTheStoreAndItStillWorks(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	putAll(t, s, 0, 500)
	s.NoteRun(Run{Repo: "/r", When: time.Now()})
	before, _ := s.Stats()
	if err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats()
	if err != nil || st.Records != 0 || len(st.Repos) != 0 || st.FileBytes >= before.FileBytes {
		t.Fatalf("Stats after Clear: %+v, %v (before: %d bytes)", st, err, before.FileBytes)
	}
	if _, ok, _ := s.Get(testKey(1)); ok {
		t.Fatal("a record survived Clear")
	}
	putAll(t, s, 0, 3)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, nil)
	defer s.Close()
	if got, ok, err := s.Get(testKey(2)); !ok || err != nil || !bytes.Equal(got, testRecord(2)) {
		t.Fatalf("after Clear and reopening: %q, %v, %v", got, ok, err)
	}
}

func TestAProcessWaitingForAClearedStoreOpensTheNewFile(t *testing.T) {
	dir := t.TempDir()
	a := mustOpen(t, dir, nil)
	putAll(t, a, 0, 10)
	got := make(chan error, 1)
	go func() {
		b, err := Open(dir, &Options{Wait: time.Minute})
		if err == nil {
			// It must see the file a made, where the record below is.
			_, ok, gerr := b.Get(testKey(42))
			if !ok || gerr != nil {
				err = fmt.Errorf("the waiting store missed the record written after Clear (%v)", gerr)
			}
			b.Close()
		}
		got <- err
	}()
	if err := a.Clear(); err != nil {
		t.Fatal(err)
	}
	putAll(t, a, 42, 43)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

func TestDefaultDirFollowsGITWALK_CACHE(t *testing.T) {
	t.Setenv("GITWALK_CACHE", "/some/where")
	if d, err := DefaultDir(); err != nil || d != "/some/where" {
		t.Fatalf("DefaultDir = %q, %v", d, err)
	}
	t.Setenv("GITWALK_CACHE", "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // where Linux's UserCacheDir looks
	base, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache folder here:", err)
	}
	if d, err := DefaultDir(); err != nil || d != filepath.Join(base, "gitwalk") {
		t.Fatalf("DefaultDir = %q, %v; want gitwalk under %s", d, err, base)
	}
}

// rewriteFormat sets the format record of a closed store, as a newer
// gitwalk would write it.
func rewriteFormat(t *testing.T, path string, v uint32) {
	t.Helper()
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], v)
		return tx.Bucket(bucketMeta).Put(keyFormat, seal(keyFormat, nil, b[:]))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestANewerFormatIsRefusedInOneLine(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	s.Close()
	rewriteFormat(t, filepath.Join(dir, FileName), formatVersion+1)
	_, err := Open(dir, nil)
	if !errors.Is(err, ErrNewerFormat) || errors.Is(err, ErrDamaged) {
		t.Fatalf("Open of a newer format: %v, want ErrNewerFormat", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, filepath.Join(dir, FileName)) {
		t.Fatalf("the error %q is not one line naming the file", msg)
	}
}

func TestASetAsideStoreMakesRoomForANewOne(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), bytes.Repeat([]byte("garbage!"), 2000), 0o644)
	_, err := Open(dir, nil)
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Open of garbage: %v, want ErrDamaged", err)
	}
	to, err := SetAside(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(to); err != nil || !bytes.HasPrefix(b, []byte("garbage!")) {
		t.Fatalf("the damaged file is not kept at %s: %v", to, err)
	}
	s := mustOpen(t, dir, nil)
	putAll(t, s, 0, 2)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// storeGoroutine returns the stack of a goroutine, other than the caller's,
// that runs this package's code, or "".
func storeGoroutine() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	// The caller's goroutine comes first; goroutines are separated by a blank line.
	for _, g := range strings.Split(string(buf), "\n\n")[1:] {
		for _, line := range strings.Split(g, "\n") {
			if strings.HasPrefix(line, "github.com/gitwalk/gitwalk/internal/store.") && !strings.Contains(line, ".Test") {
				return g
			}
		}
	}
	return ""
}

func TestDeleteAndKeysSeeTheBatchAndTheFile(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	other := Key{Settings: NewFingerprint("other")}
	other.Commit[0] = 1
	putAll(t, s, 0, 10)
	if err := s.Put(other, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	// 0..9 in the file; now delete 3 (pending) and 4 (then flushed), add 10.
	for _, i := range []int{3, 4} {
		if err := s.Delete(testKey(i)); err != nil {
			t.Fatal(err)
		}
	}
	putAll(t, s, 10, 11)
	check := func(when string, want ...int) {
		t.Helper()
		keys, err := s.Keys(testKey(0).Settings)
		if err != nil {
			t.Fatal(err)
		}
		var wantKeys []Key
		for _, i := range want {
			wantKeys = append(wantKeys, testKey(i))
		}
		slices.SortFunc(wantKeys, compareKeys)
		if !slices.Equal(keys, wantKeys) {
			t.Fatalf("%s: Keys = %d keys, want %d (%v)", when, len(keys), len(wantKeys), want)
		}
		for _, i := range []int{3, 4} {
			if _, ok, err := s.Get(testKey(i)); ok || err != nil {
				t.Fatalf("%s: deleted record %d still read (%v)", when, i, err)
			}
		}
	}
	all := []int{0, 1, 2, 5, 6, 7, 8, 9, 10}
	check("pending", all...)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	check("flushed", all...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, nil)
	defer s.Close()
	check("reopened", all...)
	if keys, err := s.Keys(other.Settings); err != nil || len(keys) != 1 || keys[0] != other {
		t.Fatalf("Keys of the other settings = %v, %v", keys, err)
	}
	// An empty record is a record, not a deletion.
	if err := s.Put(testKey(3), nil); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := s.Get(testKey(3)); !ok || err != nil || len(v) != 0 {
		t.Fatalf("an empty record reads back as %q, %v, %v", v, ok, err)
	}
}

func TestAnOlderFormatIsReplacedByAnEmptyStore(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	putAll(t, s, 0, 100)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rewriteFormat(t, filepath.Join(dir, FileName), formatVersion-1)
	s = mustOpen(t, dir, nil)
	if got := s.OlderFormat(); got != formatVersion-1 {
		t.Fatalf("OlderFormat() = %d, want %d", got, formatVersion-1)
	}
	if _, ok, err := s.Get(testKey(5)); ok || err != nil {
		t.Fatalf("Get of an older format's record: ok %v, err %v; want a miss", ok, err)
	}
	if err := s.Put(testKey(7), testRecord(7)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, nil)
	defer s.Close()
	if got := s.OlderFormat(); got != 0 {
		t.Fatalf("OlderFormat() of the new store = %d, want 0", got)
	}
	if v, ok, err := s.Get(testKey(7)); !ok || err != nil || !bytes.Equal(v, testRecord(7)) {
		t.Fatalf("Get after the upgrade: %q, %v, %v", v, ok, err)
	}
	if st, err := s.Stats(); err != nil || st.Records != 1 {
		t.Fatalf("Stats after the upgrade: %d records, %v; want 1", st.Records, err)
	}
}

func TestOrderIsPartOfTheKeyAndSortsIt(t *testing.T) {
	s := mustOpen(t, t.TempDir(), nil)
	defer s.Close()
	a, b := testKey(1), testKey(1)
	a.Order, b.Order = 9, 2
	if err := s.Put(a, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(b, []byte("b")); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		k    Key
		want string
	}{{a, "a"}, {b, "b"}} {
		if v, ok, err := s.Get(c.k); !ok || err != nil || string(v) != c.want {
			t.Fatalf("Get(order %d) = %q, %v, %v; want %q", c.k.Order, v, ok, err, c.want)
		}
	}
	keys, err := s.Keys(a.Settings)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != b || keys[1] != a {
		t.Fatalf("Keys = %v, want order 2 then order 9", keys)
	}
}

// A batch whose Orders follow those stored appends at one edge of the
// B+tree; the same batch with Orders spread over the stored ones rewrites
// pages all over it. bbolt's own count of page writes tells them apart.
func TestABatchInOrderWritesFewPages(t *testing.T) {
	const stored, batch = 20000, 2000
	writes := func(order func(i int) uint64) int {
		s := mustOpen(t, t.TempDir(), &Options{BatchRecords: 1 << 20})
		defer s.Close()
		for i := 0; i < stored; i++ {
			k := testKey(i)
			k.Order = uint64(i)
			if err := s.Put(k, testRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		st := s.db.Stats()
		before := st.TxStats.GetWrite()
		for i := stored; i < stored+batch; i++ {
			k := testKey(i)
			k.Order = order(i)
			if err := s.Put(k, testRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Flush(); err != nil {
			t.Fatal(err)
		}
		st = s.db.Stats()
		return int(st.TxStats.GetWrite() - before)
	}
	appended := writes(func(i int) uint64 { return uint64(i) })
	spread := writes(func(i int) uint64 { return uint64(i) * 0x9E3779B97F4A7C15 % stored })
	t.Logf("page writes: %d appended, %d spread", appended, spread)
	if appended*4 > spread {
		t.Fatalf("a batch in order wrote %d pages, one spread over the tree %d: want under a quarter", appended, spread)
	}
}

func TestGetIntoCopiesIntoTheCallersBuffer(t *testing.T) {
	s := mustOpen(t, t.TempDir(), nil)
	defer s.Close()
	putAll(t, s, 0, 3)
	for _, flush := range []bool{false, true} { // from the pending batch, then from the file
		if flush {
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		mine := make([]byte, 4096)
		v, ok, err := s.GetInto(testKey(1), func(n int) []byte { return mine[:n] })
		if err != nil || !ok || !bytes.Equal(v, testRecord(1)) || &v[0] != &mine[0] {
			t.Fatalf("flushed %v: %q, %v, %v; want record 1 in the buffer given", flush, v, ok, err)
		}
		v, ok, err = s.GetInto(testKey(2), func(n int) []byte { return mine[:1] })
		if err != nil || !ok || !bytes.Equal(v, testRecord(2)) {
			t.Fatalf("flushed %v, a buffer too short: %q, %v, %v; want record 2 all the same", flush, v, ok, err)
		}
	}
}

// A Reader finds what Get finds, whether the next key is a step on, far
// on, behind, absent, or in a file a write has changed since.
func TestAReaderFindsWhatGetFinds(t *testing.T) {
	s := mustOpen(t, t.TempDir(), &Options{BatchRecords: 1 << 20})
	defer s.Close()
	const n = 3000
	key := func(i int) Key {
		k := testKey(i)
		k.Order = uint64(i)
		return k
	}
	for i := 0; i < n; i += 2 { // the odd keys are absent
		if err := s.Put(key(i), testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	r := s.NewReader()
	check := func(i int) {
		t.Helper()
		v, ok, err := r.GetInto(key(i), func(n int) []byte { return make([]byte, n) })
		if err != nil {
			t.Fatal(err)
		}
		if want := i%2 == 0 && i < n; ok != want || (ok && !bytes.Equal(v, testRecord(i))) {
			t.Fatalf("key %d: %q, %v; want present %v", i, v, ok, want)
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n+10; i += 1 + rnd.IntN(3) { // steps of one to three keys
		check(i)
	}
	for range 500 { // anywhere
		check(rnd.IntN(n + 10))
	}
	for i := n + 5; i >= 0; i -= 1 + rnd.IntN(40) { // backwards
		check(i)
	}
	if r.stepped == 0 {
		t.Fatal("no read stepped: the test does not exercise stepping")
	}
	// A write ends the shared transaction the reader's cursor is in.
	for i := 1; i < 400; i += 2 {
		check(i)
		if i%50 == 1 {
			if err := s.Put(key(i+n), testRecord(i)); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestHoldsSaysWhetherAnyRecordHasTheSettings(t *testing.T) {
	s := mustOpen(t, t.TempDir(), nil)
	defer s.Close()
	other := NewFingerprint("other", "v1")
	holds := func(f Fingerprint) bool {
		t.Helper()
		held, err := s.Holds(f)
		if err != nil {
			t.Fatal(err)
		}
		return held
	}
	k := testKey(1)
	if holds(k.Settings) || holds(other) {
		t.Fatal("an empty store holds records")
	}
	if err := s.Put(k, testRecord(1)); err != nil {
		t.Fatal(err)
	}
	if !holds(k.Settings) || holds(other) {
		t.Fatal("a record put (not yet written): want held under its settings only")
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if !holds(k.Settings) || holds(other) {
		t.Fatal("a record in the file: want held under its settings only")
	}
	// Settings sorting just before and just after others' are told apart.
	lo, hi := k.Settings, k.Settings
	lo[len(lo)-1]--
	hi[len(hi)-1]++
	if holds(lo) || holds(hi) {
		t.Fatal("settings next to the record's hold it")
	}
}

// TestCloseSyncsOnlyAfterManyRecords holds Close to its rule: a store that
// took a run's note and a few records closes without waiting for the disk,
// one that took closeSyncRecords records syncs, and the records of both
// are there when the file is opened again.
func TestCloseSyncsOnlyAfterManyRecords(t *testing.T) {
	for _, tc := range []struct {
		records int
		sync    bool
	}{{0, false}, {26, false}, {closeSyncRecords - 1, false}, {closeSyncRecords, true}} {
		dir := t.TempDir()
		s := mustOpen(t, dir, nil)
		putAll(t, s, 0, tc.records)
		if err := s.NoteRun(Run{Repo: "/r", When: time.Unix(1700000000, 0)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if s.synced != tc.sync {
			t.Errorf("%d records and a note: Close synced %v, want %v", tc.records, s.synced, tc.sync)
		}
		s = mustOpen(t, dir, nil)
		for i := 0; i < tc.records; i++ {
			if _, ok, err := s.Get(testKey(i)); !ok || err != nil {
				t.Fatalf("%d records: record %d after reopening: found %v, %v", tc.records, i, ok, err)
			}
		}
		s.Close()
	}
}
