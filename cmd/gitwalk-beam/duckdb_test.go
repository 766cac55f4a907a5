package main

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

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
			for _, r := range testrepos.DuckDB(t, sql) {
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
