#!/usr/bin/env bash
# cache.sh REPO [REV]: what the cache of per-commit results buys, on one
# repository. Times, in alternating rounds, gitwalk churn (CMD=numstat for
# numstat) over REV:
#   no cache     --no-cache
#   cold         an empty cache, filled by the run
#   warm         the cache the cold run filled: nothing to diff
#   +N commits   a cache filled over REV~N (NEW, default 10; not timed), then
#                the run over REV: the nightly re-run after N new commits
#   coupling     a cache filled by churn over REV (not timed), then coupling
#                over REV: a second command over the same history
# and git log --numstat (--no-merges for churn) as the reference; then git
# log and gitwalk --no-cache over REV~N..REV, the N new commits alone: what
# any re-run after them must at least do, diffing them. First it
# checks that the outputs with and without the cache are byte-identical (and,
# for numstat, git's). Prints medians, ratios against the cold run and git,
# peak RSS, and the cache's size after the cold run (records, bytes per
# commit), as a markdown table. REPO may be bare; nothing is written into it.
# Environment: RUNS (rounds, default 5), NEW, CMD, GITWALK_BIN.
set -euo pipefail

usage() { echo "usage: $0 REPO [REV]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
repo=$1
rev=${2:-HEAD}
runs=${RUNS:-5}
new=${NEW:-10}
cmd=${CMD:-churn}
case $cmd in churn | numstat) ;; *) echo "cache.sh: CMD is churn or numstat" >&2; exit 2 ;; esac
[ -d "$repo" ] || { echo "cache.sh: $repo is not a directory" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "cache.sh: needs /usr/bin/time (GNU time) for peak RSS" >&2; exit 2; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "cache.sh: needs bash 5 (EPOCHREALTIME) for wall times" >&2; exit 2; }

here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${GITWALK_BIN:-}" ]; then
  gitwalk=$GITWALK_BIN
else
  (cd "$here" && CGO_ENABLED=0 go build -o "$tmp/gitwalk" ./cmd/gitwalk) # as the README builds it
  gitwalk=$tmp/gitwalk
fi

# No user or system git config; the cache only where this script says.
export GIT_CONFIG_NOSYSTEM=1 HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home" LC_ALL=C
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GITWALK_CACHE
mkdir -p "$HOME"
cache=$tmp/cache

base=$(git -C "$repo" rev-parse --verify -q "$rev~$new" || true)
[ -n "$base" ] || { echo "cache.sh: $rev has no $new commits before it (NEW=$new)" >&2; exit 2; }

flags=(--no-progress --format csv)
[ "$cmd" = numstat ] && flags=()
names=("git log --numstat" "$cmd --no-cache" "$cmd cold" "$cmd warm" "$cmd +$new commits" "coupling after churn"
  "git log, the +$new alone" "$cmd --no-cache, the +$new alone")
run() { # run I: command I, timed part only, output on stdout
  case $1 in
    0) if [ "$cmd" = numstat ]; then git -C "$repo" log --numstat --format=%H "$rev"
       else git -C "$repo" log --numstat --no-merges --format=%H "$rev"; fi ;;
    1) "$gitwalk" "$cmd" "${flags[@]}" --no-cache "$repo" "$rev" ;;
    2 | 3 | 4) "$gitwalk" "$cmd" "${flags[@]}" --cache "$cache" "$repo" "$rev" ;;
    5) "$gitwalk" coupling --no-progress --format csv --cache "$cache" "$repo" "$rev" ;;
    6) if [ "$cmd" = numstat ]; then git -C "$repo" log --numstat --format=%H "$base..$rev"
       else git -C "$repo" log --numstat --no-merges --format=%H "$base..$rev"; fi ;;
    7) "$gitwalk" "$cmd" "${flags[@]}" --no-cache "$repo" "$base..$rev" ;;
  esac
}
prepare() { # prepare I: the cache command I starts from (not timed)
  case $1 in
    2) rm -rf "$cache" ;;
    3) ;; # what 2 left
    4) rm -rf "$cache"; "$gitwalk" "$cmd" "${flags[@]}" --cache "$cache" "$repo" "$base" >/dev/null ;;
    5) rm -rf "$cache"; "$gitwalk" churn --no-progress --format csv --cache "$cache" "$repo" "$rev" >/dev/null ;;
  esac
}

# Outputs first: the cache must change nothing.
for i in 1 2 3 4; do prepare $i; run $i >"$tmp/out$i"; done
for i in 2 3 4; do
  if ! cmp -s "$tmp/out1" "$tmp/out$i"; then
    echo "cache.sh: ${names[$i]} differs from --no-cache:" >&2
    cmp "$tmp/out1" "$tmp/out$i" >&2 || true
    exit 1
  fi
done
if [ "$cmd" = numstat ]; then
  run 0 >"$tmp/out0"
  cmp -s "$tmp/out0" "$tmp/out1" || { echo "cache.sh: gitwalk numstat differs from git log --numstat" >&2; exit 1; }
fi
prepare 5; run 5 >"$tmp/out5"
"$gitwalk" coupling --no-progress --format csv --no-cache "$repo" "$rev" | cmp -s - "$tmp/out5" ||
  { echo "cache.sh: coupling from the cache differs from coupling without it" >&2; exit 1; }
prepare 2; run 2 >/dev/null
size=$("$gitwalk" cache --cache "$cache")

for ((r = 0; r < runs; r++)); do
  for i in 0 1 2 3 4 5 6 7; do
    prepare "$i"
    # The wall time is taken around the command itself, to the
    # microsecond (GNU time's is to 10 ms, a tenth of a warm run).
    repo=$repo rev=$rev base=$base cmd=$cmd cache=$cache gitwalk=$gitwalk tmp=$tmp /usr/bin/time -f "%e %M %U %S" -o "$tmp/time" \
      bash -c "$(declare -f run); flags=(${flags[*]})"'; t0=$EPOCHREALTIME; run "$1"; t1=$EPOCHREALTIME; echo "$t0 $t1" >"$tmp/clock"' bash "$i" >/dev/null
    read -r _ rss user sys <"$tmp/time"
    read -r t0 t1 <"$tmp/clock"
    echo "$t0 $t1" | awk '{printf "%.4f\n", $2 - $1}' >>"$tmp/wall$i"
    echo "$user $sys" | awk '{print $1 + $2}' >>"$tmp/cpu$i"
    echo "$rss" >>"$tmp/rss$i"
  done
done

median() { sort -g "$1" | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
commits=$(git -C "$repo" rev-list --count "$rev")
label=$(basename "$repo"); case $label in repo | .git) label=$(basename "$(dirname "$repo")") ;; esac
echo
echo "$label $rev: $commits commits, outputs identical with and without the cache, $runs alternating rounds, $(nproc) cores, $(git --version), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo
echo "$size" | sed 's/^/    /'
echo
echo "| run | median wall (s) | vs cold | vs git | median CPU (s) | median peak RSS (MB) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
gitwall=$(median "$tmp/wall0")
cold=$(median "$tmp/wall2")
for i in 0 1 2 3 4 5 6 7; do
  w=$(median "$tmp/wall$i")
  awk -v n="${names[$i]}" -v w="$w" -v c="$cold" -v g="$gitwall" -v cpu="$(median "$tmp/cpu$i")" -v r="$(median "$tmp/rss$i")" \
    'BEGIN {printf "| %s | %.4f | %.1f%% | %.3fx | %.2f | %.0f |\n", n, w, (c > 0 ? 100 * w / c : 0), (g > 0 ? w / g : 0), cpu, r / 1024}'
done
