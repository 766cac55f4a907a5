package analysis

import "github.com/gitwalk/gitwalk/walker"

// Follower names each file by the path it has at the newest commit walked,
// following the renames the walk reports (walker.Renamed changes), so that
// every analysis counts a file's whole history under one name.
//
// It reads commits newest first, in the walk's order (git log's order), so
// when it meets a commit it already knows every later rename: alias maps a
// path, as it is at the commits still to come (older ones), to the name of
// the file it holds there. The rule, for a commit C:
//   - a change to path P is the file named alias[P] (P itself when unset);
//     a rename OLD -> NEW is the file named by NEW;
//   - older commits see the file renamed OLD -> NEW at OLD, so alias[OLD]
//     becomes NEW's name; and NEW, like any path C adds, held another file
//     (or nothing) before C, so its alias is dropped: a path reused after its
//     file moved away starts a new file.
//
// All names are computed before any alias changes, so a swap (a -> b and
// b -> a in one commit) resolves as two renames. On diverging branches the
// walk's order decides: a rename applies to every commit older than it in
// git log's order. The result depends only on that order, never on -j.
// Run uses one; a caller that walks by itself (a sharded pipeline, say)
// feeds one the commits in walk order before observing them. Not safe for
// concurrent use.
type Follower struct {
	alias map[string]string
	names []string // scratch: each change's name, before aliases change
	drop  []string // scratch: the aliases the commit drops
}

// NewFollower returns a Follower that has seen no commit yet.
func NewFollower() *Follower { return &Follower{alias: map[string]string{}} }

// Name rewrites the paths of c's changes to their files' names. c must
// come right after the commits Name saw before it, in walk order (newest
// first, walker.Commit.Seq ascending without --reverse). A renamed change
// keeps its raw OldPath, so that the names a file had can be listed
// (ChurnRow.Earlier).
func (f *Follower) Name(c *walker.Commit) {
	if len(f.alias) == 0 && !hasRename(c) {
		return // the common case: nothing renamed so far, nothing to rewrite
	}
	// One lookup a change gives its name and whether its path has an
	// alias, which a path the commit adds drops; the drops wait until
	// every name is known.
	f.names, f.drop = f.names[:0], f.drop[:0]
	for i := range c.Changes {
		ch := &c.Changes[i]
		name, aliased := f.alias[ch.Path]
		if !aliased {
			name = ch.Path
		} else if ch.Kind == walker.Added || ch.Kind == walker.Renamed || ch.Kind == walker.Copied {
			f.drop = append(f.drop, ch.Path)
		}
		f.names = append(f.names, name)
	}
	for _, p := range f.drop {
		delete(f.alias, p)
	}
	for i := range c.Changes {
		ch := &c.Changes[i]
		if ch.Kind == walker.Renamed {
			f.alias[ch.OldPath] = f.names[i]
		}
	}
	for i := range c.Changes {
		c.Changes[i].Path = f.names[i]
	}
}

func hasRename(c *walker.Commit) bool {
	for i := range c.Changes {
		if c.Changes[i].Kind == walker.Renamed {
			return true
		}
	}
	return false
}
