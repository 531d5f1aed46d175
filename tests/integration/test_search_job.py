"""PersonElasticSearchSyncJob (SPEC 1.3) against a REAL OpenSearch (started
by scripts/opensearch.sh; TIS_SYNC_TEST_ES_URL), on SQLite and MariaDB, on
both TCS schema shapes (SPEC-2026 1: on the 2026 shape the nested
memberships are the CurriculumMembership rows).

Every test uses its own alias (TIS_SYNC_ES_ALIAS), so tests never see each
other's indices. Faults come from tests/integration/fault_proxy.py, a proxy
that forwards to the real engine and adds 429s, 503s, dropped connections
and late answers.
"""

import base64
import json
import secrets
import signal
import subprocess
import threading
import time

import pytest

from conftest import clean_env, sanitizer_errors
from fault_proxy import FaultProxy
from tcs_data import WEST_LONDON, YORKSHIRE, db_shape, insert_rows, load_spec_data

TODAY = "2019-08-20"
JOB = "PersonElasticSearchSyncJob"
# The jobs the persons index reads from, for a 2019-shape database (whose
# chain also runs the 2026-only jobs, which fail there).
PERSON_CHAIN = ["PersonOwnerRebuildJob", "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
                "PersonElasticSearchSyncJob"]


def run_search(run_tis, db, url, alias, *args, env=None, job=JOB, today=TODAY, timeout=180):
    e = {"TIS_SYNC_ES_URL": url, "TIS_SYNC_ES_ALIAS": alias}
    e.update(env or {})
    return run_tis("--db", db.url, "run", job, *args, "--today", today, env=e, timeout=timeout)


def assert_ok(cp):
    assert cp.returncode == 0, cp.stderr[-4000:]
    return cp


def rebuild_indices(engine, alias):
    return [i for i in engine.indices(alias) if i != alias]


# --------------------------------------------------------------------------
# expected documents, computed independently of the job's SQL


def _date(v):
    return None if v is None else str(v)[:10]


def java_trim(s):
    """String.trim(): strips every char <= U+0020 at both ends."""
    i, j = 0, len(s)
    while i < j and s[i] <= " ":
        i += 1
    while j > i and s[j - 1] <= " ":
        j -= 1
    return s[i:j]


def view_rows(db, today):
    """The distinct rows of the SPEC 1.3 view, written as a derived table of
    current placements (the job joins them directly)."""
    ph = "?" if db.kind == "sqlite" else "%s"
    return db.query(f"""
        SELECT DISTINCT p.id, p.intrepidId, c.surname, c.forenames, g.gmcNumber, d.gdcNumber,
               p.publicHealthNumber, cur.gradeId, cur.gradeAbbreviation, cur.siteId, cur.siteCode,
               cur.placementType, cur.specialty, p.role, p.status, o.owner, o.rule
          FROM Person p
         INNER JOIN ContactDetails c ON c.id = p.id
          LEFT JOIN GmcDetails g ON g.id = p.id
          LEFT JOIN GdcDetails d ON d.id = p.id
          LEFT JOIN PersonOwner o ON o.id = p.id
          LEFT JOIN (SELECT pl.traineeId, pl.gradeId, pl.gradeAbbreviation, pl.siteId, pl.siteCode,
                            pl.placementType, s.name AS specialty
                       FROM Placement pl
                       LEFT JOIN PlacementSpecialty ps
                              ON ps.placementId = pl.id AND ps.placementSpecialtyType = 'PRIMARY'
                       LEFT JOIN Specialty s ON s.id = ps.specialtyId
                      WHERE pl.dateFrom <= {ph} AND pl.dateTo >= {ph}) cur ON cur.traineeId = p.id
    """, (today, today))


def membership_status(start, end, today):
    if start is None or end is None:
        return "PAST"
    if start > today:
        return "FUTURE"
    if end < today:
        return "PAST"
    return "CURRENT"


def expected_docs(db, today):
    """The documents SPEC 1.3 asks for, without ids."""
    trusts = {}
    for pid, tid in db.query("SELECT DISTINCT personId, trustId FROM PersonTrust"):
        trusts.setdefault(pid, []).append(tid)
    pms = {}
    memberships = """
            SELECT pm.id, pm.personId, pm.programmeId, pr.programmeName, pr.programmeNumber,
                   tn.trainingNumber, pm.programmeStartDate, pm.programmeEndDate
              FROM ProgrammeMembership pm
              LEFT JOIN Programme pr ON pr.id = pm.programmeId
              LEFT JOIN TrainingNumber tn ON tn.id = pm.trainingNumberId"""
    if db_shape(db) == "2026":  # one entry per curriculum, no training number
        memberships = """
            SELECT cm.id, pm.personId, pm.programmeId, pr.programmeName, pr.programmeNumber,
                   NULL, pm.programmeStartDate, pm.programmeEndDate
              FROM CurriculumMembership cm
              JOIN ProgrammeMembership pm ON pm.uuid = cm.programmeMembershipUuid
              LEFT JOIN Programme pr ON pr.id = pm.programmeId"""
    for row in db.query(memberships):
        pmid, pid, prog, name, number, tn, start, end = row
        pms.setdefault(pid, []).append({
            "id": pmid, "personId": pid, "programmeId": prog, "programmeName": name,
            "programmeNumber": number, "trainingNumber": tn,
            "programmeMembershipStatus": membership_status(_date(start), _date(end), today)})
    docs = []
    for r in view_rows(db, today):
        pid = r[0]
        status = r[14] if r[14] in ("CURRENT", "INACTIVE", "DELETE") else None
        docs.append({
            "personId": pid, "intrepidId": r[1], "surname": r[2], "forenames": r[3],
            "fullName": java_trim(f"{r[3] or ''} {r[2] or ''}"),
            "gmcNumber": r[4], "gdcNumber": r[5], "publicHealthNumber": r[6],
            "gradeId": r[7], "gradeAbbreviation": r[8], "siteId": r[9], "siteCode": r[10],
            "placementType": r[11], "specialty": r[12], "role": r[13], "status": status,
            "currentOwner": r[15], "currentOwnerRule": r[16],
            "trusts": [{"personId": pid, "trustId": t} for t in sorted(trusts.get(pid, []))],
            "programmeMemberships": sorted(pms.get(pid, []), key=lambda m: m["id"]),
        })
    return docs


