#!/usr/bin/env bash
# scripts/demo.sh - the quick start: installs what is missing, builds, makes
# a SQLite TCS database with synthetic data under demo/, starts a real
# OpenSearch, runs the nightly chain (all six jobs) once, and shows the run
# history and the search alias. Re-running it starts from fresh demo data.
#
#   scripts/demo.sh [--persons N]        (default 10000)
#
# Env: DEMO_KEEP_OPENSEARCH=1 leaves OpenSearch running afterwards.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PERSONS=10000
if [ "${1:-}" = "--persons" ]; then PERSONS=${2:?--persons needs a number}; fi

DEMO=$ROOT/demo
mkdir -p "$DEMO/logs"
scripts/setup.sh
make -s
BIN=$ROOT/build/tis-sync
export TIS_SYNC_DB="sqlite:$DEMO/tis-sync.db" LOG_DIR="$DEMO/logs"

echo "== starting OpenSearch (real, from Maven Central jars)"
ES_URL=$(scripts/opensearch.sh start "$DEMO/opensearch" | tail -n 1)
stop_opensearch() { [ "${DEMO_KEEP_OPENSEARCH:-0}" = 1 ] || scripts/opensearch.sh stop "$DEMO/opensearch" >/dev/null; }
trap stop_opensearch EXIT
export TIS_SYNC_ES_URL=$ES_URL

echo "== creating $DEMO/tis-sync.db with $PERSONS synthetic persons"
rm -f "$DEMO"/tis-sync.db*
"$BIN" init-db --tcs
"$BIN" demo-data --persons "$PERSONS" --seed 1

echo "== running the nightly chain"
"$BIN" run --chain

echo "== run history"
"$BIN" history --limit 6
echo "== derived rows"
for t in PersonOwner PersonTrust PostTrust; do
    printf '%-12s %s rows\n' "$t" "$(sqlite3 "$DEMO/tis-sync.db" "SELECT COUNT(*) FROM $t")"
done
echo "== search alias"
curl -s "$ES_URL/_cat/aliases/persons?v"
curl -s "$ES_URL/persons/_count"; echo
if [ "${DEMO_KEEP_OPENSEARCH:-0}" = 1 ]; then
    echo "OpenSearch keeps running at $ES_URL (stop: scripts/opensearch.sh stop $DEMO/opensearch)"
fi
