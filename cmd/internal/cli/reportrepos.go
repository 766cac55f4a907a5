package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/report"
	"github.com/spf13/cobra"
)

// runMultiReport is the report over the repositories --repos names, walked
// as runRepos walks them: the sections of files (top files, coupling,
// ownership, hotspots, age, folder owners, knowledge) are each
// repository's, made while it is open, one after the other with a
// repository column; the summary, activity, authors and authors over time
// are of every repository, their states merged (a person is one across
// repositories). Branches compare one repository's branches and are left
// out.
func runMultiReport(cmd *cobra.Command, ios *iostreams, o *reportOptions) error {
	specs, err := loadRepoList(o.an.repos, ios.in)
	if err != nil {
		return err
	}
	start := time.Now()
	runs, err := runRepos(cmd.Context(), ios, o.walk, o.an, specs, func(ctx context.Context, r *repoRun, env *analysisEnv) error {
		mm := mailmapFor(env.ios, env.repo, o.noMailmap)
		rs := newReportSections(env.repo, env.walk, env.an, mm, o.now)
		rs.know.several = true
		states, err := runAnalyses(ctx, env.ios, env.walk, env.repo, rs.analyzers...)
		if err != nil {
			return err
		}
		walked := states != nil
		states = rs.fill(states)
		if walked && !env.an.merges {
			// As summary does: the merges of the range, counted while the
			// repository is open.
			n, err := countMerges(ctx, env.repo, env.walk.opts)
			if err != nil {
				return err
			}
			states[iSummary].(*analysis.SummaryState).AddMerges(n)
		}
		if r.sections, err = rs.repoSections(ctx, env.repo, env.walk, env.an, o, states); err != nil {
			return err
		}
		r.states, r.env = states, env
		if rs.knowledge != nil {
			r.opts, r.result = rs.know, rs.knowledge
		}
		return nil
	})
	if err != nil {
		return err
	}
	walkTime := time.Since(start)

	first := firstWalked(runs)
	env := *first.env
	an, wc := *env.an, *env.walk
	if sc := mergedScope(runs); sc != nil {
		an.scope = *sc
		wc.scope = &an.scope
	}
	var names []string
	var perRepo [][]analysis.State
	for _, r := range runs {
		if r.ran {
			names = append(names, r.spec.name)
			perRepo = append(perRepo, r.states)
		}
	}
	merged := make([]analysis.State, len(perRepo[0]))
	for i := range merged {
		col := make([]analysis.State, len(perRepo))
		for j := range perRepo {
			col[j] = perRepo[j][i]
		}
		merged[i] = analysis.MergeRepositories(names, col)
	}
	data := map[string]*analysis.Report{}
	for _, sec := range []struct {
		slot string
		i    int // its analysis, whose left-out figures its options give
	}{{report.SlotFiles, iFiles}, {report.SlotCoupling, iCoupling}, {report.SlotOwnership, iOwnership},
		{report.SlotOwnershipDirs, -1}, {report.SlotHotspots, iHotspots}, {report.SlotAge, iAge},
		{report.SlotKnowledge, iKnowledge}, {report.SlotKnowledgeFiles, iKnowledge},
		{report.SlotKnowledgeLoss, iKnowledge}} {
		var reps []namedReport
		for _, r := range runs {
			if r.ran && r.sections[sec.slot] != nil {
				reps = append(reps, namedReport{r.spec.name, r.sections[sec.slot]})
			}
		}
		rep := combineReports(reps)
		if rep == nil {
			continue
		}
		if sec.i >= 0 && wc.scope != nil && rep.Options != nil {
			wc.scope.use(sec.i)
			wc.scope.addOptions(rep.Options)
		}
		data[sec.slot] = rep
	}
	// Knowledge: the files' views are each repository's; the people and
	// the truck factor in every view's notes are of all the files
	// together (a person is one across repositories).
	var knowResults []*analysis.KnowledgeResult
	var knowNames []string
	var know *knowledgeOptions
	for _, r := range runs {
		if r.ran && r.result != nil {
			knowNames = append(knowNames, r.spec.name)
			knowResults = append(knowResults, r.result.(*analysis.KnowledgeResult))
			if know == nil {
				know = r.opts.(*knowledgeOptions)
			}
		}
	}
	if know != nil {
		merged := analysis.MergeKnowledge(knowNames, knowResults, know.k.Coverage)
		wc.scope.use(iKnowledge)
		data[report.SlotKnowledgePeople] = knowledgeReport(merged, know, analysis.ViewPeople, reportArgs{&an, &wc, o.noMailmap, reportTopKnowledgePeople})
		for slot, view := range map[string]analysis.KnowledgeView{report.SlotKnowledge: analysis.ViewTruck,
			report.SlotKnowledgeFiles: analysis.ViewFiles, report.SlotKnowledgeLoss: analysis.ViewLoss} {
			if k := data[slot]; k != nil {
				k.Notes = analysis.KnowledgeReport(merged, view, 0).Notes
			}
		}
	}
	rs := &reportSections{}
	wc.scope.use(iSummary)
	sumRep := analysis.SummaryReport(merged[iSummary].(*analysis.SummaryState).Result())
	sumRep.Options = an.options(&wc)
	an.scope.addSummaryColumns(sumRep)
	rs.wholeSections(data, &wc, &an, o, merged, sumRep)
	for _, rep := range data {
		annotateRepos(rep, runs)
	}
	title := o.title
	if title == "" {
		title = fmt.Sprintf("%d repositories", len(names))
	}
	page := &report.Page{
		Title:      title,
		Repository: strings.Join(names, ", "),
		Generated:  time.Now(),
		Walk:       walkTime,
		Version:    version,
		Data:       data,
	}
	return writeReportPage(ios, o, page)
}
