"""The operator interface over HTTP (issue 8): tokens and roles on every
endpoint, API v1 checked against api/openapi.json, runs and their logs,
409s, cancel and pause (also across two instances on MariaDB), the event
stream, and the Prometheus metrics checked by promtool."""

import hashlib
import json
import re
import subprocess
import time

import pytest

import openapi_check
from serve_helpers import NO_CATCHUP, NO_SEARCH, history, prepare_db, serve_factory, wait_until  # noqa: F401

TOKEN_AUTH = {**NO_CATCHUP, **NO_SEARCH, "TIS_SYNC_HTTP_AUTH": "token"}
JOB = "PostEmployingBodyTrustJob"
ENDED = {"succeeded", "failed", "skipped", "cancelled", "aborted", "abandoned", "crashed"}


def make_token(run_tis, db, name, role):
    cp = run_tis("--db", db.url, "token", "new", name, "--role", role)
    assert cp.returncode == 0, cp.stderr
    token = cp.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{64}", token), cp.stdout  # 256 random bits, alone on the last line
    return token


@pytest.fixture
def tokens(run_tis, db):
    prepare_db(run_tis, db)
    made = {role: make_token(run_tis, db, role + "-1", role) for role in ("viewer", "operator")}
    made["revoked"] = make_token(run_tis, db, "gone", "operator")
    assert run_tis("--db", db.url, "token", "revoke", "gone").returncode == 0
    made["unknown"] = "ab" * 32
    return made


class Sources:
    """A new loopback address per failing request, so that the limit on
    failed attempts per address does not mix into what a test checks."""

    def __init__(self, first=2):
        self.n = first

    def __call__(self):
        self.n += 1
        return f"127.0.{self.n // 250}.{self.n % 250 + 2}"


def checked(s, method, path, token=None, body=None, source="127.0.0.1"):
    """A request whose answer must be as api/openapi.json describes it."""
    answer = s.call(method, path, token=token, body=body, source=source)
    openapi_check.check(method, path, answer)
    return answer


def wait_run(s, token, run_id, statuses=ENDED, timeout=30):
    def ended():
        a = checked(s, "GET", f"/api/v1/runs/{run_id}", token)
        return a.json if a.json["status"] in statuses else None
    return wait_until(ended, timeout=timeout, what=f"run {run_id} in {statuses}")


# ---- tokens and roles ------------------------------------------------------

ENDPOINTS = [  # method, path, what it needs
    ("GET", "/health", "open"),
    ("GET", "/readyz", "open"),
    ("GET", "/metrics", "viewer"),
    ("GET", "/api/v1/openapi.json", "viewer"),
    ("GET", "/api/v1/jobs", "viewer"),
    ("GET", "/api/v1/runs", "viewer"),
    ("GET", "/api/v1/runs/1", "viewer"),
    ("GET", "/api/v1/runs/1/log", "viewer"),
    ("GET", "/api/v1/events", "viewer"),
    ("GET", "/api/v1/instances", "viewer"),
    ("GET", "/", "open"),
    ("GET", "/console/app.js", "open"),
    ("GET", "/api/v1/session", "anyone but a bad token"),  # who is signed in: no one is fine
    ("DELETE", "/api/v1/session", "viewer"),
    ("GET", "/sync/api/jobs/status", "viewer"),
    ("GET", "/sync/api/jobs/progress", "viewer"),
    ("GET", "/sync/api/sys/profile", "viewer"),
    ("POST", f"/api/v1/jobs/{JOB}/pause", "operator"),
    ("POST", f"/api/v1/jobs/{JOB}/resume", "operator"),
    ("POST", f"/api/v1/jobs/{JOB}/runs", "operator"),
    ("POST", "/api/v1/chain/runs", "operator"),
    ("POST", "/api/v1/runs/1/cancel", "operator"),
    ("PUT", f"/sync/api/job/{JOB}", "operator"),
    ("PUT", "/sync/api/jobs", "operator"),
]


