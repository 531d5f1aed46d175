"""Sanity checks of the test infrastructure itself (no tis-sync binary needed)."""

import os

import pytest

NAME = "Siân Zoë"


def test_mysql_fixture_roundtrip_utf8(mysql_db):
    """mysql_db: fresh database, utf8mb4 round trip, URLs point at it."""
    assert mysql_db.kind == "mysql"
    assert mysql_db.url.startswith("mysql://tis:tis-test-pw@127.0.0.1:")
    assert mysql_db.url.endswith("/" + mysql_db.name)
    assert mysql_db.query("SELECT DATABASE()") == [(mysql_db.name,)]
    assert mysql_db.query("SHOW TABLES") == []

    mysql_db.execute("CREATE TABLE person (id INT PRIMARY KEY, name VARCHAR(100)) "
                     "CHARACTER SET utf8mb4")
    mysql_db.execute("INSERT INTO person VALUES (%s, %s)", (1, NAME))
    assert mysql_db.query("SELECT id, name FROM person") == [(1, NAME)]
    # the bytes stored are UTF-8 (not double encoded / latin1)
    assert mysql_db.query("SELECT HEX(name) FROM person") == [(NAME.encode().hex().upper(),)]

    # a second, independent connection sees the committed row
    con = mysql_db.connect()
    try:
        with con.cursor() as cur:
            cur.execute("SELECT name FROM person WHERE id = 1")
            assert cur.fetchall() == ((NAME,),)
    finally:
        con.close()


def test_mysql_socket_url_as_root(mysql_db):
    """The socket URL names a working root@localhost unix_socket login."""
    if not mysql_db.socket_url:
        pytest.skip("TIS_SYNC_TEST_MYSQL_SOCKET not set")
    import pymysql

    sock = mysql_db.socket_url.split("?socket=", 1)[1]
    assert mysql_db.socket_url == f"mysql://root@localhost/{mysql_db.name}?socket={sock}"
    con = pymysql.connect(unix_socket=sock, user="root", database=mysql_db.name,
                          charset="utf8mb4", autocommit=True)
    try:
        with con.cursor() as cur:
            cur.execute("SELECT CURRENT_USER(), DATABASE()")
            assert cur.fetchone() == ("root@localhost", mysql_db.name)
    finally:
        con.close()


def test_sqlite_fixture_roundtrip_utf8(sqlite_db):
    """sqlite_db: file under tmp, utf8 round trip."""
    assert sqlite_db.kind == "sqlite"
    assert sqlite_db.url == "sqlite:" + sqlite_db.path
    assert sqlite_db.path.endswith("/tis.db")
    sqlite_db.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)")
    sqlite_db.execute("INSERT INTO person VALUES (?, ?)", (1, NAME))
    assert sqlite_db.query("SELECT id, name FROM person") == [(1, NAME)]
    assert os.path.getsize(sqlite_db.path) > 0


def test_db_fixture_both_backends(db):
    """db: runs once per backend with the same interface."""
    assert db.kind in ("sqlite", "mysql")
    ph = "?" if db.kind == "sqlite" else "%s"
    db.execute("CREATE TABLE t (k VARCHAR(20) PRIMARY KEY, v VARCHAR(100))")
    db.execute(f"INSERT INTO t VALUES ({ph}, {ph})", ("a", NAME))
    assert db.query(f"SELECT v FROM t WHERE k = {ph}", ("a",)) == [(NAME,)]


def test_clean_env_strips_caller_variables(monkeypatch, tmp_path):
    """run_tis's base env drops the caller's TIS_SYNC_*/DB*/ES_URLS/LOG_* vars."""
    from conftest import clean_env

    for k in ("TIS_SYNC_FOO", "DB_URL", "DBX", "ES_URLS", "LOG_LEVEL"):
        monkeypatch.setenv(k, "x")
    monkeypatch.setenv("KEEP_ME", "1")
    env = clean_env({"DB_URL": "sqlite:/x", "KEEP_ME": None}, log_dir=tmp_path)
    assert env["DB_URL"] == "sqlite:/x"
    assert env["LOG_DIR"] == str(tmp_path)
    for k in ("TIS_SYNC_FOO", "DBX", "ES_URLS", "LOG_LEVEL", "KEEP_ME"):
        assert k not in env
    assert "PATH" in env
