"""The newest legacy service's web page (served at /sync/ by a gateway in
front of tis-sync) is a client of the legacy API: these tests make exactly
the calls its main.js makes, with its headers and bodies, and check the
answers it reads (SPEC-2026 2, issue "the legacy web page keeps working")."""

import pytest

from serve_helpers import NO_CATCHUP, NO_SEARCH, history, prepare_db, serve_factory  # noqa: F401

JSON = {"Content-Type": "application/json"}
# The page's buttons (and its status-map keys), without a broker.
PAGE_KEYS = ["personOwnerRebuildJob", "personPlacementEmployingBodyTrustJob", "personPlacementTrainingBodyTrustJob",
             "postEmployingBodyTrustJob", "postTrainingBodyTrustJob", "personRecordStatusJob",
             "personElasticSearchSyncJob", "postFundingStatusSyncJob", "postElasticSearchSyncJob"]
REVAL_KEYS = ["revalCurrentPmJob", "revalCurrentPlacementJob"]


@pytest.fixture
def page_db(sqlite_db, run_tis):
    prepare_db(run_tis, sqlite_db, persons=20)
    return sqlite_db


def test_profile_is_plain_text(page_db, serve_factory):
    """fetchSysProfile() reads the answer as text; the revalidation panel
    is hidden when it holds 'nimdta'."""
    s = serve_factory(page_db.url, env=NO_CATCHUP)
    assert s.request("GET", "/sync/api/sys/profile") == (200, "")
    assert s.stop() == 0
    s = serve_factory(page_db.url, env={**NO_CATCHUP, "SPRING_PROFILES_ACTIVE": "prod,nimdta"})
    assert s.request("GET", "/sync/api/sys/profile") == (200, "prod,nimdta")
    assert s.stop() == 0


def test_get_status_has_every_button_and_run_job_starts_each(page_db, serve_factory):
    s = serve_factory(page_db.url, env={**NO_CATCHUP, **NO_SEARCH})
    status, doc = s.request("GET", "/sync/api/jobs/status")
    assert status == 200 and sorted(doc) == sorted(PAGE_KEYS) and not any(doc.values())
    for key in PAGE_KEYS:  # "Run job": PUT api/job/{key}, body "", JSON content type
        status, doc = s.request("PUT", f"/sync/api/job/{key}", body="", headers=JSON)
        assert status == 200 and doc in ({"status": "Just started"}, {"status": "Already running"}), (key, doc)
    for key in REVAL_KEYS:  # no broker: the legacy nimdta answer
        assert s.request("PUT", f"/sync/api/job/{key}", body="", headers=JSON) == (400, {"error": "Job not found"})
    s.wait_for(r"Run ended .*PostElasticSearchSyncJob")
    assert s.stop() == 0
    ran = {r[1] for r in history(page_db)}
    assert len(ran) == len(PAGE_KEYS)


def test_run_all_jobs_with_a_trailing_slash(page_db, serve_factory):
    """runAllJobs(): PUT api/jobs/ answered 200 with no body, as Spring did."""
    s = serve_factory(page_db.url, env={**NO_CATCHUP, **NO_SEARCH})
    assert s.request("PUT", "/sync/api/jobs/", body="", headers=JSON) == (200, "")
    s.wait_for(r"Run ended \(trigger api\)")
    assert s.stop() == 0
    assert len(history(page_db)) == len(PAGE_KEYS)


@pytest.mark.parametrize("body,argument", [
    ("", None),                                 # no body: today
    ('{"dateOverride":""}', None),              # blank in the prompt: today
    ('{"dateOverride":null}', None),
    ('{"dateOverride":"ANY"}', "ANY"),
    ('{"dateOverride":"any"}', "ANY"),
    ('{"dateOverride":"2026-01-05"}', "2026-01-05"),
    ('{"dateOverride":"NONE"}', "2025-12-31"),  # the configured override
    ('{"dateOverride":"none"}', "2025-12-31"),
])
def test_record_status_date_override(page_db, serve_factory, body, argument):
    env = {**NO_CATCHUP, "APPLICATION_JOBS_PERSONRECORDSTATUSJOB_DATEOFCHANGEOVERRIDE": "2025-12-31"}
    s = serve_factory(page_db.url, env=env)
    status, doc = s.request("PUT", "/sync/api/job/personRecordStatusJob", body=body, headers=JSON)
    assert (status, doc) == (200, {"status": "Just started"})
    s.wait_for(r"Run ended \(trigger api\): PersonRecordStatusJob: succeeded")
    assert s.stop() == 0
    assert page_db.query("SELECT job, argument FROM tis_sync_run") == [("PersonRecordStatusJob", argument)]


def test_record_status_none_without_a_configured_override_is_today(page_db, serve_factory):
    s = serve_factory(page_db.url, env=NO_CATCHUP)
    body = '{"dateOverride":"NONE"}'
    assert s.request("PUT", "/sync/api/job/personRecordStatusJob", body=body, headers=JSON)[0] == 200
    s.wait_for(r"Run ended \(trigger api\): PersonRecordStatusJob: succeeded")
    assert s.stop() == 0
    assert page_db.query("SELECT argument FROM tis_sync_run") == [(None,)]


@pytest.mark.parametrize("body,error", [
    ('{"dateOverride":"aaa"}', "The date is not correct: aaa"),
    ('{"dateOverride":"01/01/2020"}', "The date is not correct: 01/01/2020"),
    ('{"dateOverride":"2022-02-30"}', "The date is not correct: 2022-02-30"),
    ('{"dateOverride":"Robert\\"); DROP"}', 'The date is not correct: Robert"); DROP'),
    ("not json", "Unable to extract the dateOverride property"),
    ('["2026-01-05"]', "Unable to extract the dateOverride property"),
    ("{}", "Unable to extract the dateOverride property"),
])
def test_record_status_bad_date_override(page_db, serve_factory, body, error):
    """handleErrors(): a 400 whose JSON 'error' the page shows in an alert."""
    s = serve_factory(page_db.url, env=NO_CATCHUP)
    assert s.request("PUT", "/sync/api/job/personRecordStatusJob", body=body, headers=JSON) == \
        (400, {"error": error})
    assert s.stop() == 0
    assert history(page_db) == []


def test_reval_keys_with_a_broker(page_db, serve_factory):
    """With RABBITMQ_HOST set, the status map has the reval keys too."""
    s = serve_factory(page_db.url, env={**NO_CATCHUP, "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "1"})
    status, doc = s.request("GET", "/sync/api/jobs/status")
    assert status == 200 and sorted(doc) == sorted(PAGE_KEYS + REVAL_KEYS)
    assert s.stop() == 0


def test_a_value_cannot_forge_a_log_line(page_db, serve_factory):
    """What a client sends is quoted in the log, on one line."""
    s = serve_factory(page_db.url, env=NO_CATCHUP)
    body = '{"dateOverride":"x\\n2026-01-01T00:00:00.000Z INFO  Sync job [forged] finished"}'
    status, doc = s.request("PUT", "/sync/api/job/personRecordStatusJob", body=body, headers=JSON)
    assert status == 400 and doc["error"].startswith("The date is not correct: x\n")
    s.wait_for(r"Audit: api from 127.0.0.1: PersonRecordStatusJob: The date is not correct: x\\n")
    assert s.stop() == 0
    assert not any(line.startswith("2026-01-01") for line in s.log().splitlines())
