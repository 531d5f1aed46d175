"""The five database jobs of 2019 (SPEC 1.1, 1.2) against SQLite and a real
MariaDB, on both TCS schema shapes (SPEC-2026 1): acceptance cases, multiset
and idempotence rules, both owner modes, legacy names, dependents and the
run history."""

import subprocess

import pytest

from conftest import clean_env
from tcs_data import (WESSEX, WEST_LONDON, YORKSHIRE, load_spec_data, owners,
                      pairs)

EMPLOYING_POST = [(1, 1411), (2, 1239), (3, 1389), (4, 1901), (5, 785),
                  (6, 329), (7, 724), (8, 1922), (9, 227), (10, 287)]
TRAINING_POST = [(1, 1411), (4, 1901), (5, 785), (6, 329), (7, 724),
                 (8, 1922), (9, 227), (10, 287)]
EMPLOYING_PERSON = [(1, 1411), (1, 1901), (2, 1239), (2, 1389), (3, 785)]
TRAINING_PERSON = [(1, 1411), (1, 1901), (3, 785)]


@pytest.fixture(params=["2019", "2026"])
def spec_db(request, db, run_tis):
    """A database with the TCS schema of each shape and the SPEC section 3
    data (the same rows: the jobs here read no table that changed)."""
    cp = run_tis("--db", db.url, "init-db", "--tcs", "--schema", request.param)
    assert cp.returncode == 0, cp.stderr
    assert f"{request.param} shape" in cp.stdout
    load_spec_data(db)
    db.shape = request.param
    return db


def run_ok(run_tis, db, *args):
    cp = run_tis("--db", db.url, "run", *args)
    assert cp.returncode == 0, cp.stderr
    return cp


def test_post_trust_acceptance(spec_db, run_tis):
    run_ok(run_tis, spec_db, "PostEmployingBodyTrustJob")
    assert pairs(spec_db, "PostTrust", "postId") == EMPLOYING_POST
    run_ok(run_tis, spec_db, "PostTrainingBodyTrustJob")
    assert pairs(spec_db, "PostTrust", "postId") == sorted(EMPLOYING_POST + TRAINING_POST)
    assert len(pairs(spec_db, "PostTrust", "postId")) == 18
    nulls = spec_db.query("SELECT COUNT(*) FROM PostTrust WHERE trustCode IS NOT NULL OR trustName IS NOT NULL")
    assert nulls[0][0] == 0


def test_person_trust_acceptance(spec_db, run_tis):
    run_ok(run_tis, spec_db, "PersonPlacementEmployingBodyTrustJob")
    assert pairs(spec_db, "PersonTrust", "personId") == EMPLOYING_PERSON
    run_ok(run_tis, spec_db, "PersonPlacementTrainingBodyTrustJob")
    assert pairs(spec_db, "PersonTrust", "personId") == sorted(EMPLOYING_PERSON + TRAINING_PERSON)


def test_training_job_is_idempotent_and_employing_job_resets(spec_db, run_tis):
    run_ok(run_tis, spec_db, "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob")
    expected = sorted(EMPLOYING_PERSON + TRAINING_PERSON)
    for _ in range(2):
        run_ok(run_tis, spec_db, "PersonPlacementTrainingBodyTrustJob")
        assert pairs(spec_db, "PersonTrust", "personId") == expected
        run_ok(run_tis, spec_db, "PostTrainingBodyTrustJob")
        assert pairs(spec_db, "PostTrust", "postId") == sorted(EMPLOYING_POST + TRAINING_POST)
    run_ok(run_tis, spec_db, "PersonPlacementEmployingBodyTrustJob")
    assert pairs(spec_db, "PersonTrust", "personId") == EMPLOYING_PERSON


