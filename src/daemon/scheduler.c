/* scheduler.c - the event loop of `serve` (see scheduler.h).
 *
 * Threads: the loop (the caller of scheduler_run) owns the cron state and
 * starts and joins the workers; workers, the HTTP API and the signal
 * thread only post events under `mu` and signal `wake`. Everything in
 * struct scheduler is guarded by `mu`, except `cancel` (an atomic the jobs
 * poll) and what only the loop touches (noted below). */
#include "scheduler.h"
#include "catchup.h"
#include "cron.h"
#include "log.h"
#include "service_notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
    STATUS_REFRESH_S = 5, /* progress in the service manager's STATUS while runs are in progress */
    CANCEL_WAIT_S = 30,   /* after cancelling, how long runs get to roll back before we exit anyway */
};

/* A configuration and the runs still using it: a reload must not free the
 * configuration a running job reads. */
typedef struct {
    const config *cfg;
    int refs;
    bool owned; /* the first one belongs to the caller */
} cfg_ref;

typedef struct {
    scheduler *s;
    int slot;
    bool active, done; /* thread started / thread finished its run */
    pthread_t thread;
    cfg_ref *cfg;
    job_id jobs[JOB_COUNT];
    size_t njobs;
    run_trigger trigger;
    long long scheduled;
    char argument[RQ_ARGUMENT_MAX];
    char today[RQ_TODAY_MAX];
    long long queued_ids[JOB_COUNT]; /* read from the run as each job begins (triggers merge meanwhile) */
    run_outcome outcome;
} worker;

struct scheduler {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    run_queue q;
    worker workers[RQ_MAX];
    cfg_ref *cfg;
    scheduler_hooks hooks;
    long long clock_offset;
    atomic_int cancel;
    int stop_requests;
    bool reload_requested;
    /* Loop thread only: */
    cron_expr *cron[JOB_COUNT];
    char *cron_text[JOB_COUNT];
    bool available[JOB_COUNT];     /* the job exists under the configuration (the reval jobs need a broker) */
    long long next_due[JOB_COUNT]; /* service clock; -1: never (changed with mu held: others read it) */
    bool stopping, cancel_sent;
    double stop_deadline, cancel_deadline, watchdog_every, watchdog_last, status_last;
};

long long scheduler_now(const scheduler *s)
{
    return (long long)time(NULL) + s->clock_offset;
}

static void format_time(long long t, char buf[32])
{
    catchup_format_utc(t, buf);
}

static cfg_ref *cfg_ref_new(const config *cfg, bool owned)
{
    cfg_ref *r = xcalloc(1, sizeof *r);
    r->cfg = cfg;
    r->refs = 1;
    r->owned = owned;
    return r;
}

static void cfg_ref_put(cfg_ref *r)
{
    if (r && --r->refs == 0) {
        if (r->owned)
            config_free((config *)r->cfg);
        free(r);
    }
}

/* ---- schedules ---------------------------------------------------------- */

static void log_next(scheduler *s, job_id j)
{
    char when[32];
    format_time(s->next_due[j], when);
    if (!s->available[j]) {
        log_info("Schedule: %s is not available: it needs a RabbitMQ broker (rabbitmq.host, RABBITMQ_HOST)",
                 job_table[j].name);
        return;
    }
    if (cron_disabled(s->cron[j])) {
        log_info("Schedule: %s at '%s' (%s): disabled, never scheduled", job_table[j].name, s->cron_text[j],
                 cfg_name(job_table[j].schedule));
        return;
    }
    if (s->next_due[j] < 0) {
        log_warn("Schedule: %s at '%s' (%s) can never fire (no such date in the next 5 years): the job only runs "
                 "when asked",
                 job_table[j].name, s->cron_text[j], cfg_name(job_table[j].schedule));
        return;
    }
    log_info("Schedule: %s at '%s' (%s); next run %s", job_table[j].name, s->cron_text[j],
             cfg_name(job_table[j].schedule), when);
}

/* (Re)loads the cron expression of J from CFG; the values were validated
 * when the configuration was built. A job that is not available under CFG
 * is never due. Returns whether anything changed. */
