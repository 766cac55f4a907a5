package analysis_test

import (
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
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got := c.Classify(tc.path)
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
