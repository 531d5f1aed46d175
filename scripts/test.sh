#!/usr/bin/env bash
# scripts/test.sh - the one command that sets up, builds and runs ALL tis-sync tests.
#
#   scripts/test.sh [-k EXPR] [-- PYTEST_ARGS...]
#
# Stages (a stage that crashes or fails to build counts as a failure; the run
# always goes on and always stops the servers it started):
#   setup     scripts/setup.sh (skip with TIS_SYNC_SKIP_SETUP=1)
#   build     make (build/tis-sync), make unit (build/tests/unit_*),
#             make asan (build-asan/tis-sync; also `make unit-asan` if the
#             Makefile has that target) - a failed build counts as 1 failure
#   servers   a private MariaDB (scripts/mariadb.sh), a 3-node Galera
#             cluster (scripts/galera.sh, in a /tmp dir of its own that its
#             mysql user can enter), OpenSearch and a 3-node OpenSearch cluster
#             (scripts/opensearch.sh) and RabbitMQ (scripts/rabbitmq.sh), the
#             others in this run's temp dir
#   unit      every build/tests/unit_* and build-asan/tests/unit_* (cmocka,
#             CMOCKA_MESSAGE_OUTPUT=TAP: one count per test case)
#   pytest    tests/integration with TIS_SYNC_BIN=build/tis-sync, then again
#             with build-asan/tis-sync under ASan/UBSan, then the threaded
#             tests (TSAN_TESTS) with build-tsan/tis-sync under
#             ThreadSanitizer (a report fails the test: serve_helpers checks
#             every log for it; counted via --junitxml)
#   fuzz      every build-fuzz/fuzz_* (make fuzz, clang's libFuzzer under
#             ASan+UBSan) for TIS_SYNC_FUZZ_SECONDS (60) on its corpus in
#             tests/fuzz/corpus/ (one test each; a finding fails it)
#   cppcheck  make cppcheck (one test)
#
# -k EXPR is passed to pytest, as is everything after `--`.
# Env: TIS_SYNC_TEST_QUICK=1 skips the ASan build and passes;
#      TIS_SYNC_SKIP_SETUP=1 skips scripts/setup.sh;
#      TIS_SYNC_TEST_KEEP=1 keeps the run's temp dir (kept anyway on failure).
# The last line printed is exactly "N passed, N failed"; the exit status is 0
# only when nothing failed and at least one test ran.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

PYTEST_ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        -k) [ $# -ge 2 ] || { echo "test.sh: -k needs an expression" >&2; exit 2; }
            PYTEST_ARGS+=(-k "$2"); shift 2 ;;
        -k*) PYTEST_ARGS+=("$1"); shift ;;
        --) shift; PYTEST_ARGS+=("$@"); break ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "test.sh: unknown argument: $1 (see $0 --help)" >&2; exit 2 ;;
    esac
done

PY=/usr/bin/python3                 # Debian's: has python3-pytest + python3-pymysql
PYTEST_PATHS=(tests/integration)    # what run_pytest runs
# Under ThreadSanitizer: the tests of the daemon's threads (scheduler,
# workers, run monitors, lease renewers, HTTP connections, sessions).
TSAN_TESTS=(tests/integration/test_serve.py tests/integration/test_serve_api.py
            tests/integration/test_serve_cluster.py tests/integration/test_operator_api.py
            tests/integration/test_operator_cli.py tests/integration/test_galera.py)
[ -x "$PY" ] || PY=python3
QUICK=${TIS_SYNC_TEST_QUICK:-0}
JOBS=$(nproc 2>/dev/null || echo 2)
RUN=$(mktemp -d /tmp/tis-sync-test.XXXXXX)
MARIADB_DIR=$RUN/mariadb
OPENSEARCH_DIR=$RUN/opensearch
OPENSEARCH_CLUSTER_DIR=$RUN/opensearch-cluster
RABBITMQ_DIR=$RUN/rabbitmq
# The Galera nodes run as the mysql user, which cannot enter $RUN (0700).
GALERA_DIR=$(mktemp -d /tmp/tis-sync-galera.XXXXXX)
chmod 755 "$GALERA_DIR"

