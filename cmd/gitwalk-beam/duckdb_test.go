package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// duckdb runs sql in DuckDB and returns its rows, with the repository's
// scripts/duckdb-query.cjs run by node with DuckDB's Node package, whose
// folder GITWALK_DUCKDB_NODE names (scripts/duckdb-node.sh installs it).
func duckdb(t *testing.T, sql string) []map[string]any {
	t.Helper()
	dir := os.Getenv("GITWALK_DUCKDB_NODE")
	if dir == "" {
		t.Skip("DuckDB read-back: GITWALK_DUCKDB_NODE is not set (scripts/test-beam.sh installs @duckdb/node-api and sets it)")
	}
	api := filepath.Join(dir, "node_modules", "@duckdb", "node-api")
	if _, err := os.Stat(api); err != nil {
		t.Fatalf("GITWALK_DUCKDB_NODE=%s: %v", dir, err)
	}
	cmd := exec.Command("node", filepath.Join("..", "..", "scripts", "duckdb-query.cjs"))
	cmd.Env = append(os.Environ(), "DUCKDB_API="+api)
	cmd.Stdin = strings.NewReader(sql)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("duckdb: %v\n%s\n%s", err, stderr.Bytes(), sql)
	}
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("duckdb output: %v\n%s", err, out)
	}
	return rows
}

// sums are a churn row's figures: added, deleted, commits.
type sums [3]float64

// TestDuckDBSumsOverTheTablesEqualChurn has an independent engine, DuckDB,
// read the Parquet tables: its sums per file and per author, with the
// analyses' exclusions as the tables record them, are gitwalk churn's. The
// tables' paths are the paths at each commit, as git reports them, so sums
// per path are churn's by path, without following renames (--no-renames);
// sums per author do not depend on names, and are compared with renames on.
func TestDuckDBSumsOverTheTablesEqualChurn(t *testing.T) {
	_, repos := fixtures(t, "people", "content", "paths", "merges")
	const from = `FROM read_parquet('%[1]s/changes/*.parquet') c
		JOIN read_parquet('%[1]s/commits/*.parquet') m ON c.repository = m.repository AND c.commit = m.commit
		WHERE c.excluded IS NULL AND NOT m.ignored`
	const cols = `CAST(sum(c.added) AS DOUBLE) AS added, CAST(sum(c.deleted) AS DOUBLE) AS deleted,
		CAST(count(DISTINCT c.commit) AS DOUBLE) AS commits`
	for _, tc := range []struct {
		name, key, sql string
		cfg            Config
		args           []string
	}{
		// Churn by file counts every author; by author leaves bots out, as
		// the analyses do by default.
		{"per file", "entity", "SELECT c.repository, c.path AS key, " + cols + " " + from +
			" GROUP BY c.repository, c.path", Config{ShardSize: 3, NoRenames: true}, []string{"--no-renames"}},
		{"per author", "author", "SELECT m.repository, m.author_name || ' <' || m.author_email || '>' AS key, " + cols + " " +
			from + " AND NOT m.bot GROUP BY ALL", Config{ShardSize: 3}, []string{"--by", "author"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := mustRun(t, tc.cfg, repos...)
			sql := strings.ReplaceAll(tc.sql, "%[1]s", out)
			got := map[string]map[string]sums{}
			for _, r := range duckdb(t, sql) {
				repo := r["repository"].(string)
				if got[repo] == nil {
					got[repo] = map[string]sums{}
				}
				got[repo][r["key"].(string)] = sums{r["added"].(float64), r["deleted"].(float64), r["commits"].(float64)}
			}
			want := map[string]map[string]sums{}
			for _, repo := range repos {
				var c churnJSON
				if err := json.Unmarshal(cliChurn(t, repo, tc.args...), &c); err != nil {
					t.Fatal(err)
				}
				want[repo] = map[string]sums{}
				for _, r := range c.Rows {
					want[repo][r[tc.key].(string)] = sums{r["added"].(float64), r["deleted"].(float64), r["commits"].(float64)}
				}
			}
			for _, repo := range repos {
				if len(want[repo]) == 0 || !reflect.DeepEqual(got[repo], want[repo]) {
					t.Errorf("%s: DuckDB's sums\n%v\ngitwalk churn's\n%v", filepath.Base(repo), got[repo], want[repo])
				}
			}
		})
	}
}
