"""`tis-sync serve`: startup catch-up (fake clock), out-of-date policies,
signals (SIGTERM during a job, SIGHUP with a bad and a good config), and
`tis-sync run` against a job the service is running. Also `tis-sync jobs`."""

import signal
import time

import pytest

from serve_helpers import (CHAIN, NO_CATCHUP, NO_SEARCH, REVAL_JOBS, SEARCH_JOBS, history,  # noqa: F401
                           insert_history, prepare_db, serve_factory, wait_until)

STARTUP_DONE = r"Run ended \(trigger startup\)"
NOTHING = r"Startup catch-up: nothing to run"


def startup_rows(db):
    return [r for r in history(db) if r[2] == "startup"]


# --------------------------------------------------------------------------
# startup catch-up window


def test_startup_inside_window_runs_chain_once_in_order(db, run_tis, serve_factory):
    prepare_db(run_tis, db)
    s = serve_factory(db.url, env={"TIS_SYNC_TEST_NOW": "2030-01-10T03:00:00Z", **NO_SEARCH})
    s.wait_for(r"inside the catch-up window \[00:00:00, 07:00:00\)")
    s.wait_for(r"TCS schema: 2026 shape \(ProgrammeMembership has a uuid column\)")  # said at start
    s.wait_for(STARTUP_DONE)
    time.sleep(0.5)  # nothing else may follow
    assert s.stop() == 0
    rows = history(db)
    assert [r[1] for r in rows] == CHAIN, rows
    assert {r[2] for r in rows} == {"startup"}
    # no search engine here
    assert [r[3] for r in rows] == ["failed" if job in SEARCH_JOBS else "succeeded" for job in CHAIN]


@pytest.mark.parametrize("now,env,inside", [
    ("2030-01-10T00:00:00Z", {}, True),
    ("2030-01-10T06:59:59Z", {}, True),
    ("2030-01-10T07:00:00Z", {}, False),
    ("2030-01-10T12:00:00Z", {}, False),
    # the legacy variable names, a custom window
    ("2030-01-10T10:30:00Z", {"APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "10:00",
                              "APPLICATION_JOBS_RUNONSTARTUP_LATEST": "11:00:00"}, True),
    ("2030-01-10T03:00:00Z", {"APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "10:00",
                              "APPLICATION_JOBS_RUNONSTARTUP_LATEST": "11:00:00"}, False),
])
def test_startup_window_edges(sqlite_db, run_tis, serve_factory, now, env, inside):
    prepare_db(run_tis, sqlite_db, persons=10)
    # policy skip: only the window rule acts (a fresh database is out of date)
    s = serve_factory(sqlite_db.url, env={"TIS_SYNC_TEST_NOW": now, "TIS_SYNC_OUT_OF_DATE_POLICY": "skip", **NO_SEARCH,
                                          **env})
    s.wait_for(STARTUP_DONE if inside else NOTHING)
    assert s.stop() == 0
    assert [r[1] for r in startup_rows(sqlite_db)] == (CHAIN if inside else [])


# --------------------------------------------------------------------------
# out-of-date jobs outside the window (history written on the fake clock)


def seed_history(db):
    """At 2030-01-10 12:00: every job ran tonight, except that the Post
    employing job failed at 10:00 (after its nightly success) and the search
    job last succeeded yesterday."""
    for job, at in [("PersonOwnerRebuildJob", "00:05:00"), ("PersonPlacementEmployingBodyTrustJob", "00:09:00"),
                    ("PersonPlacementTrainingBodyTrustJob", "00:29:00"), ("PostEmployingBodyTrustJob", "01:09:00"),
                    ("PostTrainingBodyTrustJob", "01:19:00")]:
        insert_history(db, job, "2030-01-10 " + at, "succeeded")
    insert_history(db, "PostEmployingBodyTrustJob", "2030-01-10 10:00:00", "failed", trigger="api")
    insert_history(db, "PersonElasticSearchSyncJob", "2030-01-09 01:29:00", "succeeded")


