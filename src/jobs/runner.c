/* runner.c - one way to run a job (see runner.h).
 *
 * Global: `live`, the jobs running in this process and their counters,
 * read by the HTTP API and sd_notify STATUS. A process-wide table is the
 * honest shape for "what is this process running". */
#include "runner.h"
#include "history.h"
#include "job_state.h"
#include "lock.h"
#include "log.h"
#include "notify.h"
#include "run_events.h"
#include "run_monitor.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct {
    job_ctx *ctx;
    run_monitor *monitor;
    long long run_id;
} live_run;

static struct {
    pthread_mutex_t mutex;
    live_run running[JOB_COUNT];
} live = {PTHREAD_MUTEX_INITIALIZER, {{0}}};

static const char *const trigger_names[] = {"cli", "cron", "startup", "api"};
static const char *const started_by_names[] = {"cli", "schedule", "catch-up", "api"};

const char *run_trigger_name(run_trigger trigger)
{
    return trigger_names[trigger];
}

const char *run_trigger_started_by(run_trigger trigger)
{
    return started_by_names[trigger];
}

const char *run_outcome_name(run_outcome outcome)
{
    static const char *const names[] = {"succeeded", "failed", "already running", "skipped", "cancelled", "paused"};
    return names[outcome];
}

bool runner_is_running(job_id job, long long *rows_done, long long *rows_expected)
{
    pthread_mutex_lock(&live.mutex);
    job_ctx *ctx = live.running[job].ctx;
    if (ctx && rows_done)
        *rows_done = atomic_load(&ctx->rows_done);
    if (ctx && rows_expected)
        *rows_expected = atomic_load(&ctx->rows_expected);
    pthread_mutex_unlock(&live.mutex);
    return ctx != NULL;
}

bool runner_cancel(long long run_id, const char *who)
{
    bool found = false;
    pthread_mutex_lock(&live.mutex);
    for (int j = 0; j < JOB_COUNT && !found; j++)
        if (live.running[j].ctx && live.running[j].run_id == run_id) {
            run_monitor_cancel(live.running[j].monitor, who);
            found = true;
        }
    pthread_mutex_unlock(&live.mutex);
    return found;
}

static void set_live(job_id job, live_run run)
{
    pthread_mutex_lock(&live.mutex);
    live.running[job] = run;
    pthread_mutex_unlock(&live.mutex);
}

static void notify_event(const char *job, const char *event)
{
    char *text = xasprintf("Sync [%s] %s.", job, event);
    notify_send(text);
    free(text);
}

static void notify_failure(const char *job, const char *message)
{
    char *escaped = notify_escape(message);
    char *text = xasprintf("<!channel> Sync [%s] failed with exception [%s].", job, escaped);
    notify_send(text);
    free(text);
    free(escaped);
}

/* Waits until no job that JOB reads from is running anywhere. It only
 * looks: taking the job's lease, even for an instant, could make that
 * job's own start (a firing at the same second) find itself "already
 * running". An upstream job that starts again right after is read as its
 * previous result, which its tables keep until it commits. */
static int wait_for_upstream(const run_request *req, job_ctx *ctx)
{
    unsigned wait_s = (unsigned)cfg_int(req->cfg, CFG_DEPENDENCY_WAIT);
    for (int u = 0; u < JOB_COUNT; u++) {
        const job_def *up = &job_table[u];
        bool reads_from = false;
        for (int d = 0; d < up->ndependents; d++)
            reads_from |= up->dependents[d] == ctx->job;
        if (!reads_from)
            continue;
        strbuf err;
        sb_init(&err);
        int rc = lock_wait_free(req->cfg, up->name, wait_s, ctx->cancel, &err);
        if (rc < 0)
            job_fail(ctx, "wait for dependencies", "%s", err.data);
        else if (rc == 0 && job_cancelled(ctx)) /* the wait ended because the run was stopped */
            sb_printf(&ctx->error, " (while waiting for %s, which this job reads from)", up->name);
        else if (rc == 0)
            job_fail(ctx, "wait for dependencies", "%s, which this job reads from, was still running after %u s",
                     up->name, wait_s);
        sb_free(&err);
        if (rc != 1)
            return -1;
    }
    return 0;
}

/* Two jobs that write one table (the employing and the training body jobs)
 * must not diff it at once: each would commit against a snapshot the other
 * is changing. The second waits for the first, on any instance. */
