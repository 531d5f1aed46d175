"""Two `serve` processes on one database (blue/green): each cron firing runs
once between them, and a holder killed with SIGKILL does not block the job
beyond its next firing."""

import collections
import time

from serve_helpers import NO_CATCHUP, history, prepare_db, serve_factory, to_epoch  # noqa: F401

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
    assert [r[3] for r in blue_rows] == ["abandoned"], rows


def test_firing_already_run_by_another_instance_is_skipped(sqlite_db, run_tis, serve_factory):
    """The other instance may have finished the same firing before this one
    got the lock: its run, started at or after the fire time, counts."""
    prepare_db(run_tis, sqlite_db, persons=10)
    from serve_helpers import insert_history
    later = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 60))
    insert_history(sqlite_db, JOB, later, "succeeded")  # "the other instance", for every firing of the next minute
    s = serve_factory(sqlite_db.url, env=EVERY_3S)
    m = s.wait_for(rf"Sync job \[{JOB}\] (already run for the \S+ \S+ UTC firing \(by earlier-host pid 1\)), "
                   "exiting this execution")
    assert s.stop() == 0
    cron = [r for r in history(sqlite_db, JOB) if r[5] == s.pid]
    assert cron and all(r[3] == "skipped" for r in cron), cron
    assert m.group(1) in [r[4] for r in cron]