SQLITE_ONLY = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_every_endpoint_asks_the_right_role(db, tokens, serve_factory):
    s = serve_factory(db.url, env=TOKEN_AUTH)
    source = Sources()
    for method, path, needs in ENDPOINTS:
        stream = path == "/api/v1/events"
        for who in ("none", "unknown", "revoked", "viewer", "operator"):
            token = None if who == "none" else tokens[who]
            a = s.call(method, path, token=token, source=source(), stream=stream)
            if stream:
                a.conn.close()
                a.text = ""
            allowed = needs == "open" or who == "operator" or (who == "viewer" and needs != "operator") or \
                (who == "none" and needs == "anyone but a bad token")
            where = f"{method} {path} as {who}: {a!r}"
            if allowed:
                assert a.status not in (401, 403, 429), where
            elif who in ("none", "unknown", "revoked"):
                assert a.status == 401, where
                assert a.headers["www-authenticate"].startswith("Bearer"), where
            else:
                assert a.status == 403 and a.json == {"error": "This needs an operator token"}, where
            if not stream:
                openapi_check.check(method, path, a)
    assert s.stop() == 0
    log = s.log()
    # a viewer's refused change is in the audit log, with the address it came from
    assert re.search(r"Audit: api:viewer-1 from 127\.0\.\d+\.\d+: /api/v1/chain/runs: refused", log), log[-3000:]
    assert tokens["operator"] not in log and tokens["viewer"] not in log  # secrets never logged


def test_token_cli_keeps_only_a_hash(sqlite_db, run_tis):
    db = sqlite_db
    assert run_tis("--db", db.url, "init-db").returncode == 0
    token = make_token(run_tis, db, "ops.team_1", "operator")
    rows = db.query("SELECT name, role, token_hash, revoked_at FROM tis_sync_token")
    assert rows == [("ops.team_1", "operator", hashlib.sha256(token.encode()).hexdigest(), None)]
    listed = run_tis("--db", db.url, "token", "list")
    assert listed.returncode == 0 and "ops.team_1" in listed.stdout and "operator" in listed.stdout
    assert token not in listed.stdout and rows[0][2] not in listed.stdout
    again = run_tis("--db", db.url, "token", "new", "ops.team_1", "--role", "viewer")
    assert again.returncode == 1 and "ops.team_1" in again.stderr
    assert run_tis("--db", db.url, "token", "revoke", "ops.team_1").returncode == 0
    assert "ops.team_1" in run_tis("--db", db.url, "token", "list").stdout
    gone = run_tis("--db", db.url, "token", "revoke", "ops.team_1")
    assert gone.returncode == 1 and "no active token named 'ops.team_1'" in gone.stderr
    for args, message in [(("new", "x", "--role", "admin"), "--role expects viewer or operator"),
                          (("new", "bad name"), "token names are"),
                          (("new", "x"), "needs --role"),
                          (("drop", "x"), "token new NAME")]:
        cp = run_tis("--db", db.url, "token", *args)
        assert cp.returncode == 2 and message in cp.stderr, cp.stderr
    # a revoked name can be made again
    make_token(run_tis, db, "ops.team_1", "viewer")


@SQLITE_ONLY
def test_failed_attempts_are_limited_per_address(db, tokens, serve_factory):
    s = serve_factory(db.url, env=TOKEN_AUTH)
    bad = "127.0.0.77"
    for _ in range(10):
        assert s.call("GET", "/api/v1/jobs", token=tokens["unknown"], source=bad).status == 401
    a = s.call("GET", "/api/v1/jobs", token=tokens["unknown"], source=bad)
    assert a.status == 429 and a.headers["retry-after"] == "6", a
    openapi_check.check("GET", "/api/v1/jobs", a)
    # the address is held off even with a good token; others are not
    assert s.call("GET", "/api/v1/jobs", token=tokens["viewer"], source=bad).status == 429
    assert s.call("GET", "/api/v1/jobs", token=tokens["viewer"], source="127.0.0.78").status == 200
    assert s.call("GET", "/health", source=bad).status == 200  # the probes ask nothing
    assert s.stop() == 0


