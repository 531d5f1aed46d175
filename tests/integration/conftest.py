"""Shared fixtures for tis-sync's integration tests.

Run with Debian's interpreter (it has python3-pytest and python3-pymysql):

    /usr/bin/python3 -m pytest tests/integration

scripts/test.sh sets the environment this reads:

    TIS_SYNC_BIN                  binary under test (default build/tis-sync)
    TIS_SYNC_TEST_MYSQL_URL       mysql://tis:tis-test-pw@127.0.0.1:PORT/tis
    TIS_SYNC_TEST_MYSQL_SOCKET    unix socket path of that private server
    TIS_SYNC_TEST_ES_URL          OpenSearch base URL (optional)

Without a MariaDB URL the MySQL tests are skipped, except under CI=true where
they fail instead (a CI run must never silently skip them).
"""

import os
import re
import secrets
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from fault_proxy import FaultProxy
from search_helpers import Engine

REPO_ROOT = Path(__file__).resolve().parents[2]

# Caller variables that must never leak into the binary under test.
_STRIP_PREFIXES = ("TIS_SYNC_", "DB", "LOG_")
_STRIP_EXACT = ("ES_URLS",)

# Markers a sanitizer build prints on a real error.
_SANITIZER_RE = re.compile(
    r"ERROR: (Address|Leak|Memory|Thread|UndefinedBehavior)Sanitizer|WARNING: ThreadSanitizer"
    r"|: runtime error: "
)


def _in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing_service(what):
    """Skip locally, fail under CI=true."""
    msg = f"{what} is not set (run the tests via scripts/test.sh)"
    if _in_ci():
        pytest.fail(msg + " - not allowed to skip under CI", pytrace=False)
    pytest.skip(msg)


def sanitizer_errors(text):
    """Return the sanitizer error lines (ASan/LSan/UBSan) found in text."""
    return [ln for ln in (text or "").splitlines() if _SANITIZER_RE.search(ln)]


