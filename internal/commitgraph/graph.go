package commitgraph

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitwalk/gitwalk/internal/mmap"
	"github.com/gitwalk/gitwalk/internal/odb"
)

// ErrNoGraph means no objects directory holds a commit-graph (single file
// or chain): the walk reads commit objects, as git does.
var ErrNoGraph = errors.New("no commit-graph")

// Graph is a repository's commit-graph: one file, or a chain of layers
// (base first) whose positions run on from layer to layer. Safe for
// concurrent use; Close unmaps it, after which it must not be used.
type Graph struct {
	layers  []layer
	total   uint32 // commits in all layers
	genData bool   // every layer has GDA2: Generation gives corrected commit dates
	note    string // why a chain was cut short, "" when whole
}

type layer struct {
	f    *File
	base uint32 // commits in the layers below
	path string
	data []byte // the mapping
}

// Commit is what the graph holds of one commit.
type Commit struct {
	Tree    odb.ID
	Parents []odb.ID
	// Date is the committer date as the graph stores it (34 bits), which
	// git uses in place of the object's.
	Date uint64
	// Level is the topological level (generation number v1): 1 for a
	// root, else one more than its parents' highest.
	Level uint32
	// Generation is the corrected commit date when every layer has
	// generation data (GDA2), else Level: git's commit_graph_generation.
	Generation uint64
}

// Open reads the commit-graph of a repository whose objects directories
// are dirs (its own first, then its alternates), as git's
// prepare_commit_graph does: the first directory with a usable graph wins,
// its objects/info/commit-graph file before its chain
// (info/commit-graphs/commit-graph-chain), whose layers may live in any of
// dirs. A chain whose upper layers are missing or damaged is used up to the
// last good layer (Note says why). ErrNoGraph means there is none; any other
// error means there are graphs but none is usable, and says why.
func Open(dirs []string) (*Graph, error) {
	var reasons []string
	for _, dir := range dirs {
		single := filepath.Join(dir, "info", "commit-graph")
		l, err := openLayer(single)
		if err == nil {
			g := &Graph{}
			if err = g.add(l); err == nil {
				g.finish()
				return g, nil
			}
			l.close()
		}
		if !errors.Is(err, fs.ErrNotExist) {
			reasons = append(reasons, fmt.Sprintf("%s: %v", single, err))
		}
		g, err := openChain(dir, dirs)
		if g != nil {
			return g, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			reasons = append(reasons, err.Error())
		}
	}
	if len(reasons) == 0 {
		return nil, ErrNoGraph
	}
	return nil, errors.New(strings.Join(reasons, "; "))
}

// openLayer maps and parses one file.
func openLayer(path string) (layer, error) {
	fh, err := os.Open(path)
	if err != nil {
		return layer{}, err
	}
	data, err := mmap.MapFile(fh)
	fh.Close()
	if err != nil {
		return layer{}, err
	}
	f, err := Parse(data)
	if err != nil {
		unmapData(data)
		return layer{}, err
	}
	return layer{f: f, path: path, data: data}, nil
}

func unmapData(data []byte) {
	if len(data) > 0 {
		_ = mmap.Unmap(data) // a read-only mapping: nothing to lose
	}
}

func (l layer) close() { unmapData(l.data) }

// add puts l on top of g after checking that it names g's layers as its
// bases (git's add_graph_to_chain) and that its parents lie in it or below.
func (g *Graph) add(l layer) error {
	if l.f.bases != len(g.layers) {
		return damaged("%d base graphs named, %d below it in the chain", l.f.bases, len(g.layers))
	}
	for i := range g.layers {
		if string(l.f.base[i*hashLen:(i+1)*hashLen]) != string(g.layers[i].f.sum[:]) {
			return damaged("base graph %d is not %s", i, g.layers[i].f.sum)
		}
	}
	if uint64(g.total)+uint64(l.f.n) >= maxCommits {
		return damaged("the chain holds more commits than a graph can number")
	}
	l.base = g.total
	if l.f.bases > 0 { // Parse checked a file without bases
		if err := l.f.checkParents(g.total + l.f.n); err != nil {
			return err
		}
	}
	g.layers = append(g.layers, l)
	g.total += l.f.n
	return nil
}

// finish settles what depends on every layer: corrected commit dates are
// read only if all layers have them (validate_mixed_generation_chain).
func (g *Graph) finish() {
	g.genData = len(g.layers) > 0
	for _, l := range g.layers {
		if l.f.gda2 == nil {
			g.genData = false
		}
	}
}

