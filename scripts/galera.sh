#!/usr/bin/env bash
# scripts/galera.sh - a PRIVATE 3-node MariaDB Galera cluster for tis-sync's
# tests, from Debian's mariadb-server and galera-4, on loopback only.
#
#   scripts/galera.sh start [DIR]        start every node that is down (the
#                                        first one bootstraps the cluster when
#                                        none runs); print the 3 TCP URLs
#   scripts/galera.sh stop  [DIR]        clean shutdown of every node
#   scripts/galera.sh url   [DIR]        print the 3 TCP URLs
#   scripts/galera.sh start-node N [DIR] (re)start node N (1-3) into the cluster
#   scripts/galera.sh stop-node N [DIR]  clean shutdown of node N
#
# It owns everything under DIR (default /tmp/tis-sync-galera, or
# $TIS_SYNC_GALERA_DIR): node1..node3/ each with data/, my.cnf, mysqld.sock,
# mysqld.pid, error.log, and ports (mysql, galera, IST and SST ports picked
# free at first start). Like scripts/mariadb.sh it never touches the system
# MariaDB. As root the nodes run as the mysql user and DIR is theirs: the
# rsync state transfer a joining node receives fails as root.
#
# Accounts: root@localhost via unix_socket, and 'tis'@'127.0.0.1' /
# 'tis'@'localhost' with password tis-test-pw and ALL PRIVILEGES (made on
# node 1, replicated). Database tis is created.
set -euo pipefail

CMD=${1:-}
if [[ "$CMD" == *-node ]]; then NODE_ARG=${2:-}; DIR_ARG=${3:-}; else NODE_ARG=; DIR_ARG=${2:-}; fi
DIR=$(realpath -m "${DIR_ARG:-${TIS_SYNC_GALERA_DIR:-/tmp/tis-sync-galera}}")
TIS_USER=tis
TIS_PW=tis-test-pw
START_TIMEOUT=120
PROVIDER=/usr/lib/galera/libgalera_smm.so

die() { echo "galera.sh: ERROR: $*" >&2; exit 1; }
log() { echo "galera.sh: $*" >&2; }
usage() { echo "usage: $0 start|stop|url [DIR] | start-node|stop-node N [DIR]" >&2; exit 2; }

RUN_USER=$(id -un)
[ "$(id -u)" -eq 0 ] && RUN_USER=mysql

node_dir() { echo "$DIR/node$1"; }
sock()     { echo "$(node_dir "$1")/mysqld.sock"; }
port_of()  { sed -n "s/^$2=//p" "$(node_dir "$1")/ports"; }   # node, mysql|galera|ist|sst

client() {   # client() N SQL...: as root over node N's socket
    local n=$1; shift
    mariadb --no-defaults --protocol=socket --socket="$(sock "$n")" -u root \
        --batch --skip-column-names "$@"
}