# ---- API v1 ------------------------------------------------------------------

def test_runs_history_and_logs(db, tokens, serve_factory):
    op, viewer = tokens["operator"], tokens["viewer"]
    s = serve_factory(db.url, env=TOKEN_AUTH)
    a = checked(s, "POST", "/api/v1/jobs/PersonPlacementEmployingBodyJob/runs", op, {"withDependents": True})
    assert a.status == 202, a
    runs = a.json["runs"]
    assert [r["job"] for r in runs] == ["PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
                                        "PersonElasticSearchSyncJob"]
    assert a.headers["location"] == a.json["location"] == f"/api/v1/runs/{runs[0]['id']}"
    done = {r["job"]: wait_run(s, viewer, r["id"]) for r in runs}
    assert done["PersonPlacementEmployingBodyTrustJob"]["status"] == "succeeded"
    assert done["PersonElasticSearchSyncJob"]["status"] == "failed"  # no search engine here
    assert done["PersonElasticSearchSyncJob"]["error"].startswith("read alias: ")
    for r in done.values():
        assert r["startedBy"] == "api:operator-1" and r["trigger"] == "api" and r["instance"]
    # the history keeps who started it
    ph = "?" if db.kind == "sqlite" else "%s"
    assert db.query(f"SELECT started_by FROM tis_sync_run WHERE id = {ph}", (runs[0]["id"],)) == [("api:operator-1",)]
    # the run's own log, as text
    log = checked(s, "GET", f"/api/v1/runs/{runs[0]['id']}/log", viewer)
    assert log.status == 200 and log.content_type == "text/plain"
    lines = log.text.splitlines()
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  Sync \[PersonPlacementEmployingBodyTrustJob\] "
                    r"started$", lines[0]), lines
    assert "Sync job [PersonPlacementEmployingBodyTrustJob] finished." in lines[-1]
    assert "PersonElasticSearchSyncJob" not in log.text  # only its own lines
    # keyset paging, newest first, and filters
    page1 = checked(s, "GET", "/api/v1/runs?limit=2", viewer).json
    assert [r["id"] for r in page1["runs"]] == [runs[2]["id"], runs[1]["id"]]
    page2 = checked(s, "GET", f"/api/v1/runs?limit=2&cursor={page1['nextCursor']}", viewer).json
    assert page2["runs"][0]["id"] == runs[0]["id"]
    failed = checked(s, "GET", "/api/v1/runs?status=failed&job=personElasticSearchJob", viewer).json["runs"]
    assert [r["id"] for r in failed] == [runs[2]["id"]]
    future = checked(s, "GET", "/api/v1/runs?since=2099-01-01T00:00:00Z", viewer).json
    assert future == {"runs": [], "nextCursor": None}
    for bad in ("limit=0", "limit=x", "status=done", "job=NoSuchJob", "since=yesterday", "cursor=-1"):
        assert checked(s, "GET", f"/api/v1/runs?{bad}", viewer).status == 400, bad
    assert checked(s, "GET", "/api/v1/runs/999999", viewer).status == 404
    assert checked(s, "GET", "/api/v1/runs/999999/log", viewer).status == 404
    # the jobs, with their dependency table and last runs
    jobs = {j["name"]: j for j in checked(s, "GET", "/api/v1/jobs", viewer).json["jobs"]}
    owner = jobs["PersonOwnerRebuildJob"]
    assert owner["dependents"] == ["PersonElasticSearchSyncJob"] and owner["readsFrom"] == []
    assert jobs["PersonElasticSearchSyncJob"]["readsFrom"] == [
        "PersonOwnerRebuildJob", "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
        "PersonRecordStatusJob"]
    assert jobs["PersonPlacementEmployingBodyTrustJob"]["lastRun"]["id"] == runs[0]["id"]
    assert jobs["PersonPlacementEmployingBodyTrustJob"]["lastSuccessAt"]
    assert jobs["RevalCurrentPmSyncJob"]["available"] is False
    assert owner["nextRun"].endswith("Z") and owner["schedule"] == "0 05 0 * * *" and owner["timeZone"] == "UTC"
    # bad starts
    assert checked(s, "POST", "/api/v1/jobs/NoSuchJob/runs", op).status == 404
    assert checked(s, "POST", "/api/v1/jobs/RevalCurrentPmSyncJob/runs", op).status == 404
    for body in ('{"withDependents": "yes"}', '{"today": "30/11/2026"}', '{"colour": 1}', "[1]", "{"):
        assert checked(s, "POST", f"/api/v1/jobs/{JOB}/runs", op, body).status == 400, body
    a = checked(s, "POST", "/api/v1/jobs/personRecordStatusJob/runs", op, {"dateOfChange": "any", "today": "2026-01-02"})
    assert a.status == 202
    status_run = wait_run(s, viewer, a.json["runs"][0]["id"])
    assert (status_run["argument"], status_run["today"], status_run["status"]) == ("ANY", "2026-01-02", "succeeded")
    served = checked(s, "GET", "/api/v1/openapi.json", viewer)
    assert served.json == openapi_check.DOC
    assert s.stop() == 0


