#!/usr/bin/env bash
# Everything a user sees of one roster binary on one store, with the times masked, so that two
# builds can be compared with `cmp` (issue 21: "nothing visible changes"; issue 25: "outputs stay
# byte-identical"). A script, not a test.
#
#   benches/compare_outputs.sh OUT_DIR ROSTER_BINARY STORE BASE.csv NEXT_DAY.csv
#   benches/compare_outputs.sh /tmp/old old/roster /tmp/old.db bench-out/r1000000.csv bench-out/r1000000_d1.csv
#   benches/compare_outputs.sh /tmp/new target/release/roster /tmp/new.db bench-out/r1000000.csv bench-out/r1000000_d1.csv
#   for f in /tmp/old/*; do cmp "$f" "/tmp/new/${f##*/}"; done
#
# STORE is an SQLite path or a postgres:// URL (use a fresh one: ?schema=NAME); it should not
# exist yet. Each step's wall and user time and peak memory go to OUT_DIR/times.
set -uo pipefail
[ $# -eq 5 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
out=$1 roster=$2 base=$4 next=$5
export ROSTER_DB=$3
rm -rf "$out" && mkdir -p "$out"
big=(--max-rows 1000000000 --max-bytes 1000000000 --quiet)
step() {
    local name=$1
    shift
    /usr/bin/time -f "$name %e s wall %U s user %M KB" -a -o "$out/times" "$@"
}
step import "$roster" import "$base" "${big[@]}" --output json >"$out/import.json"
step diff "$roster" diff "$next" --full-sync "${big[@]}" --output json >"$out/diff.json"
step sync "$roster" import "$next" --full-sync --max-deactivations 100% "${big[@]}" \
    --output json >"$out/sync.json"
for format in csv json ndjson; do
    step "export_$format" "$roster" export --format "$format" --quiet -o "$out/export.$format"
done
step log "$roster" log --output json >"$out/log.json"
step imports "$roster" imports list --output json >"$out/imports.json"
# Times differ from run to run: mask every *_at key and the durations.
for f in "$out"/*.json; do
    sed -E -i 's/"([a-z_]*_at|at|started|finished|elapsed[a-z_]*|duration[a-z_]*)": *"[^"]*"/"\1":"T"/g;
               s/"(elapsed_ms|duration_ms|ms)": *[0-9.]+/"\1":0/g' "$f"
done
cat "$out/times"
