#!/usr/bin/env bash
# The project's test command: what README.md tells a new user to run, and what CI runs.
# Vet, cross-builds, the suite, the suite under -race, and the suite under the arenadebug tag;
# with FUZZ=1, a short run of every fuzz target (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# DuckDB's Node package, for the tests that read the Parquet tables back (GITWALK_DUCKDB_NODE).
# shellcheck source=duckdb-node.sh
source scripts/duckdb-node.sh

step "go vet"
go vet ./...
go vet -tags arenadebug ./...

step "builds for linux, darwin and windows"
for os in linux darwin windows; do
  GOOS=$os GOARCH=amd64 go build ./...
  GOOS=$os GOARCH=amd64 go vet ./arena/... ./internal/mmap/... ./pool/... >/dev/null
done
GOOS=darwin GOARCH=arm64 go build ./...

step "tests"
go test -count=1 ./...

step "tests under -race"
# The report's browser test checks the page, not the engine: once, in the plain run, is enough.
go test -count=1 -race -skip TestReportDrawsInABrowser ./...

step "tests under -tags arenadebug (arena rule checked)"
go test -count=1 -tags arenadebug -skip TestReportDrawsInABrowser ./...

step "the Beam pipeline's own module (scripts/test-beam.sh)"
bash scripts/test-beam.sh

# Every fuzz target's seed corpus already ran above as part of the tests. With
# FUZZ=1, each target is also fuzzed for FUZZTIME (default 10s; 12 targets, about 2.5 min).
if [[ "${FUZZ:-}" == 1 ]]; then
  step "fuzzing each target for ${FUZZTIME:-10s} (FUZZ=1)"
  scripts/fuzz.sh
fi
