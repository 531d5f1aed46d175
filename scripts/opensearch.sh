#!/usr/bin/env bash
# scripts/opensearch.sh - owns the real OpenSearch 2.19.x server used by tis-sync's tests.
#
# It owns: the embedded launcher project in opensearch/ (built by Maven from Maven Central
# artifacts, cached in ~/.m2; opensearch/target/ holds the launcher jar, classpath.txt and a
# class-data-sharing archive that makes start-up faster) and, per state dir, one single-node
# OpenSearch JVM bound to 127.0.0.1 together with its files in that dir:
#   pid, port, data/, logs/opensearch.log (server log), logs/stdout.log (JVM stdout/stderr),
#   home/ (path.home, generated config), tmp/ (java.io.tmpdir), .lock.
#
# Usage:
#   scripts/opensearch.sh setup          build launcher, resolve deps, smoke-start once to write the
#                                        CDS archive (idempotent; instant and offline once done)
#   scripts/opensearch.sh start [DIR]    start in background (idempotent); last stdout line is the URL
#   scripts/opensearch.sh stop  [DIR]    stop it and wait (idempotent)
#   scripts/opensearch.sh url   [DIR]    print the URL of the running server (exit 1 if not running)
#   scripts/opensearch.sh start-cluster [DIR]  start a 3-node cluster in DIR/node1..3 (idempotent); the
#                                        last stdout line is the three URLs, comma-separated
#   scripts/opensearch.sh stop-cluster [DIR]   stop its nodes
# DIR defaults to $OPENSEARCH_STATE_DIR or /tmp/tis-sync-opensearch. Data persists in DIR/data
# across stop/start; remove DIR (when stopped) for a clean server.
#
# Environment:
#   OPENSEARCH_PORT           HTTP port to use (default: a free ephemeral port chosen at bind time)
#   OPENSEARCH_HEAP           JVM heap, -Xms = -Xmx (default 512m)
#   OPENSEARCH_JAVA_OPTS      extra JVM options
#   OPENSEARCH_START_TIMEOUT  seconds to wait for green/yellow health (default 120)
#   OPENSEARCH_CDS            0 disables the class-data-sharing archive (default 1)
#   JAVA_HOME                 JDK 17+ to use (default: java on PATH)
#   MVN                       Maven command (default: mvn)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROJ=$ROOT/opensearch
TARGET=$PROJ/target
JAR=$TARGET/tis-sync-opensearch-launcher.jar
CP_FILE=$TARGET/classpath.txt
STAMP=$TARGET/.setup-done
CDS_ARCHIVE=$TARGET/launcher-cds.jsa
CDS_JAVA=$TARGET/launcher-cds.java # the java binary the archive was made with
MAIN_CLASS=tissync.opensearch.Launcher
DEFAULT_DIR=${OPENSEARCH_STATE_DIR:-/tmp/tis-sync-opensearch}

log() { echo "opensearch.sh: $*" >&2; }
die() { log "$*"; exit 1; }

java_cmd() {
    local j
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        j=$JAVA_HOME/bin/java
    else
        j=$(command -v java) || die "java not found (install a JDK 17+ or set JAVA_HOME)"
    fi
    readlink -f "$j"
}

cds_enabled() { [[ "${OPENSEARCH_CDS:-1}" != 0 ]]; }

# True when the last successful build is newer than the sources and every jar is present.
built_up_to_date() {
    [[ -f "$STAMP" && -f "$JAR" && -f "$CP_FILE" ]] || return 1
    [[ -n "$(find "$PROJ/pom.xml" "$PROJ/src" -type f -newer "$STAMP" -print -quit)" ]] && return 1
    local jar
    local IFS=:
    for jar in $(cat "$CP_FILE"); do
        [[ -f "$jar" ]] || return 1
    done
    return 0
}

# True when the CDS archive matches the current build and java.
cds_up_to_date() {
    [[ -f "$CDS_ARCHIVE" && -f "$CDS_JAVA" && "$CDS_ARCHIVE" -nt "$STAMP" ]] || return 1
    [[ "$(cat "$CDS_JAVA")" == "$(java_cmd)" ]]
}

