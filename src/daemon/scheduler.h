/* scheduler.h - the event loop of `serve`: fires each job at its cron
 * times, starts queued runs on worker threads (one run per thread, through
 * runner_run_sequence), merges triggers (run_queue.h), reloads the
 * configuration, and stops gracefully.
 *
 * The loop sleeps on a condition variable until the next due time or an
 * event (a trigger, a signal, a run reaching its next job or ending); it
 * never polls while idle. While runs are in progress it also wakes every
 * few seconds to publish their progress to the service manager, and, when
 * systemd's watchdog is on, at half the watchdog interval. */
#ifndef TIS_SCHEDULER_H
#define TIS_SCHEDULER_H

#include "config.h"
#include "run_queue.h"

typedef struct scheduler scheduler;

typedef struct {
    /* SIGHUP: builds the configuration again and applies what the
     * scheduler does not own (log, Slack). Returns NULL, having logged why,
     * when the new configuration is refused. */
    config *(*reload)(void *arg, const config *current);
    void *arg;
} scheduler_hooks;

/* CFG stays owned by the caller and must outlive the scheduler; reloaded
 * configurations are owned by the scheduler. CLOCK_OFFSET is added to the
 * real clock (debug.now in tests; 0 in production). */
scheduler *scheduler_new(const config *cfg, long long clock_offset, const scheduler_hooks *hooks);
void scheduler_free(scheduler *s);

/* The service clock (UTC epoch). */
long long scheduler_now(const scheduler *s);

typedef enum {
    TRIG_STARTED,         /* queued as a new run */
    TRIG_MERGED,          /* merged into a queued or running run */
    TRIG_ALREADY_RUNNING, /* the named job runs here now, or a chain is queued or running; nothing queued */
    TRIG_REFUSED,         /* shutting down, no room, or none of the jobs is available */
} trigger_result;

/* A run asked for. */
typedef struct {
    job_set jobs;
    int primary;          /* the job the trigger names, or -1 for the chain */
    run_trigger trigger;
    long long scheduled;  /* the firing it stands for (UTC epoch; a catch-up: its window's opening), or 0 */
    rq_params params;     /* argument, today, chain */
    /* NULL, or per job the history row made for it beforehand (0: none);
     * on TRIG_STARTED or TRIG_MERGED each becomes the row of the run that
     * will run the job, and spare_ids the rows made for nothing. */
    long long *queued_ids;
    long long *spare_ids;
} run_ask;

/* Asks for a run (from any thread); jobs not available under the
 * configuration in force are left out. */
trigger_result scheduler_trigger(scheduler *s, run_ask *ask);
/* See rq_replace_id (any thread). */
bool scheduler_replace_queued(scheduler *s, long long old_id, long long new_id);
/* The next time JOB's schedule fires (service clock, UTC epoch), or -1
 * (disabled or not available). Any thread. */
long long scheduler_next_run(scheduler *s, job_id job);
/* The jobs available under the configuration in force (any thread). */
job_set scheduler_jobs_available(scheduler *s);
/* Copies the value of KEY in the configuration in force into OUT (any
 * thread; a reload may replace the configuration meanwhile). False when
 * it is unset. */
bool scheduler_setting(scheduler *s, cfg_key key, char *out, size_t size);
/* From the signal thread: the first call stops scheduling and lets running
 * jobs finish within service.shutdown_grace; a second one cancels at once. */
void scheduler_request_stop(scheduler *s);
void scheduler_request_reload(scheduler *s);
bool scheduler_stopping(scheduler *s);

/* Runs the loop until stopped and every run has ended. Returns 0, or -1
 * when runs did not end within a while of being cancelled. */
int scheduler_run(scheduler *s);

#endif
