#!/usr/bin/env bash
# beam.sh REPO...: time the Beam pipeline (cmd/gitwalk-beam on Prism, in one
# process on this machine) against the CLI over the same repositories, after
# checking that both give the same churn for each.
#
#   the CLI:      gitwalk churn --format json --no-cache REPO, one repository after another
#   the pipeline: gitwalk-beam --repos LIST --shard-size S, for each S in SHARDS,
#                 with --no-parquet (churn only, the CLI's work) and, when PARQUET=1,
#                 also with the Parquet tables written
#
# The commands run alternately, round after round (RUNS, default 3), so that
# load from elsewhere falls on all alike; prints medians of wall time, CPU
# time and peak RSS as a markdown table, each row's ratio to the CLI's.
# Environment: RUNS, SHARDS (default "0 20000": one shard per repository,
# and the pipeline's default), PARQUET=1. REPOs may be bare; nothing is
# written into them.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 REPO..." >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "beam.sh: needs /usr/bin/time (GNU time)" >&2; exit 2; }
runs=${RUNS:-3}
shards=${SHARDS:-0 20000}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

repos=()
for r in "$@"; do
  [ -d "$r" ] || { echo "beam.sh: $r is not a directory" >&2; exit 2; }
  repos+=("$(cd "$r" && pwd)")
done
printf '%s\n' "${repos[@]}" >"$tmp/repos.txt"

(cd "$here" && go build -o "$tmp/gitwalk" ./cmd/gitwalk)
(cd "$here/cmd/gitwalk-beam" && go build -o "$tmp/gitwalk-beam" .)

export GIT_CONFIG_NOSYSTEM=1 HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home" LC_ALL=C
mkdir -p "$HOME"

names=("gitwalk churn, one repository after another")
cmds=(cli)
for s in $shards; do
  names+=("gitwalk-beam on Prism, --shard-size $s, --no-parquet")
  cmds+=("beam $s --no-parquet")
  if [ "${PARQUET:-}" = 1 ]; then
    names+=("gitwalk-beam on Prism, --shard-size $s, Parquet written")
    cmds+=("beam $s")
  fi
done

run() { # run I OUT: command I, its outputs under OUT
  local spec=${cmds[$1]} out=$2
  rm -rf "$out"
  mkdir -p "$out"
  case $spec in
    cli)
      local i=0 r
      for r in "${repos[@]}"; do
        "$tmp/gitwalk" churn --format json --no-cache --no-progress "$r" >"$out/$i.json" 2>/dev/null
        i=$((i + 1))
      done
      ;;
    beam*)
      set -- $spec
      "$tmp/gitwalk-beam" --repos "$tmp/repos.txt" --out "$out/beam" --shard-size "$2" ${3:-} >/dev/null 2>"$out/stderr" ||
        { cat "$out/stderr" >&2; return 1; }
      ;;
  esac
}

# Outputs first: the pipeline's churn of each repository must be the CLI's.
run 0 "$tmp/check-cli"
for ((c = 1; c < ${#cmds[@]}; c++)); do
  run "$c" "$tmp/check"
  for ((i = 0; i < ${#repos[@]}; i++)); do
    got=$(ls "$tmp/check/beam/churn/"*.json | grep -v '/churn.json$' || true)
    # The per-repository file is named after the folder and a hash of its path.
    base=$(basename "${repos[$i]}"); base=${base%.git}; [ "$base" = repo ] && base=$(basename "$(dirname "${repos[$i]}")")
    match=""
    for f in $got; do
      if cmp -s "$f" "$tmp/check-cli/$i.json"; then match=$f; fi
    done
    if [ -z "$match" ]; then
      echo "beam.sh: ${names[$c]}: no churn file equals gitwalk churn's for ${repos[$i]}" >&2
      exit 1
    fi
  done
done
commits=0
for r in "${repos[@]}"; do
  commits=$((commits + $(git -C "$r" rev-list --count --no-merges HEAD)))
done

for ((round = 0; round < runs; round++)); do
  for ((c = 0; c < ${#cmds[@]}; c++)); do
    /usr/bin/time -f "%e %M %U %S" -o "$tmp/time" bash -c "$(declare -p cmds repos tmp); $(declare -f run); run $c $tmp/out"
    read -r wall rss user sys <"$tmp/time"
    echo "$wall" >>"$tmp/wall$c"
    echo "$user $sys" | awk '{print $1 + $2}' >>"$tmp/cpu$c"
    echo "$rss" >>"$tmp/rss$c"
  done
done

median() { sort -g "$1" | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo
echo "${#repos[@]} repositories ($(for r in "${repos[@]}"; do b=$(basename "$r"); [ "$b" = repo ] && b=$(basename "$(dirname "$r")"); printf '%s ' "$b"; done)), $commits non-merge commits, churn identical, $runs alternating rounds, $(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | median wall (s) | vs the CLI | median CPU (s) | median peak RSS (MB) |"
echo "| --- | ---: | ---: | ---: | ---: |"
cli=$(median "$tmp/wall0")
for ((c = 0; c < ${#cmds[@]}; c++)); do
  awk -v n="${names[$c]}" -v w="$(median "$tmp/wall$c")" -v g="$cli" -v cpu="$(median "$tmp/cpu$c")" -v r="$(median "$tmp/rss$c")" \
    'BEGIN {printf "| %s | %.2f | %.2fx | %.2f | %.0f |\n", n, w, w / g, cpu, r / 1024}'
done