@pytest.mark.parametrize("env,expected", [
    # default run_once for 6 h: the failed job runs (then its dependents);
    # the persons index has been out of date for 10.5 h, and the newer jobs
    # never ran (due at 01:00-01:55): they wait
    ({}, ["PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob", "PostElasticSearchSyncJob"]),
    ({"TIS_SYNC_OUT_OF_DATE_POLICY_POSTEMPLOYINGBODYTRUSTJOB": "skip"}, []),
    ({"TIS_SYNC_OUT_OF_DATE_POLICY": "skip"}, []),
    ({"TIS_SYNC_OUT_OF_DATE_POLICY_PERSONELASTICSEARCHSYNCJOB": "run_once:43200"},
     ["PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob", "PersonElasticSearchSyncJob",
      "PostElasticSearchSyncJob"]),
    ({"TIS_SYNC_OUT_OF_DATE_GRACE": "3600"}, []),
])
def test_out_of_date_jobs_run_per_policy(sqlite_db, run_tis, serve_factory, env, expected):
    prepare_db(run_tis, sqlite_db, persons=10)
    seed_history(sqlite_db)
    s = serve_factory(sqlite_db.url, env={"TIS_SYNC_TEST_NOW": "2030-01-10T12:00:00Z", **NO_SEARCH, **env})
    s.wait_for(STARTUP_DONE if expected else NOTHING)
    log = s.log()
    assert s.stop() == 0
    assert [r[1] for r in startup_rows(sqlite_db)] == expected
    assert "Startup: PostEmployingBodyTrustJob is out of date: its last run (started 2030-01-10 10:00:00 UTC) " \
           "did not succeed" in log
    assert "Startup: PersonOwnerRebuildJob is up to date" in log


# --------------------------------------------------------------------------
# signals and the CLI against a running service


def test_sigterm_during_job_rolls_back_within_grace(db, run_tis, serve_factory):
    prepare_db(run_tis, db)
    assert run_tis("--db", db.url, "run", "PostEmployingBodyTrustJob").returncode == 0
    before = sorted(db.query("SELECT postId, trustId FROM PostTrust"))
    db.execute("UPDATE Post SET employingBodyId = employingBodyId + 100000")  # the next run changes every row
    s = serve_factory(db.url, env={**NO_CATCHUP, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "60000",
                                   "TIS_SYNC_SHUTDOWN_GRACE": "2"})
    assert s.request("PUT", "/sync/api/job/PostEmployingBodyTrustJob")[1]["status"] == "Just started"
    s.wait_running("postEmployingBodyTrustJob")
    time.sleep(0.3)  # inside the pause before commit
    t0 = time.monotonic()
    assert s.stop(timeout=20) == 0
    elapsed = time.monotonic() - t0
    assert 1.5 < elapsed < 8, elapsed  # waited for the grace (2 s), then cancelled
    assert sorted(db.query("SELECT postId, trustId FROM PostTrust")) == before
    last = history(db, "PostEmployingBodyTrustJob")[-1]
    assert last[2:4] == ("api", "aborted"), last
    assert last[4].startswith("cancel: "), last
    log = s.log()
    assert "waiting up to 2 s (service.shutdown_grace)" in log
    assert "the shutdown grace is over: cancelling" in log


def test_run_while_serve_runs_the_job_exits_3(db, run_tis, serve_factory):
    prepare_db(run_tis, db)
    # SQLite has one writer: the CLI's history row waits for the paused
    # job's transaction, so keep that pause short there.
    pause = "4000" if db.kind == "sqlite" else "60000"
    s = serve_factory(db.url, env={**NO_CATCHUP, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": pause,
                                   "TIS_SYNC_SHUTDOWN_GRACE": "0"})
    s.request("PUT", "/sync/api/job/PostEmployingBodyTrustJob")
    s.wait_running("postEmployingBodyTrustJob")
    cp = run_tis("--db", db.url, "run", "PostEmployingBodyTrustJob")
    assert cp.returncode == 3, cp.stderr
    assert "Sync job [PostEmployingBodyTrustJob] already running, exiting this execution" in cp.stderr
    assert s.stop() == 0
    rows = {(r[2], r[3]) for r in history(db, "PostEmployingBodyTrustJob")}
    assert ("cli", "skipped") in rows and len(rows) == 2, rows


