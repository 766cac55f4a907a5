package testrepos

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// DuckDB runs sql in DuckDB, an engine independent of gitwalk's Parquet
// library, and returns its rows: the module's scripts/duckdb-query.cjs run
// by node with DuckDB's Node package, whose folder GITWALK_DUCKDB_NODE
// names (scripts/duckdb-node.sh installs it and sets the variable, as
// scripts/test.sh and scripts/test-beam.sh do). Without it the test is
// skipped, except under CI, where it fails: CI must read the tables back.
func DuckDB(t testing.TB, sql string) []map[string]any {
	t.Helper()
	dir := os.Getenv("GITWALK_DUCKDB_NODE")
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("GITWALK_DUCKDB_NODE is not set: CI must read the tables back with DuckDB (scripts/duckdb-node.sh sets it)")
		}
		t.Skip("DuckDB read-back: GITWALK_DUCKDB_NODE is not set (scripts/duckdb-node.sh installs @duckdb/node-api and sets it)")
	}
	api := filepath.Join(dir, "node_modules", "@duckdb", "node-api")
	if _, err := os.Stat(api); err != nil {
		t.Fatalf("GITWALK_DUCKDB_NODE=%s: %v", dir, err)
	}
	// Root is testdata/repos: the scripts are two folders up.
	script := filepath.Join(Root(), "..", "..", "scripts", "duckdb-query.cjs")
	cmd := exec.Command("node", script)
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
