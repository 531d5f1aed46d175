/* run_monitor.h - the companion of one running job. While the job runs it:
 *
 *  - keeps the run's own log: every line the job's thread (and the monitor)
 *    logs goes to tis_sync_run_log as well as to the log, the last
 *    RUN_LOG_KEEP lines of at most RUN_LOG_LINE_MAX bytes each, written
 *    every second so that any instance can show it live;
 *  - writes the job's progress (rows done, rows expected) to its history
 *    row every second, publishes it as a run event, and logs it every
 *    PROGRESS_LOG_S seconds;
 *  - watches for a cancel asked from any instance (a flag in the run's
 *    history row) and for the service stopping, and then sets the job's
 *    cancel flag (the job rolls back). */
#ifndef TIS_RUN_MONITOR_H
#define TIS_RUN_MONITOR_H

#include "db.h"
#include "jobs.h"

enum { RUN_LOG_KEEP = 2000, RUN_LOG_LINE_MAX = 1024, PROGRESS_LOG_S = 10 };

typedef struct run_monitor run_monitor;

/* Starts following CTX, run RUN_ID of the history. BOOK is the monitor's
 * until run_monitor_stop. CTX->cancel becomes the monitor's flag, set when
 * SERVICE_CANCEL (may be NULL) is, or when an operator cancels the run
 * (then CTX->cancelled_by names who). The calling thread's log lines are
 * the run's log from now on. */
run_monitor *run_monitor_start(job_ctx *ctx, db *book, long long run_id, atomic_int *service_cancel);
/* Cancels the run at once (an operator on this instance): WHO is recorded. */
void run_monitor_cancel(run_monitor *m, const char *who);
/* Stops following; writes the last log lines and the progress. From now
 * on nothing sets CTX->cancel or CTX->cancelled_by, which stay readable
 * until run_monitor_free (then CTX->cancel must be pointed elsewhere). */
void run_monitor_stop(run_monitor *m);
void run_monitor_free(run_monitor *m);

#endif
