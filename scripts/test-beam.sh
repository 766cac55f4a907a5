#!/usr/bin/env bash
# Tests the Beam pipeline (cmd/gitwalk-beam), which is a Go module of its own so that the
# CLI does not depend on Beam: scripts/test.sh's ./... does not reach it. Vet, build, and the
# module's tests on Prism (the Go SDK's local runner), with its parent module as the CLI oracle.
# The DuckDB read-back test needs DuckDB's Node package (scripts/duckdb-node.sh installs it).
# The first build compiles Beam and gRPC (about 2 minutes on 2 cores); later runs use the cache.
set -euo pipefail
cd "$(dirname "$0")/../cmd/gitwalk-beam"

step() { printf '\n== %s\n' "$*"; }

# shellcheck source=duckdb-node.sh
source ../../scripts/duckdb-node.sh

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
