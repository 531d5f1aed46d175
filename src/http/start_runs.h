/* start_runs.h - starting runs from the HTTP API, shared by the legacy
 * endpoints and API v1: the history rows made first (so the client gets
 * run ids and the history says who asked), the scheduler's answer, and
 * the audit line. */
#ifndef TIS_START_RUNS_H
#define TIS_START_RUNS_H

#include "history_query.h"
#include "http_request.h"

typedef struct {
    trigger_result result;
    job_set jobs;             /* what was queued (the available ones) */
    long long ids[JOB_COUNT]; /* per job, its run id (0: not in the run) */
} start_outcome;

/* Queues JOBS (PRIMARY: the job named, -1 for the chain) for REQ's client,
 * audited as WHAT. 0, or -1 when the history cannot be written (answered
 * 503 in *answered). */
int start_runs(http_request *req, const char *what, job_set jobs, int primary, const rq_params *params,
               start_outcome *out, enum MHD_Result *answered);

/* 1 and *out (caller frees out->error) when JOB has a run going on any
 * instance, 0 when not, -1 when the history cannot be read. */
int find_running_run(db *conn, job_id job, run_row *out);

/* JOB and, when WITH_DEPENDENTS, every job that must re-run after it. */
job_set job_with_dependents(job_id job, bool with_dependents);

#endif
