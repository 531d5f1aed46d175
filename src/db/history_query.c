/* history_query.c - the read side of the run history for the operator
 * interface (see history_query.h). */
#include "history_query.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define RUN_COLUMNS                                                                                                 \
    "id, job, status, trigger_kind, started_by, instance, host, pid, started_at, finished_at, scheduled_for, "      \
    "rows_written, rows_done, rows_expected, today, argument, tcs_schema, cancel_requested_by, error"
enum { RUN_COLUMN_COUNT = 19 };

long long history_parse_ms(const char *text)
{
    struct tm tm = {0};
    int ms = 0;
    if (!text || sscanf(text, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                        &tm.tm_sec) != 6)
        return 0;
    const char *dot = strchr(text, '.');
    if (dot && strlen(dot + 1) >= 3)
        ms = (dot[1] - '0') * 100 + (dot[2] - '0') * 10 + (dot[3] - '0');
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm) * 1000 + ms;
}

void history_format_ms(long long ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static void copy_col(const db_rows *rows, int col, char *out, size_t size)
{
    const char *text = db_col_text(rows, col);
    snprintf(out, size, "%s", text ? text : "");
}

static long long int_or(const db_rows *rows, int col, long long fallback)
{
    return db_col_is_null(rows, col) ? fallback : db_col_int(rows, col);
}

/* Reads RUN_COLUMNS starting at column 0. */
static void read_run(const db_rows *rows, run_row *r)
{
    *r = (run_row){0};
    r->id = db_col_int(rows, 0);
    copy_col(rows, 1, r->job, sizeof r->job);
    copy_col(rows, 2, r->status, sizeof r->status);
    copy_col(rows, 3, r->trigger, sizeof r->trigger);
    copy_col(rows, 4, r->started_by, sizeof r->started_by);
    copy_col(rows, 5, r->instance, sizeof r->instance);
    copy_col(rows, 6, r->host, sizeof r->host);
    r->pid = int_or(rows, 7, 0);
    r->started_ms = history_parse_ms(db_col_text(rows, 8));
    r->finished_ms = history_parse_ms(db_col_text(rows, 9));
    r->scheduled_for_ms = history_parse_ms(db_col_text(rows, 10));
    r->has_rows_written = !db_col_is_null(rows, 11);
    r->rows_written = int_or(rows, 11, 0);
    r->rows_done = int_or(rows, 12, -1);
    r->rows_expected = int_or(rows, 13, -1);
    copy_col(rows, 14, r->today, sizeof r->today);
    copy_col(rows, 15, r->argument, sizeof r->argument);
    copy_col(rows, 16, r->tcs_schema, sizeof r->tcs_schema);
    copy_col(rows, 17, r->cancel_requested_by, sizeof r->cancel_requested_by);
    r->error = db_col_text(rows, 18) ? xstrdup(db_col_text(rows, 18)) : NULL;
}

void run_rows_free(run_row *rows, size_t n)
{
    for (size_t i = 0; i < n && rows; i++)
        free(rows[i].error);
    free(rows);
}

static int read_error(db *conn, strbuf *err)
{
    sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
    return -1;
}

/* Grows *ARR (of ELEM bytes each) to hold one more after *N; returns it. */
static void *push(void *arr_ptr, size_t *n, size_t *cap, size_t elem)
{
    void **arr = arr_ptr;
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        *arr = xrealloc(*arr, *cap * elem);
    }
    return (char *)*arr + (*n)++ * elem;
}

static int query_runs(db *conn, const char *sql, const db_param *p, size_t np, run_row **out, size_t *n, strbuf *err)
{
    *out = NULL;
    *n = 0;
    db_rows *rows = db_query(conn, sql, p, np);
    if (!rows)
        return read_error(conn, err);
    size_t cap = 0;
    int rc;
    while ((rc = db_rows_next(rows)) == 1)
        read_run(rows, push(out, n, &cap, sizeof **out));
    if (db_rows_close(rows) != 0 || rc < 0) {
        run_rows_free(*out, *n);
        *out = NULL;
        *n = 0;
        return read_error(conn, err);
    }
    return 0;
}

