/* history.c - the run history table. Times are UTC, stored as
 * 'YYYY-MM-DD HH:MM:SS.mmm' (a DATETIME(3) on MariaDB, text on SQLite). */
#include "history.h"
#include "lock.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
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

/* This host's name and this process's instance name, read once
 * (globals: a process has one of each). */
static char host_buffer[256] = "unknown";
static char instance_buffer[300];
static char process_started[32]; /* when the names were first read: at start-up */
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void read_names(void)
{
    if (gethostname(host_buffer, sizeof host_buffer - 1) != 0)
        snprintf(host_buffer, sizeof host_buffer, "unknown");
    snprintf(instance_buffer, sizeof instance_buffer, "%s:%d", host_buffer, (int)getpid());
    utc_db_timestamp(process_started);
}

static const char *host_name(void)
{
    pthread_once(&names_once, read_names);
    return host_buffer;
}

static long long parse_db_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || !strptime(s, "%Y-%m-%d %H:%M:%S", &tm))
        return 0;
    return (long long)timegm(&tm);
}

const char *history_instance(void)
{
    pthread_once(&names_once, read_names);
    return instance_buffer;
}

long long history_queue(db *conn, const history_run *run, strbuf *err)
{
    char now[32];
    utc_db_timestamp(now);
    db_param p[] = {DBP_TEXT(run->job),        DBP_TEXT(run->trigger),  DBP_TEXT(host_name()),
                    DBP_INT(getpid()),         DBP_TEXT(run->today),    DBP_TEXT(now),
                    DBP_TEXT(RUN_STATUS_QUEUED), DBP_TEXT(run->argument), DBP_TEXT(run->started_by),
                    DBP_TEXT(history_instance())};
    long long id = -1;
    if (db_exec(conn,
                "INSERT INTO tis_sync_run (job, trigger_kind, host, pid, today, started_at, status, argument, "
                "started_by, instance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                p, 10) != 0 ||
        db_query_int(conn, sql_text(db_get_dialect(conn), "last_insert_id"), NULL, 0, &id) != 0) {
        sb_printf(err, "cannot record the run in tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return id;
}

long long history_start(db *conn, const history_run *run, strbuf *err)
{
    char now[32], fire[32];
    utc_db_timestamp(now);
    db_param stale[] = {DBP_TEXT(RUN_STATUS_CRASHED), DBP_TEXT(now), DBP_TEXT(run->job),
                        DBP_TEXT(RUN_STATUS_RUNNING)};
    db_param p[] = {DBP_TEXT(run->job),        DBP_TEXT(run->trigger),   DBP_TEXT(host_name()),
                    DBP_INT(getpid()),         DBP_TEXT(run->today),     firing_param(run->scheduled_for, fire),
                    DBP_TEXT(now),             DBP_TEXT(RUN_STATUS_RUNNING), DBP_TEXT(run->tcs_schema),
                    DBP_TEXT(run->argument),   DBP_TEXT(run->started_by), DBP_TEXT(history_instance()),
                    DBP_INT(run->queued_id)};
    long long id = run->queued_id;
    if (db_exec(conn,
                "UPDATE tis_sync_run SET status = ?, finished_at = ?, rows_written = 0, error = 'the process "
                "running it ended without recording an outcome; it committed nothing' WHERE job = ? AND status = ?",
                stale, 4) != 0)
        id = -1;
    else if (run->queued_id > 0) /* cancelled meanwhile: no longer queued, 0 rows */
        id = db_exec(conn,
                     "UPDATE tis_sync_run SET job = ?, trigger_kind = ?, host = ?, pid = ?, today = ?, "
                     "scheduled_for = ?, started_at = ?, status = ?, tcs_schema = ?, argument = ?, "
                     "started_by = COALESCE(started_by, ?), instance = ? WHERE id = ? AND status = 'queued'",
                     p, 13) == 0
                 ? (db_changes(conn) > 0 ? run->queued_id : 0)
                 : -1;
    else if (db_exec(conn,
                     "INSERT INTO tis_sync_run (job, trigger_kind, host, pid, today, scheduled_for, started_at, "
                     "status, tcs_schema, argument, started_by, instance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                     "?, ?)",
                     p, 12) != 0 ||
             db_query_int(conn, sql_text(db_get_dialect(conn), "last_insert_id"), NULL, 0, &id) != 0)
        id = -1;
    if (id < 0)
        sb_printf(err, "cannot record the run in tis_sync_run: %s", db_error(conn));
    return id;
}

int history_mark_crashed(db *conn, int *marked, strbuf *err)
{
    *marked = 0;
    db_rows *rows = db_query(conn, "SELECT DISTINCT job FROM tis_sync_run WHERE status = 'running'", NULL, 0);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    char (*jobs)[65] = NULL;
    size_t n = 0;
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        jobs = xrealloc(jobs, (n + 1) * sizeof *jobs);
        snprintf(jobs[n++], sizeof *jobs, "%s", db_col_text(rows, 0) ? db_col_text(rows, 0) : "");
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        free(jobs);
        return -1;
    }
    char now[32];
    utc_db_timestamp(now);
    int result = 0;
    for (size_t i = 0; i < n && result == 0; i++) {
        if (lock_in_use(conn, jobs[i]) != 0) /* running, or cannot tell: left alone */
            continue;
        db_param p[] = {DBP_TEXT(RUN_STATUS_CRASHED), DBP_TEXT(now), DBP_TEXT(jobs[i])};
        if (db_exec(conn,
                    "UPDATE tis_sync_run SET status = ?, finished_at = ?, rows_written = 0, error = 'the process "
                    "running it ended without recording an outcome; it committed nothing' WHERE job = ? AND "
                    "status = 'running'",
                    p, 3) != 0) {
            sb_printf(err, "cannot update tis_sync_run: %s", db_error(conn));
            result = -1;
        } else {
            *marked += (int)db_changes(conn);
        }
    }
    free(jobs);
    return result;
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

int history_not_run(db *conn, const history_run *run, const char *status, const char *reason, strbuf *err)
{
    if (run->queued_id > 0) {
        char now[32];
        utc_db_timestamp(now);
        db_param p[] = {DBP_TEXT(now), DBP_TEXT(now), DBP_TEXT(status), DBP_TEXT(reason), DBP_INT(run->queued_id)};
        if (db_exec(conn,
                    "UPDATE tis_sync_run SET started_at = ?, finished_at = ?, status = ?, rows_written = 0, "
                    "error = ? WHERE id = ? AND status = 'queued'",
                    p, 5) == 0)
            return 0;
    } else {
        char now[32], fire[32];
        utc_db_timestamp(now);
        db_param p[] = {DBP_TEXT(run->job),       DBP_TEXT(run->trigger),
                        DBP_TEXT(host_name()),    DBP_INT(getpid()),
                        firing_param(run->scheduled_for, fire), DBP_TEXT(now),
                        DBP_TEXT(now),            DBP_TEXT(status),
                        DBP_TEXT(reason),         DBP_TEXT(run->started_by),
                        DBP_TEXT(history_instance())};
        if (db_exec(conn,
                    "INSERT INTO tis_sync_run (job, trigger_kind, host, pid, scheduled_for, started_at, "
                    "finished_at, status, rows_written, error, started_by, instance) VALUES (?, ?, ?, ?, ?, ?, ?, "
                    "?, 0, ?, ?, ?)",
                    p, 11) == 0)
            return 0;
    }
    sb_printf(err, "cannot record the %s run in tis_sync_run: %s", status, db_error(conn));
    return -1;
}

int history_drop_queued(db *conn, long long id, strbuf *err)
{
    db_param p[] = {DBP_INT(id), DBP_TEXT(RUN_STATUS_QUEUED)};
    if (db_exec(conn, "DELETE FROM tis_sync_run WHERE id = ? AND status = ?", p, 2) != 0) {
        sb_printf(err, "cannot update tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return 0;
}

static bool process_alive(long long pid)
{
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Whether the process of this host's instance MINE (this pid) or PID
 * (another), started at STARTED, has ended: another pid that is gone, or
 * this pid before this process started (a container restarted with the
 * same pid). */
static bool ended(bool mine, long long pid, const char *started)
{
    return mine ? started && strcmp(started, process_started) < 0 : !process_alive(pid);
}

bool history_instance_ended(const char *instance, const char *started)
{
    const char *me = history_instance(), *colon = instance ? strrchr(instance, ':') : NULL;
    size_t host_len = strlen(host_name());
    if (!colon || (size_t)(colon - instance) != host_len || strncmp(instance, host_name(), host_len) != 0)
        return false; /* another host's: only its lease can tell */
    char *end = NULL;
    long long pid = strtoll(colon + 1, &end, 10);
    return end != colon + 1 && *end == '\0' && ended(strcmp(instance, me) == 0, pid, started);
}

const char *history_started(void)
{
    pthread_once(&names_once, read_names);
    return process_started;
}

/* The ids of this host's queued rows whose process has ended: another pid
 * that is gone, or this pid before this process started (a container
 * restarted with the same pid). */
static int dead_queued(db *conn, long long **ids, size_t *n, strbuf *err)
{
    const char *me = history_instance(); /* reads process_started too */
    db_param p[] = {DBP_TEXT(RUN_STATUS_QUEUED), DBP_TEXT(host_name())};
    db_rows *rows =
        db_query(conn, "SELECT id, pid, instance, started_at FROM tis_sync_run WHERE status = ? AND host = ?", p, 2);
    *ids = NULL;
    *n = 0;
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    int rc;
    while ((rc = db_rows_next(rows)) == 1) {
        const char *instance = db_col_text(rows, 2), *started = db_col_text(rows, 3);
        bool mine = instance && strcmp(instance, me) == 0;
        if (ended(mine, db_col_int(rows, 1), started)) {
            *ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
            (*ids)[(*n)++] = db_col_int(rows, 0);
        }
    }
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return 0;
}

int history_abandon_queued(db *conn, bool at_stop, strbuf *err)
{
    char now[32];
    utc_db_timestamp(now);
    db_param p[] = {DBP_TEXT(RUN_STATUS_ABANDONED), DBP_TEXT(now),
                    DBP_TEXT(at_stop ? "the service stopped before starting it"
                                     : "the process that queued it ended before starting it"),
                    DBP_TEXT(RUN_STATUS_QUEUED), DBP_TEXT(history_instance())}; /* [4]: or each id */
    static const char update[] = "UPDATE tis_sync_run SET status = ?, finished_at = ?, error = ? WHERE status = ?";
    int rc = 0;
    if (at_stop) {
        char *sql = xasprintf("%s AND instance = ?", update);
        rc = db_exec(conn, sql, p, 5);
        free(sql);
    } else {
        /* Looked for first: on SQLite an UPDATE waits for a running job's
         * write transaction even when it matches nothing. */
        long long *ids;
        size_t n;
        rc = dead_queued(conn, &ids, &n, err);
        char *sql = xasprintf("%s AND id = ?", update);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            p[4] = DBP_INT(ids[i]);
            rc = db_exec(conn, sql, p, 5);
        }
        free(sql);
        free(ids);
        if (err->len)
            return -1;
    }
    if (rc != 0)
        sb_printf(err, "cannot update tis_sync_run: %s", db_error(conn));
    return rc;
}

int history_progress(db *conn, long long id, long long done, long long expected, strbuf *err)
{
    db_param p[] = {DBP_INT(done), expected > 0 ? DBP_INT(expected) : DBP_NULL, DBP_INT(id)};
    if (db_exec(conn, "UPDATE tis_sync_run SET rows_done = ?, rows_expected = ? WHERE id = ?", p, 3) != 0) {
        sb_printf(err, "cannot record the progress in tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return 0;
}

int history_request_cancel(db *conn, long long id, const char *who, strbuf *err)
{
    char now[32];
    utc_db_timestamp(now);
    char *reason = xasprintf("cancelled by %s before it started", who);
    db_param queued[] = {DBP_TEXT(RUN_STATUS_CANCELLED), DBP_TEXT(now), DBP_TEXT(reason), DBP_TEXT(who),
                         DBP_INT(id), DBP_TEXT(RUN_STATUS_QUEUED)};
    db_param running[] = {DBP_TEXT(who), DBP_INT(id), DBP_TEXT(RUN_STATUS_RUNNING)};
    int rc = -1;
    if (db_exec(conn,
                "UPDATE tis_sync_run SET status = ?, finished_at = ?, rows_written = 0, "
                "error = ?, cancel_requested_by = ? WHERE id = ? AND status = ?",
                queued, 6) == 0) {
        if (db_changes(conn) > 0)
            rc = 2;
        else if (db_exec(conn,
                         "UPDATE tis_sync_run SET cancel_requested_by = COALESCE(cancel_requested_by, ?) WHERE id = "
                         "? AND status = ?",
                         running, 3) == 0) {
            long long going = db_changes(conn);
            /* MariaDB counts changed rows only: a cancel asked twice changes none. */
            if (going == 0 && db_query_int(conn, "SELECT COUNT(*) FROM tis_sync_run WHERE id = ? AND status = ?",
                                           running + 1, 2, &going) != 0)
                going = -1;
            rc = going < 0 ? -1 : going > 0 ? 1 : 0;
        }
    }
    if (rc < 0)
        sb_printf(err, "cannot record the cancel in tis_sync_run: %s", db_error(conn));
    free(reason);
    return rc;
}

int history_cancel_requested(db *conn, long long id, char who[129], strbuf *err)
{
    db_param p = DBP_INT(id);
    db_rows *rows = db_query(conn, "SELECT cancel_requested_by FROM tis_sync_run WHERE id = ?", &p, 1);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    int rc = db_rows_next(rows);
    const char *by = rc == 1 ? db_col_text(rows, 0) : NULL;
    if (by)
        snprintf(who, 129, "%s", by);
    int found = by ? 1 : 0;
    if (db_rows_close(rows) != 0 || rc < 0) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    return found;
}

int history_log_append(db *conn, long long id, long long first_seq, const run_log_line *lines, size_t n,
                       long long keep, strbuf *err)
{
    if (n == 0)
        return 0;
    strbuf sql;
    sb_init(&sql);
    /* A line already there was sent twice (a reconnect resent the batch). */
    sb_puts(&sql, db_get_dialect(conn) == DB_MYSQL ? "INSERT IGNORE" : "INSERT OR IGNORE");
    sb_puts(&sql, " INTO tis_sync_run_log (run_id, seq, logged_at, level, line) VALUES ");
    db_param *p = xmalloc(n * 5 * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        sb_puts(&sql, i ? ",(?,?,?,?,?)" : "(?,?,?,?,?)");
        p[5 * i] = DBP_INT(id);
        p[5 * i + 1] = DBP_INT(first_seq + (long long)i);
        p[5 * i + 2] = DBP_TEXT(lines[i].at);
        p[5 * i + 3] = DBP_TEXT(lines[i].level);
        p[5 * i + 4] = DBP_TEXT(lines[i].text);
    }
    int rc = db_exec(conn, sql.data, p, n * 5);
    long long oldest = first_seq + (long long)n - keep;
    db_param trim[] = {DBP_INT(id), DBP_INT(oldest)};
    if (rc == 0 && oldest > 0)
        rc = db_exec(conn, "DELETE FROM tis_sync_run_log WHERE run_id = ? AND seq < ?", trim, 2);
    if (rc != 0)
        sb_printf(err, "cannot record the log of run %lld: %s", id, db_error(conn));
    free(p);
    sb_free(&sql);
    return rc;
}

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

int history_print(db *conn, FILE *out, const char *job, int limit, strbuf *err)
{
    db_param p[] = {DBP_TEXT(job), DBP_TEXT(job), DBP_INT(limit)};
    db_rows *rows = db_query(conn,
                             "SELECT id, job, trigger_kind, tcs_schema, COALESCE(instance, host), started_at, "
                             "finished_at, status, "
                             "rows_written, error FROM tis_sync_run WHERE (? IS NULL OR job = ?) ORDER BY id DESC "
                             "LIMIT ?",
                             p, 3);
    if (!rows) {
        sb_printf(err, "cannot read tis_sync_run: %s", db_error(conn));
        return -1;
    }
    static const char format[] = "%-6s %-38s %-8s %-6s %-22s %-23s %-23s %-10s %10s  %s\n";
    fprintf(out, format, "id", "job", "trigger", "schema", "instance", "started (UTC)", "finished (UTC)", "status",
            "rows", "error");
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
                             "('succeeded', 'failed', 'abandoned', 'crashed', 'aborted', 'cancelled') ORDER BY id DESC "
                             "LIMIT 1",
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