node_pid() {
    local f pid
    f="$(node_dir "$1")/mysqld.pid"
    [ -s "$f" ] || return 1
    pid=$(cat "$f" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && grep -qa mariadbd "/proc/$pid/cmdline" 2>/dev/null \
        || return 1
    echo "$pid"
}

synced() {   # node N answers and is Synced with the cluster
    [ "$(client "$1" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2)" = Synced ]
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

setup_ports() {   # four free ports per node, kept across restarts
    local n d
    for n in 1 2 3; do
        d=$(node_dir "$n")
        [ -s "$d/ports" ] && continue
        mkdir -p "$d"
        printf 'mysql=%s\ngalera=%s\nist=%s\nsst=%s\n' "$(free_port)" "$(free_port)" "$(free_port)" \
            "$(free_port)" >"$d/ports"
    done
}

write_config() {
    local n=$1 d members
    d=$(node_dir "$n")
    members="127.0.0.1:$(port_of 1 galera),127.0.0.1:$(port_of 2 galera),127.0.0.1:$(port_of 3 galera)"
    cat >"$d/my.cnf" <<EOF
[mysqld]
user=$RUN_USER
datadir=$d/data
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
log-error=$d/error.log
port=$(port_of "$n" mysql)
bind-address=127.0.0.1
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
max-connections=300
innodb-buffer-pool-size=96M
innodb-flush-log-at-trx-commit=2
binlog-format=ROW
default-storage-engine=InnoDB
innodb-autoinc-lock-mode=2
wsrep-on=ON
wsrep-provider=$PROVIDER
wsrep-cluster-name=tis-sync-test
wsrep-cluster-address=gcomm://$members
wsrep-node-name=node$n
wsrep-node-address=127.0.0.1:$(port_of "$n" galera)
wsrep-node-incoming-address=127.0.0.1:$(port_of "$n" mysql)
wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:$(port_of "$n" galera);ist.recv_addr=127.0.0.1:$(port_of "$n" ist);gcache.size=64M
wsrep-sst-method=rsync
wsrep-sst-receive-address=127.0.0.1:$(port_of "$n" sst)
EOF
}

install_node() {
    local d
    d=$(node_dir "$1")
    [ -d "$d/data/mysql" ] && return 0
    rm -rf "$d/data"
    mkdir -p "$d/data"
    chown -R "$RUN_USER" "$DIR"
    local out
    if ! out=$(mariadb-install-db --no-defaults --user="$RUN_USER" --datadir="$d/data" \
            --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve 2>&1); then
        echo "$out" | tail -n 30 >&2
        die "mariadb-install-db failed for node $1"
    fi
}

launch() {   # launch N [--wsrep-new-cluster]
    local n=$1 d
    shift
    d=$(node_dir "$n")
    : >"$d/error.log"
    rm -f "$d/mysqld.sock" "$d/mysqld.sock.lock" "$d/mysqld.pid"
    chown -R "$RUN_USER" "$DIR"
    setsid mariadbd --defaults-file="$d/my.cnf" "$@" </dev/null >>"$d/error.log" 2>&1 &
    local pid=$! i
    for ((i = 0; i < START_TIMEOUT * 5; i++)); do
        if synced "$n"; then return 0; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$d/error.log" >&2
            die "node $n exited during start-up"
        fi
        sleep 0.2
    done
    tail -n 40 "$d/error.log" >&2
    die "node $n was not Synced within ${START_TIMEOUT}s"
}

bootstrap_node1() {
    local state
    state="$(node_dir 1)/data/grastate.dat"
    # A test cluster stopped or killed as a whole: node 1 may always
    # bootstrap it again (a production cluster would pick its newest node).
    [ -f "$state" ] && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$state"
    log "bootstrapping the cluster on node 1"
    launch 1 --wsrep-new-cluster
    client 1 <<EOF
CREATE USER IF NOT EXISTS '$TIS_USER'@'localhost' IDENTIFIED BY '$TIS_PW';
CREATE USER IF NOT EXISTS '$TIS_USER'@'127.0.0.1' IDENTIFIED BY '$TIS_PW';
GRANT ALL PRIVILEGES ON *.* TO '$TIS_USER'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$TIS_USER'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS tis CHARACTER SET utf8mb4;
EOF
}

running_any() {
    local n
    for n in 1 2 3; do node_pid "$n" >/dev/null && return 0; done
    return 1
}

start_node() {
    local n=$1
    if node_pid "$n" >/dev/null && synced "$n"; then return 0; fi
    install_node "$n"
    write_config "$n"
    if ! running_any; then
        [ "$n" -eq 1 ] || die "no node runs: start the cluster first ($0 start)"
        bootstrap_node1
    else
        log "node $n joining"
        launch "$n"
    fi
}

urls() {
    local n
    for n in 1 2 3; do echo "mysql://$TIS_USER:$TIS_PW@127.0.0.1:$(port_of "$n" mysql)/tis"; done
}

do_start() {
    command -v mariadbd >/dev/null || die "mariadbd not found (run scripts/setup.sh)"
    [ -f "$PROVIDER" ] || die "$PROVIDER not found (install galera-4: scripts/setup.sh)"
    command -v rsync >/dev/null || die "rsync not found (the state transfer needs it; scripts/setup.sh)"
    mkdir -p "$DIR"
    setup_ports
    local n
    for n in 1 2 3; do write_config "$n"; done
    if ! running_any; then start_node 1; fi
    for n in 1 2 3; do start_node "$n"; done
    local size
    size=$(client 1 -e "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
    [ "$size" = 3 ] || die "cluster size is $size, not 3"
    log "running: 3 nodes Synced"
    urls
}

stop_node() {
    local n=$1 pid i
    pid=$(node_pid "$n") || { log "node $n not running"; return 0; }
    mariadb-admin --no-defaults --protocol=socket --socket="$(sock "$n")" -u root --connect-timeout=5 \
        --shutdown-timeout=30 shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    log "node $n stopped"
}

case "$CMD" in
    start) do_start ;;
    stop) for n in 3 2 1; do stop_node "$n"; done ;;
    url) urls ;;
    start-node) [[ "$NODE_ARG" =~ ^[123]$ ]] || usage; setup_ports; start_node "$NODE_ARG" ;;
    stop-node) [[ "$NODE_ARG" =~ ^[123]$ ]] || usage; stop_node "$NODE_ARG" ;;
    *) usage ;;
esac