def clean_env(extra=None, log_dir=None):
    """os.environ without TIS_SYNC_*/DB*/ES_URLS/LOG_* variables, plus extra."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_STRIP_PREFIXES) and k not in _STRIP_EXACT
    }
    if log_dir is not None:
        env["LOG_DIR"] = str(log_dir)
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
    return env


# --------------------------------------------------------------------------
# binary under test


@pytest.fixture(scope="session")
def tis_bin():
    """Absolute path of the tis-sync binary (env TIS_SYNC_BIN, default
    build/tis-sync relative to the repo root); fails if it is missing."""
    p = Path(os.environ.get("TIS_SYNC_BIN", "build/tis-sync"))
    if not p.is_absolute():
        p = REPO_ROOT / p
    if not (p.is_file() and os.access(p, os.X_OK)):
        pytest.fail(f"tis-sync binary not found or not executable: {p} "
                    "(build it with `make`, or set TIS_SYNC_BIN)", pytrace=False)
    return str(p)


@pytest.fixture
def log_dir(tmp_path):
    """A per-test directory passed to the binary as LOG_DIR."""
    d = tmp_path / "logs"
    d.mkdir()
    return d


@pytest.fixture
def run_tis(tis_bin, log_dir):
    """run_tis(*args, env=None, timeout=60, input=None, check_sanitizers=True)
    runs the binary and returns a subprocess.CompletedProcess with text
    stdout/stderr and returncode. env is merged over a clean base env (the
    caller's TIS_SYNC_*/DB*/ES_URLS/LOG_* removed, LOG_DIR = per-test tmp dir);
    a value of None removes a variable. Fails the test on a timeout or when a
    sanitizer reported an error on stderr."""

    def run(*args, env=None, timeout=60, input=None, check_sanitizers=True, cwd=None):
        full_env = clean_env(env, log_dir=log_dir)
        cmd = [tis_bin, *[str(a) for a in args]]
        try:
            cp = subprocess.run(
                cmd, env=full_env, input=input, capture_output=True,
                text=True, encoding="utf-8", errors="replace",
                timeout=timeout, cwd=cwd,
            )
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode("utf-8", "replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = e.stderr.decode("utf-8", "replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            pytest.fail(f"{cmd} timed out after {timeout}s\n--- stdout:\n{out}\n--- stderr:\n{err}",
                        pytrace=False)
        if check_sanitizers:
            errs = sanitizer_errors(cp.stderr)
            if errs:
                pytest.fail(f"sanitizer error running {cmd} (rc={cp.returncode}):\n"
                            + cp.stderr[-8000:], pytrace=False)
        return cp

    return run


# --------------------------------------------------------------------------
# MariaDB


class MariaDBServer:
    """The private test server: .url, .host, .port, .user, .password, .socket."""

    def __init__(self, url, socket_path):
        u = urlsplit(url)
        if u.scheme not in ("mysql", "mariadb"):
            raise ValueError(f"not a mysql:// URL: {url}")
        self.url = url
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or 3306
        self.user = unquote(u.username or "tis")
        self.password = unquote(u.password or "")
        self.database = u.path.lstrip("/") or "tis"
        self.socket = socket_path

    def connect(self, database=None, **kw):
        """New pymysql connection over TCP as the tis user (autocommit, utf8mb4)."""
        import pymysql

        return pymysql.connect(
            host=self.host, port=self.port, user=self.user, password=self.password,
            database=database, charset="utf8mb4", autocommit=True,
            connect_timeout=10, **kw,
        )

    def tcp_url(self, database):
        return f"mysql://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def socket_url(self, database):
        if not self.socket:
            return None
        return f"mysql://root@localhost/{database}?socket={self.socket}"


@pytest.fixture(scope="session")
def mariadb_server():
    """Session-wide handle on the private MariaDB started by scripts/mariadb.sh
    (env TIS_SYNC_TEST_MYSQL_URL / TIS_SYNC_TEST_MYSQL_SOCKET). Skips when the
    URL is unset, but fails under CI=true; fails when the server is unreachable."""
    url = os.environ.get("TIS_SYNC_TEST_MYSQL_URL")
    if not url:
        _missing_service("TIS_SYNC_TEST_MYSQL_URL")
    sock = os.environ.get("TIS_SYNC_TEST_MYSQL_SOCKET") or None
    if sock and "socket=" in sock:      # also accept the socket URL form
        sock = parse_qs(urlsplit(sock).query).get("socket", [None])[0]
    server = MariaDBServer(url, sock)
    try:
        server.connect().close()
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"cannot connect to test MariaDB at {url}: {e}", pytrace=False)
    return server


class MySQLDb:
    """A fresh database on the test server: .kind ('mysql'), .name, .url (TCP,
    tis user), .socket_url (root over the unix socket), .connect(), .query(),
    .execute()."""

    kind = "mysql"

    def __init__(self, server, name):
        self.server = server
        self.name = name
        self.url = server.tcp_url(name)
        self.socket_url = server.socket_url(name)
        self._conn = None

    def connect(self):
        """A new pymysql connection to this database (autocommit=True, utf8mb4)."""
        return self.server.connect(database=self.name)

    def _cursor(self):
        if self._conn is None:
            self._conn = self.connect()
        else:
            self._conn.ping(reconnect=True)
        return self._conn.cursor()

    def query(self, sql, params=None):
        """Run sql and return all rows as a list of tuples."""
        with self._cursor() as cur:
            cur.execute(sql, params)
            return [tuple(r) for r in cur.fetchall()]

    def execute(self, sql, params=None):
        """Run one statement (autocommit); returns the affected row count."""
        with self._cursor() as cur:
            return cur.execute(sql, params)

    def close(self):
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001
                pass
            self._conn = None


@pytest.fixture
def mysql_db(mariadb_server):
    """A fresh, empty utf8mb4 database t_<random> on the test MariaDB; dropped
    afterwards."""
    yield from fresh_database(mariadb_server, "t_", lambda name: MySQLDb(mariadb_server, name))


def fresh_database(server, prefix, make):
    """Creates a database PREFIX<random> through SERVER, yields MAKE(name),
    drops the database afterwards."""
    name = prefix + secrets.token_hex(6)
    admin = server.connect()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
        db = make(name)
        try:
            yield db
        finally:
            db.close()
            admin.ping(reconnect=True)
            with admin.cursor() as cur:
                cur.execute("SET SESSION lock_wait_timeout = 30")
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        admin.close()


# --------------------------------------------------------------------------
# Galera (scripts/galera.sh)


class GaleraCluster:
    """The private 3-node cluster of scripts/galera.sh (env
    TIS_SYNC_TEST_GALERA_URLS, TIS_SYNC_TEST_GALERA_DIR): .nodes, one
    MariaDBServer per node; kill_node(n) and start_node(n), n in 1..3."""

    def __init__(self, urls, directory):
        self.nodes = [MariaDBServer(u, None) for u in urls]
        self.dir = directory

    def node_pid(self, n):
        with open(os.path.join(self.dir, f"node{n}", "mysqld.pid")) as f:
            return int(f.read().strip())

    def kill_node(self, n):
        """SIGKILL to node N's mariadbd; returns once it is gone."""
        pid = self.node_pid(n)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.1)

    def start_node(self, n):
        """(Re)starts node N and waits until it is Synced with the others."""
        script = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "galera.sh")
        cp = subprocess.run(["bash", script, "start-node", str(n), self.dir], capture_output=True, text=True,
                            timeout=240)
        assert cp.returncode == 0, cp.stderr[-3000:]


