"""Helpers for the tests of `tis-sync serve`: start the daemon in the
background, wait for its log lines, talk to its HTTP API, stop it, and
read the run history."""

import calendar
import http.client
import json
import re
import signal
import socket
import subprocess
import time
from datetime import datetime, timezone

import pytest

from conftest import clean_env, sanitizer_errors

# The nightly chain (SPEC-2026 2) without a broker: the two reval jobs
# exist only when RABBITMQ_HOST is set.
CHAIN = [
    "PersonOwnerRebuildJob",
    "PersonPlacementEmployingBodyTrustJob",
    "PersonPlacementTrainingBodyTrustJob",
    "PostEmployingBodyTrustJob",
    "PostTrainingBodyTrustJob",
    "PersonRecordStatusJob",
    "PersonElasticSearchSyncJob",
    "PostFundingStatusSyncJob",
    "PostElasticSearchSyncJob",
]
SEARCH_JOBS = {"PersonElasticSearchSyncJob", "PostElasticSearchSyncJob"}
REVAL_JOBS = ["RevalCurrentPmSyncJob", "RevalCurrentPlacementSyncJob"]

# The search job is not under test here: point it at a closed port so that
# it fails at once instead of retrying.
NO_SEARCH = {"TIS_SYNC_ES_URL": "http://127.0.0.1:1", "TIS_SYNC_ES_RETRIES": "0"}
# No startup catch-up at all: an empty window and policy skip.
NO_CATCHUP = {
    "APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "00:00",
    "APPLICATION_JOBS_RUNONSTARTUP_LATEST": "00:00",
    "TIS_SYNC_OUT_OF_DATE_POLICY": "skip",
}


class ApiAnswer:
    """What Serve.call got back."""

    def __init__(self, status, headers, text, doc, conn):
        self.status, self.headers, self.text, self.json, self.conn = status, headers, text, doc, conn
        self.response = None

    @property
    def content_type(self):
        return self.headers.get("content-type", "").split(";")[0].strip()

    def __repr__(self):
        return f"<{self.status} {self.content_type} {self.text!r:.300}>"


