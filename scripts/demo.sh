#!/usr/bin/env bash
# scripts/demo.sh - the quick start: installs what is missing, builds, makes
# a SQLite TCS database (today's 2026 shape) with synthetic data under
# demo/, starts a real OpenSearch and a real RabbitMQ (standing in for the
# revalidation service: it declares its exchange and a queue), runs the
# nightly chain (all eleven jobs) once, and shows the run history, the
# search aliases and the messages published. Re-running it starts from
# fresh demo data.
#
#   scripts/demo.sh [--persons N]        (default 10000)
#
# Env: DEMO_KEEP_SERVERS=1 leaves OpenSearch and RabbitMQ running afterwards.
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

stop_servers() {
    [ "${DEMO_KEEP_SERVERS:-0}" = 1 ] && return
    scripts/opensearch.sh stop "$DEMO/opensearch" >/dev/null 2>&1 || true
    scripts/rabbitmq.sh stop "$DEMO/rabbitmq" >/dev/null 2>&1 || true
}
trap stop_servers EXIT

echo "== starting OpenSearch (real, from Maven Central jars) and RabbitMQ (Debian's)"
ES_URL=$(scripts/opensearch.sh start "$DEMO/opensearch" | tail -n 1)
read -r MQ_URL _ _ < <(scripts/rabbitmq.sh start "$DEMO/rabbitmq" | tail -n 1)
export TIS_SYNC_ES_URL=$ES_URL
MQ_PORT=${MQ_URL##*:}
export RABBITMQ_HOST=127.0.0.1 RABBITMQ_PORT=$MQ_PORT RABBITMQ_USERNAME=tis RABBITMQ_PASSWORD=tis-test-pw
# What the revalidation service owns: its exchange, and a queue bound to it.
/usr/bin/python3 - "$MQ_PORT" <<'PY'
import sys, pika
con = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", int(sys.argv[1]), "/",
                                                        pika.PlainCredentials("tis", "tis-test-pw")))
ch = con.channel()
ch.exchange_declare("reval.exchange", exchange_type="topic", durable=True)
ch.queue_declare("reval.demo", durable=True)
ch.queue_purge("reval.demo")
ch.queue_bind("reval.demo", "reval.exchange", routing_key="reval.trainee.update")
con.close()
PY

echo "== creating $DEMO/tis-sync.db with $PERSONS synthetic persons"
rm -f "$DEMO"/tis-sync.db*
"$BIN" init-db --tcs
"$BIN" demo-data --persons "$PERSONS" --seed 1

echo "== running the nightly chain"
"$BIN" run --chain

echo "== run history"
"$BIN" history --limit 11
echo "== derived rows"
for t in PersonOwner PersonTrust PostTrust; do
    printf '%-12s %s rows\n' "$t" "$(sqlite3 "$DEMO/tis-sync.db" "SELECT COUNT(*) FROM $t")"
done
echo "== search aliases"
curl -s "$ES_URL/_cat/aliases/persons,posts?v"
for alias in persons posts; do printf '%-8s ' "$alias"; curl -s "$ES_URL/$alias/_count"; echo; done
echo "== revalidation messages waiting in the demo queue"
/usr/bin/python3 - "$MQ_PORT" <<'PY'
import sys, pika
con = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", int(sys.argv[1]), "/",
                                                        pika.PlainCredentials("tis", "tis-test-pw")))
print(con.channel().queue_declare("reval.demo", passive=True).method.message_count, "message(s)")
con.close()
PY
if [ "${DEMO_KEEP_SERVERS:-0}" = 1 ]; then
    echo "OpenSearch keeps running at $ES_URL, RabbitMQ at $MQ_URL"
    echo "(stop: scripts/opensearch.sh stop $DEMO/opensearch; scripts/rabbitmq.sh stop $DEMO/rabbitmq)"
fi