static int lock_target(const run_request *req, job_ctx *ctx, job_lock **out)
{
    const char *table = job_table[ctx->job].target;
    if (!table)
        return 0;
    unsigned wait_s = (unsigned)cfg_int(req->cfg, CFG_DEPENDENCY_WAIT);
    char *name = xasprintf("writes-%s", table);
    strbuf err;
    sb_init(&err);
    int rc = lock_acquire(req->cfg, name, wait_s, ctx->cancel, out, &err);
    if (rc < 0)
        job_fail(ctx, "lock target", "%s", err.data);
    else if (rc == 0 && job_cancelled(ctx))
        sb_printf(&ctx->error, " (while waiting for another job writing %s)", table);
    else if (rc == 0)
        job_fail(ctx, "lock target", "another job writing %s was still running after %u s", table, wait_s);
    sb_free(&err);
    free(name);
    return rc == 1 ? 0 : -1;
}

/* Logs the outcome and tells Slack. Only a failure pages (<!channel>): a
 * run stopped by an operator or by the service's own shutdown rolled back
 * and is said plainly. */
static void log_outcome(job_ctx *ctx, int rc, double seconds, const char *status)
{
    const char *name = job_table[ctx->job].name;
    if (rc != 0 && strcmp(status, RUN_STATUS_FAILED) != 0) {
        log_warn("Sync job [%s] %s after %.3f s: %s", name, status, seconds, ctx->error.data);
        char *escaped = notify_escape(ctx->error.data);
        char *event = xasprintf("was %s and rolled back (%s)", status, escaped);
        notify_event(name, event);
        free(event);
        free(escaped);
        return;
    }
    if (rc == 0) {
        log_info("Sync job [%s] finished. Total time taken %.3f s for processing [%lld] records (%lld rows written)",
                 name, seconds, ctx->records, ctx->rows_written);
        if (ctx->warnings)
            log_warn("Sync job [%s] finished with %lld warnings", name, ctx->warnings);
        notify_event(name, "completed successfully");
    } else {
        log_error("Sync job [%s] failed after %.3f s: %s", name, seconds, ctx->error.data);
        notify_failure(name, ctx->error.data);
    }
}

/* The TCS schema shape, looked at for every run (SPEC-2026 1). A failure
 * is not fatal here: the job itself meets the broken database and says so. */
static void detect_shape(job_ctx *ctx, db *book)
{
    strbuf err;
    sb_init(&err);
    ctx->shape = tcs_shape_detect(book, &err);
    if (err.len)
        log_warn("Sync [%s]: %s", job_table[ctx->job].name, err.data);
    else
        log_debug("Sync [%s]: TCS schema %s", job_table[ctx->job].name, tcs_shape_name(ctx->shape));
    sb_free(&err);
}

/* The newer jobs read tables of the 2026 schema only: fail at once, naming
 * what is missing, rather than half-way with an SQL error. */
static int check_schema(job_ctx *ctx, db *book)
{
    strbuf missing;
    sb_init(&missing);
    int rc = tcs_check_requirements(book, job_table[ctx->job].requires, &missing);
    if (rc != 0)
        job_fail(ctx, "check schema", "%s: %s needs the 2026 TCS schema (this database has the %s shape)",
                 missing.data, job_table[ctx->job].name, tcs_shape_name(ctx->shape));
    sb_free(&missing);
    return rc;
}

/* What the history records about a run of CTX's job. */
static history_run history_record(const run_request *req, const job_ctx *ctx)
{
    return (history_run){.job = job_table[ctx->job].name,
                         .trigger = run_trigger_name(req->trigger),
                         .today = ctx->today,
                         .scheduled_for = req->scheduled,
                         .tcs_schema = ctx->shape ? tcs_shape_name(ctx->shape) : NULL,
                         .argument = ctx->argument,
                         .started_by = run_trigger_started_by(req->trigger),
                         .queued_id = req->queued_ids ? req->queued_ids[ctx->job] : 0};
}

/* Records a run that does not start with STATUS and REASON (the caller logs it). */
static void record_not_run(const run_request *req, db *book, job_id job, const char *status, const char *reason)
{
    job_ctx ctx = {.job = job};
    history_run record = history_record(req, &ctx);
    record.today = NULL;
    strbuf err;
    sb_init(&err);
    if (history_not_run(book, &record, status, reason, &err) != 0)
        log_error("Sync job [%s]: %s", job_table[job].name, err.data);
    sb_free(&err);
}

/* The job's part of the run, between its start and its outcome. */
static int run_job(const run_request *req, job_ctx *ctx)
{
    int rc = wait_for_upstream(req, ctx);
    if (rc == 0)
        rc = lock_target(req, ctx, &ctx->target_lock);
    if (rc == 0)
        rc = job_table[ctx->job].run(ctx);
    lock_release(ctx->target_lock);
    ctx->target_lock = NULL;
    return rc;
}

/* The status a run that ended with RC is recorded with. A job stopped by a
 * shutdown rolled back: "aborted", not "failed", so operators can tell a
 * deploy from a broken job (both are out of date). */