def test_conflicts_cancel_and_the_legacy_chain(mysql_db, run_tis, serve_factory):
    """A job running on any instance answers 409; the legacy PUT /jobs
    answers Already running while a chain runs or waits (it used to queue a
    chain per call); cancel rolls a running run back and ends a queued one."""
    db = mysql_db
    prepare_db(run_tis, db)
    op = make_token(run_tis, db, "ops", "operator")
    before = sorted(db.query("SELECT postId, trustId FROM PostTrust"))
    db.execute("UPDATE Post SET employingBodyId = employingBodyId + 100000")  # a run would change every row
    s = serve_factory(db.url, env={**TOKEN_AUTH, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "60000",
                                   "TIS_SYNC_SHUTDOWN_GRACE": "0"})
    a = checked(s, "POST", f"/api/v1/jobs/{JOB}/runs", op)
    run_id = a.json["runs"][0]["id"]
    wait_run(s, op, run_id, statuses={"running"})
    s.wait_for(r"pausing 60000 ms \(debug.pause_before_commit_ms\)")
    again = checked(s, "POST", f"/api/v1/jobs/{JOB}/runs", op)
    assert again.status == 409 and again.json["run"]["id"] == run_id, again
    assert f"run {run_id} on " in again.json["error"]
    chain = checked(s, "POST", "/api/v1/chain/runs", op)
    assert chain.status == 202 and len(chain.json["runs"]) == 9
    assert checked(s, "POST", "/api/v1/chain/runs", op).status == 409
    legacy = s.call("PUT", "/sync/api/jobs", token=op)
    assert (legacy.status, legacy.json) == (200, {"status": "Already running"})
    openapi_check.check("PUT", "/sync/api/jobs", legacy)
    # cancel the queued chain's owner run: it ends at once, never started
    queued = chain.json["runs"][0]
    assert queued["job"] == "PersonOwnerRebuildJob"
    c = checked(s, "POST", f"/api/v1/runs/{queued['id']}/cancel", op)
    assert c.status == 202 and c.json["run"]["status"] == "cancelled"
    assert c.json["run"]["error"] == "cancelled by api:ops before it started"
    # asked for again, it is a run of its own (not the cancelled one it merges with)
    again = checked(s, "POST", "/api/v1/jobs/PersonOwnerRebuildJob/runs", op)
    assert again.status == 202 and again.json["runs"][0]["id"] not in (queued["id"], run_id), again
    # cancel the running one: it rolls back
    c = checked(s, "POST", f"/api/v1/runs/{run_id}/cancel", op)
    assert c.status == 202 and c.json["run"]["id"] == run_id
    ended = wait_run(s, op, run_id)
    assert ended["status"] == "cancelled", ended
    assert ended["error"].startswith("cancel: cancelled by api:ops"), ended
    assert sorted(db.query("SELECT postId, trustId FROM PostTrust")) == before
    assert checked(s, "POST", f"/api/v1/runs/{run_id}/cancel", op).status == 409  # it has ended
    assert wait_run(s, op, again.json["runs"][0]["id"])["status"] == "succeeded"
    log = s.log()
    assert f"Audit: api:ops from 127.0.0.1: cancel run {run_id} ({JOB}): cancel asked" in log
    assert "Audit: api:ops from 127.0.0.1: PUT /sync/api/jobs (the chain): already running" in log
    assert s.stop() == 0
    # one chain only; the service stopped before its last runs, which say so
    chains = [r for r in history(db) if r[1] == "PostFundingStatusSyncJob"]
    assert len(chains) == 1, history(db)
    assert chains[0][3:5] == ("abandoned", "the service stopped before starting it"), chains


