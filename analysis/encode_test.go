package analysis_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/internal/testrepos"
	"github.com/gitwalk/gitwalk/walker"
)

// shardStates walks dir in shards of n commits (Skip/MaxCount windows of
// the same walk) and returns each shard's scoped churn state, encoded.
func shardStates(t *testing.T, repo *walker.Repo, opts walker.Options, an analysis.Analyzer, n, total int) [][]byte {
	t.Helper()
	var out [][]byte
	for skip := 0; skip < total; skip += n {
		o := opts
		o.Skip, o.MaxCount = skip, n
		states := runAnalyzers(t, repo.GitDir(), o, 2, an)
		b, err := states[0].(*analysis.ScopedState).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func decodeState(t *testing.T, an analysis.Analyzer, b []byte) *analysis.ScopedState {
	t.Helper()
	s := an.NewState().(*analysis.ScopedState)
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	return s
}

type scopedResult struct {
	Rows     []analysis.ChurnRow
	Left     analysis.LeftOut
	Excluded []analysis.PathReason
}

func resultOf(s *analysis.ScopedState) scopedResult {
	return scopedResult{s.Inner().(*analysis.ChurnState).Rows(), s.LeftOut(), s.ExcludedPaths()}
}

// TestEncodedShardStatesMergeToTheWholeWalksState walks each fixture whole
// and in shards, sends every shard's state through its encoding, and merges
// them in two different trees: the results are the whole walk's.
func TestEncodedShardStatesMergeToTheWholeWalksState(t *testing.T) {
	testrepos.IsolateGit(t)
	for name, dir := range map[string]string{"people": buildPeopleRepo(t), "merges": testrepos.Path(t, "merges"),
		"content": testrepos.Path(t, "content"), "paths": testrepos.Path(t, "paths")} {
		repo, err := walker.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		mm, _ := repo.Mailmap()
		scope := analysis.Scope{Mailmap: mm, Exclude: analysis.RepoExclude(repo)}
		// Per path: each shard here is its own analysis.Run, which can
		// follow renames only within the shard; naming files across shards
		// needs their commits in walk order (analysis.Follower), as the
		// pipeline does. TestEncodedChurnKeepsEarlierNames covers names.
		opts := walker.Options{Revisions: []string{"--all"}, DiffMerges: true, Renames: walker.RenamesOff}
		total := 0
		if err := repo.Walk(t.Context(), walker.Options{Revisions: opts.Revisions, NoChanges: true}, func(*walker.Commit) error {
			total++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, by := range []analysis.Grouping{analysis.ByFile, analysis.ByAuthor} {
			an := scope.Wrap(analysis.Churn{By: by})
			want := resultOf(runAnalyzers(t, dir, opts, 1, an)[0].(*analysis.ScopedState))
			for _, n := range []int{1, 3, total} {
				shards := shardStates(t, repo, opts, an, n, total)
				left := decodeState(t, an, shards[0]) // ((s0 s1) s2) ...
				for _, b := range shards[1:] {
					left.Merge(decodeState(t, an, b))
				}
				right := decodeState(t, an, shards[len(shards)-1]) // s0 (s1 (s2 ...)), re-encoded at each step
				for i := len(shards) - 2; i >= 0; i-- {
					s := decodeState(t, an, shards[i])
					s.Merge(right)
					b, err := s.MarshalBinary()
					if err != nil {
						t.Fatal(err)
					}
					right = decodeState(t, an, b)
				}
				for tree, got := range map[string]*analysis.ScopedState{"left": left, "right": right} {
					if g := resultOf(got); !reflect.DeepEqual(g, want) {
						t.Errorf("%s by %s, %d shards of %d, merged %s-first:\n%+v\nwhole walk:\n%+v", name, by, len(shards), n, tree, g, want)
					}
				}
			}
			if len(want.Rows) == 0 {
				t.Errorf("%s by %s: no rows; the test proves nothing", name, by)
			}
		}
		repo.Close()
	}
}

func TestBadEncodedStatesAreErrorsNotPanics(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := testrepos.Path(t, "content")
	an := analysis.Scope{Exclude: analysis.DefaultExclude}.Wrap(analysis.Churn{})
	b, err := runAnalyzers(t, dir, walker.Options{}, 1, an)[0].(*analysis.ScopedState).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(b) {
		if err := an.NewState().(*analysis.ScopedState).UnmarshalBinary(b[:i]); !errors.Is(err, analysis.ErrBadState) {
			t.Fatalf("the first %d of %d bytes decoded with %v, want ErrBadState", i, len(b), err)
		}
	}
	if err := an.NewState().(*analysis.ScopedState).UnmarshalBinary(append(b, 0)); !errors.Is(err, analysis.ErrBadState) {
		t.Errorf("a trailing byte decoded with %v, want ErrBadState", err)
	}
	byDir := analysis.Scope{}.Wrap(analysis.Churn{By: analysis.ByDir})
	if err := byDir.NewState().(*analysis.ScopedState).UnmarshalBinary(b); !errors.Is(err, analysis.ErrBadState) {
		t.Errorf("churn by file decoded into churn by dir with %v, want ErrBadState", err)
	}
}

func FuzzScopedChurnStateDecode(f *testing.F) {
	an := analysis.Scope{}.Wrap(analysis.Churn{})
	s := an.NewState()
	empty, _ := s.(*analysis.ScopedState).MarshalBinary()
	f.Add(empty)
	f.Add([]byte{'S', 1, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 1, 1, 'a', 3, 3, 'C', 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := an.NewState().(*analysis.ScopedState)
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		// What decodes re-encodes to a state that decodes to the same result.
		b2, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		s2 := an.NewState().(*analysis.ScopedState)
		if err := s2.UnmarshalBinary(b2); err != nil {
			t.Fatalf("re-encoded state does not decode: %v", err)
		}
		if !reflect.DeepEqual(resultOf(s), resultOf(s2)) {
			t.Fatal("re-encoded state differs")
		}
	})
}

func TestEncodedChurnKeepsEarlierNames(t *testing.T) {
	dir := testrepos.Path(t, "renames")
	st := runAnalyzers(t, dir, walker.Options{}, 2, analysis.Churn{})[0].(*analysis.ChurnState)
	b, err := st.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back := analysis.Churn{}.NewState().(*analysis.ChurnState)
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	want, got := st.Rows(), back.Rows()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded rows differ:\n got %+v\nwant %+v", got, want)
	}
	named := 0
	for _, r := range want {
		named += len(r.Earlier)
	}
	if named < 10 {
		t.Fatalf("only %d earlier names in the renames fixture's churn: the test checks little", named)
	}
}

// TestResumableStatesReadBackWhole sends every state RunFrom keeps
// through its encoding, on a history of several people: the decoded
// state's rows are the state's.
func TestResumableStatesReadBackWhole(t *testing.T) {
	testrepos.IsolateGit(t)
	dir := buildPeopleRepo(t)
	repo, err := walker.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	notDocs := func(p string) bool { return !strings.HasSuffix(p, ".md") }
	ans := []analysis.Analyzer{analysis.Churn{}, analysis.Churn{By: analysis.ByWeek}, analysis.Coupling{}, analysis.Authors{},
		analysis.Ownership{}, analysis.Hotspots{}, analysis.Scope{}.Wrap(analysis.Churn{By: analysis.ByAuthor}),
		analysis.Summary{}, analysis.Age{Now: now}, analysis.Knowledge{}, analysis.Knowledge{Files: notDocs, FilesName: "not docs"}}
	rows := func(s analysis.State) any {
		switch s := s.(type) {
		case *analysis.ChurnState:
			return s.Rows()
		case *analysis.CouplingState:
			return []any{s.Rows(), s.Commits(), s.LeftOut(), s.Pairs()}
		case *analysis.AuthorsState:
			return s.Rows()
		case *analysis.OwnershipState:
			return []any{s.Rows(), s.NoAdded()}
		case *analysis.HotspotsState:
			first, ok := s.First()
			r, err := s.Rows(context.Background(), repo)
			if err != nil {
				t.Fatal(err)
			}
			return []any{r, first, ok}
		case *analysis.ScopedState:
			return resultOf(s)
		case *analysis.SummaryState:
			return s.Result()
		case *analysis.AgeState:
			r, err := s.Rows(context.Background(), repo, now)
			if err != nil {
				t.Fatal(err)
			}
			return r
		case *analysis.KnowledgeState:
			r, err := s.ResultAt(context.Background(), repo)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		t.Fatalf("%T is not kept", s)
		return nil
	}
	states := runAnalyzers(t, dir, walker.Options{}, 2, ans...)
	for i, st := range states {
		b, err := st.(analysis.Resumable).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back := ans[i].NewState().(analysis.Resumable)
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("%T: %v", st, err)
		}
		if got, want := rows(back), rows(st); !reflect.DeepEqual(got, want) {
			t.Errorf("%T read back:\n%v\nwant\n%v", st, got, want)
		}
		if err := back.UnmarshalBinary(b[:len(b)-1]); !errors.Is(err, analysis.ErrBadState) {
			t.Errorf("%T: a truncated state reads with %v", st, err)
		}
	}
}

// FuzzKeptStateDecode: the states the report keeps (RunFrom's memos, read
// back from a store that may be damaged) decode any bytes without a panic,
// and what decodes re-encodes to bytes that decode to the same state. The
// first byte picks the analyzer.
func FuzzKeptStateDecode(f *testing.F) {
	ans := []analysis.Analyzer{analysis.Summary{}, analysis.Age{Now: time.Unix(2_000_000_000, 0)}, analysis.Knowledge{},
		analysis.Hotspots{}, analysis.Authors{}, analysis.Ownership{}, analysis.Coupling{}}
	repo, err := walker.Open(testrepos.Path(f, "people"))
	if err != nil {
		f.Fatal(err)
	}
	defer repo.Close()
	states, err := analysis.Run(context.Background(), repo, walker.Options{}, ans...)
	if err != nil {
		f.Fatal(err)
	}
	for i, st := range states {
		b, err := st.(analysis.Resumable).MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append([]byte{byte(i)}, b...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || int(b[0]) >= len(ans) {
			return
		}
		an := ans[b[0]]
		s := an.NewState().(analysis.Resumable)
		if err := s.UnmarshalBinary(b[1:]); err != nil {
			if !errors.Is(err, analysis.ErrBadState) {
				t.Fatalf("%T: %v, not ErrBadState", s, err)
			}
			return
		}
		b2, err := s.MarshalBinary()
		if err != nil {
			return // an age state after its Now: never written
		}
		s2 := an.NewState().(analysis.Resumable)
		if err := s2.UnmarshalBinary(b2); err != nil {
			t.Fatalf("%T: the re-encoded state does not decode: %v", s, err)
		}
		if !reflect.DeepEqual(s, s2) {
			t.Fatalf("%T: the re-encoded state differs", s)
		}
	})
}