def canonical(docs):
    """Documents comparable as a multiset; the order of nested memberships
    is not part of the contract (2019: by id; 2026: by uuid, then id)."""
    def normal(d):
        return {**d, "programmeMemberships": sorted(d["programmeMemberships"], key=lambda m: m["id"])}
    return sorted(json.dumps(normal(d), sort_keys=True, ensure_ascii=False) for d in docs)


def assert_index_matches_database(engine, alias, db, today=TODAY):
    """Alias on exactly one new index whose documents are exactly the view's
    rows (count computed in SQL), with ids personId, personId-2, ..."""
    targets = engine.alias_targets(alias)
    assert len(targets) == 1 and targets[0].startswith(alias + "-"), targets
    expected = expected_docs(db, today)
    assert engine.count(alias) == len(expected) == len(view_rows(db, today))
    got = engine.docs(alias)
    assert canonical(src for _, src in got) == canonical(expected)
    by_person = {}
    for _id, src in got:
        by_person.setdefault(src["personId"], []).append(_id)
    for pid, ids in by_person.items():
        want = [str(pid)] + [f"{pid}-{n}" for n in range(2, len(ids) + 1)]
        assert sorted(ids) == sorted(want), (pid, ids)
    return got


# --------------------------------------------------------------------------
# data sets


SPEC_EXTRA_PLACEMENTS = [
    # id, traineeId, postId, from, to, gradeId, gradeAbbreviation, siteId, siteCode, placementType
    (6, 4, 6, "2019-01-01", "2019-12-31", 7, "ST1", 101, "S101", "In Post"),
    (7, 4, 7, "2019-08-01", "2019-08-31", None, "CT2", None, None, "In post - Acting Up"),
    (8, 5, 8, "2019-01-01", "2020-01-01", 3, "F1", 5, "S005", "In Post"),
    (9, 5, 8, "2019-02-01", "2020-02-01", 3, "F1", 5, "S005", "In Post"),   # identical to 8
    (10, 4, 9, "2019-08-21", "2020-08-20", 9, "ST3", 9, "S009", "In Post"),  # future: not current
    (11, 6, 10, None, "2020-01-01", 1, "F2", 1, "S001", "In Post"),         # NULL date: never current
]


@pytest.fixture
def spec_search_db(db, run_tis):
    """SPEC section 3 data plus persons that exercise every rule of 1.3, on
    the 2019 shape (memberships with ids and training numbers)."""
    assert_ok(run_tis("--db", db.url, "init-db", "--tcs", "--schema", "2019"))
    load_spec_data(db)
    insert_rows(db, "Person", ["id", "intrepidId", "role", "status", "publicHealthNumber"], [
        (4, "INT4", "DR in Training", "INACTIVE", "PHN4"),
        (5, None, None, "DELETE", None),
        (6, "INT6", "Dental Trainee", "ARCHIVED", None),
        (7, "INT7", None, "", None),
        (8, "INT8", None, None, None),
    ])
    db.execute("UPDATE Person SET intrepidId = 'INT2', role = 'DR in Training', status = 'CURRENT' WHERE id = 2")
    insert_rows(db, "ContactDetails", ["id", "surname", "forenames"], [
        (1, "Smith", "John"), (2, "O'Brien", "Siân"),
        (4, "Nguyễn", "Zoë"), (5, "Müller", "Björn"), (6, "Khan", None), (7, None, " Zoë "),
        (8, 'Back\\slash "Q"', "Anne\t"),
    ])  # person 3 has no ContactDetails
    insert_rows(db, "GmcDetails", ["id", "gmcNumber"], [(2, "7654321"), (4, "1234567")])
    insert_rows(db, "GdcDetails", ["id", "gdcNumber"], [(5, "D555")])
    insert_rows(db, "Placement", ["id", "traineeId", "postId", "dateFrom", "dateTo", "gradeId",
                                  "gradeAbbreviation", "siteId", "siteCode", "placementType"],
                SPEC_EXTRA_PLACEMENTS)
    insert_rows(db, "Specialty", ["id", "name"], [(1, "Cardiology"), (2, "Paediatrics & Neonatal")])
    insert_rows(db, "PlacementSpecialty", ["placementId", "specialtyId", "placementSpecialtyType"],
                [(6, 1, "PRIMARY"), (6, 2, "OTHER"), (2, 2, "PRIMARY")])
    insert_rows(db, "Programme", ["id", "programmeName", "programmeNumber", "owner"],
                [(1, "Core Medical – Training", "PRG1", None)])
    insert_rows(db, "TrainingNumber", ["id", "trainingNumber"], [(1, "NWE/001/1/C")])
    insert_rows(db, "ProgrammeMembership", ["id", "personId", "programmeId", "trainingNumberId",
                                            "programmeStartDate", "programmeEndDate"], [
        (1, 4, 1, 1, "2017-01-01", "2018-01-01"),   # PAST
        (2, 4, 1, None, "2019-01-01", "2020-01-01"),  # CURRENT
        (3, 4, None, None, "2019-08-21", "2021-01-01"),  # FUTURE, no programme
        (4, 4, 1, None, None, "2021-01-01"),        # a NULL date: PAST
        (5, 3, 1, None, "2019-01-01", "2020-01-01"),  # person without ContactDetails
    ])
    return db


