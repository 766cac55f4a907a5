package analysis

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/walker"
)

// hist builds commits, newest first, from lines such as "M a; R a>b; A c; D d".
func hist(lines ...string) []*walker.Commit {
	var out []*walker.Commit
	for i, l := range lines {
		c := &walker.Commit{Seq: i}
		for _, f := range strings.Split(l, ";") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			kind, p, _ := strings.Cut(f, " ")
			ch := walker.Change{Path: p}
			switch kind {
			case "A":
				ch.Kind = walker.Added
			case "D":
				ch.Kind = walker.Deleted
			case "C", "R":
				ch.Kind = walker.Copied
				if kind == "R" {
					ch.Kind = walker.Renamed
				}
				ch.OldPath, ch.Path, _ = strings.Cut(p, ">")
			}
			c.Changes = append(c.Changes, ch)
		}
		out = append(out, c)
	}
	return out
}

// names resolves the history and returns each commit's paths after naming.
func names(cs []*walker.Commit) []string {
	f := NewFollower()
	var out []string
	for _, c := range cs {
		f.Name(c)
		var ps []string
		for _, ch := range c.Changes {
			ps = append(ps, ch.Path)
		}
		out = append(out, strings.Join(ps, " "))
	}
	return out
}

func TestFollowerNamesEachFileByItsNewestPath(t *testing.T) {
	cases := []struct {
		name    string
		history []string // newest first
		want    []string
	}{
		{"a history without renames keeps every path",
			[]string{"M a; M b", "A a; A b"}, []string{"a b", "a b"}},
		{"a chain of renames names the file by its last path",
			[]string{"M c", "R b>c", "M b", "R a>b", "M a", "A a"},
			[]string{"c", "c", "c", "c", "c", "c"}},
		{"a file deleted after a rename keeps its last name",
			[]string{"D b", "R a>b", "M a"}, []string{"b", "b", "b"}},
		{"a swap in one commit resolves as two renames",
			[]string{"M a; M b", "R a>b; R b>a", "M a", "M b"},
			[]string{"a b", "b a", "b", "a"}},
		{"a new file at a renamed file's old path is another file",
			[]string{"M a; M b", "A a; R a>b", "M a"},
			[]string{"a b", "a b", "b"}},
		{"a path reused after its file moved away starts a new file",
			[]string{"M x", "R new>x", "M new", "A new", "D new", "M new"},
			[]string{"x", "x", "x", "x", "new", "new"}},
		{"a copy leaves its source's history alone",
			[]string{"M b", "C a>b", "M a"}, []string{"b", "b", "a"}},
		{"a rename back to an earlier name is one file",
			[]string{"M a", "R b>a", "M b", "R a>b", "M a"},
			[]string{"a", "a", "a", "a", "a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(hist(tc.history...)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("history %q\nnamed %q\nwant  %q", tc.history, got, tc.want)
			}
		})
	}
}

func TestFollowerKeepsARenamesOldPath(t *testing.T) {
	cs := hist("R b>c", "R a>b")
	names(cs)
	for i, want := range []string{"b", "a"} {
		ch := cs[i].Changes[0]
		if ch.Path != "c" || ch.OldPath != want || ch.Kind != walker.Renamed {
			t.Errorf("commit %d: got %s (%s <- %q), want c (renamed <- %q)", i, ch.Path, ch.Kind, ch.OldPath, want)
		}
	}
}

// A long random history checked against a slow model: the file at each
// path is tracked oldest first, by identity, and named at the end.
func TestFollowerAgreesWithAnIdentityModel(t *testing.T) {
	for seed := 1; seed <= 50; seed++ {
		oldestFirst, ids := randomHistory(seed, 60)
		// The model's name of an identity: the path it has last.
		last := map[int]string{}
		for _, step := range ids {
			for id, p := range step {
				last[id] = p
			}
		}
		var newestFirst []*walker.Commit
		for i := len(oldestFirst) - 1; i >= 0; i-- {
			newestFirst = append(newestFirst, oldestFirst[i])
		}
		f := NewFollower()
		for _, c := range newestFirst {
			f.Name(c)
		}
		for i, c := range oldestFirst {
			for j, ch := range c.Changes {
				id := idOf(ch)
				if want := last[id]; ch.Path != want {
					t.Fatalf("seed %d, commit %d (oldest first), change %d: named %q, the model says %q", seed, i, j, ch.Path, want)
				}
			}
		}
	}
}

// randomHistory makes commits oldest first over a few paths, and for each
// commit the identity living at each changed path after it (ids[i][id] =
// path). Changes carry the identity in OldHash's first byte so the check
// can find it again.
func randomHistory(seed, n int) ([]*walker.Commit, []map[int]string) {
	rng := uint64(seed)*0x9e3779b97f4a7c15 + 1
	rnd := func(k int) int {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int(rng % uint64(k))
	}
	paths := []string{"a", "b", "c", "d", "e"}
	at := map[string]int{} // path -> identity living there now
	next := 1
	var cs []*walker.Commit
	var ids []map[int]string
	for i := 0; i < n; i++ {
		c := &walker.Commit{}
		step := map[int]string{}
		used := map[string]bool{}
		for k := 0; k < 1+rnd(2); k++ {
			p := paths[rnd(len(paths))]
			if used[p] {
				continue
			}
			id, ok := at[p]
			switch {
			case !ok:
				id = next
				next++
				at[p] = id
				c.Changes = append(c.Changes, tagged(walker.Change{Path: p, Kind: walker.Added}, id))
				used[p] = true
			case rnd(3) == 0:
				delete(at, p)
				c.Changes = append(c.Changes, tagged(walker.Change{Path: p, Kind: walker.Deleted}, id))
				used[p] = true
			case rnd(2) == 0:
				q := paths[rnd(len(paths))]
				if _, taken := at[q]; taken || used[q] {
					continue
				}
				delete(at, p)
				at[q] = id
				c.Changes = append(c.Changes, tagged(walker.Change{Path: q, OldPath: p, Kind: walker.Renamed}, id))
				used[p], used[q] = true, true
			default:
				c.Changes = append(c.Changes, tagged(walker.Change{Path: p}, id))
				used[p] = true
			}
			step[id] = c.Changes[len(c.Changes)-1].Path
		}
		cs = append(cs, c)
		ids = append(ids, step)
	}
	return cs, ids
}

func tagged(ch walker.Change, id int) walker.Change {
	ch.OldHash[0], ch.OldHash[1] = byte(id), byte(id>>8)
	return ch
}

func idOf(ch walker.Change) int {
	return int(ch.OldHash[0]) | int(ch.OldHash[1])<<8
}
