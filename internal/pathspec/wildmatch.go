package pathspec

// Wildmatch matches text against a git wildcard pattern: `*`, `?`, bracket
// expressions (`[a-z]`, `[!x]`, `[^x]`, `[[:alpha:]]`) and backslash escapes.
// With pathname set (gitattributes, `:(glob)` pathspecs) `*` and `?` do not
// match `/` and `**` between slashes spans folders; without it (git's default
// pathspecs) `*` matches `/` too. This follows git's wildmatch.c semantics.
func Wildmatch(pattern, text string, pathname bool) bool {
	return wm(pattern, text, pathname, false, 0) == wmMatch
}

// WildmatchFold is Wildmatch with git's WM_CASEFOLD (core.ignoreCase), as
// git's own: a letter of the text and one of the pattern compare folded
// to lower case, a range of a bracket expression matches a letter in
// either case and [:upper:] and [:lower:] any letter, but a letter
// escaped with '\' or listed alone in a bracket expression matches only
// its own case folded (wildmatch.c), so "\A" and "[A]" match neither "a"
// nor "A".
func WildmatchFold(pattern, text string, pathname bool) bool {
	return wm(pattern, text, pathname, true, 0) == wmMatch
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

// fold is c to lower case where fold says to fold it.
func foldByte(c byte, fold bool) byte {
	if fold && isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}

const (
	wmNoMatch = iota
	wmMatch
	wmAbortAll     // no later position of text can match either
	wmAbortToSlash // only a position past the next slash could match
)

// wm matches p against t; prev is the pattern byte before p (0 at its start),
// which decides whether a "**" stands as a whole path component.
func wm(p, t string, pathname, fold bool, prev byte) int {
	for len(p) > 0 {
		c := p[0]
		if len(t) == 0 && c != '*' {
			return wmAbortAll
		}
		var tc byte // the text's next byte, folded; none left only before a '*'
		if len(t) > 0 {
			tc = foldByte(t[0], fold)
		}
		switch c {
		case '\\':
			if len(p) < 2 {
				return wmNoMatch
			}
			if tc != p[1] {
				return wmNoMatch
			}
			prev, p, t = p[1], p[2:], t[1:]
		case '?':
			if pathname && t[0] == '/' {
				return wmNoMatch
			}
			prev, p, t = '?', p[1:], t[1:]
		case '*':
			componentStart := prev == 0 || prev == '/'
			p = p[1:]
			double := false
			for len(p) > 0 && p[0] == '*' {
				p, double = p[1:], true
			}
			matchSlash := !pathname
			if pathname && double && componentStart && (len(p) == 0 || p[0] == '/') {
				// "**" as a whole component spans folders; "**/" may also
				// match no folder at all.
				matchSlash = true
				if len(p) > 0 {
					if wm(p[1:], t, pathname, fold, '/') == wmMatch {
						return wmMatch
					}
				}
			}
			if len(p) == 0 {
				if !matchSlash {
					for i := 0; i < len(t); i++ {
						if t[i] == '/' {
							return wmAbortToSlash
						}
					}
				}
				return wmMatch
			}
			for {
				if len(t) == 0 {
					return wmAbortAll
				}
				r := wm(p, t, pathname, fold, '*')
				if r != wmNoMatch {
					if !matchSlash || r != wmAbortToSlash {
						return r
					}
				}
				if !matchSlash && t[0] == '/' {
					return wmAbortToSlash
				}
				t = t[1:]
			}
		case '[':
			n, ok, used := matchBracket(p, tc, fold)
			if !used {
				// Not a valid bracket expression: '[' is literal.
				if tc != '[' {
					return wmNoMatch
				}
				prev, p, t = '[', p[1:], t[1:]
				continue
			}
			if !ok || (pathname && t[0] == '/') {
				return wmNoMatch
			}
			prev, p, t = ']', p[n:], t[1:]
		default:
			if tc != foldByte(c, fold) {
				return wmNoMatch
			}
			prev, p, t = c, p[1:], t[1:]
		}
	}
	if len(t) == 0 {
		return wmMatch
	}
	return wmNoMatch
}

// matchBracket matches ch against the bracket expression at the start of p.
// It returns the expression's length, whether ch matched, and whether p held
// a complete expression at all. With fold, ch is folded already; a range
// also matches its upper case, and [:upper:] a lower case letter.
func matchBracket(p string, ch byte, fold bool) (n int, ok bool, used bool) {
	i := 1
	negate := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negate = true
		i++
	}
	matched := false
	first := true
	for i < len(p) {
		c := p[i]
		if c == ']' && !first {
			return i + 1, matched != negate, true
		}
		first = false
		if c == '[' && i+1 < len(p) && p[i+1] == ':' {
			end := -1
			for j := i + 2; j+1 < len(p); j++ {
				if p[j] == ':' && p[j+1] == ']' {
					end = j
					break
				}
			}
			if end > 0 {
				if charClass(p[i+2:end], ch) || fold && p[i+2:end] == "upper" && isLower(ch) {
					matched = true
				}
				i = end + 2
				continue
			}
		}
		if c == '\\' && i+1 < len(p) {
			i++
			c = p[i]
		}
		lo := c
		i++
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			hi := p[i+1]
			i += 2
			if hi == '\\' && i < len(p) {
				hi = p[i]
				i++
			}
			if lo <= ch && ch <= hi {
				matched = true
			} else if up := ch + 'A' - 'a'; fold && isLower(ch) && lo <= up && up <= hi {
				matched = true
			}
			continue
		}
		if ch == lo {
			matched = true
		}
	}
	return 0, false, false
}

func charClass(name string, c byte) bool {
	isUpper := c >= 'A' && c <= 'Z'
	isLower := c >= 'a' && c <= 'z'
	isDigit := c >= '0' && c <= '9'
	switch name {
	case "alnum":
		return isUpper || isLower || isDigit
	case "alpha":
		return isUpper || isLower
	case "blank":
		return c == ' ' || c == '\t'
	case "cntrl":
		return c < 32 || c == 127
	case "digit":
		return isDigit
	case "graph":
		return c > 32 && c < 127
	case "lower":
		return isLower
	case "print":
		return c >= 32 && c < 127
	case "punct":
		return c > 32 && c < 127 && !isUpper && !isLower && !isDigit
	case "space":
		return c == ' ' || (c >= '\t' && c <= '\r')
	case "upper":
		return isUpper
	case "xdigit":
		return isDigit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
	}
	return false
}