static const char *final_status(const job_ctx *ctx, int rc)
{
    if (rc == 0)
        return RUN_STATUS_SUCCEEDED;
    if (ctx->cancelled_by[0])
        return RUN_STATUS_CANCELLED;
    return atomic_load(ctx->cancel) ? RUN_STATUS_ABORTED : RUN_STATUS_FAILED;
}

/* Runs the job once its lock is held; records and logs the outcome. */
static run_outcome run_locked(const run_request *req, job_ctx *ctx, db *book)
{
    const char *name = job_table[ctx->job].name;
    strbuf err;
    sb_init(&err);
    detect_shape(ctx, book);
    check_schema(ctx, book); /* a failure is recorded as the run's once it is started */
    history_run record = history_record(req, ctx);
    long long run_id = history_start(book, &record, &err);
    if (run_id <= 0) {
        if (run_id == 0)
            log_info("Sync job [%s] cancelled before it started", name);
        else
            log_error("Sync job [%s] not started: %s", name, err.data);
        sb_free(&err);
        return run_id == 0 ? RUN_CANCELLED : RUN_FAILED;
    }
    run_monitor *monitor = run_monitor_start(ctx, book, run_id, req->cancel);
    log_info("Sync [%s] started", name);
    run_events_publish((run_event){.kind = RUN_EVENT_STARTED, .run_id = run_id, .job = ctx->job});
    notify_event(name, "started");
    double t0 = monotonic_seconds();
    set_live(ctx->job, (live_run){ctx, monitor, run_id});
    int rc = ctx->error.len ? -1 : run_job(req, ctx);
    set_live(ctx->job, (live_run){0});
    log_outcome(ctx, rc, monotonic_seconds() - t0, final_status(ctx, rc));
    run_monitor_stop(monitor); /* writes the outcome line too; nothing cancels from now on */
    const char *status = final_status(ctx, rc);
    run_monitor_free(monitor);
    ctx->cancel = req->cancel; /* the monitor's flag is gone */
    /* A run that failed committed nothing, or only the batches it
     * committed (the status jobs); never the rows it would have written. */
    long long rows = rc == 0 ? ctx->rows_written : ctx->rows_committed;
    if (history_finish(book, run_id, status, rows, rc == 0 ? NULL : ctx->error.data, &err) != 0)
        log_error("Sync job [%s]: %s", name, err.data);
    run_event done = {.kind = RUN_EVENT_FINISHED, .run_id = run_id, .job = ctx->job,
                      .rows_done = atomic_load(&ctx->rows_done), .rows_expected = atomic_load(&ctx->rows_expected)};
    snprintf(done.status, sizeof done.status, "%s", status);
    run_events_publish(done);
    sb_free(&err);
    return rc == 0 ? RUN_SUCCEEDED : strcmp(status, RUN_STATUS_CANCELLED) == 0 ? RUN_CANCELLED : RUN_FAILED;
}

static db *connect_bookkeeping(const run_request *req, const char *job)
{
    db_options opts = cfg_db_options(req->cfg, false);
    char *err = NULL;
    db *conn = db_connect(cfg_db_url(req->cfg), &opts, &err);
    if (!conn) {
        log_error("Sync job [%s] failed: connect: %s", job, err);
        notify_failure(job, err);
        free(err);
    }
    return conn;
}

/* With the lock held: true (logged and recorded as skipped) when another
 * instance already took the firing REQ->scheduled (same job, same fire
 * time in the history: no clock is compared). */
static bool firing_already_run(const run_request *req, db *book, job_id job)
{
    const char *name = job_table[job].name;
    char who[300] = "", when[32];
    strbuf err;
    sb_init(&err);
    int rc = history_firing_taken(book, name, req->scheduled, who, &err);
    if (rc < 0)
        log_error("Sync job [%s]: %s", name, err.data); /* run it: a double run beats a missed one */
    if (rc == 1) {
        utc_format_seconds(req->scheduled, when);
        char *reason = xasprintf("already run for the %s UTC firing (by %s)", when, who);
        log_info("Sync job [%s] %s, exiting this execution", name, reason);
        record_not_run(req, book, job, RUN_STATUS_SKIPPED, reason);
        free(reason);
    }
    sb_free(&err);
    return rc == 1;
}

/* True (logged and recorded as skipped) when JOB is paused and was not
 * asked for by hand: a schedule or catch-up does not start it. */
static bool paused_here(const run_request *req, db *book, job_id job)
{
    bool by_hand = req->trigger == TRIGGER_CLI || req->trigger == TRIGGER_API ||
                   (req->queued_ids && req->queued_ids[job] > 0);
    if (by_hand)
        return false;
    job_state state;
    strbuf err;
    sb_init(&err);
    int rc = job_state_paused(book, job_table[job].name, &state, &err);
    if (rc < 0) /* run it: a run of a paused job beats a missed run */
        log_error("Sync job [%s]: %s", job_table[job].name, err.data);
    sb_free(&err);
    if (rc != 1)
        return false;
    char *reason = xasprintf("paused by %s at %s UTC", state.changed_by, state.changed_at);
    log_info("Sync job [%s] not started by the %s: %s", job_table[job].name, run_trigger_started_by(req->trigger),
             reason);
    record_not_run(req, book, job, RUN_STATUS_SKIPPED, reason);
    free(reason);
    return true;
}