def test_trust_jobs_follow_source_changes(spec_db, run_tis):
    run_ok(run_tis, spec_db, "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob")
    spec_db.execute("UPDATE Post SET trainingBodyId = 5555 WHERE id = 5")
    spec_db.execute("DELETE FROM Placement WHERE id = 4")
    spec_db.execute("DELETE FROM Person WHERE id = 2")  # placements of a missing person do not count
    run_ok(run_tis, spec_db, "PersonPlacementTrainingBodyTrustJob")
    assert pairs(spec_db, "PersonTrust", "personId") == [(1, 1411), (1, 1411), (3, 785), (3, 5555)]


def test_person_owner_acceptance_native(spec_db, run_tis):
    run_ok(run_tis, spec_db, "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", "2019-08-20")
    assert owners(spec_db) == [(1, YORKSHIRE, "P6"), (2, WEST_LONDON, "P2"), (3, WESSEX, "P8")]


@pytest.mark.parametrize("shape", ["2019", "2026"])
def test_person_owner_acceptance_procedure(mysql_db, run_tis, shape):
    assert run_tis("--db", mysql_db.url, "init-db", "--tcs", "--schema", shape).returncode == 0
    load_spec_data(mysql_db)
    run_ok(run_tis, mysql_db, "PersonOwnerRebuildJob", "--owner-mode", "procedure", "--today", "2019-08-20")
    assert owners(mysql_db) == [(1, YORKSHIRE, "P6"), (2, WEST_LONDON, "P2"), (3, WESSEX, "P8")]


