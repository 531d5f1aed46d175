"""The operator interface from outside the host (issue 8): `tis-sync ctl`
against a live serve, HTTPS, the settings of the HTTP API, and the fixes
found by trying it as a new user would (slow clients, forged log lines)."""

import os
import pty
import re
import select
import socket
import ssl
import subprocess
import time
import urllib.parse

import pytest

from serve_helpers import NO_CATCHUP, NO_SEARCH, prepare_db, serve_factory, wait_until  # noqa: F401
from test_operator_api import TOKEN_AUTH, make_token

JOB = "PostEmployingBodyTrustJob"


@pytest.fixture
def ops(run_tis, sqlite_db, tmp_path):
    """A prepared SQLite database, an operator token in a file, a viewer token."""
    prepare_db(run_tis, sqlite_db)
    token_file = tmp_path / "ops.token"
    token_file.write_text(make_token(run_tis, sqlite_db, "ops", "operator") + "\n")
    return token_file, make_token(run_tis, sqlite_db, "watcher", "viewer")


def ctl(run_tis, s, *args, token_file=None, env=None):
    extra = ["--token-file", str(token_file)] if token_file else []
    return run_tis("ctl", "--url", f"http://127.0.0.1:{s.port}", *extra, *args, env=env, timeout=60)


def test_ctl_against_a_live_service(run_tis, sqlite_db, ops, serve_factory):
    token_file, viewer = ops
    s = serve_factory(sqlite_db.url, env=TOKEN_AUTH)
    # without a terminal, --wait prints one line per change
    cp = ctl(run_tis, s, "run", "PersonPlacementEmployingBodyJob", "--with-dependents", "--wait", token_file=token_file)
    assert cp.returncode == 1, cp.stdout + cp.stderr  # the search job fails here: no search engine
    out = cp.stdout
    assert re.search(r"^PersonPlacementEmployingBodyTrustJob: run (\d+) queued$", out, re.M), out
    assert re.search(r"^run \d+ PersonPlacementEmployingBodyTrustJob: succeeded in \d+\.\d s$", out, re.M), out
    assert re.search(r"^run \d+ PersonElasticSearchSyncJob: failed in \d+\.\d s: read alias: ", out, re.M), out
    first = int(re.search(r"PersonPlacementEmployingBodyTrustJob: run (\d+) queued", out).group(1))
    cp = ctl(run_tis, s, "run", JOB, "--wait", token_file=token_file)
    assert cp.returncode == 0 and re.search(rf"run \d+ {JOB}: succeeded", cp.stdout), cp.stdout + cp.stderr
    # status, history, log
    cp = ctl(run_tis, s, "status", env={"TIS_SYNC_TOKEN": viewer})
    assert cp.returncode == 0, cp.stderr
    assert re.search(rf"^{JOB} +idle +succeeded \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d", cp.stdout, re.M), cp.stdout
    assert "RevalCurrentPmSyncJob" not in cp.stdout  # not available without a broker
    cp = ctl(run_tis, s, "history", "PersonElasticSearchSyncJob", env={"TIS_SYNC_TOKEN": viewer})
    assert cp.returncode == 0 and re.search(r"PersonElasticSearchSyncJob +failed +api:ops", cp.stdout), cp.stdout
    cp = ctl(run_tis, s, "log", str(first), token_file=token_file)
    assert cp.returncode == 0 and "Sync [PersonPlacementEmployingBodyTrustJob] started" in cp.stdout
    # pause, resume; cancel of a run that ended
    cp = ctl(run_tis, s, "pause", JOB, token_file=token_file)
    assert (cp.returncode, cp.stdout) == (0, f"{JOB} paused\n")
    assert ctl(run_tis, s, "pause", JOB, token_file=token_file).stdout == f"{JOB} paused (it already was)\n"
    assert "paused" in ctl(run_tis, s, "status", token_file=token_file).stdout
    assert ctl(run_tis, s, "resume", JOB, token_file=token_file).returncode == 0
    cp = ctl(run_tis, s, "cancel", str(first), token_file=token_file)
    assert cp.returncode == 1 and f"Run {first} has already ended (succeeded) (HTTP 409)" in cp.stderr, cp.stderr
    # refusals say what to do, and never show the token
    cp = ctl(run_tis, s, "status")
    assert cp.returncode == 1 and "refused the token (401" in cp.stderr and "TIS_SYNC_TOKEN" in cp.stderr
    cp = ctl(run_tis, s, "pause", JOB, env={"TIS_SYNC_TOKEN": viewer})
    assert cp.returncode == 1 and "needs an operator token (403)" in cp.stderr
    assert viewer not in cp.stderr + cp.stdout
    cp = ctl(run_tis, s, "run", "NoSuchJob", token_file=token_file)
    assert cp.returncode == 1 and "Unknown job (HTTP 404)" in cp.stderr
    for args in (("frobnicate",), ("log",), ("run",), ("status", "--wait"), ("pause", "a", "b")):
        assert ctl(run_tis, s, *args, token_file=token_file).returncode == 2, args
    assert s.stop() == 0
    cp = ctl(run_tis, s, "status", token_file=token_file)
    assert cp.returncode == 1 and "cannot reach the service" in cp.stderr


