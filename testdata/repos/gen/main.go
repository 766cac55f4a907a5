// Command gen rebuilds the bare fixture repositories under testdata/repos.
//
// Run it from the module root:
//
//	go run ./testdata/repos/gen            # rewrites testdata/repos/NAME.git
//	go run ./testdata/repos/gen -out DIR   # writes the fixtures into DIR instead
//
// Every object is written through git fast-import from content made here,
// with fixed identities and dates and no user or system config, so each run
// makes the same commits with the same ids. Packs are written with one thread,
// so their bytes are stable too. After building, each repository is trimmed to
// what is worth committing as plain files: no hooks, no description, no logs,
// no index, and a minimal config.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// fixture is one repository to build: name (without .git), and a build
// function that fills the freshly initialised bare repository dir.
type fixture struct {
	name  string
	build func(g *gitRunner, dir string) error
}

func main() {
	out := flag.String("out", filepath.Join("testdata", "repos"), "directory to write NAME.git fixtures into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "gitwalk-fixtures-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	home := filepath.Join(work, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		return err
	}
	g := &gitRunner{home: home}
	built := filepath.Join(work, "built")
	if err := os.Mkdir(built, 0o755); err != nil {
		return err
	}
	// Fixtures build in order: shallow clones merges, so merges comes first.
	for _, f := range fixtures {
		dir := filepath.Join(built, f.name+".git")
		if _, err := g.run("", nil, "init", "--quiet", "--bare", "--template=", "--initial-branch=main", dir); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := f.build(g, dir); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	for _, f := range fixtures {
		dir := filepath.Join(built, f.name+".git")
		if err := trim(dir); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if _, err := g.run(dir, nil, "fsck", "--strict", "--no-progress"); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		dst := filepath.Join(out, f.name+".git")
		if err := os.RemoveAll(dst); err != nil {
			return err
		}
		if err := copyTree(dir, dst); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

// gitRunner runs git with no user or system configuration and fixed
// identities, so nothing from the machine leaks into the fixtures.
type gitRunner struct {
	home string
}

func (g *gitRunner) env() []string {
	env := []string{
		"HOME=" + g.home,
		"PATH=" + os.Getenv("PATH"),
		"LC_ALL=C",
		"TZ=UTC",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=A U Thor",
		"GIT_AUTHOR_EMAIL=author@example.com",
		"GIT_COMMITTER_NAME=C O Mitter",
		"GIT_COMMITTER_EMAIL=committer@example.com",
		fmt.Sprintf("GIT_AUTHOR_DATE=%d +0000", base),
		fmt.Sprintf("GIT_COMMITTER_DATE=%d +0000", base),
	}
	return env
}

// run runs git in dir (or the current directory if dir is "") with stdin
// and returns its standard output.
func (g *gitRunner) run(dir string, stdin []byte, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = g.env()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// revParse returns the object id rev names in the repository dir.
func (g *gitRunner) revParse(dir, rev string) (string, error) {
	out, err := g.run(dir, nil, "rev-parse", "--verify", "--quiet", rev)
	return strings.TrimSpace(out), err
}

// importStream feeds the stream written so far to git fast-import in dir.
// With loose set, the objects are written as loose files; otherwise as one
// pack. Marks carry over between calls, so later stages can name earlier
// commits.
func (g *gitRunner) importStream(dir string, s *stream, loose bool) error {
	limit := "0"
	if loose {
		limit = "1000000"
	}
	marks := filepath.Join(dir, "gen-marks")
	_, err := g.run(dir, s.take(), "-c", "fastimport.unpackLimit="+limit, "fast-import", "--quiet",
		"--date-format=raw", "--done", "--import-marks-if-exists="+marks, "--export-marks="+marks)
	return err
}

// idOf returns the object id fast-import gave to c, from the marks file.
func idOf(dir string, c *commit) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "gen-marks"))
	if err != nil {
		return "", err
	}
	want := fmt.Sprintf(":%d ", c.mark)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, want) {
			return strings.TrimPrefix(line, want), nil
		}
	}
	return "", fmt.Errorf("mark :%d not in the marks file", c.mark)
}

// repack packs every object of dir into one pack and removes the loose
// copies, with one thread so the pack's bytes are the same on every run.
func (g *gitRunner) repack(dir string) error {
	_, err := g.run(dir, nil, "-c", "pack.threads=1", "-c", "repack.writeBitmaps=false",
		"repack", "-a", "-d", "-f", "-q", "-n", "--window=10", "--depth=50")
	return err
}

// mktag writes an annotated tag object for target (of type typ) and points
// refs/tags/name at it.
func (g *gitRunner) mktag(dir, name, target, typ string, t int64, message string) (string, error) {
	body := fmt.Sprintf("object %s\ntype %s\ntag %s\n%s\n\n%s\n", target, typ, name,
		strings.TrimSuffix(ident("tagger", t, "+0000"), "\n"), message)
	out, err := g.run(dir, []byte(body), "mktag")
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(out)
	_, err = g.run(dir, nil, "update-ref", "refs/tags/"+name, id)
	return id, err
}

// trim removes what git leaves in a repository that a committed fixture
// must not hold, and writes a minimal config unless the fixture wrote one.
func trim(dir string) error {
	for _, p := range []string{"hooks", "logs", "index", "FETCH_HEAD", "ORIG_HEAD", "description",
		"gen-marks", "objects/info/packs", "gc.log", "COMMIT_EDITMSG", "info/exclude", "branches"} {
		if err := os.RemoveAll(filepath.Join(dir, p)); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "gen-config")); errors.Is(err, os.ErrNotExist) {
		if err := writeConfig(dir, ""); err != nil {
			return err
		}
	}
	return os.Rename(filepath.Join(dir, "gen-config"), filepath.Join(dir, "config"))
}

// writeConfig writes the minimal config of a bare repository, plus extra
// lines in the [core] section. trim keeps it.
func writeConfig(dir, extraCore string) error {
	cfg := "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n" + extraCore
	return os.WriteFile(filepath.Join(dir, "gen-config"), []byte(cfg), 0o644)
}

// looseRef writes refs/... as a loose ref file holding id, next to any packed
// copy, so that refs/ holds a file and survives being committed (git keeps no
// empty directories).
func looseRef(dir, ref, id string) error {
	p := filepath.Join(dir, filepath.FromSlash(ref))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(id+"\n"), 0o644)
}

// copyTree copies the regular files and directories of src into dst.
func copyTree(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case info.IsDir():
			return os.MkdirAll(target, 0o755)
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o644)
		default:
			return errors.New("unexpected non-regular file " + p)
		}
	})
}
