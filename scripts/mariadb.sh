#!/usr/bin/env bash
# scripts/mariadb.sh - a PRIVATE MariaDB server for tis-sync's tests.
#
#   scripts/mariadb.sh start [DIR]   start (idempotent), print the TCP URL last
#   scripts/mariadb.sh stop  [DIR]   clean shutdown, wait until gone
#   scripts/mariadb.sh url   [DIR]   print the TCP URL, then the socket URL
#   scripts/mariadb.sh status [DIR]  exit 0 when running
#
# It owns everything under DIR (default /tmp/tis-sync-mariadb, or
# $TIS_SYNC_MARIADB_DIR): data/ (made by mariadb-install-db), mysqld.sock,
# mysqld.pid, error.log and port (the TCP port it listens on, 127.0.0.1 only,
# a free port picked at first start). It never touches the system MariaDB
# (/var/lib/mysql, /run/mysqld, port 3306) and reads no /etc/mysql config
# (--no-defaults everywhere).
#
# Accounts: root@localhost via unix_socket (OS user root, the default), and
# 'tis'@'localhost' + 'tis'@'127.0.0.1' with password tis-test-pw and ALL
# PRIVILEGES on *.* (tests create and drop many databases). Databases tis and
# tis_test are created.
#
# Env: TIS_SYNC_MARIADB_BUFFER_POOL (innodb_buffer_pool_size, default 256M),
#      TIS_SYNC_MARIADB_PORT (force a port instead of picking a free one),
#      TIS_SYNC_MARIADB_DIR (default DIR).
set -euo pipefail

CMD=${1:-}
DIR=${2:-${TIS_SYNC_MARIADB_DIR:-/tmp/tis-sync-mariadb}}
DIR=$(realpath -m "$DIR")     # absolute: the socket path goes into URLs
BUFFER_POOL=${TIS_SYNC_MARIADB_BUFFER_POOL:-256M}
TIS_USER=tis
TIS_PW=tis-test-pw
START_TIMEOUT=60

DATA="$DIR/data"
SOCK="$DIR/mysqld.sock"
PIDFILE="$DIR/mysqld.pid"
ERRLOG="$DIR/error.log"
PORTFILE="$DIR/port"

die() { echo "mariadb.sh: ERROR: $*" >&2; exit 1; }
log() { echo "mariadb.sh: $*" >&2; }

usage() { echo "usage: $0 start|stop|url|status [DIR]" >&2; exit 2; }

# unix socket paths are limited to 107 bytes (sun_path)
[ "${#SOCK}" -le 107 ] || die "socket path too long (${#SOCK} > 107 bytes): $SOCK; use a shorter DIR"

# mariadbd refuses to run as root unless told to.
RUN_AS=()
[ "$(id -u)" -eq 0 ] && RUN_AS=(--user=root)
ADMIN_USER=$(id -un)    # unix_socket account made by mariadb-install-db

client() {   # client SQL via the socket as the OS user (unix_socket auth)
    mariadb --no-defaults --protocol=socket --socket="$SOCK" -u "$ADMIN_USER" \
        --default-character-set=utf8mb4 --batch --skip-column-names "$@"
}

