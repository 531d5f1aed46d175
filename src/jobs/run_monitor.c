/* run_monitor.c - one running job's companion thread (see run_monitor.h).
 *
 * The database work (log lines, progress, the cancel flag) is done once a
 * second on the run's bookkeeping connection, which nothing else uses
 * meanwhile. A failed write keeps its lines for the next second (on
 * SQLite a job's long write transaction makes it wait); the service's
 * stop flag is looked at five times a second. */
#include "run_monitor.h"
#include "history.h"
#include "json_writer.h"
#include "log.h"
#include "run_events.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
    POLL_MS = 200,
    /* On SQLite a job's write transaction makes the monitor's writes wait:
     * it gives up after this and tries again a second later, so that it
     * keeps watching the stop flag. */
    LOCK_WAIT_MS = 250,
    LOCK_WAIT_DEFAULT_MS = 60000,
    /* Writes of the log that fail this many times in a row give the lines
     * up (they stay in sync.log): a permanent error must not stop every
     * later line from being kept. */
    LOG_WRITE_ATTEMPTS = 120,
};

struct run_monitor {
    job_ctx *ctx;
    db *book;
    long long run_id;
    atomic_int *service_cancel;
    atomic_int cancel;  /* the job's flag (ctx->cancel) */
    atomic_int claimed; /* an operator's cancel was taken (once) */
    pthread_t thread;
    pthread_mutex_t mu; /* guards the fields below */
    pthread_cond_t wake;
    bool stop;
    run_log_line *pending; /* captured, not yet written; oldest first */
    size_t npending;
    long long next_seq;         /* the seq of the next captured line */
    long long written_done, written_expected; /* last progress written */
    double last_db, last_progress_log;
    bool write_failed_logged;
    int write_failures; /* in a row */
};

/* ---- capture ------------------------------------------------------------ */

/* The longest prefix of TEXT of at most MAX bytes that ends on a UTF-8
 * character boundary. */
static size_t utf8_prefix(const char *text, size_t max)
{
    size_t n = strlen(text);
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static void drop_oldest(run_monitor *m, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(m->pending[i].text);
    memmove(m->pending, m->pending + count, (m->npending - count) * sizeof *m->pending);
    m->npending -= count;
}

static void capture(void *arg, log_level level, const char *text)
{
    run_monitor *m = arg;
    run_log_line line;
    utc_db_timestamp(line.at);
    snprintf(line.level, sizeof line.level, "%s", log_level_name(level));
    strbuf valid; /* a utf8mb4 column refuses invalid UTF-8 (database and engine texts may hold it) */
    sb_init(&valid);
    utf8_repair_append(&valid, text, strlen(text));
    size_t n = utf8_prefix(valid.data ? valid.data : "", RUN_LOG_LINE_MAX);
    line.text = xmalloc(n + 1);
    memcpy(line.text, valid.data ? valid.data : "", n);
    line.text[n] = '\0';
    sb_free(&valid);
    pthread_mutex_lock(&m->mu);
    if (m->npending == RUN_LOG_KEEP) /* they would be trimmed once written anyway */
        drop_oldest(m, 1);
    m->pending[m->npending++] = line;
    m->next_seq++;
    pthread_mutex_unlock(&m->mu);
}

/* ---- the database work -------------------------------------------------- */

/* Writes the captured lines. They are taken out first (capture goes on
 * meanwhile); a failed write puts them back in front of the newer ones. */
static void write_log(run_monitor *m)
{
    pthread_mutex_lock(&m->mu);
    size_t n = m->npending;
    run_log_line *lines = m->pending;
    long long first_seq = m->next_seq - (long long)n;
    if (n) {
        m->pending = xmalloc(RUN_LOG_KEEP * sizeof *m->pending);
        m->npending = 0;
    }
    pthread_mutex_unlock(&m->mu);
    if (!n)
        return;
    strbuf err;
    sb_init(&err);
    int rc = history_log_append(m->book, m->run_id, first_seq, lines, n, RUN_LOG_KEEP, &err);
    pthread_mutex_lock(&m->mu);
    m->write_failures = rc == 0 ? 0 : m->write_failures + 1;
    bool give_up = m->write_failures >= LOG_WRITE_ATTEMPTS;
    if (give_up)
        m->write_failures = 0;
    if (rc != 0 && !give_up) {
        size_t newer = m->npending, keep_old = n + newer > RUN_LOG_KEEP ? RUN_LOG_KEEP - newer : n;
        for (size_t i = 0; i < n - keep_old; i++)
            free(lines[i].text);
        memmove(lines, lines + (n - keep_old), keep_old * sizeof *lines);
        memcpy(lines + keep_old, m->pending, newer * sizeof *lines);
        free(m->pending);
        m->pending = lines;
        m->npending = keep_old + newer;
        lines = NULL;
    }
    bool first_failure = rc != 0 && !m->write_failed_logged;
    m->write_failed_logged |= rc != 0;
    pthread_mutex_unlock(&m->mu);
    if (first_failure) /* once: it joins the pending lines itself */
        log_warn("Sync [%s] run %lld: %s (will retry)", job_table[m->ctx->job].name, m->run_id, err.data);
    if (give_up)
        log_warn("Sync [%s] run %lld: %zu log lines given up after %d failed writes: %s", job_table[m->ctx->job].name,
                 m->run_id, n, LOG_WRITE_ATTEMPTS, err.data);
    sb_free(&err);
    if (lines) {
        for (size_t i = 0; i < n; i++)
            free(lines[i].text);
        free(lines);
    }
}

static void write_progress(run_monitor *m)
{
    long long done = atomic_load(&m->ctx->rows_done), expected = atomic_load(&m->ctx->rows_expected);
    if (done == m->written_done && expected == m->written_expected)
        return;
    strbuf err;
    sb_init(&err);
    if (history_progress(m->book, m->run_id, done, expected, &err) == 0) {
        m->written_done = done;
        m->written_expected = expected;
    }
    sb_free(&err);
    run_events_publish((run_event){.kind = RUN_EVENT_PROGRESS, .run_id = m->run_id, .job = m->ctx->job,
                                   .rows_done = done, .rows_expected = expected});
}

static void check_cancel_request(run_monitor *m)
{
    if (atomic_load(&m->cancel))
        return;
    char who[129];
    strbuf err;
    sb_init(&err);
    if (history_cancel_requested(m->book, m->run_id, who, &err) == 1)
        run_monitor_cancel(m, who);
    sb_free(&err);
}

static void log_progress(run_monitor *m)
{
    const char *name = job_table[m->ctx->job].name;
    long long done = atomic_load(&m->ctx->rows_done), expected = atomic_load(&m->ctx->rows_expected);
    if (expected > 0)
        log_info("Sync [%s] progress: %lld of %lld records", name, done, expected);
    else
        log_info("Sync [%s] progress: %lld records", name, done);
}

static void *monitor_main(void *arg)
{
    run_monitor *m = arg;
    log_set_thread_sink(capture, m); /* its progress lines belong to the run */
    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&m->wake, &m->mu, &until);
        if (m->stop)
            break;
        pthread_mutex_unlock(&m->mu);
        if (m->service_cancel && atomic_load(m->service_cancel))
            atomic_store(&m->cancel, 1);
        double now = monotonic_seconds();
        if (now - m->last_progress_log >= PROGRESS_LOG_S) {
            log_progress(m);
            m->last_progress_log = now;
        }
        if (now - m->last_db >= 1.0) {
            check_cancel_request(m);
            write_progress(m);
            write_log(m);
            m->last_db = now;
        }
        pthread_mutex_lock(&m->mu);
    }
    pthread_mutex_unlock(&m->mu);
    log_set_thread_sink(NULL, NULL);
    return NULL;
}