class Serve:
    """One `tis-sync serve` process; its stderr goes to a file we poll."""

    _count = 0

    def __init__(self, tis_bin, db_url, log_dir, env=None, args=()):
        Serve._count += 1
        self.name = f"serve{Serve._count}"
        self.err_path = log_dir / f"{self.name}.stderr"
        # The tests of the operator interface ask for tokens (http.auth =
        # token); the others talk to the API as a local script would.
        base = {"TIS_SYNC_DB": db_url, "TIS_SYNC_HTTP_LISTEN": "127.0.0.1:0", "TIS_SYNC_HTTP_AUTH": "none",
                **NO_SEARCH}
        base.update(env or {})
        self.env = clean_env(base, log_dir=log_dir)
        self._err = open(self.err_path, "w")
        self.proc = subprocess.Popen([tis_bin, *[str(a) for a in args], "serve"], env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._err)
        self.pid = self.proc.pid
        self._port = None

    def log(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def _fail(self, what):
        pytest.fail(f"{self.name} (pid {self.pid}): {what}\n--- log tail:\n{self.log()[-6000:]}", pytrace=False)

    def wait_for(self, pattern, timeout=20, count=1):
        """Waits until PATTERN (regex) matched COUNT times in the log; returns the last match."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            found = list(rx.finditer(self.log()))
            if len(found) >= count:
                return found[count - 1]
            if self.proc.poll() is not None:
                self._fail(f"exited ({self.proc.returncode}) before logging /{pattern}/")
            if time.monotonic() > deadline:
                self._fail(f"no /{pattern}/ (x{count}) within {timeout}s")
            time.sleep(0.05)

    @property
    def port(self):
        if self._port is None:
            self._port = int(self.wait_for(r"HTTP API on port (\d+)").group(1))
        return self._port

    def request(self, method, path, body=None, headers=None, timeout=10):
        """(status, parsed JSON or raw text) of one HTTP request."""
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            con.request(method, path, body=body, headers=headers or {})
            resp = con.getresponse()
            raw = resp.read().decode("utf-8", "replace")
            try:
                return resp.status, json.loads(raw)
            except ValueError:
                return resp.status, raw
        finally:
            con.close()

    def call(self, method, path, token=None, body=None, source="127.0.0.1", timeout=10, stream=False):
        """One request as an API client makes it: a bearer TOKEN (or none),
        from the loopback address SOURCE (failed attempts are limited per
        address). Returns an ApiAnswer; with STREAM the body is not read
        (an event stream), and .conn is left open for the caller."""
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(source, 0))
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = body if isinstance(body, str) else json.dumps(body)
        con.request(method, path, body=body, headers=headers)
        resp = con.getresponse()
        answer = ApiAnswer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, None, None, con)
        if stream:
            answer.response = resp
            return answer
        answer.text = resp.read().decode("utf-8", "replace")
        con.close()
        try:
            answer.json = json.loads(answer.text)
        except ValueError:
            pass
        return answer

    def raw(self, data, timeout=5):
        """Sends raw bytes; returns whatever comes back before the close."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            try:
                while True:
                    c = s.recv(65536)
                    if not c:
                        break
                    chunks.append(c)
            except (socket.timeout, ConnectionResetError):
                pass
            return b"".join(chunks)

    def wait_running(self, job_key, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, doc = self.request("GET", "/sync/api/jobs/status")
            if status == 200 and doc.get(job_key):
                return
            time.sleep(0.05)
        self._fail(f"{job_key} never showed as running")

    def send(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signals the process and waits for it; returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self._fail(f"did not exit within {timeout}s of {sig}")
        self._err.close()
        self.check_sanitizers()
        return self.proc.returncode

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self._err.close()

    def check_sanitizers(self):
        errs = sanitizer_errors(self.log())
        if errs:
            self._fail("sanitizer errors: " + "; ".join(errs[:5]))


@pytest.fixture
def serve_factory(tis_bin, log_dir):
    """serve_factory(db_url, env=None, args=()) starts a Serve; every one
    still running at the end of the test is killed."""
    started = []

    def start(db_url, env=None, args=()):
        s = Serve(tis_bin, db_url, log_dir, env=env, args=args)
        started.append(s)
        return s

    yield start
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()
        if not s._err.closed:
            s._err.close()


def prepare_db(run_tis, db, persons=40):
    """The development TCS schema, some demo data and the service tables."""
    for args in (("init-db", "--tcs"), ("demo-data", "--persons", persons)):
        cp = run_tis("--db", db.url, *args)
        assert cp.returncode == 0, cp.stderr


def history(db, job=None):
    """Rows (id, job, trigger_kind, status, error, pid, started_at) in id order."""
    sql = "SELECT id, job, trigger_kind, status, error, pid, started_at FROM tis_sync_run"
    params = ()
    if job:
        sql += " WHERE job = " + ("?" if db.kind == "sqlite" else "%s")
        params = (job,)
    return db.query(sql + " ORDER BY id", params)


def to_epoch(value):
    """A started_at value (datetime from MariaDB, text from SQLite) as UTC epoch seconds (float)."""
    if isinstance(value, datetime):
        return calendar.timegm(value.timetuple()) + value.microsecond / 1e6
    d = datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    frac = float("0" + value[19:]) if len(value) > 19 else 0.0
    return d.timestamp() + frac


def insert_history(db, job, started, status, trigger="cron", scheduled_for=None):
    """A history row as if an earlier run had happened (STARTED: 'YYYY-MM-DD HH:MM:SS' UTC;
    SCHEDULED_FOR: the cron fire time it was for, same format, or None)."""
    ph = ", ".join(["?" if db.kind == "sqlite" else "%s"] * 8)
    db.execute("INSERT INTO tis_sync_run (job, trigger_kind, host, pid, started_at, finished_at, status, "
               f"scheduled_for, rows_written) VALUES ({ph}, 0)",
               (job, trigger, "earlier-host", 1, started + ".000", started + ".500", status, scheduled_for))


def wait_until(predicate, timeout=20, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}", pytrace=False)