def write_config(path, db_url, cron):
    path.write_text(f"""# test configuration
[database]
url = {db_url}

[schedule]
PostEmployingBodyTrustJob = {cron}
""")


def test_sighup_refuses_bad_config_and_applies_good_one(sqlite_db, run_tis, serve_factory, tmp_path):
    prepare_db(run_tis, sqlite_db, persons=10)
    cfg = tmp_path / "tis-sync.ini"
    write_config(cfg, sqlite_db.url, "0 0 0 1 1 *")
    s = serve_factory(sqlite_db.url, env={**NO_CATCHUP, "TIS_SYNC_DB": None}, args=("--config", cfg))
    s.wait_for(r"tis-sync serve started")
    write_config(cfg, sqlite_db.url, "61 * * * * *")
    s.send(signal.SIGHUP)
    m = s.wait_for(r"Configuration reload refused, keeping the running configuration: (.*)")
    assert "schedule.PostEmployingBodyTrustJob" in m.group(1) and str(cfg) in m.group(1)
    assert s.request("GET", "/health")[0] == 200
    write_config(cfg, sqlite_db.url, "*/2 * * * * *")
    s.send(signal.SIGHUP)
    s.wait_for(r"Schedule of PostEmployingBodyTrustJob changed from '0 0 0 1 1 \*'")
    s.wait_for(r"Schedule: firing PostEmployingBodyTrustJob \(cron '\*/2 \* \* \* \* \*'")
    s.wait_for(r"Run ended \(trigger cron\): PostEmployingBodyTrustJob: succeeded")
    assert s.stop() == 0
    assert any(r[2:4] == ("cron", "succeeded") for r in history(sqlite_db, "PostEmployingBodyTrustJob"))


def test_second_sigterm_cancels_at_once(sqlite_db, run_tis, serve_factory):
    prepare_db(run_tis, sqlite_db, persons=10)
    s = serve_factory(sqlite_db.url, env={**NO_CATCHUP, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "60000"})
    s.request("PUT", "/sync/api/job/PostTrainingBodyTrustJob")
    s.wait_running("postTrainingBodyTrustJob")
    s.send(signal.SIGTERM)
    s.wait_for(r"waiting up to 60 s")
    assert s.request("GET", "/health")[0] == 503  # stopping
    t0 = time.monotonic()
    assert s.stop(signal.SIGINT) == 0
    assert time.monotonic() - t0 < 5
    assert "asked again: cancelling" in s.log()
    assert history(sqlite_db, "PostTrainingBodyTrustJob")[-1][3] == "aborted"


def test_sigusr2_is_ignored_and_signals_still_work(sqlite_db, run_tis, serve_factory):
    """SIGUSR2 ends the signal thread only when serve exits: one sent from
    outside must not leave the service deaf to SIGHUP and SIGTERM."""
    prepare_db(run_tis, sqlite_db, persons=10)
    s = serve_factory(sqlite_db.url, env=NO_CATCHUP)
    s.wait_for(r"tis-sync serve started")
    s.send(signal.SIGUSR2)
    s.wait_for(r"Received SIGUSR2: ignored")
    s.send(signal.SIGUSR2)
    s.wait_for(r"Received SIGUSR2: ignored", count=2)
    s.send(signal.SIGHUP)
    s.wait_for(r"Configuration reloaded")
    assert s.request("GET", "/health")[0] == 200
    assert s.stop(timeout=10) == 0
    log = s.log()
    assert "Received SIGTERM" in log and "tis-sync serve stopped" in log


# --------------------------------------------------------------------------
# settings the legacy (Spring) service accepted