/* ---- start and stop ----------------------------------------------------- */

run_monitor *run_monitor_start(job_ctx *ctx, db *book, long long run_id, atomic_int *service_cancel)
{
    run_monitor *m = xcalloc(1, sizeof *m);
    m->ctx = ctx;
    m->book = book;
    m->run_id = run_id;
    m->service_cancel = service_cancel;
    m->pending = xmalloc(RUN_LOG_KEEP * sizeof *m->pending);
    m->next_seq = 1;
    m->last_db = m->last_progress_log = monotonic_seconds();
    atomic_init(&m->cancel, service_cancel ? atomic_load(service_cancel) : 0);
    atomic_init(&m->claimed, 0);
    ctx->cancel = &m->cancel;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->wake, NULL);
    db_set_lock_wait(book, LOCK_WAIT_MS);
    log_set_thread_sink(capture, m);
    if (pthread_create(&m->thread, NULL, monitor_main, m) != 0) {
        log_warn("Sync [%s]: cannot start the run's monitor thread; its log and progress are written at the end, "
                 "and a cancel from another instance is not seen",
                 job_table[ctx->job].name);
        m->stop = true;
        ctx->cancel = service_cancel; /* nothing would pass the service's stop on */
    }
    return m;
}

void run_monitor_cancel(run_monitor *m, const char *who)
{
    if (atomic_exchange(&m->claimed, 1) || atomic_load(&m->cancel))
        return;
    /* Written before the flag: a job that sees the flag reads the name. */
    snprintf(m->ctx->cancelled_by, sizeof m->ctx->cancelled_by, "%s", who);
    atomic_store(&m->cancel, 1);
    log_warn("Sync [%s] cancelled by %s: stopping and rolling back", job_table[m->ctx->job].name, who);
}

void run_monitor_stop(run_monitor *m)
{
    pthread_mutex_lock(&m->mu);
    bool started = !m->stop;
    m->stop = true;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->mu);
    if (started)
        pthread_join(m->thread, NULL);
    log_set_thread_sink(NULL, NULL);
    db_set_lock_wait(m->book, LOCK_WAIT_DEFAULT_MS);
    m->written_done = -1; /* write the final counts whatever they are */
    write_progress(m);
    write_log(m);
}

void run_monitor_free(run_monitor *m)
{
    drop_oldest(m, m->npending);
    free(m->pending);
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->mu);
    free(m);
}