@pytest.fixture(scope="session")
def galera():
    urls = os.environ.get("TIS_SYNC_TEST_GALERA_URLS", "").split()
    directory = os.environ.get("TIS_SYNC_TEST_GALERA_DIR")
    if len(urls) != 3 or not directory:
        _missing_service("TIS_SYNC_TEST_GALERA_URLS")
    cluster = GaleraCluster(urls, directory)
    for node in cluster.nodes:
        try:
            node.connect().close()
        except Exception as e:  # noqa: BLE001
            pytest.fail(f"cannot connect to the Galera node {node.port}: {e}", pytrace=False)
    return cluster


class GaleraDb(MySQLDb):
    """A fresh database on the cluster, seen through node 1 (.url, .query,
    ...); .nodes has the same database seen through each node."""

    def __init__(self, cluster, name):
        super().__init__(cluster.nodes[0], name)
        self.nodes = [MySQLDb(server, name) for server in cluster.nodes]

    def close(self):
        super().close()
        for node in self.nodes:
            node.close()


@pytest.fixture
def galera_db(galera):
    """A fresh database g_<random> on the Galera cluster (made on node 1,
    replicated); dropped afterwards."""
    yield from fresh_database(galera.nodes[0], "g_", lambda name: GaleraDb(galera, name))


# --------------------------------------------------------------------------
# SQLite


class SQLiteDb:
    """A SQLite database file: .kind ('sqlite'), .path, .url ('sqlite:PATH'),
    .connect(), .query(), .execute()."""

    kind = "sqlite"

    def __init__(self, path):
        self.path = str(path)
        self.url = f"sqlite:{self.path}"
        self.socket_url = None

    def connect(self):
        """A new sqlite3 connection (autocommit mode, 10 s busy timeout)."""
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    def query(self, sql, params=None):
        """Run sql and return all rows as a list of tuples."""
        con = self.connect()
        try:
            return [tuple(r) for r in con.execute(sql, params or ()).fetchall()]
        finally:
            con.close()

    def execute(self, sql, params=None):
        """Run one statement (autocommit); returns the affected row count."""
        con = self.connect()
        try:
            return con.execute(sql, params or ()).rowcount
        finally:
            con.close()


@pytest.fixture
def sqlite_db(tmp_path):
    """A SQLite database at <tmp>/tis.db (file not created until first use)."""
    d = tmp_path / "sqlite"
    d.mkdir()
    return SQLiteDb(d / "tis.db")


# --------------------------------------------------------------------------
# either backend