def test_legacy_cron_disabled_and_macros(sqlite_db, run_tis, serve_factory):
    """Spring's "-" (disabled: never scheduled) and its macros start the service."""
    prepare_db(run_tis, sqlite_db, persons=10)
    env = {"TIS_SYNC_TEST_NOW": "2030-01-10T12:00:00Z", "APPLICATION_CRON_POSTEMPLOYINGBODYTRUSTJOB": "-",
           "APPLICATION_CRON_PERSONOWNERREBUILDJOB": "@hourly", "APPLICATION_CRON_POSTTRAININGBODYTRUSTJOB": "@Daily",
           "APPLICATION_CRON_PERSONELASTICSEARCHSYNCJOB": "@weekly"}
    cp = run_tis("--db", sqlite_db.url, "jobs", env=env)
    assert cp.returncode == 0, cp.stderr
    lines = job_lines(cp.stdout)
    assert lines["PostEmployingBodyTrustJob"].split()[1:3] == ["-", "disabled"]
    assert "2030-01-10 13:00:00 UTC" in lines["PersonOwnerRebuildJob"]
    assert "2030-01-11 00:00:00 UTC" in lines["PostTrainingBodyTrustJob"]
    assert "2030-01-13 00:00:00 UTC" in lines["PersonElasticSearchSyncJob"]  # Sunday
    s = serve_factory(sqlite_db.url, env={**env, "TIS_SYNC_OUT_OF_DATE_POLICY": "skip",
                                          "APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "00:00",
                                          "APPLICATION_JOBS_RUNONSTARTUP_LATEST": "00:00"})
    s.wait_for(r"Schedule: PostEmployingBodyTrustJob at '-' \(schedule.PostEmployingBodyTrustJob\): disabled, "
               r"never scheduled")
    s.wait_for(r"Schedule: PersonOwnerRebuildJob at '@hourly' .*; next run 2030-01-10 13:00:00 UTC")
    s.wait_for(r"Startup: PostEmployingBodyTrustJob is .*\(schedule '-': never scheduled, so never due\)")
    s.wait_for(r"tis-sync serve started")
    assert s.stop() == 0
    assert "Schedule: firing PostEmployingBodyTrustJob" not in s.log()


@pytest.mark.parametrize("level", ["FATAL", "OFF", "fatal"])
def test_legacy_log_levels_fatal_and_off_keep_errors(sqlite_db, run_tis, serve_factory, level):
    """LOG_LEVEL=FATAL or OFF (Spring) start the service and log only errors."""
    prepare_db(run_tis, sqlite_db, persons=10)
    s = serve_factory(sqlite_db.url, env={**NO_CATCHUP, "LOG_LEVEL": level, "TIS_SYNC_HTTP_LISTEN": "off"})
    time.sleep(1.0)
    assert s.proc.poll() is None, s.log()
    assert s.stop() == 0
    assert s.log() == "", s.log()
    # errors still appear: a job that fails (no search engine here) at that level
    cp = run_tis("--db", sqlite_db.url, "run", "PersonElasticSearchSyncJob", env={"LOG_LEVEL": level, **NO_SEARCH})
    assert cp.returncode == 1
    assert "ERROR Sync job [PersonElasticSearchSyncJob] failed" in cp.stderr
    assert " INFO " not in cp.stderr and " WARN " not in cp.stderr, cp.stderr


# --------------------------------------------------------------------------
# tis-sync jobs


def job_lines(stdout):
    """{job: line} of `tis-sync jobs` (after the schema line and the header)."""
    return {ln.split()[0]: ln for ln in stdout.splitlines()[2:]}