def person_docs(docs, pid):
    return [src for _, src in docs if src["personId"] == pid]


BLANK_PLACEMENT = {"gradeId": None, "gradeAbbreviation": None, "siteId": None, "siteCode": None,
                   "placementType": None, "specialty": None}


def test_spec_data_chain_builds_the_documents_field_by_field(spec_search_db, run_tis, engine, alias,
                                                           opensearch_url):
    db = spec_search_db
    e = {"TIS_SYNC_ES_URL": opensearch_url, "TIS_SYNC_ES_ALIAS": alias}
    cp = assert_ok(run_tis("--db", db.url, "run", *PERSON_CHAIN, "--today", TODAY, env=e, timeout=180))
    assert "Sync job [PersonElasticSearchSyncJob] finished." in cp.stderr
    assert "person 6 has the unknown status 'ARCHIVED'" in cp.stderr
    docs = assert_index_matches_database(engine, alias, db)

    assert person_docs(docs, 3) == []                  # no ContactDetails: no document
    assert [d for d, _ in docs if _["personId"] == 1] == ["1"]
    assert person_docs(docs, 1) == [{
        "personId": 1, "intrepidId": None, "surname": "Smith", "forenames": "John", "fullName": "John Smith",
        "gmcNumber": None, "gdcNumber": None, "publicHealthNumber": None, **BLANK_PLACEMENT,
        "role": None, "status": None, "currentOwner": YORKSHIRE, "currentOwnerRule": "P6",
        "trusts": [{"personId": 1, "trustId": 1411}, {"personId": 1, "trustId": 1901}],
        "programmeMemberships": []}]
    assert person_docs(docs, 2) == [{
        "personId": 2, "intrepidId": "INT2", "surname": "O'Brien", "forenames": "Siân",
        "fullName": "Siân O'Brien", "gmcNumber": "7654321", "gdcNumber": None, "publicHealthNumber": None,
        "gradeId": None, "gradeAbbreviation": None, "siteId": None, "siteCode": None, "placementType": None,
        "specialty": "Paediatrics & Neonatal", "role": "DR in Training", "status": "CURRENT",
        "currentOwner": WEST_LONDON, "currentOwnerRule": "P2",
        "trusts": [{"personId": 2, "trustId": 1239}, {"personId": 2, "trustId": 1389}],
        "programmeMemberships": []}]

    # two current placements in different grades: two documents
    four = sorted(person_docs(docs, 4), key=lambda d: d["gradeAbbreviation"])
    assert [(d["gradeId"], d["gradeAbbreviation"], d["siteId"], d["siteCode"], d["placementType"],
             d["specialty"]) for d in four] == [
        (None, "CT2", None, None, "In post - Acting Up", None),   # NULL ids stay null, never 0
        (7, "ST1", 101, "S101", "In Post", "Cardiology")]         # only the PRIMARY specialty
    assert sorted(i for i, s in docs if s["personId"] == 4) == ["4", "4-2"]
    for d in four:
        assert d["fullName"] == "Zoë Nguyễn" and d["status"] == "INACTIVE" and d["gmcNumber"] == "1234567"
        assert d["programmeMemberships"] == [
            {"id": 1, "personId": 4, "programmeId": 1, "programmeName": "Core Medical – Training",
             "programmeNumber": "PRG1", "trainingNumber": "NWE/001/1/C", "programmeMembershipStatus": "PAST"},
            {"id": 2, "personId": 4, "programmeId": 1, "programmeName": "Core Medical – Training",
             "programmeNumber": "PRG1", "trainingNumber": None, "programmeMembershipStatus": "CURRENT"},
            {"id": 3, "personId": 4, "programmeId": None, "programmeName": None, "programmeNumber": None,
             "trainingNumber": None, "programmeMembershipStatus": "FUTURE"},
            {"id": 4, "personId": 4, "programmeId": 1, "programmeName": "Core Medical – Training",
             "programmeNumber": "PRG1", "trainingNumber": None, "programmeMembershipStatus": "PAST"}]

    # two identical rows collapse into one document
    five = person_docs(docs, 5)
    assert len(five) == 1 and five[0]["gradeId"] == 3 and five[0]["gdcNumber"] == "D555"
    assert five[0]["fullName"] == "Björn Müller" and five[0]["status"] == "DELETE"

    six, = person_docs(docs, 6)
    assert six["status"] is None and six["fullName"] == "Khan" and six["gradeId"] is None
    seven, = person_docs(docs, 7)
    assert seven["status"] is None and seven["fullName"] == "Zoë" and seven["surname"] is None
    eight, = person_docs(docs, 8)
    assert eight["surname"] == 'Back\\slash "Q"' and eight["fullName"] == 'Anne\t Back\\slash "Q"'
    assert eight["status"] is None


