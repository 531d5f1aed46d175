/* tcs_schema.c - the TCS schema shapes and the development schema (see
 * tcs_schema.h). The development schema is created with IF NOT EXISTS and
 * never altered: in production these tables belong to TCS. */
#include "tcs_schema.h"

#include <stdio.h>
#include <string.h>

tcs_shape tcs_shape_detect(db *conn, strbuf *err)
{
    long long found = 0;
    if (db_query_int(conn, sql_text(db_get_dialect(conn), "tcs_shape"), NULL, 0, &found) < 0) {
        sb_printf(err, "cannot tell the TCS schema shape: %s", db_error(conn));
        return TCS_SHAPE_UNKNOWN;
    }
    return found == TCS_SHAPE_2026 ? TCS_SHAPE_2026 : found == TCS_SHAPE_2019 ? TCS_SHAPE_2019 : TCS_SHAPE_UNKNOWN;
}

const char *tcs_shape_name(tcs_shape shape)
{
    return shape == TCS_SHAPE_2026 ? "2026" : shape == TCS_SHAPE_2019 ? "2019" : "unknown";
}

const char *tcs_sql_text(db_dialect dialect, tcs_shape shape, const char *name)
{
    if (shape == TCS_SHAPE_2026) {
        char variant[128];
        snprintf(variant, sizeof variant, "%s_2026", name);
        const char *text = sql_text_find(dialect, variant);
        if (text)
            return text;
    }
    return sql_text(dialect, name);
}

/* A query that fails when the table or column does not exist, on either
 * database, without reading a row. */
static bool exists(db *conn, const char *requirement)
{
    const char *dot = strchr(requirement, '.');
    char *sql = dot ? xasprintf("SELECT %s FROM %.*s WHERE 1 = 0", dot + 1, (int)(dot - requirement), requirement)
                    : xasprintf("SELECT COUNT(*) FROM %s WHERE 1 = 0", requirement);
    long long ignored;
    bool ok = db_query_int(conn, sql, NULL, 0, &ignored) >= 0;
    free(sql);
    return ok;
}

int tcs_check_requirements(db *conn, const char *const *requirements, strbuf *missing)
{
    for (size_t i = 0; requirements && requirements[i]; i++) {
        if (!exists(conn, requirements[i])) {
            sb_printf(missing, "%s %s does not exist", strchr(requirements[i], '.') ? "column" : "table",
                      requirements[i]);
            return -1;
        }
    }
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

static int create_procedure(db *conn, tcs_shape shape, strbuf *err)
{
    int exists_already = procedure_exists(conn, err);
    if (exists_already != 0)
        return exists_already < 0 ? -1 : 0;
    if (db_exec(conn, tcs_sql_text(DB_MYSQL, shape, "build_person_localoffice"), NULL, 0) != 0) {
        sb_printf(err, "creating build_person_localoffice() failed: %s", db_error(conn));
        return -1;
    }
    return 0;
}

int tcs_create_dev_schema(db *conn, tcs_shape shape, strbuf *err)
{
    db_dialect dialect = db_get_dialect(conn);
    bool fresh = !tcs_has_person_table(conn);
    strbuf ignored;
    sb_init(&ignored);
    tcs_shape found = fresh ? TCS_SHAPE_UNKNOWN : tcs_shape_detect(conn, &ignored);
    sb_free(&ignored);
    if (found != TCS_SHAPE_UNKNOWN && found != shape) {
        sb_printf(err, "this database already has the %s TCS schema; it is never altered (use --schema %s, or an "
                       "empty database)", tcs_shape_name(found), tcs_shape_name(found));
        return -1;
    }
    /* The tables both shapes share, then those of the shape. */
    if (db_exec_script(conn, sql_text(dialect, "tcs_schema")) != 0 ||
        db_exec_script(conn, sql_text(dialect, shape == TCS_SHAPE_2026 ? "tcs_schema_2026" : "tcs_schema_2019")) !=
            0) {
        sb_printf(err, "creating the TCS schema failed: %s", db_error(conn));
        return -1;
    }
    if (fresh && mark_dev_schema(conn, err) != 0)
        return -1;
    return dialect == DB_MYSQL ? create_procedure(conn, shape, err) : 0;
}

bool tcs_has_person_table(db *conn)
{
    return exists(conn, "Person");
}

bool tcs_is_dev_schema(db *conn)
{
    return exists(conn, "tis_sync_dev_schema");
}
