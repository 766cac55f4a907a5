package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// readmeExample is one "$ gitwalk ..." line of a console block of the
// README and the lines shown under it.
type readmeExample struct {
	line string
	want []string
}

func readmeExamples(t *testing.T) []readmeExample {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeExample
	for _, block := range regexp.MustCompile("(?s)```console\n(.*?)```").FindAllStringSubmatch(string(data), -1) {
		for _, l := range strings.Split(strings.TrimSuffix(block[1], "\n"), "\n") {
			switch {
			case strings.HasPrefix(l, "$ gitwalk "):
				out = append(out, readmeExample{line: l})
			case len(out) > 0:
				out[len(out)-1].want = append(out[len(out)-1].want, l)
			}
		}
	}
	return out
}

var (
	fixtureArg = regexp.MustCompile(`^(?:testdata/repos/)?([a-z]+)\.git$`)
	headPipe   = regexp.MustCompile(`\s*\|\s*head -(\d+)\s*$`)
	// Figures of --stats that change from run to run: the time, and how the
	// workers happened to share the arenas.
	statsLine = regexp.MustCompile(`^(walk|arenas|readers|revwalk|graph|filters|cache|packs|time): `)
)

// TestReadmeExamplesAreWhatGitwalkPrints runs every console example of the
// README on the fixtures and compares what it prints with what the README
// shows, as a terminal shows it: gitwalk's "gitwalk: ..." lines on stderr
// first (they are written before the result), then stdout, then --stats.
func TestReadmeExamplesAreWhatGitwalkPrints(t *testing.T) {
	testrepos.IsolateGit(t)
	examples := readmeExamples(t)
	if len(examples) < 10 {
		t.Fatalf("found %d console examples in the README", len(examples))
	}
	shown := map[string]bool{}
	for _, ex := range examples {
		t.Run(ex.line, func(t *testing.T) {
			line := strings.TrimPrefix(ex.line, "$ gitwalk ")
			line, _, _ = strings.Cut(line, " #")
			head := -1
			if m := headPipe.FindStringSubmatch(line); m != nil {
				head, _ = strconv.Atoi(m[1])
				line = line[:len(line)-len(m[0])]
			}
			quietStderr := strings.HasSuffix(line, " 2>/dev/null")
			line = strings.TrimSuffix(line, " 2>/dev/null")
			args := strings.Fields(line)
			for i, a := range args {
				if m := fixtureArg.FindStringSubmatch(a); m != nil {
					args[i] = testrepos.Path(t, m[1])
				}
			}
			shown[args[0]] = true
			out, stderr, _ := runGitwalk(t, args...)
			var got, stats []string
			for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
				switch {
				case l == "" || quietStderr:
				case statsLine.MatchString(l):
					stats = append(stats, l)
				case strings.HasPrefix(l, "policy: ") || strings.HasPrefix(l, "left out: "):
					stats = append(stats, l)
				default:
					got = append(got, l)
				}
			}
			if out != "" {
				got = append(got, strings.Split(strings.TrimSuffix(out, "\n"), "\n")...)
			}
			if head >= 0 && len(got) > head {
				got = got[:head]
			}
			want := ex.want
			var wantStats []string
			for len(want) > 0 && statsLine.MatchString(want[len(want)-1]) {
				wantStats = append([]string{want[len(want)-1]}, wantStats...)
				want = want[:len(want)-1]
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the README shows:\n%s\ngitwalk prints:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
			}
			for i, w := range wantStats {
				kind := statsLine.FindString(w)
				if i >= len(stats) || !strings.HasPrefix(stats[i], kind) {
					t.Errorf("the README shows %q; --stats printed %q", w, stats)
				}
			}
		})
	}
	for _, cmd := range []string{"numstat", "churn", "summary", "authors", "coupling", "ownership", "hotspots", "age", "branches", "identities", "files", "knowledge"} {
		if !shown[cmd] {
			t.Errorf("the README has no console example of gitwalk %s", cmd)
		}
	}
}
