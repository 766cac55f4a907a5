#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 10s), one
# worker each (FUZZPARALLEL, default 1) so that it shares a machine politely.
# The seed corpora under testdata/fuzz run in the ordinary suite anyway; this
# explores beyond them. A crasher is written to testdata/fuzz/<Target>/ by go
# test: commit it with the fix, and it becomes a seed.
# scripts/test.sh calls it when FUZZ=1.
#
# Each new input is minimized for at most 3 s (-fuzzminimizetime; Go's
# default is 60 s): minimizing inputs grown from FuzzInflate's large seeds
# could stall a run at 0 execs/s for tens of seconds past its FUZZTIME.
#
# Go 1.26's fuzz coordinator can fail a target with a bare "context deadline
# exceeded" when -fuzztime runs out while a worker is busy (golang/go#75804,
# fixed in Go 1.27). That is no finding: nothing is written and nothing
# reproduces. Such a run is reported and tried once more; any other failure,
# and that one twice, fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
parallel=${FUZZPARALLEL:-1}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# deadline_only LOG: the run failed with the coordinator's deadline error alone.
deadline_only() {
  grep -q 'context deadline exceeded' "$1" &&
    ! grep -qE 'Failing input written|panic:|^\s+[a-z_]+_test\.go:[0-9]+:' "$1"
}

for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    for try in 1 2; do
      printf '== %s %s (%s)\n' "$pkg" "$target" "$fuzztime"
      if go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 3s -parallel "$parallel" >"$log" 2>&1; then
        cat "$log"
        break
      fi
      if [[ $try == 1 ]] && deadline_only "$log"; then
        # Its log would read as a failed test; only its last progress line is kept.
        grep '^fuzz: elapsed' "$log" | tail -1 || true
        echo "fuzz: $target stopped on Go's fuzztime deadline race (golang/go#75804), no input written; once more"
        continue
      fi
      cat "$log"
      exit 1
    done
  done
done
