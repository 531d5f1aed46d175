/* derived.c - the sorted-diff replacement engine (see derived.h). */
#include "derived.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

enum { DELETE_BATCH = 5000, INSERT_BATCH = 2000, CANCEL_CHECK_EVERY = 4096 };

void drow_group_clear(drow_group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->rows[i].a);
        free(g->rows[i].b);
    }
    g->n = 0;
}

void drow_group_free(drow_group *g)
{
    drow_group_clear(g);
    free(g->rows);
    memset(g, 0, sizeof *g);
}

void drow_group_add(drow_group *g, long long k2, const char *a, const char *b, long long rowid)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 8;
        g->rows = xrealloc(g->rows, g->cap * sizeof *g->rows);
    }
    g->rows[g->n++] = (drow){k2, a ? xstrdup(a) : NULL, b ? xstrdup(b) : NULL, rowid};
}

void group_reader_init(group_reader *r, db *conn, db_rows *rows)
{
    r->conn = conn;
    r->rows = rows;
    r->state = db_rows_next(rows);
}

int group_reader_next(void *reader, job_ctx *ctx, drow_group *out)
{
    group_reader *r = reader;
    drow_group_clear(out);
    if (r->state <= 0) {
        if (r->state < 0)
            return job_fail(ctx, "read", "%s", db_error(r->conn));
        return 0;
    }
    out->k1 = db_col_int(r->rows, 0);
    while (r->state == 1 && db_col_int(r->rows, 0) == out->k1) {
        drow_group_add(out, db_col_int(r->rows, 1), db_col_text(r->rows, 2), db_col_text(r->rows, 3),
                       db_col_int(r->rows, 4));
        r->state = db_rows_next(r->rows);
    }
    if (r->state < 0)
        return job_fail(ctx, "read", "%s", db_error(r->conn));
    return 1;
}

/* Pending writes of one replacement, flushed in batches. */
typedef struct {
    job_ctx *ctx;
    const derived_table *table;
    db *conn;
    long long deletes[DELETE_BATCH];
    size_t ndeletes;
    drow_group inserts; /* k1 kept in rowid */
    strbuf sql;
} writer;

static int flush_deletes(writer *w)
{
    if (w->ndeletes == 0)
        return 0;
    sb_reset(&w->sql);
    sb_printf(&w->sql, "DELETE FROM %s WHERE id IN (", w->table->table);
    for (size_t i = 0; i < w->ndeletes; i++)
        sb_printf(&w->sql, "%s%lld", i ? "," : "", w->deletes[i]);
    sb_putc(&w->sql, ')');
    w->ctx->rows_written += (long long)w->ndeletes;
    w->ndeletes = 0;
    if (db_exec(w->conn, w->sql.data, NULL, 0) != 0)
        return job_fail(w->ctx, "delete", "%s: %s", w->table->table, db_error(w->conn));
    return 0;
}

static int flush_inserts(writer *w)
{
    if (w->inserts.n == 0)
        return 0;
    /* An owner change is a delete and an insert of the same id: deletes go
     * first so that the unique key never sees both rows. */
    if (flush_deletes(w) != 0)
        return -1;
    bool pair = w->table->shape == INSERT_KEY_PAIR;
    size_t per_row = pair ? 2 : 3;
    db_param *params = xmalloc(w->inserts.n * per_row * sizeof *params);
    sb_reset(&w->sql);
    sb_printf(&w->sql, "INSERT INTO %s (%s) VALUES ", w->table->table, w->table->insert_columns);
    for (size_t i = 0; i < w->inserts.n; i++) {
        const drow *r = &w->inserts.rows[i];
        db_param *p = params + i * per_row;
        p[0] = DBP_INT(r->rowid);
        if (pair) {
            p[1] = DBP_INT(r->k2);
        } else {
            p[1] = DBP_TEXT(r->a);
            p[2] = DBP_TEXT(r->b);
        }
        sb_puts(&w->sql, i ? (pair ? ",(?,?)" : ",(?,?,?)") : (pair ? "(?,?)" : "(?,?,?)"));
    }
    if (w->table->upsert_sql) {
        sb_putc(&w->sql, ' ');
        sb_puts(&w->sql, sql_text(db_get_dialect(w->conn), w->table->upsert_sql));
    }
    int rc = db_exec(w->conn, w->sql.data, params, w->inserts.n * per_row);
    free(params);
    w->ctx->rows_written += (long long)w->inserts.n;
    drow_group_clear(&w->inserts);
    if (rc != 0)
        return job_fail(w->ctx, "insert", "%s: %s", w->table->table, db_error(w->conn));
    return 0;
}

static int queue_delete(writer *w, long long rowid)
{
    w->deletes[w->ndeletes++] = rowid;
    return w->ndeletes == DELETE_BATCH ? flush_deletes(w) : 0;
}