def test_cancel_reaches_the_instance_running_it(mysql_db, run_tis, serve_factory):
    db = mysql_db
    prepare_db(run_tis, db)
    op = make_token(run_tis, db, "ops", "operator")
    before = sorted(db.query("SELECT postId, trustId FROM PostTrust"))
    db.execute("UPDATE Post SET employingBodyId = employingBodyId + 100000")
    blue = serve_factory(db.url, env={**TOKEN_AUTH, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "60000",
                                      "TIS_SYNC_SHUTDOWN_GRACE": "0"})
    run_id = checked(blue, "POST", f"/api/v1/jobs/{JOB}/runs", op).json["runs"][0]["id"]
    blue.wait_for(r"pausing 60000 ms")
    waiting = checked(blue, "POST", "/api/v1/chain/runs", op).json["runs"][0]["id"]  # waits: it holds JOB too
    # green starting on the same host leaves blue's queued run alone (blue is alive)
    green = serve_factory(db.url, env=TOKEN_AUTH)
    green.wait_for("tis-sync serve started")
    assert checked(green, "GET", f"/api/v1/runs/{waiting}", op).json["status"] == "queued"
    # green sees blue's run, with blue's instance, and refuses a second one
    running = wait_until(lambda: next((j["running"] for j in checked(green, "GET", "/api/v1/jobs", op).json["jobs"]
                                       if j["name"] == JOB and j["running"]), None), what="blue's run on green")
    assert running["id"] == run_id and running["instance"].endswith(f":{blue.pid}")
    assert checked(green, "POST", f"/api/v1/jobs/{JOB}/runs", op).status == 409
    t0 = time.monotonic()
    assert checked(green, "POST", f"/api/v1/runs/{run_id}/cancel", op).status == 202
    twice = checked(green, "POST", f"/api/v1/runs/{run_id}/cancel", op)  # asked again: the same answer
    assert twice.status == 202 or twice.json["run"]["status"] == "cancelled", twice
    ended = wait_run(green, op, run_id, timeout=15)
    assert ended["status"] == "cancelled" and "cancelled by api:ops" in ended["error"], ended
    assert time.monotonic() - t0 < 8  # blue looks at the flag every second
    assert sorted(db.query("SELECT postId, trustId FROM PostTrust")) == before
    assert blue.stop() == 0 and green.stop() == 0


EVERY_3S = {**TOKEN_AUTH, "APPLICATION_CRON_POSTEMPLOYINGBODYTRUSTJOB": "*/3 * * * * *"}