@pytest.mark.parametrize("shape", ["2019", "2026"])
def test_person_owner_tolerates_a_row_written_meanwhile(mysql_db, run_tis, tis_bin, log_dir, shape):
    """SPEC-2026 1: TCS's Placement triggers write a person's PersonOwner row
    while the job runs. A row that appears after the job read the table is
    overwritten (upsert), not a duplicate-key failure."""
    assert run_tis("--db", mysql_db.url, "init-db", "--tcs", "--schema", shape).returncode == 0
    load_spec_data(mysql_db)
    mysql_db.execute("INSERT INTO Person (id) VALUES (4)")
    mysql_db.execute("INSERT INTO Placement (id, traineeId, postId, dateFrom, dateTo) "
                     "VALUES (6, 4, 5, '2018-01-01', '2018-06-30')")
    env = clean_env({"TIS_SYNC_TEST_PAUSE_BEFORE_WRITE_MS": "3000"}, log_dir=log_dir)
    job = subprocess.Popen([tis_bin, "--db", mysql_db.url, "run", "PersonOwnerRebuildJob", "--owner-mode",
                            "native", "--today", "2019-08-20"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        # the job is paused with its snapshot of PersonOwner taken
        for line in job.stderr:
            if "pausing" in line and "on PersonOwner" in line:
                break
        # what a TCS trigger does meanwhile: its own row for person 4
        mysql_db.execute("INSERT INTO PersonOwner (id, owner, rule) VALUES (4, 'written by a trigger', 'T')")
        stderr = job.stderr.read()
        job.wait(timeout=60)
    finally:
        if job.poll() is None:
            job.kill()
    assert job.returncode == 0, stderr
    assert owners(mysql_db) == [(1, YORKSHIRE, "P6"), (2, WEST_LONDON, "P2"), (3, WESSEX, "P8"),
                                (4, WESSEX, "P8")]


def test_owner_mode_defaults(spec_db, run_tis):
    """procedure on MariaDB, native on SQLite; procedure is refused on SQLite."""
    run_ok(run_tis, spec_db, "PersonOwnerRebuildJob", "--today", "2019-08-20")
    assert len(owners(spec_db)) == 3
    if spec_db.kind == "sqlite":
        cp = run_tis("--db", spec_db.url, "run", "PersonOwnerRebuildJob", "--owner-mode", "procedure")
        assert cp.returncode == 2
        assert "jobs.owner_mode" in cp.stderr and "flag --owner-mode" in cp.stderr


def test_every_person_gets_one_owner_row(spec_db, run_tis):
    spec_db.execute("INSERT INTO Person (id) VALUES (4)")
    run_ok(run_tis, spec_db, "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", "2019-08-20")
    assert owners(spec_db)[-1] == (4, None, None)
    spec_db.execute("DELETE FROM Person WHERE id = 1")
    run_ok(run_tis, spec_db, "PersonOwnerRebuildJob", "--owner-mode", "native", "--today", "2019-08-20")
    assert [r[0] for r in owners(spec_db)] == [2, 3, 4]


@pytest.mark.parametrize("name", [
    "PersonPlacementEmployingBodyJob", "doPersonPlacementEmployingBodyFullSync",
    "DOPERSONPLACEMENTEMPLOYINGBODYFULLSYNC", "personplacementemployingbodytrustjob",
])
def test_legacy_names_run_the_job(sqlite_db, run_tis, name):
    assert run_tis("--db", sqlite_db.url, "init-db", "--tcs").returncode == 0
    load_spec_data(sqlite_db)
    cp = run_ok(run_tis, sqlite_db, name)
    assert "Sync [PersonPlacementEmployingBodyTrustJob] started" in cp.stderr
    assert pairs(sqlite_db, "PersonTrust", "personId") == EMPLOYING_PERSON


def test_log_lines_and_log_file(spec_db, run_tis, log_dir):
    cp = run_ok(run_tis, spec_db, "PostEmployingBodyTrustJob")
    assert "Sync [PostEmployingBodyTrustJob] started" in cp.stderr
    assert "Sync job [PostEmployingBodyTrustJob] finished. Total time taken" in cp.stderr
    assert "for processing [10] records" in cp.stderr
    text = (log_dir / "sync.log").read_text(encoding="utf-8")
    assert "Sync job [PostEmployingBodyTrustJob] finished." in text


def test_with_dependents_runs_them_in_order(db, run_tis, opensearch_url, alias):
    """SPEC-2026 2: the post trust jobs are followed by the posts index."""
    assert run_tis("--db", db.url, "init-db", "--tcs").returncode == 0
    load_spec_data(db)
    env = {"TIS_SYNC_ES_URL": opensearch_url, "TIS_SYNC_ES_POSTS_ALIAS": alias}
    cp = run_tis("--db", db.url, "run", "PostEmployingBodyTrustJob", "--with-dependents", env=env, timeout=120)
    assert cp.returncode == 0, cp.stderr
    started = [line.split("Sync [")[1].split("]")[0] for line in cp.stderr.splitlines() if "] started" in line]
    assert started == ["PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob", "PostElasticSearchSyncJob"]
    assert len(pairs(db, "PostTrust", "postId")) == 18


def test_history_records_each_run(spec_db, run_tis):
    run_ok(run_tis, spec_db, "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob")
    rows = spec_db.query("SELECT job, trigger_kind, status, rows_written, error, finished_at FROM tis_sync_run "
                         "ORDER BY id")
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("PostEmployingBodyTrustJob", "cli", "succeeded", 10, None),
        ("PostTrainingBodyTrustJob", "cli", "succeeded", 8, None),
    ]
    assert all(r[5] for r in rows)
    cp = run_tis("--db", spec_db.url, "history", "PostTrainingBodyTrustJob")
    assert cp.returncode == 0
    lines = cp.stdout.strip().splitlines()
    assert len(lines) == 2 and "PostTrainingBodyTrustJob" in lines[1] and "succeeded" in lines[1]


def test_init_db_twice_changes_nothing(db, run_tis):
    versions = []
    for _ in range(2):
        cp = run_tis("--db", db.url, "init-db", "--tcs")
        assert cp.returncode == 0, cp.stderr
        versions.append(db.query("SELECT version FROM tis_sync_schema_version ORDER BY version"))
    assert versions[0] == versions[1] == [(v,) for v in range(1, len(versions[0]) + 1)]
    assert db.query("SELECT COUNT(*) FROM tis_sync_dev_schema") == [(1,)]
    if db.kind == "mysql":
        n = db.query("SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() "
                     "AND ROUTINE_NAME = 'build_person_localoffice'")
        assert n == [(1,)]


def test_two_instances_migrating_at_once(db, run_tis):
    """Blue and green start together on a fresh database: both succeed."""
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: run_tis("--db", db.url, "init-db"), range(4)))
    assert all(cp.returncode == 0 for cp in results), [cp.stderr for cp in results]


