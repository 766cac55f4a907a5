package linguist

import (
	"regexp"
	"strings"
	"testing"
)

// The needle matcher's oracle is the match it replaced: each rule's
// needles tested with strings.Contains, then its expression.

func containsAny(p string, needles []string) bool {
	for _, n := range needles {
		if strings.Contains(p, n) {
			return true
		}
	}
	return false
}

// containsMatch is ruleSet.match as it was before the needle matcher.
func containsMatch(s *ruleSet, p string) bool {
	for i, r := range s.rules {
		if len(r.needles) > 0 && !containsAny(p, r.needles) {
			continue
		}
		if s.re(i).MatchString(p) {
			return true
		}
	}
	return false
}

// ruleSets are the compiled rule sets by name.
func ruleSets() map[string]*ruleSet {
	c := compiled()
	return map[string]*ruleSet{"vendor": &c.vendor, "documentation": &c.documentation, "generated": &c.generated}
}

// checkNeedles compares, for p, the rules match tries (those the matcher
// finds and those it tries always) with those the strings.Contains match
// tried, rule by rule, and match with containsMatch.
func checkNeedles(t *testing.T, name string, s *ruleSet, p string) {
	t.Helper()
	found := s.always
	s.needles.scan(p, &found)
	for i, r := range s.rules {
		if want := len(r.needles) == 0 || containsAny(p, r.needles); found.has(i) != want {
			t.Errorf("%s rule %d (%s): match tries it on %q: %v; the strings.Contains match: %v (needles %q)",
				name, i, r.expr, p, found.has(i), want, r.needles)
		}
	}
	for i := len(s.rules); i < maxRules; i++ {
		if found.has(i) {
			t.Errorf("%s: the matcher finds rule %d of %d in %q", name, i, len(s.rules), p)
		}
	}
	if got, want := s.match(p), containsMatch(s, p); got != want {
		t.Errorf("%s: match(%q) = %v, the strings.Contains match says %v", name, p, got, want)
	}
}

// needlePaths are paths made of every needle of every rule set: alone, in
// folders, with a prefix and a suffix, cut by a byte at either end, changed
// in case, and two needles run together or overlapping.
func needlePaths() []string {
	var needles []string
	for _, rules := range [][]rule{vendorRules, documentationRules, generatedRules} {
		for _, r := range rules {
			needles = append(needles, r.needles...)
		}
	}
	var paths []string
	for i, n := range needles {
		paths = append(paths, n, "a/"+n, n+"/x.c", "src/lib/"+n+".txt", "x"+n+"y", n+n,
			n[1:], n[:len(n)-1], "a/"+n[1:], n[:len(n)-1]+"/b", strings.ToUpper(n), strings.ToLower(n))
		m := needles[(i*7+3)%len(needles)]
		paths = append(paths, n+m, m+"/"+n, n[:len(n)/2]+m[len(m)/2:])
	}
	return paths
}

func TestNeedleMatcherIsStringsContains(t *testing.T) {
	paths := needlePaths()
	paths = append(paths, benchPaths...)
	paths = append(paths, "", "/", "a", "\xff\x00", "x.c\u017f", strings.Repeat("third_party/", 40)+"x.c")
	paths = append(paths, fixturePaths(t)...)
	for name, s := range ruleSets() {
		for _, p := range paths {
			checkNeedles(t, name, s, p)
		}
	}
	t.Logf("%d paths", len(paths))
}

// TestNeedleMatcherFindsEveryRule holds the test above to account: each
// rule with needles is found on some path, and rules without needles are
// tried on every path.
func TestNeedleMatcherFindsEveryRule(t *testing.T) {
	for name, s := range ruleSets() {
		var seen ruleBits
		for _, p := range needlePaths() {
			s.needles.scan(p, &seen)
		}
		for i, r := range s.rules {
			if len(r.needles) == 0 {
				if !s.always.has(i) {
					t.Errorf("%s rule %d (%s) has no needles and is not tried on every path", name, i, r.expr)
				}
				continue
			}
			if !seen.has(i) {
				t.Errorf("%s rule %d (%s): no path found its needles %q", name, i, r.expr, r.needles)
			}
		}
	}
}

