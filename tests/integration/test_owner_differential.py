"""Native PersonOwner equals build_person_localoffice() on MariaDB, on random
data sets full of ties, NULL dates, NULL owners, inconsistent dates and
dangling references, for many values of today, on both TCS schema shapes
(2026: memberships keyed by uuid, ties to the lowest uuid). Also: the
database jobs give the same rows on SQLite and on MariaDB for the same demo
data, on both shapes."""

import random
import re
import uuid

import pytest

from tcs_data import insert_rows, owners, pairs

DATE_POOL = ["2017-01-01", "2018-06-30", "2019-01-01", "2019-08-20", "2020-02-29",
             "2020-03-01", "2021-12-31", "2022-07-15", "2023-01-01", "2025-05-05"]
TODAYS = ["2016-01-01", "2019-01-01", "2019-08-20", "2020-02-29", "2020-03-01",
          "2021-06-01", "2023-01-01", "2030-01-01"]
OWNERS = ["Wessex", "North West London", "Yorkshire and the Humber", "Thames Valley", None]


# Dates MariaDB may hold and C might not (issue 10, defect 10): the zero
# date (below every real date in MariaDB), the end of time, before 1970.
EDGE_DATES = ["0000-00-00", "9999-12-31", "1960-05-01", "1969-12-31", "1900-01-01"]


def random_date(rng, pool=DATE_POOL):
    return None if rng.random() < 0.1 else rng.choice(pool)


