"""PersonRecordStatusJob and PostFundingStatusSyncJob (SPEC-2026 2.1, 2.2) on
SQLite and a real MariaDB: the legacy acceptance cases, the date argument,
batches, idempotence, and the clear failure on a 2019-shape database."""

import re
from datetime import date, timedelta

import pytest

from tcs_data import insert_rows, placeholder

TODAY = date(2026, 3, 10)


def day(delta=0, months=0):
    """TODAY shifted by DELTA days and roughly MONTHS months, as text."""
    return (TODAY + timedelta(days=delta + 30 * months)).isoformat()


@pytest.fixture
def tcs(db, run_tis):
    cp = run_tis("--db", db.url, "init-db", "--tcs")
    assert cp.returncode == 0, cp.stderr
    return db


def run(run_tis, db, *args, today=TODAY.isoformat()):
    return run_tis("--db", db.url, "run", *args, "--today", today)


def run_ok(run_tis, db, *args, today=TODAY.isoformat()):
    cp = run(run_tis, db, *args, today=today)
    assert cp.returncode == 0, cp.stderr
    return cp


def statuses(db):
    return dict(db.query("SELECT id, status FROM Person ORDER BY id"))


def amended(db):
    return dict(db.query("SELECT id, amendedDate FROM Person ORDER BY id"))


# --------------------------------------------------------------------------
# PersonRecordStatusJob


def load_legacy_persons(db):
    """The legacy test's persons 1, 2, 3 (SPEC-2026 2.1), all CURRENT to begin
    with, plus a person without memberships."""
    insert_rows(db, "Person", ["id", "status", "amendedDate"],
                [(i, "CURRENT", "2020-01-01 00:00:00.000") for i in (1, 2, 3, 4)])
    insert_rows(db, "ProgrammeMembership", ["uuid", "personId", "programmeId", "programmeStartDate",
                                            "programmeEndDate"], [
        ("00000000-0000-4000-8000-000000000001", 1, 1, day(), day(months=1)),        # starts today
        ("00000000-0000-4000-8000-000000000002", 2, 1, day(months=-1), day(-1)),     # ended yesterday
        ("00000000-0000-4000-8000-000000000003", 3, 1, day(months=-1), day(months=1)),  # runs on
    ])
    db.execute("UPDATE Person SET status = 'INACTIVE' WHERE id IN (1, 3)")


def test_record_status_legacy_case(tcs, run_tis):
    load_legacy_persons(tcs)
    before = amended(tcs)
    cp = run_ok(run_tis, tcs, "PersonRecordStatusJob")
    assert "for processing [2] records (2 rows written)" in cp.stderr
    # 1 starts today: CURRENT; 2 ended yesterday: INACTIVE; 3 is not selected
    assert statuses(tcs) == {1: "CURRENT", 2: "INACTIVE", 3: "INACTIVE", 4: "CURRENT"}
    after = amended(tcs)
    assert after[1] != before[1] and after[2] != before[2]  # the time of the change, written
    assert after[3] == before[3] and after[4] == before[4]  # untouched rows keep theirs
    # ANY: every person with a membership; 3 becomes CURRENT, 4 (no membership) stays
    run_ok(run_tis, tcs, "PersonRecordStatusJob", "--date-of-change", "ANY")
    assert statuses(tcs) == {1: "CURRENT", 2: "INACTIVE", 3: "CURRENT", 4: "CURRENT"}
    # idempotent: nothing left to write
    cp = run_ok(run_tis, tcs, "PersonRecordStatusJob", "--date-of-change", "any")
    assert "(0 rows written)" in cp.stderr
    rows = tcs.query("SELECT argument, rows_written, tcs_schema FROM tis_sync_run ORDER BY id")
    assert rows == [(None, 2, "2026"), ("ANY", 1, "2026"), ("ANY", 0, "2026")]


