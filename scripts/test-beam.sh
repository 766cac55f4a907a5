#!/usr/bin/env bash
# Tests the Beam pipeline (cmd/gitwalk-beam), which is a Go module of its own so that the
# CLI does not depend on Beam: scripts/test.sh's ./... does not reach it. Vet, build, and the
# module's tests on Prism (the Go SDK's local runner), with its parent module as the CLI oracle.
# The DuckDB read-back test needs DuckDB's Node package: it is installed once into the user's
# cache when node and npm are there (GITWALK_DUCKDB_NODE names a folder that has it already).
# The first build compiles Beam and gRPC (about 2 minutes on 2 cores); later runs use the cache.
set -euo pipefail
cd "$(dirname "$0")/../cmd/gitwalk-beam"

step() { printf '\n== %s\n' "$*"; }

duckdb_version=1.5.6-r.1
if [[ -z "${GITWALK_DUCKDB_NODE:-}" ]] && command -v node >/dev/null && command -v npm >/dev/null; then
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/gitwalk/duckdb-node-$duckdb_version"
  if [[ ! -d "$dir/node_modules/@duckdb/node-api" ]]; then
    step "installing @duckdb/node-api@$duckdb_version into $dir"
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "@duckdb/node-api@$duckdb_version") ||
      echo "test-beam: npm could not install @duckdb/node-api" >&2
  fi
  if [[ -d "$dir/node_modules/@duckdb/node-api" ]]; then
    export GITWALK_DUCKDB_NODE="$dir"
  fi
fi
if [[ -z "${GITWALK_DUCKDB_NODE:-}" ]]; then
  if [[ -n "${CI:-}" ]]; then
    echo "test-beam: DuckDB is not available (node and npm are needed); CI must run its read-back test" >&2
    exit 1
  fi
  echo "test-beam: DuckDB is not available (node and npm are needed): its read-back test is SKIPPED" >&2
fi

step "gofmt and go vet (cmd/gitwalk-beam)"
unformatted=$(gofmt -l .)
if [[ -n "$unformatted" ]]; then
  echo "not gofmt'ed: $unformatted" >&2
  exit 1
fi
go vet ./...

step "tests (cmd/gitwalk-beam, on Prism)"
go test -count=1 ./...

step "tests under -tags arenadebug (arena rule checked in the pipeline's walks)"
go test -count=1 -tags arenadebug ./...
