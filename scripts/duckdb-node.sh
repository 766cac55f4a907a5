# Sourced by scripts/test.sh and scripts/test-beam.sh: makes DuckDB's Node package available to
# the tests that read gitwalk's Parquet tables back with an engine of their own (gitwalk export's
# in cmd/gitwalk, the Beam pipeline's in cmd/gitwalk-beam), and exports GITWALK_DUCKDB_NODE, the
# folder that has it. It is installed once into the user's cache when node and npm are there
# (GITWALK_DUCKDB_NODE set beforehand names a folder that has it already). Under CI a missing
# DuckDB is an error, since CI must run those tests; elsewhere they are skipped, with a note.
duckdb_version=1.5.6-r.1
if [[ -z "${GITWALK_DUCKDB_NODE:-}" ]] && command -v node >/dev/null && command -v npm >/dev/null; then
  duckdb_dir="${XDG_CACHE_HOME:-$HOME/.cache}/gitwalk/duckdb-node-$duckdb_version"
  if [[ ! -d "$duckdb_dir/node_modules/@duckdb/node-api" ]]; then
    printf '\n== installing @duckdb/node-api@%s into %s\n' "$duckdb_version" "$duckdb_dir"
    mkdir -p "$duckdb_dir"
    (cd "$duckdb_dir" && npm install --no-audit --no-fund --loglevel=error "@duckdb/node-api@$duckdb_version") ||
      echo "duckdb-node: npm could not install @duckdb/node-api" >&2
  fi
  if [[ -d "$duckdb_dir/node_modules/@duckdb/node-api" ]]; then
    export GITWALK_DUCKDB_NODE="$duckdb_dir"
  fi
fi
if [[ -z "${GITWALK_DUCKDB_NODE:-}" ]]; then
  if [[ -n "${CI:-}" ]]; then
    echo "duckdb-node: DuckDB is not available (node and npm are needed); CI must run the Parquet read-back tests" >&2
    exit 1
  fi
  echo "duckdb-node: DuckDB is not available (node and npm are needed): the Parquet read-back tests are SKIPPED" >&2
fi
