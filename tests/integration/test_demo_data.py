"""demo-data: deterministic for a seed, realistic in shape, on both TCS
schema shapes (SPEC-2026 1)."""

import pytest


def checksum(db):
    tables = {"Person": "id", "ContactDetails": "id", "Placement": "id", "ProgrammeMembership": "personId",
              "Post": "id", "PlacementSpecialty": "placementId"}
    return {table: db.query(f"SELECT COUNT(*), SUM({key}) FROM {table}")[0] for table, key in tables.items()}


def test_same_seed_same_data_other_seed_other_data(db, run_tis):
    cp = run_tis("--db", db.url, "demo-data", "--persons", "500", "--seed", "3")
    assert cp.returncode == 0, cp.stderr
    assert "2026 schema" in cp.stdout  # an empty database gets today's shape
    first = checksum(db)
    names = db.query("SELECT forenames, surname FROM ContactDetails ORDER BY id")
    assert run_tis("--db", db.url, "demo-data", "--persons", "500", "--seed", "3").returncode == 0
    assert checksum(db) == first
    assert db.query("SELECT forenames, surname FROM ContactDetails ORDER BY id") == names
    assert run_tis("--db", db.url, "demo-data", "--persons", "500", "--seed", "4").returncode == 0
    assert checksum(db) != first


@pytest.mark.parametrize("shape", ["2019", "2026"])
def test_shape_of_the_data(db, run_tis, shape):
    assert run_tis("--db", db.url, "init-db", "--tcs", "--schema", shape).returncode == 0
    cp = run_tis("--db", db.url, "demo-data", "--persons", "2000")
    assert cp.returncode == 0, cp.stderr
    assert f"{shape} schema" in cp.stdout
    one = lambda sql: db.query(sql)[0][0]  # noqa: E731
    assert one("SELECT COUNT(*) FROM Person") == 2000
    assert 1.5 < one("SELECT COUNT(*) FROM Placement") / 2000 < 2.1
    assert 1.1 < one("SELECT COUNT(*) FROM ProgrammeMembership") / 2000 < 1.6
    assert one("SELECT COUNT(*) FROM Post WHERE employingBodyId = trainingBodyId") > one("SELECT COUNT(*) FROM Post") / 2
    assert one("SELECT COUNT(*) FROM Post WHERE trainingBodyId IS NULL") > 0
    assert one("SELECT COUNT(*) FROM Post WHERE employingBodyId IS NULL") > 0
    assert one("SELECT COUNT(*) FROM Post WHERE owner IS NULL") > 0
    assert one("SELECT COUNT(*) FROM Placement WHERE dateTo IS NULL") > 0
    assert one("SELECT COUNT(*) FROM PlacementSpecialty WHERE placementSpecialtyType = 'PRIMARY'") > 0
    assert one("SELECT COUNT(*) FROM PlacementSpecialty WHERE placementSpecialtyType <> 'PRIMARY'") > 0
    assert one("SELECT COUNT(*) FROM Person p WHERE NOT EXISTS (SELECT 1 FROM ContactDetails c WHERE c.id = p.id)") > 0
    surnames = {r[0] for r in db.query("SELECT DISTINCT surname FROM ContactDetails")}
    forenames = {r[0] for r in db.query("SELECT DISTINCT forenames FROM ContactDetails")}
    assert "O'Brien" in surnames and "Nguyễn" in surnames
    assert 'Anne "Annie"' in forenames and "Back\\slash" in forenames
    owners = {r[0] for r in db.query("SELECT DISTINCT owner FROM Post WHERE owner IS NOT NULL")}
    prefixed = {o for o in owners if o.startswith("Health Education England ")}
    assert prefixed == (owners if shape == "2019" else set())  # TCS dropped the prefix in 2024
    if shape == "2026":
        check_2026_tables(db)


def check_2026_tables(db):
    """The newer tables, with the cases the newer jobs must handle."""
    one = lambda sql: db.query(sql)[0][0]  # noqa: E731
    # memberships keyed by uuid; several curricula per membership, and some without
    assert one("SELECT COUNT(*) FROM ProgrammeMembership WHERE uuid LIKE '________-____-4___-____-____________'") \
        == one("SELECT COUNT(*) FROM ProgrammeMembership")
    per_pm = dict(db.query("SELECT n, COUNT(*) FROM (SELECT pm.uuid, COUNT(cm.id) AS n FROM ProgrammeMembership pm "
                           "LEFT JOIN CurriculumMembership cm ON cm.programmeMembershipUuid = pm.uuid "
                           "GROUP BY pm.uuid) x GROUP BY n"))
    assert per_pm.get(0, 0) > 0 and per_pm.get(2, 0) > 0 and per_pm.get(3, 0) > 0
    # fundings: ended, open-ended, undated
    assert one("SELECT COUNT(*) FROM PostFunding WHERE endDate < '2020-01-01'") > 0
    assert one("SELECT COUNT(*) FROM PostFunding WHERE endDate IS NULL AND startDate IS NOT NULL") > 0
    assert one("SELECT COUNT(*) FROM PostFunding WHERE startDate IS NULL") > 0
    assert one("SELECT COUNT(*) FROM PostFunding WHERE startDate <= '2026-11-30' AND endDate >= '2026-11-30'") > 0
    # now and then two "primary" rows of a post
    for table, kind, value in (("PostGrade", "postGradeType", "APPROVED"), ("PostSite", "postSiteType", "PRIMARY"),
                               ("PostSpecialty", "postSpecialtyType", "PRIMARY")):
        twice = one(f"SELECT COUNT(*) FROM (SELECT postId FROM {table} WHERE {kind} = '{value}' "
                    "GROUP BY postId HAVING COUNT(*) > 1) x")
        assert twice > 0, table
    assert one("SELECT COUNT(*) FROM ProgrammePost") > 0
    statuses = {r[0] for r in db.query("SELECT DISTINCT fundingStatus FROM Post")}
    assert {"CURRENT", "INACTIVE", "DELETE", ""} <= statuses
    assert one("SELECT COUNT(*) FROM Specialty WHERE specialtyCode IS NOT NULL") > 0


def test_refuses_a_schema_it_did_not_create(db, run_tis):
    """A production TCS (tables made by someone else) is never wiped."""
    db.execute("CREATE TABLE Person (id BIGINT PRIMARY KEY, intrepidId VARCHAR(255), role VARCHAR(255), "
               "status VARCHAR(255), publicHealthNumber VARCHAR(255))")
    db.execute("INSERT INTO Person (id) VALUES (42)")
    cp = run_tis("--db", db.url, "demo-data", "--persons", "10")
    assert cp.returncode == 1
    assert "refusing to replace the TCS data" in cp.stderr and "init-db --tcs" in cp.stderr
    assert db.query("SELECT id FROM Person") == [(42,)]
    assert run_tis("--db", db.url, "init-db", "--tcs").returncode == 0  # creating the rest does not mark it
    assert run_tis("--db", db.url, "demo-data", "--persons", "10").returncode == 1
