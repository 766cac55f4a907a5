package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// runMultiAnalysisCmd runs c over every repository --repos names (see
// runRepos): per-file rows are made per repository while it is open and
// written with a repository column; per-person rows and totals (c.across)
// come from the repositories' states merged into one.
func runMultiAnalysisCmd[O any, S analysis.State](e *analysisEnv, c analysisCmd[O, S], o *O) error {
	specs, err := loadRepoList(e.an.repos, e.ios.in)
	if err != nil {
		return err
	}
	across := c.across != nil && c.across(o, e.an)
	runs, err := runRepos(e.ctx, e.ios, e.walk, e.an, specs, func(ctx context.Context, r *repoRun, env *analysisEnv) error {
		// Each repository has its own copy of the options: an analyzer
		// may set them from its repository (knowledge's file classes).
		oc := new(O)
		*oc = *o
		env.noMailmap = e.noMailmap
		if c.takes&flagNoMailmap != 0 {
			env.mailmap = mailmapFor(env.ios, env.repo, e.noMailmap)
		}
		states, err := runAnalyses(ctx, env.ios, env.walk, env.repo, c.analyzer(env, oc))
		if err != nil {
			return err
		}
		var st S
		if states != nil {
			st = states[0].(S)
		}
		r.env, r.opts = env, oc
		if c.result != nil {
			r.result, err = c.result(env, oc, st)
			return err
		}
		if across {
			if c.prepare != nil && states != nil {
				if err := c.prepare(env, oc, st); err != nil {
					return err
				}
			}
			r.states = states
			return nil
		}
		r.out, err = c.render(env, oc, st)
		if err != nil {
			return err
		}
		if _, ok := r.out.(*analysis.Report); !ok {
			return fmt.Errorf("%s gives no rows to name by repository", c.name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	first := firstWalked(runs)
	// The output is rendered with the first walked repository's copy of
	// the arguments (as its analyzer left them) and the policies' left-out
	// figures of every repository.
	env := *first.env
	env.ios, env.repo = e.ios, nil
	an, wc := *env.an, *env.walk
	env.an, env.walk = &an, &wc
	if sc := mergedScope(runs); sc != nil {
		an.scope = *sc
		wc.scope = &an.scope
	}
	wc.walked = missingOfAll(runs)
	var out output
	switch {
	case c.result != nil:
		var names []string
		var results []any
		for _, r := range runs {
			if r.ran {
				names = append(names, r.spec.name)
				results = append(results, r.result)
			}
		}
		if out, err = c.renderRepos(&env, first.opts.(*O), names, results); err != nil {
			return err
		}
	case across:
		var names []string
		var states []analysis.State
		for _, r := range runs {
			if r.ran && r.states != nil {
				names = append(names, r.spec.name)
				states = append(states, r.states[0])
			}
		}
		var st S
		if merged := analysis.MergeRepositories(names, states); merged != nil {
			st = merged.(S)
		}
		if out, err = c.render(&env, o, st); err != nil {
			return err
		}
	default:
		out = combineRuns(runs)
	}
	if rep, ok := out.(*analysis.Report); ok {
		if env.walk.scope != nil && rep.Options != nil {
			env.walk.scope.addOptions(rep.Options)
		}
		if _, ok := rep.Options["missing"]; ok {
			rep.Options["missing"] = missingOptions(wc.opts.Missing, wc.walked)
		}
		annotateRepos(rep, runs)
	}
	return out.Write(e.ios.out, e.an.format, tableWidth(e.ios))
}

// missingOfAll is what every repository's walk passed over with
// --missing, added up: counts add (an object or path of one repository is
// not another's), the samples are the first repositories' (names of
// objects and paths sorted, at most five as a walk gives).
func missingOfAll(runs []*repoRun) *walker.Stats {
	st := &walker.Stats{}
	for _, r := range runs {
		if !r.ran || r.env == nil || r.env.walk.walked == nil {
			continue
		}
		o := r.env.walk.walked
		st.Commits += o.Commits
		st.MissingObjects += o.MissingObjects
		st.MissingCommits += o.MissingCommits
		st.MissingChanges += o.MissingChanges
		st.MissingPaths += o.MissingPaths
		for _, id := range o.MissingSample {
			if len(st.MissingSample) < 5 {
				st.MissingSample = append(st.MissingSample, id)
			}
		}
		for _, p := range o.MissingPathSample {
			if len(st.MissingPathSample) < 5 {
				st.MissingPathSample = append(st.MissingPathSample, r.spec.name+"/"+p)
			}
		}
	}
	return st
}

func firstWalked(runs []*repoRun) *repoRun {
	for _, r := range runs {
		if r.ran {
			return r
		}
	}
	panic("gitwalk: runRepos returned no walked repository")
}

// mergedScope is the policies of the run with what they left out of every
// repository added up (a file left out is one of its repository, so the
// counts of distinct files add up too); nil when there are no policies.
func mergedScope(runs []*repoRun) *scopeArgs {
	var out *scopeArgs
	for _, r := range runs {
		if !r.ran || r.scope == nil {
			continue
		}
		if out == nil {
			s := *r.scope
			out = &s
			out.left, out.ran = analysis.LeftOut{}, false
		}
		if !r.scope.ran {
			continue
		}
		if !out.ran {
			out.lefts = make([]analysis.LeftOut, len(r.scope.lefts))
		}
		out.ran = true
		out.noLines = out.noLines || r.scope.noLines
		addLeftOut(&out.left, r.scope.left)
		for i := range out.lefts {
			if i < len(r.scope.lefts) {
				addLeftOut(&out.lefts[i], r.scope.lefts[i])
			}
		}
		if out.ignoreFrom == "" {
			out.ignoreFrom = r.scope.ignoreFrom
		}
	}
	return out
}

func addLeftOut(l *analysis.LeftOut, o analysis.LeftOut) {
	l.BotCommits += o.BotCommits
	l.BotsCounted += o.BotsCounted
	l.IgnoredCommits += o.IgnoredCommits
	l.LargeCommits += o.LargeCommits
	l.CoAuthorCredits += o.CoAuthorCredits
	l.AuthorBasedReport = l.AuthorBasedReport || o.AuthorBasedReport
	for i := range l.Files {
		l.Files[i] += o.Files[i]
		l.Lines[i] += o.Lines[i]
	}
}

// namedReport is one repository's report of a run of several.
type namedReport struct {
	name string
	rep  *analysis.Report
}

// combineRuns is combineReports over the reports the runs made.
func combineRuns(runs []*repoRun) *analysis.Report {
	var reps []namedReport
	for _, r := range runs {
		if rep, ok := r.out.(*analysis.Report); ok && r.ran {
			reps = append(reps, namedReport{r.spec.name, rep})
		}
	}
	return combineReports(reps)
}

// combineReports puts the repositories' reports one after the other, in
// the list's order, each row led by its repository's name. Notes of the
// same name are added up when they are counts, and their sentences kept
// per repository.
func combineReports(reps []namedReport) *analysis.Report {
	var out *analysis.Report
	noteAt := map[string]int{}
	for _, nr := range reps {
		rep := nr.rep
		if rep == nil {
			continue
		}
		if out == nil {
			out = &analysis.Report{Analysis: rep.Analysis, Options: rep.Options,
				Columns: append([]analysis.Column{{Name: "repository", Cut: true}}, rep.Columns...)}
		}
		for _, row := range rep.Rows {
			out.Rows = append(out.Rows, append([]any{nr.name}, row...))
		}
		for _, n := range rep.Notes {
			if n.Text != "" {
				n.Text = nr.name + ": " + n.Text
			}
			i, seen := noteAt[n.Name]
			if !seen {
				noteAt[n.Name] = len(out.Notes)
				out.Notes = append(out.Notes, n)
				continue
			}
			have := &out.Notes[i]
			if a, ok := have.Value.(int); ok {
				if b, ok := n.Value.(int); ok {
					have.Value = a + b
				}
			}
			if n.Text != "" {
				have.Text = strings.TrimPrefix(have.Text+"; "+n.Text, "; ")
			}
		}
	}
	return out
}

// annotateRepos records in rep which repositories the run walked and which
// it left out: options "repositories" (each with its name, path, commits,
// shallow, and why it was left out), options left_out.repositories, and a
// note that a table prints.
func annotateRepos(rep *analysis.Report, runs []*repoRun) {
	if rep.Options == nil {
		rep.Options = map[string]any{}
	}
	var list, left []map[string]any
	var leftText []string
	walked := 0
	for _, r := range runs {
		item := map[string]any{"name": r.spec.name, "path": r.spec.path, "walked": r.ran, "commits": r.commits, "shallow": r.shallow}
		if r.problem != "" {
			item["left_out"] = r.problem
			left = append(left, map[string]any{"name": r.spec.name, "path": r.spec.path, "reason": r.problem})
			leftText = append(leftText, r.spec.name+" ("+r.problem+")")
		} else if r.ran {
			walked++
		}
		list = append(list, item)
	}
	if left == nil {
		left = []map[string]any{}
	}
	rep.Options["repositories"] = list
	lo, _ := rep.Options["left_out"].(map[string]any)
	if lo == nil {
		lo = map[string]any{}
		rep.Options["left_out"] = lo
	}
	lo["repositories"] = left
	if rep.Vertical {
		// A one-row report (summary) says it in its row.
		rep.Columns = append(rep.Columns, analysis.Column{Name: "repositories"}, analysis.Column{Name: "repositories_left_out"})
		for i := range rep.Rows {
			rep.Rows[i] = append(rep.Rows[i], walked, len(left))
		}
	}
	n := analysis.Note{Name: "repositories_left_out", Value: len(left)}
	if len(left) > 0 {
		n.Text = fmt.Sprintf("left out %d repositor%s: %s", len(left), map[bool]string{true: "y", false: "ies"}[len(left) == 1],
			strings.Join(leftText, "; "))
	}
	rep.Notes = append(rep.Notes, analysis.Note{Name: "repositories", Value: walked}, n)
}