export PYTHONDONTWRITEBYTECODE=1
export CMOCKA_MESSAGE_OUTPUT=TAP
ulimit -c 0 2>/dev/null || true     # no core files from abort_on_error

PASSED=0
FAILED=0
FAILURES=()
MARIADB_STARTED=0
NO_JOB=                             # MariaDB starts in the foreground
OS_JOB=
OS_STARTED=0
MQ_JOB=
MQ_STARTED=0
GALERA_JOB=
GALERA_STARTED=0
OSC_JOB=
OSC_STARTED=0
INTERRUPTED=0
FINISHED=0

say()  { printf '==> %s\n' "$*"; }
pass() { PASSED=$((PASSED + ${2:-1})); }
fail() { FAILED=$((FAILED + ${2:-1})); FAILURES+=("$1"); printf 'FAILED: %s\n' "$1"; }

show_tail() {   # show_tail LOG [N]
    [ -s "$1" ] || return 0
    echo "---- last ${2:-40} lines of $1 ----"
    tail -n "${2:-40}" "$1"
    echo "----"
}

# run_logged NAME LOG CMD... : run quietly, show the log tail on failure
run_logged() {
    local name=$1 log=$2 rc
    shift 2
    "$@" </dev/null >"$log" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ]; then
        show_tail "$log"
        echo "$name: exit status $rc (full log: $log)"
    fi
    return "$rc"
}

make_has_target() { make -n "$1" </dev/null >/dev/null 2>&1; }

# --------------------------------------------------------------------------
# cleanup + summary (EXIT trap: always runs, prints the final line)

# stop_server NAME JOB_VAR STARTED_VAR LOG CMD... : ends the server's start
# job if it still runs (it may have launched the server already), then
# stops the server with CMD if it may be running.
stop_server() {
    local name=$1 job_var=$2 started_var=$3 log=$4 job
    shift 4
    job=${!job_var}
    if [ -n "$job" ] && kill -0 "$job" 2>/dev/null; then
        kill "$job" 2>/dev/null
        wait "$job" 2>/dev/null
        printf -v "$started_var" 1
    fi
    printf -v "$job_var" ''
    if [ "${!started_var}" = 1 ]; then
        say "stopping $name"
        "$@" </dev/null >>"$log" 2>&1 || echo "warning: stopping $name failed (see $log)"
        printf -v "$started_var" 0
    fi
}

stop_servers() {
    stop_server OpenSearch OS_JOB OS_STARTED "$RUN/opensearch.log" bash scripts/opensearch.sh stop "$OPENSEARCH_DIR"
    stop_server RabbitMQ MQ_JOB MQ_STARTED "$RUN/rabbitmq.log" bash scripts/rabbitmq.sh stop "$RABBITMQ_DIR"
    stop_server "the OpenSearch cluster" OSC_JOB OSC_STARTED "$RUN/opensearch-cluster.log" \
        bash scripts/opensearch.sh stop-cluster "$OPENSEARCH_CLUSTER_DIR"
    stop_server "the Galera cluster" GALERA_JOB GALERA_STARTED "$RUN/galera.log" bash scripts/galera.sh stop "$GALERA_DIR"
    stop_server MariaDB NO_JOB MARIADB_STARTED "$RUN/mariadb.log" bash scripts/mariadb.sh stop "$MARIADB_DIR"
}

finish() {
    local rc=$?
    [ "$FINISHED" = 1 ] && return
    FINISHED=1
    trap - INT TERM
    stop_servers
    # server data is large and useless after the run; logs are kept on failure
    rm -rf "$MARIADB_DIR/data" "$OPENSEARCH_DIR/data" "$OPENSEARCH_CLUSTER_DIR"/node*/data "$RABBITMQ_DIR/mnesia" \
        "$GALERA_DIR" 2>/dev/null
    if [ "$FAILED" -eq 0 ] && [ "$INTERRUPTED" = 0 ] && [ "${TIS_SYNC_TEST_KEEP:-0}" != 1 ]; then
        rm -rf "$RUN"
    else
        echo "logs kept in $RUN"
    fi
    if [ "${#FAILURES[@]}" -gt 0 ]; then
        echo "failures:"
        printf '  %s\n' "${FAILURES[@]}"
    fi
    [ "$PASSED" -eq 0 ] && [ "$FAILED" -eq 0 ] && echo "no test ran"
    echo "$PASSED passed, $FAILED failed"
    if [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ] && [ "$INTERRUPTED" = 0 ]; then
        exit 0
    fi
    [ "$rc" -ne 0 ] && exit "$rc"
    exit 1
}

