package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/report"
	"github.com/gitwalk/gitwalk/walker"
	"github.com/spf13/cobra"
)

// The report's top N per section: enough to see the shape of a large
// history, few enough that the page stays small (the rest is folded into
// "(other)").
const (
	reportTopFiles   = 400 // churn by file: the table shows the first 30, the treemap all
	reportTopAuthors = 50
	reportTopDirs    = 10 // activity stacked by top-level directory
	reportTopWho     = 12 // authors over time

	reportTopHotspots  = 500
	reportTopCoupling  = 100
	reportTopOwnership = 200
	reportTopAge       = 200
	reportTopDirOwners = 40 // knowledge silos by folder, two levels deep
	// Knowledge: the truck view and the files and loss views whole (the
	// map draws every file and colours the lost ones), the people who
	// author the most files.
	reportTopKnowledgePeople = 50
)

// reportOptions are the report command's arguments.
type reportOptions struct {
	walk      *walkArgs
	an        *analysisArgs
	out       string // -o: the file to write, "-" for stdout
	noMailmap bool
	title     string    // --title: the page's heading (default: the repository's folder name)
	now       time.Time // --now: the time ages are measured to (default: now)
}

func newReportCmd(ios *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "report [REPO] [REV...] [-- PATH...]",
		Short: "One self-contained HTML page: activity, top files, hotspots, authors",
		Long: "report walks the history once, feeds every analysis from that one walk, and writes one\n" +
			"HTML page that opens from disk with no network: summary, activity over time, top files by\n" +
			"churn, a hotspot treemap, change coupling, ownership by file and folder, who knows the code\n" +
			"(truck factor, files by main author and by loss), code age, authors, authors over time and\n" +
			"branches. The data in the page is the analyses' own --format json\n" +
			"output for the same arguments: summary, churn --by week or month, churn --top " + fmt.Sprint(reportTopFiles) + ",\n" +
			"authors --top " + fmt.Sprint(reportTopAuthors) + ", hotspots --top " + fmt.Sprint(reportTopHotspots) +
			", coupling --top " + fmt.Sprint(reportTopCoupling) + ", ownership --top " + fmt.Sprint(reportTopOwnership) + ",\n" +
			"age --top " + fmt.Sprint(reportTopAge) + " --now D, knowledge --churn --view truck, files and loss\n" +
			"(whole) and --view people --top " + fmt.Sprint(reportTopKnowledgePeople) + ", and branches (its own walks, with the same\n" +
			"policies); activity and ownership by folder are the page's own, from the same walk.\n" +
			"Hotspots, age and knowledge are left out with --reverse; branches when the walk names\n" +
			"revisions (other than --all, --branches) or paths.\n\n" +
			"Report options:\n" +
			"  -o, --output FILE       write the page to FILE (default gitwalk-report.html; - for stdout)\n" +
			"      --no-mailmap        group authors as recorded, without .mailmap\n" +
			"      --title T           the page's heading (default: the repository's folder name; with\n" +
			"                          --repos, how many repositories)\n" +
			"      --now D             the time file ages are measured to (default: now)\n" +
			analysisArgsHelp + "\n\n" + reposArgsHelp + "\n\n" + walkArgsHelp,
		Example: "  gitwalk report\n" +
			"  gitwalk report ../repo --since '2 years ago' -o repo.html\n" +
			"  gitwalk report --exclude 'vendor/**' -o - > page.html",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := &reportOptions{out: "gitwalk-report.html"}
			var rest []string
			for i := 0; i < len(args); i++ {
				arg := args[i]
				if arg == "--" {
					rest = append(rest, args[i:]...)
					break
				}
				switch {
				case arg == "--no-mailmap":
					o.noMailmap = true
				case arg == "--format" || strings.HasPrefix(arg, "--format="):
					// Taken by the analyses' parser below, and ignored here.
					return usagef("report writes one HTML page: --format is for the other commands (their json is the page's data)")
				case arg == "--title" || strings.HasPrefix(arg, "--title="):
					if v, ok := strings.CutPrefix(arg, "--title="); ok {
						o.title = v
					} else if i+1 < len(args) {
						i++
						o.title = args[i]
					} else {
						return usagef("option --title needs a value")
					}
					continue
				case arg == "--now" || strings.HasPrefix(arg, "--now="):
					v, ok := strings.CutPrefix(arg, "--now=")
					if !ok {
						if i+1 >= len(args) {
							return usagef("option --now needs a value")
						}
						i++
						v = args[i]
					}
					t, err := parseDate(v, false)
					if err != nil {
						return err
					}
					o.now = t
					continue
				case arg == "-o" || arg == "--output":
					if i+1 >= len(args) {
						return usagef("option %s needs a value", arg)
					}
					i++
					o.out = args[i]
				case len(arg) > 2 && arg[:2] == "-o" && arg[2] != '-':
					o.out = arg[2:]
				case len(arg) > 9 && arg[:9] == "--output=":
					o.out = arg[9:]
				default:
					rest = append(rest, arg)
					continue
				}
				if o.out == "" {
					return usagef("option -o needs a file name (or - for stdout)")
				}
			}
			w, a, err := parseAnalysisArgs(rest, flagRepos)
			if err != nil {
				return err
			}
			if w.help {
				return cmd.Help()
			}
			o.walk, o.an = w, a
			return runReport(cmd, ios, o)
		},
	}
}

