package cli

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// knowledgeOptions are knowledge's own options.
type knowledgeOptions struct {
	allFiles bool
	churn    bool
	view     analysis.KnowledgeView
	k        analysis.Knowledge
	// several: one of several repositories (--repos), where a
	// --simulate-leave name need only be known in one of them.
	several bool
}

// knowledgeCmd is `gitwalk knowledge`.
var knowledgeCmd = analysisCmd[knowledgeOptions, *analysis.KnowledgeState]{
	name:  "knowledge",
	short: "Who knows the code: authorship, truck factor, knowledge islands and loss",
	long: "knowledge finds who knows each file by the degree-of-authorship model of Fritz et al., as\n" +
		"Avelino, Passos, Hora and Valente use it for truck factors (ICPC 2016): for a person and a\n" +
		"file, DOA = 3.293 + 1.098*FA + 0.164*DL - 0.321*ln(1 + AC), where FA is 1 for the person who\n" +
		"created the file, DL their later commits to it and AC the others'. A person authors a file\n" +
		"when their DOA over the file's highest is above 0.75 and their DOA at least 3.293. Files are\n" +
		"those of the branch as it stood at the walk's end (the tree of the first commit of the walk\n" +
		"by first parents, merges included: HEAD, or the last commit before --until) that linguist\n" +
		"counts in a repository's languages, as the paper does: not vendored, generated or\n" +
		"documentation, and of a programming or markup language, not data (JSON, YAML) or prose\n" +
		"(linguist-detectable decides otherwise);\n" +
		"--all-files counts every file the default excludes and --include/--exclude keep. People are\n" +
		"grouped through .mailmap (--no-mailmap: as recorded), bots left out unless --bots.\n\n" +
		"The truck factor of the repository and of each folder is the paper's greedy search: remove\n" +
		"the person who authors the most files (ties: by name) until fewer than half the files have\n" +
		"an author left; it counts and names them. A file with a single author is a knowledge island.\n" +
		"People with no commit in the --departed-after months before the newest commit walked have\n" +
		"departed (default 12: a year without a commit); --simulate-leave takes a person (name, email\n" +
		"or \"Name <email>\", repeatable) as gone too. The files no author is left for are lost, the\n" +
		"hot ones (most commits; most churn with --churn) first. Notes under the table (JSON\n" +
		"\"notes\") give the truck factor and its people, the islands, the departure date and the\n" +
		"lost files whatever the view. The walk reads no line counts unless --churn: only which\n" +
		"files each commit changed, and the blobs of added and deleted files to find renames as git\n" +
		"does (a note says so); with --missing=allow-promisor it runs on a blob-less partial clone.\n\n" +
		"Knowledge options:\n" +
		"      --view V            truck (default: repository, then each folder), files, people or loss\n" +
		"      --departed-after N  months without a commit that make a person departed (default 12;\n" +
		"                          0 marks nobody)\n" +
		"      --simulate-leave P  take P as gone (repeatable)\n" +
		"      --all-files         count every file kept, not only linguist's language files\n" +
		"      --churn             read line counts, to rank lost files by churn (lines added and\n" +
		"                          deleted); by default the walk reads no blob but to find renames,\n" +
		"                          much faster and fit for a partial clone\n" +
		"      --author-share X    an author's DOA over the file's best must be above X (default 0.75)\n" +
		"      --author-doa X      and their DOA at least X (default 3.293)\n" +
		"      --truck-coverage X  remove people until fewer than X of the files have an author (default 0.5)\n" +
		"      --no-mailmap        group authors as recorded, without .mailmap\n" +
		"      --top N             only the first N rows (0: all)\n",
	example: "  gitwalk knowledge\n" +
		"  gitwalk knowledge --view loss --top 20\n" +
		"  gitwalk knowledge --view loss --simulate-leave 'Jane Doe' --departed-after 6\n" +
		"  gitwalk knowledge ../repo --view people --format csv\n" +
		"  gitwalk knowledge --until 2016-01-01 --view files --format json",
	takes:     flagTop | flagNoMailmap,
	noReverse: true,
	flags: func(o *knowledgeOptions) []extraFlag {
		return []extraFlag{
			boolFlag("--all-files", &o.allFiles),
			boolFlag("--churn", &o.churn),
			{name: "--view", hasValue: true, set: func(v string) (err error) {
				if o.view, err = analysis.ParseKnowledgeView(v); err != nil {
					err = usagef("--view: %v", err)
				}
				return err
			}},
			{name: "--departed-after", hasValue: true, set: func(v string) error {
				n, err := nonNegative("--departed-after", v)
				if n == 0 {
					n = -1 // nobody departs
				}
				o.k.DepartedAfter = n
				return err
			}},
			fractionFlag("--author-share", &o.k.Normalized, false),
			fractionFlag("--author-doa", &o.k.Absolute, true),
			fractionFlag("--truck-coverage", &o.k.Coverage, false),
			{name: "--simulate-leave", hasValue: true, set: func(v string) error {
				if strings.TrimSpace(v) == "" {
					return usagef("--simulate-leave needs a name or an email")
				}
				o.k.SimulateLeave = append(o.k.SimulateLeave, v)
				return nil
			}},
		}
	},
	analyzer: func(e *analysisEnv, o *knowledgeOptions) analysis.Analyzer {
		o.k.Filter, o.k.Mailmap = e.an.filter, e.mailmap
		// Authorship needs only which files each commit changed: the walk
		// reads no blob for line counts unless --churn asks for them.
		e.walk.opts.NoLineCounts = !o.churn
		o.k.NoLineCounts = !o.churn
		if !o.allFiles {
			o.k.Files = e.walk.scope.classifier(e.repo).InLanguageStats
			o.k.FilesName, _ = analysis.ClassRulesName(e.repo) // none: no results kept
		}
		return o.k
	},
	render: renderKnowledge,
	result: func(e *analysisEnv, o *knowledgeOptions, st *analysis.KnowledgeState) (any, error) {
		o.several = true
		return knowledgeResult(e.ctx, e.repo, e.walk, o, st)
	},
	renderRepos: renderKnowledgeRepos,
}

