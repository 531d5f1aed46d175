"""demo-data: deterministic for a seed, realistic in shape."""


def checksum(db):
    tables = {"Person": "id", "ContactDetails": "id", "Placement": "id", "ProgrammeMembership": "id",
              "Post": "id", "PlacementSpecialty": "placementId"}
    return {table: db.query(f"SELECT COUNT(*), SUM({key}) FROM {table}")[0] for table, key in tables.items()}


def test_same_seed_same_data_other_seed_other_data(db, run_tis):
    assert run_tis("--db", db.url, "demo-data", "--persons", "500", "--seed", "3").returncode == 0
    first = checksum(db)
    names = db.query("SELECT forenames, surname FROM ContactDetails ORDER BY id")
    assert run_tis("--db", db.url, "demo-data", "--persons", "500", "--seed", "3").returncode == 0
    assert checksum(db) == first
    assert db.query("SELECT forenames, surname FROM ContactDetails ORDER BY id") == names
    assert run_tis("--db", db.url, "demo-data", "--persons", "500", "--seed", "4").returncode == 0
    assert checksum(db) != first


def test_shape_of_the_data(db, run_tis):
    assert run_tis("--db", db.url, "demo-data", "--persons", "2000").returncode == 0
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
