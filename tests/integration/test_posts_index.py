"""PostElasticSearchSyncJob (SPEC-2026 2.3): the posts index against a REAL
OpenSearch, on SQLite and MariaDB. Documents are checked field by field
against expectations computed here from the same rows (duplicate
"primary" rows, NULLs, byte-order sorting, lists never truncated), and the
rebuild behind the alias (shared with the persons index) switches in one
request, replaces a legacy concrete index, and leaves nothing behind on
failure."""

import json

import pytest

from tcs_data import insert_rows

TODAY = "2026-03-10"
JOB = "PostElasticSearchSyncJob"


def run_posts(run_tis, db, url, alias, *args, env=None, today=TODAY, timeout=120):
    e = {"TIS_SYNC_ES_URL": url, "TIS_SYNC_ES_POSTS_ALIAS": alias, **(env or {})}
    return run_tis("--db", db.url, "run", JOB, *args, "--today", today, env=e, timeout=timeout)


def assert_ok(cp):
    assert cp.returncode == 0, cp.stderr[-4000:]
    return cp


# --------------------------------------------------------------------------
# the documents SPEC-2026 2.3 asks for, computed from the rows in Python


def rows_by_post(db, sql):
    out = {}
    for row in db.query(sql):
        out.setdefault(row[0], []).append(row[1:])
    return out


def first_by_id(db, table, kind_column, kind, value_column):
    """{postId: value} of the row with the lowest id of that kind."""
    best = {}
    for rid, post, value in db.query(f"SELECT id, postId, {value_column} FROM {table} WHERE {kind_column} = '{kind}'"):
        if post not in best or rid < best[post][0]:
            best[post] = (rid, value)
    return {post: value for post, (_, value) in best.items()}


def byte_sorted(values):
    return sorted(set(values), key=lambda v: v.encode("utf-8"))


def in_range(start, end, today):
    start = None if start is None else str(start)[:10]
    end = None if end is None else str(end)[:10]
    return end is None or (start is not None and start <= today <= end)


def expected_posts(db, today=TODAY):
    grades = first_by_id(db, "PostGrade", "postGradeType", "APPROVED", "gradeId")
    sites = first_by_id(db, "PostSite", "postSiteType", "PRIMARY", "siteId")
    specialty_of = first_by_id(db, "PostSpecialty", "postSpecialtyType", "PRIMARY", "specialtyId")
    specialties = {r[0]: r for r in db.query("SELECT id, specialtyCode, name FROM Specialty")}
    names = {r[0]: (r[1], r[2]) for r in db.query("SELECT id, surname, forenames FROM ContactDetails")}
    trainees = {}
    for post, trainee, start, end in db.query("SELECT postId, traineeId, dateFrom, dateTo FROM Placement"):
        if trainee is not None and start is not None and end is not None \
                and str(start)[:10] <= today <= str(end)[:10]:
            trainees.setdefault(post, set()).add(trainee)
    programmes = rows_by_post(db, "SELECT pp.postId, pp.programmeId, pr.programmeName FROM ProgrammePost pp "
                                  "LEFT JOIN Programme pr ON pr.id = pp.programmeId")
    fundings = rows_by_post(db, "SELECT postId, fundingType, startDate, endDate FROM PostFunding")
    trusts = rows_by_post(db, "SELECT postId, trustId FROM PostTrust")
    docs = {}
    for pid, npn, owner, status in db.query("SELECT id, nationalPostNumber, owner, fundingStatus FROM Post"):
        doc = {"id": pid, "nationalPostNumber": npn, "owner": owner,
               "status": status if status in ("CURRENT", "INACTIVE", "DELETE") else None,
               "approvedGradeId": grades.get(pid), "primarySiteId": sites.get(pid)}
        spec = specialties.get(specialty_of.get(pid))
        doc.update({"primarySpecialtyId": spec and spec[0], "primarySpecialtyCode": spec and spec[1],
                    "primarySpecialtyName": spec and spec[2]})
        people = sorted(trainees.get(pid, ()))
        surnames = [names[t][0] for t in people if t in names and names[t][0] is not None]
        forenames = [names[t][1] for t in people if t in names and names[t][1] is not None]
        doc["currentTraineeSurnames"] = ", ".join(surnames) or None
        doc["currentTraineeForenames"] = ", ".join(forenames) or None
        doc["programmeNames"] = byte_sorted(n for _, n in programmes.get(pid, []) if n is not None)
        doc["fundingTypes"] = byte_sorted(t for t, s, e in fundings.get(pid, []) if t is not None and in_range(s, e, today))
        doc["trustIds"] = sorted({t for (t,) in trusts.get(pid, [])})
        doc["programmeIds"] = sorted({p for p, _ in programmes.get(pid, [])})
        docs[str(pid)] = {k: v for k, v in doc.items() if v is not None}  # NULL scalars are left out
    return docs


