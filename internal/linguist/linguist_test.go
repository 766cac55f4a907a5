package linguist

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestPathRulesAreLinguists checks classes linguist's own tests and docs
// give for well-known paths: redis's deps/, autoconf's configure, vendor
// folders, lock files, documentation.
func TestPathRulesAreLinguists(t *testing.T) {
	tests := []struct {
		path                     string
		vendored, generated, doc bool
	}{
		{path: "deps/jemalloc/src/arena.c", vendored: true},
		{path: "deps/lua/src/lua.c", vendored: true},
		{path: "src/deps/x.c"}, // deps/ is vendored at the top only
		{path: "configure", vendored: true},
		{path: "deps/jemalloc/configure", vendored: true},
		{path: "config.guess", vendored: true},
		{path: "vendor/github.com/a/b/b.go", vendored: true, generated: true}, // linguist: Go's vendor is both
		{path: "web/node_modules/pkg/index.js", vendored: true, generated: true},
		{path: "third_party/zlib/zlib.h", vendored: true},
		{path: "web/app.min.js", vendored: true},
		{path: ".github/workflows/ci.yml", vendored: true},
		{path: "package-lock.json", generated: true},
		{path: "rust/Cargo.lock", generated: true},
		{path: "poetry.lock", generated: true},
		{path: "Godeps/Godeps.json", generated: true},
		{path: "README.md", doc: true},
		{path: "docs/guide.md", doc: true},
		{path: "Documentation/git-log.txt", doc: true},
		{path: "CHANGELOG", doc: true},
		{path: "LICENSE", doc: true},
		{path: "examples/hello.go", doc: true},
		{path: "src/server.c"},
		{path: "src/server.h"},
		{path: "Makefile"},
		{path: "tests/unit/type/list.tcl"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			c := Classify(tc.path, Attrs{})
			got := [3]bool{c.Vendored == Rule, c.Generated == Rule, c.Documentation == Rule}
			if want := [3]bool{tc.vendored, tc.generated, tc.doc}; got != want {
				t.Errorf("vendored, generated, documentation = %v, want %v", got, want)
			}
		})
	}
}

func TestLanguageIsLinguistsByNameAndExtension(t *testing.T) {
	tests := []struct{ path, want string }{
		{"src/server.c", "C"},
		{"src/server.h", "C"}, // .h is C, C++ and Objective-C's: C by linguist's priors
		{"main.go", "Go"},
		{"lib/a.rs", "Rust"}, // not XML, which lists .rs too
		{"README.md", "Markdown"},
		{"notes.txt", "Text"},
		{"Makefile", "Makefile"},
		{"Dockerfile", "Dockerfile"},
		{"x.py", "Python"},
		{"a.tcl", "Tcl"},
		{"t/t0001.sh", "Shell"},
		{"data.bin.unknownext", ""},
		{"LICENSE", "Text"}, // linguist knows the name
	}
	for _, tc := range tests {
		if got := Language(tc.path); got != tc.want {
			t.Errorf("Language(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

// TestAttributesDecideAsLinguistReadsGitsValues writes a .gitattributes in
// every form an attribute takes, asks git check-attr for the values, and
// checks that Classify applies them as linguist's lazy_blob.rb does: a
// specified attribute decides over the path rules, false for -NAME and
// NAME=false, true for any other value; !NAME (unspecified) leaves the
// rules to decide; linguist-language names a language by name or alias;
// linguist-detectable puts a data file in the language statistics or takes
// a programming one out.
func TestAttributesDecideAsLinguistReadsGitsValues(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	testrepos.IsolateGit(t)
	dir := t.TempDir()
	attrs := `vendor/ours/** -linguist-vendored
vendor/false/** linguist-vendored=false
src/lib/** linguist-vendored
src/yes/** linguist-vendored=yes
deps/keep/** !linguist-vendored
package-lock.json linguist-generated=false
gen/** linguist-generated=true
docs/api/** -linguist-documentation
src/guide/** linguist-documentation
*.inc linguist-language=c++
*.weird linguist-language=NoSuchLanguage
*.flag linguist-language
data/keep.json linguist-detectable
src/skip.c -linguist-detectable
`
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitattributes"), []byte(attrs), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path                               string
		vendored, generated, documentation Source
		language                           string
		stats                              bool
	}{
		{path: "vendor/ours/a.go", language: "Go", stats: true},
		{path: "vendor/false/a.go", language: "Go", stats: true},
		{path: "vendor/theirs/a.go", vendored: Rule, language: "Go"},
		{path: "src/lib/a.c", vendored: Attribute, language: "C"},
		{path: "src/yes/a.c", vendored: Attribute, language: "C"},
		{path: "deps/keep/a.c", vendored: Rule, language: "C"},
		{path: "package-lock.json", language: "JSON"},
		{path: "gen/api.go", generated: Attribute, language: "Go"},
		{path: "docs/api/index.md", language: "Markdown"},
		{path: "docs/guide.md", documentation: Rule, language: "Markdown"},
		{path: "src/guide/a.md", documentation: Attribute, language: "Markdown"},
		{path: "src/x.inc", language: "C++", stats: true},
		{path: "src/x.weird"},
		{path: "src/a.flag"},
		{path: "data/keep.json", language: "JSON", stats: true},
		{path: "data/other.json", language: "JSON"},
		{path: "src/skip.c", language: "C"},
		{path: "src/main.c", language: "C", stats: true},
		{path: "docs/api/page.html", language: "HTML", stats: true},
	}
	var paths []string
	for _, tc := range tests {
		paths = append(paths, tc.path)
	}
	cmd := exec.Command("git", "-C", dir, "check-attr", "-z", "--stdin")
	cmd.Args = append(cmd.Args, AttrNames()...)
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\x00") + "\x00")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git check-attr: %v", err)
	}
	values := map[string]map[string]string{}
	f := strings.Split(string(out), "\x00")
	for i := 0; i+2 < len(f); i += 3 {
		if values[f[i]] == nil {
			values[f[i]] = map[string]string{}
		}
		values[f[i]][f[i+1]] = f[i+2]
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			var vs []string
			for _, n := range AttrNames() {
				vs = append(vs, values[tc.path][n])
			}
			a := AttrsOf(vs)
			c := Classify(tc.path, a)
			want := Class{Vendored: tc.vendored, Generated: tc.generated, Documentation: tc.documentation}
			if c != want {
				t.Errorf("git check-attr says %+v; class %+v, want %+v", a, c, want)
			}
			if got := LanguageWith(tc.path, a); got != tc.language {
				t.Errorf("language %q, want %q", got, tc.language)
			}
			if got := InLanguageStats(c, tc.language, a); got != tc.stats {
				t.Errorf("in language statistics: %v, want %v", got, tc.stats)
			}
		})
	}
}

func TestFlagReadsEveryValueFormAsLinguist(t *testing.T) {
	for _, tc := range []struct {
		value         string
		on, specified bool
	}{
		{"", false, false}, {"unspecified", false, false}, {"set", true, true}, {"unset", false, true},
		{"true", true, true}, {"false", false, true}, {"yes", true, true}, {"0", true, true},
	} {
		if on, specified := Flag(tc.value); on != tc.on || specified != tc.specified {
			t.Errorf("Flag(%q) = %v, %v; want %v, %v", tc.value, on, specified, tc.on, tc.specified)
		}
	}
}
