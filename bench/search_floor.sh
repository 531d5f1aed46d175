#!/usr/bin/env bash
# bench/search_floor.sh - a search index job against its floor
# (PERFORMANCE.md: "the view streamed once + the same NDJSON posted with curl
# at the same bulk size and concurrency"; targets: persons <= 1.0 x floor,
# posts <= 1.1 x floor).
#
#   bench/search_floor.sh persons|posts MYSQL_URL ES_URL [BULK_BYTES [CONCURRENCY]]
#
# MYSQL_URL holds a TCS schema with data (e.g. `tis-sync demo-data --persons
# 100000`) and the tables the index reads already built (PersonOwner,
# PersonTrust; PostTrust). It measures, on the same data and the same engine:
#   job    `tis-sync run PersonElasticSearchSyncJob` or
#          `PostElasticSearchSyncJob` (wall time, peak RSS)
#   read   the job's queries (the SQL files it runs for this database's
#          schema shape) streamed at once by the mysql client into
#          /dev/null (the database part of the floor)
#   post   create an index with the job's mapping, post the job's own
#          documents (exported from its index and cut into the same bulk
#          sizes) with CONCURRENCY curl processes, restore settings, refresh
# floor = read + post. Prints a Markdown table; the last line is
# "job=S floor=S ratio=R rss_mib=M docs=N" for scripts.
# Environment: TIS_SYNC_BIN (default build/tis-sync), TODAY (2019-08-20),
# SETTLE (seconds of quiet before each timed part, default 5: the engine
# keeps merging segments after a bulk load, which would slow the next part).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${TIS_SYNC_BIN:-$ROOT/build/tis-sync}
PY=/usr/bin/python3
USAGE="usage: $0 persons|posts MYSQL_URL ES_URL [BULK_BYTES [CONCURRENCY]]"
KIND=${1:?$USAGE}
MYSQL_URL=${2:?$USAGE}
ES=${3:?$USAGE}
ES=${ES%/}
BULK=${4:-8388608}
CONC=${5:-2}
case "$KIND" in
    persons) JOB=PersonElasticSearchSyncJob ALIAS_VAR=TIS_SYNC_ES_ALIAS
             QUERIES="person_search_rows person_search_trusts person_search_memberships" ;;
    posts)   JOB=PostElasticSearchSyncJob ALIAS_VAR=TIS_SYNC_ES_POSTS_ALIAS
             QUERIES="post_search_posts post_search_grades post_search_sites post_search_specialties
                      post_search_trainees post_search_programmes post_search_fundings post_search_trusts" ;;
    *) echo "$USAGE" >&2; exit 2 ;;
esac
TODAY=${TODAY:-2019-08-20}
SETTLE=${SETTLE:-5}
ALIAS=floorbench$$
WORK=$(mktemp -d /tmp/tis-sync-floor.XXXXXX)

cleanup() {
    curl -s -o /dev/null -X DELETE "$ES/$ALIAS-*,$ALIAS-floor" || true
    rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

# --- the job -----------------------------------------------------------------
sleep "$SETTLE"
env -i PATH="$PATH" LOG_DIR="$WORK" TIS_SYNC_DB="$MYSQL_URL" TIS_SYNC_ES_URL="$ES" "$ALIAS_VAR=$ALIAS" \
    TIS_SYNC_ES_BULK_BYTES="$BULK" TIS_SYNC_ES_CONCURRENCY="$CONC" \
    /usr/bin/time -v -o "$WORK/time.txt" "$BIN" run "$JOB" --today "$TODAY" \
    >"$WORK/job.out" 2>"$WORK/job.err" || { tail -20 "$WORK/job.err"; exit 1; }
JOB_S=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                     for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$WORK/time.txt")
RSS_MIB=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$WORK/time.txt")
INDEX=$(curl -sf "$ES/$ALIAS/_alias" | $PY -c 'import json,sys; print(next(iter(json.load(sys.stdin))))')

# --- read: the three streams, at once, into /dev/null --------------------------
read -r -a MYSQL_ARGS <<<"$($PY - "$MYSQL_URL" <<'EOF'
import sys
from urllib.parse import urlsplit, unquote, parse_qs
u = urlsplit(sys.argv[1])
args = [f"-u{unquote(u.username or 'root')}", f"-h{u.hostname or 'localhost'}", f"-P{u.port or 3306}"]
if u.password:
    args.append(f"-p{unquote(u.password)}")
sock = parse_qs(u.query).get("socket")
if sock:
    args.append(f"--socket={sock[0]}")
args.append(u.path.lstrip("/"))
print(" ".join(args))
EOF
)"
# The SQL file the job runs for NAME (tcs_schema.c's lookup): on the 2026
# shape NAME_2026 if there is one; the MariaDB variant before the common one.
SHAPE=$(mysql "${MYSQL_ARGS[@]}" -N -e "SELECT COUNT(*) FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ProgrammeMembership' AND COLUMN_NAME = 'uuid'")
sql_file() {
    local names=("$1") d n
    [ "$SHAPE" = 1 ] && names=("$1_2026" "$1")
    for n in "${names[@]}"; do
        for d in mysql common; do
            [ -f "$ROOT/sql/$d/$n.sql" ] && { echo "$ROOT/sql/$d/$n.sql"; return; }
        done
    done
    echo "no SQL file for $1" >&2; exit 1
}
query() { grep -v '^--' "$(sql_file "$1")" | sed "s/?1/'$TODAY'/g"; }
sleep "$SETTLE"
T0=$(now)
for q in $QUERIES; do
    mysql "${MYSQL_ARGS[@]}" --quick -N -e "$(query $q)" >/dev/null &