@pytest.fixture(params=["sqlite", "mysql"])
def db(request):
    """Each test using it runs twice: once with sqlite_db, once with mysql_db
    (same .kind/.url/.query/.execute/.connect interface)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_db")
    return request.getfixturevalue("mysql_db")


# --------------------------------------------------------------------------
# OpenSearch


@pytest.fixture(scope="session")
def opensearch_url():
    """Base URL of the test OpenSearch (env TIS_SYNC_TEST_ES_URL, set by
    scripts/test.sh). Skips when unset, but fails under CI=true."""
    url = os.environ.get("TIS_SYNC_TEST_ES_URL")
    if not url:
        _missing_service("TIS_SYNC_TEST_ES_URL")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def engine(opensearch_url):
    return Engine(opensearch_url)


class SearchCluster(Engine):
    """The private 3-node OpenSearch cluster of `scripts/opensearch.sh
    start-cluster` (env TIS_SYNC_TEST_ES_CLUSTER_URLS, comma-separated, and
    TIS_SYNC_TEST_ES_CLUSTER_DIR): .urls, an Engine on node 1, node_pid(n),
    kill_node(n) and restart() (every node back, the cluster green)."""

    def __init__(self, urls, directory):
        super().__init__(urls.split(",")[0])
        self.urls, self.dir = urls, directory

    def node_pid(self, n):
        with open(os.path.join(self.dir, f"node{n}", "pid")) as f:
            return int(f.read().strip())

    def node_of_port(self, port):
        """The node number (1-3) whose HTTP port is PORT."""
        for n in (1, 2, 3):
            with open(os.path.join(self.dir, f"node{n}", "port")) as f:
                if int(f.read().strip()) == port:
                    return n
        raise AssertionError(f"no node listens on {port}")

    def kill_node(self, n):
        pid = self.node_pid(n)
        os.kill(pid, signal.SIGKILL)
        while os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z":
            time.sleep(0.1)

    def restart(self):
        script = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "opensearch.sh")
        cp = subprocess.run(["bash", script, "start-cluster", self.dir], capture_output=True, text=True, timeout=300)
        assert cp.returncode == 0, cp.stderr[-3000:]
        self.urls = cp.stdout.strip().splitlines()[-1]
        self.url = self.urls.split(",")[0]
        self.ok("GET", "/_cluster/health?wait_for_status=green&timeout=120s")


@pytest.fixture(scope="session")
def search_cluster():
    urls = os.environ.get("TIS_SYNC_TEST_ES_CLUSTER_URLS")
    directory = os.environ.get("TIS_SYNC_TEST_ES_CLUSTER_DIR")
    if not urls or not directory:
        _missing_service("TIS_SYNC_TEST_ES_CLUSTER_URLS")
    return SearchCluster(urls, directory)


@pytest.fixture
def alias(engine):
    """A fresh alias name; its indices are deleted afterwards."""
    name = "tp" + secrets.token_hex(4)
    yield name
    for index in engine.indices(name):
        engine.req("DELETE", f"/{index}")


@pytest.fixture
def proxy(opensearch_url):
    p = FaultProxy(opensearch_url).start()
    yield p
    p.stop()


# --------------------------------------------------------------------------
# RabbitMQ


class RabbitBroker:
    """The private test broker (scripts/rabbitmq.sh): .host, .port,
    .tls_port, .ca_file, .user, .password, and .env() for tis-sync."""

    def __init__(self, url, tls_port, ca_file):
        u = urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.user, self.password = unquote(u.username), unquote(u.password)
        self.tls_port, self.ca_file = int(tls_port), ca_file

    def env(self, **extra):
        """The legacy broker variables for tis-sync."""
        return {"RABBITMQ_HOST": self.host, "RABBITMQ_PORT": self.port, "RABBITMQ_USERNAME": self.user,
                "RABBITMQ_PASSWORD": self.password, **extra}

    def connect(self):
        import pika
        credentials = pika.PlainCredentials(self.user, self.password)
        return pika.BlockingConnection(pika.ConnectionParameters(self.host, self.port, "/", credentials))


@pytest.fixture(scope="session")
def rabbit():
    """The test broker (env TIS_SYNC_TEST_RABBITMQ_URL, _TLS_PORT, _CA set by
    scripts/test.sh). Skips when unset, but fails under CI=true."""
    url = os.environ.get("TIS_SYNC_TEST_RABBITMQ_URL")
    if not url:
        _missing_service("TIS_SYNC_TEST_RABBITMQ_URL")
    return RabbitBroker(url, os.environ["TIS_SYNC_TEST_RABBITMQ_TLS_PORT"], os.environ["TIS_SYNC_TEST_RABBITMQ_CA"])
