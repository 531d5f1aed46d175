#!/usr/bin/env bash
# scripts/rabbitmq.sh - a PRIVATE RabbitMQ broker for tis-sync's tests
# (Debian's rabbitmq-server, run directly, not as the system service).
#
#   scripts/rabbitmq.sh start [DIR]   start, print "amqp://USER:PASS@127.0.0.1:PORT AMQPS_PORT CA_FILE" last
#   scripts/rabbitmq.sh stop  [DIR]   clean shutdown (broker and its epmd), wait until gone
#   scripts/rabbitmq.sh status [DIR]  exit 0 when running
#
# It owns everything under DIR (default /tmp/tis-sync-rabbitmq, or
# $TIS_SYNC_RABBITMQ_DIR): a node name of its own (tis-test-<n>@localhost),
# its own Erlang port mapper on a private port, mnesia/ and log/, the
# config, a test CA and server certificate (tls/), and the ports it listens
# on, all on 127.0.0.1 only: AMQP, AMQPS (TLS) and Erlang distribution. It
# never touches the system broker (/var/lib/rabbitmq, port 5672, epmd 4369)
# nor its cookie ($HOME is DIR).
#
# Account: the default user tis / tis-test-pw with every permission on the
# virtual host "/" (no guest, no plugins).
set -euo pipefail

CMD=${1:-}
DIR=${2:-${TIS_SYNC_RABBITMQ_DIR:-/tmp/tis-sync-rabbitmq}}
DIR=$(realpath -m "$DIR")
USER_NAME=tis
USER_PW=tis-test-pw
START_TIMEOUT=90
BIN=/usr/lib/rabbitmq/bin

die() { echo "rabbitmq.sh: ERROR: $*" >&2; exit 1; }
log() { echo "rabbitmq.sh: $*" >&2; }
usage() { echo "usage: $0 start|stop|status [DIR]" >&2; exit 2; }

[ -x "$BIN/rabbitmq-server" ] || die "rabbitmq-server is not installed (run scripts/setup.sh)"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The environment every rabbitmq command of this node needs (read from
# DIR/env, written at the first start).
node_env() {
    [ -s "$DIR/env" ] || return 1
    # shellcheck disable=SC1091
    . "$DIR/env"
    export HOME="$DIR" RABBITMQ_NODENAME ERL_EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1 \
        RABBITMQ_CONFIG_FILE="$DIR/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/enabled_plugins" \
        RABBITMQ_MNESIA_BASE="$DIR/mnesia" RABBITMQ_LOG_BASE="$DIR/log" RABBITMQ_PID_FILE="$DIR/rabbitmq.pid" \
        RABBITMQ_DIST_PORT RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
        RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

ctl() { "$BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" "$@"; }

alive() { node_env && ctl status >/dev/null 2>&1; }

# A CA and a server certificate for localhost and 127.0.0.1.
make_certificates() {
    local tls="$DIR/tls"
    mkdir -p "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=tis-sync test CA" \
        -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/server.key" \
        -out "$tls/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$tls/ext.cnf"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
        -days 30 -extfile "$tls/ext.cnf" -out "$tls/server.pem" 2>/dev/null
    chmod 0644 "$tls"/*.pem "$tls"/*.key
}

configure() {
    mkdir -p "$DIR/mnesia" "$DIR/log"
    local n=$(( $$ % 100000 ))
    cat >"$DIR/env" <<EOF
RABBITMQ_NODENAME=tis-test-$n@localhost
ERL_EPMD_PORT=$(free_port)
RABBITMQ_DIST_PORT=$(free_port)
AMQP_PORT=$(free_port)
AMQPS_PORT=$(free_port)
EOF
    # shellcheck disable=SC1091
    . "$DIR/env"
    make_certificates
    echo "[]." >"$DIR/enabled_plugins"
    cat >"$DIR/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
listeners.ssl.default = 127.0.0.1:$AMQPS_PORT
ssl_options.cacertfile = $DIR/tls/ca.pem
ssl_options.certfile = $DIR/tls/server.pem
ssl_options.keyfile = $DIR/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
default_user = $USER_NAME
default_pass = $USER_PW
default_vhost = /
loopback_users = none
log.file.level = info
log.console = false
EOF
}

start() {
    if alive; then
        log "already running ($RABBITMQ_NODENAME)"
    else
        [ -s "$DIR/env" ] || configure
        node_env
        log "starting $RABBITMQ_NODENAME in $DIR"
        "$BIN/rabbitmq-server" >"$DIR/server.out" 2>&1 &
        local deadline=$((SECONDS + START_TIMEOUT))
        until ctl await_startup >/dev/null 2>&1; do
            if [ $SECONDS -ge $deadline ]; then
                tail -n 30 "$DIR/server.out" >&2 || true
                die "RabbitMQ did not start within ${START_TIMEOUT}s (see $DIR/log)"
            fi
            sleep 1
        done
    fi
    echo "amqp://$USER_NAME:$USER_PW@127.0.0.1:$AMQP_PORT $AMQPS_PORT $DIR/tls/ca.pem"
}

stop() {
    node_env || { log "not configured in $DIR"; return 0; }
    if ctl stop >/dev/null 2>&1; then
        log "stopped $RABBITMQ_NODENAME"
    fi
    # the port mapper started with the node serves only this private port
    epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
    local pid
    pid=$(cat "$DIR/rabbitmq.pid" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]]; then
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    fi
}

case "$CMD" in
    start) start ;;
    stop) stop ;;
    status) alive ;;
    *) usage ;;
esac
