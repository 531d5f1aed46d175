"""Crash consistency (issue 10) on MariaDB: `kill -9` at 20 random moments
of each of the six jobs of 2019 (reading, writing, waiting to commit, the
search bulk phase, just before the alias switch). After each kill the
table is exactly its state before or after the run, the alias points to a
complete index; the next run marks the killed run `crashed` (never left
running), and once it has finished no half-built index is left. At the
end a `serve` that starts marks a killed run crashed itself and its
out-of-date policy runs the job again."""

import collections
import hashlib
import random
import subprocess
import time

import pytest

from conftest import clean_env
from serve_helpers import serve_factory, wait_until  # noqa: F401

KILLS = 20
TODAY = "2019-08-20"
# job -> (its table, or None for the index; how to change its sources so
# that the next run's result differs, given the iteration number)
JOBS = {
    "PersonOwnerRebuildJob": ("PersonOwner", "UPDATE Programme SET owner = CONCAT('Region ', {i}) WHERE id % 3 = {i} % 3"),
    "PersonPlacementEmployingBodyTrustJob": ("PersonTrust", "UPDATE Post SET employingBodyId = employingBodyId % 40 + 1 "
                                             "WHERE id % 7 = {i} % 7"),
    "PersonPlacementTrainingBodyTrustJob": ("PersonTrust", "UPDATE Post SET trainingBodyId = trainingBodyId % 40 + 1 "
                                            "WHERE id % 7 = {i} % 7"),
    "PostEmployingBodyTrustJob": ("PostTrust", "UPDATE Post SET employingBodyId = employingBodyId % 40 + 1 WHERE id % 5 = {i} % 5"),
    "PostTrainingBodyTrustJob": ("PostTrust", "UPDATE Post SET trainingBodyId = trainingBodyId % 40 + 1 WHERE id % 5 = {i} % 5"),
    "PersonElasticSearchSyncJob": (None, "UPDATE ContactDetails SET surname = CONCAT('Crash', {i}) WHERE id % 50 = {i} % 50"),
}


def signature(db, table):
    rows = db.query(f"SELECT * FROM {table}")
    key = (lambda r: r[1:]) if table != "PersonOwner" else (lambda r: r)  # ids of trust rows are not content
    return hashlib.sha256(repr(sorted(key(r) for r in rows)).encode()).hexdigest()


def run_env(engine, alias, pause=None, pause_ms=0):
    """PAUSE: "WRITE" or "COMMIT", the pause point held PAUSE_MS."""
    env = {"TIS_SYNC_ES_URL": engine.url, "TIS_SYNC_ES_ALIAS": alias, "TIS_SYNC_ES_KEEP_PREVIOUS": "0",
           "TIS_SYNC_OWNER_MODE": "native", "TIS_SYNC_ES_BULK_BYTES": "65536", "TIS_SYNC_ES_CONCURRENCY": "1"}
    if pause:
        env[f"TIS_SYNC_TEST_PAUSE_BEFORE_{pause}_MS"] = str(pause_ms)
    return env


# Where the kills land, in turn: anywhere in the run (start-up, reading, the
# search bulk phase), in the pause after reading the current rows and before
# writing, in the pause after writing and before the commit (the search job:
# before the alias switch).
PHASES = [None, "WRITE", "COMMIT"]


def kill_at(proc, log_path, pause, delay, rng, limit):
    """Kills PROC after DELAY, or, with a PAUSE, at a random moment of it
    (when the job reaches it: a job without that pause point is killed
    after DELAY). Returns where it was killed."""
    if pause:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and proc.poll() is None:
            if "pausing " in log_path.read_text(errors="replace"):
                time.sleep(rng.uniform(0.0, 0.45))
                proc.kill()
                proc.wait()
                return f"in the pause before {pause.lower()}"
            time.sleep(0.01)
    time.sleep(delay)
    proc.kill()
    proc.wait()
    return f"at {delay:.2f} s"


def full_run(run_tis, db, job, env):
    cp = run_tis("--db", db.url, "run", job, "--today", TODAY, env=env, timeout=300)
    assert cp.returncode == 0, cp.stderr[-3000:]
    return cp