func runReport(cmd *cobra.Command, ios *iostreams, o *reportOptions) error {
	if o.an.repos != "" {
		return runMultiReport(cmd, ios, o)
	}
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	defer w.useCache(ios)()
	mm := mailmapFor(ios, repo, o.noMailmap)
	rs := newReportSections(repo, w, a, mm, o.now)
	start := time.Now()
	states, err := runAnalyses(cmd.Context(), ios, w, repo, rs.analyzers...)
	if err != nil {
		return err
	}
	walkTime := time.Since(start)
	states = rs.fill(states)
	data, err := rs.repoSections(cmd.Context(), repo, w, a, o, states)
	if err != nil {
		return err
	}
	sum := states[0].(*analysis.SummaryState).Result()
	// Each Report carries the options its command's --format json would
	// print for the same arguments, so the page's data is that output.
	w.scope.use(0)
	summaryRep, err := summaryReport(cmd.Context(), repo, w, a, sum, !w.emptyWalk)
	if err != nil {
		return err
	}
	rs.wholeSections(data, w, a, o, states, summaryRep)
	if data[report.SlotBranches], err = reportBranches(cmd, ios, repo, w, a); err != nil {
		return err
	}
	page := &report.Page{
		Title:      repoTitle(o, repo),
		Repository: repoWhere(repo),
		Generated:  time.Now(),
		Walk:       walkTime,
		Version:    version,
		Data:       data,
	}
	return writeReportPage(ios, o, page)
}

// reportSections are the analyses one walk of a repository feeds for the
// page, and how their states become its sections.
type reportSections struct {
	analyzers []analysis.Analyzer
	coupling  analysis.Coupling
	know      *knowledgeOptions
	now       time.Time
	// knowledge is the knowledge result repoSections made (nil with
	// --reverse).
	knowledge *analysis.KnowledgeResult
}

// The positions of the report's analyses in reportSections.analyzers.
const (
	iSummary = iota
	iFiles
	iWeeks
	iMonths
	iAuthors
	iActivity
	iCoupling
	iOwnership
	iHotspots
	iAge
	iDirOwners
	iKnowledge
)