func TestNeedleMatcherOnSmallSets(t *testing.T) {
	tests := []struct {
		name  string
		rules []rule
		path  string
	}{
		{"a needle inside another", []rule{{`x`, []string{"abcd"}}, {`x`, []string{"bc"}}}, "zabcz"},
		{"a needle a suffix of another", []rule{{`x`, []string{"vendor/"}}, {`x`, []string{"endor/"}}}, "a/vendor/b"},
		{"overlapping needles", []rule{{`x`, []string{"aab"}}, {`x`, []string{"aba"}}}, "aaaba"},
		{"a failure into a longer prefix", []rule{{`x`, []string{"abab"}}, {`x`, []string{"babc"}}}, "ababc"},
		{"a needle shared by two rules", []rule{{`x`, []string{"extjs/"}}, {`y`, []string{"extjs/"}}}, "extjs/a"},
		{"an empty needle", []rule{{`x`, []string{""}}, {`y`, []string{"q"}}}, "abc"},
		{"no needles", []rule{{`x`, nil}}, "x"},
		{"non-ASCII needles", []rule{{`(?i)\.cs$`, []string{"c\u017f", "cs"}}}, "a.c\u017f"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := compile(tc.rules)
			for _, p := range []string{tc.path, tc.path[1:], "", "zz" + tc.path + "zz"} {
				checkNeedles(t, tc.name, &s, p)
			}
		})
	}
}

func TestCompileRefusesTooManyRules(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("compile took more than maxRules rules")
		}
	}()
	compile(make([]rule, maxRules+1))
}

func TestMatchDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes regexp allocate")
	}
	sets := ruleSets()
	for _, p := range []string{"src/server.c", "deps/jemalloc/src/arena.c", "web/node_modules/a/index.js",
		"docs/guide/README.md", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z.go"} {
		for name, s := range sets {
			if n := testing.AllocsPerRun(100, func() { s.match(p) }); n != 0 {
				t.Errorf("%s match(%q) allocates %v times", name, p, n)
			}
		}
		if n := testing.AllocsPerRun(100, func() { Classify(p, Attrs{}) }); n != 0 {
			t.Errorf("Classify(%q) allocates %v times", p, n)
		}
	}
}

