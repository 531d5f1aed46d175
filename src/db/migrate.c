/* migrate.c - versioned migrations of the service's own tables. A
 * migration is a file sql/<dialect>/migrations/NNN_name.sql; its number is
 * its position in the list below. Applied versions are recorded in
 * tis_sync_schema_version, so a second run changes nothing. (The TCS tables
 * belong to TCS; the development copy of them is tcs_schema.c's.) */
#include "migrate.h"
#include "lock.h"

#include <stdio.h>

static const char *const migrations[] = {
    "migrations/001_run_history",
    "migrations/002_scheduled_for",
    "migrations/003_schema_and_argument",
    "migrations/004_operator",
    "migrations/005_instances",
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

/* True when every migration is applied and the lease table exists: the
 * usual start, which then writes nothing (on SQLite a write would wait for
 * any job's open transaction). */
static bool up_to_date(db *conn)
{
    long long current = 0, leases = 0;
    return db_query_int(conn, "SELECT COALESCE(MAX(version), 0) FROM tis_sync_schema_version", NULL, 0, &current) ==
               0 &&
           current >= (long long)(sizeof migrations / sizeof migrations[0]) &&
           db_query_int(conn, "SELECT COUNT(*) FROM tis_sync_lease", NULL, 0, &leases) == 0;
}

int migrate_service_tables(const config *cfg, db *conn, strbuf *err)
{
    enum { MIGRATE_LOCK_WAIT_S = 120 };
    job_lock *lock = NULL;
    if (up_to_date(conn))
        return 0;
    if (lock_prepare(conn, err) != 0)
        return -1;
    int got = lock_acquire(cfg, "migrate", MIGRATE_LOCK_WAIT_S, NULL, &lock, err);
    if (got == 0)
        sb_printf(err, "another instance held the migration lock for %d s", MIGRATE_LOCK_WAIT_S);
    int rc = got == 1 ? apply_pending(conn, err) : -1;
    lock_release(lock);
    return rc;
}
