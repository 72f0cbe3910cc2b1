#!/bin/bash
# `import --invite` against the same import without it (issue 25): a fresh SQLite store per
# run, RUNS runs of each in turns, medians of wall and CPU (user + system) and the ratios.
# Usage: benches/invite.sh [ROSTER [CSV [RUNS]]]
#   defaults: target/release/roster, bench-out/r100000.csv (benches/bench.py makes it), 5
set -e
R=${1:-target/release/roster}
CSV=${2:-bench-out/r100000.csv}
RUNS=${3:-5}
W=$(mktemp -d /tmp/invite-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
run() { # $1: label, rest: extra flags; appends "wall cpu rss" to $W/$1
    local label=$1
    shift
    rm -f "$W"/s.db*
    /usr/bin/time -o "$W/t" -f "%e %U %S %M" "$R" --db "$W/s.db" import "$CSV" --quiet \
        --max-rows 1000000000 --max-bytes 1000000000 "$@" >/dev/null
    awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$W/t" >>"$W/$label"
}
for _ in $(seq "$RUNS"); do
    run plain
    run invite --invite
done
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for label in plain invite; do
    printf '%-7s wall %s s, cpu %s s, rss %s KB (runs: %s)\n' "$label" \
        "$(cut -d' ' -f1 "$W/$label" | med)" "$(cut -d' ' -f2 "$W/$label" | med)" \
        "$(cut -d' ' -f3 "$W/$label" | med)" "$(cut -d' ' -f1 "$W/$label" | tr '\n' ' ')"
done
awk -v pw="$(cut -d' ' -f1 "$W/plain" | med)" -v iw="$(cut -d' ' -f1 "$W/invite" | med)" \
    -v pc="$(cut -d' ' -f2 "$W/plain" | med)" -v ic="$(cut -d' ' -f2 "$W/invite" | med)" \
    'BEGIN {printf "ratio   wall %.2fx, cpu %.2fx\n", iw / pw, ic / pc}'
uptime
