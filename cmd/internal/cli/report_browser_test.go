package cli

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// chromiumPath finds a Chromium to drive. Without one the browser test is
// skipped, except under CI (env CI set), whose .ci/run installs Debian's
// chromium: there a missing browser is a failure, not a silent skip.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium binary on PATH, and CI is set: .ci/run must install Debian's chromium for the browser test")
	}
	t.Skip("no chromium binary on PATH (apt-get install chromium); skipping the report's browser test")
	return ""
}

// chartCheck is what the page tells about one chart once drawn.
type chartCheck struct {
	Section string `json:"section"`
	Drawn   bool   `json:"drawn"`
	Inked   int    `json:"inked"` // non-transparent pixels sampled on its canvas
	Items   int    `json:"items"` // data items drawn as a shape of non-zero size
}

// inspectCharts lists every chart with whether ECharts finished it, how many
// of its canvas pixels (sampled on a grid) carry ink, and how many of its
// series' data items ECharts drew as a shape with an area. Ink alone cannot
// tell a chart from its empty axes, grid lines and legend; the items can: a
// series with no data, or only zeros, draws none.
const inspectCharts = `Array.from(document.querySelectorAll(".chart")).map(function (el) {
  var c = el.querySelector("canvas"), inked = 0, items = 0;
  if (c && c.width && c.height) {
    var d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (var i = 3; i < d.length; i += 4 * 7) if (d[i] > 0) inked++;
  }
  var inst = echarts.getInstanceByDom(el);
  if (inst) inst.getModel().eachSeries(function (s) {
    var data = s.getData();
    for (var i = 0; i < data.count(); i++) {
      var g = data.getItemGraphicEl(i);
      if (!g || g.ignore || g.invisible) continue;
      var r = g.getBoundingRect();
      if (r.width > 0 && r.height > 0) items++;
    }
  });
  return { section: el.closest("section").id, drawn: el.getAttribute("data-drawn") === "1", inked: inked, items: items };
})`

// summaryNote is the text of the summary's note: the policies and what they
// left out.
const summaryNote = `(function () {
  var n = document.querySelector("#summary .note");
  return n ? n.textContent : "";
})()`

// sectionsWithNothing lists the sections that say they have nothing to show.
const sectionsWithNothing = `Array.from(document.querySelectorAll("section")).filter(function (s) {
  return s.querySelector(".nothing") !== null;
}).map(function (s) { return s.id; })`