PM_UUIDS = {name: f"{n}0000000-0000-4000-8000-00000000000{n}" for n, name in enumerate("abcd", start=1)}


def test_2026_memberships_are_the_curricula(db, run_tis, engine, alias, opensearch_url):
    """SPEC-2026 1: each nested membership is a CurriculumMembership joined to
    its ProgrammeMembership: the id is the curriculum's, the dates are the
    membership's, trainingNumber is always null, a membership without a
    curriculum has no entry."""
    assert_ok(run_tis("--db", db.url, "init-db", "--tcs"))  # today's shape by default
    load_spec_data(db)
    insert_rows(db, "ContactDetails", ["id", "surname", "forenames"], [(1, "Smith", "John"), (2, "Jones", "Ann")])
    insert_rows(db, "Programme", ["id", "programmeName", "programmeNumber", "owner"],
                [(1, "Core Medical – Training", "PRG1", None)])
    insert_rows(db, "TrainingNumber", ["id", "trainingNumber"], [(1, "NWE/001/1/C")])
    insert_rows(db, "ProgrammeMembership", ["uuid", "personId", "programmeId", "trainingNumberId",
                                            "programmeStartDate", "programmeEndDate"], [
        (PM_UUIDS["a"], 1, 1, 1, "2019-01-01", "2020-01-01"),   # two curricula; the old number is not shown
        (PM_UUIDS["b"], 1, 1, None, "2017-01-01", "2018-01-01"),  # PAST
        (PM_UUIDS["c"], 1, 7, None, "2019-08-21", None),          # a missing programme, a NULL date
        (PM_UUIDS["d"], 2, 1, None, "2019-01-01", "2020-01-01"),  # no curriculum: no entry
    ])
    insert_rows(db, "CurriculumMembership", ["id", "programmeMembershipUuid", "curriculumId",
                                             "curriculumStartDate", "curriculumEndDate"], [
        (12, PM_UUIDS["a"], 5, "2019-01-01", "2019-06-30"), (11, PM_UUIDS["a"], 6, "2019-07-01", "2020-01-01"),
        (13, PM_UUIDS["b"], 5, None, None), (14, PM_UUIDS["c"], 9, "2019-08-21", None)])
    assert_ok(run_search(run_tis, db, opensearch_url, alias))
    docs = assert_index_matches_database(engine, alias, db)
    core = {"programmeId": 1, "programmeName": "Core Medical – Training", "programmeNumber": "PRG1",
            "trainingNumber": None}
    one, = person_docs(docs, 1)
    assert sorted(one["programmeMemberships"], key=lambda m: m["id"]) == [
        {"id": 11, "personId": 1, **core, "programmeMembershipStatus": "CURRENT"},
        {"id": 12, "personId": 1, **core, "programmeMembershipStatus": "CURRENT"},
        {"id": 13, "personId": 1, **core, "programmeMembershipStatus": "PAST"},
        {"id": 14, "personId": 1, "programmeId": 7, "programmeName": None, "programmeNumber": None,
         "trainingNumber": None, "programmeMembershipStatus": "PAST"}]
    two, = person_docs(docs, 2)
    assert two["programmeMemberships"] == []


def test_today_decides_current_placements(spec_search_db, run_tis, engine, alias, opensearch_url):
    db = spec_search_db
    assert_ok(run_search(run_tis, db, opensearch_url, alias, today="2020-03-05"))
    docs = assert_index_matches_database(engine, alias, db, today="2020-03-05")
    four = person_docs(docs, 4)
    assert [d["gradeAbbreviation"] for d in four] == ["ST3"]
    assert [m["programmeMembershipStatus"] for m in four[0]["programmeMemberships"]] == \
        ["PAST", "PAST", "CURRENT", "PAST"]


