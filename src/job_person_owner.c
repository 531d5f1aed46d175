/* job_person_owner.c - PersonOwnerRebuildJob (SPEC 1.1).
 *
 * native: the rule as one set-based statement (sql/common/
 * person_owner_native.sql) fed to the diff engine, which writes only the
 * owners that changed, in one transaction.
 * procedure: CALL build_person_localoffice() inside one transaction, so
 * readers keep the old rows until it commits. `today` reaches the procedure
 * through the session timestamp, which UTC_DATE() and CURDATE() follow. */
#include "derived.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>

static const derived_table person_owner_table = {
    "PersonOwner", "person_owner_current", "id, owner, rule", INSERT_KEY_TEXTS};

static int run_native(job_ctx *ctx)
{
    db *source = job_connect(ctx, "connect");
    if (!source)
        return -1;
    db_param today = DBP_TEXT(ctx->today);
    db_rows *rows = db_query(source, sql_text(db_get_dialect(source), "person_owner_native"), &today, 1);
    int rc;
    if (!rows) {
        rc = job_fail(ctx, "compute owners", "%s", db_error(source));
    } else {
        group_reader reader;
        group_reader_init(&reader, source, rows);
        rc = derived_replace(ctx, &person_owner_table, group_reader_next, &reader);
        if (db_rows_close(rows) != 0 && rc == 0)
            rc = job_fail(ctx, "compute owners", "%s", db_error(source));
    }
    db_close(source);
    return rc;
}

static int call_procedure(job_ctx *ctx, db *conn)
{
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%s 12:00:00", ctx->today);
    db_param p = DBP_TEXT(stamp);
    if (db_exec(conn, "SET timestamp = UNIX_TIMESTAMP(?)", &p, 1) != 0)
        return job_fail(ctx, "set today", "%s", db_error(conn));
    if (db_begin(conn) != 0)
        return job_fail(ctx, "begin", "%s", db_error(conn));
    if (db_exec(conn, "CALL build_person_localoffice()", NULL, 0) != 0) {
        job_fail(ctx, "call build_person_localoffice()", "%s", db_error(conn));
        db_rollback(conn);
        return -1;
    }
    long long count = 0;
    if (db_query_int(conn, "SELECT COUNT(*) FROM PersonOwner", NULL, 0, &count) != 0) {
        job_fail(ctx, "count PersonOwner", "%s", db_error(conn));
        db_rollback(conn);
        return -1;
    }
    if (job_cancelled(ctx) || db_commit(conn) != 0) {
        if (!ctx->error.len)
            job_fail(ctx, "commit", "%s", db_error(conn));
        db_rollback(conn);
        return -1;
    }
    ctx->rows_written = count;
    ctx->records = count;
    atomic_store(&ctx->rows_done, count);
    return 0;
}

static int run_procedure(job_ctx *ctx)
{
    db *conn = job_connect(ctx, "connect");
    if (!conn)
        return -1;
    int rc = call_procedure(ctx, conn);
    db_close(conn);
    return rc;
}

int job_person_owner(job_ctx *ctx)
{
    if (cfg_owner_native(ctx->cfg))
        return run_native(ctx);
    return run_procedure(ctx);
}
