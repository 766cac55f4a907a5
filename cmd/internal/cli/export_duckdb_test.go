package cli

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gitwalk/gitwalk/internal/testrepos"
)

// TestDuckDBSumsOverTheExportEqualChurn has DuckDB read the tables gitwalk
// export wrote for several fixtures and sum, per repository, the rows the
// analyses count per file (by the file column, so through renames) and per
// author (bots left out, as author-based analyses do): the sums are gitwalk
// churn's, --by file and --by author.
func TestDuckDBSumsOverTheExportEqualChurn(t *testing.T) {
	testrepos.IsolateGit(t)
	fixtures := []string{"people", "renames", "content", "merges"}
	var files []string
	dirs := map[string]string{}
	for _, name := range fixtures {
		dir := testrepos.Path(t, name)
		dirs[name] = dir
		out := filepath.Join(t.TempDir(), "tables")
		if _, stderr, code := runGitwalk(t, "export", dir, "--all", "--out", out); code != 0 {
			t.Fatalf("export %s: exit %d: %s", name, code, stderr)
		}
		files = append(files, "'"+filepath.Join(out, "%s.parquet")+"'")
	}
	table := func(name string) string {
		return "read_parquet([" + strings.ReplaceAll(strings.Join(files, ", "), "%s", name) + "])"
	}
	const sums = `CAST(sum(c.added) AS DOUBLE) AS added, CAST(sum(c.deleted) AS DOUBLE) AS deleted,
		CAST(count(DISTINCT c.commit) AS DOUBLE) AS commits`
	// One query for both groupings: each node run loads DuckDB anew.
	sql := "SELECT 'file' AS grouping, c.repository, c.file AS key, " + sums + " FROM " + table("changes") +
		" c WHERE c.left_out IS NULL GROUP BY ALL UNION ALL " +
		"SELECT 'author' AS grouping, c.repository, m.author_name || ' <' || m.author_email || '>' AS key, " + sums +
		" FROM " + table("changes") + " c JOIN " + table("commits") + " m ON c.repository = m.repository AND c.commit = m.commit" +
		" WHERE c.left_out IS NULL AND NOT m.bot GROUP BY ALL"
	got := map[[2]string]map[string][3]float64{} // by grouping and repository
	for _, r := range testrepos.DuckDB(t, sql) {
		k := [2]string{r["grouping"].(string), r["repository"].(string)}
		if got[k] == nil {
			got[k] = map[string][3]float64{}
		}
		got[k][r["key"].(string)] = [3]float64{r["added"].(float64), r["deleted"].(float64), r["commits"].(float64)}
	}
	for _, by := range []struct{ grouping, key string }{{"file", "entity"}, {"author", "author"}} {
		for _, name := range fixtures {
			want := map[string][3]float64{}
			for _, r := range churnRows(t, "churn", dirs[name], "--all", "--by", by.grouping) {
				want[r[by.key].(string)] = [3]float64{r["added"].(float64), r["deleted"].(float64), r["commits"].(float64)}
			}
			if g := got[[2]string{by.grouping, name}]; len(want) == 0 || !reflect.DeepEqual(g, want) {
				t.Errorf("%s, per %s: DuckDB's sums\n%v\ngitwalk churn --by %s\n%v", name, by.grouping, g, by.grouping, want)
			}
		}
	}
}
