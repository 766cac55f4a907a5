package cli

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/walker"
)

// The analyses' results are kept in the store beside the records
// (analysis.RunFrom): the merged states of the part of a run's walk below
// its checkpoint, with the walk's mark. A re-run from the same tip, or one
// after new commits, walks the commits above the checkpoint and adds the
// kept states. A memo is named by
// what the analyses were asked (resultsName: the analyses' settings and
// the scope's policies), so that each command line the user runs keeps
// its own; it starts with a check of what else its states depend on
// (resultsCheck: this program, the mailmap, the ignored revisions, the
// linguist attributes), so a
// memo written under other ones is not used, and is replaced.

// resultsName is the name of the memo of ans's results under w's scope,
// with ok false when they are not kept: no store, or an analysis whose
// settings cannot be named (analysis.Keyed; the report's are not all).
func (w *walkArgs) resultsName(ans []analysis.Analyzer) (string, bool) {
	if w.opts.Store == nil || len(ans) == 0 {
		return "", false
	}
	h := sha256.New()
	for _, a := range ans {
		k, ok := a.(analysis.Keyed)
		if !ok {
			return "", false
		}
		key, ok := k.ResultsKey()
		if !ok {
			return "", false
		}
		fmt.Fprintf(h, "%q\n", key)
	}
	if s := w.scope; s != nil {
		fmt.Fprintf(h, "merges=%v bots=%v coauthors=%t share=%t excludes=%t changeset=%d ignore=%q\n", s.merges, s.bots,
			s.coauthors, s.shareLines, !s.noDefaultExcludes, s.maxChangeset, s.ignoreRevsFile)
	}
	return fmt.Sprintf("results version=1 %x", h.Sum(nil)), true
}

// resultsCheck names what the kept states depend on beyond their name
// and the walk (whose own settings the walk's mark checks): this
// program, the mailmap (bots are decided through it), the ignored
// revisions, and the linguist attributes that decide which files the
// default excludes leave out (a file made linguist-vendored since leaves
// the kept states' counts). ok is false when one cannot be named.
func (w *walkArgs) resultsCheck(repo *walker.Repo) ([32]byte, bool) {
	prog, ok := programID()
	if !ok {
		return [32]byte{}, false
	}
	h := sha256.New()
	fmt.Fprintf(h, "program=%s\n", prog)
	mm, err := repo.SharedMailmap()
	if err != nil {
		return [32]byte{}, false
	}
	d := mm.Digest()
	fmt.Fprintf(h, "mailmap=%x\n", d)
	if s := w.scope; s != nil {
		ids := make([]walker.Hash, 0, len(s.ignoreRevs))
		for id := range s.ignoreRevs {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b walker.Hash) int { return slices.Compare(a[:], b[:]) })
		for _, id := range ids {
			h.Write(id[:])
		}
		if !s.noDefaultExcludes {
			// The classifier's rules, without waiting for its table (see
			// scopeArgs.build): the walk may start meanwhile.
			rules, ok := analysis.ClassRulesName(repo)
			if !ok {
				return [32]byte{}, false
			}
			fmt.Fprintf(h, "\nclasses=%s\n", rules)
		}
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum, true
}

// programID names this program. A memo of results is used only by the
// program that wrote it, so that no change to an analysis needs a version
// bumped for its states to be kept apart (a rebuilt or upgraded gitwalk
// starts from the records). The program is named by what it was built
// from when that names it whole (buildIdentity: a nightly job that runs
// `go install` of one version finds the last night's memos), else by its
// file, size and time of change.
var programID = sync.OnceValues(func() (string, bool) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if id, ok := buildIdentity(bi); ok {
			return "build " + id, true
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return "", false
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return "", false
	}
	return fmt.Sprintf("file %q %d %d", exe, fi.Size(), fi.ModTime().UnixNano()), true
})

// buildIdentity names a build by what it was built from, when that says
// it whole: a module version (go install pkg@version) or a commit of an
// unchanged checkout, with the Go version, the build's settings (tags,
// flags, platform, the commit) and every dependency's version and sum.
// ok is false for a checkout with changes (vcs.modified, or a version
// marked +dirty) and for a build that names neither (go run, go test).
func buildIdentity(bi *debug.BuildInfo) (string, bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "go=%s path=%s main=%s@%s %s", bi.GoVersion, bi.Path, bi.Main.Path, bi.Main.Version, bi.Main.Sum)
	rev, modified := "", ""
	for _, st := range bi.Settings {
		switch st.Key {
		case "vcs.revision":
			rev = st.Value
		case "vcs.modified":
			modified = st.Value
		}
		fmt.Fprintf(&b, " %s=%q", st.Key, st.Value)
	}
	for _, d := range bi.Deps {
		fmt.Fprintf(&b, " %s@%s %s", d.Path, d.Version, d.Sum)
		if r := d.Replace; r != nil {
			fmt.Fprintf(&b, "=>%s@%s %s", r.Path, r.Version, r.Sum)
		}
	}
	v := bi.Main.Version
	released := v != "" && v != "(devel)" && !strings.Contains(v, "+dirty")
	if modified == "true" || !released && (rev == "" || modified != "false") {
		return "", false
	}
	return b.String(), true
}

// runResumed runs the analyses ans (wrapped in the scope; raw are the
// same unwrapped) from the memo of their results, and keeps the new one.
func (w *walkArgs) runResumed(ctx context.Context, repo *walker.Repo, raw, ans []analysis.Analyzer) ([]analysis.State, *analysis.Resumed, error) {
	name, ok := w.resultsName(raw)
	var check [32]byte
	if ok {
		check, ok = w.resultsCheck(repo)
	}
	if !ok {
		states, err := analysis.Run(ctx, repo, w.opts, ans...)
		return states, nil, err
	}
	st := w.opts.Store
	memo := st.Memo(repo, name)
	if len(memo) < len(check) || [32]byte(memo[:len(check)]) != check {
		memo = nil
	} else {
		memo = memo[len(check):]
	}
	res, err := analysis.RunFrom(ctx, repo, w.opts, memo, ans...)
	if err != nil {
		return nil, nil, err
	}
	if res.Memo != nil {
		st.SetMemo(repo, name, append(check[:], res.Memo...))
	}
	return res.States, &res, nil
}

// resultsStats is --stats' line on the kept results.
func resultsStats(res *analysis.Resumed) string {
	switch {
	case res == nil:
		return "results: not kept\n"
	case res.Resumed:
		return fmt.Sprintf("results: resumed from the kept results, %d commits walked above them%s\n", res.Walked, keptNote(res))
	case res.Redone:
		return fmt.Sprintf("results: walked again whole (a rename above the kept results, or a kept commit dated after --now), %d commits%s\n", res.Walked, keptNote(res))
	}
	return fmt.Sprintf("results: none kept for this walk, %d commits walked%s\n", res.Walked, keptNote(res))
}

func keptNote(res *analysis.Resumed) string {
	if res.Memo == nil {
		return ""
	}
	return fmt.Sprintf("; kept anew (%d bytes)", len(res.Memo))
}
