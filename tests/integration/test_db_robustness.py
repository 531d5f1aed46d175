"""What readers see while a job runs, and what is left when a job fails:
the tables hold the old rows or the new rows, never an empty or partial
table, and a failed or stopped job leaves them as they were."""

import signal
import subprocess
import threading
import time

import pytest

from conftest import clean_env

SIGNATURES = {  # one query that changes whenever a table's contents change
    "PersonOwner": "SELECT COUNT(*), COUNT(owner), COUNT(rule) FROM PersonOwner",
    "PersonTrust": "SELECT COUNT(*), SUM(trustId) FROM PersonTrust",
    "PostTrust": "SELECT COUNT(*), SUM(trustId) FROM PostTrust",
}
JOB_TABLE = {
    "PersonOwnerRebuildJob": "PersonOwner",
    "PersonPlacementEmployingBodyTrustJob": "PersonTrust",
    "PersonPlacementTrainingBodyTrustJob": "PersonTrust",
    "PostEmployingBodyTrustJob": "PostTrust",
    "PostTrainingBodyTrustJob": "PostTrust",
}


@pytest.fixture
def demo_db(db, run_tis):
    cp = run_tis("--db", db.url, "demo-data", "--persons", "3000", "--seed", "11")
    assert cp.returncode == 0, cp.stderr
    assert run_tis("--db", db.url, "init-db", "--tcs").returncode == 0
    return db


def signature(db, table):
    return tuple(db.query(SIGNATURES[table])[0])


def change_sources(db):
    """Changes the sources so that every job's next result differs."""
    db.execute("UPDATE Post SET employingBodyId = employingBodyId + 1, trainingBodyId = trainingBodyId + 2 "
               "WHERE id % 2 = 0")
    db.execute("DELETE FROM Placement WHERE id % 7 = 0")
    db.execute("INSERT INTO Person (id) VALUES (90001), (90002)")


class Poller(threading.Thread):
    """Reads a table's signature in a loop on its own connection."""

    def __init__(self, db, table):
        super().__init__(daemon=True)
        self.db, self.table = db, table
        self.seen = []
        self.stop = threading.Event()

    def run(self):
        con = self.db.connect()
        try:
            while not self.stop.is_set():
                cur = con.cursor()
                cur.execute(SIGNATURES[self.table])
                self.seen.append(tuple(cur.fetchone()))
                cur.close()
                if self.db.kind == "mysql":
                    con.commit()  # a fresh snapshot for the next read
                time.sleep(0.005)
        finally:
            con.close()