done
wait
READ_S=$(elapsed "$T0" "$(now)")

# --- the job's documents as bulk bodies of the same size -----------------------
mkdir -p "$WORK/bulk"
DOCS=$($PY - "$ES" "$INDEX" "$BULK" "$WORK/bulk" <<'EOF'
import json, sys, urllib.request
es, index, limit, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def call(path, body):
    r = urllib.request.Request(es + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(r))
page = call(f"/{index}/_search?scroll=2m", {"size": 5000, "sort": ["_doc"]})
n, part, size, f = 0, 0, 0, None
while page["hits"]["hits"]:
    for h in page["hits"]["hits"]:
        item = (json.dumps({"index": {"_id": h["_id"]}}, separators=(",", ":")) + "\n" +
                json.dumps(h["_source"], separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        if f is None or (size and size + len(item) > limit):
            f and f.close()
            part, size = part + 1, 0
            f = open(f"{out}/{part:06d}.ndjson", "wb")
        f.write(item)
        size += len(item)
        n += 1
    page = call("/_search/scroll", {"scroll": "2m", "scroll_id": page["_scroll_id"]})
f and f.close()
print(n)
EOF
)
MAPPING=$(curl -sf "$ES/$INDEX/_mapping" | $PY -c 'import json,sys; print(json.dumps(next(iter(json.load(sys.stdin).values()))["mappings"]))')

# --- post: create, bulk with CONC curls, settings, refresh ---------------------
sleep "$SETTLE"
T0=$(now)
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/json' "$ES/$ALIAS-floor" -d \
  "{\"settings\":{\"index\":{\"number_of_shards\":1,\"number_of_replicas\":0,\"refresh_interval\":\"-1\"}},\"mappings\":$MAPPING}"
ls "$WORK"/bulk/*.ndjson | xargs -P "$CONC" -I{} curl -sf -o /dev/null -H 'Content-Type: application/x-ndjson' \
    -H 'Expect:' --data-binary @{} "$ES/$ALIAS-floor/_bulk?filter_path=errors,items.*.status,items.*.error"
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/json' "$ES/$ALIAS-floor/_settings" \
    -d '{"index":{"refresh_interval":"1s","auto_expand_replicas":"0-1"}}'
curl -sf -o /dev/null -X POST "$ES/$ALIAS-floor/_refresh"
POST_S=$(elapsed "$T0" "$(now)")
FLOOR_COUNT=$(curl -sf "$ES/$ALIAS-floor/_count" | $PY -c 'import json,sys; print(json.load(sys.stdin)["count"])')
[ "$FLOOR_COUNT" = "$DOCS" ] || { echo "floor index holds $FLOOR_COUNT of $DOCS documents" >&2; exit 1; }

FLOOR_S=$(echo "$READ_S + $POST_S" | bc)
RATIO=$(echo "scale=2; $JOB_S / $FLOOR_S" | bc)
printf '| documents | job | read (%s streams) | post (curl x%s, %s B) | floor | job / floor | job docs/s | job peak RSS |\n' \
    "$(wc -w <<<"$QUERIES")" "$CONC" "$BULK"
printf '|---|---|---|---|---|---|---|---|\n'
printf '| %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f | %.0f | %s MiB |\n' "$DOCS" "$JOB_S" "$READ_S" "$POST_S" \
    "$FLOOR_S" "$RATIO" "$(echo "$DOCS / $JOB_S" | bc -l)" "$RSS_MIB"
echo "job=$JOB_S floor=$FLOOR_S ratio=$RATIO rss_mib=$RSS_MIB docs=$DOCS"