def test_record_status_date_of_change_and_statuses_written(tcs, run_tis):
    """D selects the persons; today decides the status. NULL, DELETE and
    unknown values differ from the wanted status and are written; a NULL
    date is never current."""
    insert_rows(tcs, "Person", ["id", "status"], [(1, None), (2, "DELETE"), (3, "weird"), (4, "INACTIVE")])
    insert_rows(tcs, "ProgrammeMembership", ["uuid", "personId", "programmeId", "programmeStartDate",
                                             "programmeEndDate"], [
        ("00000000-0000-4000-8000-00000000000a", 1, 1, "2026-01-05", day(months=2)),  # starts on D, current today
        ("00000000-0000-4000-8000-00000000000b", 2, 1, "2025-01-01", "2026-01-04"),   # ended on D - 1
        ("00000000-0000-4000-8000-00000000000c", 3, 1, "2026-01-05", None),           # a NULL end: not current
        ("00000000-0000-4000-8000-00000000000d", 4, 1, "2026-01-05", day(months=2)),  # already right
        ("00000000-0000-4000-8000-00000000000e", 2, 1, day(months=-1), day(months=1)),  # 2's other, current
    ])
    cp = run_ok(run_tis, tcs, "PersonRecordStatusJob", "--date-of-change", "2026-01-05")
    assert statuses(tcs) == {1: "CURRENT", 2: "CURRENT", 3: "INACTIVE", 4: "CURRENT"}
    assert "(4 rows written)" in cp.stderr
    # a date no membership starts or ended the day before: nothing
    tcs.execute("UPDATE Person SET status = 'DELETE'")
    assert "(0 rows written)" in run_ok(run_tis, tcs, "PersonRecordStatusJob", "--date-of-change",
                                        "2001-01-01").stderr


@pytest.mark.parametrize("value", ["aaa", "01/01/2020", "2022-02-30", "2022-2-3", "NONE", ""])
def test_record_status_refuses_bad_dates(sqlite_db, run_tis, value):
    cp = run_tis("--db", sqlite_db.url, "run", "PersonRecordStatusJob", "--date-of-change", value)
    assert cp.returncode == 2
    assert "--date-of-change expects ANY or a date YYYY-MM-DD" in cp.stderr


def test_record_status_commits_in_batches_of_5000(tcs, run_tis):
    """12,001 persons to change: three batches of at most 5,000, each its
    own transaction, and every row written once."""
    n = 12001
    ph = placeholder(tcs)
    con = tcs.connect()
    try:
        cur = con.cursor()
        cur.executemany(f"INSERT INTO Person (id, status) VALUES ({ph}, {ph})", [(i, "CURRENT") for i in range(1, n + 1)])
        cur.executemany(f"INSERT INTO ProgrammeMembership (uuid, personId, programmeId, programmeStartDate, "
                        f"programmeEndDate) VALUES ({ph}, {ph}, 1, '2020-01-01', '2021-01-01')",
                        [(f"{i:08x}-0000-4000-8000-000000000000", i) for i in range(1, n + 1)])
        if tcs.kind == "sqlite":
            con.commit()
    finally:
        con.close()
    cp = run_tis("--db", tcs.url, "run", "PersonRecordStatusJob", "--date-of-change", "ANY", "--today",
                 TODAY.isoformat(), env={"LOG_LEVEL": "DEBUG"})
    assert cp.returncode == 0, cp.stderr
    assert "(12001 rows written)" in cp.stderr
    assert tcs.query("SELECT status, COUNT(*) FROM Person GROUP BY status") == [("INACTIVE", n)]
    batches = re.findall(r"committed a batch of (\d+) Person rows \(ids (\d+) to (\d+)\), (\d+) written",
                         cp.stderr)
    assert batches == [("5000", "1", "5000", "5000"), ("5000", "5001", "10000", "5000"),
                       ("2001", "10001", "12001", "2001")]


# --------------------------------------------------------------------------
# PostFundingStatusSyncJob


Y = day(-1)
FUNDING_CASES = [
    # (post, end dates of its fundings, expected status); every post starts CURRENT
    (1, [], "CURRENT"),
    (2, [Y, Y], "INACTIVE"),
    (3, [None, None], "CURRENT"),
    (4, [Y], "INACTIVE"),
    (5, [None], "CURRENT"),
    (6, [Y, day(-1, months=-1)], "INACTIVE"),
    (7, [Y, day(months=1)], "CURRENT"),
    (8, [Y, None], "CURRENT"),
]


def load_fundings(db):
    insert_rows(db, "Post", ["id", "fundingStatus"], [(p, "CURRENT") for p, _, _ in FUNDING_CASES])
    rows, fid = [], 0
    for post, ends, _ in FUNDING_CASES:
        for end in ends:
            fid += 1
            rows.append((fid, post, "Tariff", "2024-01-01", end))
    insert_rows(db, "PostFunding", ["id", "postId", "fundingType", "startDate", "endDate"], rows)


def funding_statuses(db):
    return dict(db.query("SELECT id, fundingStatus FROM Post ORDER BY id"))