// renderKnowledgeRepos is knowledge over several repositories: the truck,
// files and loss views are each repository's, one after the other; the
// people view is of every repository (analysis.MergeKnowledge: a person is
// one across them), and so are every view's notes, the truck factor of
// all the files together first.
func renderKnowledgeRepos(e *analysisEnv, o *knowledgeOptions, names []string, results []any) (output, error) {
	rs := make([]*analysis.KnowledgeResult, len(results))
	for i, r := range results {
		rs[i] = r.(*analysis.KnowledgeResult)
	}
	merged := analysis.MergeKnowledge(names, rs, o.k.Coverage)
	if len(merged.UnknownLeavers) > 0 {
		return nil, usagef("--simulate-leave %q: no such person in the walks (see gitwalk identities)", merged.UnknownLeavers[0])
	}
	if o.view == analysis.ViewPeople {
		return knowledgeReport(merged, o, o.view, e.reportArgs()), nil
	}
	reps := make([]namedReport, len(rs))
	for i, r := range rs {
		reps[i] = namedReport{names[i], knowledgeReport(r, o, o.view, e.reportArgs())}
	}
	rep := combineReports(reps)
	rep.Notes = analysis.KnowledgeReport(merged, o.view, 0).Notes
	return rep, nil
}

func renderKnowledge(e *analysisEnv, o *knowledgeOptions, st *analysis.KnowledgeState) (output, error) {
	r, err := knowledgeResult(e.ctx, e.repo, e.walk, o, st)
	if err != nil {
		return nil, err
	}
	return knowledgeReport(r, o, o.view, e.reportArgs()), nil
}

// knowledgeResult is the result of the merged state st (nil after -n 0),
// with the files alive at the walk's snapshot (snapshotCommit); a
// --simulate-leave name that matched nobody is a usage error.
func knowledgeResult(ctx context.Context, repo *walker.Repo, w *walkArgs, o *knowledgeOptions, st *analysis.KnowledgeState) (*analysis.KnowledgeResult, error) {
	if st == nil {
		st = o.k.NewState().(*analysis.KnowledgeState)
	}
	var r *analysis.KnowledgeResult
	snap, ok, err := snapshotCommit(ctx, repo, w)
	if err == nil {
		if ok {
			r, err = st.ResultIn(ctx, repo, snap)
		} else {
			r, err = st.ResultAt(ctx, repo)
		}
	}
	if err != nil {
		return nil, err
	}
	if len(r.UnknownLeavers) > 0 && !o.several {
		return nil, usagef("--simulate-leave %q: no such person in the walk (see gitwalk identities)", r.UnknownLeavers[0])
	}
	return r, nil
}

