#!/usr/bin/env bash
# Generated cases per second against the embedded reference provider on loopback (generation +
# request + checks, through the release binary), and the time each generated-only fault mode
# takes to be caught and shrunk. The peer measured in the same run is the golden suite alone, so
# the ratio shows what a generated case costs next to a hand-written one.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/kontrakt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cases=${KONTRAKT_CASES:-200}

# seconds and number of trials of one run; extra arguments are passed to `kontrakt run`.
timed_run() {
    local start end
    start=$(date +%s.%N)
    "$bin" run --today 2026-03-31 --seed 7 --reports "$work/reports" \
        --regressions "$work/regressions-$RANDOM" "$@" >"$work/out" || true
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc)"
}

golden_s=$(timed_run --cases "$cases" ::golden::)
golden_n=$(grep -c '^PASS\|^FAIL' "$work/out")
property_s=$(timed_run --cases "$cases" ::property::)
property_trials=$(grep -c '^PASS\|^FAIL' "$work/out")
property_n=$((property_trials * cases))
echo "golden:   $golden_n cases in ${golden_s}s = $(echo "$golden_n / $golden_s" | bc) cases/s"
echo "property: $property_n generated cases ($property_trials trials x $cases) in ${property_s}s = $(echo "$property_n / $property_s" | bc) cases/s"
echo "ratio generated/golden throughput: $(echo "scale=2; ($property_n / $property_s) / ($golden_n / $golden_s)" | bc)"

for fault in reject-non-modulus11-cpr:terminaladgang::Fremsoeg::property::Part-CPR \
             reject-leap-day:sygefravaer::HentSagsListe::property::FraDato \
             window-start-off-by-one:terminaladgang::Fremsoeg::property::DispositionsDato-Fra \
             truncate-text:sygefravaer::SendForretningsSvarForlaengelse::property::Begrundelse; do
    mode=${fault%%:*}
    trial=${fault#*:}
    seconds=$(timed_run --cases 48 --provider-fault "$mode" --exact "$trial")
    value=$(grep -o 'minimal failing [^=]* = "[^"]*"' "$work/out" | head -1)
    echo "shrink $mode: ${seconds}s (find + shrink) -> ${value:0:80}"
done