def test_run_creates_the_service_tables_itself(db, run_tis):
    """The service owns its tables: `run` migrates them without init-db."""
    assert run_tis("--db", db.url, "init-db", "--tcs").returncode == 0
    db.execute("DROP TABLE tis_sync_run")
    db.execute("DROP TABLE tis_sync_schema_version")
    load_spec_data(db)
    run_ok(run_tis, db, "PostEmployingBodyTrustJob")
    assert db.query("SELECT status FROM tis_sync_run") == [("succeeded",)]


def test_socket_url(mysql_db, run_tis):
    assert run_tis("--db", mysql_db.socket_url, "init-db", "--tcs").returncode == 0
    load_spec_data(mysql_db)
    run_ok(run_tis, mysql_db, "PostEmployingBodyTrustJob")
    cp = run_tis("--db", mysql_db.socket_url, "run", "PostTrainingBodyTrustJob")
    assert cp.returncode == 0, cp.stderr
    assert len(pairs(mysql_db, "PostTrust", "postId")) == 18


def test_legacy_database_variables_without_dbhost_mean_mariadb_on_localhost(mysql_db, run_tis, tmp_path):
    """Issue 10, defect 1: DBHOST unset is localhost, as in the legacy
    service, never a SQLite file in the working folder; a ':' in DBUSER
    stays part of the user name."""
    s = mysql_db.server
    user = "we:ird@user"
    mysql_db.execute(f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY 'p@ss:w/rd'")
    try:
        mysql_db.execute(f"GRANT ALL PRIVILEGES ON `{mysql_db.name}`.* TO '{user}'@'127.0.0.1'")
        env = {"DBPORT": s.port, "DBNAME": mysql_db.name, "DBUSER": user, "DBPASSWORD": "p@ss:w/rd"}
        cp = run_tis("init-db", "--tcs", env=env, cwd=tmp_path)
        assert cp.returncode == 0, cp.stderr
        load_spec_data(mysql_db)
        cp = run_tis("run", "PostEmployingBodyTrustJob", env=env, cwd=tmp_path)
        assert cp.returncode == 0, cp.stderr
        assert "p@ss:w/rd" not in cp.stderr + cp.stdout
        assert len(pairs(mysql_db, "PostTrust", "postId")) == 10
        assert not list(tmp_path.glob("tis-sync.db*")), list(tmp_path.iterdir())  # no SQLite file made
        # only a password, the rest default: still MariaDB (here refused: no such database)
        cp = run_tis("run", "PostEmployingBodyTrustJob", env={"DBPASSWORD": "x", "DBPORT": s.port}, cwd=tmp_path)
        assert cp.returncode != 0 and "cannot connect to mysql://root:***@127.0.0.1:" in cp.stderr, cp.stderr
        assert not list(tmp_path.glob("tis-sync.db*"))
    finally:
        mysql_db.execute(f"DROP USER '{user}'@'127.0.0.1'")


def test_legacy_database_variables(mysql_db, run_tis):
    s = mysql_db.server
    env = {"DBHOST": s.host, "DBPORT": s.port, "DBNAME": mysql_db.name, "DBUSER": s.user, "DBPASSWORD": s.password}
    assert run_tis("init-db", "--tcs", env=env).returncode == 0
    load_spec_data(mysql_db)
    cp = run_tis("run", "PostEmployingBodyTrustJob", env=env)
    assert cp.returncode == 0, cp.stderr
    assert s.password not in cp.stderr + cp.stdout
    assert len(pairs(mysql_db, "PostTrust", "postId")) == 10