@pytest.mark.parametrize("shape", ["2019", "2026"])
def test_demo_data_documents_queries_and_mapping(db, run_tis, engine, alias, opensearch_url, shape):
    assert_ok(run_tis("--db", db.url, "init-db", "--tcs", "--schema", shape))
    assert_ok(run_tis("--db", db.url, "demo-data", "--persons", "600", "--seed", "11"))
    e = {"TIS_SYNC_ES_URL": opensearch_url, "TIS_SYNC_ES_ALIAS": alias, "TIS_SYNC_ES_POSTS_ALIAS": alias + "posts",
         "TIS_SYNC_ES_BULK_BYTES": "20000"}
    jobs = ["--chain"] if shape == "2026" else PERSON_CHAIN  # the whole chain of eleven on today's shape
    assert_ok(run_tis("--db", db.url, "run", *jobs, "--today", TODAY, env=e, timeout=180))
    docs = assert_index_matches_database(engine, alias, db)
    if shape == "2026":  # memberships come from the curricula, without a training number
        nested = [m for _, d in docs for m in d["programmeMemberships"]]
        assert nested and all(m["trainingNumber"] is None for m in nested)
    assert any(d["fullName"] != d["fullName"].encode("ascii", "ignore").decode() for _, d in docs)

    # term query on gmcNumber finds exactly that person's documents
    sample = next(d for _, d in docs if d["gmcNumber"])
    want = sorted(i for i, d in docs if d["gmcNumber"] == sample["gmcNumber"])
    assert engine.search_ids(alias, {"term": {"gmcNumber": sample["gmcNumber"]}}) == want

    # nested query on trusts.trustId finds every person with that trust
    trust = next(t["trustId"] for _, d in docs for t in d["trusts"])
    want = sorted(i for i, d in docs if any(t["trustId"] == trust for t in d["trusts"]))
    got = engine.search_ids(alias, {"nested": {"path": "trusts", "query": {"term": {"trusts.trustId": trust}}}})
    assert got == want and len(got) > 0

    # full-text on fullName
    assert engine.search_ids(alias, {"match": {"fullName": sample["surname"] or sample["forenames"]}})


EXPECTED_TYPES = {
    "personId": "long", "intrepidId": "keyword", "surname": "keyword", "forenames": "keyword",
    "fullName": "text", "gmcNumber": "keyword", "gdcNumber": "keyword", "publicHealthNumber": "keyword",
    "gradeId": "long", "gradeAbbreviation": "keyword", "siteId": "long", "siteCode": "keyword",
    "placementType": "keyword", "specialty": "keyword", "role": "keyword", "status": "text",
    "currentOwner": "keyword", "currentOwnerRule": "keyword", "trusts": "nested",
    "programmeMemberships": "nested",
}


def test_mapping_types_and_settings(sqlite_db, run_tis, engine, alias, opensearch_url):
    db = sqlite_db
    assert_ok(run_tis("--db", db.url, "init-db", "--tcs"))
    assert_ok(run_search(run_tis, db, opensearch_url, alias))     # an empty database: an empty index
    index, = engine.alias_targets(alias)
    assert engine.count(alias) == 0
    props = engine.ok("GET", f"/{index}/_mapping")[index]["mappings"]["properties"]
    assert {k: v["type"] for k, v in props.items() if "type" in v} == EXPECTED_TYPES
    assert props["fullName"].get("analyzer", "standard") == "standard"
    assert props["status"].get("analyzer", "standard") == "standard"
    assert {k: v["type"] for k, v in props["trusts"]["properties"].items()} == \
        {"personId": "long", "trustId": "long"}
    assert set(props["programmeMemberships"]["properties"]) == {
        "id", "personId", "programmeId", "programmeName", "programmeNumber", "trainingNumber",
        "programmeMembershipStatus"}
    settings = engine.ok("GET", f"/{index}/_settings")[index]["settings"]["index"]
    assert settings["refresh_interval"] == "1s"      # restored after loading
    assert settings["auto_expand_replicas"] == "0-all"


# --------------------------------------------------------------------------
# zero downtime, alias switch, clean-up


@pytest.fixture
def demo_sqlite(sqlite_db, run_tis):
    def make(persons, seed=3):
        assert_ok(run_tis("--db", sqlite_db.url, "init-db", "--tcs"))
        assert_ok(run_tis("--db", sqlite_db.url, "demo-data", "--persons", str(persons), "--seed", str(seed)))
        assert_ok(run_tis("--db", sqlite_db.url, "run", "PersonOwnerRebuildJob",
                          "PersonPlacementEmployingBodyTrustJob", "PersonPlacementTrainingBodyTrustJob",
                          "--today", TODAY))
        return sqlite_db
    return make