def test_pause_is_honoured_by_every_instance(mysql_db, run_tis, serve_factory):
    db = mysql_db
    prepare_db(run_tis, db)
    op = make_token(run_tis, db, "ops", "operator")
    blue = serve_factory(db.url, env=EVERY_3S)
    green = serve_factory(db.url, env=EVERY_3S)
    p = checked(blue, "POST", f"/api/v1/jobs/{JOB}/pause", op)
    assert p.status == 200 and p.json == {"job": JOB, "paused": True, "changed": True}
    assert checked(green, "POST", f"/api/v1/jobs/{JOB}/pause", op).json["changed"] is False
    paused_at = time.time()
    time.sleep(8)
    rows = db.query("SELECT status, error, pid, UNIX_TIMESTAMP(started_at), trigger_kind FROM tis_sync_run "
                    "WHERE job = %s ORDER BY id", (JOB,))
    later = [r for r in rows if float(r[3]) > paused_at + 1.5]
    assert later, rows
    # neither instance started it: each firing finds it paused (or, at the
    # same instant, the other instance holding its lock while it looks)
    assert all(r[0] == "skipped" and (r[1].startswith("paused by api:ops at ") or r[1] == "already running")
               for r in later), later
    assert {r[2] for r in later} == {blue.pid, green.pid}
    assert any(r[1].startswith("paused by") for r in later)
    # shown as paused: the CLI, the API, the metrics
    jobs = run_tis("--db", db.url, "jobs").stdout
    assert re.search(rf"{JOB} .*\(paused by api:ops at \d{{4}}-", jobs), jobs
    view = next(j for j in checked(green, "GET", "/api/v1/jobs", op).json["jobs"] if j["name"] == JOB)
    assert view["paused"] is True and view["pausedBy"] == "api:ops"
    assert f'tis_sync_job_paused{{job="{JOB}"}} 1' in green.call("GET", "/metrics", token=op).text
    # still run by hand
    run_id = checked(green, "POST", f"/api/v1/jobs/{JOB}/runs", op).json["runs"][0]["id"]
    assert wait_run(green, op, run_id)["status"] == "succeeded"
    r = checked(green, "POST", f"/api/v1/jobs/{JOB}/resume", op)
    assert r.json == {"job": JOB, "paused": False, "changed": True}
    resumed_at = time.time()
    wait_until(lambda: db.query("SELECT COUNT(*) FROM tis_sync_run WHERE job = %s AND trigger_kind = 'cron' AND "
                                "status = 'succeeded' AND UNIX_TIMESTAMP(started_at) > %s", (JOB, resumed_at))[0][0],
               timeout=10, what="a scheduled run after resume")
    assert blue.stop() == 0 and green.stop() == 0
    assert "Audit: api:ops from 127.0.0.1: pause PostEmployingBodyTrustJob: done" in blue.log()


# ---- events and metrics ------------------------------------------------------

def read_events(answer, until, timeout=30):
    """Reads the event stream until UNTIL(event, data) is true; returns the events."""
    events, current = [], {}
    deadline = time.monotonic() + timeout
    answer.conn.sock.settimeout(timeout)
    while time.monotonic() < deadline:
        line = answer.response.fp.readline().decode().rstrip("\n")
        if line.startswith(":"):
            continue
        if line:
            key, _, value = line.partition(": ")
            current[key] = value
            continue
        if "event" in current:
            data = json.loads(current["data"])
            events.append((current["event"], data))
            if until(current["event"], data):
                return events
        current = {}
    raise AssertionError(f"stream ended early: {events}")


