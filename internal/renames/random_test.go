package renames

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// randomHistory builds commits that move, copy, edit, add and delete
// small files made of shared lines, so that many sources compete for many
// destinations with close and equal scores.
type randomHistory struct {
	r     *repo
	rng   *rand.Rand
	pool  []string
	files map[string]bool // paths in the work tree
}

func (h *randomHistory) line() string {
	return h.pool[h.rng.IntN(len(h.pool))]
}

// content returns a new file body: often an edited copy of a file there
// is (so that files come in families of similar ones), else lines from the
// pool; sometimes with CRLFs, no final newline, a NUL (binary), or nothing
// at all.
func (h *randomHistory) content() string {
	if h.rng.IntN(20) == 0 {
		return ""
	}
	if ps := h.paths(); len(ps) > 0 && h.rng.IntN(2) == 0 {
		return h.mutate(h.read(ps[h.rng.IntN(len(ps))]))
	}
	var b strings.Builder
	for range 1 + h.rng.IntN(14) {
		b.WriteString(h.line())
	}
	return h.dress(b.String())
}

func (h *randomHistory) dress(s string) string {
	switch h.rng.IntN(12) {
	case 0:
		s = strings.ReplaceAll(s, "\n", "\r\n")
	case 1:
		s = strings.TrimSuffix(s, "\n")
	case 2:
		s = "\x00" + s
	}
	return s
}

// mutate edits a body: lines replaced, inserted or deleted.
func (h *randomHistory) mutate(s string) string {
	ls := strings.SplitAfter(s, "\n")
	for range h.rng.IntN(4) {
		k := h.rng.IntN(len(ls) + 1)
		switch h.rng.IntN(3) {
		case 0:
			ls = slices.Insert(ls, k, h.line())
		case 1:
			if k < len(ls) {
				ls = slices.Delete(ls, k, k+1)
			}
		default:
			if k < len(ls) {
				ls[k] = h.line()
			}
		}
	}
	return strings.Join(ls, "")
}

func (h *randomHistory) newPath() string {
	dirs := []string{"", "a/", "b/", "a/c/", "d/"}
	for {
		p := dirs[h.rng.IntN(len(dirs))] + fmt.Sprintf("f%d", h.rng.IntN(9))
		if h.rng.IntN(3) == 0 {
			p += ".txt"
		}
		if !h.files[p] && !h.files[filepath.Dir(p)] && !h.isDir(p) {
			return p
		}
	}
}

func (h *randomHistory) isDir(p string) bool {
	for f := range h.files {
		if strings.HasPrefix(f, p+"/") {
			return true
		}
	}
	return false
}

func (h *randomHistory) read(p string) string { return h.r.read(p) }

func (h *randomHistory) paths() []string {
	var ps []string
	for p := range h.files {
		ps = append(ps, p)
	}
	slices.Sort(ps) // map order is random: keep the history a function of the seed
	return ps
}

func (h *randomHistory) write(p, body string) {
	h.r.write(p, body)
	h.files[p] = true
}

func (h *randomHistory) remove(p string) {
	h.r.remove(p)
	delete(h.files, p)
}

// step changes the work tree as one commit might.
func (h *randomHistory) step() {
	for _, p := range h.paths() {
		switch h.rng.IntN(10) {
		case 0, 1, 2, 6: // move, mostly edited
			body := h.read(p)
			h.remove(p)
			if h.rng.IntN(4) != 0 {
				body = h.mutate(body)
			}
			q := h.newPath()
			h.write(q, body)
			if h.rng.IntN(8) == 0 {
				h.r.chmodX(q)
			}
		case 3: // delete
			h.remove(p)
		case 4: // edit in place
			h.write(p, h.mutate(h.read(p)))
		case 5: // copy, maybe edited
			body := h.read(p)
			if h.rng.IntN(2) == 0 {
				body = h.mutate(body)
			}
			h.write(h.newPath(), body)
		}
	}
	for range h.rng.IntN(6) {
		h.write(h.newPath(), h.content())
	}
}

var randomSeeds = flag.Int("random-seeds", 5, "how many random histories TestRandomHistories compares with git")

// TestRandomHistories compares the detector with git on random histories,
// under the default options and others.
func TestRandomHistories(t *testing.T) {
	optionSets := []struct {
		flags []string
		opt   Options
	}{
		{[]string{"-M30%"}, Options{MinScore: 18000}},
		{[]string{"-M90%"}, Options{MinScore: 54000}},
		{[]string{"-M1%"}, Options{MinScore: 600}},
		{[]string{"-M100%"}, Options{MinScore: MaxScore}},
		{[]string{"-l2"}, Options{Limit: 2}},
		{[]string{"-l3", "-M20%"}, Options{Limit: 3, MinScore: 12000}},
		{[]string{"-C"}, Options{Copies: true}},
		{[]string{"-C30%"}, Options{Copies: true, MinScore: 18000}},
		{[]string{"-C", "-C"}, Options{CopiesHarder: true}},
		{[]string{"-C", "-C", "-l4"}, Options{CopiesHarder: true, Limit: 4}},
		{[]string{"--no-rename-empty"}, Options{NoRenameEmpty: true}},
	}
	// Unrelated histories in one repository: git runs once per set of
	// options for all of them.
	r := newRepo(t)
	var commits []string
	for seed := range uint64(*randomSeeds) {
		r.newHistory(fmt.Sprintf(" (seed %d)", seed))
		h := &randomHistory{r: r, rng: rand.New(rand.NewPCG(seed, 15)), files: map[string]bool{}}
		for k := range 24 {
			// Lines of many lengths, some longer than a 64-byte chunk.
			h.pool = append(h.pool, fmt.Sprintf("%s %d\n", strings.Repeat("xy", h.rng.IntN(50)), k))
		}
		for range 30 {
			h.write(h.newPath(), h.content())
		}
		commits = append(commits, r.commit("root"))
		for range 8 {
			h.step()
			commits = append(commits, r.commit("step"))
		}
	}
	pairs := 0
	for _, got := range r.compareAll(commits, check{quotePath: true}) {
		for _, e := range got.rows {
			if e.status == 'R' && e.score < 100 {
				pairs++
			}
		}
	}
	for _, o := range optionSets {
		r.compareAll(commits, check{flags: o.flags, opt: o.opt, quotePath: true, rowsOnly: true})
	}
	// What makes the test worth its time: inexact renames.
	if pairs < 30**randomSeeds {
		t.Errorf("only %d inexact renames over the histories: the test compares too little", pairs)
	}
	t.Logf("%d inexact renames", pairs)
}
