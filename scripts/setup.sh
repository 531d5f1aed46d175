#!/usr/bin/env bash
# scripts/setup.sh - install everything tis-sync needs to build and test on a
# fresh Debian 12 machine (run as root). Idempotent: packages already present
# are skipped, and `apt-get update` only runs when something is missing.
# Then, if scripts/opensearch.sh exists, runs `scripts/opensearch.sh setup`.
#
# The system MariaDB and RabbitMQ services are NOT used by the tests
# (scripts/mariadb.sh and scripts/rabbitmq.sh run private servers); if
# Debian's postinst started them, they are stopped and disabled here so they
# do not hold their ports.
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
    build-essential pkg-config
    libmariadb-dev libsqlite3-dev sqlite3 libssl-dev
    libcurl4-openssl-dev libmicrohttpd-dev libjansson-dev
    libcmocka-dev libsystemd-dev cppcheck
    mariadb-server mariadb-client galera-4 rsync
    rabbitmq-server librabbitmq-dev openssl
    prometheus chromium chromium-driver python3-selenium
    clang libclang-rt-14-dev
    python3-pytest python3-pymysql python3-pika python3-jsonschema
    tzdata curl time util-linux bc
)

log() { echo "setup: $*" >&2; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for p in "${PACKAGES[@]}"; do
    is_installed "$p" || missing+=("$p")
done
# scripts/opensearch.sh needs a JDK 17+ and Maven; install Debian's only when
# none is on PATH (the machine may already have its own JDK/Maven).
if [ -f scripts/opensearch.sh ]; then
    command -v java >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ] \
        || missing+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null 2>&1 || missing+=(maven)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}) and not root; run: sudo $0"
    command -v apt-get >/dev/null || die "apt-get not found (Debian 12 expected)"
    log "installing: ${missing[*]}"
    aptlog=$(mktemp /tmp/tis-sync-setup-apt.XXXXXX.log)
    export DEBIAN_FRONTEND=noninteractive
    # Wait for another apt/dpkg run (e.g. a background install) to finish.
    for _ in $(seq 1 600); do
        if command -v fuser >/dev/null 2>&1 && \
           fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock >/dev/null 2>&1; then
            sleep 1
        else
            break
        fi
    done
    if ! apt-get update -q >"$aptlog" 2>&1; then
        tail -n 30 "$aptlog" >&2
        die "apt-get update failed (full log: $aptlog)"
    fi
    if ! apt-get install -y -q --no-install-recommends \
            -o DPkg::Lock::Timeout=600 "${missing[@]}" >>"$aptlog" 2>&1; then
        tail -n 40 "$aptlog" >&2
        die "apt-get install failed (full log: $aptlog)"
    fi
    for p in "${missing[@]}"; do
        is_installed "$p" || die "package $p still not installed after apt-get (log: $aptlog)"
    done
    rm -f "$aptlog"
    log "packages installed"

    # Debian's postinst may have started the system MariaDB, RabbitMQ and
    # Prometheus (we need only its promtool); the tests run private ones.
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now mariadb >/dev/null 2>&1 || true
        systemctl disable --now rabbitmq-server >/dev/null 2>&1 || true
        systemctl disable --now prometheus >/dev/null 2>&1 || true
    else
        if [ -x /etc/init.d/prometheus ] && pgrep -x prometheus >/dev/null 2>&1; then
            /etc/init.d/prometheus stop >/dev/null 2>&1 || true
        fi
        if [ -x /etc/init.d/mariadb ] && pgrep -x mariadbd >/dev/null 2>&1 \
             && [ -e /run/mysqld/mysqld.pid ]; then
            /etc/init.d/mariadb stop >/dev/null 2>&1 || true
        fi
        if [ -x /etc/init.d/rabbitmq-server ] && pgrep -f 'beam.*rabbit@' >/dev/null 2>&1; then
            /etc/init.d/rabbitmq-server stop >/dev/null 2>&1 || true
        fi
    fi
fi

if [ -f scripts/opensearch.sh ]; then
    log "scripts/opensearch.sh setup"
    oslog=$(mktemp /tmp/tis-sync-setup-opensearch.XXXXXX.log)
    if ! bash scripts/opensearch.sh setup >"$oslog" 2>&1; then
        tail -n 40 "$oslog" >&2
        die "scripts/opensearch.sh setup failed (full log: $oslog)"
    fi
    rm -f "$oslog"
fi

log "ok"