// newReportSections makes the analyzers of the report's one walk of repo.
func newReportSections(repo *walker.Repo, w *walkArgs, a *analysisArgs, mm analysis.Mailmap, now time.Time) *reportSections {
	// One walk feeds every section: the weekly and monthly churn are both
	// kept because which one the page draws depends on the span walked.
	// The analyses with sections of their own run as their commands run
	// them by default. Hotspots and age measure files at the walk's first
	// commit, which --reverse makes the oldest: their commands refuse it,
	// the report leaves them out.
	rs := &reportSections{coupling: analysis.DefaultCoupling(), now: now}
	rs.coupling.Filter = a.filter
	if rs.now.IsZero() {
		rs.now = time.Now()
	}
	// Knowledge as `gitwalk knowledge --churn` runs it: the report's walk
	// reads line counts anyway, so lost files are ranked by churn.
	rs.know = &knowledgeOptions{churn: true}
	rs.know.k = analysis.Knowledge{Filter: a.filter, Mailmap: mm, Files: w.scope.classifier(repo).InLanguageStats}
	rs.know.k.FilesName, _ = analysis.ClassRulesName(repo) // none: no results kept
	rs.analyzers = []analysis.Analyzer{
		analysis.Summary{Filter: a.filter},
		analysis.Churn{By: analysis.ByFile, Filter: a.filter},
		analysis.Churn{By: analysis.ByWeek, Filter: a.filter},
		analysis.Churn{By: analysis.ByMonth, Filter: a.filter},
		analysis.Authors{Mailmap: mm, Filter: a.filter},
		report.Activity{Mailmap: mm, Filter: a.filter},
		rs.coupling,
		analysis.Ownership{Filter: a.filter, Mailmap: mm},
		analysis.Hotspots{Filter: a.filter, Mailmap: mm},
		analysis.Age{Filter: a.filter, Mailmap: mm, Now: rs.now},
		report.DirOwnership{Filter: a.filter, Mailmap: mm},
		rs.know.k,
	}
	return rs
}

// fill gives empty states after -n 0, when every section is empty.
func (rs *reportSections) fill(states []analysis.State) []analysis.State {
	if states != nil {
		return states
	}
	states = make([]analysis.State, len(rs.analyzers))
	for i, an := range rs.analyzers {
		states[i] = an.NewState()
	}
	return states
}

// repoSections makes the sections of one repository's files, which read
// it (hotspots, age and knowledge measure its files at the walk's first
// commit): top files, coupling, ownership, hotspots, age, folder owners
// and knowledge.
func (rs *reportSections) repoSections(ctx context.Context, repo *walker.Repo, w *walkArgs, a *analysisArgs, o *reportOptions,
	states []analysis.State) (map[string]*analysis.Report, error) {
	data := map[string]*analysis.Report{}
	w.scope.use(iFiles)
	data[report.SlotFiles] = churnReport(states[iFiles].(*analysis.ChurnState), analysis.ByFile, reportArgs{a, w, o.noMailmap, reportTopFiles})
	w.scope.use(iCoupling)
	data[report.SlotCoupling] = couplingReport(states[iCoupling].(*analysis.CouplingState), rs.coupling, reportArgs{a, w, o.noMailmap, reportTopCoupling})
	w.scope.use(iOwnership)
	data[report.SlotOwnership] = ownershipReport(states[iOwnership].(*analysis.OwnershipState), reportArgs{a, w, o.noMailmap, reportTopOwnership})
	data[report.SlotOwnershipDirs] = states[iDirOwners].(*report.DirOwnershipState).Report(reportTopDirOwners)
	if w.opts.Reverse {
		// Knowledge measures files at the walk's first commit too: left
		// out with --reverse, which its command refuses.
		return data, nil
	}
	var err error
	w.scope.use(iHotspots)
	data[report.SlotHotspots], err = hotspotsReport(ctx, repo, states[iHotspots].(*analysis.HotspotsState), reportArgs{a, w, o.noMailmap, reportTopHotspots}, analysis.ByRevisions)
	if err != nil {
		return nil, err
	}
	w.scope.use(iAge)
	data[report.SlotAge], err = ageReport(ctx, repo, states[iAge].(*analysis.AgeState), reportArgs{a, w, o.noMailmap, reportTopAge}, rs.now, false)
	if err != nil {
		return nil, err
	}
	w.scope.use(iKnowledge)
	r, err := knowledgeResult(ctx, repo, w, rs.know, states[iKnowledge].(*analysis.KnowledgeState))
	if err != nil {
		return nil, err
	}
	rs.knowledge = r
	for _, v := range []struct {
		slot string
		view analysis.KnowledgeView
		top  int
	}{{report.SlotKnowledge, analysis.ViewTruck, 0}, {report.SlotKnowledgeFiles, analysis.ViewFiles, 0},
		{report.SlotKnowledgePeople, analysis.ViewPeople, reportTopKnowledgePeople}, {report.SlotKnowledgeLoss, analysis.ViewLoss, 0}} {
		data[v.slot] = knowledgeReport(r, rs.know, v.view, reportArgs{a, w, o.noMailmap, v.top})
	}
	return data, nil
}

