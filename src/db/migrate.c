/* migrate.c - versioned migrations of the service's own tables, and the
 * development TCS schema. A migration is a file sql/<dialect>/migrations/
 * NNN_name.sql; its number is its position in the list below. Applied
 * versions are recorded in tis_sync_schema_version, so a second run changes
 * nothing. The TCS tables are created with IF NOT EXISTS and never altered:
 * in production they belong to TCS. */
#include "migrate.h"
#include "lock.h"

#include <stdio.h>

static const char *const migrations[] = {
    "migrations/001_run_history",
    "migrations/002_scheduled_for",
};

static int apply_migration(db *conn, int version, const char *name, strbuf *err)
{
    if (db_exec_script(conn, sql_text(db_get_dialect(conn), name)) != 0) {
        sb_printf(err, "migration %s failed: %s", name, db_error(conn));
        return -1;
    }
    char stamp[32];
    utc_timestamp(stamp);
    db_param p[] = {DBP_INT(version), DBP_TEXT(stamp)};
    if (db_exec(conn, "INSERT INTO tis_sync_schema_version (version, applied_at) VALUES (?, ?)", p, 2) != 0) {
        sb_printf(err, "recording migration %s failed: %s", name, db_error(conn));
        return -1;
    }
    return 0;
}

static int apply_pending(db *conn, strbuf *err)
{
    if (db_exec(conn, sql_text(db_get_dialect(conn), "schema_version_create"), NULL, 0) != 0) {
        sb_printf(err, "cannot create tis_sync_schema_version: %s", db_error(conn));
        return -1;
    }
    long long current = 0;
    if (db_query_int(conn, "SELECT COALESCE(MAX(version), 0) FROM tis_sync_schema_version", NULL, 0, &current) <
        0) {
        sb_printf(err, "cannot read tis_sync_schema_version: %s", db_error(conn));
        return -1;
    }
    size_t count = sizeof migrations / sizeof migrations[0];
    for (size_t i = current > 0 ? (size_t)current : 0; i < count; i++)
        if (apply_migration(conn, (int)i + 1, migrations[i], err) != 0)
            return -1;
    return 0;
}

int migrate_service_tables(const config *cfg, db *conn, strbuf *err)
{
    enum { MIGRATE_LOCK_WAIT_S = 120 };
    job_lock *lock = NULL;
    int got = lock_acquire(cfg, "migrate", MIGRATE_LOCK_WAIT_S, NULL, &lock, err);
    if (got == 0)
        sb_printf(err, "another instance held the migration lock for %d s", MIGRATE_LOCK_WAIT_S);
    int rc = got == 1 ? apply_pending(conn, err) : -1;
    lock_release(lock);
    return rc;
}

/* True if the procedure exists in the current database. */
static int procedure_exists(db *conn, strbuf *err)
{
    long long n = 0;
    if (db_query_int(conn,
                     "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() "
                     "AND ROUTINE_NAME = 'build_person_localoffice'",
                     NULL, 0, &n) < 0) {
        sb_printf(err, "cannot look up build_person_localoffice: %s", db_error(conn));
        return -1;
    }
    return n > 0;
}

static bool table_exists(db *conn, const char *table)
{
    char *sql = xasprintf("SELECT COUNT(*) FROM %s WHERE 1 = 0", table);
    long long n;
    bool exists = db_query_int(conn, sql, NULL, 0, &n) == 0;
    free(sql);
    return exists;
}

static int mark_dev_schema(db *conn, strbuf *err)
{
    char stamp[32];
    utc_timestamp(stamp);
    db_param p = DBP_TEXT(stamp);
    if (db_exec(conn, sql_text(db_get_dialect(conn), "dev_schema_marker"), NULL, 0) != 0 ||
        db_exec(conn, "INSERT INTO tis_sync_dev_schema (created_at) VALUES (?)", &p, 1) != 0) {
        sb_printf(err, "marking the development schema failed: %s", db_error(conn));
        return -1;
    }
    return 0;
}

int migrate_tcs_schema(db *conn, strbuf *err)
{
    db_dialect dialect = db_get_dialect(conn);
    bool fresh = !table_exists(conn, "Person");
    if (db_exec_script(conn, sql_text(dialect, "tcs_schema")) != 0) {
        sb_printf(err, "creating the TCS schema failed: %s", db_error(conn));
        return -1;
    }
    if (fresh && mark_dev_schema(conn, err) != 0)
        return -1;
    if (dialect != DB_MYSQL)
        return 0;
    int exists = procedure_exists(conn, err);
    if (exists != 0)
        return exists < 0 ? -1 : 0;
    if (db_exec(conn, sql_text(dialect, "build_person_localoffice"), NULL, 0) != 0) {
        sb_printf(err, "creating build_person_localoffice() failed: %s", db_error(conn));
        return -1;
    }
    return 0;
}

bool migrate_is_dev_schema(db *conn)
{
    return table_exists(conn, "tis_sync_dev_schema");
}
