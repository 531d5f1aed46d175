/* history_query.h - the run history as the operator interface reads it:
 * runs by filter with keyset paging, one run, a run's log, the runs still
 * going, and per-job aggregates for the metrics. Every instance on the
 * database reads the same rows. */
#ifndef TIS_HISTORY_QUERY_H
#define TIS_HISTORY_QUERY_H

#include "db.h"
#include "util.h"

/* One row of tis_sync_run. Times are epoch milliseconds (0: none). */
typedef struct {
    long long id;
    char job[65];
    char status[16];
    char trigger[16];
    char started_by[129];
    char instance[300];
    char host[256];
    long long pid;
    long long started_ms, finished_ms, scheduled_for_ms;
    bool has_rows_written;
    long long rows_written;
    long long rows_done, rows_expected; /* -1: unknown */
    char today[11];
    char argument[33];
    char tcs_schema[9];
    char cancel_requested_by[129];
    char *error; /* NULL: none */
} run_row;

void run_rows_free(run_row *rows, size_t n);

typedef struct {
    const char *job;       /* NULL: every job */
    const char *status;    /* NULL: every status */
    long long since_ms;    /* started at or after; 0: any time */
    long long before_id;   /* keyset cursor: only ids below; 0: from the newest */
    int limit;
} run_filter;

/* The runs matching F, newest first. 0 or -1 (*err). */
int history_query_runs(db *conn, const run_filter *f, run_row **out, size_t *n, strbuf *err);
/* Run ID: 1 found, 0 none, -1 error. */
int history_query_run(db *conn, long long id, run_row *out, strbuf *err);
/* The runs still queued or running, oldest first. */
int history_query_active(db *conn, run_row **out, size_t *n, strbuf *err);
/* The newest run of each job that ended (succeeded, failed, cancelled,
 * aborted or abandoned) and each job's last success (epoch ms). */
typedef struct {
    char job[65];
    run_row last;            /* last.id == 0: none */
    long long last_success_ms;
} job_summary;
int history_query_summaries(db *conn, job_summary **out, size_t *n, strbuf *err);

/* Per job and status, the number of runs (tis_sync_job_runs_total). */
typedef struct {
    char job[65];
    char status[16];
    long long count;
} run_count;
int history_query_counts(db *conn, run_count **out, size_t *n, strbuf *err);

/* Per job, the durations of its runs that ran (succeeded, failed,
 * cancelled, aborted) in the buckets HISTORY_DURATION_BUCKETS. */
#define HISTORY_DURATION_BUCKETS {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}
enum { HISTORY_BUCKET_COUNT = 13 };
typedef struct {
    char job[65];
    long long le[HISTORY_BUCKET_COUNT]; /* cumulative: runs of at most that many seconds */
    long long count;
    double sum;
} duration_histogram;
int history_query_durations(db *conn, duration_histogram **out, size_t *n, strbuf *err);

/* Writes run ID's log to OUT, one "time level text" line each, oldest
 * first. 0, or -1 (*err). */
int history_query_log(db *conn, long long id, strbuf *out, strbuf *err);

/* 'YYYY-MM-DD HH:MM:SS[.mmm]' (UTC) as epoch milliseconds; 0 for NULL or
 * anything else. */
long long history_parse_ms(const char *text);
/* Epoch milliseconds as 'YYYY-MM-DDTHH:MM:SS.mmmZ'. */
void history_format_ms(long long ms, char out[32]);

#endif
