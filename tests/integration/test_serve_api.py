"""The HTTP API of `serve`: the legacy endpoints of SPEC 4 under /sync/api,
/health and progress, and requests that must not hurt it. (The legacy web
page's own calls are pinned in test_legacy_page.py.)"""

import pytest

from serve_helpers import (CHAIN, NO_CATCHUP, NO_SEARCH, history, prepare_db, serve_factory,  # noqa: F401
                           wait_until)

# Without a broker: the reval jobs are absent (SPEC-2026 2).
STATUS_KEYS = ["personOwnerRebuildJob", "personPlacementEmployingBodyTrustJob", "personPlacementTrainingBodyTrustJob",
               "postEmployingBodyTrustJob", "postTrainingBodyTrustJob", "personRecordStatusJob",
               "personElasticSearchSyncJob", "postFundingStatusSyncJob", "postElasticSearchSyncJob"]


@pytest.fixture
def api_db(sqlite_db, run_tis):
    prepare_db(run_tis, sqlite_db, persons=20)
    return sqlite_db


def test_status_start_and_already_running(api_db, serve_factory):
    s = serve_factory(api_db.url, env={**NO_CATCHUP, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "3000"})
    status, doc = s.request("GET", "/sync/api/jobs/status")
    assert status == 200 and list(doc) == STATUS_KEYS and not any(doc.values())
    # legacy method name, any case
    status, doc = s.request("PUT", "/sync/api/job/postemployingbodytrustfullsync")
    assert (status, doc) == (200, {"status": "Just started"})  # exactly: legacy clients compare bodies
    s.wait_running("postEmployingBodyTrustJob")
    status, doc = s.request("GET", "/sync/api/jobs/status")
    assert doc == {k: k == "postEmployingBodyTrustJob" for k in STATUS_KEYS}
    status, doc = s.request("PUT", "/sync/api/job/PostEmployingBodyTrustJob")
    assert (status, doc) == (200, {"status": "Already running"})
    status, doc = s.request("GET", "/sync/api/jobs/progress")
    assert status == 200 and [r["job"] for r in doc["running"]] == ["PostEmployingBodyTrustJob"]
    assert isinstance(doc["running"][0]["rowsDone"], int)
    status, doc = s.request("GET", "/health")
    assert status == 200 and doc == {"status": "ok", "running": ["PostEmployingBodyTrustJob"]}
    s.wait_for(r"Run ended \(trigger api\): PostEmployingBodyTrustJob: succeeded")
    assert not any(s.request("GET", "/sync/api/jobs/status")[1].values())
    assert s.stop() == 0
    assert [(r[1], r[2], r[3]) for r in history(api_db)] == [("PostEmployingBodyTrustJob", "api", "succeeded")]
    assert "Audit: api from 127.0.0.1: PostEmployingBodyTrustJob: already running" in s.log()


def test_with_dependents_and_chain(api_db, serve_factory):
    s = serve_factory(api_db.url, env={**NO_CATCHUP, **NO_SEARCH})
    status, doc = s.request("PUT", "/sync/api/job/PersonPlacementEmployingBodyJob?withDependents=true")
    assert (status, doc) == (200, {"status": "Just started"})  # exactly the legacy body
    s.wait_for(r"Audit: api from 127.0.0.1: PUT /sync/api/job/PersonPlacementEmployingBodyTrustJob with dependents: "
               r"queued: PersonPlacementEmployingBodyTrustJob \(run \d+\), PersonPlacementTrainingBodyTrustJob "
               r"\(run \d+\), PersonElasticSearchSyncJob \(run \d+\)")
    s.wait_for(r"Run ended \(trigger api\)")
    status, doc = s.request("PUT", "/sync/api/jobs")
    assert (status, doc) == (200, "")  # the legacy service answered 200 with no body
    s.wait_for(r"Audit: api from 127.0.0.1: PUT /sync/api/jobs \(the chain\): queued: "
               + ", ".join(rf"{job} \(run \d+\)" for job in CHAIN))
    s.wait_for(r"Run ended \(trigger api\)", count=2)
    assert s.stop() == 0
    assert [r[1] for r in history(api_db)] == [
        "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob", "PersonElasticSearchSyncJob",
        *CHAIN]


@pytest.mark.parametrize("method,path,code,body", [
    ("PUT", "/sync/api/job/NoSuchJob", 400, {"error": "Job not found"}),
    ("PUT", "/sync/api/job/", 400, {"error": "Job not found"}),
    ("PUT", "/sync/api/job/PostTrainingBodyTrustJob/extra", 400, {"error": "Job not found"}),
    ("PUT", "/sync/api/job/" + "x" * 5000, 400, {"error": "Job not found"}),
    ("PUT", "/sync/api/job/PostTrainingBodyTrustJob?withDependents=perhaps", 400,
     {"error": "withDependents must be true or false"}),
    ("GET", "/sync/api/job/PostTrainingBodyTrustJob", 405, {"error": "Method not allowed"}),
    ("POST", "/sync/api/jobs/status", 405, {"error": "Method not allowed"}),
    ("DELETE", "/sync/api/jobs", 405, {"error": "Method not allowed"}),
    ("GET", "/nope", 404, {"error": "Not found"}),
    ("GET", "/sync/api/jobs/status/../status", 404, {"error": "Not found"}),
])
def test_bad_requests_get_json_errors(api_db, serve_factory, method, path, code, body):
    s = serve_factory(api_db.url, env=NO_CATCHUP)
    assert s.request(method, path) == (code, body)
    assert s.request("GET", "/health")[0] == 200
    assert s.stop() == 0
    assert history(api_db) == []


def test_garbage_does_not_hurt_the_service(api_db, serve_factory):
    s = serve_factory(api_db.url, env=NO_CATCHUP)
    # a large body is read and refused
    assert s.request("PUT", "/sync/api/jobs", body=b"x" * 200_000)[0] == 413
    # huge headers: refused by the connection memory limit
    reply = s.raw(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
    assert reply == b"" or reply.split(b" ")[1] in (b"400", b"413", b"414", b"431")
    # binary noise, a truncated request, a bad HTTP version
    for junk in (b"\x00\xff\x13\x37" * 100 + b"\r\n\r\n", b"PUT /sync/api/jo", b"GET /health HTTP/9.9\r\n\r\n",
                 b"GET " + b"/a" * 40_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"):
        s.raw(junk, timeout=2)
    # percent-encoding is decoded before the job name is looked up
    status, doc = s.request("PUT", "/sync/api/job/%50ostTrainingBodyTrustJob")
    assert (status, doc["status"]) == (200, "Just started")
    s.wait_for(r"Run ended \(trigger api\): PostTrainingBodyTrustJob")
    assert s.request("GET", "/health")[0] == 200
    assert s.stop() == 0


def test_listen_off_and_port_in_use(api_db, serve_factory, run_tis):
    s = serve_factory(api_db.url, env={**NO_CATCHUP, "TIS_SYNC_HTTP_LISTEN": "off"})
    s.wait_for(r"HTTP API off")
    assert s.stop() == 0
    first = serve_factory(api_db.url, env=NO_CATCHUP)
    cp = run_tis("--db", api_db.url, "--listen", f"127.0.0.1:{first.port}", "serve", env=NO_CATCHUP, timeout=20)
    assert cp.returncode == 1 and "cannot listen on 127.0.0.1:" in cp.stderr, cp.stderr
    assert first.stop() == 0
