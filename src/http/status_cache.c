/* status_cache.c - the jobs' state, read at most once a second (see
 * status_cache.h).
 *
 * One reader rebuilds a stale snapshot while the others keep answering
 * from the previous one; snapshots are reference-counted, so a slow
 * client never holds the next build up. */
#include "status_cache.h"
#include "history.h"
#include "job_state.h"
#include "lock.h"
#include "log.h"
#include "runner.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct status_cache {
    pthread_mutex_t mu;
    pthread_cond_t built;
    status_snapshot *current;
    bool building;
    unsigned long generation; /* bumped by status_invalidate: an older build is not kept */
    long long failed_ms;      /* when the last build failed; 0: it did not */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

status_cache *status_cache_new(void)
{
    status_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->built, NULL);
    return c;
}

static void snapshot_free(status_snapshot *s)
{
    if (!s)
        return;
    for (int j = 0; j < JOB_COUNT; j++) {
        free(s->jobs[j].running.error);
        free(s->jobs[j].queued.error);
        free(s->jobs[j].last.error);
    }
    free(s->counts);
    free(s->durations);
    free(s);
}

void status_cache_free(status_cache *c)
{
    if (!c)
        return;
    snapshot_free(c->current);
    pthread_cond_destroy(&c->built);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* ---- liveness ----------------------------------------------------------- */

static bool same_host(const run_row *row)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    return strcmp(host, row->host) == 0;
}

bool status_run_alive(db *conn, const run_row *row)
{
    const job_def *def = job_find(row->job);
    if (strcmp(row->instance, history_instance()) == 0)
        return def && runner_is_running(def->id, NULL, NULL);
    int held = def ? lock_in_use(conn, def->name) : -1;
    if (held >= 0)
        return held == 1;
    if (same_host(row)) /* SQLite: every instance is on this host */
        return row->pid > 0 && (kill((pid_t)row->pid, 0) == 0 || errno == EPERM);
    return true; /* cannot tell: trust the row */
}

/* ---- building ----------------------------------------------------------- */

static void take_row(run_row *into, bool *has, const run_row *row)
{
    *into = *row;
    into->error = row->error ? xstrdup(row->error) : NULL;
    *has = true;
}