@SQLITE_ONLY
def test_event_stream(db, tokens, serve_factory):
    s = serve_factory(db.url, env=TOKEN_AUTH)
    stream = s.call("GET", "/api/v1/events", token=tokens["viewer"], stream=True)
    assert stream.status == 200 and stream.content_type == "text/event-stream"
    run_id = checked(s, "POST", "/api/v1/jobs/PersonOwnerRebuildJob/runs", tokens["operator"]).json["runs"][0]["id"]
    events = read_events(stream, lambda e, d: e == "finished" and d["runId"] == run_id)
    mine = [(e, d) for e, d in events if d["runId"] == run_id]
    assert mine[0][0] == "started" and mine[-1][0] == "finished"
    assert mine[-1][1]["status"] == "succeeded" and mine[-1][1]["job"] == "PersonOwnerRebuildJob"
    for _, data in mine:
        openapi_check.check_schema("RunEvent", data)
    stream.conn.close()
    # an open stream does not hold the service up when it stops
    stream = s.call("GET", "/api/v1/events", token=tokens["viewer"], stream=True)
    t0 = time.monotonic()
    assert s.stop() == 0
    assert time.monotonic() - t0 < 5
    stream.conn.close()


def promtool(*args, input=None):
    return subprocess.run(["promtool", *args], input=input, capture_output=True, text=True, timeout=60)


@SQLITE_ONLY
def test_metrics_pass_promtool(db, tokens, serve_factory, run_tis):
    assert run_tis("--db", db.url, "run", "PersonOwnerRebuildJob", "PostEmployingBodyTrustJob").returncode == 0
    s = serve_factory(db.url, env=TOKEN_AUTH)
    a = checked(s, "GET", "/metrics", tokens["viewer"])
    assert a.status == 200 and a.headers["content-type"].startswith("text/plain; version=0.0.4")
    check = promtool("check", "metrics", input=a.text)
    assert check.returncode == 0, check.stdout + check.stderr
    text = a.text
    for family in ("tis_sync_job_runs_total", "tis_sync_job_duration_seconds", "tis_sync_job_running",
                   "tis_sync_job_last_success_timestamp_seconds", "tis_sync_job_last_run_timestamp_seconds",
                   "tis_sync_job_last_rows", "tis_sync_job_next_run_timestamp_seconds", "tis_sync_job_paused",
                   "tis_sync_build_info", "process_resident_memory_bytes", "process_cpu_seconds_total",
                   "process_open_fds", "process_start_time_seconds"):
        assert f"# HELP {family} " in text and f"# TYPE {family} " in text, family
    assert 'tis_sync_job_runs_total{job="PersonOwnerRebuildJob",status="succeeded"} 1' in text
    assert 'tis_sync_job_duration_seconds_bucket{job="PersonOwnerRebuildJob",le="+Inf"} 1' in text
    assert 'tis_sync_job_duration_seconds_bucket{job="PersonOwnerRebuildJob",le="3600"} 1' in text
    assert 'tis_sync_job_running{job="PersonOwnerRebuildJob"} 0' in text
    assert 'tis_sync_job_last_run_success{job="PostEmployingBodyTrustJob"} 1' in text
    assert re.search(r'tis_sync_job_last_success_timestamp_seconds\{job="PersonOwnerRebuildJob"\} 1\.?\d', text)
    assert re.search(r'tis_sync_job_next_run_timestamp_seconds\{job="PersonOwnerRebuildJob"\} \d', text)
    assert re.search(r"process_resident_memory_bytes [1-9]\d+", text)
    assert s.call("GET", "/metrics", source="127.0.0.9").status == 401
    assert s.stop() == 0
    # a Prometheus without a token, when the operator opens the metrics
    s = serve_factory(db.url, env={**TOKEN_AUTH, "TIS_SYNC_HTTP_METRICS_AUTH": "none"})
    assert s.call("GET", "/metrics").status == 200
    assert s.call("GET", "/api/v1/jobs").status == 401
    assert s.stop() == 0


def test_alert_rules_pass_promtool():
    check = promtool("check", "rules", "packaging/prometheus/tis-sync.rules.yml")
    assert check.returncode == 0 and "SUCCESS: 3 rules found" in check.stdout, check.stdout + check.stderr
    rules = promtool("test", "rules", "tests/prometheus/tis-sync.rules.test.yml")
    assert rules.returncode == 0 and "SUCCESS" in rules.stdout, rules.stdout + rules.stderr
