/* row_stream.h - one ordered result set on a connection of its own, read
 * row by row and merged with others by the key in its first column. The
 * search jobs read several such streams at once (the documents of one
 * person or post come from several tables): each holds its connection while
 * it streams (db.h), and none is read twice. */
#ifndef TIS_ROW_STREAM_H
#define TIS_ROW_STREAM_H

#include "jobs.h"

typedef struct {
    db *conn;
    db_rows *rows;
    int state; /* 1: a row is ready, 0: end, -1: error */
    const char *what;
} row_stream;

/* Connects (unless S already has a connection) and sends the query of the
 * SQL file NAME (job_sql); WHAT names it in messages. The database starts
 * on it at once (db_query_start): a job starts all its streams, then
 * reads their first rows with row_stream_first, so that the sorts some of
 * them need before a first row run side by side. 0, or -1 with the job's
 * error set. */
int row_stream_start(job_ctx *ctx, row_stream *s, const char *name, const char *what, const db_param *params,
                     size_t nparams);
/* Reads the first row of a started stream. 0, or -1 with the job's error
 * set. */
int row_stream_first(job_ctx *ctx, row_stream *s);
/* The next row: 1, 0 at the end, -1 on error. */
int row_stream_next(row_stream *s);
/* Skips the rows whose key is below KEY (rows of persons or posts that have
 * no document); true when a row of KEY is ready. */
bool row_stream_seek(row_stream *s, long long key);
/* Skips the remaining rows of KEY. */
void row_stream_skip(row_stream *s, long long key);
/* Sets the job's error from a failed stream; returns -1. */
int row_stream_error(job_ctx *ctx, const row_stream *s);
void row_stream_close(row_stream *s);

#endif