def start_job(tis_bin, db, log_dir, job, extra_env=None, *args):
    env = clean_env({"TIS_SYNC_DB": db.url, **(extra_env or {})}, log_dir=log_dir)
    return subprocess.Popen([tis_bin, "run", job, "--today", "2026-01-15", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_running(db, job, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if db.query("SELECT COUNT(*) FROM tis_sync_run WHERE job = %s AND status = 'running'".replace(
                "%s", "?" if db.kind == "sqlite" else "%s"), (job,))[0][0]:
            return
        time.sleep(0.05)
    pytest.fail(f"{job} never showed as running")


@pytest.mark.parametrize("job", sorted(JOB_TABLE))
def test_readers_see_old_or_new_never_partial(demo_db, run_tis, tis_bin, log_dir, job):
    table = JOB_TABLE[job]
    first = run_tis("--db", demo_db.url, "run", "PersonPlacementEmployingBodyTrustJob", job, "--today", "2020-01-01")
    assert first.returncode == 0, first.stderr
    old = signature(demo_db, table)
    change_sources(demo_db)
    poller = Poller(demo_db, table)
    poller.start()
    time.sleep(0.2)
    proc = start_job(tis_bin, demo_db, log_dir, job, {"TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "1000"})
    out, err = proc.communicate(timeout=120)
    time.sleep(0.2)
    poller.stop.set()
    poller.join()
    assert proc.returncode == 0, err
    new = signature(demo_db, table)
    assert new != old, "the test data change must change the table"
    assert set(poller.seen) <= {old, new}, f"partial states seen: {set(poller.seen) - {old, new}}"
    assert poller.seen[0] == old and poller.seen[-1] == new
    assert poller.seen.count(old) > 50, "the poller must have read while the job ran"


def add_failing_trigger(db):
    if db.kind == "sqlite":
        db.execute("CREATE TRIGGER boom BEFORE INSERT ON PersonTrust WHEN NEW.personId > 2000 "
                   "BEGIN SELECT RAISE(ABORT, 'boom: injected failure'); END")
    else:
        db.execute("CREATE TRIGGER boom BEFORE INSERT ON PersonTrust FOR EACH ROW BEGIN "
                   "IF NEW.personId > 2000 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom: injected failure'; "
                   "END IF; END")


def test_failure_half_way_leaves_the_table(demo_db, run_tis):
    assert run_tis("--db", demo_db.url, "run", "PersonPlacementEmployingBodyTrustJob").returncode == 0
    old = signature(demo_db, "PersonTrust")
    demo_db.execute("DELETE FROM PersonTrust WHERE personId > 2000")  # the job must re-insert these
    old = signature(demo_db, "PersonTrust")
    change_sources(demo_db)
    add_failing_trigger(demo_db)
    cp = run_tis("--db", demo_db.url, "run", "PersonPlacementEmployingBodyTrustJob")
    assert cp.returncode == 1
    assert "Sync job [PersonPlacementEmployingBodyTrustJob] failed" in cp.stderr
    assert "insert: PersonTrust:" in cp.stderr and "boom: injected failure" in cp.stderr
    assert signature(demo_db, "PersonTrust") == old
    status, error = demo_db.query("SELECT status, error FROM tis_sync_run ORDER BY id DESC LIMIT 1")[0]
    assert status == "failed" and "boom: injected failure" in error


def test_killed_connection_fails_the_job_and_keeps_the_table(mysql_db, run_tis, tis_bin, log_dir):
    assert run_tis("--db", mysql_db.url, "demo-data", "--persons", "3000").returncode == 0
    assert run_tis("--db", mysql_db.url, "run", "PostEmployingBodyTrustJob").returncode == 0
    change_sources(mysql_db)
    old = signature(mysql_db, "PostTrust")
    proc = start_job(tis_bin, mysql_db, log_dir, "PostEmployingBodyTrustJob",
                     {"TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "5000"})
    wait_until_running(mysql_db, "PostEmployingBodyTrustJob")
    time.sleep(0.5)
    ids = mysql_db.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s AND ID <> CONNECTION_ID()",
                         (mysql_db.name,))
    assert ids, "the job's connections must be visible"
    for (conn_id,) in ids:
        mysql_db.execute(f"KILL CONNECTION {conn_id}")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "Sync job [PostEmployingBodyTrustJob] failed" in err
    assert signature(mysql_db, "PostTrust") == old
    status, error = mysql_db.query("SELECT status, error FROM tis_sync_run ORDER BY id DESC LIMIT 1")[0]
    # Every session died, the job's writer too: the fence of its commit (the
    # lease renewed in the writer's own transaction) fails, and says so.
    assert status == "failed" and error.startswith(
        "check lease: lease of the lock PostEmployingBodyTrustJob not confirmed: MariaDB error 2013"), error


def test_sigterm_rolls_back_and_records_why(demo_db, tis_bin, log_dir):
    old = signature(demo_db, "PostTrust")
    proc = start_job(tis_bin, demo_db, log_dir, "PostEmployingBodyTrustJob",
                     {"TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "20000"})
    wait_until_running(demo_db, "PostEmployingBodyTrustJob")
    time.sleep(0.3)
    started = time.time()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert time.time() - started < 5
    assert proc.returncode == 1, err
    assert signature(demo_db, "PostTrust") == old
    status, error = demo_db.query("SELECT status, error FROM tis_sync_run ORDER BY id DESC LIMIT 1")[0]
    assert status == "aborted" and error.startswith("cancel:")


@pytest.mark.parametrize("db", ["mysql"], indirect=True)
def test_a_cancel_while_waiting_for_a_dependency_is_reported_as_a_cancel(demo_db, tis_bin, log_dir):
    """Issue 10, defect 5: the wait for a job it reads from ends at once on
    a cancel, reported as the cancel, not as "still running after 3600 s".
    (MariaDB: on SQLite the waiting run cannot even record its start while
    the other job holds the file's write lock.)"""
    upstream = start_job(tis_bin, demo_db, log_dir, "PostEmployingBodyTrustJob",  # holds no write lock while paused
                         {"TIS_SYNC_TEST_PAUSE_BEFORE_WRITE_MS": "20000"})
    wait_until_running(demo_db, "PostEmployingBodyTrustJob")
    waiting = start_job(tis_bin, demo_db, log_dir, "PostTrainingBodyTrustJob")
    wait_until_running(demo_db, "PostTrainingBodyTrustJob")
    time.sleep(0.5)
    started = time.time()
    waiting.send_signal(signal.SIGTERM)
    _, err = waiting.communicate(timeout=30)
    assert time.time() - started < 5
    upstream.kill()
    upstream.communicate()
    assert waiting.returncode == 1, err
    status, error = demo_db.query("SELECT status, error FROM tis_sync_run WHERE job = 'PostTrainingBodyTrustJob' "
                                  "ORDER BY id DESC LIMIT 1")[0]
    assert status == "aborted" and error.startswith("cancel: the service is shutting down"), error
    assert "still running after" not in error and "(while waiting for " in error, error


def test_second_run_of_a_running_job_exits_3(demo_db, run_tis, tis_bin, log_dir):
    proc = start_job(tis_bin, demo_db, log_dir, "PostEmployingBodyTrustJob",
                     {"TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "3000"})
    wait_until_running(demo_db, "PostEmployingBodyTrustJob")
    cp = run_tis("--db", demo_db.url, "run", "postemployingbodytrustfullsync")
    assert cp.returncode == 3
    assert "Sync job [PostEmployingBodyTrustJob] already running, exiting this execution" in cp.stderr
    # `tis-sync jobs` says who runs it: the holder of its lease, with its database
    # node (MariaDB: on a fresh SQLite file a reader can wait for the writer)
    if demo_db.kind == "mysql":
        listed = run_tis("--db", demo_db.url, "jobs")
        line = next(ln for ln in listed.stdout.splitlines() if ln.startswith("PostEmployingBodyTrustJob "))
        assert f":{proc.pid} started " in line and " via " in line and "(running: " in line, line
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    rows = demo_db.query("SELECT status, error FROM tis_sync_run WHERE job = 'PostEmployingBodyTrustJob' ORDER BY id")
    assert sorted(r[0] for r in rows) == ["skipped", "succeeded"]
    assert ("skipped", "already running") in rows


def test_jobs_writing_one_table_never_overlap(demo_db, run_tis, tis_bin, log_dir):
    """The training-body job runs; the employing-body job started meanwhile
    waits for it instead of diffing the same table from a stale snapshot."""
    assert run_tis("--db", demo_db.url, "run", "PersonPlacementEmployingBodyTrustJob").returncode == 0
    employing_only = signature(demo_db, "PersonTrust")
    training = start_job(tis_bin, demo_db, log_dir, "PersonPlacementTrainingBodyTrustJob",
                         {"TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "2000"})
    wait_until_running(demo_db, "PersonPlacementTrainingBodyTrustJob")
    employing = start_job(tis_bin, demo_db, log_dir, "PersonPlacementEmployingBodyTrustJob")
    _, err_t = training.communicate(timeout=60)
    _, err_e = employing.communicate(timeout=60)
    assert training.returncode == 0, err_t
    assert employing.returncode == 0, err_e
    assert signature(demo_db, "PersonTrust") == employing_only
