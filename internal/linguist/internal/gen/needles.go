package gen

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Needles returns literal strings of which every string expr matches
// contains at least one, chosen as long as it can find; nil when it finds
// none (a rule then always runs its expression). The tables keep them so
// a path is tried against a rule's expression only when it holds one:
// Go's regexp walks a path position by position, and most rules name a
// folder or file that most paths lack.
func Needles(expr string) ([]string, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	// A needle that holds another is found only where that one is.
	all := literals(re).needles
	var out []string
	for i, n := range all {
		redundant := false
		for j, m := range all {
			if j != i && strings.Contains(n, m) && (n != m || j < i) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, n)
		}
	}
	return out, nil
}

// maxExact bounds the sets of strings tracked exactly.
const maxExact = 32

// lits is what literals knows of an expression: exact, when not nil, is
// every string it matches; needles, when not nil, are strings one of
// which every match contains, none of them empty.
type lits struct {
	exact   []string
	needles []string
}

func literals(re *syntax.Regexp) lits {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return lits{exact: []string{""}}
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			s := string(re.Rune)
			return lits{exact: []string{s}, needles: []string{s}}
		}
		// Each rune stands for its whole fold orbit, as (?i) matches it
		// (s is also U+017F, k also U+212A).
		exact := []string{""}
		for _, r := range re.Rune {
			var next []string
			f := r
			for {
				for _, a := range exact {
					next = append(next, a+string(f))
				}
				if f = unicode.SimpleFold(f); f == r {
					break
				}
			}
			if len(next) > maxExact {
				return lits{}
			}
			exact = next
		}
		return lits{exact: exact, needles: nonEmpty(exact)}
	case syntax.OpCharClass:
		var exact []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(exact) == maxExact || !utf8.ValidRune(r) {
					return lits{}
				}
				exact = append(exact, string(r))
			}
		}
		return lits{exact: exact, needles: nonEmpty(exact)}
	case syntax.OpCapture:
		return literals(re.Sub[0])
	case syntax.OpQuest:
		sub := literals(re.Sub[0])
		if sub.exact == nil || len(sub.exact) == maxExact {
			return lits{}
		}
		return lits{exact: append([]string{""}, sub.exact...)}
	case syntax.OpPlus:
		sub := literals(re.Sub[0])
		return lits{needles: best(sub.needles, nonEmpty(sub.exact))}
	case syntax.OpRepeat:
		if re.Min < 1 {
			return lits{}
		}
		sub := literals(re.Sub[0])
		return lits{needles: best(sub.needles, nonEmpty(sub.exact))}
	case syntax.OpAlternate:
		var out lits
		exactOK, needlesOK := true, true
		for _, s := range re.Sub {
			l := literals(s)
			if l.exact == nil || len(out.exact)+len(l.exact) > maxExact {
				exactOK = false
			}
			n := best(l.needles, nonEmpty(l.exact))
			if n == nil {
				needlesOK = false
			}
			out.exact = append(out.exact, l.exact...)
			out.needles = append(out.needles, n...)
		}
		if !exactOK {
			out.exact = nil
		}
		if !needlesOK {
			out.needles = nil
		}
		return out
	case syntax.OpConcat:
		// The candidates: each part's needles, and the runs of parts
		// matching finite sets, spelled out (their cross product).
		var cands [][]string
		run, allExact := []string{""}, true
		for _, s := range re.Sub {
			l := literals(s)
			cands = append(cands, l.needles)
			if l.exact != nil && len(run)*len(l.exact) <= maxExact {
				var next []string
				for _, a := range run {
					for _, b := range l.exact {
						next = append(next, a+b)
					}
				}
				run = next
				continue
			}
			cands = append(cands, nonEmpty(run))
			allExact = false
			run = []string{""}
			if l.exact != nil {
				run = l.exact
			}
		}
		out := lits{}
		if allExact {
			out.exact = run
		}
		cands = append(cands, nonEmpty(run))
		for _, c := range cands {
			out.needles = best(out.needles, c)
		}
		return out
	}
	return lits{} // any character, a large class, star
}

// nonEmpty is s when none of it is "", else nil (an empty needle is found
// everywhere).
func nonEmpty(s []string) []string {
	for _, x := range s {
		if x == "" {
			return nil
		}
	}
	return s
}

// best is the better set of needles: the one whose shortest needle is the
// longer, then the smaller set.
func best(a, b []string) []string {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	if ma, mb := shortest(a), shortest(b); ma != mb {
		if ma > mb {
			return a
		}
		return b
	}
	if len(b) < len(a) {
		return b
	}
	return a
}

func shortest(s []string) int {
	m := len(s[0])
	for _, x := range s {
		m = min(m, len(x))
	}
	return m
}
