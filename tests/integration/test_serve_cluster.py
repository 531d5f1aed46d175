"""Two `serve` processes on one database (blue/green): each cron firing runs
once between them, and a holder killed with SIGKILL does not block the job
beyond its next firing."""

import collections
import time

from serve_helpers import NO_CATCHUP, history, insert_history, prepare_db, serve_factory, to_epoch  # noqa: F401

JOB = "PostEmployingBodyTrustJob"
EVERY_3S = {**NO_CATCHUP, "APPLICATION_CRON_POSTEMPLOYINGBODYTRUSTJOB": "*/3 * * * * *"}


def firing_slots(rows):
    """Runs grouped by the 3-second firing they belong to (fire times are
    multiples of 3 s; a run or a skip is recorded within that slot)."""
    slots = collections.defaultdict(list)
    for r in rows:
        slots[int(to_epoch(r[6]) // 3) * 3].append(r)
    return slots


def test_two_instances_run_each_firing_once(mysql_db, run_tis, serve_factory):
    prepare_db(run_tis, mysql_db)
    blue = serve_factory(mysql_db.url, env=EVERY_3S)
    green = serve_factory(mysql_db.url, env=EVERY_3S)
    blue.wait_for("tis-sync serve started")
    green.wait_for("tis-sync serve started")
    time.sleep(25)
    assert blue.stop() == 0 and green.stop() == 0
    rows = [r for r in history(mysql_db, JOB) if r[2] == "cron"]
    slots = firing_slots(rows)
    # the first and last slots may have seen only one instance
    full = sorted(slots)[1:-1]
    assert len(full) >= 6, sorted(slots)
    for t in full:
        statuses = sorted(r[3] for r in slots[t])
        assert statuses == ["skipped", "succeeded"], (t, slots[t])
        skip = next(r for r in slots[t] if r[3] == "skipped")
        assert skip[4] == "already running" or skip[4].startswith("already run for the "), skip
    # across all slots: never two runs for one firing
    for t, runs in slots.items():
        assert sum(r[3] == "succeeded" for r in runs) <= 1, (t, runs)
    firings = blue.log().count(f"Schedule: firing {JOB}") + green.log().count(f"Schedule: firing {JOB}")
    assert firings == len(rows)
    # every row names its firing; per firing: at most one run, one row per instance
    per_firing = collections.defaultdict(list)
    for status, fire in mysql_db.query("SELECT status, scheduled_for FROM tis_sync_run WHERE job = %s AND "
                                       "trigger_kind = 'cron'", (JOB,)):
        assert fire is not None
        per_firing[fire].append(status)
    assert len(per_firing) >= 6
    for fire, statuses in per_firing.items():
        assert len(statuses) <= 2 and statuses.count("succeeded") <= 1, (fire, statuses)


def test_killed_lock_holder_does_not_block_the_next_firing(db, run_tis, serve_factory):
    prepare_db(run_tis, db)
    # blue takes the job first and holds it (a long pause before commit)
    blue = serve_factory(db.url, env={**EVERY_3S, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "120000"})
    blue.wait_for(rf"Sync \[{JOB}\] started")
    green = serve_factory(db.url, env=EVERY_3S)
    green.wait_for(rf"Sync job \[{JOB}\] already running, exiting this execution")
    blue.kill9()
    killed_at = time.time()
    green.wait_for(rf"Sync job \[{JOB}\] finished", timeout=15)
    assert green.stop() == 0
    rows = history(db, JOB)
    ok = [r for r in rows if r[3] == "succeeded"]
    assert ok and ok[0][5] == green.pid, rows
    assert killed_at - 1 < to_epoch(ok[0][6]) < killed_at + 7, (killed_at, ok[0])
    blue_rows = [r for r in rows if r[5] == blue.pid and r[3] != "skipped"]
    assert [r[3] for r in blue_rows] == ["crashed"], rows


def firing_columns(db, job, pid):
    """(status, error, scheduled_for as 'YYYY-MM-DD HH:MM:SS') of JOB's rows written by PID."""
    ph = "?" if db.kind == "sqlite" else "%s"
    rows = db.query(f"SELECT status, error, scheduled_for FROM tis_sync_run WHERE job = {ph} AND pid = {ph} "
                    "ORDER BY id", (job, pid))
    return [(r[0], r[1], str(r[2])[:19] if r[2] is not None else None) for r in rows]


def test_same_firing_is_found_by_its_fire_time_not_by_clocks(db, run_tis, serve_factory):
    """The other instance's clock may be off: a firing it took is recognised
    by the fire time it recorded (scheduled_for), never by comparing its
    started_at (its clock) with this instance's fire time."""
    prepare_db(run_tis, db, persons=10)
    fire = "2030-01-10 12:00:03"
    real = time.time()
    slow = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(real - 3600))
    fast = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(real + 3600))
    # the other instance took this firing, its clock an hour slow; it failed:
    # a failed firing is the same firing and is not run again
    insert_history(db, "PostEmployingBodyTrustJob", slow, "failed", scheduled_for=fire)
    # the other instance ran an earlier firing, its clock an hour fast: not this firing
    insert_history(db, "PostTrainingBodyTrustJob", fast, "succeeded", scheduled_for="2030-01-10 11:59:03")
    # a run of this firing stopped by a shutdown rolled back: this firing still runs
    insert_history(db, "PersonOwnerRebuildJob", fast, "aborted", scheduled_for=fire)
    at_fire = "3 0 12 * * *"
    s = serve_factory(db.url, env={**NO_CATCHUP, "TIS_SYNC_TEST_NOW": "2030-01-10T12:00:00Z",
                                   "APPLICATION_CRON_POSTEMPLOYINGBODYTRUSTJOB": at_fire,
                                   "APPLICATION_CRON_POSTTRAININGBODYTRUSTJOB": at_fire,
                                   "APPLICATION_CRON_PERSONOWNERREBUILDJOB": at_fire})
    for job, outcome in [("PostEmployingBodyTrustJob", "already running"), ("PostTrainingBodyTrustJob", "succeeded"),
                         ("PersonOwnerRebuildJob", "succeeded")]:
        s.wait_for(rf"Run ended \(trigger cron\): {job}: {outcome}", timeout=30)
    assert s.stop() == 0
    reason = f"already run for the {fire} UTC firing (by earlier-host pid 1)"
    assert f"Sync job [PostEmployingBodyTrustJob] {reason}, exiting this execution" in s.log()
    assert firing_columns(db, "PostEmployingBodyTrustJob", s.pid) == [("skipped", reason, fire)]
    assert firing_columns(db, "PostTrainingBodyTrustJob", s.pid) == [("succeeded", None, fire)]
    assert firing_columns(db, "PersonOwnerRebuildJob", s.pid) == [("succeeded", None, fire)]
