package renames

import "strconv"

// LimitWarning returns what `git log` writes to stderr, after all its
// output, when the rename limit cut the full comparison short in some
// commit: needed is the largest Result.NeededLimit of the walk, degraded
// whether any Result was Degraded. It returns "" when neither is set. The
// variable named is always diff.renameLimit, even when -l set the limit
// (diff.c diff_warn_rename_limit).
func LimitWarning(needed int, degraded bool) string {
	var w string
	switch {
	case degraded:
		w = "warning: only found copies from modified paths due to too many files.\n"
	case needed > 0:
		w = "warning: exhaustive rename detection was skipped due to too many files.\n"
	default:
		return ""
	}
	if needed > 0 {
		w += "warning: you may want to set your diff.renameLimit variable to at least " +
			strconv.Itoa(needed) + " and retry the command.\n"
	}
	return w
}
