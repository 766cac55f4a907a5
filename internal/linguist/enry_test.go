package linguist

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"testing"

	enry "github.com/go-enry/go-enry/v2"
	"github.com/go-enry/go-enry/v2/data"

	"github.com/gitwalk/gitwalk/internal/linguist/internal/gen"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// go-enry is the oracle of these tests: the tables are generated from its
// data, and every answer must be the one it gives (through the code
// internal/linguist called before the tables: refLanguage).

// refLanguage is Language as internal/linguist computed it through go-enry.
// ties are the other answers go-enry may give: its classifier breaks a tie
// of priors in map order.
func refLanguage(p string) (lang string, ties []string) {
	base := path.Base(p)
	if l, _ := enry.GetLanguageByFilename(base); l != "" {
		return l, nil
	}
	cands := enry.GetLanguagesByExtension(base, nil, nil)
	switch len(cands) {
	case 0:
		return "", nil
	case 1:
		return cands[0], nil
	}
	ext := strings.ToLower(path.Ext(base))
	var primary []string
	for _, l := range cands {
		if exts := enry.GetLanguageExtensions(l); len(exts) > 0 && strings.ToLower(exts[0]) == ext {
			primary = append(primary, l)
		}
	}
	if len(primary) == 1 {
		return primary[0], nil
	}
	if len(primary) > 1 {
		cands = primary
	}
	l, _ := enry.GetLanguageByClassifier(nil, cands)
	for _, c := range cands {
		if a, ok := enry.GetLanguageByAlias(c); ok {
			c = a
		}
		if pc, ok := data.LanguagesLogProbabilities[c]; ok && c != l && pc == data.LanguagesLogProbabilities[l] {
			ties = append(ties, c)
		}
	}
	return l, ties
}

// checkPath compares every path answer with go-enry's.
func checkPath(t *testing.T, p string) {
	t.Helper()
	if got, want := IsVendored(p), enry.IsVendor(p); got != want {
		t.Errorf("IsVendored(%q) = %v, go-enry says %v", p, got, want)
	}
	if got, want := IsGenerated(p), enry.IsGenerated(p, nil); got != want {
		t.Errorf("IsGenerated(%q) = %v, go-enry says %v", p, got, want)
	}
	if got, want := IsDocumentation(p), enry.IsDocumentation(p); got != want {
		t.Errorf("IsDocumentation(%q) = %v, go-enry says %v", p, got, want)
	}
	got := Language(p)
	want, ties := refLanguage(p)
	if got != want && !contains(ties, got) {
		t.Errorf("Language(%q) = %q, go-enry says %q (ties %q)", p, got, want, ties)
	}
	if lw := LanguageWith(p, Attrs{Language: "set"}); lw != got {
		t.Errorf("LanguageWith(%q, linguist-language set) = %q, want Language's %q", p, lw, got)
	}
}

func contains(s []string, x string) bool {
	for _, e := range s {
		if e == x {
			return true
		}
	}
	return false
}

func TestEveryFileNameIsGoEnrys(t *testing.T) {
	if len(data.LanguagesByFilename) < 100 {
		t.Fatalf("go-enry knows only %d file names", len(data.LanguagesByFilename))
	}
	for name := range data.LanguagesByFilename {
		for _, p := range []string{name, "src/deep/" + name, strings.ToLower(name), strings.ToUpper(name), name + ".bak"} {
			checkPath(t, p)
		}
	}
}

func TestEveryExtensionIsGoEnrys(t *testing.T) {
	if len(data.LanguagesByExtension) < 1000 {
		t.Fatalf("go-enry knows only %d extensions", len(data.LanguagesByExtension))
	}
	ties := 0
	for ext := range data.LanguagesByExtension {
		if _, tied := refLanguage("f" + ext); len(tied) > 0 {
			ties++
		}
		for _, base := range []string{"f", "README", "Makefile", "x.tar", "a.min", ""} {
			for _, p := range []string{base + ext, "lib/x/" + base + ext, strings.ToUpper(base + ext)} {
				checkPath(t, p)
			}
		}
	}
	t.Logf("%d extensions resolve by a tie of priors (go-enry picks among them at random)", ties)
}