def indexed(engine, alias):
    hits = engine.ok("POST", f"/{alias}/_search", {"size": 10000, "query": {"match_all": {}}})["hits"]["hits"]
    return {h["_id"]: h["_source"] for h in hits}


def assert_matches(engine, alias, db, today=TODAY):
    target, = engine.alias_targets(alias)
    assert target.startswith(alias + "-")
    want = expected_posts(db, today)
    got = indexed(engine, alias)
    assert engine.count(alias) == len(want)
    assert got == want
    return got


# --------------------------------------------------------------------------
# hand-made rows: every rule of the table


@pytest.fixture
def posts_db(db, run_tis):
    assert_ok(run_tis("--db", db.url, "init-db", "--tcs"))
    insert_rows(db, "Post", ["id", "nationalPostNumber", "owner", "fundingStatus", "employingBodyId",
                             "trainingBodyId"], [
        (1, "NPN/1", "Wessex", "CURRENT", 11, 12),
        (2, "NPN/2", None, "", 11, 11),      # empty status, no owner
        (3, None, "North East", "FROZEN", None, None),  # unknown status: absent, a warning
        (4, "NPN/4", "Wessex", "INACTIVE", None, None),  # nothing else at all
    ])
    insert_rows(db, "PostGrade", ["id", "postId", "gradeId", "postGradeType"], [
        (7, 1, 70, "APPROVED"), (3, 1, 30, "APPROVED"),   # two APPROVED: the lowest row id wins
        (1, 1, 10, "OTHER"), (4, 2, 40, "OTHER")])
    insert_rows(db, "PostSite", ["id", "postId", "siteId", "postSiteType"], [
        (5, 1, 500, "PRIMARY"), (6, 1, 600, "OTHER"), (9, 2, 900, "PRIMARY"), (8, 2, 800, "PRIMARY")])
    insert_rows(db, "Specialty", ["id", "name", "specialtyCode"], [
        (1, "Cardiology", "CAR"), (2, "Paediatrics & Neonatal", None)])
    insert_rows(db, "PostSpecialty", ["id", "postId", "specialtyId", "postSpecialtyType"], [
        (2, 1, 2, "PRIMARY"), (5, 1, 1, "PRIMARY"), (1, 1, 1, "SUB_SPECIALTY"),
        (3, 2, None, "PRIMARY"),             # no specialty: nothing
        (4, 3, 99, "PRIMARY")])              # a missing specialty: nothing
    insert_rows(db, "Person", ["id"], [(i,) for i in (1, 2, 3, 4, 5)])
    insert_rows(db, "ContactDetails", ["id", "surname", "forenames"], [
        (1, "Smith", "John"), (2, "O'Brien", None), (3, None, "Zoë"), (5, "Past", "Trainee")])
    insert_rows(db, "Placement", ["id", "traineeId", "postId", "dateFrom", "dateTo", "placementType"], [
        (1, 3, 1, "2026-01-01", "2026-12-31", "In Post"),
        (2, 1, 1, "2026-03-10", "2026-03-10", "OOPT"),        # any type; today on both ends
        (3, 1, 1, "2025-01-01", "2027-01-01", "In Post"),      # the same trainee again: counted once
        (4, 2, 1, "2026-01-01", "2026-06-30", "In Post"),
        (5, 4, 1, "2026-01-01", "2026-06-30", "In Post"),      # no ContactDetails: skipped
        (6, 5, 1, "2020-01-01", "2021-01-01", "In Post"),      # past: not current
        (7, None, 2, "2026-01-01", "2026-12-31", "In Post"),   # no trainee
        (8, 1, 2, None, "2026-12-31", "In Post")])             # a NULL date is never current
    insert_rows(db, "Programme", ["id", "programmeName", "programmeNumber", "owner"], [
        (1, "Zebra", "P1", None), (2, "apple; pear", "P2", None), (3, "Émile", "P3", None), (4, "Zebra", "P4", None)])
    insert_rows(db, "ProgrammePost", ["programmeId", "postId"], [(3, 1), (1, 1), (2, 1), (4, 1), (9, 1), (1, 2)])
    insert_rows(db, "PostFunding", ["id", "postId", "fundingType", "startDate", "endDate"], [
        (1, 1, "Tariff", "2025-01-01", "2026-12-31"),
        (2, 1, "Academic", "2026-01-01", None),        # open-ended
        (3, 1, "Trust", "2020-01-01", "2021-01-01"),   # ended
        (4, 1, None, "2025-01-01", None),              # no type
        (5, 1, "Tariff", "2026-03-10", "2026-03-10"),  # a duplicate type, today on both ends
        (6, 2, "Future", "2027-01-01", "2028-01-01"),
        (7, 2, "Undated", None, None)])                # no end date: it counts
    insert_rows(db, "PostTrust", ["postId", "trustId"], [(1, 12), (1, 11), (1, 12), (2, 11)])
    return db


