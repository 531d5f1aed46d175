/* runner.h - runs jobs the same way whatever started them (CLI, cron,
 * catch-up, HTTP API): the cluster-wide lock for the whole run, waiting for
 * a running job it reads from, pause, the run history (with who started
 * each run), the log lines operators grep for, each run's own log,
 * progress and cancel (run_monitor.h), run events, and Slack
 * notifications. */
#ifndef TIS_RUNNER_H
#define TIS_RUNNER_H

#include "config.h"
#include "jobs.h"

#include <stdatomic.h>

typedef enum { TRIGGER_CLI, TRIGGER_CRON, TRIGGER_STARTUP, TRIGGER_API } run_trigger;

typedef enum {
    RUN_SUCCEEDED,
    RUN_FAILED,
    RUN_ALREADY_RUNNING, /* held by another run, here or on another instance, or
                          * the firing (req.scheduled) was already run elsewhere */
    RUN_SKIPPED,         /* a job it depends on failed in this sequence */
    RUN_CANCELLED,       /* an operator cancelled it (queued or running) */
    RUN_PAUSED,          /* paused: not started by a schedule or catch-up */
} run_outcome;

const char *run_outcome_name(run_outcome outcome);

typedef struct {
    const config *cfg;
    run_trigger trigger;
    const char *today;  /* NULL: jobs.today, else the UTC date */
    atomic_int *cancel; /* set by the service to stop; may be NULL */
    /* The cron fire time (UTC epoch, as the schedule computes it) this run
     * is for, or 0. It is recorded in the history (scheduled_for). Two
     * instances fire the same schedule: once the lock is held, a firing
     * that already has a run with the same fire time (running, succeeded
     * or failed, on any instance) is skipped, so each firing runs once
     * between them, whatever their clocks say. */
    long long scheduled;
    /* PersonRecordStatusJob's date of change: "ANY" or YYYY-MM-DD; NULL
     * for today. The other jobs take no argument and ignore it. */
    const char *argument;
    /* An operator's override of a safety check for this run only (`run
     * --force`: the search jobs switch to a much smaller index). */
    bool force;
    /* Per job id, the history row made when the job was asked for through
     * the API (history_queue: it records who asked), or 0; NULL: none.
     * Such a job runs even when paused. */
    const long long *queued_ids;
    /* Called by runner_run_sequence before each job (run or skipped), so
     * the scheduler knows how far a sequence got. May be NULL. */
    void (*on_job)(void *arg, job_id job);
    void *on_job_arg;
} run_request;

run_outcome runner_run(const run_request *req, job_id job);
/* Runs JOBS in order; a job that depends on one that did not succeed in
 * this sequence is skipped (and recorded as such). Returns the worst
 * outcome: FAILED over ALREADY_RUNNING over SKIPPED over SUCCEEDED. */
run_outcome runner_run_sequence(const run_request *req, const job_id *jobs, size_t n);
/* JOBS plus everything that must re-run after them, in chain order. */
size_t runner_expand_dependents(const job_id *jobs, size_t n, job_id out[JOB_COUNT]);
const char *run_trigger_name(run_trigger trigger);

/* "cli", "schedule", "catch-up" or "api": who started a run of TRIGGER
 * that was not asked for through the API with a token. */
const char *run_trigger_started_by(run_trigger trigger);

/* Live state for the API and the service manager: whether JOB runs in
 * this process, and its progress counters. */
bool runner_is_running(job_id job, long long *rows_done, long long *rows_expected);
/* Cancels run RUN_ID at once if this process runs it (WHO is recorded);
 * false when it does not. Other instances see the flag history_request_cancel
 * sets within a second. */
bool runner_cancel(long long run_id, const char *who);

#endif