run_outcome runner_run(const run_request *req, job_id job)
{
    const char *name = job_table[job].name;
    db *book = connect_bookkeeping(req, name);
    if (!book)
        return RUN_FAILED;
    job_lock *lock = NULL;
    strbuf err;
    sb_init(&err);
    run_outcome outcome;
    int got = lock_acquire(req->cfg, name, 0, req->cancel, &lock, &err);
    if (got < 0) {
        log_error("Sync job [%s] failed: %s", name, err.data);
        record_not_run(req, book, job, RUN_STATUS_FAILED, err.data); /* its queued row must not stay queued */
        outcome = RUN_FAILED;
    } else if (got == 0) {
        log_info("Sync job [%s] already running, exiting this execution", name);
        record_not_run(req, book, job, RUN_STATUS_SKIPPED, "already running");
        outcome = RUN_ALREADY_RUNNING;
    } else if (req->scheduled && firing_already_run(req, book, job)) {
        outcome = RUN_ALREADY_RUNNING;
    } else if (paused_here(req, book, job)) {
        outcome = RUN_PAUSED;
    } else {
        job_ctx ctx = {.cfg = req->cfg, .job = job, .cancel = req->cancel, .lock = lock, .argument = req->argument,
                       .force = req->force};
        sb_init(&ctx.error);
        const char *today = req->today ? req->today : cfg_str(req->cfg, CFG_TODAY);
        if (today)
            snprintf(ctx.today, sizeof ctx.today, "%s", today);
        else
            utc_today(ctx.today);
        outcome = run_locked(req, &ctx, book);
        sb_free(&ctx.error);
    }
    lock_release(lock);
    sb_free(&err);
    db_close(book);
    return outcome;
}

static run_outcome worse(run_outcome a, run_outcome b)
{
    static const int rank[] = {[RUN_SUCCEEDED] = 0, [RUN_PAUSED] = 0,        [RUN_SKIPPED] = 1,
                               [RUN_CANCELLED] = 2, [RUN_ALREADY_RUNNING] = 3, [RUN_FAILED] = 4};
    return rank[a] >= rank[b] ? a : b;
}

static void record_dependency_skip(const run_request *req, job_id job, job_id failed)
{
    const char *name = job_table[job].name;
    char *reason = xasprintf("skipped: %s, which it depends on, did not succeed", job_table[failed].name);
    log_warn("Sync job [%s] %s", name, reason);
    db *book = connect_bookkeeping(req, name);
    if (book)
        record_not_run(req, book, job, RUN_STATUS_SKIPPED, reason);
    db_close(book);
    free(reason);
}

run_outcome runner_run_sequence(const run_request *req, const job_id *jobs, size_t n)
{
    run_outcome worst = RUN_SUCCEEDED;
    bool not_ok[JOB_COUNT] = {false};
    for (size_t i = 0; i < n; i++) {
        int blocker = -1;
        for (int j = 0; j < JOB_COUNT && blocker < 0; j++)
            if (not_ok[j] && job_depends_on(jobs[i], (job_id)j))
                blocker = j;
        run_outcome o;
        if (req->cancel && atomic_load(req->cancel))
            break;
        if (req->on_job)
            req->on_job(req->on_job_arg, jobs[i]);
        if (blocker >= 0) {
            record_dependency_skip(req, jobs[i], (job_id)blocker);
            o = RUN_SKIPPED;
        } else {
            o = runner_run(req, jobs[i]);
        }
        /* Already running elsewhere is not a failure: the dependents wait
         * for that run (wait_for_upstream) and then read its result. A
         * paused job leaves its data as it was: its dependents run. */
        not_ok[jobs[i]] = o == RUN_FAILED || o == RUN_SKIPPED || o == RUN_CANCELLED;
        worst = worse(worst, o);
    }
    return worst;
}

size_t runner_expand_dependents(const job_id *jobs, size_t n, job_id out[JOB_COUNT])
{
    bool wanted[JOB_COUNT] = {false};
    for (size_t i = 0; i < n; i++) {
        wanted[jobs[i]] = true;
        for (int j = 0; j < JOB_COUNT; j++)
            wanted[j] |= job_depends_on((job_id)j, jobs[i]);
    }
    size_t count = 0;
    for (int j = 0; j < JOB_COUNT; j++) /* the job ids are in chain order */
        if (wanted[j])
            out[count++] = (job_id)j;
    return count;
}
