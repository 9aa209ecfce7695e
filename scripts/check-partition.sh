#!/usr/bin/env bash
# Proves that nextest's hash partitions of the conformance suite together run every trial
# exactly once: the union of hash:1/2 and hash:2/2 equals the full list, with no overlap.
set -euo pipefail
cd "$(dirname "$0")/.."
list() {
  cargo nextest list --test conformance --message-format oneline "$@" 2>/dev/null \
    | sed -n 's/^kontrakt::conformance //p' | sort
}
all=$(list)
one=$(list --partition hash:1/2)
two=$(list --partition hash:2/2)
total=$(printf '%s\n' "$all" | grep -c . || true)
[ "$total" -gt 0 ] || { echo "partition check: no trials listed" >&2; exit 1; }
union=$(printf '%s\n%s\n' "$one" "$two" | grep . | sort)
overlap=$(comm -12 <(printf '%s\n' "$one") <(printf '%s\n' "$two") | grep -c . || true)
if [ "$union" != "$all" ] || [ "$overlap" -ne 0 ]; then
  echo "partition check FAILED: $total trials, overlap $overlap" >&2
  diff <(printf '%s\n' "$all") <(printf '%s\n' "$union") >&2 || true
  exit 1
fi
echo "partition check: $total trials, hash:1/2 ran $(printf '%s\n' "$one" | grep -c .), hash:2/2 ran $(printf '%s\n' "$two" | grep -c .), none twice"
# Run both shards for real: every trial must pass in its shard.
cargo nextest run --test conformance --partition hash:1/2 --no-fail-fast
cargo nextest run --test conformance --partition hash:2/2 --no-fail-fast
