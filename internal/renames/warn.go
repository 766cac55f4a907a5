package renames

import "strconv"

// LimitWarning returns what `git log` writes to stderr, after all its
// output, when the rename limit made it skip the full comparison in some
// commit: needed is the largest Result.NeededLimit of the walk. It returns
// "" when needed is 0. The variable named is always diff.renameLimit, even
// when -l set the limit (diff.c diff_warn_rename_limit).
func LimitWarning(needed int) string {
	if needed <= 0 {
		return ""
	}
	return "warning: exhaustive rename detection was skipped due to too many files.\n" +
		"warning: you may want to set your diff.renameLimit variable to at least " +
		strconv.Itoa(needed) + " and retry the command.\n"
}
