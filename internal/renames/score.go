package renames

import (
	"errors"
	"fmt"
)

// ErrBadScore is the cause of ParseScore's errors.
var ErrBadScore = errors.New("invalid similarity score")

// ParseScore parses the value of -M<n>, -C<n>, --find-renames=<n> or
// --find-copies=<n> as git does (diff.c parse_rename_score) into a score on
// the 0..MaxScore scale. The digits are a fraction with the decimal point
// before them (5 and 50 are 50%, 100 is 10%, 05 is 5%) unless a '.' places
// it; a final '%' makes them a percentage (90%, 5.1%). Only the first five
// digits on either side of the point count. A value of 1 or more is
// MaxScore (exact renames only); "" and 0 give 0, which means
// DefaultScore. Anything else left over is an error.
func ParseScore(s string) (int, error) {
	var num, scale uint64 = 0, 1
	dot := false
	k := 0
scan:
	for ; k < len(s); k++ {
		switch c := s[k]; {
		case c == '.' && !dot:
			scale, dot = 1, true
		case c == '%':
			if dot {
				scale *= 100
			} else {
				scale = 100
			}
			k++
			break scan
		case '0' <= c && c <= '9':
			if scale < 100000 {
				scale *= 10
				num = num*10 + uint64(c-'0')
			}
		default:
			break scan
		}
	}
	if k != len(s) {
		return 0, fmt.Errorf("%w %q: want digits, with an optional '.' and a final '%%'", ErrBadScore, s)
	}
	if num >= scale {
		return MaxScore, nil
	}
	return int(MaxScore * float64(num) / float64(scale)), nil
}