static bool load_schedule(scheduler *s, const config *cfg, job_id j)
{
    const char *text = cfg_str(cfg, job_table[j].schedule);
    bool available = job_available(cfg, j);
    if (s->cron_text[j] && strcmp(s->cron_text[j], text) == 0 && s->available[j] == available)
        return false;
    s->available[j] = available;
    char err[256];
    cron_expr *e = cron_parse(text, err, sizeof err);
    if (!e) {
        log_error("Schedule: %s: '%s' rejected (%s); keeping '%s'", job_table[j].name, text, err,
                  s->cron_text[j] ? s->cron_text[j] : "none");
        return false;
    }
    cron_free(s->cron[j]);
    free(s->cron_text[j]);
    s->cron[j] = e;
    s->cron_text[j] = xstrdup(text);
    time_t next = available ? cron_next(e, (time_t)scheduler_now(s)) : (time_t)-1;
    s->next_due[j] = next == (time_t)-1 ? -1 : (long long)next;
    return true;
}

/* ---- workers ------------------------------------------------------------ */

static void on_job(void *arg, job_id job)
{
    worker *w = arg;
    pthread_mutex_lock(&w->s->mu);
    rq_job_started(&w->s->q, w->slot, job);
    w->queued_ids[job] = w->s->q.items[w->slot].queued_id[job];
    pthread_cond_broadcast(&w->s->wake);
    pthread_mutex_unlock(&w->s->mu);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    run_request req = {.cfg = w->cfg->cfg,
                       .trigger = w->trigger,
                       .cancel = &w->s->cancel,
                       .scheduled = w->scheduled,
                       .argument = w->argument[0] ? w->argument : NULL,
                       .today = w->today[0] ? w->today : NULL,
                       .queued_ids = w->queued_ids,
                       .on_job = on_job,
                       .on_job_arg = w};
    run_outcome outcome = runner_run_sequence(&req, w->jobs, w->njobs);
    pthread_mutex_lock(&w->s->mu);
    w->outcome = outcome;
    w->done = true;
    pthread_cond_broadcast(&w->s->wake);
    pthread_mutex_unlock(&w->s->mu);
    return NULL;
}

static void start_run(scheduler *s, int slot)
{
    const rq_item *it = &s->q.items[slot];
    worker *w = &s->workers[slot];
    /* The fire time as the schedule computed it (on the service clock): it
     * names the firing in the history, the same on every instance. */
    *w = (worker){.s = s, .slot = slot, .cfg = s->cfg, .trigger = it->trigger, .scheduled = it->scheduled};
    memcpy(w->argument, it->argument, sizeof w->argument);
    memcpy(w->today, it->today, sizeof w->today);
    w->njobs = job_set_to_list(it->jobs, w->jobs);
    rq_start(&s->q, slot);
    s->cfg->refs++;
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    if (rc != 0) {
        log_error("cannot start a worker thread: %s; the run is dropped", strerror(rc));
        rq_finish(&s->q, slot);
        cfg_ref_put(w->cfg);
        return;
    }
    w->active = true;
}

static void start_ready_runs(scheduler *s)
{
    int slot;
    while ((slot = rq_next_startable(&s->q)) >= 0)
        start_run(s, slot);
}

static void reap_finished_runs(scheduler *s)
{
    for (int i = 0; i < RQ_MAX; i++) {
        worker *w = &s->workers[i];
        if (!w->active || !w->done)
            continue;
        pthread_join(w->thread, NULL); /* it only has to return */
        strbuf names;
        sb_init(&names);
        job_set_describe(s->q.items[i].jobs, &names);
        log_info("Run ended (trigger %s): %s: %s", run_trigger_name(w->trigger), names.data,
                 run_outcome_name(w->outcome));
        sb_free(&names);
        rq_finish(&s->q, i);
        cfg_ref_put(w->cfg);
        w->active = false;
    }
}

static int active_workers(const scheduler *s)
{
    int n = 0;
    for (int i = 0; i < RQ_MAX; i++)
        n += s->workers[i].active;
    return n;
}

/* ---- triggers ----------------------------------------------------------- */

