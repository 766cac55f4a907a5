package analysis_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gitwalk/gitwalk/analysis"
)

// TestClassifierGivesEachPathItsReasonWord checks the reason words the
// default classification gives, with and without attributes: the older
// words where they apply (vendor-folder, lock-file, minified), linguist's
// classes (vendored, generated) for the rest, documentation counted, and a
// specified attribute deciding over the rules as in linguist.
func TestClassifierGivesEachPathItsReasonWord(t *testing.T) {
	attrs := map[string][]string{ // in LinguistAttributes order: vendored, generated, documentation, language
		"vendor/ours/a.go":    {"unset", "", "", ""},
		"web/keep.min.js":     {"false", "", "", ""},
		"go.sum":              {"", "false", "", ""},
		"src/gen.go":          {"", "set", "", ""},
		"src/lib.c":           {"true", "", "", ""},
		"vendor/lib/gen.go":   {"", "set", "", ""},
		"deps/lua/keep.c":     {"unset", "", "", ""},
		"src/weird.inc":       {"", "", "", "c++"},
		"docs/notes.md":       {"", "", "false", ""},
		"node_modules/x/y.js": {"", "unset", "", ""},
	}
	c := analysis.Classifier{Attrs: func(p string) []string { return attrs[p] }}
	tests := []struct {
		path     string
		reason   analysis.ExcludeReason
		doc      bool
		language string
	}{
		{"src/server.c", analysis.NotExcluded, false, "C"},
		{"vendor/lib/lib.go", analysis.ExcludedVendorDir, false, "Go"},
		{"a/node_modules/pkg/index.js", analysis.ExcludedVendorDir, false, "JavaScript"},
		{"third_party/z/z.h", analysis.ExcludedVendorDir, false, "C"},
		{"go.sum", analysis.NotExcluded, false, "Go Checksums"},
		{"sub/go.sum", analysis.ExcludedLockFile, false, "Go Checksums"},
		{"package-lock.json", analysis.ExcludedLockFile, false, "JSON"},
		{"web/app.min.js", analysis.ExcludedMinified, false, "JavaScript"},
		{"web/keep.min.js", analysis.NotExcluded, false, "JavaScript"},
		{"deps/jemalloc/configure", analysis.ExcludedVendored, false, ""},
		{"deps/lua/src/lua.c", analysis.ExcludedVendored, false, "C"},
		{"deps/lua/keep.c", analysis.NotExcluded, false, "C"},
		{"configure", analysis.ExcludedVendored, false, ""},
		{".github/workflows/ci.yml", analysis.ExcludedVendored, false, "YAML"},
		{"flake.lock", analysis.ExcludedGenerated, false, "JSON"},
		{"src/gen.go", analysis.ExcludedGenerated, false, "Go"},
		{"vendor/lib/gen.go", analysis.ExcludedGenerated, false, "Go"},
		{"src/lib.c", analysis.ExcludedVendored, false, "C"},
		{"vendor/ours/a.go", analysis.NotExcluded, false, "Go"},
		{"node_modules/x/y.js", analysis.ExcludedVendorDir, false, "JavaScript"},
		{"README.md", analysis.NotExcluded, true, "Markdown"},
		{"docs/guide.md", analysis.NotExcluded, true, "Markdown"},
		{"docs/notes.md", analysis.NotExcluded, false, "Markdown"},
		{"src/weird.inc", analysis.NotExcluded, false, "C++"},
	}
	memo := c.Memoized()
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got := c.Classify(tc.path)
			for i := 0; i < 2; i++ { // a miss, then a hit
				if m := memo.Classify(tc.path); m != got {
					t.Errorf("memoized, call %d: %+v, want %+v", i+1, m, got)
				}
			}
			if got.Reason != tc.reason || got.Documentation != tc.doc || got.Language != tc.language {
				t.Errorf("got %+v (%s), want reason %s, documentation %v, language %q", got, got.Reason, tc.reason, tc.doc, tc.language)
			}
			if r := c.Exclude(tc.path); r != got.Reason {
				t.Errorf("Exclude says %s, Classify %s", r, got.Reason)
			}
			if l := c.Language(tc.path); l != got.Language {
				t.Errorf("Language says %q, Classify %q", l, got.Language)
			}
		})
	}
}