build() {
    local mvn=${MVN:-mvn}
    command -v "$mvn" >/dev/null || die "maven ($mvn) not found"
    local args=(-B -q -Dstyle.color=never --no-transfer-progress -f "$PROJ/pom.xml" package)
    log "building launcher and resolving OpenSearch artifacts with Maven"
    rm -f "$STAMP" "$CDS_ARCHIVE" "$CDS_JAVA"
    # Offline first (everything cached in ~/.m2), then online (Maven Central).
    if ! "$mvn" -o "${args[@]}" >/dev/null 2>&1; then
        "$mvn" "${args[@]}" >&2 || die "maven build failed"
    fi
    [[ -f "$JAR" && -f "$CP_FILE" ]] || die "maven build did not produce $JAR and $CP_FILE"
    touch "$STAMP"
    built_up_to_date || die "launcher classpath is incomplete after the build"
}

# Starts and stops a throw-away node once, so the JVM writes the class-data-sharing archive
# (about 2 s less start-up for every later start). Also a smoke test of the server.
make_cds_archive() {
    local tmpdir pid java
    java=$(java_cmd)
    tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/tis-sync-opensearch-setup.XXXXXX")
    rm -f "$CDS_ARCHIVE" "$CDS_JAVA" "$CDS_ARCHIVE.tmp"
    log "smoke-starting OpenSearch once to write the CDS archive"
    launch "$tmpdir" 0 "-XX:ArchiveClassesAtExit=$CDS_ARCHIVE.tmp"
    pid=$LAUNCHED_PID
    if ! wait_healthy "$tmpdir" "$pid"; then
        rm -rf "$tmpdir"
        die "OpenSearch failed to start during setup"
    fi
    stop_pid "$pid"
    rm -rf "$tmpdir"
    if [[ -s "$CDS_ARCHIVE.tmp" ]]; then
        mv -f "$CDS_ARCHIVE.tmp" "$CDS_ARCHIVE"
        echo "$java" >"$CDS_JAVA"
    else
        rm -f "$CDS_ARCHIVE.tmp"
        log "warning: no CDS archive written; starts will be a bit slower"
    fi
}

cmd_setup() {
    mkdir -p "$TARGET"
    exec 8>"$TARGET/.setup.lock"
    flock 8
    local did=0
    if ! built_up_to_date; then
        build
        did=1
    fi
    if cds_enabled && ! cds_up_to_date; then
        make_cds_archive
        did=1
    fi
    exec 8>&-
    if ((did)); then
        log "launcher ready ($JAR)"
    else
        log "launcher up to date ($JAR)"
    fi
}

state_dir() {
    local dir=${1:-$DEFAULT_DIR}
    mkdir -p "$dir"
    (cd "$dir" && pwd)
}

# Prints the pid if DIR's server process is alive (and is really our launcher for DIR).
running_pid() {
    local dir=$1 pid
    [[ -f "$dir/pid" ]] || return 1
    pid=$(cat "$dir/pid" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$MAIN_CLASS $dir " || return 1
    echo "$pid"
}

# Cluster health status (green/yellow/red) of the server in DIR, or nothing.
health_status() {
    local dir=$1 port
    [[ -f "$dir/port" ]] || return 1
    port=$(cat "$dir/port")
    curl -s -m 2 "http://127.0.0.1:$port/_cluster/health" 2>/dev/null |
        grep -o '"status":"[a-z]*"' | cut -d'"' -f4
}

healthy() {
    local s
    s=$(health_status "$1") || return 1
    [[ "$s" == green || "$s" == yellow ]]
}

print_failure_logs() {
    local dir=$1 f
    for f in "$dir/logs/stdout.log" "$dir/logs/opensearch.log"; do
        if [[ -s "$f" ]]; then
            log "---- tail of $f ----"
            tail -n 60 "$f" >&2
        fi
    done
}

stop_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 300; i++)); do # 30 s for a clean close
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "pid $pid did not stop in 30 s; killing"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