static int read_active(db *conn, status_snapshot *s, strbuf *err)
{
    run_row *rows;
    size_t n;
    if (history_query_active(conn, &rows, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const job_def *def = job_find(rows[i].job);
        if (!def)
            continue;
        job_status_view *v = &s->jobs[def->id];
        bool running = strcmp(rows[i].status, RUN_STATUS_RUNNING) == 0;
        if (running && !v->has_running && status_run_alive(conn, &rows[i]))
            take_row(&v->running, &v->has_running, &rows[i]);
        else if (!running && !v->has_queued)
            take_row(&v->queued, &v->has_queued, &rows[i]);
    }
    run_rows_free(rows, n);
    return 0;
}

static int read_last(db *conn, status_snapshot *s, strbuf *err)
{
    job_summary *sums;
    size_t n;
    if (history_query_summaries(conn, &sums, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const job_def *def = job_find(sums[i].job);
        job_status_view *v = def ? &s->jobs[def->id] : NULL;
        if (v) {
            take_row(&v->last, &v->has_last, &sums[i].last);
            v->last_success_ms = sums[i].last_success_ms;
        }
        free(sums[i].last.error);
    }
    free(sums);
    return 0;
}

static int read_paused(db *conn, status_snapshot *s, strbuf *err)
{
    job_state *states;
    size_t n;
    if (job_state_read(conn, &states, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const job_def *def = job_find(states[i].job);
        if (!def || !states[i].paused)
            continue;
        job_status_view *v = &s->jobs[def->id];
        v->paused = true;
        snprintf(v->paused_by, sizeof v->paused_by, "%s", states[i].changed_by);
        v->paused_at_ms = history_parse_ms(states[i].changed_at);
    }
    free(states);
    return 0;
}

static void read_schedules(http_service *svc, status_snapshot *s)
{
    job_set available = scheduler_jobs_available(svc->sched);
    scheduler_setting(svc->sched, CFG_TIME_ZONE, s->time_zone, sizeof s->time_zone);
    for (int j = 0; j < JOB_COUNT; j++) {
        job_status_view *v = &s->jobs[j];
        v->available = available & JOB_BIT(j);
        scheduler_setting(svc->sched, job_table[j].schedule, v->schedule, sizeof v->schedule);
        long long next = scheduler_next_run(svc->sched, (job_id)j);
        v->next_run_ms = next >= 0 ? next * 1000 : 0;
    }
}

static status_snapshot *build(http_service *svc, strbuf *err)
{
    status_snapshot *s = xcalloc(1, sizeof *s);
    s->built_ms = now_ms();
    read_schedules(svc, s);
    db_options opts = cfg_db_options(svc->cfg, false);
    char *cerr = NULL;
    db *conn = db_connect(cfg_db_url(svc->cfg), &opts, &cerr);
    int rc = conn ? 0 : -1;
    if (!conn)
        sb_printf(err, "cannot read the run history: %s", cerr);
    if (rc == 0)
        rc = read_active(conn, s, err);
    if (rc == 0)
        rc = read_last(conn, s, err);
    if (rc == 0)
        rc = read_paused(conn, s, err);
    if (rc == 0)
        rc = history_query_counts(conn, &s->counts, &s->ncounts, err);
    if (rc == 0)
        rc = history_query_durations(conn, &s->durations, &s->ndurations, err);
    free(cerr);
    db_close(conn);
    if (rc != 0) {
        snapshot_free(s);
        return NULL;
    }
    return s;
}

/* ---- the cache ---------------------------------------------------------- */

static status_snapshot *hold(status_snapshot *s)
{
    if (s)
        s->refs++;
    return s;
}

static void drop(status_snapshot *s)
{
    if (s && --s->refs == 0)
        snapshot_free(s);
}

status_snapshot *status_acquire(http_service *svc, strbuf *err)
{
    status_cache *c = svc->status;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        status_snapshot *cur = c->current;
        if (cur && now_ms() - cur->built_ms < STATUS_MAX_AGE_MS) {
            hold(cur);
            pthread_mutex_unlock(&c->mu);
            return cur;
        }
        if (!cur && now_ms() - c->failed_ms < STATUS_MAX_AGE_MS) { /* do not pile up on a database that is down */
            pthread_mutex_unlock(&c->mu);
            sb_puts(err, "the run history could not be read a moment ago");
            return NULL;
        }
        if (!c->building)
            break;
        if (cur) { /* being rebuilt: the previous one will do */
            hold(cur);
            pthread_mutex_unlock(&c->mu);
            return cur;
        }
        pthread_cond_wait(&c->built, &c->mu);
    }
    c->building = true;
    unsigned long generation = c->generation;
    pthread_mutex_unlock(&c->mu);
    status_snapshot *fresh = build(svc, err);
    pthread_mutex_lock(&c->mu);
    c->building = false;
    c->failed_ms = fresh ? 0 : now_ms();
    if (fresh && generation == c->generation) {
        drop(c->current);
        c->current = hold(fresh);
    }
    hold(fresh);
    pthread_cond_broadcast(&c->built);
    pthread_mutex_unlock(&c->mu);
    return fresh;
}

void status_release(http_service *svc, status_snapshot *s)
{
    pthread_mutex_lock(&svc->status->mu);
    drop(s);
    pthread_mutex_unlock(&svc->status->mu);
}

void status_invalidate(http_service *svc)
{
    pthread_mutex_lock(&svc->status->mu);
    svc->status->generation++;
    drop(svc->status->current);
    svc->status->current = NULL;
    pthread_mutex_unlock(&svc->status->mu);
}
