#!/bin/sh
# Seeds fuzz/corpus/payload_decoder with real slip payloads made by `hatarakitai slip` (the
# kiosk's own code path), a test-print payload and a few scanner-mangled variants. The first
# byte of each seed is the fuzz target's mode: 0 = the rest is scanned text.
set -eu
cd "$(dirname "$0")/.."
bin=${HATARAKITAI:-target/debug/hatarakitai}
out=fuzz/corpus/payload_decoder
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
for answers in days=d5 days=d0 "" ; do
  for lang in ja ja-easy en; do
    i=$((i + 1))
    p=$("$bin" --data-dir "$tmp/data" slip --answers "$answers" --lang "$lang" --out "$tmp/s.png" \
      | sed -n 's/.*"payload":"\([0-9A-Z]*\)".*/\1/p')
    printf '\000%s' "$p" > "$out/real-$i"
    printf '\000%s\r\n' "$(echo "$p" | tr 'A-Z' 'a-z')" > "$out/lower-$i"
    printf '\000%s' "$(echo "$p" | cut -c1-60)" > "$out/cut-$i"
  done
done
printf '\000HT0TEST%0112d' 0 > "$out/test-print"
printf '\001' > "$out/mutate-none"
echo "seeded $(ls "$out" | wc -l) inputs into $out"
