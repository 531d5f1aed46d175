"""Bad data in TCS (issue 10): what nobody types by hand but a database of
twenty years holds. 64 KiB strings, invalid UTF-8, NUL and other control
characters, emoji, quotes and backslashes, orphan foreign keys, and a
person with 10,000 placements. Every job succeeds, every document is valid
(the engine parsed it, and it reads back as the text repaired), and the
search job's memory does not grow with the big person."""

import subprocess

import pytest

from conftest import clean_env
from tcs_data import insert_rows

TODAY = "2024-02-29"
DB_JOBS = ["PersonOwnerRebuildJob", "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
           "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob", "PersonRecordStatusJob",
           "PostFundingStatusSyncJob"]
FFFD = "\ufffd"
# surname as stored -> as the index must show it
HOSTILE = {
    1: ("Zoë 😀 O'Brien-\"Smith\" \\ back\\slash", None),
    2: ("ctl\x01\x02\t\n\r\x1f end", None),
    3: ("</script><img src=x onerror=alert(1)>", None),
    4: ("x" * 65536, None),            # SQLite only: TCS columns of MariaDB are VARCHAR(255)
}


def search_env(engine, alias):
    return {"TIS_SYNC_ES_URL": engine.url, "TIS_SYNC_ES_ALIAS": alias, "TIS_SYNC_ES_POSTS_ALIAS": alias + "-posts"}


def max_rss_kib(tis_bin, db, job, env):
    """Runs JOB under /usr/bin/time; returns (completed process, peak RSS in KiB)."""
    cp = subprocess.run(["/usr/bin/time", "-f", "maxrss=%M", tis_bin, "--db", db.url, "run", job, "--today", TODAY],
                        env=clean_env(env), capture_output=True, text=True, timeout=300)
    rss = int(cp.stderr.rsplit("maxrss=", 1)[1].split()[0])
    return cp, rss


def person_docs(engine, alias, person):
    hits = engine.ok("POST", f"/{alias}/_search", {"size": 10000, "query": {"term": {"personId": person}}})
    return [h["_source"] for h in hits["hits"]["hits"]]


@pytest.fixture
def posts_alias_cleanup(engine, alias):
    yield
    for index in engine.indices(alias + "-posts"):
        engine.req("DELETE", f"/{index}")


def test_hostile_values_orphans_and_a_huge_person(db, run_tis, tis_bin, engine, alias, posts_alias_cleanup):
    for args in (("init-db", "--tcs"), ("demo-data", "--persons", "400", "--seed", "5")):
        cp = run_tis("--db", db.url, *args)
        assert cp.returncode == 0, cp.stderr
    ph = "?" if db.kind == "sqlite" else "%s"
    for person, (surname, _) in HOSTILE.items():
        if len(surname) > 255 and db.kind != "sqlite":
            continue
        db.execute(f"UPDATE ContactDetails SET surname = {ph}, forenames = {ph} WHERE id = {ph}",
                   (surname, surname[:40], person))
    if db.kind == "sqlite":  # bytes MariaDB's utf8mb4 columns refuse: invalid UTF-8 and a NUL
        db.execute("UPDATE ContactDetails SET surname = CAST(X'41C328FF42' AS TEXT) WHERE id = 5")
        db.execute("UPDATE ContactDetails SET surname = CAST(X'61620063' AS TEXT) WHERE id = 6")
    # orphans: a placement of nobody, a membership of a missing programme, a post's missing bodies
    insert_rows(db, "Placement", ["id", "traineeId", "postId", "dateFrom", "dateTo"],
                [(9_000_001, 99_999_999, 1, "2020-01-01", "2030-01-01"),
                 (9_000_002, 7, 99_999_999, "2020-01-01", "2030-01-01")])
    insert_rows(db, "Post", ["id", "employingBodyId", "trainingBodyId", "owner"], [(99_999_998, 88_888, 77_777, None)])
    env = search_env(engine, alias)
    cp = run_tis("--db", db.url, "run", *DB_JOBS, "--today", TODAY, env=env, timeout=300)
    assert cp.returncode == 0, cp.stderr[-3000:]
    base, base_rss = max_rss_kib(tis_bin, db, "PersonElasticSearchSyncJob", env)
    assert base.returncode == 0, base.stderr[-3000:]

    # the index shows each value as it was, repaired where it was not UTF-8
    for person, (surname, _) in HOSTILE.items():
        if len(surname) > 255 and db.kind != "sqlite":
            continue
        docs = person_docs(engine, alias, person)
        assert docs and all(d["surname"] == surname for d in docs), (person, docs[:1])
    if db.kind == "sqlite":
        assert {d["surname"] for d in person_docs(engine, alias, 5)} == {f"A{FFFD}({FFFD}B"}
        assert all(d["surname"] in ("ab", "ab\x00c") for d in person_docs(engine, alias, 6))

    # a person with 10,000 current placements: the job's memory stays flat
    insert_rows(db, "Placement", ["id", "traineeId", "postId", "dateFrom", "dateTo", "gradeId", "siteId"],
                [(8_000_000 + i, 8, 1 + i % 50, "2020-01-01", "2030-01-01", 1 + i % 7, 1 + i % 13)
                 for i in range(10_000)])
    big, big_rss = max_rss_kib(tis_bin, db, "PersonElasticSearchSyncJob", env)
    assert big.returncode == 0, big.stderr[-3000:]
    assert person_docs(engine, alias, 8)
    assert big_rss < base_rss + 16 * 1024, (base_rss, big_rss)
    cp = run_tis("--db", db.url, "run", "PostElasticSearchSyncJob", "--today", TODAY, env=env, timeout=300)
    assert cp.returncode == 0, cp.stderr[-3000:]
    print(f"{db.kind}: search job peak RSS {base_rss / 1024:.1f} MiB, "
          f"{big_rss / 1024:.1f} MiB with a person of 10,000 placements")
