package analysis

// MergeRepositories merges the states of one Analyzer that ran on several
// repositories, states[i] on the repository named names[i], and returns the
// result (nil when states is empty). It is for the analyses whose rows are
// per person or for the whole run (authors, summary, identities, churn by
// author or by time): people are merged by the analysis's own rule within
// a repository (canonical name and email, each repository's .mailmap having
// been applied to its own commits), since a person is one person across
// repositories. A file stays a file of its repository: where a state counts
// distinct files, a path of one repository is never the same file as the
// same path of another. Like Merge, it is associative and does not depend
// on the order of states; the states are used up.
//
// Per-file analyses (churn by file, hotspots, coupling...) are not merged
// across repositories: their rows are per (repository, file), and coupling
// never pairs files of two repositories.
func MergeRepositories(names []string, states []State) State {
	if len(names) != len(states) {
		panic("analysis: MergeRepositories given a different number of names and states")
	}
	var out State
	for i, st := range states {
		if st == nil {
			continue
		}
		if q, ok := st.(pathQualifier); ok {
			q.qualifyPaths(names[i])
		}
		if out == nil {
			out = st
			continue
		}
		out.Merge(st)
	}
	return out
}

// pathQualifier is a State that counts distinct paths: qualifyPaths makes
// them paths of the named repository, so that merging it with another
// repository's state keeps their files apart.
type pathQualifier interface {
	qualifyPaths(repo string)
}

// qualifiedPath is a path of a repository, as sets of distinct files across
// repositories hold it (NUL is in no repository name or git path).
func qualifiedPath(repo, path string) string { return repo + "\x00" + path }

func qualifySet(set map[string]struct{}, repo string) map[string]struct{} {
	out := make(map[string]struct{}, len(set))
	for p := range set {
		out[qualifiedPath(repo, p)] = struct{}{}
	}
	return out
}

func (s *AuthorsState) qualifyPaths(repo string) {
	for _, acc := range s.byAuthor {
		acc.files = qualifySet(acc.files, repo)
	}
}

func (s *SummaryState) qualifyPaths(repo string) {
	s.files = qualifySet(s.files, repo)
}