def test_jobs_lists_schedules_next_and_last_runs(sqlite_db, run_tis):
    prepare_db(run_tis, sqlite_db, persons=10)
    insert_history(sqlite_db, "PostTrainingBodyTrustJob", "2030-01-10 01:19:00", "succeeded")
    insert_history(sqlite_db, "PostEmployingBodyTrustJob", "2030-01-10 01:09:00", "failed")
    cp = run_tis("--db", sqlite_db.url, "jobs",
                 env={"TIS_SYNC_TEST_NOW": "2030-01-10T01:10:00Z", "APPLICATION_CRON_PERSONOWNERREBUILDJOB": "0 0 3 * * *"})
    assert cp.returncode == 0, cp.stderr
    lines = job_lines(cp.stdout)
    assert set(lines) == set(CHAIN) | set(REVAL_JOBS)
    assert cp.stdout.startswith("TCS schema: 2026\n")
    for job in REVAL_JOBS:  # they exist only with a broker
        assert "needs RABBITMQ_HOST" in lines[job]
    assert "0 0 3 * * *" in lines["PersonOwnerRebuildJob"]
    assert "2030-01-10 03:00:00 UTC" in lines["PersonOwnerRebuildJob"]
    assert "2030-01-11 00:09:00 UTC" in lines["PersonPlacementEmployingBodyTrustJob"]
    assert "2030-01-10 01:19:00 UTC" in lines["PostTrainingBodyTrustJob"]
    assert lines["PostTrainingBodyTrustJob"].rstrip().endswith("succeeded")
    assert lines["PostEmployingBodyTrustJob"].rstrip().endswith("not succeeded")
    assert lines["PersonElasticSearchSyncJob"].rstrip().endswith("never run")


def test_serve_refuses_bad_settings(sqlite_db, run_tis):
    for env, needle in [({"TIS_SYNC_TIME_ZONE": "Mars/Olympus"}, "schedule.time_zone"),
                        ({"APPLICATION_CRON_POSTTRAININGBODYTRUSTJOB": "0 0 25 * * *"},
                         "schedule.PostTrainingBodyTrustJob"),
                        ({"TIS_SYNC_OUT_OF_DATE_POLICY_POSTTRAININGBODYTRUSTJOB": "sometimes"},
                         "startup.policy.PostTrainingBodyTrustJob"),
                        ({"TIS_SYNC_TEST_NOW": "yesterday"}, "debug.now"),
                        # one parser for the catch-up window: what serve cannot read is refused here
                        ({"APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "07:00x"}, "bad value '07:00x' for startup.earliest"),
                        ({"APPLICATION_JOBS_RUNONSTARTUP_LATEST": "07:00 "}, "startup.latest"),
                        ({"APPLICATION_JOBS_RUNONSTARTUP_LATEST": " 7:00"}, "startup.latest"),
                        ({"APPLICATION_CRON_POSTTRAININGBODYTRUSTJOB": "@reboot"}, "unknown macro '@reboot'")]:
        cp = run_tis("--db", sqlite_db.url, "serve", env=env, timeout=20)
        assert cp.returncode == 2, (env, cp.stderr)
        assert needle in cp.stderr, cp.stderr
    cp = run_tis("--db", sqlite_db.url, "--listen", "127.0.0.1:notaport", "serve", timeout=20)
    assert cp.returncode == 1 and "http.listen" in cp.stderr, cp.stderr


# --------------------------------------------------------------------------
# service manager (sd_notify)


def test_sd_notify_ready_status_watchdog_stopping(sqlite_db, run_tis, serve_factory, tmp_path):
    import socket
    prepare_db(run_tis, sqlite_db, persons=10)
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    messages = []

    def drain(until):
        while time.monotonic() < until:
            try:
                messages.append((time.monotonic(), sock.recv(4096).decode()))
            except socket.timeout:
                pass

    try:
        s = serve_factory(sqlite_db.url, env={**NO_CATCHUP, "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000",
                                              "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "1500"})
        drain(time.monotonic() + 1.6)
        s.request("PUT", "/sync/api/job/PostTrainingBodyTrustJob")
        drain(time.monotonic() + 1.2)
        s.send(signal.SIGTERM)
        drain(time.monotonic() + 1.5)
        assert s.stop() == 0
    finally:
        sock.close()
    texts = [m for _, m in messages]
    assert texts[0] == "READY=1\nSTATUS=Started", texts
    dogs = [t for t, m in messages if m == "WATCHDOG=1"]
    assert len(dogs) >= 4, texts  # every 0.5 s (half of WATCHDOG_USEC)
    assert any(m.startswith("STATUS=Idle") or m.startswith("STATUS=next: PersonOwnerRebuildJob at ") for m in texts)
    assert any(m.startswith("STATUS=running PostTrainingBodyTrustJob (") for m in texts), texts
    assert any(m.startswith("STOPPING=1") for m in texts), texts