def test_documents_field_by_field(posts_db, run_tis, engine, alias, opensearch_url):
    cp = assert_ok(run_posts(run_tis, posts_db, opensearch_url, alias))
    assert "post 3 has the unknown funding status 'FROZEN'" in cp.stderr
    assert "Sync job [PostElasticSearchSyncJob] finished with 1 warnings" in cp.stderr
    docs = assert_matches(engine, alias, posts_db)
    assert docs["1"] == {
        "id": 1, "nationalPostNumber": "NPN/1", "owner": "Wessex", "status": "CURRENT",
        "approvedGradeId": 30, "primarySiteId": 500,
        "primarySpecialtyId": 2, "primarySpecialtyName": "Paediatrics & Neonatal",   # its code is NULL: absent
        "currentTraineeSurnames": "Smith, O'Brien", "currentTraineeForenames": "John, Zoë",
        "programmeNames": ["Zebra", "apple; pear", "Émile"],       # bytes, not a collation; ';' kept
        "fundingTypes": ["Academic", "Tariff"],
        "trustIds": [11, 12], "programmeIds": [1, 2, 3, 4, 9]}
    assert docs["2"] == {
        "id": 2, "nationalPostNumber": "NPN/2", "primarySiteId": 800,
        "programmeNames": ["Zebra"], "fundingTypes": ["Undated"], "trustIds": [11], "programmeIds": [1]}
    assert docs["3"] == {"id": 3, "owner": "North East", "programmeNames": [], "fundingTypes": [], "trustIds": [],
                         "programmeIds": []}
    assert docs["4"]["status"] == "INACTIVE"


def test_mapping_of_the_posts_index(posts_db, run_tis, engine, alias, opensearch_url):
    assert_ok(run_posts(run_tis, posts_db, opensearch_url, alias))
    index, = engine.alias_targets(alias)
    props = engine.ok("GET", f"/{index}/_mapping")[index]["mappings"]["properties"]
    assert {k: v["type"] for k, v in props.items()} == {
        "id": "long", "nationalPostNumber": "keyword", "owner": "keyword", "status": "keyword",
        "approvedGradeId": "long", "primarySiteId": "long", "primarySpecialtyId": "long",
        "primarySpecialtyCode": "keyword", "primarySpecialtyName": "text", "currentTraineeSurnames": "keyword",
        "currentTraineeForenames": "keyword", "programmeNames": "keyword", "fundingTypes": "keyword",
        "trustIds": "long", "programmeIds": "long"}
    assert props["primarySpecialtyName"]["fields"] == {"keyword": {"type": "keyword", "ignore_above": 8191}}
    # searchable as the TIS post search does it
    assert engine.search_ids(alias, {"term": {"programmeNames": "apple; pear"}}) == ["1"]
    assert engine.search_ids(alias, {"term": {"trustIds": 11}}) == ["1", "2"]
    assert engine.search_ids(alias, {"match": {"primarySpecialtyName": "paediatrics"}}) == ["1"]
    assert engine.search_ids(alias, {"term": {"primarySpecialtyName.keyword": "Paediatrics & Neonatal"}}) == ["1"]


