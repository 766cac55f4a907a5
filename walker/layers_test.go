package walker

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsFlowOneWay holds the layering ARCHITECTURE.md describes: no
// file under internal/, arena/ or pool/ (tests included) imports walker,
// analysis, report or cmd, so each git concern builds and is tested
// without the walk. `go list -deps ./internal/<pkg>` shows the same.
func TestImportsFlowOneWay(t *testing.T) {
	const module = "github.com/gitwalk/gitwalk/"
	upper := []string{"walker", "analysis", "report", "cmd"}
	files := 0
	for _, root := range []string{"../internal", "../arena", "../pool"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			files++
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				for _, u := range upper {
					if p == module+u || strings.HasPrefix(p, module+u+"/") {
						t.Errorf("%s imports %s: internal packages must not depend on the layers above them", path, p)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 50 {
		t.Fatalf("read only %d files: is the test running in walker/?", files)
	}
}
