package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/gitwalk/gitwalk/analysis"
	"github.com/gitwalk/gitwalk/export"
)

// The tables' files: OUT/commits/ID-NNNNN-of-NNNNN.parquet and
// OUT/changes/ID-NNNNN-of-NNNNN.parquet, one pair per shard, as Beam's file
// sinks name shards. A shard writes under OUT/.tmp and renames when done,
// so a retried or failed shard never leaves a partial file under a final
// name.
const (
	commitsDir = "commits"
	changesDir = "changes"
	tmpDir     = ".tmp"
)

func shardFile(sh Shard) string {
	return fmt.Sprintf("%s-%05d-of-%05d.parquet", sh.ID, sh.Index, sh.Shards)
}

// shardTables are a shard's two table files being written.
type shardTables struct {
	fs               filesystem.Interface
	w                *export.Writer
	commits, changes interface{ Close() error }
	tmp, final       [2]string
	done             bool
}

func createTables(ctx context.Context, out string, sh Shard, opts export.Options) (*shardTables, error) {
	fs, err := filesystem.New(ctx, out)
	if err != nil {
		return nil, err
	}
	t := &shardTables{fs: fs}
	name := shardFile(sh)
	// A random part in the temporary name: a retry of this shard may run
	// beside a straggling first attempt.
	tmp := fmt.Sprintf("%s.%08x", name, rand.Uint32())
	t.tmp = [2]string{path.Join(out, tmpDir, commitsDir+"-"+tmp), path.Join(out, tmpDir, changesDir+"-"+tmp)}
	t.final = [2]string{path.Join(out, commitsDir, name), path.Join(out, changesDir, name)}
	cw, err := fs.OpenWrite(ctx, t.tmp[0])
	if err != nil {
		fs.Close()
		return nil, fmt.Errorf("create %s: %w", t.tmp[0], err)
	}
	chw, err := fs.OpenWrite(ctx, t.tmp[1])
	if err != nil {
		cw.Close()
		fs.Close()
		return nil, fmt.Errorf("create %s: %w", t.tmp[1], err)
	}
	t.commits, t.changes = cw, chw
	t.w = export.NewWriter(cw, chw, opts)
	return t, nil
}

// commit finishes both files and moves them to their final names.
func (t *shardTables) commit(ctx context.Context) error {
	t.done = true
	err := t.w.Close()
	for _, c := range []interface{ Close() error }{t.commits, t.changes} {
		if cerr := c.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	if err == nil {
		for i := range t.tmp {
			if err = move(ctx, t.fs, t.tmp[i], t.final[i]); err != nil {
				break
			}
		}
	}
	if err != nil {
		t.removeTmp(ctx)
		t.fs.Close()
		return fmt.Errorf("write tables: %w", err)
	}
	return t.fs.Close()
}

// abort removes the temporary files of tables that were not committed.
func (t *shardTables) abort(ctx context.Context) {
	if t.done {
		return
	}
	t.w.Close()
	t.commits.Close()
	t.changes.Close()
	t.removeTmp(ctx)
	t.fs.Close()
}

func (t *shardTables) removeTmp(ctx context.Context) {
	if rm, ok := t.fs.(filesystem.Remover); ok {
		for _, f := range t.tmp {
			rm.Remove(ctx, f) // gone already when it was moved
		}
	}
}

// move renames, or copies and removes where the filesystem cannot rename.
func move(ctx context.Context, fs filesystem.Interface, from, to string) error {
	if err := ensureDir(to); err != nil {
		return err
	}
	if rn, ok := fs.(filesystem.Renamer); ok {
		return rn.Rename(ctx, from, to)
	}
	cp, ok1 := fs.(filesystem.Copier)
	rm, ok2 := fs.(filesystem.Remover)
	if !ok1 || !ok2 {
		return fmt.Errorf("the filesystem of %s can neither rename nor copy", to)
	}
	if err := cp.Copy(ctx, from, to); err != nil {
		return err
	}
	return rm.Remove(ctx, from)
}

// ensureDir makes a local file's folder exist before a rename into it:
// Beam's local filesystem makes folders only when it opens a file to
// write, and object stores (gs://) have none.
func ensureDir(file string) error {
	if strings.Contains(file, "://") {
		return nil
	}
	return os.MkdirAll(filepath.Dir(file), 0o755)
}

// removeTables removes every table file of the repository named id.
func removeTables(ctx context.Context, out, id string) error {
	fs, err := filesystem.New(ctx, out)
	if err != nil {
		return err
	}
	defer fs.Close()
	rm, ok := fs.(filesystem.Remover)
	if !ok {
		return fmt.Errorf("cannot remove the tables of %s: the filesystem of %s cannot remove files", id, out)
	}
	for _, dir := range []string{commitsDir, changesDir} {
		files, err := fs.List(ctx, path.Join(out, dir, id+"-*.parquet"))
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := rm.Remove(ctx, f); err != nil {
				return fmt.Errorf("remove %s: %w", f, err)
			}
		}
	}
	return nil
}

