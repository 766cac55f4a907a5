package cli

import (
	"os"

	"github.com/schollz/progressbar/v3"
)

// progressShown says whether a walk may draw a progress bar: only on a
// terminal's stderr, never when output goes to a pipe or a file, under CI
// (CI set, as CI services set it) or on a dumb terminal, and not with
// --no-progress.
func progressShown(ios *iostreams, noProgress bool) bool {
	if noProgress || !ios.errIsTerm {
		return false
	}
	if os.Getenv("CI") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return true
}

// walkBar is the progress bar of one walk on stderr: commits done of the
// total, rate and time left. It is driven from walker.Options.Progress, which
// the walker calls on the command's goroutine, so it needs no lock.
type walkBar struct {
	bar   *progressbar.ProgressBar
	total int
}

func newWalkBar(ios *iostreams) *walkBar {
	bar := progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(ios.errOut),
		progressbar.OptionSetDescription("walking"),
		progressbar.OptionSetItsString("commits"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		// The walker throttles its calls (walker.ProgressInterval).
		progressbar.OptionThrottle(0),
	)
	return &walkBar{bar: bar, total: -1}
}

// update is a walker.Options.Progress function.
func (b *walkBar) update(done, total int) {
	if total >= 0 && total != b.total {
		b.total = total
		b.bar.ChangeMax(max(total, 1))
	}
	b.bar.Set(done)
}

// clear erases the bar, so that what comes next on the terminal (the
// table on stdout, or an error on stderr) starts on a clean line.
func (b *walkBar) clear() {
	b.bar.Exit()
	b.bar.Clear()
}