def test_long_lists_are_never_truncated(posts_db, run_tis, engine, alias, opensearch_url):
    """The legacy GROUP_CONCAT cut lists at 1,024 bytes."""
    long_name = "A programme with a long name, " * 8  # 240 characters; the column holds 255
    insert_rows(posts_db, "Programme", ["id", "programmeName", "programmeNumber", "owner"],
                [(100 + i, f"{i:03d} {long_name}", None, None) for i in range(40)])
    insert_rows(posts_db, "ProgrammePost", ["programmeId", "postId"], [(100 + i, 4) for i in range(40)])
    assert_ok(run_posts(run_tis, posts_db, opensearch_url, alias))
    docs = assert_matches(engine, alias, posts_db)
    assert len(docs["4"]["programmeNames"]) == 40
    assert sum(len(n) for n in docs["4"]["programmeNames"]) > 9_000


# --------------------------------------------------------------------------
# demo data on both databases


def test_demo_data_on_both_databases(sqlite_db, mysql_db, run_tis, engine, alias, opensearch_url):
    """Today's demo data: the same documents from SQLite and from MariaDB,
    each equal to what the rows say."""
    got = []
    for n, db in enumerate((sqlite_db, mysql_db)):
        assert_ok(run_tis("--db", db.url, "demo-data", "--persons", "1500", "--seed", "5"))
        assert_ok(run_tis("--db", db.url, "run", "PostEmployingBodyTrustJob", "PostTrainingBodyTrustJob",
                          "--today", TODAY))
        name = f"{alias}{n}"
        try:
            assert_ok(run_posts(run_tis, db, opensearch_url, name, env={"TIS_SYNC_ES_BULK_BYTES": "16384"}))
            got.append(assert_matches(engine, name, db))
        finally:
            for index in engine.indices(name):
                engine.req("DELETE", f"/{index}")
    assert got[0] == got[1] and len(got[0]) == 501
    assert any(len(d.get("fundingTypes", [])) > 1 for d in got[0].values())
    assert any("currentTraineeSurnames" in d for d in got[0].values())


# --------------------------------------------------------------------------
# the rebuild behind the alias, shared with the persons index


def test_legacy_concrete_posts_index_is_replaced_in_one_request(posts_db, run_tis, engine, alias, proxy):
    engine.ok("PUT", f"/{alias}", {"mappings": {"properties": {"id": {"type": "long"}}}})
    assert engine.req("PUT", f"/{alias}/_doc/999?refresh=true", {"id": 999})[0] == 201
    assert_ok(run_posts(run_tis, posts_db, proxy.url, alias))
    index, = engine.alias_targets(alias)
    actions = json.loads(proxy.requests("POST", "/_aliases")[0][2])["actions"]
    assert {"add": {"index": index, "alias": alias}} in actions
    assert {"remove_index": {"index": alias}} in actions
    assert_matches(engine, alias, posts_db)


def test_failure_deletes_the_new_index_and_keeps_the_alias(posts_db, run_tis, engine, alias, opensearch_url, proxy):
    assert_ok(run_posts(run_tis, posts_db, opensearch_url, alias))
    live, = engine.alias_targets(alias)
    posts_db.execute("DELETE FROM PostTrust")
    proxy.item_permanent_errors = 1
    cp = run_posts(run_tis, posts_db, proxy.url, alias, env={"TIS_SYNC_ES_RETRIES": "1"})
    assert cp.returncode == 1
    assert "Sync job [PostElasticSearchSyncJob] failed" in cp.stderr and "index: " in cp.stderr
    assert "deleted the unfinished index posts" not in cp.stderr  # the alias is ours: tp...
    assert engine.alias_targets(alias) == [live]
    assert [i for i in engine.indices(alias) if i != alias] == [live]
    assert proxy.requests("DELETE")
    # the next run completes and prunes nothing it should keep
    assert_ok(run_posts(run_tis, posts_db, opensearch_url, alias))
    assert_matches(engine, alias, posts_db)
