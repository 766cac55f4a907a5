package main

import (
	"bytes"
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
			"      --title T           the page's heading (default: the repository's folder name)\n" +
			"      --now D             the time file ages are measured to (default: now)\n" +
			analysisArgsHelp + "\n\n" + walkArgsHelp,
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
			w, a, err := parseAnalysisArgs(rest, 0)
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
	w, a := o.walk, o.an
	repo, err := w.openRepo()
	if err != nil {
		return err
	}
	defer repo.Close()
	defer w.useCache(ios)()
	mm := mailmapFor(ios, repo, o.noMailmap)
	// One walk feeds every section: the weekly and monthly churn are both
	// kept because which one the page draws depends on the span walked.
	analyzers := []analysis.Analyzer{
		analysis.Summary{Filter: a.filter},
		analysis.Churn{By: analysis.ByFile, Filter: a.filter},
		analysis.Churn{By: analysis.ByWeek, Filter: a.filter},
		analysis.Churn{By: analysis.ByMonth, Filter: a.filter},
		analysis.Authors{Mailmap: mm, Filter: a.filter},
		report.Activity{Mailmap: mm, Filter: a.filter},
	}
	// The analyses with sections of their own, as their commands run them
	// by default. Hotspots and age measure files at the walk's first
	// commit, which --reverse makes the oldest: their commands refuse it,
	// the report leaves them out.
	coupling := analysis.DefaultCoupling()
	coupling.Filter = a.filter
	now := o.now
	if now.IsZero() {
		now = time.Now()
	}
	const (
		iCoupling = 6 + iota
		iOwnership
		iHotspots
		iAge
		iDirOwners
		iKnowledge
	)
	// Knowledge as `gitwalk knowledge --churn` runs it: the report's walk
	// reads line counts anyway, so lost files are ranked by churn.
	know := &knowledgeOptions{churn: true}
	know.k = analysis.Knowledge{Filter: a.filter, Mailmap: mm, Files: classifier(repo).InLanguageStats}
	analyzers = append(analyzers,
		coupling,
		analysis.Ownership{Filter: a.filter, Mailmap: mm},
		analysis.Hotspots{Filter: a.filter, Mailmap: mm},
		analysis.Age{Filter: a.filter, Mailmap: mm, Now: now},
		report.DirOwnership{Filter: a.filter, Mailmap: mm},
		know.k)
	start := time.Now()
	states, err := runAnalyses(cmd.Context(), ios, w, repo, analyzers...)
	if err != nil {
		return err
	}
	walkTime := time.Since(start)
	if states == nil { // -n 0: every section is empty
		states = make([]analysis.State, len(analyzers))
		for i, an := range analyzers {
			states[i] = an.NewState()
		}
	}

	sum := states[0].(*analysis.SummaryState).Result()
	period := report.PeriodFor(sum.First, sum.Last)
	byPeriod := states[2]
	if period == report.Month {
		byPeriod = states[3]
	}
	act := states[5].(*report.ActivityState)

	// Each Report carries the options its command's --format json would
	// print for the same arguments, so the page's data is that output.
	w.scope.use(0)
	summaryRep, err := summaryReport(cmd.Context(), repo, w, a, sum, !w.emptyWalk)
	if err != nil {
		return err
	}
	w.scope.use(1)
	filesRep := churnReport(states[1].(*analysis.ChurnState), analysis.ByFile, reportArgs{a, w, o.noMailmap, reportTopFiles})
	if period == report.Month {
		w.scope.use(3)
	} else {
		w.scope.use(2)
	}
	periodsRep := churnReport(byPeriod.(*analysis.ChurnState), period.Grouping(), reportArgs{a, w, o.noMailmap, 0})
	w.scope.use(4)
	authorsRep := authorsReport(states[4].(*analysis.AuthorsState), reportArgs{a, w, o.noMailmap, reportTopAuthors})

	w.scope.use(iCoupling)
	couplingRep := couplingReport(states[iCoupling].(*analysis.CouplingState), coupling, reportArgs{a, w, o.noMailmap, reportTopCoupling})
	w.scope.use(iOwnership)
	ownershipRep := ownershipReport(states[iOwnership].(*analysis.OwnershipState), reportArgs{a, w, o.noMailmap, reportTopOwnership})
	var hotspotsRep, ageRep *analysis.Report
	if !w.opts.Reverse {
		w.scope.use(iHotspots)
		hotspotsRep, err = hotspotsReport(cmd.Context(), repo, states[iHotspots].(*analysis.HotspotsState), reportArgs{a, w, o.noMailmap, reportTopHotspots}, analysis.ByRevisions)
		if err != nil {
			return err
		}
		w.scope.use(iAge)
		ageRep, err = ageReport(cmd.Context(), repo, states[iAge].(*analysis.AgeState), reportArgs{a, w, o.noMailmap, reportTopAge}, now, false)
		if err != nil {
			return err
		}
	}
	// Knowledge measures files at the walk's first commit too: left out
	// with --reverse, which its command refuses.
	var knowledgeReps [4]*analysis.Report
	if !w.opts.Reverse {
		w.scope.use(iKnowledge)
		r, err := knowledgeResult(cmd.Context(), repo, w, know, states[iKnowledge].(*analysis.KnowledgeState))
		if err != nil {
			return err
		}
		for i, v := range []struct {
			view analysis.KnowledgeView
			top  int
		}{{analysis.ViewTruck, 0}, {analysis.ViewFiles, 0}, {analysis.ViewPeople, reportTopKnowledgePeople}, {analysis.ViewLoss, 0}} {
			knowledgeReps[i] = knowledgeReport(r, know, v.view, reportArgs{a, w, o.noMailmap, v.top})
		}
	}
	branchesRep, err := reportBranches(cmd, ios, repo, w, a)
	if err != nil {
		return err
	}

	page := &report.Page{
		Title:      repoTitle(o, repo),
		Repository: repoWhere(repo),
		Generated:  time.Now(),
		Walk:       walkTime,
		Version:    version,
		Data: map[string]*analysis.Report{
			report.SlotSummary:         summaryRep,
			report.SlotFiles:           filesRep,
			report.SlotPeriods:         periodsRep,
			report.SlotActivity:        act.DirsReport(period, reportTopDirs),
			report.SlotAuthors:         authorsRep,
			report.SlotAuthorsOverTime: act.AuthorsReport(period, reportTopWho),
			report.SlotCoupling:        couplingRep,
			report.SlotOwnership:       ownershipRep,
			report.SlotOwnershipDirs:   states[iDirOwners].(*report.DirOwnershipState).Report(reportTopDirOwners),
			report.SlotHotspots:        hotspotsRep,
			report.SlotAge:             ageRep,
			report.SlotBranches:        branchesRep,
			report.SlotKnowledge:       knowledgeReps[0],
			report.SlotKnowledgeFiles:  knowledgeReps[1],
			report.SlotKnowledgePeople: knowledgeReps[2],
			report.SlotKnowledgeLoss:   knowledgeReps[3],
		},
	}
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
