"""One run at a time on a real 3-node Galera cluster (issue 9): instances
on different nodes share the job leases of tis_sync_lease (GET_LOCK is
local to one node), each commit is fenced with its lease, a killed holder
is taken over, a paused one cannot commit once it wakes up, and a node
killed during a job leaves the surviving nodes in agreement."""

import collections
import signal
import time

import pytest

from serve_helpers import CHAIN, NO_CATCHUP, prepare_db, serve_factory, to_epoch, wait_until  # noqa: F401

JOB = "PostEmployingBodyTrustJob"
TABLE = "PostTrust"
EVERY_5S = {**NO_CATCHUP, "APPLICATION_CRON_POSTEMPLOYINGBODYTRUSTJOB": "*/5 * * * * *"}
SHORT_LEASE = {"TIS_SYNC_LOCK_LEASE": "4", "TIS_SYNC_LOCK_RENEW": "1"}


def runs(db, job=JOB):
    """(id, trigger, status, error, scheduled_for, started_at, finished_at, instance, rows_written) in id order."""
    return db.query("SELECT id, trigger_kind, status, error, scheduled_for, started_at, finished_at, instance, "
                    "rows_written FROM tis_sync_run WHERE job = %s ORDER BY id", (job,))


def synced_query(node, sql, params=None):
    """SQL on one node after it has applied every write the cluster committed."""
    conn = node.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET SESSION wsrep_sync_wait = 1")
            cur.execute(sql, params)
            return [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


def assert_nodes_agree(db, tables=(TABLE,), nodes=(1, 2, 3)):
    """Every node of NODES holds the same rows in TABLES."""
    for table in tables:
        sums = {n: synced_query(db.nodes[n - 1], f"CHECKSUM TABLE `{table}`")[0][1] for n in nodes}
        assert len(set(sums.values())) == 1, (table, sums)


def assert_nothing_left_to_do(run_tis, url):
    """Another run of JOB changes nothing: its table holds exactly the
    wanted rows, none twice."""
    cp = run_tis("--db", url, "run", JOB, timeout=120)
    assert cp.returncode == 0, cp.stderr
    assert "(0 rows written)" in cp.stderr, cp.stderr[-2000:]


def run_when_free(run_tis, url, within=30):
    """`tis-sync run JOB` on URL, again every second while the job's lease is
    still held elsewhere (at most WITHIN seconds); returns the last result."""
    deadline = time.time() + within
    while True:
        cp = run_tis("--db", url, "run", JOB, env=SHORT_LEASE, timeout=120)
        if cp.returncode == 0 or "already running" not in cp.stderr or time.time() > deadline:
            return cp
        time.sleep(1)


def test_three_instances_on_three_nodes_run_each_firing_once(galera_db, run_tis, serve_factory):
    db = galera_db
    prepare_db(run_tis, db, persons=400)
    slow = {**EVERY_5S, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "1500"}
    instances = [serve_factory(node.url, env=slow) for node in db.nodes]
    for s in instances:
        s.wait_for("tis-sync serve started")
    # each instance says which database node it is on
    def all_up():
        found = instances[0].call("GET", "/api/v1/instances").json["instances"]
        return found if len([i for i in found if i["up"]]) == 3 else None
    found = wait_until(all_up, timeout=20, what="three instances up")
    assert sorted(int(i["databaseNode"].rsplit(":", 1)[1]) for i in found) == sorted(n.server.port for n in db.nodes)
    time.sleep(60)
    for s in instances:
        assert s.stop() == 0
    rows = [r for r in runs(db) if r[1] == "cron"]
    per_firing = collections.defaultdict(list)
    for r in rows:
        assert r[4] is not None, r
        per_firing[r[4]].append(r)
    firings = sorted(per_firing)
    assert len(firings) >= 10, firings
    for fire in firings:
        statuses = sorted(r[2] for r in per_firing[fire])
        ran = [s for s in statuses if s != "skipped"]
        # the last firing may have been stopped by the shutdown
        assert ran == ["succeeded"] or (fire == firings[-1] and ran == ["aborted"]), (fire, per_firing[fire])
        assert len(statuses) <= 3, (fire, statuses)
    done = sorted((r for r in rows if r[2] == "succeeded"), key=lambda r: r[5])
    assert len({r[7] for r in done}) >= 2, "the runs were not shared between the instances"
    for a, b in zip(done, done[1:]):  # never two runs at once
        assert to_epoch(a[6]) <= to_epoch(b[5]), (a, b)
    assert_nodes_agree(db)
    assert_nothing_left_to_do(run_tis, db.nodes[1].url)
    print(f"{len(firings)} firings, {len(rows)} rows: {len(done)} runs (1 per firing), "
          f"{len(rows) - len(done)} skips, 0 overlaps, 0 surplus rows")


def test_two_instances_starting_together_run_the_catch_up_once(galera_db, run_tis, serve_factory):
    """The catch-up inside the window stands for the window's opening, as a
    cron firing stands for its fire time: between them, once."""
    db = galera_db
    prepare_db(run_tis, db, persons=200)
    whole_day = {"APPLICATION_JOBS_RUNONSTARTUP_EARLIEST": "00:00", "APPLICATION_JOBS_RUNONSTARTUP_LATEST": "24:00"}
    pair = [serve_factory(node.url, env=whole_day) for node in db.nodes[:2]]
    for s in pair:
        s.wait_for("Startup catch-up: running the whole chain once")

    def settled():
        rows = db.query("SELECT job, status, instance, error FROM tis_sync_run WHERE trigger_kind = 'startup'")
        per_job = collections.Counter(r[0] for r in rows)
        going = [r for r in rows if r[1] in ("running", "queued")]
        return rows if all(per_job[j] == 2 for j in CHAIN) and not going else None
    rows = wait_until(settled, timeout=180, what="both catch-ups to end")
    for s in pair:
        assert s.stop() == 0
    ran = collections.Counter(r[0] for r in rows if r[1] != "skipped")
    assert all(ran[j] == 1 for j in CHAIN), sorted(rows)
    assert len({r[2] for r in rows if r[1] != "skipped"}) == 2, "one instance ran the whole chain"  # shared
    assert_nodes_agree(db, tables=("PostTrust", "PersonTrust", "PersonOwner"))
    # the tables hold what one more run of the trust jobs, in order, gives
    tables = ("PersonTrust", "PostTrust")
    before = {t: sorted(synced_query(db.nodes[2], f"SELECT * FROM {t}"), key=lambda r: r[1:]) for t in tables}
    cp = run_tis("--db", db.nodes[2].url, "run", *CHAIN[1:5], timeout=120)
    assert cp.returncode == 0, cp.stderr
    for t in tables:
        after = sorted(synced_query(db.nodes[2], f"SELECT * FROM {t}"), key=lambda r: r[1:])
        assert [r[1:] for r in after] == [r[1:] for r in before[t]], t


def test_killed_holder_is_taken_over_without_partial_tables(galera_db, run_tis, serve_factory):
    db = galera_db
    prepare_db(run_tis, db, persons=400)
    before = synced_query(db.nodes[2], f"CHECKSUM TABLE {TABLE}")[0][1]
    holder = serve_factory(db.nodes[0].url, env={**EVERY_5S, **SHORT_LEASE,
                                                  "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "30000"})
    holder.wait_for(f"pausing 30000 ms .* on {TABLE}", timeout=30)
    holder.kill9()
    killed = time.time()
    # nothing of the killed run is visible anywhere
    assert synced_query(db.nodes[2], f"CHECKSUM TABLE {TABLE}")[0][1] == before
    other = serve_factory(db.nodes[1].url, env={**EVERY_5S, **SHORT_LEASE})
    other.wait_for(rf"Sync job \[{JOB}\] finished", timeout=4 + 5 + 20)
    took = time.time() - killed
    assert other.stop() == 0
    statuses = [r[2] for r in runs(db)]
    assert "succeeded" in statuses and statuses.count("running") == 0, runs(db)
    assert took < 4 + 5 + 15, took
    assert_nodes_agree(db)
    assert_nothing_left_to_do(run_tis, db.nodes[2].url)
    print(f"takeover after kill -9: {took:.1f} s")


def test_paused_holder_past_its_lease_cannot_commit(galera_db, run_tis, serve_factory, tis_bin):
    db = galera_db
    prepare_db(run_tis, db, persons=400)
    stale = serve_factory(db.nodes[0].url, env={**NO_CATCHUP, **SHORT_LEASE,
                                                 "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "3000"})
    stale.wait_for("tis-sync serve started")
    assert stale.call("POST", f"/api/v1/jobs/{JOB}/runs", body={}).status == 202
    stale.wait_for(f"pausing 3000 ms .* on {TABLE}", timeout=30)
    stale.proc.send_signal(signal.SIGSTOP)
    stopped = time.time()
    try:
        # another instance, on another node, takes the job over once the lease has expired
        cp = run_when_free(run_tis, db.nodes[1].url)
        assert cp.returncode == 0, cp.stderr
        takeover = time.time() - stopped
        winner = synced_query(db.nodes[0], f"CHECKSUM TABLE {TABLE}")[0][1]
    finally:
        stale.proc.send_signal(signal.SIGCONT)
    stale.wait_for(rf"Sync job \[{JOB}\] failed.*lease lost", timeout=30)
    assert stale.stop() == 0
    mine = [r for r in runs(db) if r[1] == "api"]
    assert len(mine) == 1 and mine[0][2] == "failed" and "lease lost" in mine[0][3], mine
    assert synced_query(db.nodes[2], f"CHECKSUM TABLE {TABLE}")[0][1] == winner
    assert_nodes_agree(db)
    assert_nothing_left_to_do(run_tis, db.nodes[2].url)
    assert takeover >= 3, takeover  # not before the lease expired
    print(f"takeover after SIGSTOP: {takeover:.1f} s")


def test_node_killed_during_a_job_leaves_the_others_in_agreement(galera, galera_db, run_tis, serve_factory):
    db = galera_db
    prepare_db(run_tis, db, persons=400)
    s = serve_factory(db.nodes[2].url, env={**NO_CATCHUP, **SHORT_LEASE, "TIS_SYNC_TEST_PAUSE_BEFORE_COMMIT_MS": "3000"})
    s.wait_for("tis-sync serve started")
    assert s.call("POST", f"/api/v1/jobs/{JOB}/runs", body={}).status == 202
    s.wait_for(f"pausing 3000 ms .* on {TABLE}", timeout=30)
    galera.kill_node(3)
    try:
        s.wait_for(rf"Sync job \[{JOB}\] (failed|finished)", timeout=60)
        assert_nodes_agree(db, nodes=(1, 2))
        # the job then runs on a surviving node, once the lost node's lease has expired
        cp = run_when_free(run_tis, db.nodes[0].url)
        assert cp.returncode == 0, cp.stderr
        assert_nodes_agree(db, nodes=(1, 2))
    finally:
        s.stop()
        galera.start_node(3)
    assert_nodes_agree(db)