// TestClassifierSaysWhatLinguistCountsInLanguageStatistics checks the
// files the truck-factor paper keeps: programming and markup files that
// are not vendored, generated or documentation.
func TestClassifierSaysWhatLinguistCountsInLanguageStatistics(t *testing.T) {
	attrs := map[string][]string{
		"docs/notes.md": {"", "", "false", "", ""},
		"conf/app.yml":  {"", "", "", "", "set"},
		"src/gen.c":     {"", "set", "", "", ""},
	}
	c := analysis.Classifier{Attrs: func(p string) []string { return attrs[p] }}
	for p, want := range map[string]bool{
		"src/server.c":      true,
		"web/index.html":    true,  // markup
		"README.md":         false, // documentation
		"docs/notes.md":     false, // not documentation, but prose
		"data.json":         false, // data
		"conf/app.yml":      true,  // data, made detectable
		"src/gen.c":         false, // generated
		"vendor/lib/lib.go": false,
		"deps/lua/lua.c":    false,
		"LICENSE":           false,
		"bin/unknownfile":   false, // no language
	} {
		if got := c.InLanguageStats(p); got != want {
			t.Errorf("%s: in language statistics %v, want %v", p, got, want)
		}
	}
}

// TestMemoizedClassifierAsksOncePerPath checks that a Memoized classifier
// gives the answers of the plain one, from several goroutines at once (run
// it with -race), and reads each path's attributes once when asked in turn.
func TestMemoizedClassifierAsksOncePerPath(t *testing.T) {
	var calls atomic.Int64
	attrs := func(p string) []string {
		calls.Add(1)
		if p == "src/gen/x.go" {
			return []string{"", "set", "", "", ""}
		}
		return nil
	}
	var paths []string
	for i := 0; i < 50; i++ {
		paths = append(paths, fmt.Sprintf("src/f%d.c", i), fmt.Sprintf("vendor/v%d.go", i), fmt.Sprintf("docs/d%d.md", i))
	}
	paths = append(paths, "src/gen/x.go", "package-lock.json", "web/a.min.js", "deps/lua/lua.c")
	plain := analysis.Classifier{Attrs: attrs}
	want := map[string]analysis.FileClass{}
	for _, p := range paths {
		want[p] = plain.Classify(p)
	}

	memo := plain.Memoized()
	calls.Store(0)
	for round := 0; round < 3; round++ {
		for _, p := range paths {
			if got := memo.Classify(p); got != want[p] {
				t.Fatalf("%s: %+v, want %+v", p, got, want[p])
			}
			if got := memo.Exclude(p); got != want[p].Reason {
				t.Fatalf("%s: Exclude %s, want %s", p, got, want[p].Reason)
			}
		}
	}
	if n := calls.Load(); n != int64(len(paths)) {
		t.Errorf("attributes read %d times for %d paths asked 3 times each", n, len(paths))
	}

	// Exclude first, which leaves the language out, then Classify, which
	// completes it from what the memo kept: the same classes, and the
	// attributes still read once a path.
	excludeFirst := plain.Memoized()
	calls.Store(0)
	for _, p := range paths {
		if got := excludeFirst.Exclude(p); got != want[p].Reason {
			t.Fatalf("%s: Exclude %s, want %s", p, got, want[p].Reason)
		}
	}
	for _, p := range paths {
		if got := excludeFirst.Classify(p); got != want[p] {
			t.Fatalf("%s after Exclude: %+v, want %+v", p, got, want[p])
		}
		if got := excludeFirst.Language(p); got != want[p].Language {
			t.Fatalf("%s after Exclude: Language %q, want %q", p, got, want[p].Language)
		}
	}
	if n := calls.Load(); n != int64(len(paths)) {
		t.Errorf("Exclude, then Classify: attributes read %d times for %d paths", n, len(paths))
	}

	shared := plain.Memoized()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range paths {
				p := paths[(i*(g+1))%len(paths)]
				got := shared.Classify(p)
				l := shared.Language(p)
				if got != want[p] || l != want[p].Language || shared.InLanguageStats(p) != want[p].LanguageStats {
					errs <- fmt.Sprintf("%s: %+v, want %+v", p, got, want[p])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
