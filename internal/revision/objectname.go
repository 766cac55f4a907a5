package revision

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gitwalk/gitwalk/internal/odb"
)

// Object resolves an object name as get_oid does for the forms a
// mailmap.blob takes: a revision (a name Resolve takes), or
// TREE-ISH:PATH, split at the first ':' outside braces. ok is false when the
// name names nothing. The index forms (":PATH", ":N:PATH") name nothing here.
func (r *Resolver) Object(name string) (id odb.ID, ok bool, err error) {
	colon, depth := -1, 0
	for i := 0; i < len(name) && colon < 0; i++ {
		switch {
		case name[i] == '{':
			depth++
		case name[i] == '}' && depth > 0:
			depth--
		case name[i] == ':' && depth == 0:
			colon = i
		}
	}
	if colon < 0 {
		id, err := r.OID(name)
		return id, err == nil, nil
	}
	if colon == 0 {
		return id, false, nil
	}
	tree, err := r.PeelOnion(name[:colon], "tree")
	if err != nil {
		return id, false, nil
	}
	path := name[colon+1:]
	if path == "" {
		return tree, true, nil
	}
	id = tree
	for _, part := range strings.Split(path, "/") {
		if part == "" {
			continue
		}
		typ, data, err := r.g.ReadObject(id)
		if err != nil {
			return id, false, fmt.Errorf("read tree %s for %s: %w", id, name, err)
		}
		if typ != odb.Tree {
			return id, false, nil
		}
		found := false
		it := odb.NewTreeIter(data)
		for e, more := it.Next(); more; e, more = it.Next() {
			if bytes.Equal(e.Name, []byte(part)) {
				id, found = e.ID, true
				break
			}
		}
		if !found {
			return id, false, nil
		}
	}
	return id, true, nil
}