def test_ctl_wait_on_a_terminal_draws_progress_bars(tis_bin, sqlite_db, ops, serve_factory, log_dir):
    token_file, _ = ops
    s = serve_factory(sqlite_db.url, env=TOKEN_AUTH)
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIS_SYNC")}
    env["LOG_DIR"] = str(log_dir)
    proc = subprocess.Popen([tis_bin, "ctl", "--url", f"http://127.0.0.1:{s.port}", "--token-file", str(token_file),
                             "chain", "--wait"], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(master)
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 1, text  # the index jobs fail without a search engine
    assert re.search(r"PersonOwnerRebuildJob +\[#{28}\] 100% .*succeeded", text), text
    assert "\x1b[2K" in text and "\x1b[9A" in text  # each round redraws the nine lines
    assert re.search(r"PersonElasticSearchSyncJob +\[\.{28}\] +0% .*failed", text), text
    assert s.stop() == 0


def test_https(run_tis, sqlite_db, ops, serve_factory, tmp_path):
    token_file, viewer = ops
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    s = serve_factory(sqlite_db.url, env={**TOKEN_AUTH, "TIS_SYNC_HTTP_TLS_CERT": str(cert),
                                          "TIS_SYNC_HTTP_TLS_KEY": str(key)})
    context = ssl.create_default_context(cafile=str(cert))
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := tls.recv(65536):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b'"status":"ok"' in answer, answer
    cp = run_tis("ctl", "--url", f"https://127.0.0.1:{s.port}", "--ca-file", str(cert), "status",
                 env={"TIS_SYNC_TOKEN": viewer})
    assert cp.returncode == 0 and JOB in cp.stdout, cp.stderr
    cp = run_tis("ctl", "--url", f"https://127.0.0.1:{s.port}", "status", env={"TIS_SYNC_TOKEN": viewer})
    assert cp.returncode == 1 and "cannot reach the service" in cp.stderr  # not a CA the system trusts
    assert s.raw(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").find(b"200 OK") < 0  # no plain HTTP
    assert s.stop() == 0


def test_http_settings_are_checked(run_tis, sqlite_db, tmp_path):
    url = sqlite_db.url
    cp = run_tis("--db", url, "--listen", "0.0.0.0:0", "serve", env={"TIS_SYNC_HTTP_AUTH": "none"}, timeout=20)
    assert cp.returncode == 2, cp.stderr
    assert "http.auth = none (from environment variable TIS_SYNC_HTTP_AUTH) is refused: http.listen '0.0.0.0:0' " \
           "(from flag --listen) is not a loopback address" in cp.stderr
    cp = run_tis("--db", url, "serve", env={"TIS_SYNC_HTTP_AUTH": "maybe"}, timeout=20)
    assert cp.returncode == 2 and "bad value 'maybe' for http.auth" in cp.stderr and "token|none" in cp.stderr
    cp = run_tis("--db", url, "serve", env={"TIS_SYNC_HTTP_TLS_CERT": str(tmp_path / "c.pem")}, timeout=20)
    assert cp.returncode == 2 and "http.tls_cert (from environment variable TIS_SYNC_HTTP_TLS_CERT) needs " \
                                  "http.tls_key as well" in cp.stderr, cp.stderr
    missing = {"TIS_SYNC_HTTP_TLS_CERT": str(tmp_path / "c.pem"), "TIS_SYNC_HTTP_TLS_KEY": str(tmp_path / "k.pem"),
               **NO_CATCHUP}
    cp = run_tis("--db", url, "--listen", "127.0.0.1:0", "serve", env=missing, timeout=20)
    assert cp.returncode == 1 and "cannot read http.tls_cert" in cp.stderr + cp.stdout, cp.stderr
    ref = run_tis("config-reference").stdout
    for key in ("http.auth", "TIS_SYNC_HTTP_AUTH", "http.tls_cert", "http.tls_key", "http.metrics_auth",
                "http.max_connections", "http.max_connections_per_address"):
        assert key in ref, key


# ---- the fixes -----------------------------------------------------------------

def test_slow_clients_do_not_starve_health(run_tis, sqlite_db, serve_factory):
    """80 clients that send a header line every few seconds and never finish
    their request: each address gets a bounded number of connections, each
    has 10 s to send its headers, and /health keeps answering."""
    prepare_db(run_tis, sqlite_db)
    s = serve_factory(sqlite_db.url, env={**NO_CATCHUP, **NO_SEARCH})
    slow = []
    for _ in range(80):
        c = socket.socket()
        c.bind(("127.0.0.2", 0))
        c.settimeout(5)
        try:
            c.connect(("127.0.0.1", s.port))
            c.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            slow.append(c)
        except OSError:
            c.close()
    # ... and clients that send whole headers, then their body a byte at a time
    for _ in range(5):
        c = socket.socket()
        c.bind(("127.0.0.3", 0))
        c.settimeout(5)
        c.connect(("127.0.0.1", s.port))
        c.sendall(b"PUT /sync/api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        slow.append(c)
    t0 = time.monotonic()
    worst = 0.0
    while time.monotonic() - t0 < 16:
        for c in slow:
            try:
                c.sendall(b"X-Slow: 1\r\n")
            except OSError:
                pass
        start = time.monotonic()
        status, _ = s.request("GET", "/health", timeout=5)
        worst = max(worst, time.monotonic() - start)
        assert status == 200
        time.sleep(2)
    assert worst < 1.0, worst

    def closed(c):
        try:
            c.settimeout(0.2)
            return c.recv(1024) == b""
        except socket.timeout:
            return False
        except OSError:
            return True
    # every slow connection was refused or dropped by now (10 s header deadline)
    still_open = [c for c in slow if not closed(c)]
    assert not still_open, f"{len(still_open)} of {len(slow)} slow connections still open"
    for c in slow:
        c.close()
    # a body announced too large is refused before it is read
    big = s.raw(b"PUT /sync/api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n", timeout=5)
    assert big.startswith(b"HTTP/1.1 413"), big[:200]
    assert s.stop() == 0


def test_a_path_cannot_forge_a_log_line(sqlite_db, serve_factory, run_tis):
    prepare_db(run_tis, sqlite_db)
    s = serve_factory(sqlite_db.url, env={**NO_CATCHUP, **NO_SEARCH})
    forged = "x\n2026-01-01T00:00:00.000Z INFO  Sync job [PersonElasticSearchSyncJob] finished. Total time taken"
    status, doc = s.request("PUT", "/sync/api/job/" + urllib.parse.quote(forged))
    assert (status, doc) == (400, {"error": "Job not found"})
    status, _ = s.request("GET", "/nope%0a2026-01-01T00:00:00.000Z%20INFO%20forged")
    assert status == 404
    # quoted on one line: the newline it sent is written \n
    s.wait_for(r"Audit: api from 127\.0\.0\.1: PUT /sync/api/job/x\\n2026-01-01T00:00:00\.000Z INFO  Sync job "
               r"\[PersonElasticSearchSyncJob\] finished\. Total time taken: 400 Job not found")
    assert s.stop() == 0
    for text in (s.log(), (s.err_path.parent / "sync.log").read_text()):
        assert not any(line.startswith("2026-01-01") for line in text.splitlines())