def test_post_funding_legacy_cases(tcs, run_tis):
    load_fundings(tcs)
    cp = run_ok(run_tis, tcs, "PostFundingStatusSyncJob")
    assert funding_statuses(tcs) == {p: want for p, _, want in FUNDING_CASES}
    assert "(3 rows written)" in cp.stderr
    assert "(0 rows written)" in run_ok(run_tis, tcs, "PostFundingStatusSyncJob").stderr  # idempotent


def test_post_funding_odd_values_and_rules(tcs, run_tis):
    """An empty or unknown status is replaced (the legacy job failed on it);
    a funding without a start date does not count; the job never sets
    CURRENT."""
    insert_rows(tcs, "Post", ["id", "fundingStatus"], [(1, ""), (2, "FROZEN"), (3, "CURRENT"), (4, "INACTIVE"),
                                                        (5, "DELETE")])
    insert_rows(tcs, "PostFunding", ["id", "postId", "fundingType", "startDate", "endDate"], [
        (1, 1, None, "2024-01-01", Y), (2, 2, "Tariff", "2024-01-01", Y),
        (3, 3, "Tariff", None, Y),                         # no start date: does not count
        (4, 4, "Tariff", "2024-01-01", day(months=3)),     # INACTIVE with a live funding: left alone
        (5, 5, "Tariff", "2024-01-01", Y)])
    run_ok(run_tis, tcs, "PostFundingStatusSyncJob")
    assert funding_statuses(tcs) == {1: "INACTIVE", 2: "INACTIVE", 3: "CURRENT", 4: "INACTIVE", 5: "INACTIVE"}


# --------------------------------------------------------------------------
# a 2019-shape database


@pytest.mark.parametrize("job,missing", [
    ("PersonRecordStatusJob", "column Person.amendedDate does not exist"),
    ("PostFundingStatusSyncJob", "table PostFunding does not exist"),
    ("PostElasticSearchSyncJob", "column Post.fundingStatus does not exist"),
])
def test_newer_jobs_on_a_2019_database_fail_clearly(db, run_tis, job, missing):
    assert run_tis("--db", db.url, "init-db", "--tcs", "--schema", "2019").returncode == 0
    cp = run(run_tis, db, job)
    assert cp.returncode == 1
    assert f"Sync job [{job}] failed" in cp.stderr
    assert f"check schema: {missing}: {job} needs the 2026 TCS schema (this database has the 2019 shape)" \
        in cp.stderr, cp.stderr
    row = db.query("SELECT status, tcs_schema, error FROM tis_sync_run")[-1]
    assert row[:2] == ("failed", "2019") and missing in row[2]


def test_record_status_failure_names_the_step_and_a_rerun_completes(mysql_db, run_tis):
    """A batch that fails rolls back alone: the batches before it stay (the
    job is idempotent), the error names the step and the database's words,
    and the next run completes the work."""
    db = mysql_db
    assert run_tis("--db", db.url, "init-db", "--tcs").returncode == 0
    n = 7000
    con = db.connect()
    with con.cursor() as cur:
        cur.executemany("INSERT INTO Person (id, status) VALUES (%s, 'CURRENT')", [(i,) for i in range(1, n + 1)])
        cur.executemany("INSERT INTO ProgrammeMembership (uuid, personId, programmeId, programmeStartDate, "
                        "programmeEndDate) VALUES (%s, %s, 1, '2020-01-01', '2021-01-01')",
                        [(f"{i:08x}-0000-4000-8000-000000000000", i) for i in range(1, n + 1)])
        cur.execute("CREATE TRIGGER no_6500 BEFORE UPDATE ON Person FOR EACH ROW "
                    "IF NEW.id = 6500 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'person 6500 is locked'; "
                    "END IF")
    con.close()
    cp = run(run_tis, db, "PersonRecordStatusJob", "--date-of-change", "ANY")
    assert cp.returncode == 1
    assert "update: Person: MariaDB error 1644 (45000): person 6500 is locked" in cp.stderr, cp.stderr
    assert db.query("SELECT status, COUNT(*) FROM Person GROUP BY status ORDER BY status") == \
        [("CURRENT", 2000), ("INACTIVE", 5000)]  # the first batch stays; the second rolled back whole
    db.execute("DROP TRIGGER no_6500")
    cp = run_ok(run_tis, db, "PersonRecordStatusJob", "--date-of-change", "ANY")
    assert "(2000 rows written)" in cp.stderr
    assert db.query("SELECT status, COUNT(*) FROM Person GROUP BY status") == [("INACTIVE", n)]