static trigger_result submit_locked(scheduler *s, job_set jobs, int primary, run_trigger trigger, long long scheduled,
                                    const rq_params *params, int *slot_out)
{
    if (s->stop_requests > 0)
        return TRIG_REFUSED;
    int slot = -1;
    rq_result r = rq_submit(&s->q, jobs, primary, trigger, scheduled, params, &slot);
    if (slot_out)
        *slot_out = r == RQ_NEW || r == RQ_MERGED ? slot : -1;
    strbuf names;
    sb_init(&names);
    job_set_describe(jobs, &names);
    if (r == RQ_MERGED) {
        strbuf into;
        sb_init(&into);
        job_set_describe(s->q.items[slot].jobs, &into);
        log_info("Trigger (%s) for %s merged into the %s run of %s", run_trigger_name(trigger), names.data,
                 s->q.items[slot].state == RQ_RUNNING ? "running" : "queued", into.data);
        sb_free(&into);
    } else if (r == RQ_FULL) {
        log_error("Trigger (%s) for %s dropped: too many runs queued", run_trigger_name(trigger), names.data);
    } else if (r == RQ_NEW) {
        log_debug("Trigger (%s) for %s queued", run_trigger_name(trigger), names.data);
    }
    sb_free(&names);
    pthread_cond_broadcast(&s->wake);
    static const trigger_result map[] = {[RQ_NEW] = TRIG_STARTED, [RQ_MERGED] = TRIG_MERGED,
                                         [RQ_BUSY] = TRIG_ALREADY_RUNNING, [RQ_FULL] = TRIG_REFUSED};
    return map[r];
}

trigger_result scheduler_trigger(scheduler *s, run_ask *ask)
{
    pthread_mutex_lock(&s->mu);
    job_set available = ask->jobs & jobs_available(s->cfg->cfg);
    int slot = -1;
    trigger_result r = available ? submit_locked(s, available, ask->primary, ask->trigger, ask->scheduled, &ask->params, &slot)
                                 : TRIG_REFUSED;
    if (slot >= 0 && ask->queued_ids)
        rq_take_ids(&s->q, slot, ask->queued_ids, ask->spare_ids);
    pthread_mutex_unlock(&s->mu);
    return r;
}

bool scheduler_replace_queued(scheduler *s, long long old_id, long long new_id)
{
    pthread_mutex_lock(&s->mu);
    bool replaced = rq_replace_id(&s->q, old_id, new_id);
    pthread_mutex_unlock(&s->mu);
    return replaced;
}

long long scheduler_next_run(scheduler *s, job_id job)
{
    pthread_mutex_lock(&s->mu); /* the loop changes next_due with mu held */
    long long next = s->next_due[job];
    pthread_mutex_unlock(&s->mu);
    return next;
}

job_set scheduler_jobs_available(scheduler *s)
{
    pthread_mutex_lock(&s->mu);
    job_set set = jobs_available(s->cfg->cfg);
    pthread_mutex_unlock(&s->mu);
    return set;
}

bool scheduler_setting(scheduler *s, cfg_key key, char *out, size_t size)
{
    pthread_mutex_lock(&s->mu);
    const char *value = cfg_str(s->cfg->cfg, key);
    if (value)
        snprintf(out, size, "%s", value);
    pthread_mutex_unlock(&s->mu);
    return value != NULL;
}

static void fire_due_jobs(scheduler *s, long long now)
{
    for (int j = 0; j < JOB_COUNT; j++) {
        if (s->next_due[j] < 0 || now < s->next_due[j])
            continue;
        char when[32];
        format_time(s->next_due[j], when);
        log_info("Schedule: firing %s (cron '%s', due %s)", job_table[j].name, s->cron_text[j], when);
        submit_locked(s, JOB_BIT(j), j, TRIGGER_CRON, s->next_due[j], NULL, NULL);
        /* From now, not from the due time: after a suspend or a clock jump
         * the missed firings collapse into this one. */
        time_t next = cron_next(s->cron[j], (time_t)now);
        s->next_due[j] = next == (time_t)-1 ? -1 : (long long)next;
    }
}

void scheduler_request_stop(scheduler *s)
{
    pthread_mutex_lock(&s->mu);
    s->stop_requests++;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
}