func FuzzRuleSetMatch(f *testing.F) {
	for _, p := range benchPaths[:40] {
		f.Add(p)
	}
	for _, p := range []string{"", "vendor/", "a/vendor/github.com/x/y.go", "jquery-1.12.4.min.js",
		"X.Designer.CS", "x.c\u017f.map", "third_party/thirdparty/3rd-party/x", "\xff\xfe/README"} {
		f.Add(p)
	}
	sets := ruleSets()
	f.Fuzz(func(t *testing.T, p string) {
		for name, s := range sets {
			checkNeedles(t, name, s, p)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	compiled()
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range benchPaths {
			Classify(p, Attrs{})
		}
	}
}

// benchPaths are typical paths of C, Go, JavaScript, Python and Java
// repositories, with their vendored folders, documentation, build files
// and lock files, about as a churn run meets them.
var benchPaths = []string{
	"src/server.c", "src/server.h", "src/networking.c", "src/db.c", "src/t_list.c", "src/t_hash.c",
	"src/t_zset.c", "src/object.c", "src/rdb.c", "src/aof.c", "src/cluster.c", "src/replication.c",
	"src/sentinel.c", "src/module.c", "src/redismodule.h", "src/util.c", "src/sds.c", "src/sds.h",
	"src/dict.c", "src/dict.h", "src/ziplist.c", "src/listpack.c", "src/quicklist.c", "src/Makefile",
	"src/config.c", "src/config.h", "src/debug.c", "src/modules/helloworld.c", "src/commands/set.json",
	"deps/jemalloc/src/arena.c", "deps/jemalloc/configure", "deps/lua/src/lua.c", "deps/hiredis/hiredis.c",
	"deps/linenoise/linenoise.c", "deps/Makefile", "tests/unit/type/list.tcl", "tests/unit/expire.tcl",
	"tests/integration/replication.tcl", "tests/helpers/util.tcl", "tests/test_helper.tcl",
	"utils/create-cluster/create-cluster", "utils/install_server.sh", "redis.conf", "sentinel.conf",
	"README.md", "CONTRIBUTING.md", "COPYING", "BUGS", "INSTALL", "MANIFESTO", "Makefile", "runtest",
	".github/workflows/ci.yml", ".github/ISSUE_TEMPLATE/bug_report.md", ".gitignore", ".gitattributes",
	"builtin/log.c", "builtin/commit.c", "builtin/rev-list.c", "revision.c", "revision.h", "diff.c",
	"diffcore-rename.c", "object-file.c", "refs/files-backend.c", "t/t0000-basic.sh", "t/t4013-diff-various.sh",
	"t/test-lib.sh", "t/helper/test-tool.c", "Documentation/git-log.txt", "Documentation/RelNotes/2.39.0.txt",
	"Documentation/technical/api-index.txt", "contrib/completion/git-completion.bash", "compat/mingw.c",
	"po/de.po", "gitweb/gitweb.perl", "git-gui/lib/diff.tcl", "configure.ac", "config.mak.uname",
	"go.mod", "go.sum", "main.go", "cmd/gitwalk/main.go", "cmd/gitwalk/churn.go", "internal/odb/pack.go",
	"internal/odb/pack_test.go", "internal/linguist/tables.go", "analysis/churn.go", "analysis/excludes.go",
	"walker/walker.go", "walker/record.go", "arena/arena.go", "pool/pool.go", "plumbing/object/commit.go",
	"vendor/github.com/pkg/errors/errors.go", "vendor/golang.org/x/sys/unix/syscall.go", "vendor/modules.txt",
	"testdata/golden/churn.txt", "docs/design.md", "docs/images/flow.svg", "examples/basic/main.go",
	"scripts/test.sh", "Dockerfile", ".golangci.yml", "LICENSE", "CHANGELOG.md",
	"package.json", "package-lock.json", "yarn.lock", "tsconfig.json", "webpack.config.js", ".eslintrc.js",
	"src/index.ts", "src/App.tsx", "src/components/Button.tsx", "src/components/Button.test.tsx",
	"src/hooks/useFetch.ts", "src/types/global.d.ts", "src/styles/main.scss", "public/index.html",
	"public/js/jquery-3.6.0.min.js", "public/css/bootstrap.min.css", "public/favicon.ico",
	"node_modules/react/index.js", "node_modules/lodash/lodash.js", "node_modules/.bin/tsc",
	"dist/bundle.js", "dist/bundle.js.map", "lib/utils.js", "lib/api/client.js", "test/api.spec.js",
	"setup.py", "setup.cfg", "pyproject.toml", "poetry.lock", "requirements.txt", "tox.ini",
	"mypkg/__init__.py", "mypkg/core.py", "mypkg/cli.py", "mypkg/utils/strings.py", "tests/test_core.py",
	"tests/conftest.py", "docs/conf.py", "docs/index.rst", "docs/_build/html/index.html", "env/bin/activate",
	"pom.xml", "build.gradle", "settings.gradle", "gradlew", "gradlew.bat", "gradle/wrapper/gradle-wrapper.jar",
	"src/main/java/com/example/App.java", "src/main/java/com/example/service/UserService.java",
	"src/main/resources/application.yml", "src/test/java/com/example/AppTest.java",
	"app/src/main/AndroidManifest.xml", "app/proguard-rules.pro", ".idea/workspace.xml",
	"Cargo.toml", "Cargo.lock", "src/lib.rs", "src/main.rs", "benches/bench.rs", "build.rs",
	"Gemfile", "Gemfile.lock", "app/models/user.rb", "app/controllers/users_controller.rb",
	"config/routes.rb", "db/schema.rb", "spec/models/user_spec.rb", "spec/fixtures/users.yml",
	"third_party/zlib/zlib.h", "third_party/zlib/deflate.c", "external/googletest/include/gtest/gtest.h",
	"CMakeLists.txt", "cmake/FindFoo.cmake", "include/foo/foo.h", "src/foo.cpp", "src/foo_test.cpp",
	"kernel/sched/core.c", "drivers/net/ethernet/intel/e1000/e1000_main.c", "arch/x86/kernel/setup.c",
	"fs/ext4/inode.c", "include/linux/sched.h", "net/ipv4/tcp.c", "mm/page_alloc.c", "lib/string.c",
	"tools/perf/builtin-record.c", "scripts/checkpatch.pl", "MAINTAINERS", "Kconfig", "crypto/aes_generic.c",
	"web/static/app.min.js", "web/static/vendor/d3.v7.min.js", "assets/fonts/fontawesome.css",
	"Godeps/Godeps.json", "api/proto/service.pb.go", "api/proto/service.proto", "mocks/mock_store.go",
	"src/__generated__/schema.graphql.ts", "Pods/Alamofire/Source/Request.swift", "ios/App/AppDelegate.swift",
	"ios/App.xcodeproj/project.pbxproj", "Carthage/Build/iOS/Foo.framework/Foo", ".vscode/settings.json",
	"a/very/deep/folder/structure/with/many/levels/of/nesting/inside/the/repository/source/file.go",
}

// The expressions are compiled when a path first needs one, so a bad one
// would only show on such a path: compile them all here.
func TestEveryExpressionCompiles(t *testing.T) {
	for name, s := range ruleSets() {
		for i, r := range s.rules {
			if _, err := regexp.Compile(r.expr); err != nil {
				t.Errorf("%s rule %d: %v", name, i, err)
			}
		}
	}
}
