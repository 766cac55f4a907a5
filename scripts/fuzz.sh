#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 10s), one
# worker each (FUZZPARALLEL, default 1) so that it shares a machine politely.
# The seed corpora under testdata/fuzz run in the ordinary suite anyway; this
# explores beyond them. A crasher is written to testdata/fuzz/<Target>/ by go
# test: commit it with the fix, and it becomes a seed.
# scripts/test.sh calls it when FUZZ=1.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
parallel=${FUZZPARALLEL:-1}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    printf '== %s %s (%s)\n' "$pkg" "$target" "$fuzztime"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel "$parallel"
  done
done