// writeChurn writes res's churn as `gitwalk churn --format json` writes
// it for the same settings: the same rows, columns and options (the options
// cmd/internal/cli's analysisArgs.options and scopeArgs.addOptions record), so
// that one repository's file equals the CLI's byte for byte.
func writeChurn(ctx context.Context, cfg Config, name string, res Result) error {
	an := cfg.churn()
	st := an.NewState()
	if res.State != nil {
		if err := decode(st, res.State); err != nil {
			return err
		}
	}
	ss := st.(*analysis.ScopedState)
	by, _ := analysis.ParseGrouping(cfg.By)
	rep := analysis.ChurnReport(ss.Inner().(*analysis.ChurnState).Rows(), by)
	left := ss.LeftOut()
	files := map[string]any{}
	for _, r := range left.Reasons() {
		files[r.String()] = map[string]int{"files": left.Files[r], "lines": left.Lines[r]}
	}
	rep.Options = map[string]any{
		"merges":           cfg.Merges != "exclude",
		"revisions":        revisions(cfg),
		"paths":            []string{},
		"include":          nonNil(cfg.Include),
		"exclude":          nonNil(cfg.Exclude),
		"merge_policy":     cfg.Merges,
		"renames":          renamesOption(cfg, res),
		"bots":             cfg.Bots,
		"coauthors":        false,
		"coauthor_lines":   "author",
		"default_excludes": !cfg.NoDefaultExcludes,
		"max_changeset":    cfg.MaxChangeset,
		"ignore_revs_file": strings.Join(res.IgnoreRevsFiles, ","),
		"left_out": map[string]any{
			"bot_commits":     left.BotCommits,
			"ignored_commits": left.IgnoredCommits,
			"large_commits":   left.LargeCommits,
			"files":           files,
		},
		"bot_commits_counted": left.BotsCounted,
		"by":                  cfg.By,
		"top":                 0,
	}
	var buf bytes.Buffer
	if err := rep.Write(&buf, analysis.JSON, 0); err != nil {
		return err
	}
	return writeFile(ctx, name, buf.Bytes())
}

// renamesOption is the renames option as the CLI records it: the walks'
// rename mode (the repository's diff.renames unless --no-renames), the
// modes of all the repositories, comma-separated, in the totals when they
// differ.
func renamesOption(cfg Config, res Result) string {
	if len(res.Renames) == 0 {
		if cfg.NoRenames {
			return "off"
		}
		return "on"
	}
	return strings.Join(res.Renames, ",")
}

// revisions is the revisions option as the CLI records it: what the user
// named, [] for the default HEAD.
func revisions(cfg Config) []string {
	if cfg.Rev == "" || cfg.Rev == "HEAD" {
		return []string{}
	}
	return []string{cfg.Rev}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Manifest is OUT/repositories.json: what the run counted and what it left
// out. Keys are only ever added.
type Manifest struct {
	Schema       string    `json:"schema"` // "gitwalk-beam.repositories"
	Version      int       `json:"version"`
	Repositories []string  `json:"repositories"` // counted, sorted
	Commits      int       `json:"commits"`      // walked in the counted repositories
	Shards       int       `json:"shards"`
	LeftOut      []LeftOut `json:"left_out"` // by repository
}

// LeftOut is a repository the run left out, and why.
type LeftOut struct {
	Repository string `json:"repository"`
	Reason     string `json:"reason"`
}

func writeManifest(ctx context.Context, name string, res Result) error {
	m := Manifest{Schema: "gitwalk-beam.repositories", Version: 1, Repositories: nonNil(res.Repos),
		Commits: res.Commits, Shards: res.Shards, LeftOut: []LeftOut{}}
	for _, s := range res.LeftOut {
		m.LeftOut = append(m.LeftOut, LeftOut{s.Repo, s.Reason})
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(ctx, name, append(b, '\n'))
}