// wholeSections adds the sections of the whole walk to data: the summary
// (made by the caller), activity over time, authors and authors over time.
// With several repositories the states are those of every repository,
// merged.
func (rs *reportSections) wholeSections(data map[string]*analysis.Report, w *walkArgs, a *analysisArgs, o *reportOptions,
	states []analysis.State, summaryRep *analysis.Report) {
	sum := states[iSummary].(*analysis.SummaryState).Result()
	period := report.PeriodFor(sum.First, sum.Last)
	byPeriod, iPeriod := states[iWeeks], iWeeks
	if period == report.Month {
		byPeriod, iPeriod = states[iMonths], iMonths
	}
	act := states[iActivity].(*report.ActivityState)
	data[report.SlotSummary] = summaryRep
	w.scope.use(iPeriod)
	data[report.SlotPeriods] = churnReport(byPeriod.(*analysis.ChurnState), period.Grouping(), reportArgs{a, w, o.noMailmap, 0})
	data[report.SlotActivity] = act.DirsReport(period, reportTopDirs)
	w.scope.use(iAuthors)
	data[report.SlotAuthors] = authorsReport(states[iAuthors].(*analysis.AuthorsState), reportArgs{a, w, o.noMailmap, reportTopAuthors})
	data[report.SlotAuthorsOverTime] = act.AuthorsReport(period, reportTopWho)
}

// writeReportPage writes the page where -o says.
func writeReportPage(ios *iostreams, o *reportOptions, page *report.Page) error {
	var buf bytes.Buffer
	if err := report.Write(&buf, page); err != nil {
		return err
	}
	if o.out == "-" {
		_, err := ios.out.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(o.out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	abs, err := filepath.Abs(o.out)
	if err != nil {
		abs = o.out
	}
	fmt.Fprintf(ios.errOut, "gitwalk: report written to %s (%d KB)\n", abs, (buf.Len()+1023)/1024)
	return nil
}

// reportBranches is branches' Report for the page, as `gitwalk branches`
// with the same analysis flags and policies and --format json gives it: nil when the walk
// names revisions other than --all or --branches, or paths (the branches section compares whole branches,
// which those would not limit), when there are no branches or no default
// branch to compare with (the section then has nothing to show), and after
// -n 0, which empties every section.
func reportBranches(cmd *cobra.Command, ios *iostreams, repo *walker.Repo, w *walkArgs, a *analysisArgs) (*analysis.Report, error) {
	if w.emptyWalk || len(w.opts.Paths) > 0 {
		return nil, nil
	}
	for _, r := range w.opts.Revisions {
		if r != "--all" && r != "--branches" { // every branch is still the walk's
			return nil, nil
		}
	}
	branches, err := repo.Branches(false)
	if err != nil {
		return nil, err
	}
	if len(branches) == 0 {
		return nil, nil
	}
	res, err := compareBranches(cmd.Context(), repo, "", false, w, a, nil)
	if errors.Is(err, walker.ErrNoDefaultBranch) {
		fmt.Fprintf(ios.errOut, "gitwalk: warning: branches left out of the report: %v\n", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// The summary's line on stderr has said what the walk left out; the
	// branches' own figures go in their options only.
	w.scope.record(io.Discard, res.LeftOut, res.Excluded)
	return branchesReport(res, false, w, a, 0), nil
}

// repoTitle names the repository for the page's heading: --title when
// given, else the work tree's folder, or the git directory's name without
// ".git".
func repoTitle(o *reportOptions, repo *walker.Repo) string {
	if o.title != "" {
		return o.title
	}
	if wt := repo.WorkTree(); wt != "" {
		return filepath.Base(wt)
	}
	base := filepath.Base(repo.GitDir())
	if base == ".git" {
		base = filepath.Base(filepath.Dir(repo.GitDir()))
	}
	return strings.TrimSuffix(base, ".git")
}

// repoWhere is where the repository was read, for the page's subtitle.
func repoWhere(repo *walker.Repo) string {
	if wt := repo.WorkTree(); wt != "" {
		return wt
	}
	return repo.GitDir()
}
