/* run_queue.h - the scheduler's runs, as plain data (no threads, no clock,
 * no database) so that its rules are unit-tested.
 *
 * A run is a set of jobs that one worker thread runs in chain order through
 * runner_run_sequence (the job ids are in chain order). The rules:
 *
 *  - One worker per job at a time in this process: a queued run starts once
 *    no running run still has one of its jobs to do (the job it is running
 *    or one it has yet to reach). Other instances are kept out by the
 *    cluster-wide lock in the runner, not here.
 *  - A trigger is merged rather than queued twice: into a running run that
 *    has every job of the trigger still ahead of it, or into queued runs it
 *    overlaps (which become one run: their union, still in chain order).
 *  - A trigger with an argument (PersonRecordStatusJob's date of change) or
 *    its own "today" is a run of its own: it is not merged, and nothing is
 *    merged into it.
 *  - The nightly chain asked for by hand is refused while a chain is queued
 *    or running (the legacy PUT /jobs queued one chain per call).
 *  - A job asked for through the API has a history row made beforehand (its
 *    run id, given to the client); a run keeps one per job, and a trigger
 *    merged into a run that already has one for a job is given that one.
 *  - A trigger naming a job this process is running right now: the API is
 *    told "Already running"; a cron firing starts at once anyway and meets
 *    the job's lock, so it is logged and recorded as "already running" like
 *    a firing that finds the job running on another instance. */
#ifndef TIS_RUN_QUEUE_H
#define TIS_RUN_QUEUE_H

#include "jobs.h"
#include "runner.h"

#include <stdbool.h>


enum { RQ_MAX = 32, RQ_ARGUMENT_MAX = 16, RQ_TODAY_MAX = 11 };

typedef enum { RQ_FREE, RQ_QUEUED, RQ_RUNNING } rq_state;

typedef struct {
    rq_state state;
    job_set jobs;        /* every job of the run */
    job_set todo;        /* running: the job being run and those still ahead */
    int current;         /* running: the job being run, -1 before the first */
    run_trigger trigger; /* the first trigger (recorded in the history) */
    long long scheduled; /* cron fire time (UTC epoch) when every trigger was a firing; else 0 */
    bool immediate;      /* a firing of a job running here: starts at once */
    char argument[RQ_ARGUMENT_MAX]; /* the run's argument, "" for none */
    char today[RQ_TODAY_MAX];       /* the run's own today (YYYY-MM-DD), "" for the configured one */
    bool chain;                     /* the nightly chain (or a run it was merged into) */
    long long queued_id[JOB_COUNT]; /* per job, its history row made beforehand, or 0 */
    unsigned long long seq;
} rq_item;

/* What a trigger asks beyond its jobs; NULL for nothing. */
typedef struct {
    const char *argument; /* PersonRecordStatusJob's date of change, or NULL */
    const char *today;    /* YYYY-MM-DD, or NULL */
    bool chain;           /* the nightly chain: RQ_BUSY while another is queued or running */
} rq_params;

typedef struct {
    rq_item items[RQ_MAX];
    unsigned long long next_seq;
} run_queue;

typedef enum {
    RQ_NEW,     /* a new queued run */
    RQ_MERGED,  /* merged into a queued or running run */
    RQ_BUSY,    /* the named job is running here; nothing queued */
    RQ_FULL,    /* no free slot; nothing queued */
} rq_result;

void rq_init(run_queue *q);
/* Submits JOBS (non-empty). PRIMARY is the job the trigger names, or -1
 * (the chain). SCHEDULED: a cron firing's time, else 0. PARAMS: see
 * rq_params (the argument at most RQ_ARGUMENT_MAX - 1 bytes). *SLOT
 * receives the run's slot for RQ_NEW and RQ_MERGED. */
rq_result rq_submit(run_queue *q, job_set jobs, int primary, run_trigger trigger, long long scheduled,
                    const rq_params *params, int *slot);
/* Gives run SLOT the history rows IDS made for its jobs (0: none). A job
 * that already has one keeps it: IDS[j] becomes that one, and the row made
 * for nothing goes to SPARE[j] (else 0). */
void rq_take_ids(run_queue *q, int slot, long long ids[JOB_COUNT], long long spare[JOB_COUNT]);
/* Gives the job whose history row is OLD_ID, if no worker has begun it,
 * the row NEW_ID instead (OLD_ID was cancelled while queued, and the job
 * was asked for again). False when no waiting job has OLD_ID. */
bool rq_replace_id(run_queue *q, long long old_id, long long new_id);
/* The oldest queued run that may start now, or -1. */
int rq_next_startable(const run_queue *q);
void rq_start(run_queue *q, int slot);
/* The worker of SLOT begins JOB (jobs before it in the run are done). */
void rq_job_started(run_queue *q, int slot, job_id job);
void rq_finish(run_queue *q, int slot);
/* Drops the queued runs (on shutdown); returns the jobs they held. */
job_set rq_drop_queued(run_queue *q);
/* The jobs being run right now, and the number of running runs. */
job_set rq_current_jobs(const run_queue *q);
int rq_running_count(const run_queue *q);

#endif