@pytest.mark.parametrize("job", list(JOBS))
def test_kill_9_at_random_moments(mysql_db, run_tis, tis_bin, engine, alias, serve_factory, job, tmp_path):
    db = mysql_db
    table, change = JOBS[job]
    for args in (("init-db", "--tcs"), ("demo-data", "--persons", "8000", "--seed", "9")):
        assert run_tis("--db", db.url, *args).returncode == 0
    env = run_env(engine, alias)
    full_run(run_tis, db, "PersonOwnerRebuildJob", env)
    started = time.monotonic()
    full_run(run_tis, db, job, env)
    took = time.monotonic() - started
    rng = random.Random(hash(job) & 0xffff)
    changed_states = 0
    outcomes = {"before": 0, "after": 0}
    places = collections.Counter()
    for i in range(KILLS):
        db.execute(change.format(i=i + 1))
        before = signature(db, table) if table else None
        live_before = None if table else engine.alias_targets(alias)
        count_before = None if table else engine.count(alias)
        pause = PHASES[i % len(PHASES)]
        log_path = tmp_path / f"kill-{i}.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen([tis_bin, "--db", db.url, "run", job, "--today", TODAY],
                                    env=clean_env(run_env(engine, alias, pause, 500)), stdout=subprocess.DEVNULL,
                                    stderr=log)
        where = kill_at(proc, log_path, pause, rng.uniform(0.01, took * 1.2), rng, took * 3 + 5)
        places[where.split(" ")[0] if not where.startswith("in") else where] += 1
        killed_row = db.query("SELECT id, status FROM tis_sync_run WHERE job = %s ORDER BY id DESC LIMIT 1", (job,))[0]
        middle = signature(db, table) if table else None
        if table:
            # the next run finishes what the killed one meant to do
            full_run(run_tis, db, job, env)
            after = signature(db, table)
            assert middle in (before, after), f"kill {i + 1} {where}: a partial {table}"
            outcomes["before" if middle == before else "after"] += 1
            changed_states += before != after
        else:
            targets = engine.alias_targets(alias)
            assert targets == live_before or len(targets) == 1, targets
            outcomes["before" if targets == live_before else "after"] += 1
            if targets == live_before:
                assert engine.count(alias) == count_before  # the previous index, whole
            full_run(run_tis, db, job, env)
            target, = engine.alias_targets(alias)
            assert engine.indices(alias) == [target], engine.indices(alias)  # nothing half-built left
            changed_states += 1
        status = db.query("SELECT status FROM tis_sync_run WHERE id = %s", (killed_row[0],))[0][0]
        assert killed_row[1] != "running" or status == "crashed", (killed_row, status)
    assert changed_states >= KILLS // 2, "the runs hardly changed anything: the check meant little"
    assert not db.query("SELECT id FROM tis_sync_run WHERE status = 'running'")
    print(f"{job}: {KILLS} kills ({dict(places)}) of {took:.2f} s runs: {outcomes['before']} left it as "
          f"before, {outcomes['after']} as after, none partial")

    # a serve that starts after a crash records it and re-runs the job
    proc = subprocess.Popen([tis_bin, "--db", db.url, "run", job, "--today", TODAY],
                            env=clean_env(run_env(engine, alias, "COMMIT", 5000)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_until(lambda: db.query("SELECT COUNT(*) FROM tis_sync_run WHERE status = 'running'")[0][0] == 1,
               what="the run to start")
    time.sleep(took + 0.2)
    proc.kill()
    proc.wait()
    s = serve_factory(db.url, env={**run_env(engine, alias), "TIS_SYNC_TODAY": TODAY,
                                   "APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "00:00",
                                   "APPLICATION_JOBS_RUNONSTARTUP_LATEST": "00:00",
                                   "TIS_SYNC_OUT_OF_DATE_POLICY": "run_once"})
    s.wait_for(r"run\(s\) left running by a process that ended are recorded as crashed")
    s.wait_for(rf"Startup: {job} is out of date")
    s.wait_for(rf"Sync job \[{job}\] finished", timeout=120)
    assert s.stop() == 0
    statuses = [r[0] for r in db.query("SELECT status FROM tis_sync_run WHERE job = %s ORDER BY id DESC LIMIT 2",
                                       (job,))]
    assert statuses == ["succeeded", "crashed"], statuses