int history_query_runs(db *conn, const run_filter *f, run_row **out, size_t *n, strbuf *err)
{
    char since[32] = "";
    if (f->since_ms > 0) {
        history_format_ms(f->since_ms, since);
        since[10] = ' ';
        since[23] = '\0';
    }
    db_param p[] = {DBP_TEXT(f->job),    DBP_TEXT(f->job),    DBP_TEXT(f->status), DBP_TEXT(f->status),
                    DBP_TEXT(since[0] ? since : NULL), DBP_TEXT(since[0] ? since : NULL),
                    DBP_INT(f->before_id), DBP_INT(f->before_id), DBP_INT(f->limit)};
    return query_runs(conn,
                      "SELECT " RUN_COLUMNS " FROM tis_sync_run WHERE (? IS NULL OR job = ?) AND (? IS NULL OR "
                      "status = ?) AND (? IS NULL OR started_at >= ?) AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
                      p, 9, out, n, err);
}

int history_query_run(db *conn, long long id, run_row *out, strbuf *err)
{
    db_param p = DBP_INT(id);
    run_row *rows;
    size_t n;
    if (query_runs(conn, "SELECT " RUN_COLUMNS " FROM tis_sync_run WHERE id = ?", &p, 1, &rows, &n, err) != 0)
        return -1;
    if (n == 1) {
        *out = rows[0];
        free(rows);
        return 1;
    }
    run_rows_free(rows, n);
    return 0;
}

int history_query_active(db *conn, run_row **out, size_t *n, strbuf *err)
{
    return query_runs(conn,
                      "SELECT " RUN_COLUMNS " FROM tis_sync_run WHERE status IN ('queued', 'running') ORDER BY id",
                      NULL, 0, out, n, err);
}

int history_query_summaries(db *conn, job_summary **out, size_t *n, strbuf *err)
{
    *out = NULL;
    *n = 0;
    db_rows *rows = db_query(conn, sql_text(db_get_dialect(conn), "job_summaries"), NULL, 0);
    if (!rows)
        return read_error(conn, err);
    size_t cap = 0;
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        job_summary *s = push(out, n, &cap, sizeof **out);
        read_run(rows, &s->last);
        snprintf(s->job, sizeof s->job, "%s", s->last.job);
        s->last_success_ms = history_parse_ms(db_col_text(rows, RUN_COLUMN_COUNT));
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        for (size_t i = 0; i < *n; i++)
            free((*out)[i].last.error);
        free(*out);
        *out = NULL;
        *n = 0;
        return read_error(conn, err);
    }
    return 0;
}

int history_query_counts(db *conn, run_count **out, size_t *n, strbuf *err)
{
    *out = NULL;
    *n = 0;
    db_rows *rows = db_query(conn,
                             "SELECT job, status, COUNT(*) FROM tis_sync_run WHERE status NOT IN ('queued', "
                             "'running') GROUP BY job, status ORDER BY job, status",
                             NULL, 0);
    if (!rows)
        return read_error(conn, err);
    size_t cap = 0;
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        run_count *c = push(out, n, &cap, sizeof **out);
        copy_col(rows, 0, c->job, sizeof c->job);
        copy_col(rows, 1, c->status, sizeof c->status);
        c->count = db_col_int(rows, 2);
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return read_error(conn, err);
    }
    return 0;
}

int history_query_durations(db *conn, duration_histogram **out, size_t *n, strbuf *err)
{
    *out = NULL;
    *n = 0;
    db_rows *rows = db_query(conn, sql_text(db_get_dialect(conn), "run_durations"), NULL, 0);
    if (!rows)
        return read_error(conn, err);
    size_t cap = 0;
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        duration_histogram *h = push(out, n, &cap, sizeof **out);
        copy_col(rows, 0, h->job, sizeof h->job);
        h->count = db_col_int(rows, 1);
        const char *sum = db_col_text(rows, 2);
        h->sum = sum ? strtod(sum, NULL) : 0;
        for (int b = 0; b < HISTORY_BUCKET_COUNT; b++)
            h->le[b] = int_or(rows, 3 + b, 0);
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return read_error(conn, err);
    }
    return 0;
}

int history_query_log(db *conn, long long id, strbuf *out, strbuf *err)
{
    db_param p = DBP_INT(id);
    db_rows *rows =
        db_query(conn, "SELECT logged_at, level, line FROM tis_sync_run_log WHERE run_id = ? ORDER BY seq", &p, 1);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_run_log: %s", db_error(conn));
        return -1;
    }
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        char at[32];
        history_format_ms(history_parse_ms(db_col_text(rows, 0)), at);
        const char *level = db_col_text(rows, 1), *line = db_col_text(rows, 2);
        sb_printf(out, "%s %-5s %s\n", at, level ? level : "", line ? line : "");
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_run_log: %s", db_error(conn));
        return -1;
    }
    return 0;
}