on_signal() {
    INTERRUPTED=1
    fail "interrupted by signal"
    exit 130
}

trap finish EXIT
trap on_signal INT TERM HUP

# --------------------------------------------------------------------------
# counting helpers

# count_unit NAME BIN : run one cmocka binary, count its test cases
count_unit() {
    local name=$1 bin=$2 log counts ok nok skip plan sok sfail missing rc
    log="$RUN/$(echo "$name" | tr '/ ' '__').log"
    # subshell with stderr to /dev/null: hides bash's "Aborted" job message
    (timeout --foreground -k 10 "${TIS_SYNC_UNIT_TIMEOUT:-300}" "$bin" </dev/null >"$log" 2>&1) 2>/dev/null
    rc=$?
    # TAP from cmocka: "1..N" per group, "ok N - name", "not ok N - name",
    # "not ok N # SKIP name". Fallback: cmocka's standard "[       OK ]" format.
    counts=$(awk '
        /^1\.\.[0-9]+/        { sub(/^1\.\./, ""); plan += $1 + 0; next }
        /^ok /                { ok++; next }
        /^not ok .*# SKIP/    { skip++; next }
        /^not ok /            { nok++; next }
        /^\[       OK \]/     { sok++; next }
        /^\[  FAILED  \] / && !/test\(s\)/ { sfail++; next }
        /^\[  ERROR   \] /    { sfail++; next }
        END { printf "%d %d %d %d %d %d\n", ok, nok, skip, plan, sok, sfail }' "$log")
    read -r ok nok skip plan sok sfail <<<"$counts"
    if [ "$plan" -eq 0 ] && [ $((ok + nok)) -eq 0 ]; then
        ok=$sok; nok=$sfail; plan=$((sok + sfail))
    fi
    missing=$((plan - ok - nok - skip))
    [ "$missing" -lt 0 ] && missing=0
    pass "$name" "$ok"
    grep -E '^not ok ' "$log" | grep -v '# SKIP' | sed "s|^|  $name: |"
    [ "$nok" -gt 0 ] && fail "$name: $nok test case(s) failed" "$nok"
    [ "$missing" -gt 0 ] && fail "$name: $missing test case(s) did not run (crash?)" "$missing"
    if grep -qE 'ERROR: (Address|Leak|Memory|Thread|UndefinedBehavior)Sanitizer|: runtime error: ' "$log"; then
        fail "$name: sanitizer error reported (exit status $rc)"
    elif [ "$rc" -ne 0 ] && [ $((nok + missing)) -eq 0 ]; then
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            fail "$name: timed out"
        else
            fail "$name: exit status $rc (crash?)"
        fi
    elif [ "$rc" -eq 0 ] && [ $((ok + nok + skip)) -eq 0 ]; then
        fail "$name: no test case ran"
    fi
    if [ "$rc" -ne 0 ] || [ "$nok" -gt 0 ] || [ "$missing" -gt 0 ]; then
        show_tail "$log" 30
    fi
    printf '    %-40s %d ok, %d failed, %d skipped\n' "$name" "$ok" "$((nok + missing))" "$skip"
}

run_unit_dir() {   # run_unit_dir DIR LABEL
    local dir=$1 label=$2 bin found=0
    for bin in "$dir"/unit_*; do
        [ -f "$bin" ] && [ -x "$bin" ] || continue
        case "$bin" in *.o|*.d|*.c|*.h|*.log) continue ;; esac
        found=1
        count_unit "$label/$(basename "$bin")" "$bin"
    done
    [ "$found" = 1 ] || echo "    (no unit test binaries in $dir)"
    return 0
}

