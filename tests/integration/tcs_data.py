"""Test data shared by the integration tests: the acceptance data set of
SPEC section 3, and helpers that read the derived tables back."""

WEST_LONDON = "Health Education England North West London"
YORKSHIRE = "Health Education England Yorkshire and the Humber"
WESSEX = "Health Education England Wessex"

SPEC_POSTS = [  # id, employingBodyId, trainingBodyId, owner
    (1, 1411, 1411, None), (2, 1239, None, WEST_LONDON), (3, 1389, None, None),
    (4, 1901, 1901, YORKSHIRE), (5, 785, 785, WESSEX), (6, 329, 329, None),
    (7, 724, 724, None), (8, 1922, 1922, None), (9, 227, 227, None),
    (10, 287, 287, None),
]
SPEC_PLACEMENTS = [  # id, traineeId, postId, dateFrom, dateTo
    (1, 1, 1, "2018-03-05", "2019-03-04"), (2, 2, 2, "2019-03-05", "2020-03-04"),
    (3, 2, 3, "2018-02-07", "2018-07-31"), (4, 1, 4, "2020-03-05", "2021-03-04"),
    (5, 3, 5, "2018-02-07", "2018-07-31"),
]


def db_shape(db):
    """The TCS schema shape: "2026" when ProgrammeMembership has a uuid."""
    try:
        db.query("SELECT uuid FROM ProgrammeMembership WHERE 1 = 0")
        return "2026"
    except Exception:  # noqa: BLE001 - no such column (either driver's error)
        return "2019"


def placeholder(db):
    return "?" if db.kind == "sqlite" else "%s"


def insert_rows(db, table, columns, rows, zero_dates=False):
    """Inserts rows (tuples) into table in one connection (ZERO_DATES: with
    a MariaDB sql_mode that lets 0000-00-00 in, as some servers have)."""
    ph = ", ".join([placeholder(db)] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({ph})"
    con = db.connect()
    try:
        cur = con.cursor()
        if zero_dates and db.kind == "mysql":
            cur.execute("SET SESSION sql_mode = ''")
        for row in rows:
            cur.execute(sql, row)
        if db.kind == "sqlite":
            con.commit()
    finally:
        con.close()


def load_spec_data(db):
    """The SPEC section 3 acceptance data (the TCS schema must exist)."""
    insert_rows(db, "Post", ["id", "employingBodyId", "trainingBodyId", "owner"], SPEC_POSTS)
    insert_rows(db, "Person", ["id"], [(1,), (2,), (3,)])
    insert_rows(db, "Placement", ["id", "traineeId", "postId", "dateFrom", "dateTo"], SPEC_PLACEMENTS)


def pairs(db, table, key):
    """The (key, trustId) rows of a trust table, sorted, duplicates kept."""
    return sorted(tuple(r) for r in db.query(f"SELECT {key}, trustId FROM {table}"))


def owners(db):
    return sorted(tuple(r) for r in db.query("SELECT id, owner, rule FROM PersonOwner"))