def test_searches_never_see_an_empty_or_partial_index(demo_sqlite, run_tis, engine, alias, opensearch_url):
    db = demo_sqlite(3000)
    env = {"TIS_SYNC_ES_BULK_BYTES": "65536"}
    assert_ok(run_search(run_tis, db, opensearch_url, alias, env=env))
    old_count = engine.count(alias)
    db.execute("DELETE FROM ContactDetails WHERE id % 10 = 0")
    new_count = len(view_rows(db, TODAY))
    assert new_count < old_count

    seen, errors, stop = [], [], threading.Event()

    def search_loop():
        while not stop.is_set():
            status, doc = engine.req("POST", f"/{alias}/_search",
                                     {"size": 1, "track_total_hits": True, "query": {"match_all": {}}})
            if status != 200:
                errors.append((status, doc))
            else:
                seen.append(doc["hits"]["total"]["value"])

    threads = [threading.Thread(target=search_loop) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        cp = run_search(run_tis, db, opensearch_url, alias, env=env)
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert_ok(cp)
    assert errors == []
    assert set(seen) <= {old_count, new_count}, set(seen)
    assert seen[0] == old_count and seen[-1] == new_count and len(seen) > 20
    assert_index_matches_database(engine, alias, db)


def test_old_indices_are_pruned_keeping_the_previous(demo_sqlite, run_tis, engine, alias, opensearch_url):
    db = demo_sqlite(50)
    built = []
    for _ in range(3):
        assert_ok(run_search(run_tis, db, opensearch_url, alias))
        built += engine.alias_targets(alias)
    assert len(set(built)) == 3 and built == sorted(built)
    assert rebuild_indices(engine, alias) == built[1:]         # keep_previous = 1 by default

    # an index left by an interrupted rebuild (newer than the live one) never
    # served searches: it goes, while the previous one stays
    leftover = alias + "-" + time.strftime("%Y%m%d%H%M%S", time.gmtime()) + "999"
    engine.ok("PUT", f"/{leftover}")
    assert_ok(run_search(run_tis, db, opensearch_url, alias))
    live, = engine.alias_targets(alias)
    assert rebuild_indices(engine, alias) == [built[2], live]

    assert_ok(run_search(run_tis, db, opensearch_url, alias, env={"TIS_SYNC_ES_KEEP_PREVIOUS": "0"}))
    assert rebuild_indices(engine, alias) == engine.alias_targets(alias)
    assert_ok(run_search(run_tis, db, opensearch_url, alias, env={"TIS_SYNC_ES_KEEP_PREVIOUS": "3"}))
    assert len(rebuild_indices(engine, alias)) == 2


def test_legacy_concrete_index_is_replaced_by_the_alias_in_one_request(demo_sqlite, run_tis, engine, alias,
                                                                      proxy):
    db = demo_sqlite(40)
    engine.ok("PUT", f"/{alias}", {"mappings": {"properties": {"personId": {"type": "long"}}}})
    assert engine.req("PUT", f"/{alias}/_doc/legacy?refresh=true", {"personId": 999999})[0] == 201
    assert engine.alias_targets(alias) == [alias]

    assert_ok(run_search(run_tis, db, proxy.url, alias))
    index, = engine.alias_targets(alias)
    assert index != alias and index.startswith(alias + "-")
    assert alias not in engine.indices(alias)                  # the concrete index is gone
    switches = proxy.requests("POST", "/_aliases")
    assert len(switches) == 1
    actions = json.loads(switches[0][2])["actions"]
    assert {"add": {"index": index, "alias": alias}} in actions
    assert {"remove_index": {"index": alias}} in actions
    assert not proxy.requests("DELETE", f"/{alias}")           # not deleted first
    assert_index_matches_database(engine, alias, db)


def test_with_dependents_rebuilds_the_index_after_the_owner_job(demo_sqlite, run_tis, engine, alias,
                                                               opensearch_url):
    db = demo_sqlite(30)
    cp = assert_ok(run_search(run_tis, db, opensearch_url, alias, "--with-dependents",
                              job="PersonOwnerRebuildJob"))
    started = [ln.split("Sync [")[1].split("]")[0] for ln in cp.stderr.splitlines() if "] started" in ln]
    assert started == ["PersonOwnerRebuildJob", JOB]
    assert_index_matches_database(engine, alias, db)


# --------------------------------------------------------------------------
# faults: every document indexed exactly once


FAULTS = {
    "items_429": dict(item_reject_share=0.3),
    "items_503": dict(item_reject_share=0.2, item_reject_status=503),
    "requests_429_503": dict(reject_bulk_statuses=[429, 503, 503, 429]),
    "dropped_connection": dict(drop_bulks=2),
    "slow_answers": dict(slow_bulks=3, slow_seconds=0.5),
    "answer_after_timeout": dict(slow_bulks=1, slow_seconds=2.5),
    "everything": dict(item_reject_share=0.2, reject_bulk_statuses=[503, 429], drop_bulks=1,
                       slow_bulks=1, slow_seconds=0.3),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_faults_are_retried_and_every_document_is_indexed_once(fault, demo_sqlite, run_tis, engine, alias,
                                                             proxy):
    db = demo_sqlite(1200)
    for k, v in FAULTS[fault].items():
        setattr(proxy, k, v)
    env = {"TIS_SYNC_ES_BULK_BYTES": "32768", "TIS_SYNC_ES_CONCURRENCY": "3", "TIS_SYNC_ES_TIMEOUT": "1"}
    cp = assert_ok(run_search(run_tis, db, proxy.url, alias, env=env))
    injected = (proxy.items_rejected + proxy.requests_rejected + proxy.dropped + proxy.slowed)
    assert injected > 0
    retries = int(cp.stderr.split(" retries)")[0].rsplit("(", 1)[1].split()[-1])
    if fault != "slow_answers":
        assert retries > 0
    docs = assert_index_matches_database(engine, alias, db)
    assert len({i for i, _ in docs}) == len(docs)
    assert proxy.max_bulk_bytes <= 32768


def test_bulk_size_and_concurrency_limits(demo_sqlite, run_tis, engine, alias, proxy):
    db = demo_sqlite(400)
    proxy.slow_bulks, proxy.slow_seconds = 1000, 0.2
    env = {"TIS_SYNC_ES_BULK_BYTES": "8192", "TIS_SYNC_ES_CONCURRENCY": "3"}
    assert_ok(run_search(run_tis, db, proxy.url, alias, env=env))
    assert proxy.bulk_requests >= 10
    assert proxy.max_bulk_bytes <= 8192
    assert 2 <= proxy.max_in_flight <= 3
    assert_index_matches_database(engine, alias, db)


def test_first_requests_ramp_up_to_the_limit(demo_sqlite, run_tis, engine, alias, proxy):
    """The engine gets work early: requests of 1/8, 1/4, 1/2 of the limit
    (at least 64 KiB) first, then full ones."""
    db = demo_sqlite(1500)
    assert_ok(run_search(run_tis, db, proxy.url, alias, env={"TIS_SYNC_ES_BULK_BYTES": "524288"}))
    sizes = [len(r[2]) for r in proxy.requests("POST", "/_bulk")]
    assert len(sizes) >= 5 and max(sizes) <= 524288
    # two requests are in flight at once: the proxy may see neighbours swapped
    first = sorted(sizes[:4])
    for size, limit in zip(first, [65536, 131072, 262144]):
        assert limit * 0.9 < size <= limit, sizes
    assert first[3] > 262144, sizes
    assert_index_matches_database(engine, alias, db)


# --------------------------------------------------------------------------
# failures: exit 1 with the reason, alias untouched, no half-built index


@pytest.fixture
def live_alias(demo_sqlite, run_tis, engine, alias, opensearch_url):
    """A database and an alias already on a good index: (db, index)."""
    db = demo_sqlite(300)
    assert_ok(run_search(run_tis, db, opensearch_url, alias))
    index, = engine.alias_targets(alias)
    db.execute("DELETE FROM ContactDetails WHERE id % 7 = 0")   # the next build would differ
    return db, index


def assert_untouched(engine, alias, index, count):
    assert engine.alias_targets(alias) == [index]
    assert rebuild_indices(engine, alias) == [index]
    assert engine.count(alias) == count


def test_an_empty_source_does_not_replace_a_full_index(live_alias, run_tis, engine, alias, opensearch_url):
    """Issue 10, defect 8: a source with far fewer persons (a wrong
    database, a failed restore) fails the run and leaves the alias, unless
    the operator forces that one run."""
    db, index = live_alias
    count = engine.count(alias)
    db.execute("DELETE FROM Person WHERE id % 10 <> 0")  # 90% of the persons gone
    cp = run_search(run_tis, db, opensearch_url, alias)
    assert cp.returncode == 1, cp.stderr[-3000:]
    assert "check size: the new index" in cp.stderr and "search.min_ratio (0.50)" in cp.stderr, cp.stderr[-3000:]
    assert f"tis-sync run {JOB} --force" in cp.stderr
    assert_untouched(engine, alias, index, count)
    # a share above search.min_ratio is a night's changes: switched
    cp = run_search(run_tis, db, opensearch_url, alias, env={"TIS_SYNC_ES_MIN_RATIO": "0.05"})
    assert_ok(cp)
    smaller = engine.count(alias)
    assert 0 < smaller < count / 5
    db.execute("DELETE FROM Person")
    assert run_search(run_tis, db, opensearch_url, alias).returncode == 1
    assert engine.count(alias) == smaller
    assert_ok(run_search(run_tis, db, opensearch_url, alias, "--force"))  # the operator's override, once
    assert engine.count(alias) == 0


def test_unreachable_engine_fails_cleanly(live_alias, run_tis, engine, alias):
    db, index = live_alias
    count = engine.count(alias)
    cp = run_search(run_tis, db, "http://127.0.0.1:9", alias, env={"TIS_SYNC_ES_RETRIES": "1"})
    assert cp.returncode == 1
    assert "read alias" in cp.stderr and "127.0.0.1" in cp.stderr
    assert "Couldn't connect" in cp.stderr or "Failed to connect" in cp.stderr
    assert_untouched(engine, alias, index, count)


def test_second_url_is_used_when_the_first_is_down(live_alias, run_tis, engine, alias, opensearch_url):
    db, _ = live_alias
    assert_ok(run_search(run_tis, db, f"http://127.0.0.1:9, {opensearch_url}", alias,
                         env={"TIS_SYNC_ES_RETRIES": "0"}))
    assert_index_matches_database(engine, alias, db)


@pytest.mark.parametrize("fault,reason", [
    (dict(always_bulk_status=429), "still rejected after 2 retries (last: HTTP 429"),
    (dict(item_reject_share=1.0), "still rejected after 2 retries (last: item status 429"),
    (dict(drop_bulks=1000), "still rejected after 2 retries (last: http://127.0.0.1:"),
    (dict(item_permanent_errors=1), "rejected with status 400: mapper_parsing_exception: fault proxy"),
])
def test_engine_rejecting_for_good_fails_cleanly(fault, reason, live_alias, run_tis, engine, alias, proxy):
    db, index = live_alias
    count = engine.count(alias)
    for k, v in fault.items():
        setattr(proxy, k, v)
    cp = run_search(run_tis, db, proxy.url, alias, env={"TIS_SYNC_ES_RETRIES": "2"})
    assert cp.returncode == 1, cp.stderr[-3000:]
    assert "index: " in cp.stderr and reason in cp.stderr, cp.stderr[-3000:]
    assert_untouched(engine, alias, index, count)
    assert proxy.requests("DELETE")                               # the half-built index was deleted


def test_count_mismatch_fails_and_deletes_the_index(live_alias, run_tis, engine, alias, proxy):
    """Documents acknowledged but not in the index (a foreign writer deleted
    one meanwhile) must not go live."""
    db, index = live_alias
    count = engine.count(alias)

    def lose_one(path):
        if not getattr(lose_one, "done", False):
            lose_one.done = True
            target = path.split("/")[1]
            engine.ok("POST", f"/{target}/_refresh")
            engine.ok("POST", f"/{target}/_delete_by_query?refresh=true&max_docs=1",
                      {"query": {"match_all": {}}})
    proxy.after_bulk_forward = lose_one
    cp = run_search(run_tis, db, proxy.url, alias)
    assert cp.returncode == 1
    assert "complete index:" in cp.stderr and "the job produced" in cp.stderr
    assert_untouched(engine, alias, index, count)


def test_sigterm_stops_the_build_and_deletes_it(live_alias, tis_bin, log_dir, engine, alias, proxy):
    db, index = live_alias
    count = engine.count(alias)
    proxy.slow_bulks, proxy.slow_seconds = 1000, 0.5
    env = clean_env({"TIS_SYNC_DB": db.url, "TIS_SYNC_ES_URL": proxy.url, "TIS_SYNC_ES_ALIAS": alias,
                     "TIS_SYNC_ES_BULK_BYTES": "4096", "TIS_SYNC_ES_CONCURRENCY": "1"}, log_dir=log_dir)
    proc = subprocess.Popen([tis_bin, "run", JOB, "--today", TODAY], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while proxy.bulk_requests < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the job ended before it could be stopped"
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert not sanitizer_errors(err), err[-4000:]
    assert time.monotonic() - started < 5
    assert proc.returncode == 1, err[-3000:]
    assert "cancel:" in err
    assert_untouched(engine, alias, index, count)
    status, error = db.query("SELECT status, error FROM tis_sync_run ORDER BY id DESC LIMIT 1")[0]
    assert status == "aborted" and error.startswith("cancel:")


def test_credentials_are_sent_but_never_shown(live_alias, run_tis, engine, alias, proxy, log_dir):
    db, _ = live_alias
    secret = "pw-" + secrets.token_hex(6)
    env = {"TIS_SYNC_ES_USER": "indexer", "TIS_SYNC_ES_PASSWORD": secret}
    cp = assert_ok(run_search(run_tis, db, proxy.url, alias, env=env))
    want = "Basic " + base64.b64encode(f"indexer:{secret}".encode()).decode()
    assert {r[3] for r in proxy.log} == {want}
    url_secret = "url-" + secrets.token_hex(6)
    bad = run_search(run_tis, db, f"http://user:{url_secret}@127.0.0.1:9", alias,
                     env={**env, "TIS_SYNC_ES_RETRIES": "0"})
    assert bad.returncode == 1 and "http://127.0.0.1:9" in bad.stderr
    logs = "".join(p.read_text(errors="replace") for p in log_dir.iterdir())
    for text in (cp.stdout, cp.stderr, bad.stdout, bad.stderr, logs):
        assert secret not in text and url_secret not in text


def test_invalid_alias_is_a_clear_error(sqlite_db, run_tis, opensearch_url):
    assert_ok(run_tis("--db", sqlite_db.url, "init-db", "--tcs"))
    cp = run_search(run_tis, sqlite_db, opensearch_url, "Persons")
    assert cp.returncode == 1 and "search.alias 'Persons' is not a usable index name" in cp.stderr


def test_tls_with_a_custom_ca_and_basic_auth(live_alias, run_tis, engine, alias, opensearch_url, tmp_path):
    """https to a TLS front (the proxy) of the real engine, trusted through
    search.ca_file; without that CA the job refuses the certificate."""
    db, index = live_alias
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    tls = FaultProxy(opensearch_url, tls=(str(cert), str(key))).start()
    try:
        assert tls.url.startswith("https://")
        env = {"TIS_SYNC_ES_USER": "indexer", "TIS_SYNC_ES_PASSWORD": "pw", "TIS_SYNC_ES_RETRIES": "0"}
        count = engine.count(alias)
        bad = run_search(run_tis, db, tls.url, alias, env=env)
        assert bad.returncode == 1 and "certificate" in bad.stderr.lower()
        assert_untouched(engine, alias, index, count)
        assert_ok(run_search(run_tis, db, tls.url, alias, env={**env, "TIS_SYNC_ES_CA_FILE": str(cert)}))
        assert {r[3] for r in tls.log} == {"Basic " + base64.b64encode(b"indexer:pw").decode()}
    finally:
        tls.stop()
    assert_index_matches_database(engine, alias, db)
