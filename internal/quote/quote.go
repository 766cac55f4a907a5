// Package quote writes paths as git prints them in diff output: C-style
// quoting (quote.c quote_c_style) when a path holds a byte that needs it.
package quote

// needs reports whether byte c must be escaped; with quotePath (git's
// core.quotePath, on by default) every byte of 0x80 and above is escaped too.
func needs(c byte, quotePath bool) bool {
	return c < 0x20 || c == '"' || c == '\\' || c == 0x7f || (quotePath && c >= 0x80)
}

// Needed reports whether Path would quote p.
func Needed(p string, quotePath bool) bool { return firstNeeding(p, quotePath) < len(p) }

// firstNeeding is the index of p's first byte that must be escaped,
// len(p) when none must.
func firstNeeding(p string, quotePath bool) int {
	i := 0
	for i < len(p) && !needs(p[i], quotePath) {
		i++
	}
	return i
}

// Path appends p to dst as git prints a path: unchanged when no byte needs
// quoting, else inside double quotes with \a \b \t \n \v \f \r \" \\ and
// three-digit octal escapes.
func Path(dst []byte, p string, quotePath bool) []byte {
	i := firstNeeding(p, quotePath)
	if i == len(p) {
		return append(dst, p...)
	}
	dst = append(dst, '"')
	dst = append(dst, p[:i]...)
	for ; i < len(p); i++ {
		c := p[i]
		if !needs(c, quotePath) {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '\\')
		switch c {
		case '\a':
			dst = append(dst, 'a')
		case '\b':
			dst = append(dst, 'b')
		case '\t':
			dst = append(dst, 't')
		case '\n':
			dst = append(dst, 'n')
		case '\v':
			dst = append(dst, 'v')
		case '\f':
			dst = append(dst, 'f')
		case '\r':
			dst = append(dst, 'r')
		case '"', '\\':
			dst = append(dst, c)
		default:
			dst = append(dst, '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
		}
	}
	return append(dst, '"')
}