// openChain reads dir's commit-graph-chain and its layers, as git's
// load_commit_graph_chain: a layer is looked for in every objects
// directory; the first missing or unsound one ends the chain, and the
// layers below it are used. A nil Graph means no layer is usable.
func openChain(dir string, dirs []string) (*Graph, error) {
	chainFile := filepath.Join(dir, "info", "commit-graphs", "commit-graph-chain")
	fh, err := os.Open(chainFile)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	g := &Graph{}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		id, err := odb.ParseID(line)
		if err != nil {
			g.note = fmt.Sprintf("%s: line %q is not a hash", chainFile, line)
			break
		}
		var l layer
		err = fs.ErrNotExist
		for _, d := range dirs {
			l, err = openLayer(filepath.Join(d, "info", "commit-graphs", "graph-"+line+".graph"))
			if !errors.Is(err, fs.ErrNotExist) {
				break
			}
		}
		if err == nil && l.f.sum != id {
			err = damaged("its checksum is %s", l.f.sum)
		}
		if err == nil {
			err = g.add(l)
		}
		if err != nil {
			if l.data != nil {
				l.close()
			}
			g.note = fmt.Sprintf("%s: layer %d (graph-%s.graph): %v", chainFile, len(g.layers), line, err)
			break
		}
	}
	if err := sc.Err(); err != nil && g.note == "" {
		g.note = fmt.Sprintf("%s: %v", chainFile, err)
	}
	if len(g.layers) == 0 {
		if g.note == "" {
			g.note = chainFile + ": no layers"
		}
		return nil, errors.New(g.note)
	}
	g.finish()
	return g, nil
}

// Close unmaps the graph's files.
func (g *Graph) Close() error {
	for _, l := range g.layers {
		l.close()
	}
	g.layers = nil
	return nil
}

// Len returns the number of commits in the graph.
func (g *Graph) Len() int { return int(g.total) }

// Layers returns how many files the graph is made of (1 for a single file).
func (g *Graph) Layers() int { return len(g.layers) }

// Note says why a chain was used only up to some layer, or "".
func (g *Graph) Note() string { return g.note }

// HasGenerationData reports whether Generation gives corrected commit
// dates (every layer has GDA2) rather than topological levels.
func (g *Graph) HasGenerationData() bool { return g.genData }

// GenerationNumbersEnabled is git's generation_numbers_enabled: the
// graph has commits and the first commit of its top layer has a
// topological level (graphs written before levels had 0 there).
func (g *Graph) GenerationNumbersEnabled() bool {
	if len(g.layers) == 0 {
		return false
	}
	top := g.layers[len(g.layers)-1].f
	if top.n == 0 {
		return false
	}
	return binary.BigEndian.Uint32(top.entry(0)[hashLen+8:])>>2 != 0
}

// Lookup returns the position of id in the graph, searching from the top
// layer down as git's bsearch_graph.
func (g *Graph) Lookup(id odb.ID) (uint32, bool) {
	for i := len(g.layers) - 1; i >= 0; i-- {
		l := &g.layers[i]
		if k, ok := l.f.find(&id); ok {
			return l.base + k, true
		}
	}
	return 0, false
}

// at returns the layer and the index in it of a position, which Open
// checked to be in range.
func (g *Graph) at(pos uint32) (*layer, uint32) {
	for i := len(g.layers) - 1; i > 0; i-- {
		if pos >= g.layers[i].base {
			return &g.layers[i], pos - g.layers[i].base
		}
	}
	return &g.layers[0], pos
}

// ID returns the commit id at pos (below Len).
func (g *Graph) ID(pos uint32) odb.ID {
	l, k := g.at(pos)
	return l.f.id(k)
}

// Find fills c with the graph's data of commit id, reusing c.Parents, and
// reports whether the graph holds it.
func (g *Graph) Find(id odb.ID, c *Commit) bool {
	pos, ok := g.Lookup(id)
	if !ok {
		return false
	}
	g.Commit(pos, c)
	return true
}

// Commit fills c with the data of the commit at pos (below Len), reusing
// c.Parents.
func (g *Graph) Commit(pos uint32, c *Commit) {
	l, k := g.at(pos)
	e := l.f.entry(k)
	copy(c.Tree[:], e)
	c.Parents = c.Parents[:0]
	p1 := binary.BigEndian.Uint32(e[hashLen:])
	p2 := binary.BigEndian.Uint32(e[hashLen+4:])
	if p1 != parentNone {
		c.Parents = append(c.Parents, g.ID(p1))
	}
	switch {
	case p2 == parentNone:
	case p2&highBit == 0:
		c.Parents = append(c.Parents, g.ID(p2))
	default:
		// Open checked that the list ends inside the chunk.
		for i := p2 & posMask; ; i++ {
			v := binary.BigEndian.Uint32(l.f.edges[4*i:])
			c.Parents = append(c.Parents, g.ID(v&posMask))
			if v&highBit != 0 {
				break
			}
		}
	}
	hi := binary.BigEndian.Uint32(e[hashLen+8:])
	lo := binary.BigEndian.Uint32(e[hashLen+12:])
	c.Date = uint64(hi&3)<<32 | uint64(lo)
	c.Level = hi >> 2
	c.Generation = uint64(c.Level)
	if g.genData {
		off := uint64(binary.BigEndian.Uint32(l.f.gda2[4*k:]))
		if off&highBit != 0 {
			off = binary.BigEndian.Uint64(l.f.gdo2[8*(off&posMask):])
		}
		c.Generation = c.Date + off
	}
}