func TestReportDrawsInABrowser(t *testing.T) {
	chromium := chromiumPath(t)
	testrepos.IsolateGit(t)
	browser := startBrowser(t, chromium)
	one := oneCommitRepo(t)
	pair := coupledRepo(t)
	people := testrepos.Path(t, "people")
	_, _, peopleBots := splitBots(shortlogCounts(gitRun(t, people, "shortlog", "-sne", "--no-merges", "HEAD")))
	// Several repositories: people, the coupled pair, and merges twice
	// under two folder names.
	several := t.TempDir()
	for _, c := range []struct{ from, as string }{{people, "people.git"}, {pair, "pair.git"},
		{testrepos.Path(t, "merges"), "merges.git"}, {testrepos.Path(t, "merges"), "merges-again.git"}} {
		gitRun(t, "", "clone", "-q", "--bare", c.from, filepath.Join(several, c.as))
	}
	for _, tc := range []struct {
		name  string
		args  []string
		drawn []string // sections that must hold a drawn chart
		shown []string // sections that must show something (a chart or a table)
		empty []string // sections that must say "nothing to show"
		note  []string // what the summary's note must say (the merge policy is checked for every page)
	}{
		{"every branch of the merges fixture", []string{testrepos.Path(t, "merges"), "--all", "--merges"},
			[]string{"activity", "hotspots", "authors-over-time", "ownership"}, []string{"files", "authors", "age", "branches"},
			[]string{"coupling", "knowledge"}, []string{"merge policy include"}}, // no pair reaches coupling's default thresholds (5 shared commits); .txt files are not in linguist's languages
		{"bots, lock files and vendor folders, first parents", []string{people, "--merges=first-parent"},
			[]string{"activity", "hotspots", "authors-over-time", "ownership", "knowledge"}, []string{"files", "authors", "age"},
			[]string{"coupling"}, []string{fmt.Sprintf("bots exclude (%d bot commits left out", peopleBots), "lock-file files"}},
		{"the branches fixture", []string{testrepos.Path(t, "branches")},
			[]string{"activity", "hotspots", "authors-over-time", "ownership", "knowledge"}, []string{"files", "authors", "age", "branches"},
			[]string{"coupling"}, nil},
		{"two files changed together six times", []string{pair},
			[]string{"activity", "hotspots", "authors-over-time", "ownership", "coupling", "knowledge"}, []string{"files", "authors", "age"},
			[]string{"branches"}, nil}, // only the default branch, which is not listed
		{"odd path names, which the page must escape", []string{testrepos.Path(t, "paths")},
			[]string{"activity", "hotspots", "authors-over-time", "ownership", "knowledge"}, []string{"age"}, []string{"coupling"}, nil},
		{"a single commit by a single author", []string{one},
			[]string{"activity", "hotspots", "authors-over-time", "ownership", "knowledge"}, []string{"age"}, []string{"coupling", "branches"}, nil},
		{"an include that matches no file", []string{testrepos.Path(t, "content"), "--include", "no/such/**"},
			nil, nil, []string{"activity", "files", "hotspots", "authors-over-time", "coupling", "ownership", "age", "knowledge"}, nil},
		{"a path that matches nothing", []string{testrepos.Path(t, "merges"), "--all", "--", "no/such/dir"},
			nil, nil, []string{"activity", "files", "hotspots", "authors", "authors-over-time", "coupling", "ownership", "age", "branches", "knowledge"}, nil},
		{"several repositories (--repos)", []string{"--repos", several, "--merges"},
			[]string{"activity", "hotspots", "authors-over-time", "ownership", "coupling", "knowledge"}, []string{"files", "authors", "age"},
			[]string{"branches"}, []string{"merge policy include"}},
		{"no commit at all (-n 0)", []string{testrepos.Path(t, "merges"), "-n", "0"},
			nil, nil, []string{"activity", "files", "hotspots", "authors", "authors-over-time", "coupling", "ownership", "age", "branches", "knowledge"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := filepath.Join(t.TempDir(), "report.html")
			_, stderr, code := runGitwalk(t, append([]string{"report", "-o", page}, tc.args...)...) // -o before any "--"
			if code != 0 {
				t.Fatalf("gitwalk report: exit %d: %s", code, stderr)
			}
			shot := filepath.Join(t.TempDir(), "report.png")
			if dir := os.Getenv("GITWALK_SCREENSHOT_DIR"); dir != "" {
				shot = filepath.Join(dir, strings.NewReplacer(" ", "-", "(", "", ")", "", ",", "").Replace(tc.name)+".png")
			}
			charts, nothing, note := openInBrowser(t, browser, page, shot)
			policy := "exclude"
			for _, a := range tc.args {
				if a == "--merges" {
					policy = "include"
				} else if p, ok := strings.CutPrefix(a, "--merges="); ok {
					policy = p
				}
			}
			for _, want := range append([]string{"merge policy " + policy}, tc.note...) {
				if !strings.Contains(note, want) {
					t.Errorf("the summary's note does not say %q: %q", want, note)
				}
			}
			drawn := map[string]bool{}
			for _, c := range charts {
				if !c.Drawn || c.Inked == 0 || c.Items == 0 {
					t.Errorf("the chart in section %s drew nothing (finished %v, %d inked pixels sampled, %d data items drawn)", c.Section, c.Drawn, c.Inked, c.Items)
				}
				drawn[c.Section] = true
				t.Logf("section %s: %d data items drawn, %d inked pixels sampled", c.Section, c.Items, c.Inked)
			}
			for _, s := range tc.drawn {
				if !drawn[s] {
					t.Errorf("section %s has no chart", s)
				}
			}
			says := map[string]bool{}
			for _, s := range nothing {
				says[s] = true
				if drawn[s] {
					t.Errorf("section %s says nothing to show but draws a chart", s)
				}
			}
			for _, s := range tc.empty {
				if !says[s] {
					t.Errorf("section %s does not say there is nothing to show", s)
				}
			}
			for _, s := range append(tc.drawn, tc.shown...) {
				if says[s] {
					t.Errorf("section %s says there is nothing to show", s)
				}
			}
			if says["summary"] {
				t.Error("the summary says nothing to show")
			}
		})
	}
}

