package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// reposArgsHelp documents --repos and --fail-fast for every analysis
// command and the report (the commands that take flagRepos); it follows
// analysisArgsHelp in their help.
const reposArgsHelp = `Several repositories:
      --repos LIST        walk several repositories in one run. LIST is a file with one
                          repository path per line (blank lines and # comments ignored;
                          relative paths are relative to the file's folder), - for such
                          lines on stdin, or a folder: every repository directly under it
                          (a work tree with .git, or a bare repository), not recursing into
                          subfolders nor into a repository found. Revisions and paths given
                          apply to each repository. Rows gain a first column, repository
                          (the folder's name without .git; two of one name are told apart by
                          their parent folders, as team-a/api and team-b/api). Per-file rows
                          are per repository (--top applies to each), per-person rows,
                          totals and knowledge's truck factor cover them all (each
                          repository's .mailmap maps its own commits; people are then merged
                          by canonical name and email), and coupling pairs files of one
                          repository only. -j workers are shared
                          by all the repositories. A repository that is missing, not one,
                          damaged, or lacks a revision given is left out: said on stderr, in
                          JSON options (repositories, left_out.repositories) and in summary
      --fail-fast         with --repos: stop at the first repository left out instead`

// repoSpec is one repository of a --repos run: where it is, and the name its
// rows carry.
type repoSpec struct {
	name, path string
}

// loadRepoList reads the repositories --repos names: a folder's
// repositories, a list file's lines, or stdin's for "-". An empty list is
// an error, since a run over nothing answers nothing.
func loadRepoList(arg string, stdin io.Reader) ([]repoSpec, error) {
	var paths []string
	var err error
	switch {
	case arg == "-":
		if stdin == nil {
			stdin = os.Stdin
		}
		paths, err = readRepoLines(stdin, "")
	case isDir(arg):
		paths, err = reposUnder(arg)
	default:
		var f *os.File
		if f, err = os.Open(arg); err != nil {
			return nil, fmt.Errorf("--repos: %w", err)
		}
		defer f.Close()
		paths, err = readRepoLines(f, filepath.Dir(arg))
	}
	if err != nil {
		return nil, fmt.Errorf("--repos %s: %w", arg, err)
	}
	if len(paths) == 0 {
		return nil, usagef("--repos %s names no repository", arg)
	}
	return nameRepos(paths), nil
}

// readRepoLines reads one path per line, leaving out blank lines and those
// whose first non-blank character is #; a relative path is joined to dir.
func readRepoLines(r io.Reader, dir string) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !filepath.IsAbs(line) && dir != "" {
			line = filepath.Join(dir, line)
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

// reposUnder lists the repositories directly under dir, sorted by name: a
// folder with a .git (a work tree, or a linked one whose .git is a file),
// or a bare repository (HEAD, objects/ and refs/, as git's
// is_git_directory checks). Other folders are passed over, not searched.
func reposUnder(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !isDir(p) {
			continue
		}
		if exists(filepath.Join(p, ".git")) || isBareRepo(p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

func isBareRepo(p string) bool {
	fi, err := os.Stat(filepath.Join(p, "HEAD"))
	return err == nil && fi.Mode().IsRegular() && isDir(filepath.Join(p, "objects")) && isDir(filepath.Join(p, "refs"))
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// nameRepos names each path for its rows: its folder's name without .git
// (a work tree's .git itself is named for the work tree). Names shared by
// several paths take parent folders until they differ ("a/api", "b/api");
// the same path listed twice is taken once.
func nameRepos(paths []string) []repoSpec {
	var specs []repoSpec
	seen := map[string]bool{}
	var parts [][]string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = filepath.Clean(p)
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		specs = append(specs, repoSpec{path: p})
		var ps []string
		for d := abs; ; d = filepath.Dir(d) {
			base := filepath.Base(d)
			if d == filepath.Dir(d) {
				break
			}
			if len(ps) == 0 && base == ".git" {
				continue
			}
			if len(ps) == 0 {
				base = strings.TrimSuffix(base, ".git")
			}
			ps = append(ps, base)
		}
		parts = append(parts, ps)
	}
	depth := make([]int, len(specs))
	for i := range depth {
		depth[i] = 1
	}
	name := func(i int) string {
		ps := parts[i]
		n := min(depth[i], len(ps))
		var out []string
		for j := n - 1; j >= 0; j-- {
			out = append(out, ps[j])
		}
		return strings.Join(out, "/")
	}
	for changed := true; changed; {
		changed = false
		byName := map[string][]int{}
		for i := range specs {
			byName[name(i)] = append(byName[name(i)], i)
		}
		for _, idx := range byName {
			if len(idx) < 2 || sameParts(parts, idx) {
				continue // unique, or no parent tells them apart: ~N below
			}
			for _, i := range idx {
				if depth[i] < len(parts[i]) {
					depth[i]++
					changed = true
				}
			}
		}
	}
	count := map[string]int{}
	for i := range specs {
		specs[i].name = name(i)
		count[specs[i].name]++
		if n := count[specs[i].name]; n > 1 {
			// Only "x" and "x.git" in one folder get here.
			specs[i].name += fmt.Sprintf("~%d", n)
		}
	}
	return specs
}

// sameParts says whether the paths at idx have the same folder names all
// the way up (only "x" and "x.git" in one folder do).
func sameParts(parts [][]string, idx []int) bool {
	for _, i := range idx[1:] {
		if strings.Join(parts[i], "/") != strings.Join(parts[idx[0]], "/") {
			return false
		}
	}
	return true
}