func TestEveryAliasIsGoEnrys(t *testing.T) {
	var values []string
	for alias := range data.LanguageByAliasMap {
		values = append(values, alias, strings.ToUpper(alias), strings.ReplaceAll(alias, "_", " "))
	}
	for lang := range data.LanguagesType {
		values = append(values, lang, lang+", with a comma", " "+lang, strings.ToLower(lang))
	}
	values = append(values, "NoSuchLanguage", "c++", "C ++", "js", "", ",c")
	for _, v := range values {
		want, _ := enry.GetLanguageByAlias(v)
		if v == "" {
			want = Language("x.c") // no value overrides nothing
		}
		if got := LanguageWith("x.c", Attrs{Language: v}); got != want {
			t.Errorf("LanguageWith(linguist-language=%q) = %q, go-enry says %q", v, got, want)
		}
	}
}

func TestEveryLanguageTypeIsGoEnrys(t *testing.T) {
	langs := []string{"", "NoSuchLanguage", "c", "go"}
	for l := range data.LanguagesType {
		langs = append(langs, l)
	}
	for l := range data.LanguagesLogProbabilities {
		langs = append(langs, l)
	}
	for _, l := range langs {
		typ := enry.GetLanguageType(l)
		want := l != "" && (typ == enry.Programming || typ == enry.Markup)
		if got := InLanguageStats(Class{}, l, Attrs{}); got != want {
			t.Errorf("InLanguageStats(%q) = %v; go-enry's type is %v", l, got, typ)
		}
	}
}

// TestEveryPathRuleIsGoEnrys builds paths that match each vendor,
// documentation and generated rule (an example of each alternative of its
// expression, at the top, under folders, with a folder or extension
// after), plus the paths of the fixtures and of the repositories named by
// GITWALK_LINGUIST_CORPUS (git directories, separated as in PATH; skipped
// when unset), and checks every answer against go-enry's.
func TestEveryPathRuleIsGoEnrys(t *testing.T) {
	var paths []string
	hits := map[string]int{}
	sets := map[string][]rule{"vendor": vendorRules, "documentation": documentationRules, "generated": generatedRules}
	is := map[string]func(string) bool{"vendor": IsVendored, "documentation": IsDocumentation, "generated": IsGenerated}
	for name, rules := range sets {
		for _, r := range rules {
			re, err := syntax.Parse(r.expr, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			compiled := regexp.MustCompile(r.expr)
			for _, e := range matching(re) {
				if !compiled.MatchString(e) {
					t.Errorf("example %q does not match %s", e, r.expr)
				}
				if len(r.needles) > 0 && !containsAny(e, r.needles) {
					t.Errorf("%q matches %s but holds none of its needles %q", e, r.expr, r.needles)
				}
				for _, p := range []string{e, "a/" + e, "src/lib/" + e, e + "/x.c", "a/" + e + "/x.c", e + ".txt", strings.ToUpper(e), strings.ToLower(e)} {
					paths = append(paths, p)
					if is[name](p) {
						hits[name]++
					}
				}
			}
		}
	}
	for _, name := range []string{"vendor", "documentation", "generated"} {
		if hits[name] < 50 {
			t.Errorf("only %d synthetic paths are %s: the examples miss the rules", hits[name], name)
		}
	}
	for _, e := range generatedExtensions {
		paths = append(paths, "a"+e, "a"+strings.ToUpper(e), "dir"+e+"/x")
	}
	// Case folding where strings.ToLower and (?i) differ: the long s, the
	// Kelvin sign, the dotted capital I.
	paths = append(paths, "x.js.map", "X.CSS.MAP", "x.j\u017f.map", "x.c\u017f\u017f.map", "a.NIB", "\u212a.c", "x.\u0130dl",
		"Foo.Designer.CS", "a.feature.cs", "vendor/github.com/x/y.go", "", ".", "/", "a/", "dir/.h", "noext", "..", "a..c")
	paths = append(paths, fixturePaths(t)...)
	paths = append(paths, corpusPaths(t)...)
	for _, p := range paths {
		checkPath(t, p)
	}
	t.Logf("%d paths", len(paths))
}

// matching returns strings that match re: one for each alternative, each
// optional part taken and left out.
func matching(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		for _, r := range "a0-._x" {
			for i := 0; i+1 < len(re.Rune); i += 2 {
				if re.Rune[i] <= r && r <= re.Rune[i+1] {
					return []string{string(r)}
				}
			}
		}
		if len(re.Rune) > 0 {
			return []string{string(re.Rune[0])}
		}
		return nil
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"a"}
	case syntax.OpCapture:
		return matching(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		return append([]string{""}, matching(re.Sub[0])...)
	case syntax.OpPlus:
		return matching(re.Sub[0])
	case syntax.OpRepeat:
		var out []string
		for _, e := range matching(re.Sub[0]) {
			out = append(out, strings.Repeat(e, max(re.Min, 1)))
		}
		return out
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			out = append(out, matching(s)...)
		}
		return out
	case syntax.OpConcat:
		subs := make([][]string, len(re.Sub))
		for i, s := range re.Sub {
			if subs[i] = matching(s); len(subs[i]) == 0 {
				return nil
			}
		}
		var out []string
		for i := range subs {
			for j, e := range subs[i] {
				if j == 0 && i > 0 {
					continue
				}
				var b strings.Builder
				for k := range subs {
					if k == i {
						b.WriteString(e)
					} else {
						b.WriteString(subs[k][0])
					}
				}
				out = append(out, b.String())
			}
		}
		return out
	}
	return []string{""} // anchors, boundaries, empty
}