// startBrowser starts one headless Chromium for the whole test (each page
// then opens in its own tab); it is stopped when the test ends.
func startBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // tests run as root in containers, where the sandbox cannot start
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() { bcancel(); acancel(); cancel() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return bctx
}

// openInBrowser opens page from file:// in a new tab of browser, waits until
// every chart has drawn, saves a full-page screenshot to shot and checks
// that it is not blank. It fails the test on any console error or warning,
// uncaught exception, or request for anything but the page itself. It
// returns the charts and the sections that said they had nothing to show.
func openInBrowser(t *testing.T, browser context.Context, page, shot string) ([]chartCheck, []string, string) {
	t.Helper()
	bctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil { // open the tab before listening to it
		t.Fatalf("open a tab: %v", err)
	}

	url := "file://" + page
	var mu sync.Mutex
	var problems []string
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	err := chromedp.Listen(bctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				report("console %s: %s", ev.Type, strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			report("uncaught exception at line %d: %s", d.LineNumber, msg)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				report("browser log %s: %s %s", ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			if ev.Request.URL != url {
				report("request for %s: the page must make none", ev.Request.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	ready, err := chromedp.Run(bctx, chromedp.Poll[bool](`document.documentElement.getAttribute("data-ready") === "1"`,
		chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil || !ready {
		t.Fatalf("the page never marked every chart drawn (data-ready): %v", err)
	}
	charts, err := chromedp.Run(bctx, chromedp.Evaluate[[]chartCheck](inspectCharts))
	if err != nil {
		t.Fatal(err)
	}
	nothing, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](sectionsWithNothing))
	if err != nil {
		t.Fatal(err)
	}
	note, err := chromedp.Run(bctx, chromedp.Evaluate[string](summaryNote))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	checkNotBlank(t, png, shot)
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
	return charts, nothing, note
}

// checkNotBlank fails unless the screenshot has real contrast: the spread of
// its grey levels must be well above that of a blank or uniform page.
func checkNotBlank(t *testing.T, b []byte, name string) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	var n, sum, sq float64
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 3 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			v := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			n++
			sum += v
			sq += v * v
		}
	}
	mean := sum / n
	if variance := sq/n - mean*mean; variance < 50 || bounds.Dy() < 600 {
		t.Errorf("screenshot %s looks blank: %dx%d, grey variance %.1f", name, bounds.Dx(), bounds.Dy(), variance)
	}
}

// oneCommitRepo makes a repository with a single commit by a single author.
func oneCommitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"README": "one\ntwo\n", "src/main.c": "int main(void)\n{\n\treturn 0;\n}\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "-c", "user.name=Solo", "-c", "user.email=solo@example.com", "commit", "-q", "-m", "first")
	return dir
}

// coupledRepo makes a repository whose files a.c and a.h change together in
// six commits (and b.txt in the first only): one pair, coupled 100%, past
// coupling's default thresholds (mean and shared revisions at least 5).
func coupledRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	for i := 1; i <= 6; i++ {
		files := map[string]string{"src/a.c": strings.Repeat("int x;\n", i), "src/a.h": strings.Repeat("extern int x;\n", i)}
		if i == 1 {
			files["b.txt"] = "b\n"
		}
		for name, text := range files {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		gitRun(t, dir, "add", ".")
		gitRun(t, dir, "-c", "user.name=Pair", "-c", "user.email=pair@example.com", "commit", "-q", "-m", fmt.Sprint("change ", i))
	}
	return dir
}
