/* row_stream.c - ordered streams merged by key (see row_stream.h). */
#include "row_stream.h"

#include <string.h>

int row_stream_start(job_ctx *ctx, row_stream *s, const char *name, const char *what, const db_param *params,
                     size_t nparams)
{
    s->what = what;
    if (!s->conn && !(s->conn = job_connect(ctx, "connect")))
        return -1;
    s->rows = db_query_start(s->conn, job_sql(ctx, s->conn, name), params, nparams);
    if (!s->rows)
        return job_fail(ctx, "read", "%s: %s", what, db_error(s->conn));
    return 0;
}

int row_stream_first(job_ctx *ctx, row_stream *s)
{
    return row_stream_next(s) < 0 ? row_stream_error(ctx, s) : 0;
}

int row_stream_next(row_stream *s)
{
    s->state = db_rows_next(s->rows);
    return s->state;
}

bool row_stream_seek(row_stream *s, long long key)
{
    while (s->state == 1 && db_col_int(s->rows, 0) < key)
        row_stream_next(s);
    return s->state == 1 && db_col_int(s->rows, 0) == key;
}

void row_stream_skip(row_stream *s, long long key)
{
    while (s->state == 1 && db_col_int(s->rows, 0) == key)
        row_stream_next(s);
}

int row_stream_error(job_ctx *ctx, const row_stream *s)
{
    return job_fail(ctx, "read", "%s: %s", s->what, db_error(s->conn));
}

void row_stream_close(row_stream *s)
{
    if (s->rows)
        db_rows_close(s->rows);
    db_close(s->conn);
    memset(s, 0, sizeof *s);
}
