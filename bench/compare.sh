#!/usr/bin/env bash
# compare.sh REPO [REV]: time gitwalk numstat (-j1 and the default -j) against
# `git log --numstat --no-renames --format=%H` on one repository, after
# checking that all three print byte-identical output. The commands run
# alternately (round after round) so that load from elsewhere on the machine
# falls on all of them alike; prints medians, ratios against git and peak RSS
# as a markdown table. REPO may be bare; nothing is written into it.
# Environment: RUNS (rounds, default 5), GITWALK_BIN (use this binary instead
# of building one), CHURN=1 (also time gitwalk churn, -j1 and the default -j,
# against git log --numstat --no-merges, the same work for git: churn's sums
# are held to git's numbers by the test suite, so only the commit count is
# checked here), RENAMES=1 (also time the same with git's rename detection
# on: git log --numstat against gitwalk numstat, outputs compared, and with
# CHURN=1 gitwalk churn following files against git log --no-merges). The
# rows without RENAMES are --no-renames on both sides. gitwalk runs with
# --no-cache: this times the engine's work; bench/cache.sh times the cache.
set -euo pipefail

usage() { echo "usage: $0 REPO [REV]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
repo=$1
rev=${2:-HEAD}
runs=${RUNS:-5}
[ -d "$repo" ] || { echo "compare.sh: $repo is not a directory" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "compare.sh: needs /usr/bin/time (GNU time) for peak RSS" >&2; exit 2; }

here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Built before HOME changes below, so that the Go caches are the user's.
if [ -n "${GITWALK_BIN:-}" ]; then
  gitwalk=$GITWALK_BIN
else
  (cd "$here" && CGO_ENABLED=0 go build -o "$tmp/gitwalk" ./cmd/gitwalk) # as the README builds it
  gitwalk=$tmp/gitwalk
fi

# Neither command may read the user's or the system's git config: both see
# only the repository's own.
export GIT_CONFIG_NOSYSTEM=1 HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home" LC_ALL=C
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
mkdir -p "$HOME"


names=("git log --numstat --no-renames" "gitwalk numstat --no-renames -j1" "gitwalk numstat --no-renames"
  "git log --numstat --no-renames --no-merges" "gitwalk churn --no-renames -j1" "gitwalk churn --no-renames"
  "git log --numstat (renames)" "gitwalk numstat -j1 (renames)" "gitwalk numstat (renames)"
  "git log --numstat --no-merges (renames)" "gitwalk churn -j1 (renames, followed)" "gitwalk churn (renames, followed)"
  "gitwalk numstat --no-renames -j1, one core")
run() { # run I: the command I with its output on stdout
  case $1 in
    0) git -C "$repo" log --numstat --no-renames --format=%H "$rev" ;;
    1) "$gitwalk" numstat --no-cache --no-renames -j1 "$repo" "$rev" ;;
    2) "$gitwalk" numstat --no-cache --no-renames "$repo" "$rev" ;;
    3) git -C "$repo" log --numstat --no-renames --no-merges --format=%H "$rev" ;;
    4) "$gitwalk" churn --no-cache --no-renames --no-progress -j1 "$repo" "$rev" ;;
    5) "$gitwalk" churn --no-cache --no-renames --no-progress "$repo" "$rev" ;;
    6) git -C "$repo" log --numstat --format=%H "$rev" ;;
    7) "$gitwalk" numstat --no-cache -j1 "$repo" "$rev" ;;
    8) "$gitwalk" numstat --no-cache "$repo" "$rev" ;;
    9) git -C "$repo" log --numstat --no-merges --format=%H "$rev" ;;
    10) "$gitwalk" churn --no-cache --no-progress -j1 "$repo" "$rev" ;;
    11) "$gitwalk" churn --no-cache --no-progress "$repo" "$rev" ;;
    12) taskset -c 0 "$gitwalk" numstat --no-cache --no-renames -j1 "$repo" "$rev" ;;
  esac
}
cmds=(0 1 2)
# For the scaling below: -j1 on one core, where it is the time on one
# processor that Amdahl's law starts from.
onecore=
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  onecore=1
  cmds+=(12)
fi
[ "${CHURN:-}" = 1 ] && cmds+=(3 4 5)
[ "${RENAMES:-}" = 1 ] && cmds+=(6 7 8)
[ "${RENAMES:-}" = 1 ] && [ "${CHURN:-}" = 1 ] && cmds+=(9 10 11)

# Outputs first: timing commands that disagree would compare nothing.
same() { # same A B...: the outputs of B... are A's, byte for byte
  local a=$1 i
  shift
  for i in "$@"; do
    if ! cmp -s "$tmp/out$a" "$tmp/out$i"; then
      echo "compare.sh: ${names[$i]} differs from ${names[$a]} (first difference):" >&2
      cmp "$tmp/out$a" "$tmp/out$i" >&2 || true
      exit 1
    fi
  done
}
for i in 0 1 2; do run $i >"$tmp/out$i"; done
same 0 1 2
if [ -n "$onecore" ]; then
  run 12 >"$tmp/out12"
  same 0 12