// knowledgeReport is one view of r as `gitwalk knowledge --view V --format
// json` prints it, with the options o and ra record. gitwalk report uses it
// too, so the two cannot drift.
func knowledgeReport(r *analysis.KnowledgeResult, o *knowledgeOptions, view analysis.KnowledgeView, ra reportArgs) *analysis.Report {
	k := o.k
	rep := analysis.KnowledgeReport(r, view, ra.top)
	rep.Options = ra.options(true)
	rep.Options["view"] = view.String()
	rep.Options["files"] = map[bool]string{false: "language", true: "all"}[o.allFiles]
	rep.Options["line_counts"] = !k.NoLineCounts
	departed := k.DepartedAfter
	if departed == 0 {
		departed = analysis.DefaultDepartedAfter
	} else if departed < 0 {
		departed = 0
	}
	rep.Options["departed_after_months"] = departed
	leave := k.SimulateLeave
	if leave == nil {
		leave = []string{}
	}
	rep.Options["simulate_leave"] = leave
	or := func(v, def float64) float64 {
		if v > 0 {
			return v
		}
		return def
	}
	rep.Options["thresholds"] = map[string]any{"normalized_doa": or(k.Normalized, analysis.DefaultAuthorNormalized),
		"absolute_doa": or(k.Absolute, analysis.DefaultAuthorAbsolute), "truck_coverage": or(k.Coverage, analysis.DefaultTruckCoverage),
		"formula": "3.293 + 1.098*FA + 0.164*DL - 0.321*ln(1+AC)"}
	return rep
}

// snapshotCommit is the commit whose tree holds the files alive for the
// walk w (knowledge's files alive, age's and hotspots' files and sizes): the first commit of the same walk followed by first parents,
// merges included (the branch as it stood at --until, its head when that
// is a merge), not the first commit the analysis observed, which with
// merges left out or --until can be a merged-in side history's. ok is
// false when that walk has no commit.
//
// The report asks it three times (hotspots, age, knowledge): the answer is
// kept per repository. Without paths or --until the commit is the walk's
// tip, which two commit objects read tell: the walk then goes without the
// cache, whose graph of git/git's history (6.6 MB) it would load for that.
func snapshotCommit(ctx context.Context, repo *walker.Repo, w *walkArgs) (walker.Hash, bool, error) {
	if w.emptyWalk {
		return walker.Hash{}, false, nil
	}
	if w.snaps == nil {
		w.snaps = &snapMemo{m: map[*walker.Repo]snapCommit{}}
	}
	memo := w.snaps
	memo.mu.Lock()
	defer memo.mu.Unlock()
	if snap, ok := memo.m[repo]; ok {
		return snap.id, snap.found, nil
	}
	opts := w.opts
	opts.FirstParent, opts.NoMerges, opts.DiffMerges = true, false, false
	opts.MaxCount, opts.Reverse, opts.ParentsOnly = 1, false, true
	opts.Workers, opts.Stats, opts.Progress, opts.Arenas, opts.Readers = 1, nil, nil, nil, nil
	if len(opts.Paths) == 0 && opts.Until.IsZero() {
		opts.Store, opts.Replay = nil, false
	}
	var first walker.Hash
	found := false
	err := repo.Walk(ctx, opts, func(c *walker.Commit) error {
		first, found = c.Hash, true
		return walker.ErrStop
	})
	if err != nil {
		return walker.Hash{}, false, fmt.Errorf("the commit whose files are alive now: %w", err)
	}
	memo.m[repo] = snapCommit{first, found}
	return first, found, nil
}

// snapMemo keeps snapshotCommit's answers, per repository.
type snapMemo struct {
	mu sync.Mutex
	m  map[*walker.Repo]snapCommit
}

// snapCommit is a repository's snapshotCommit.
type snapCommit struct {
	id    walker.Hash
	found bool
}

// fractionFlag is a flag taking a finite number above 0, at most 1 unless
// unbounded.
func fractionFlag(name string, dst *float64, unbounded bool) extraFlag {
	return extraFlag{name: name, hasValue: true, set: func(v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) || !unbounded && f > 1 {
			want := "a number above 0 and at most 1"
			if unbounded {
				want = "a number above 0"
			}
			return usagef("%s %q: want %s", name, v, want)
		}
		*dst = f
		return nil
	}}
}
