/* batch_update.c - the batched update engine (see batch_update.h). */
#include "batch_update.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    job_ctx *ctx;
    const batch_update *u;
    db *conn;           /* the writing connection */
    long long *ids;
    char **values;
    size_t n;
    strbuf sql;
} pending;

static void clear(pending *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->values[i]);
    p->n = 0;
}

/* One UPDATE for the pending ids whose value is VALUE; marks them done. */
static int update_value(pending *p, const char *value, bool *done, const char *stamp)
{
    sb_reset(&p->sql);
    sb_puts(&p->sql, job_sql(p->ctx, p->conn, p->u->update_sql));
    const char *sep = " (";
    for (size_t i = 0; i < p->n; i++) {
        if (!done[i] && strcmp(p->values[i], value) == 0) {
            sb_printf(&p->sql, "%s%lld", sep, p->ids[i]);
            sep = ",";
            done[i] = true;
        }
    }
    sb_putc(&p->sql, ')');
    db_param params[] = {DBP_TEXT(value), DBP_TEXT(stamp)};
    if (db_exec(p->conn, p->sql.data, params, p->u->stamp ? 2 : 1) != 0)
        return job_fail(p->ctx, "update", "%s: %s", p->u->table, db_error(p->conn));
    p->ctx->rows_written += db_changes(p->conn);
    return 0;
}

/* Commits the pending ids in one short transaction. */
static int flush(pending *p)
{
    if (p->n == 0)
        return 0;
    if (job_cancelled(p->ctx))
        return -1;
    if (db_begin(p->conn) != 0)
        return job_fail(p->ctx, "begin", "%s", db_error(p->conn));
    char stamp[32];
    utc_db_timestamp(stamp);
    bool *done = xcalloc(p->n, sizeof *done);
    long long written = p->ctx->rows_written;
    int rc = 0;
    for (size_t i = 0; i < p->n && rc == 0; i++)
        if (!done[i])
            rc = update_value(p, p->values[i], done, stamp);
    free(done);
    if (rc == 0 && job_fence(p->ctx, p->conn) != 0)
        rc = -1;
    if (rc == 0 && db_commit(p->conn) != 0)
        rc = job_fail(p->ctx, "commit", "%s: %s", p->u->table, db_error(p->conn));
    if (rc == 0)
        p->ctx->rows_committed = p->ctx->rows_written;
    if (rc == 0)
        log_debug("Sync [%s]: committed a batch of %zu %s rows (ids %lld to %lld), %lld written",
                  job_table[p->ctx->job].name, p->n, p->u->table, p->ids[0], p->ids[p->n - 1],
                  p->ctx->rows_written - written);
    if (rc != 0) {
        db_rollback(p->conn);
        p->ctx->rows_written = written;
    }
    clear(p);
    return rc;
}

static int add(pending *p, long long id, const char *value)
{
    p->ids[p->n] = id;
    p->values[p->n] = xstrdup(value ? value : "");
    p->n++;
    p->ctx->records++;
    atomic_fetch_add(&p->ctx->rows_done, 1);
    return p->n == p->u->batch_rows ? flush(p) : 0;
}

/* Streams the selection into batches. */
static int stream(pending *p, db *reader)
{
    db_rows *rows = db_query(reader, job_sql(p->ctx, reader, p->u->select_sql), p->u->params, p->u->nparams);
    if (!rows)
        return job_fail(p->ctx, "read", "%s: %s", p->u->table, db_error(reader));
    int state, rc = 0;
    while (rc == 0 && (state = db_rows_next(rows)) == 1)
        rc = add(p, db_col_int(rows, 0), db_col_text(rows, 1));
    if (rc == 0 && state < 0)
        rc = job_fail(p->ctx, "read", "%s: %s", p->u->table, db_error(reader));
    if (db_rows_close(rows) != 0 && rc == 0)
        rc = job_fail(p->ctx, "read", "%s: %s", p->u->table, db_error(reader));
    return rc == 0 ? flush(p) : rc;
}

int batch_update_run(job_ctx *ctx, const batch_update *u)
{
    pending p = {.ctx = ctx, .u = u};
    sb_init(&p.sql);
    p.ids = xmalloc(u->batch_rows * sizeof *p.ids);
    p.values = xmalloc(u->batch_rows * sizeof *p.values);
    db *reader = job_connect(ctx, "connect");
    p.conn = reader ? job_connect(ctx, "connect") : NULL;
    int rc = p.conn ? stream(&p, reader) : -1;
    clear(&p);
    free(p.ids);
    free(p.values);
    sb_free(&p.sql);
    db_close(p.conn);
    db_close(reader);
    return rc;
}