wait_healthy() {
    local dir=$1 pid=$2 timeout=${OPENSEARCH_START_TIMEOUT:-120}
    local deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            log "OpenSearch (pid $pid) exited during start-up"
            print_failure_logs "$dir"
            rm -f "$dir/pid" "$dir/port"
            return 1
        fi
        healthy "$dir" && return 0
        sleep 0.2
    done
    log "OpenSearch did not become green/yellow within ${timeout}s"
    print_failure_logs "$dir"
    stop_pid "$pid"
    rm -f "$dir/pid" "$dir/port"
    return 1
}

# launch DIR PORT [JVM_OPTS...]: starts the JVM in the background; sets LAUNCHED_PID, writes DIR/pid.
LAUNCHED_PID=
launch() {
    local dir=$1 port=$2
    shift 2
    local java heap
    java=$(java_cmd)
    heap=${OPENSEARCH_HEAP:-512m}
    mkdir -p "$dir/logs" "$dir/tmp"
    rm -f "$dir/pid" "$dir/port"
    local opts=(
        "-Xms$heap" "-Xmx$heap"
        -XX:+UseG1GC
        -Djava.awt.headless=true
        -Dfile.encoding=UTF-8
        -Djava.locale.providers=SPI,CLDR
        "-Djava.io.tmpdir=$dir/tmp"
        -Djna.nosys=true
        -Dio.netty.noUnsafe=true
        -Dio.netty.noKeySetOptimization=true
        -Dio.netty.recycler.maxCapacityPerThread=0
        -Dlog4j.shutdownHookEnabled=false
        -Dlog4j2.disable.jmx=true
        # CDS dump/use chatter (harmless "Skipping ..." lines) stays out of stdout.log
        "-Xlog:cds=off" "-Xlog:cds+dynamic=off"
        "$@"
    )
    # shellcheck disable=SC2206
    [[ -n "${OPENSEARCH_JAVA_OPTS:-}" ]] && opts+=($OPENSEARCH_JAVA_OPTS)
    # setsid: own session, detached from the caller's process group/terminal, so it outlives
    # this script (the backgrounded child is not a group leader, so setsid execs java in place
    # and $! is the JVM's pid).
    setsid "$java" "${opts[@]}" -cp "$JAR:$(cat "$CP_FILE")" "$MAIN_CLASS" "$dir" "$port" \
        </dev/null >"$dir/logs/stdout.log" 2>&1 8>&- 9>&- &
    LAUNCHED_PID=$!
    echo "$LAUNCHED_PID" >"$dir/pid"
}

cmd_start() {
    local dir pid
    dir=$(state_dir "${1:-}")
    exec 9>"$dir/.lock"
    flock 9
    if pid=$(running_pid "$dir"); then
        wait_healthy "$dir" "$pid" || exit 1
        echo "http://127.0.0.1:$(cat "$dir/port")"
        return 0
    fi
    cmd_setup
    local extra=()
    if cds_enabled && cds_up_to_date; then
        extra+=("-XX:SharedArchiveFile=$CDS_ARCHIVE")
    fi
    log "starting OpenSearch (state dir $dir)"
    local t0=$SECONDS
    # port 0: the launcher binds a free port and writes it to DIR/port
    launch "$dir" "${OPENSEARCH_PORT:-0}" "${extra[@]}"
    pid=$LAUNCHED_PID
    wait_healthy "$dir" "$pid" || exit 1
    log "OpenSearch is up (pid $pid, $((SECONDS - t0))s, status $(health_status "$dir"))"
    echo "http://127.0.0.1:$(cat "$dir/port")"
}

cmd_stop() {
    local dir pid
    dir=$(state_dir "${1:-}")
    exec 9>"$dir/.lock"
    flock 9
    if pid=$(running_pid "$dir"); then
        log "stopping OpenSearch (pid $pid)"
        stop_pid "$pid"
    fi
    rm -f "$dir/pid" "$dir/port"
}

cmd_url() {
    local dir
    dir=$(state_dir "${1:-}")
    running_pid "$dir" >/dev/null && [[ -f "$dir/port" ]] || die "OpenSearch is not running (state dir $dir)"
    echo "http://127.0.0.1:$(cat "$dir/port")"
}