void scheduler_request_reload(scheduler *s)
{
    pthread_mutex_lock(&s->mu);
    s->reload_requested = true;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
}

bool scheduler_stopping(scheduler *s)
{
    pthread_mutex_lock(&s->mu);
    bool stopping = s->stop_requests > 0;
    pthread_mutex_unlock(&s->mu);
    return stopping;
}

/* ---- reload ------------------------------------------------------------- */

static void apply_config(scheduler *s, config *cfg)
{
    cfg_ref *old = s->cfg;
    for (int j = 0; j < JOB_COUNT; j++) {
        char *before = s->cron_text[j] ? xstrdup(s->cron_text[j]) : NULL;
        if (load_schedule(s, cfg, (job_id)j)) {
            log_info("Schedule of %s changed from '%s'", job_table[j].name, before ? before : "none");
            log_next(s, (job_id)j);
        }
        free(before);
    }
    s->cfg = cfg_ref_new(cfg, true);
    cfg_ref_put(old);
    log_info("Configuration reloaded");
}

/* Called with mu held; the hook runs without it (it reads files). */
static void handle_reload(scheduler *s)
{
    s->reload_requested = false;
    if (!s->hooks.reload || s->stop_requests > 0)
        return;
    const config *current = s->cfg->cfg; /* only this thread replaces it */
    svcn_reloading();
    pthread_mutex_unlock(&s->mu);
    config *fresh = s->hooks.reload(s->hooks.arg, current);
    pthread_mutex_lock(&s->mu);
    if (fresh)
        apply_config(s, fresh);
    svcn_ready(NULL);
}

/* ---- shutdown ----------------------------------------------------------- */

static void begin_stop(scheduler *s)
{
    s->stopping = true;
    job_set dropped = rq_drop_queued(&s->q);
    if (dropped) {
        strbuf names;
        sb_init(&names);
        job_set_describe(dropped, &names);
        log_warn("Stopping: queued runs dropped: %s", names.data);
        sb_free(&names);
    }
    long long grace = cfg_int(s->cfg->cfg, CFG_SHUTDOWN_GRACE);
    s->stop_deadline = monotonic_seconds() + (double)grace;
    int running = active_workers(s);
    if (running)
        log_info("Stopping: waiting up to %lld s (service.shutdown_grace) for %d run(s) to finish", grace, running);
    else
        log_info("Stopping: no job is running");
    svcn_stopping("Stopping");
}

static void cancel_runs(scheduler *s, const char *why)
{
    atomic_store(&s->cancel, 1);
    s->cancel_sent = true;
    s->cancel_deadline = monotonic_seconds() + CANCEL_WAIT_S;
    log_warn("Stopping: %s: cancelling the running jobs (they roll back; the history records them as aborted)",
             why);
}

/* Returns -1 when runs ignored the cancellation for too long. */
static int advance_stop(scheduler *s)
{
    if (!s->stopping)
        begin_stop(s);
    if (active_workers(s) == 0)
        return 0;
    double now = monotonic_seconds();
    if (!s->cancel_sent && s->stop_requests > 1)
        cancel_runs(s, "asked again");
    else if (!s->cancel_sent && now >= s->stop_deadline)
        cancel_runs(s, "the shutdown grace is over");
    if (s->cancel_sent && now >= s->cancel_deadline) {
        log_error("Stopping: %d run(s) did not end within %d s of being cancelled; exiting anyway (the "
                  "database rolls back their transactions)", active_workers(s), CANCEL_WAIT_S);
        return -1;
    }
    return 0;
}

/* ---- status and sleeping ----------------------------------------------- */