// fixturePaths are the paths of every commit of every fixture repository.
func fixturePaths(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Log("git not installed: no fixture paths")
		return nil
	}
	testrepos.IsolateGit(t)
	var paths []string
	for _, name := range testrepos.Names() {
		dir := filepath.Join(testrepos.Root(), name+".git")
		out, err := exec.Command("git", "--git-dir", dir, "log", "--all", "--no-renames", "--format=", "--name-only", "-z").Output()
		if err != nil && name != "empty" {
			t.Fatalf("git log in fixture %s: %v", name, err)
		}
		paths = append(paths, splitZ(out)...)
	}
	if len(paths) < 100 {
		t.Fatalf("only %d fixture paths", len(paths))
	}
	return paths
}

// corpusPaths are the paths at HEAD of the git directories GITWALK_LINGUIST_CORPUS names.
func corpusPaths(t *testing.T) []string {
	t.Helper()
	env := os.Getenv("GITWALK_LINGUIST_CORPUS")
	if env == "" {
		return nil
	}
	var paths []string
	for _, dir := range filepath.SplitList(env) {
		out, err := exec.Command("git", "--git-dir", dir, "ls-tree", "-r", "--name-only", "-z", "HEAD").Output()
		if err != nil {
			t.Fatalf("GITWALK_LINGUIST_CORPUS: git ls-tree in %s: %v", dir, err)
		}
		paths = append(paths, splitZ(out)...)
	}
	t.Logf("%d corpus paths from GITWALK_LINGUIST_CORPUS", len(paths))
	return paths
}

func splitZ(out []byte) []string {
	var s []string
	for _, p := range bytes.Split(out, []byte{0}) {
		if len(p) > 0 {
			s = append(s, string(p))
		}
	}
	return s
}

// TestTablesAreGoEnrys regenerates tables.go: a go-enry upgrade fails here
// until `go generate` is run, so the tables cannot drift from it.
func TestTablesAreGoEnrys(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not installed")
	}
	want, err := gen.Generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("tables.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("tables.go is not what go-enry's data gives: run `go generate` in internal/linguist")
	}
}

// TestGitwalkDoesNotLinkGoEnry holds the reason for the tables: no package
// of the gitwalk command (this one included) imports go-enry, whose
// initialisation would cost every command 16 MB.
func TestGitwalkDoesNotLinkGoEnry(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not installed")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/gitwalk/gitwalk/cmd/gitwalk").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	sort.Strings(deps)
	if !contains(deps, "github.com/gitwalk/gitwalk/internal/linguist") {
		t.Fatalf("go list -deps does not list internal/linguist: %q", deps)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, gen.Module) || strings.HasPrefix(d, "github.com/go-enry/") {
			t.Errorf("cmd/gitwalk depends on %s", d)
		}
	}
}