server_pid() {
    local pid
    [ -s "$PIDFILE" ] || return 1
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # make sure the pid is really a mariadbd (not a recycled pid)
    grep -qa mariadbd "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

alive() {    # server process exists and answers on the socket
    server_pid >/dev/null || return 1
    mariadb-admin --no-defaults --protocol=socket --socket="$SOCK" \
        -u "$ADMIN_USER" --connect-timeout=2 ping >/dev/null 2>&1
}

tcp_url()    { echo "mysql://$TIS_USER:$TIS_PW@127.0.0.1:$(cat "$PORTFILE")/tis"; }
socket_url() { echo "mysql://root@localhost/tis?socket=$SOCK"; }

port_free() {   # can mariadbd (which sets SO_REUSEADDR) listen on 127.0.0.1:$1?
    python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen(1)
except OSError:
    sys.exit(1)
EOF
}

pick_port() {
    if [ -n "${TIS_SYNC_MARIADB_PORT:-}" ]; then echo "$TIS_SYNC_MARIADB_PORT"; return; fi
    # reuse the stored port when it is still free
    if [ -s "$PORTFILE" ] && port_free "$(cat "$PORTFILE")"; then cat "$PORTFILE"; return; fi
    # else a random free port below the kernel's ephemeral range (32768+), so
    # outgoing connections cannot grab it between restarts
    local i p
    for ((i = 0; i < 50; i++)); do
        p=$((20000 + RANDOM % 12000))
        if port_free "$p"; then echo "$p"; return; fi
    done
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

log_tail() {
    if [ -f "$ERRLOG" ]; then
        echo "---- last lines of $ERRLOG ----" >&2
        tail -n 30 "$ERRLOG" >&2
        echo "----" >&2
    fi
}

install_db() {
    [ -d "$DATA/mysql" ] && return 0
    command -v mariadb-install-db >/dev/null || die "mariadb-install-db not found (run scripts/setup.sh)"
    rm -rf "$DATA"
    mkdir -p "$DATA"
    log "initialising $DATA"
    local out
    if ! out=$(mariadb-install-db --no-defaults "${RUN_AS[@]}" --datadir="$DATA" \
            --auth-root-authentication-method=socket --skip-test-db \
            --skip-name-resolve 2>&1); then
        echo "$out" | tail -n 30 >&2
        rm -rf "$DATA"
        die "mariadb-install-db failed"
    fi
}

launch() {   # start mariadbd in the background on port $1
    : >"$ERRLOG"
    rm -f "$SOCK" "$SOCK.lock" "$PIDFILE"
    # setsid: detach from our session so it outlives this script
    setsid mariadbd --no-defaults "${RUN_AS[@]}" \
        --datadir="$DATA" \
        --socket="$SOCK" \
        --port="$1" \
        --bind-address=127.0.0.1 \
        --pid-file="$PIDFILE" \
        --log-error="$ERRLOG" \
        --innodb-buffer-pool-size="$BUFFER_POOL" \
        --innodb-flush-log-at-trx-commit=2 \
        --skip-name-resolve \
        --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_general_ci \
        --max-connections=500 \
        </dev/null >>"$ERRLOG" 2>&1 &
    echo $!
}

wait_ready() {   # wait for the socket to answer; 0 ok, 1 died, 2 timeout
    local pid=$1 i
    for ((i = 0; i < START_TIMEOUT * 5; i++)); do
        if mariadb-admin --no-defaults --protocol=socket --socket="$SOCK" \
                -u "$ADMIN_USER" --connect-timeout=2 ping >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 2
}

create_accounts() {
    client <<EOF
CREATE USER IF NOT EXISTS '$TIS_USER'@'localhost' IDENTIFIED BY '$TIS_PW';
CREATE USER IF NOT EXISTS '$TIS_USER'@'127.0.0.1' IDENTIFIED BY '$TIS_PW';
ALTER USER '$TIS_USER'@'localhost' IDENTIFIED BY '$TIS_PW';
ALTER USER '$TIS_USER'@'127.0.0.1' IDENTIFIED BY '$TIS_PW';
GRANT ALL PRIVILEGES ON *.* TO '$TIS_USER'@'localhost' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$TIS_USER'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS tis CHARACTER SET utf8mb4;
CREATE DATABASE IF NOT EXISTS tis_test CHARACTER SET utf8mb4;
FLUSH PRIVILEGES;
EOF
    # check the TCP account really works
    mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$(cat "$PORTFILE")" \
        -u "$TIS_USER" -p"$TIS_PW" -e 'SELECT 1' tis >/dev/null \
        || die "cannot log in as $TIS_USER over TCP port $(cat "$PORTFILE")"
}

do_start() {
    if alive; then
        tcp_url
        return 0
    fi
    if pid=$(server_pid); then
        # process exists but does not answer: maybe still starting up
        if wait_ready "$pid"; then tcp_url; return 0; fi
        die "mariadbd (pid $pid) is running but not answering on $SOCK; try: $0 stop $DIR"
    fi
    command -v mariadbd >/dev/null || die "mariadbd not found (run scripts/setup.sh)"
    mkdir -p "$DIR"
    install_db

    local attempt port pid rc
    for attempt in 1 2 3; do
        port=$(pick_port) || die "cannot pick a free port"
        pid=$(launch "$port")
        rc=0
        wait_ready "$pid" || rc=$?
        if [ "$rc" -eq 0 ]; then
            echo "$port" >"$PORTFILE"
            create_accounts
            log "running: pid $(cat "$PIDFILE" 2>/dev/null || echo "$pid"), port $port, socket $SOCK"
            tcp_url
            return 0
        fi
        if [ "$rc" -eq 1 ] && grep -q 'Address already in use\|Do you already have another' "$ERRLOG" \
                && [ -z "${TIS_SYNC_MARIADB_PORT:-}" ]; then
            log "port $port taken, retrying with another one"
            rm -f "$PORTFILE"
            continue
        fi
        break
    done
    if [ "$rc" -eq 2 ]; then
        log "mariadbd did not accept connections within ${START_TIMEOUT}s"
        kill "$pid" 2>/dev/null || true
    else
        log "mariadbd exited during start-up"
    fi
    log_tail
    exit 1
}

do_stop() {
    local pid i
    if ! pid=$(server_pid); then
        rm -f "$SOCK" "$SOCK.lock" "$PIDFILE"
        log "not running"
        return 0
    fi
    mariadb-admin --no-defaults --protocol=socket --socket="$SOCK" \
        -u "$ADMIN_USER" --connect-timeout=5 --shutdown-timeout=30 shutdown >/dev/null 2>&1 || true
    for ((i = 0; i < 150; i++)); do       # 30 s
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "clean shutdown timed out, sending SIGTERM to $pid"
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do   # 20 s
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
    fi
    if kill -0 "$pid" 2>/dev/null; then
        log "still running, sending SIGKILL to $pid"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$SOCK" "$SOCK.lock" "$PIDFILE"
    log "stopped"
}

do_url() {
    [ -s "$PORTFILE" ] || die "no server set up in $DIR (run: $0 start $DIR)"
    alive || die "server in $DIR is not running (run: $0 start $DIR)"
    tcp_url
    socket_url
}

case "$CMD" in
    start)  do_start ;;
    stop)   do_stop ;;
    url)    do_url ;;
    status) alive ;;
    *)      usage ;;
esac