# run_fuzz TARGET: runs build-fuzz/TARGET for FUZZ_SECONDS on its corpus
# (new inputs go to the run's folder, never into tests/); a finding fails
# it and is kept in the run's folder with libFuzzer's report.
FUZZ_SECONDS=${TIS_SYNC_FUZZ_SECONDS:-60}
run_fuzz() {
    local target=$1 log="$RUN/fuzz-$1.log" rc
    mkdir -p "$RUN/fuzz-corpus/$target"
    build-fuzz/"$target" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -artifact_prefix="$RUN/fuzz-$target-" \
        "$RUN/fuzz-corpus/$target" "tests/fuzz/corpus/$target" </dev/null >"$log" 2>&1
    rc=$?
    echo "$rc" >"$RUN/fuzz-$target.rc"
}

fuzz_all() {
    local t targets=() rc line
    for t in build-fuzz/fuzz_*; do [ -x "$t" ] && targets+=("$(basename "$t")"); done
    say "fuzzing: ${#targets[@]} targets, ${FUZZ_SECONDS} s each, two at a time"
    for ((i = 0; i < ${#targets[@]}; i += 2)); do
        run_fuzz "${targets[$i]}" &
        [ -n "${targets[$((i + 1))]:-}" ] && run_fuzz "${targets[$((i + 1))]}" &
        wait
    done
    for t in "${targets[@]}"; do
        rc=$(cat "$RUN/fuzz-$t.rc" 2>/dev/null || echo 1)
        line=$(grep -E "DONE|ERROR|SUMMARY" "$RUN/fuzz-$t.log" | tail -n 1)
        if [ "$rc" = 0 ]; then
            pass "fuzz-$t"
            echo "    $t: $line"
        else
            show_tail "$RUN/fuzz-$t.log" 40
            fail "fuzz: $t found a problem (exit $rc; see $RUN/fuzz-$t-*)"
        fi
    done
}

# run_pytest LABEL BIN [extra env assignments...]
run_pytest() {
    local label=$1 bin=$2 xml counts p f s rc
    shift 2
    xml="$RUN/pytest-$label.xml"
    say "pytest ($label): TIS_SYNC_BIN=$bin"
    env TIS_SYNC_BIN="$bin" "$@" \
        timeout --foreground -k 30 "${TIS_SYNC_PYTEST_TIMEOUT:-2700}" \
        "$PY" -m pytest "${PYTEST_PATHS[@]}" -p no:cacheprovider \
            --junitxml="$xml" -o junit_family=xunit1 "${PYTEST_ARGS[@]}" </dev/null
    rc=$?
    counts=$("$PY" - "$xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print("0 0 0 noxml")
    sys.exit(0)
res = {}
for tc in root.iter("testcase"):
    key = (tc.get("classname"), tc.get("name"))
    st = "passed"
    for ch in tc:
        if ch.tag in ("failure", "error"):
            st = "failed"
            break
        if ch.tag == "skipped":
            st = "skipped"
    prev = res.get(key)
    if prev is None or st == "failed" or (prev == "passed" and st == "skipped"):
        res[key] = st
vals = list(res.values())
print(vals.count("passed"), vals.count("failed"), vals.count("skipped"), "ok")
EOF
)
    read -r p f s status <<<"$counts"
    if [ "$rc" -eq 2 ] || [ "$rc" -eq 130 ]; then   # pytest: 2 = interrupted (Ctrl-C)
        INTERRUPTED=1
        fail "pytest ($label): interrupted (exit $rc)"
        exit 130
    fi
    pass "pytest-$label" "$p"
    [ "$f" -gt 0 ] && fail "pytest ($label): $f test(s) failed" "$f"
    # rc 0 = all passed, 1 = some failed, 5 = nothing collected (e.g. -k)
    if [ "$status" = noxml ]; then
        fail "pytest ($label): crashed or timed out before writing $xml (exit $rc)"
    elif [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ] && [ "$f" -eq 0 ]; then
        fail "pytest ($label): exit status $rc with no failed test (internal error/timeout?)"
    fi
    printf '    pytest (%s): %d passed, %d failed, %d skipped\n' "$label" "$p" "$f" "$s"
}

# --------------------------------------------------------------------------
# 1. setup

if [ "${TIS_SYNC_SKIP_SETUP:-0}" != 1 ]; then
    say "setup (scripts/setup.sh)"
    run_logged setup "$RUN/setup.log" bash scripts/setup.sh || fail "setup: scripts/setup.sh"
fi

# OpenSearch takes a while to start: do it in the background during the build.
if [ -f scripts/opensearch.sh ]; then
    say "starting OpenSearch in the background"
    bash scripts/opensearch.sh start "$OPENSEARCH_DIR" </dev/null \
        >"$RUN/opensearch.out" 2>"$RUN/opensearch.log" &
    OS_JOB=$!
fi

# RabbitMQ too (a few seconds).
say "starting RabbitMQ in the background"
bash scripts/rabbitmq.sh start "$RABBITMQ_DIR" </dev/null >"$RUN/rabbitmq.out" 2>"$RUN/rabbitmq.log" &
MQ_JOB=$!

# --------------------------------------------------------------------------
# 2. build

say "build: make"
run_logged "make" "$RUN/make.log" make -j"$JOBS" || fail "build: make"
say "build: make unit"
run_logged "make unit" "$RUN/make-unit.log" make -j"$JOBS" unit || fail "build: make unit"
if [ "$QUICK" != 1 ]; then
    say "build: make asan"
    run_logged "make asan" "$RUN/make-asan.log" make -j"$JOBS" asan || fail "build: make asan"
    if make_has_target unit-asan; then
        say "build: make unit-asan"
        run_logged "make unit-asan" "$RUN/make-unit-asan.log" make -j"$JOBS" unit-asan \
            || fail "build: make unit-asan"
    fi
    say "build: make tsan unit-tsan"
    run_logged "make tsan" "$RUN/make-tsan.log" make -j"$JOBS" tsan unit-tsan || fail "build: make tsan"
    say "build: make fuzz"
    run_logged "make fuzz" "$RUN/make-fuzz.log" make -j"$JOBS" fuzz || fail "build: make fuzz"
fi

# --------------------------------------------------------------------------
# 3. servers

# The Galera cluster starts in the background while MariaDB starts and the
# unit tests run.
say "starting a 3-node Galera cluster in the background"
bash scripts/galera.sh start "$GALERA_DIR" </dev/null >"$RUN/galera.out" 2>"$RUN/galera.log" &
GALERA_JOB=$!
say "starting a 3-node OpenSearch cluster in the background"
bash scripts/opensearch.sh start-cluster "$OPENSEARCH_CLUSTER_DIR" </dev/null \
    >"$RUN/opensearch-cluster.out" 2>"$RUN/opensearch-cluster.log" &
OSC_JOB=$!

say "starting private MariaDB in $MARIADB_DIR"
MARIADB_STARTED=1
t0=$SECONDS
if MYSQL_URL=$(bash scripts/mariadb.sh start "$MARIADB_DIR" </dev/null 2>"$RUN/mariadb.log" | tail -n 1) \
        && [[ "$MYSQL_URL" == mysql://* ]]; then
    export TIS_SYNC_TEST_MYSQL_URL=$MYSQL_URL
    export TIS_SYNC_TEST_MYSQL_SOCKET=$MARIADB_DIR/mysqld.sock
    echo "    $TIS_SYNC_TEST_MYSQL_URL ($((SECONDS - t0))s)"
else
    show_tail "$RUN/mariadb.log"
    fail "servers: MariaDB did not start"
fi

if [ -n "$OS_JOB" ]; then
    say "waiting for OpenSearch"
    wait "$OS_JOB"
    rc=$?
    OS_JOB=
    OS_STARTED=1
    ES_URL=$(tail -n 1 "$RUN/opensearch.out" 2>/dev/null)
    if [ "$rc" -eq 0 ] && [[ "$ES_URL" == http* ]]; then
        export TIS_SYNC_TEST_ES_URL=$ES_URL
        echo "    $TIS_SYNC_TEST_ES_URL"
    else
        show_tail "$RUN/opensearch.log"
        fail "servers: OpenSearch did not start (exit $rc)"
    fi
fi

say "waiting for RabbitMQ"
wait "$MQ_JOB"
rc=$?
MQ_JOB=
MQ_STARTED=1
read -r MQ_URL MQ_TLS_PORT MQ_CA < <(tail -n 1 "$RUN/rabbitmq.out" 2>/dev/null) || true
if [ "$rc" -eq 0 ] && [[ "${MQ_URL:-}" == amqp://* ]]; then
    export TIS_SYNC_TEST_RABBITMQ_URL=$MQ_URL TIS_SYNC_TEST_RABBITMQ_TLS_PORT=$MQ_TLS_PORT TIS_SYNC_TEST_RABBITMQ_CA=$MQ_CA
    echo "    $TIS_SYNC_TEST_RABBITMQ_URL (TLS on port $MQ_TLS_PORT)"
else
    show_tail "$RUN/rabbitmq.log"
    fail "servers: RabbitMQ did not start (exit $rc)"
fi

# --------------------------------------------------------------------------
# 4. unit tests

say "unit tests (build/tests)"
run_unit_dir build/tests release
if [ "$QUICK" != 1 ]; then
    say "unit tests (build-asan/tests)"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        run_unit_dir build-asan/tests asan
    say "unit tests (build-tsan/tests)"
    TSAN_OPTIONS=halt_on_error=1 run_unit_dir build-tsan/tests tsan
fi

# --------------------------------------------------------------------------
# 5. integration tests

say "waiting for the Galera cluster"
wait "$GALERA_JOB"
rc=$?
GALERA_JOB=
GALERA_STARTED=1
if [ "$rc" -eq 0 ] && [ "$(grep -c '^mysql://' "$RUN/galera.out")" = 3 ]; then
    export TIS_SYNC_TEST_GALERA_URLS="$(grep '^mysql://' "$RUN/galera.out" | tr '\n' ' ')"
    export TIS_SYNC_TEST_GALERA_DIR=$GALERA_DIR
    echo "    $TIS_SYNC_TEST_GALERA_URLS"
else
    show_tail "$RUN/galera.log"
    fail "servers: the Galera cluster did not start (exit $rc)"
fi
say "waiting for the OpenSearch cluster"
wait "$OSC_JOB"
rc=$?
OSC_JOB=
OSC_STARTED=1
ES_CLUSTER_URLS=$(tail -n 1 "$RUN/opensearch-cluster.out" 2>/dev/null)
if [ "$rc" -eq 0 ] && [[ "$ES_CLUSTER_URLS" == http*,http*,http* ]]; then
    export TIS_SYNC_TEST_ES_CLUSTER_URLS=$ES_CLUSTER_URLS TIS_SYNC_TEST_ES_CLUSTER_DIR=$OPENSEARCH_CLUSTER_DIR
    echo "    $TIS_SYNC_TEST_ES_CLUSTER_URLS"
else
    show_tail "$RUN/opensearch-cluster.log"
    fail "servers: the OpenSearch cluster did not start (exit $rc)"
fi

run_pytest release build/tis-sync
if [ "$QUICK" != 1 ]; then
    lsan=()
    [ -f tests/lsan.supp ] && lsan=(LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0")
    run_pytest asan build-asan/tis-sync \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "${lsan[@]}"
    PYTEST_PATHS=("${TSAN_TESTS[@]}")
    run_pytest tsan build-tsan/tis-sync TSAN_OPTIONS=halt_on_error=0
    PYTEST_PATHS=(tests/integration)
fi

# --------------------------------------------------------------------------
# 6. fuzzing and static analysis

[ "$QUICK" != 1 ] && fuzz_all


say "make cppcheck"
if run_logged "make cppcheck" "$RUN/cppcheck.log" make cppcheck; then
    pass cppcheck
    echo "    cppcheck: ok"
else
    fail "cppcheck"
fi

# finish (EXIT trap) stops the servers and prints the summary
