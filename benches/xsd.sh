#!/usr/bin/env bash
# XSD validation throughput and memory, kontrakt vs libxml2 in the same run (issue 4).
# Generates under target/xsd-bench/, per contract (today kontanthjaelp, sygefravaer and terminaladgang), 2,000 SOAP-body documents of 1–50 KB and one
# ~10 MB document (examples/xsd_corpus.rs), then validates the same files with
# `kontrakt xsd validate` and `xmllint --noout --schema`, one process per contract and corpus,
# and prints documents/s, MB/s, the ratio, and peak RSS on the 10 MB documents.
# kontrakt runs twice per corpus: single-threaded (`--jobs 1`, the like-for-like ratio against
# single-threaded xmllint, as wall time and as CPU time) and with its default `--jobs` (the
# available parallelism, `nproc` cores); the ratios are printed, labelled. Peak RSS is measured
# with `--jobs 1`.
# Needs: xmllint (libxml2-utils), /usr/bin/time (time), python3.
# Usage: benches/xsd.sh [SMALL_PER_CONTRACT]   (default 2000; goal: ratio ≥ 2, RSS ≤ 3× document)
# XSD_BENCH_RUNS=N: interleaved rounds per measurement, the best counts (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
per_contract="${1:-2000}"
out=target/xsd-bench
rm -rf "$out"
cargo build --release --quiet --bin kontrakt --example xsd_corpus
target/release/examples/xsd_corpus "$out" "$per_contract"
kontrakt=target/release/kontrakt
jobs=$(nproc)

# Times kontrakt --jobs 1, kontrakt with its default --jobs and xmllint on the same files, in
# interleaved rounds ($runs, default 3), and prints for each the best wall time and, for the two
# single-threaded ones, the best CPU time (user + system) in seconds. The machine is shared:
# the fastest round is the least disturbed one, and CPU time is what load disturbs least. Every
# verdict must say that every document is valid.
runs="${XSD_BENCH_RUNS:-3}"
measure() { # schema docs...
  python3 - "$runs" "$kontrakt" "$@" <<'PY'
import os, subprocess, sys, time
runs, kontrakt, schema, docs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
commands = {
    "single": [kontrakt, "xsd", "validate", "--jobs", "1", "--schema", schema, *docs],
    "default": [kontrakt, "xsd", "validate", "--schema", schema, *docs],
    "xmllint": ["xmllint", "--noout", "--schema", schema, *docs],
}
wall = {name: float("inf") for name in commands}
cpu = dict(wall)
for _ in range(runs):
    for name, command in commands.items():
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stderr = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall[name] = min(wall[name], time.perf_counter() - start)
        cpu[name] = min(cpu[name], usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{name} failed: {stderr[-2000:].decode(errors='replace')}")
print(wall["single"], wall["default"], wall["xmllint"], cpu["single"], cpu["xmllint"])
PY
}

peak_rss_kb() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

report() { # label docs bytes wall_single wall_default wall_xmllint cpu_single cpu_xmllint
  python3 -c "
import sys
label, docs, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
single, default, theirs, cpu_single, cpu_theirs = map(float, sys.argv[4:9])
mb = size / 1e6
rate = lambda s: f'{docs/s:,.0f} docs/s {mb/s:.1f} MB/s'
print(f'{label}: {docs} docs, {mb:.1f} MB | xmllint {rate(theirs)}\\n'
      f'  kontrakt --jobs 1: {rate(single)} | ratio {theirs/single:.2f}x wall, '
      f'{cpu_theirs/cpu_single:.2f}x CPU time (single-threaded, like for like)\\n'
      f'  kontrakt default --jobs ($jobs): {rate(default)} | ratio {theirs/default:.2f}x wall')
" "$@"
}

for corpus in small large; do
  total_docs=0 total_bytes=0 totals="0 0 0 0 0"
  for dir in "$out"/*/; do
    schema="$dir/schema.xsd"
    docs=("$dir/$corpus"/*.xml)
    bytes=$(cat "${docs[@]}" | wc -c)
    measured=$(measure "$schema" "${docs[@]}")
    read -r single default theirs cpu_single cpu_theirs <<<"$measured"
    report "$(basename "$dir") $corpus" "${#docs[@]}" "$bytes" \
      "$single" "$default" "$theirs" "$cpu_single" "$cpu_theirs"
    total_docs=$((total_docs + ${#docs[@]})) total_bytes=$((total_bytes + bytes))
    totals=$(python3 -c "print(*(a + b for a, b in zip(map(float, '$totals'.split()),
      ($single, $default, $theirs, $cpu_single, $cpu_theirs))))")
    if [ "$corpus" = large ]; then
      for doc in "${docs[@]}"; do
        size_kb=$(( $(wc -c <"$doc") / 1024 ))
        ours_kb=$(peak_rss_kb "$kontrakt" xsd validate --jobs 1 --schema "$schema" "$doc")
        theirs_kb=$(peak_rss_kb xmllint --noout --schema "$schema" "$doc")
        python3 -c "print(f'  peak RSS on $(basename "$dir") {$size_kb/1024:.1f} MB document: kontrakt {$ours_kb/1024:.1f} MB ({$ours_kb/$size_kb:.2f}x document), xmllint {$theirs_kb/1024:.1f} MB ({$theirs_kb/$size_kb:.2f}x)')"
      done
    fi
  done
  # shellcheck disable=SC2086 # five numbers
  report "TOTAL $corpus" "$total_docs" "$total_bytes" $totals
done
