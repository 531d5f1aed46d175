/* history.c - the run history table. Times are UTC, stored as
 * 'YYYY-MM-DD HH:MM:SS.mmm' (a DATETIME(3) on MariaDB, text on SQLite). */
#include "history.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* A fire time as stored in scheduled_for: 'YYYY-MM-DD HH:MM:SS' UTC; NULL
 * (no firing) for 0. */
static db_param firing_param(long long scheduled_for, char buf[32])
{
    if (scheduled_for <= 0)
        return DBP_NULL;
    utc_format_seconds(scheduled_for, buf);
    return DBP_TEXT(buf);
}

static long long parse_db_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || !strptime(s, "%Y-%m-%d %H:%M:%S", &tm))
        return 0;
    return (long long)timegm(&tm);
}

long long history_start(db *conn, const history_run *run, strbuf *err)
{
    char host[256] = "unknown", now[32], fire[32];
    gethostname(host, sizeof host - 1);
    utc_db_timestamp(now);
    db_param stale[] = {DBP_TEXT(RUN_STATUS_ABANDONED), DBP_TEXT(now), DBP_TEXT(run->job),
                        DBP_TEXT(RUN_STATUS_RUNNING)};
    db_param p[] = {DBP_TEXT(run->job),         DBP_TEXT(run->trigger),
                    DBP_TEXT(host),             DBP_INT(getpid()),
                    DBP_TEXT(run->today),       firing_param(run->scheduled_for, fire),
                    DBP_TEXT(now),              DBP_TEXT(RUN_STATUS_RUNNING),
                    DBP_TEXT(run->tcs_schema),  DBP_TEXT(run->argument)};
    long long id = -1;
    if (db_exec(conn,
                "UPDATE tis_sync_run SET status = ?, finished_at = ?, error = 'the process running it ended "
                "without recording an outcome' WHERE job = ? AND status = ?",
                stale, 4) != 0 ||
        db_exec(conn,
                "INSERT INTO tis_sync_run (job, trigger_kind, host, pid, today, scheduled_for, started_at, status, "
                "tcs_schema, argument) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                p, 10) != 0 ||
        db_query_int(conn, sql_text(db_get_dialect(conn), "last_insert_id"), NULL, 0, &id) != 0) {
        sb_printf(err, "cannot record the run in tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return id;
}

int history_finish(db *conn, long long id, const char *status, long long rows, const char *error, strbuf *err)
{
    char now[32];
    utc_db_timestamp(now);
    db_param p[] = {DBP_TEXT(now), DBP_TEXT(status), DBP_INT(rows), DBP_TEXT(error), DBP_INT(id)};
    if (db_exec(conn, "UPDATE tis_sync_run SET finished_at = ?, status = ?, rows_written = ?, error = ? WHERE id = ?",
                p, 5) != 0) {
        sb_printf(err, "cannot record the outcome in tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return 0;
}

int history_skipped(db *conn, const char *job, const char *trigger, const char *reason, long long scheduled_for,
                    strbuf *err)
{
    char host[256] = "unknown", now[32], fire[32];
    gethostname(host, sizeof host - 1);
    utc_db_timestamp(now);
    db_param p[] = {DBP_TEXT(job),         DBP_TEXT(trigger), DBP_TEXT(host),
                    DBP_INT(getpid()),     firing_param(scheduled_for, fire), DBP_TEXT(now),
                    DBP_TEXT(now),         DBP_TEXT(RUN_STATUS_SKIPPED), DBP_TEXT(reason)};
    if (db_exec(conn,
                "INSERT INTO tis_sync_run (job, trigger_kind, host, pid, scheduled_for, started_at, finished_at, "
                "status, rows_written, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                p, 9) != 0) {
        sb_printf(err, "cannot record the skipped run in tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return 0;
}

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

int history_print(db *conn, FILE *out, const char *job, int limit, strbuf *err)
{
    db_param p[] = {DBP_TEXT(job), DBP_TEXT(job), DBP_INT(limit)};
    db_rows *rows = db_query(conn,
                             "SELECT id, job, trigger_kind, tcs_schema, host, started_at, finished_at, status, "
                             "rows_written, error FROM tis_sync_run WHERE (? IS NULL OR job = ?) ORDER BY id DESC "
                             "LIMIT ?",
                             p, 3);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    static const char format[] = "%-6s %-38s %-8s %-6s %-16s %-23s %-23s %-10s %10s  %s\n";
    fprintf(out, format, "id", "job", "trigger", "schema", "host", "started (UTC)", "finished (UTC)", "status", "rows",
            "error");
    int rc;
    while ((rc = db_rows_next(rows)) == 1)
        fprintf(out, format, or_dash(db_col_text(rows, 0)), or_dash(db_col_text(rows, 1)),
                or_dash(db_col_text(rows, 2)), or_dash(db_col_text(rows, 3)), or_dash(db_col_text(rows, 4)),
                or_dash(db_col_text(rows, 5)), or_dash(db_col_text(rows, 6)), or_dash(db_col_text(rows, 7)),
                or_dash(db_col_text(rows, 8)), db_col_text(rows, 9) ? db_col_text(rows, 9) : "");
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return 0;
}

int history_last(db *conn, const char *job, char status[16], long long *started_epoch, long long *last_success_epoch,
                 strbuf *err)
{
    db_param p[] = {DBP_TEXT(job), DBP_TEXT(job)};
    db_rows *rows = db_query(conn,
                             "SELECT status, started_at, (SELECT MAX(started_at) FROM tis_sync_run s WHERE s.job = ? "
                             "AND s.status = 'succeeded') FROM tis_sync_run WHERE job = ? AND status IN "
                             "('succeeded', 'failed', 'abandoned', 'aborted') ORDER BY id DESC LIMIT 1",
                             p, 2);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    int rc = db_rows_next(rows);
    if (rc == 1) {
        snprintf(status, 16, "%s", or_dash(db_col_text(rows, 0)));
        *started_epoch = parse_db_time(db_col_text(rows, 1));
        *last_success_epoch = parse_db_time(db_col_text(rows, 2));
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return rc;
}

int history_firing_taken(db *conn, const char *job, long long scheduled_for, char who[300], strbuf *err)
{
    char fire[32];
    db_param p[] = {DBP_TEXT(job), firing_param(scheduled_for, fire)};
    db_rows *rows = db_query(conn,
                             "SELECT host, pid FROM tis_sync_run WHERE job = ? AND scheduled_for = ? AND status IN "
                             "('running', 'succeeded', 'failed') ORDER BY id LIMIT 1",
                             p, 2);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    int rc = db_rows_next(rows);
    if (rc == 1)
        snprintf(who, 300, "%s pid %s", or_dash(db_col_text(rows, 0)), or_dash(db_col_text(rows, 1)));
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return rc;
}
