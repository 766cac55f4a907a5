package renames

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// TestParseScore checks the forms the reference sheet lists (git-renames.md
// §1, checked there against git).
func TestParseScore(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0}, // the default
		{"0", 0},
		{"5", 30000}, {"50", 30000}, {".5", 30000}, {"0.5", 30000},
		{"9", 54000}, {"90", 54000}, {"0.9", 54000}, {"90%", 54000},
		{"100", 6000}, // the digits are a fraction: 10%
		{"05", 3000},
		{"5.1%", 3060},
		{"1", 6000}, {"1.0", MaxScore}, {"1.1", MaxScore}, {"100%", MaxScore}, {"1.5", MaxScore},
		{"123456789", 7407}, // five digits count: .12345
		{"33%", 19800},
		{"%", 0},
		{".", 0},
		{"0.333", 19980},
		{".5%", 300},
	} {
		got, err := ParseScore(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseScore(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"x", "5x", "%5", "5%%", "1.2.3", "-5", "5 ", "50%x", "+5"} {
		if got, err := ParseScore(bad); !errors.Is(err, ErrBadScore) {
			t.Errorf("ParseScore(%q) = %d, %v; want an error", bad, got, err)
		}
	}
}

// TestParseScoreWithGit gives git and the detector the same -M values on
// a commit holding pairs of every similarity from 2% to 98%: they must
// pair the same files, and refuse the same values.
func TestParseScoreWithGit(t *testing.T) {
	r := newRepo(t)
	type pair struct{ src, dst string }
	var pairs []pair
	for k := 2; k < 100; k += 3 {
		base := fixed(fmt.Sprintf("s%02d-", k), 100)
		p := pair{fmt.Sprintf("s%02d", k), fmt.Sprintf("t%02d", k)}
		r.write(p.src, strings.Join(base, ""))
		pairs = append(pairs, p)
	}
	r.commit("root")
	for _, p := range pairs {
		r.remove(p.src)
	}
	for k, p := range pairs {
		n := 2 + 3*k
		base := fixed(fmt.Sprintf("s%02d-", n), 100)
		r.write(p.dst, keep(base, fixed(fmt.Sprintf("t%02d-", n), 100), n))
	}
	commit := r.commit("mv")
	for _, arg := range []string{"", "0", "5", "50", ".5", "9", "90", "100", "05", "5.1%", "1", "1.5", "100%",
		"123456789", "33%", "%", "0.333", "47", "4.7%", "0.47", "470", "99.9%", "0.00001", "0.2"} {
		score, err := ParseScore(arg)
		if err != nil {
			t.Errorf("ParseScore(%q): %v", arg, err)
			continue
		}
		r.compareAll([]string{commit}, check{flags: []string{"-M" + arg}, opt: Options{MinScore: score},
			quotePath: true, rowsOnly: true})
	}
	for _, arg := range []string{"x", "5x", "%5", "5%%", "1.2.3", "-5"} {
		if _, err := ParseScore(arg); err == nil {
			t.Errorf("ParseScore(%q) accepts what git refuses", arg)
		}
		if _, stderr, err := r.runErr("diff-tree", "-r", "-M"+arg, r.id(commit)); err == nil {
			t.Errorf("git diff-tree -M%s succeeds; ParseScore refuses it", arg)
		} else if !strings.Contains(stderr, "invalid argument") {
			t.Errorf("git diff-tree -M%s: %s", arg, stderr)
		}
	}
}

// referenceScore is parse_rename_score read as arithmetic: digits alone
// are a fraction (0.<digits>); with a point or a final % they are a
// decimal number, which % divides by 100; five digits count on each side
// of the point; 1 or more is MaxScore. ok is false for anything
// else.
func referenceScore(s string) (score int, ok bool) {
	if !scoreSyntax.MatchString(s) {
		return 0, false
	}
	body, percent := strings.CutSuffix(s, "%")
	whole, frac, dot := strings.Cut(body, ".")
	if !dot && !percent { // no point and no %: the digits are all fraction
		whole, frac = "", whole
	}
	whole, frac = whole[:min(len(whole), 5)], frac[:min(len(frac), 5)]
	v, _ := new(big.Rat).SetString("0" + whole + "." + frac + "0")
	if percent {
		v.Quo(v, big.NewRat(100, 1))
	}
	if v.Cmp(big.NewRat(1, 1)) >= 0 {
		return MaxScore, true
	}
	v.Mul(v, big.NewRat(MaxScore, 1))
	return int(new(big.Int).Quo(v.Num(), v.Denom()).Int64()), true
}

var scoreSyntax = regexp.MustCompile(`^[0-9]*(\.[0-9]*)?%?$`)

// FuzzParseScore compares ParseScore with the reference.
func FuzzParseScore(f *testing.F) {
	for _, s := range []string{"", "5", "50", "100", "05", ".5", "0.5", "90%", "5.1%", "1.1", "100%",
		"123456789", "0000001.5", "1.2.3", "5x", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseScore(s)
		want, ok := referenceScore(s)
		if (err == nil) != ok || got != want {
			t.Fatalf("ParseScore(%q) = %d, %v; the reference says %d, %v", s, got, err, want, ok)
		}
		if got < 0 || got > MaxScore {
			t.Fatalf("ParseScore(%q) = %d: out of range", s, got)
		}
	})
}
