/* db_sqlite.c - the SQLite driver of the database seam (the embedded
 * default). Connections use WAL so that a job's write transaction never
 * blocks readers and readers keep seeing the old rows until it commits. */
#include "db_driver.h"
#include "util.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    struct db base;
    sqlite3 *handle;
} sqlite_db;

typedef struct {
    struct db_rows base;
    sqlite3_stmt *stmt;
    int failed;
} sqlite_rows;

static sqlite_db *as_sqlite(db *conn)
{
    return (sqlite_db *)conn;
}

static void set_sqlite_error(db *conn)
{
    sqlite3 *h = as_sqlite(conn)->handle;
    db_set_error(conn, "%s", sqlite3_errmsg(h));
    int code = sqlite3_errcode(h) & 0xff;
    conn->conflict = code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

enum { BUSY_TIMEOUT_MS = 60000, WAL_RETRY_MS = 20 }; /* see db_set_lock_wait */

/* Switching a new database file to WAL needs it to itself, and SQLite
 * answers SQLITE_BUSY there without calling the busy handler (several
 * instances starting on a fresh file at once): retry for as long as the
 * busy timeout. */
static int set_wal(sqlite3 *handle, char **msg)
{
    int rc = SQLITE_BUSY;
    for (int waited = 0; waited <= BUSY_TIMEOUT_MS; waited += WAL_RETRY_MS) {
        sqlite3_free(*msg);
        *msg = NULL;
        rc = sqlite3_exec(handle, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, msg);
        if (rc != SQLITE_BUSY)
            break;
        struct timespec ts = {0, WAL_RETRY_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    return rc;
}

static db *sq_connect(const db_url *url, const db_options *opts, char **err)
{
    sqlite3 *handle = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (opts->create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(url->path, &handle, flags, NULL);
    if (rc != SQLITE_OK) {
        *err = xasprintf("cannot open SQLite database %s: %s", url->path,
                         handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
        sqlite3_close(handle);
        return NULL;
    }
    sqlite3_busy_timeout(handle, BUSY_TIMEOUT_MS);
    char *msg = NULL;
    if (set_wal(handle, &msg) != SQLITE_OK) {
        *err = xasprintf("cannot use SQLite database %s: %s", url->path, msg ? msg : "unknown error");
        sqlite3_free(msg);
        sqlite3_close(handle);
        return NULL;
    }
    sqlite_db *conn = xcalloc(1, sizeof *conn);
    conn->handle = handle;
    return &conn->base;
}

static void sq_set_lock_wait(db *conn, int ms)
{
    sqlite3_busy_timeout(as_sqlite(conn)->handle, ms);
}

static void sq_close(db *conn)
{
    sqlite3_close(as_sqlite(conn)->handle);
    free(conn);
}

static sqlite3_stmt *prepare_bound(db *conn, const char *sql, const db_param *params, size_t n)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(as_sqlite(conn)->handle, sql, -1, &stmt, NULL) != SQLITE_OK) {
        set_sqlite_error(conn);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        int idx = (int)i + 1, rc;
        switch (params[i].type) {
        case DBV_INT:
            rc = sqlite3_bind_int64(stmt, idx, params[i].i);
            break;
        case DBV_TEXT:
            rc = sqlite3_bind_text(stmt, idx, params[i].s, -1, SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(stmt, idx);
        }
        if (rc != SQLITE_OK && rc != SQLITE_RANGE) {
            set_sqlite_error(conn);
            sqlite3_finalize(stmt);
            return NULL;
        }
    }
    return stmt;
}

static int sq_exec(db *conn, const char *sql, const db_param *params, size_t n)
{
    sqlite3_stmt *stmt = prepare_bound(conn, sql, params, n);
    if (!stmt)
        return -1;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE)
        set_sqlite_error(conn);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int sq_exec_script(db *conn, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(as_sqlite(conn)->handle, sql, NULL, NULL, &msg) != SQLITE_OK) {
        db_set_error(conn, "%s", msg ? msg : "unknown error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static long long sq_changes(db *conn)
{
    return sqlite3_changes64(as_sqlite(conn)->handle);
}

static db_rows *sq_query(db *conn, const char *sql, const db_param *params, size_t n)
{
    sqlite3_stmt *stmt = prepare_bound(conn, sql, params, n);
    if (!stmt)
        return NULL;
    sqlite_rows *rows = xcalloc(1, sizeof *rows);
    rows->stmt = stmt;
    return &rows->base;
}

static int sq_next(db_rows *base)
{
    sqlite_rows *rows = (sqlite_rows *)base;
    int rc = sqlite3_step(rows->stmt);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    set_sqlite_error(base->conn);
    rows->failed = 1;
    return -1;
}

static int sq_columns(const db_rows *base)
{
    return sqlite3_column_count(((const sqlite_rows *)base)->stmt);
}

static bool sq_is_null(const db_rows *base, int col)
{
    return sqlite3_column_type(((const sqlite_rows *)base)->stmt, col) == SQLITE_NULL;
}

static const char *sq_text(const db_rows *base, int col)
{
    return (const char *)sqlite3_column_text(((const sqlite_rows *)base)->stmt, col);
}

static long long sq_integer(const db_rows *base, int col)
{
    return sqlite3_column_int64(((const sqlite_rows *)base)->stmt, col);
}

static int sq_rows_close(db_rows *base)
{
    sqlite_rows *rows = (sqlite_rows *)base;
    int failed = rows->failed;
    sqlite3_finalize(rows->stmt);
    free(rows);
    return failed ? -1 : 0;
}

const db_driver db_sqlite_driver = {
    .connect = sq_connect,
    .close = sq_close,
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .changes = sq_changes,
    .query = sq_query,
    .next = sq_next,
    .columns = sq_columns,
    .is_null = sq_is_null,
    .text = sq_text,
    .integer = sq_integer,
    .rows_close = sq_rows_close,
    .set_lock_wait = sq_set_lock_wait,
    .begin_sql = "BEGIN IMMEDIATE",
};
