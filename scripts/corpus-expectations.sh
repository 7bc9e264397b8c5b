#!/usr/bin/env bash
# Regenerates crates/server/tests/data/expected_2_15_1.tsv: what a nats-server release says of
# each file of ../shared/conf-corpus with -t, in the form of the corpus's expected.tsv (file,
# status, first output line). Each file is checked from its first folder (server/, test/ or
# conf/), as nats-server's own tests run them, so relative certificate paths resolve.
#   scripts/corpus-expectations.sh [NATS_SERVER] [OUTPUT]
set -euo pipefail
cd "$(dirname "$0")/.."
GO_SERVER=${1:-/opt/nats215/bin/nats-server}
OUT=${2:-crates/server/tests/data/expected_2_15_1.tsv}
CORPUS=$(cd ../shared/conf-corpus && pwd)
version=$("$GO_SERVER" --version | sed -n 's/^nats-server: v//p')
column="go_${version//./_}"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf 'file\t%s\tfirst_error\n' "$column" >"$tmp"
tail -n +2 "$CORPUS/expected.tsv" | cut -f1 | while read -r file; do
    folder=${file%%/*}
    relative=${file#*/}
    if output=$(cd "$CORPUS/$folder" && "$GO_SERVER" -t -c "$relative" 2>&1); then
        status=ok
    else
        status=error
    fi
    printf '%s\t%s\t%s\n' "$file" "$status" "$(printf '%s\n' "$output" | grep -v '^$' | head -n 1)" >>"$tmp"
done
mv "$tmp" "$OUT"
trap - EXIT
echo "$OUT: $(($(wc -l <"$OUT") - 1)) files, nats-server $version"
