/* migrate.c - versioned migrations of the service's own tables, and the
 * development TCS schema. A migration is a file sql/<dialect>/migrations/
 * NNN_name.sql; its number is its position in the list below. Applied
 * versions are recorded in tis_sync_schema_version, so a second run changes
 * nothing. The TCS tables are created with IF NOT EXISTS and never altered:
 * in production they belong to TCS. */
#include "migrate.h"

#include <stdio.h>

static const char *const migrations[] = {
    "migrations/001_run_history",
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

int migrate_service_tables(db *conn, strbuf *err)
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

int migrate_tcs_schema(db *conn, strbuf *err)
{
    db_dialect dialect = db_get_dialect(conn);
    if (db_exec_script(conn, sql_text(dialect, "tcs_schema")) != 0) {
        sb_printf(err, "creating the TCS schema failed: %s", db_error(conn));
        return -1;
    }
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