static int queue_insert(writer *w, long long k1, const drow *r)
{
    drow_group_add(&w->inserts, r->k2, r->a, r->b, k1);
    return w->inserts.n == INSERT_BATCH ? flush_inserts(w) : 0;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_row(const drow *x, const drow *y)
{
    return x->k2 == y->k2 && same_text(x->a, y->a) && same_text(x->b, y->b);
}

/* Diffs one key's existing rows against its wanted rows. Groups are a few
 * rows (one person's trusts), so the quadratic match is the cheap one. The
 * group's deletes are queued before its inserts, so that a batch flushed in
 * between never inserts a row whose old twin (same unique id) still exists. */
static int diff_group(writer *w, const drow_group *have, const drow_group *want)
{
    size_t nhave = have ? have->n : 0, nwant = want ? want->n : 0;
    bool *have_used = xcalloc(nhave + 1, sizeof *have_used);
    bool *want_met = xcalloc(nwant + 1, sizeof *want_met);
    for (size_t i = 0; i < nwant; i++)
        for (size_t j = 0; j < nhave && !want_met[i]; j++)
            if (!have_used[j] && same_row(&have->rows[j], &want->rows[i]))
                have_used[j] = want_met[i] = true;
    int rc = 0;
    for (size_t j = 0; j < nhave && rc == 0; j++)
        if (!have_used[j])
            rc = queue_delete(w, have->rows[j].rowid);
    for (size_t i = 0; i < nwant && rc == 0; i++)
        if (!want_met[i])
            rc = queue_insert(w, want->k1, &want->rows[i]);
    free(have_used);
    free(want_met);
    return rc;
}

/* The merge of the existing and the wanted group streams. */
static int merge_streams(writer *w, group_reader *existing, group_producer produce, void *state)
{
    job_ctx *ctx = w->ctx;
    drow_group have = {0}, want = {0};
    int hs = group_reader_next(existing, ctx, &have);
    int ws = hs < 0 ? -1 : produce(state, ctx, &want);
    long long groups = 0;
    int rc = 0;
    while (rc == 0 && hs >= 0 && ws >= 0 && (hs > 0 || ws > 0)) {
        if (ws == 0 || (hs > 0 && have.k1 < want.k1)) {
            rc = diff_group(w, &have, NULL);
            hs = rc ? hs : group_reader_next(existing, ctx, &have);
        } else if (hs == 0 || want.k1 < have.k1) {
            ctx->records += (long long)want.n;
            rc = diff_group(w, NULL, &want);
            atomic_fetch_add(&ctx->rows_done, 1);
            ws = rc ? ws : produce(state, ctx, &want);
        } else {
            ctx->records += (long long)want.n;
            rc = diff_group(w, &have, &want);
            atomic_fetch_add(&ctx->rows_done, 1);
            hs = rc ? hs : group_reader_next(existing, ctx, &have);
            ws = rc || hs < 0 ? ws : produce(state, ctx, &want);
        }
        if (++groups % CANCEL_CHECK_EVERY == 0 && job_cancelled(ctx))
            rc = -1;
    }
    drow_group_free(&have);
    drow_group_free(&want);
    return rc == 0 && hs >= 0 && ws >= 0 ? 0 : -1;
}

static int replace_in_transaction(writer *w, db *reader, group_producer produce, void *state)
{
    job_ctx *ctx = w->ctx;
    db_rows *rows = db_query(reader, sql_text(db_get_dialect(reader), w->table->existing_sql), NULL, 0);
    if (!rows)
        return job_fail(ctx, "read current rows", "%s: %s", w->table->table, db_error(reader));
    group_reader existing;
    group_reader_init(&existing, reader, rows);
    debug_pause(ctx, CFG_TEST_PAUSE_BEFORE_WRITE, w->table->table);
    int rc = merge_streams(w, &existing, produce, state);
    if (db_rows_close(rows) != 0 && rc == 0)
        rc = job_fail(ctx, "read current rows", "%s: %s", w->table->table, db_error(reader));
    if (rc == 0)
        rc = flush_inserts(w);
    if (rc == 0)
        rc = flush_deletes(w);
    if (rc == 0) {
        debug_pause(ctx, CFG_TEST_PAUSE_BEFORE_COMMIT, w->table->table);
        if (job_cancelled(ctx) || job_fence(ctx, w->conn) != 0)
            rc = -1;
    }
    if (rc == 0 && db_commit(w->conn) != 0)
        rc = job_fail(ctx, "commit", "%s: %s", w->table->table, db_error(w->conn));
    return rc;
}

int derived_replace(job_ctx *ctx, const derived_table *table, group_producer produce, void *state)
{
    writer w = {.ctx = ctx, .table = table};
    sb_init(&w.sql);
    db *reader = job_connect(ctx, "connect");
    w.conn = reader ? job_connect(ctx, "connect") : NULL;
    int rc = -1;
    if (w.conn && db_begin(w.conn) != 0)
        job_fail(ctx, "begin", "%s", db_error(w.conn));
    else if (w.conn) {
        rc = replace_in_transaction(&w, reader, produce, state);
        if (rc != 0)
            db_rollback(w.conn);
    }
    drow_group_free(&w.inserts);
    sb_free(&w.sql);
    db_close(w.conn);
    db_close(reader);
    return rc;
}
