//go:build !linux

package attributes

import "os"

// dirLister lists folders for the walk of .gitattributes files.
type dirLister struct{}

// list returns the entries of the folder abs that the walk keeps, sorted
// by name.
func (*dirLister) list(abs string) ([]attrEntry, error) {
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	var out []attrEntry
	for _, e := range entries {
		if keep(e.Name(), e.Type()) {
			out = append(out, attrEntry{name: e.Name(), typ: e.Type()})
		}
	}
	return out, nil
}