def random_uuid(rng):
    """A lower-case version-4 UUID, as TCS writes them."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def random_rows(rng, persons, shape, pool=DATE_POOL):
    """Programmes, posts, memberships and placements with many ties."""
    programmes = [(i, f"P{i}", rng.choice(OWNERS)) for i in range(1, 31)]
    posts = [(i, rng.choice(OWNERS)) for i in range(1, 201)]
    memberships, placements = [], []
    for person in range(1, persons + 1):
        for _ in range(rng.randint(0, 4)):
            key = random_uuid(rng) if shape == "2026" else len(memberships) + 1
            memberships.append((key, person, rng.randint(1, 32),  # 31, 32 dangle
                                random_date(rng, pool), random_date(rng, pool)))
        for _ in range(rng.randint(0, 4)):
            placements.append((len(placements) + 1, person + (5000 if rng.random() < 0.02 else 0),
                               rng.randint(1, 205), random_date(rng, pool), random_date(rng, pool)))
    return programmes, posts, memberships, placements


def load_random(db, seed, persons, shape, pool=DATE_POOL):
    rng = random.Random(seed)
    programmes, posts, memberships, placements = random_rows(rng, persons, shape, pool)
    zero = "0000-00-00" in pool
    insert_rows(db, "Person", ["id"], [(i,) for i in range(1, persons + 1)])
    insert_rows(db, "Programme", ["id", "programmeName", "owner"], programmes)
    insert_rows(db, "Post", ["id", "owner"], posts)
    insert_rows(db, "ProgrammeMembership",
                ["uuid" if shape == "2026" else "id", "personId", "programmeId", "programmeStartDate",
                 "programmeEndDate"], memberships, zero_dates=zero)
    insert_rows(db, "Placement", ["id", "traineeId", "postId", "dateFrom", "dateTo"], placements, zero_dates=zero)


@pytest.mark.parametrize("shape", ["2019", "2026"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_native_equals_procedure(mysql_db, run_tis, seed, shape):
    assert run_tis("--db", mysql_db.url, "init-db", "--tcs", "--schema", shape).returncode == 0
    load_random(mysql_db, seed, persons=2000, shape=shape)
    rules_seen = set()
    for today in TODAYS:
        cp = run_tis("--db", mysql_db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "procedure",
                     "--today", today)
        assert cp.returncode == 0, cp.stderr
        by_procedure = owners(mysql_db)
        mysql_db.execute("DELETE FROM PersonOwner WHERE id % 3 = 0")  # native must rebuild these too
        mysql_db.execute("UPDATE PersonOwner SET owner = 'stale' WHERE id % 3 = 1")
        cp = run_tis("--db", mysql_db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native",
                     "--today", today)
        assert cp.returncode == 0, cp.stderr
        assert owners(mysql_db) == by_procedure, f"today={today}"
        assert len(by_procedure) == 2000
        rules_seen |= {r[2] for r in by_procedure}
    assert rules_seen == {"P1", "P2", "P5", "P6", "P7", "P8", None}


@pytest.mark.parametrize("shape", ["2019", "2026"])
def test_zero_dates_the_end_of_time_and_before_1970(mysql_db, run_tis, engine, alias, shape):
    """Issue 10, defect 10: with zero dates (a server whose sql_mode allows
    them), 9999-12-31 and dates before 1970 in the memberships and the
    placements, native PersonOwner still equals the procedure (a zero date
    compares below every real date, as in MariaDB), and the other jobs and
    the persons index succeed with valid documents."""
    assert run_tis("--db", mysql_db.url, "init-db", "--tcs", "--schema", shape).returncode == 0
    load_random(mysql_db, 4, persons=1500, shape=shape, pool=DATE_POOL + EDGE_DATES)
    assert mysql_db.query("SELECT COUNT(*) FROM Placement WHERE dateFrom = '0000-00-00'")[0][0] > 0
    for today in ("1970-01-02", "2019-08-20", "2037-12-31"):
        cp = run_tis("--db", mysql_db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "procedure",
                     "--today", today)
        assert cp.returncode == 0, cp.stderr
        by_procedure = owners(mysql_db)
        cp = run_tis("--db", mysql_db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native",
                     "--today", today)
        assert cp.returncode == 0, cp.stderr
        assert owners(mysql_db) == by_procedure, f"today={today}"
    # a today the session clock cannot hold: the procedure would silently use
    # the real today; it is refused, and native mode computes it
    for today in ("1965-01-01", "9999-12-31"):
        cp = run_tis("--db", mysql_db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "procedure",
                     "--today", today)
        assert cp.returncode == 1 and "set today: build_person_localoffice() reads today from the session clock" \
            in cp.stderr, cp.stderr
        cp = run_tis("--db", mysql_db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "native",
                     "--today", today)
        assert cp.returncode == 0, cp.stderr
    insert_rows(mysql_db, "ContactDetails", ["id", "surname", "forenames"],
                [(i, f"Surname{i}", "Forename") for i in range(1, 1501)])
    env = {"TIS_SYNC_ES_URL": engine.url, "TIS_SYNC_ES_ALIAS": alias}
    cp = run_tis("--db", mysql_db.url, "run", "PersonPlacementEmployingBodyTrustJob",
                 "PersonPlacementTrainingBodyTrustJob", "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob",
                 "PersonElasticSearchSyncJob", "--today", "2019-08-20", env=env, timeout=180)
    assert cp.returncode == 0, cp.stderr[-3000:]
    indexed = int(re.search(r"search: (\d+) documents for", cp.stderr).group(1))
    assert engine.count(alias) == indexed > 0


@pytest.mark.parametrize("shape", ["2019", "2026"])
def test_sqlite_and_mariadb_give_identical_rows(sqlite_db, mysql_db, run_tis, shape):
    jobs = ["PersonOwnerRebuildJob", "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
            "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob"]
    if shape == "2026":
        jobs += ["PersonRecordStatusJob", "PostFundingStatusSyncJob"]
    for db in (sqlite_db, mysql_db):
        assert run_tis("--db", db.url, "init-db", "--tcs", "--schema", shape).returncode == 0
        cp = run_tis("--db", db.url, "demo-data", "--persons", "3000", "--seed", "7")
        assert cp.returncode == 0, cp.stderr
        cp = run_tis("--db", db.url, "run", *jobs, "--owner-mode", "native", "--today", "2024-02-29")
        assert cp.returncode == 0, cp.stderr
    assert owners(sqlite_db) == owners(mysql_db)
    assert pairs(sqlite_db, "PersonTrust", "personId") == pairs(mysql_db, "PersonTrust", "personId")
    assert pairs(sqlite_db, "PostTrust", "postId") == pairs(mysql_db, "PostTrust", "postId")
    if shape == "2026":
        status = "SELECT id, status FROM Person ORDER BY id"
        assert sqlite_db.query(status) == mysql_db.query(status)
        funding = "SELECT id, fundingStatus FROM Post ORDER BY id"
        assert sqlite_db.query(funding) == mysql_db.query(funding)
    cp = run_tis("--db", mysql_db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "procedure",
                 "--today", "2024-02-29")
    assert cp.returncode == 0, cp.stderr
    assert owners(sqlite_db) == owners(mysql_db)