# A 3-node cluster in DIR/node1..3 (each a state dir as above), every node
# cluster-manager eligible and a data node, on loopback transport ports kept in
# DIR/transport-ports. Prints the three HTTP URLs, comma-separated, last.
CLUSTER_NODES=(node1 node2 node3)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cluster_urls() {
    local dir=$1 n urls=()
    for n in "${CLUSTER_NODES[@]}"; do urls+=("http://127.0.0.1:$(cat "$dir/$n/port")"); done
    (IFS=,; echo "${urls[*]}")
}

cluster_size() {   # number of nodes the node in DIR sees, or nothing
    curl -s -m 2 "http://127.0.0.1:$(cat "$1/port" 2>/dev/null)/_cluster/health" 2>/dev/null |
        grep -o '"number_of_nodes":[0-9]*' | cut -d: -f2
}

cmd_start_cluster() {
    local dir i n seeds=() pid
    dir=$(state_dir "${1:-/tmp/tis-sync-opensearch-cluster}")
    exec 9>"$dir/.lock"
    flock 9
    cmd_setup
    # Ports are kept across restarts: a node restarted after a test killed it
    # answers at the same URL.
    [[ -s "$dir/transport-ports" ]] || for n in "${CLUSTER_NODES[@]}"; do free_port; done >"$dir/transport-ports"
    [[ -s "$dir/http-ports" ]] || for n in "${CLUSTER_NODES[@]}"; do free_port; done >"$dir/http-ports"
    mapfile -t ports <"$dir/transport-ports"
    mapfile -t http_ports <"$dir/http-ports"
    for i in 0 1 2; do seeds+=("127.0.0.1:${ports[$i]}"); done
    local extra=()
    if cds_enabled && cds_up_to_date; then extra+=("-XX:SharedArchiveFile=$CDS_ARCHIVE"); fi
    local t0=$SECONDS
    for i in 0 1 2; do
        n=${CLUSTER_NODES[$i]}
        mkdir -p "$dir/$n"
        running_pid "$dir/$n" >/dev/null && continue
        log "starting cluster node $n"
        OPENSEARCH_NODE_NAME=$n OPENSEARCH_TRANSPORT_PORT=${ports[$i]} \
            OPENSEARCH_SEED_HOSTS=$(IFS=,; echo "${seeds[*]}") \
            OPENSEARCH_INITIAL_MANAGERS=$(IFS=,; echo "${CLUSTER_NODES[*]}") \
            OPENSEARCH_HEAP=${OPENSEARCH_HEAP:-384m} launch "$dir/$n" "${http_ports[$i]}" "${extra[@]}"
    done
    local deadline=$((SECONDS + ${OPENSEARCH_START_TIMEOUT:-180}))
    for n in "${CLUSTER_NODES[@]}"; do
        pid=$(running_pid "$dir/$n") || { print_failure_logs "$dir/$n"; die "cluster node $n exited"; }
        until [[ -f "$dir/$n/port" && "$(cluster_size "$dir/$n")" == 3 ]] && healthy "$dir/$n"; do
            kill -0 "$pid" 2>/dev/null || { print_failure_logs "$dir/$n"; die "cluster node $n exited"; }
            ((SECONDS < deadline)) || { print_failure_logs "$dir/$n"; die "no 3-node cluster within the timeout"; }
            sleep 0.5
        done
    done
    log "OpenSearch cluster is up (3 nodes, $((SECONDS - t0))s)"
    cluster_urls "$dir"
}

cmd_stop_cluster() {
    local dir n pid
    dir=$(state_dir "${1:-/tmp/tis-sync-opensearch-cluster}")
    for n in "${CLUSTER_NODES[@]}"; do
        if pid=$(running_pid "$dir/$n"); then
            log "stopping cluster node $n (pid $pid)"
            stop_pid "$pid"
        fi
        rm -f "$dir/$n/pid" "$dir/$n/port"
    done
}

case "${1:-}" in
setup) cmd_setup ;;
start) cmd_start "${2:-}" ;;
stop) cmd_stop "${2:-}" ;;
url) cmd_url "${2:-}" ;;
start-cluster) cmd_start_cluster "${2:-}" ;;
stop-cluster) cmd_stop_cluster "${2:-}" ;;
*)
    echo "usage: $0 {setup|start [DIR]|stop [DIR]|url [DIR]|start-cluster [DIR]|stop-cluster [DIR]}" >&2
    exit 2
    ;;
esac
