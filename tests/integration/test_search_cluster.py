"""The search job on a real 3-node OpenSearch cluster (issue 9): the index
gets a copy on every node, a node killed during the bulk phase leaves
either a complete index behind the alias or the alias untouched, and of two
instances racing to switch the alias exactly one wins."""

import re
import secrets
import subprocess
import threading
import time

import pytest

from conftest import clean_env
from fault_proxy import FaultProxy
from search_helpers import Engine

TODAY = "2019-08-20"
JOB = "PersonElasticSearchSyncJob"


@pytest.fixture
def cluster_alias(search_cluster):
    name = "tc" + secrets.token_hex(4)
    yield name
    search_cluster.restart()  # a test may have killed a node
    for index in search_cluster.indices(name):
        search_cluster.req("DELETE", f"/{index}")


@pytest.fixture
def demo_db(tmp_path, run_tis):
    """demo_db(persons, seed) -> a SQLite TCS with demo data and its person trusts built."""
    def make(persons, seed=3):
        url = f"sqlite:{tmp_path}/tcs-{seed}.db"
        for args in (("init-db", "--tcs"), ("demo-data", "--persons", str(persons), "--seed", str(seed)),
                     ("run", "PersonOwnerRebuildJob", "PersonPlacementEmployingBodyTrustJob",
                      "PersonPlacementTrainingBodyTrustJob", "--today", TODAY)):
            cp = run_tis("--db", url, *args, timeout=180)
            assert cp.returncode == 0, cp.stderr[-3000:]
        return url
    return make


def search_env(urls, alias, **extra):
    return {"TIS_SYNC_ES_URL": urls, "TIS_SYNC_ES_ALIAS": alias, "TIS_SYNC_ES_RETRIES": "2",
            "TIS_SYNC_ES_TIMEOUT": "10", **extra}


def test_the_index_has_a_copy_on_every_node(search_cluster, cluster_alias, demo_db, run_tis):
    url = demo_db(300)
    cp = run_tis("--db", url, "run", JOB, "--today", TODAY, env=search_env(search_cluster.urls, cluster_alias))
    assert cp.returncode == 0, cp.stderr[-3000:]
    index, = search_cluster.alias_targets(cluster_alias)
    health = search_cluster.ok("GET", f"/_cluster/health/{index}?wait_for_status=green&timeout=60s")
    assert health["status"] == "green" and health["active_shards"] == 3, health  # a primary and 2 replicas
    nodes = {s["node"] for s in search_cluster.ok("GET", f"/_cat/shards/{index}?format=json")}
    assert nodes == {"node1", "node2", "node3"}, nodes


def test_a_node_killed_during_the_bulk_leaves_a_whole_index_or_none(search_cluster, cluster_alias, demo_db, tis_bin,
                                                                     tmp_path):
    url = demo_db(3000)
    first = subprocess.run([tis_bin, "--db", url, "run", JOB, "--today", TODAY],
                           env=clean_env(search_env(search_cluster.urls, cluster_alias)), capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    before, = search_cluster.alias_targets(cluster_alias)
    expected = search_cluster.count(cluster_alias)
    # the next rebuild, slowed down, loses the node holding its new index's primary shard
    proc = subprocess.Popen([tis_bin, "--db", url, "run", JOB, "--today", TODAY],
                            env=clean_env(search_env(search_cluster.urls, cluster_alias,
                                                     TIS_SYNC_ES_BULK_BYTES="16384", TIS_SYNC_ES_CONCURRENCY="1")),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.time() + 60
    while killed is None and time.time() < deadline and proc.poll() is None:
        new = [i for i in search_cluster.indices(cluster_alias) if i != before]
        if new:
            shards = search_cluster.req("GET", f"/_cat/shards/{new[0]}?format=json")[1] or []
            primary = [s for s in shards if s.get("prirep") == "p" and s.get("node")]
            if primary:
                killed = int(primary[0]["node"][4:])
                search_cluster.kill_node(killed)
        time.sleep(0.05)
    _, stderr = proc.communicate(timeout=300)
    assert killed, "the rebuild ended before its index had a primary shard to lose"
    survivor = next(n for n in (1, 2, 3) if n != killed)
    alive = Engine(search_cluster.urls.split(",")[survivor - 1])
    targets = alive.alias_targets(cluster_alias)
    if proc.returncode == 0:
        assert targets != [before] and len(targets) == 1, targets
        assert alive.count(cluster_alias) == expected
    else:
        assert targets == [before], (targets, stderr[-2000:])
        assert "search" in stderr or "index" in stderr, stderr[-2000:]
    print(f"node {killed} killed during the bulk: the job {'completed' if proc.returncode == 0 else 'failed'}")


def test_two_instances_racing_the_alias_switch_one_wins(search_cluster, cluster_alias, demo_db, tis_bin):
    urls = [demo_db(400, seed) for seed in (3, 4, 5)]
    first = subprocess.run([tis_bin, "--db", urls[0], "run", JOB, "--today", TODAY],
                           env=clean_env(search_env(search_cluster.urls, cluster_alias)), capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    # two instances on two databases (so no lease in common) rebuild the same
    # alias at once; slow bulks make both read the alias before either switches it
    proxies = [FaultProxy(search_cluster.url).start() for _ in range(2)]
    for p in proxies:
        p.slow_bulks, p.slow_seconds = 1000, 0.3
    results = [None, None]

    def run(i):
        results[i] = subprocess.run(
            [tis_bin, "--db", urls[i + 1], "run", JOB, "--today", TODAY],
            env=clean_env(search_env(proxies[i].url, cluster_alias, TIS_SYNC_ES_BULK_BYTES="32768",
                                     TIS_SYNC_ES_CONCURRENCY="1")),
            capture_output=True, text=True, timeout=300)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in proxies:
        p.stop()
    codes = sorted(r.returncode for r in results)
    assert codes[0] == 0 and codes[1] != 0, [(r.returncode, r.stderr[-1500:]) for r in results]
    winner, loser = (results[0], results[1]) if results[0].returncode == 0 else (results[1], results[0])
    assert "_aliases" in loser.stderr or "alias" in loser.stderr, loser.stderr[-2000:]
    live = search_cluster.alias_targets(cluster_alias)
    assert len(live) == 1, live  # never on both new indices
    # the winner's index is live and whole; the loser's was deleted
    assert search_cluster.count(cluster_alias) > 0
    assert f"now points to {live[0]}" in winner.stderr, winner.stderr[-2000:]
    lost = re.search(r"search: building (\S+) at", loser.stderr).group(1)
    assert lost != live[0] and lost not in search_cluster.indices(cluster_alias)
