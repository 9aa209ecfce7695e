#!/usr/bin/env bash
# Start-up time of `kontrakt list` over 10,000 trials and of a single `--exact` trial (nextest
# starts one process per trial, so both must stay well under 100 ms).
#
#   benches/list.sh [TRIALS]
#
# Generates a throwaway golden tree under target/bench-list (never committed): the shipped
# contracts and golden cases plus TRIALS copies of one Kontanthjaelp golden request. hyperfine measures, in the same
# run, `kontrakt --version` as the peer (bare process start of the same binary) and prints each
# command relative to it.
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS=${1:-10000}
command -v hyperfine >/dev/null || { echo "missing hyperfine (apt-get install -y hyperfine)"; exit 2; }
cargo build --release --quiet
BIN=$PWD/target/release/kontrakt
WORK=target/bench-list
rm -rf "$WORK" && mkdir -p "$WORK"
# The shipped tree stays: generated trials draw their bindings from every operation's cases.
cp -r contracts "$WORK/contracts"
cp -r golden "$WORK/golden"
SHIPPED=$("$BIN" list --contracts "$WORK/contracts" --golden "$WORK/golden" | wc -l)
SOURCE=golden/kontanthjaelp/RetBevilling/i-gang-uden-referencer.xml
for i in $(seq -w 1 "$TRIALS"); do
    cp "$SOURCE" "$WORK/golden/kontanthjaelp/RetBevilling/case-$i.xml"
done
LAST=kontanthjaelp::RetBevilling::golden::case-$(seq -w 1 "$TRIALS" | tail -n 1)
COUNT=$("$BIN" list --contracts "$WORK/contracts" --golden "$WORK/golden" | wc -l)
[ "$COUNT" -eq $((SHIPPED + TRIALS)) ] || { echo "expected $SHIPPED + $TRIALS trials, listed $COUNT"; exit 2; }
cd "$WORK"
hyperfine --warmup 3 --min-runs 20 --export-json list.json -N \
    "$BIN --version" \
    "$BIN list --contracts contracts --golden golden" \
    "$BIN list --contracts contracts --golden golden --exact $LAST"
python3 - <<'PY'
import json
results = json.load(open("list.json"))["results"]
peer = results[0]["mean"]
for r in results[1:]:
    print(f"{r['command'].split('kontrakt', 1)[1].strip():<70} mean {1000 * r['mean']:6.1f} ms "
          f"(max {1000 * r['max']:.1f} ms); {r['mean'] / peer:.1f}x bare start "
          f"({1000 * peer:.1f} ms); {'within' if r['mean'] < 0.1 else 'OVER'} the 100 ms goal")
PY
