package diff

import "strings"

// refOptions switches off rules of git's cleanup, to show that each matters.
type refOptions struct {
	noWindow bool // scan runs to the ends of the middle range, not 100 lines
	noCap    bool // the many-matches threshold is not capped at 1024
}

// splitLines splits b into git's records: each runs up to and including the
// next '\n'; a final line without one is a record too.
func splitLines(b []byte) []string {
	var lines []string
	s := string(b)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// refKept restates, line by line and as plainly as possible, sections 1 and
// 2 of the fact sheet: trimming, class counts over the whole files, labels,
// and the multimatch discard. It returns the kept lines of each middle
// range, and the middle range sizes.
func refKept(old, new []byte, opt refOptions) (kept1, kept2 []string, mid1, mid2 int) {
	l1, l2 := splitLines(old), splitLines(new)
	count1, count2 := map[string]int{}, map[string]int{}
	for _, l := range l1 {
		count1[l]++
	}
	for _, l := range l2 {
		count2[l]++
	}
	start := 0
	for start < len(l1) && start < len(l2) && l1[start] == l2[start] {
		start++
	}
	tail := 0
	for tail < min(len(l1), len(l2))-start && l1[len(l1)-1-tail] == l2[len(l2)-1-tail] {
		tail++
	}
	m1, m2 := l1[start:len(l1)-tail], l2[start:len(l2)-tail]
	kept1 = refCleanup(m1, count2, len(l1), opt)
	kept2 = refCleanup(m2, count1, len(l2), opt)
	return kept1, kept2, len(m1), len(m2)
}

func refCleanup(mid []string, other map[string]int, nrec int, opt refOptions) []string {
	mlim := 1
	for n := nrec; n > 0; n >>= 2 {
		mlim *= 2
	}
	if !opt.noCap && mlim > 1024 {
		mlim = 1024
	}
	const none, normal, multi = 0, 1, 2
	lab := make([]int, len(mid))
	for i, l := range mid {
		switch nm := other[l]; {
		case nm == 0:
			lab[i] = none
		case nm >= mlim:
			lab[i] = multi
		default:
			lab[i] = normal
		}
	}
	window := 100
	if opt.noWindow {
		window = len(mid)
	}
	var kept []string
	for i, l := range mid {
		switch lab[i] {
		case normal:
			kept = append(kept, l)
		case multi:
			nb, nf, mb, mf := 0, 0, 0, 0
			for j := i - 1; j >= 0 && i-j <= window && lab[j] != normal; j-- {
				if lab[j] == none {
					nb++
				} else {
					mb++
				}
			}
			for j := i + 1; j < len(mid) && j-i <= window && lab[j] != normal; j++ {
				if lab[j] == none {
					nf++
				} else {
					mf++
				}
			}
			m, n := mb+mf+2, nb+nf
			if nb == 0 || nf == 0 || !(4*m < m+n) {
				kept = append(kept, l)
			}
		}
	}
	return kept
}

// refMinimal is git 2.39.5's --minimal count by the sheet: the middle range
// sizes minus the longest common subsequence of the kept lines, found by the
// quadratic dynamic program.
func refMinimal(old, new []byte, opt refOptions) Stat {
	k1, k2, m1, m2 := refKept(old, new, opt)
	lcs := lcsLen(k1, k2)
	return Stat{Deleted: m1 - lcs, Added: m2 - lcs}
}

func lcsLen(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