fi
if [ "${RENAMES:-}" = 1 ]; then
  for i in 6 7 8; do run $i >"$tmp/out$i"; done
  same 6 7 8
fi
commits=$(grep -c -E '^[0-9a-f]{40}$' "$tmp/out0" || true)
if [ "${CHURN:-}" = 1 ]; then
  # churn walks the non-merge commits, as git log --no-merges does.
  want=$(git -C "$repo" rev-list --count --no-merges "$rev")
  got=$("$gitwalk" summary --no-progress --no-cache --format csv "$repo" "$rev" 2>/dev/null | awk -F, 'NR == 2 {print $1}')
  if [ "$got" != "$want" ]; then
    echo "compare.sh: gitwalk summary counts $got commits, git rev-list --no-merges $want" >&2
    exit 1
  fi
fi

for ((r = 0; r < runs; r++)); do
  for i in "${cmds[@]}"; do
    # %e wall seconds, %M peak RSS in KiB, %U + %S CPU seconds.
    # The inner shell gets the paths from the environment, never spliced
    # into its script, so any character in them is safe.
    repo=$repo rev=$rev gitwalk=$gitwalk /usr/bin/time -f "%e %M %U %S" -o "$tmp/time" \
      bash -c "$(declare -f run)"'; run "$1"' bash "$i" >/dev/null
    read -r wall rss user sys <"$tmp/time"
    echo "$wall" >>"$tmp/wall$i"
    echo "$user $sys" | awk '{print $1 + $2}' >>"$tmp/cpu$i"
    echo "$rss" >>"$tmp/rss$i"
  done
done

median() { sort -g "$1" | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
gitwall=$(median "$tmp/wall0")
echo
label=$(basename "$repo"); case $label in repo | .git) label=$(basename "$(dirname "$repo")") ;; esac
echo "$label $rev: $commits commits, output identical, $runs alternating rounds, $(nproc) cores, $(git --version), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo
echo "| command | median wall (s) | vs git | median CPU (s) | median peak RSS (MB) | max peak RSS (MB) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for i in "${cmds[@]}"; do
  # Each row against the git command of its group: numstat, churn, with renames.
  case $i in 3 | 6 | 9) gitwall=$(median "$tmp/wall$i") ;; 12) gitwall=$(median "$tmp/wall0") ;; esac
  w=$(median "$tmp/wall$i")
  cpu=$(median "$tmp/cpu$i")
  rss=$(median "$tmp/rss$i")
  maxrss=$(sort -g "$tmp/rss$i" | tail -1)
  awk -v n="${names[$i]}" -v w="$w" -v g="$gitwall" -v c="$cpu" -v r="$rss" -v m="$maxrss" \
    'BEGIN {printf "| %s | %.2f | %.2fx | %.2f | %.0f | %.0f |\n", n, w, (g > 0 ? w / g : 0), c, r / 1024, m / 1024}'
done

# Scaling (Amdahl), from the numstat rows: with n workers T(n) = s + p/n,
# so -j1 and the default -j (n = the cores) give the serial part s and the
# parallel part p, and the projection for more cores. Whole-process wall
# times: s holds everything one goroutine does (start, the revision walk
# when it is the bottleneck, ordering, output); --stats's time and ahead
# lines from one more run say where inside the walk. Twice: from -j1 on one core
# (taskset), the time on one processor; and from -j1 with every core, where
# the revision walk, the ordered output and the collector run beside the
# one worker, so that T(1) is shorter than one processor's and the serial
# part comes out larger than it is.
n=$(nproc)
if [ "$n" -ge 2 ]; then
  tn=$(median "$tmp/wall2")
  echo
  scaling() { # scaling LABEL T1
    awk -v l="$1" -v t1="$2" -v tn="$tn" -v n="$n" 'BEGIN {
      p = (t1 - tn) * n / (n - 1); s = t1 - p
      if (s < 0) s = 0
      printf "Scaling, numstat --no-renames: %s %.2f s, -j%d %.2f s: serial part %.2f s (%.0f%% of -j1); projected speedup over -j1: %.1fx at 8 cores, %.1fx at 16\n",
        l, t1, n, tn, s, 100 * s / t1, t1 / (s + p / 8), t1 / (s + p / 16)
    }'
  }
  if [ -n "$onecore" ]; then
    scaling "-j1 on one core" "$(median "$tmp/wall12")"
  fi
  scaling "-j1 on $n cores" "$(median "$tmp/wall1")"
  "$gitwalk" numstat --no-cache --no-renames --stats "$repo" "$rev" 2>&1 >/dev/null | grep -E '^(ahead|time):' || true
fi