static void publish_status(scheduler *s)
{
    strbuf st;
    sb_init(&st);
    job_set current = rq_current_jobs(&s->q);
    sb_puts(&st, s->stopping ? "Stopping; " : "");
    for (int j = 0; j < JOB_COUNT; j++) {
        long long done = 0, expected = 0;
        if (!(current & JOB_BIT(j)) || !runner_is_running((job_id)j, &done, &expected))
            continue;
        sb_printf(&st, "running %s (%lld", job_table[j].name, done);
        sb_printf(&st, expected > 0 ? " of %lld rows); " : " rows); ", expected);
    }
    int next = -1;
    for (int j = 0; j < JOB_COUNT; j++)
        if (s->next_due[j] >= 0 && (next < 0 || s->next_due[j] < s->next_due[next]))
            next = j;
    if (next >= 0 && !s->stopping) {
        char when[32];
        format_time(s->next_due[next], when);
        sb_printf(&st, "next: %s at %s", job_table[next].name, when);
    }
    svcn_status(st.len ? st.data : "Idle");
    sb_free(&st);
    s->status_last = monotonic_seconds();
}

static void keep_watchdog(scheduler *s)
{
    double now = monotonic_seconds();
    if (s->watchdog_every > 0 && now - s->watchdog_last >= s->watchdog_every) {
        svcn_watchdog();
        s->watchdog_last = now;
    }
}

static void consider(double *wake, double t)
{
    if (*wake < 0 || t < *wake)
        *wake = t;
}

/* The next wake-up in real-clock seconds (fractional), or -1 for none. */
static double next_wake(const scheduler *s)
{
    double real_now = (double)time(NULL), mono = monotonic_seconds(), wake = -1;
    for (int j = 0; j < JOB_COUNT && !s->stopping; j++)
        if (s->next_due[j] >= 0)
            consider(&wake, (double)(s->next_due[j] - s->clock_offset));
    /* Monotonic deadlines are converted here; a clock jump in between
     * only shifts one short wait. */
    if (active_workers(s))
        consider(&wake, real_now + (s->status_last + STATUS_REFRESH_S - mono));
    if (s->watchdog_every > 0)
        consider(&wake, real_now + (s->watchdog_last + s->watchdog_every - mono));
    if (s->stopping && !s->cancel_sent)
        consider(&wake, real_now + (s->stop_deadline - mono));
    if (s->cancel_sent)
        consider(&wake, real_now + (s->cancel_deadline - mono));
    return wake;
}

static void sleep_until_event(scheduler *s)
{
    double wake = next_wake(s);
    if (wake < 0) {
        pthread_cond_wait(&s->wake, &s->mu);
        return;
    }
    struct timespec until = {(time_t)wake, (long)((wake - (double)(time_t)wake) * 1e9)};
    int rc = pthread_cond_timedwait(&s->wake, &s->mu, &until);
    if (rc != 0 && rc != ETIMEDOUT)
        log_error("scheduler wait: %s", strerror(rc));
}

/* ---- the loop ----------------------------------------------------------- */

int scheduler_run(scheduler *s)
{
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (s->reload_requested)
            handle_reload(s);
        reap_finished_runs(s);
        if (s->stop_requests > 0) {
            rc = advance_stop(s);
            if (rc != 0 || active_workers(s) == 0)
                break;
        } else {
            fire_due_jobs(s, scheduler_now(s));
            start_ready_runs(s);
        }
        keep_watchdog(s);
        publish_status(s);
        sleep_until_event(s);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

scheduler *scheduler_new(const config *cfg, long long clock_offset, const scheduler_hooks *hooks)
{
    scheduler *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL); /* CLOCK_REALTIME: due times are wall-clock times */
    rq_init(&s->q);
    s->cfg = cfg_ref_new(cfg, false);
    if (hooks)
        s->hooks = *hooks;
    s->clock_offset = clock_offset;
    atomic_init(&s->cancel, 0);
    for (int j = 0; j < JOB_COUNT; j++) {
        s->next_due[j] = -1;
        load_schedule(s, cfg, (job_id)j);
        log_next(s, (job_id)j);
    }
    s->watchdog_every = svcn_watchdog_interval();
    s->watchdog_last = monotonic_seconds();
    return s;
}

void scheduler_free(scheduler *s)
{
    if (!s)
        return;
    /* A hard stop leaves workers running: keep what they may touch. */
    if (active_workers(s))
        return;
    for (int j = 0; j < JOB_COUNT; j++) {
        cron_free(s->cron[j]);
        free(s->cron_text[j]);
    }
    cfg_ref_put(s->cfg);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
