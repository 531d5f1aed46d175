/* history.h - the run history (table tis_sync_run): one row per run of a
 * job, whatever started it, with its outcome. */
#ifndef TIS_HISTORY_H
#define TIS_HISTORY_H

#include "db.h"
#include "util.h"

#include <stdio.h>

/* Run statuses as stored. */
#define RUN_STATUS_RUNNING "running"
#define RUN_STATUS_SUCCEEDED "succeeded"
#define RUN_STATUS_FAILED "failed"
#define RUN_STATUS_SKIPPED "skipped"
#define RUN_STATUS_ABANDONED "abandoned"
#define RUN_STATUS_ABORTED "aborted" /* stopped by a shutdown; rolled back */

/* What the history records about a run when it starts. */
typedef struct {
    const char *job;
    const char *trigger;
    const char *today;          /* YYYY-MM-DD */
    long long scheduled_for;    /* the cron fire time (UTC epoch) the run is for, or 0 */
    const char *tcs_schema;     /* the TCS schema shape found ("2019", "2026"), or NULL */
    const char *argument;       /* the job's argument (PersonRecordStatusJob's date), or NULL */
} history_run;

/* Records the start of a run; returns its id, or -1 (err set). Rows left
 * "running" for the same job by a process that no longer holds its lock
 * are marked abandoned first (the caller holds the job's lock). */
long long history_start(db *conn, const history_run *run, strbuf *err);
int history_finish(db *conn, long long id, const char *status, long long rows, const char *error, strbuf *err);
/* Records a run that did not start (skipped), in one row; SCHEDULED_FOR as
 * for history_start. */
int history_skipped(db *conn, const char *job, const char *trigger, const char *reason, long long scheduled_for,
                    strbuf *err);
/* Prints the newest LIMIT runs, of JOB or of every job. */
int history_print(db *conn, FILE *out, const char *job, int limit, strbuf *err);
/* Whether the cron firing of JOB at SCHEDULED_FOR (the fire time itself,
 * as every instance computes it: no instance's clock is compared) was
 * already taken by a run, on any instance: a row for the same job and fire
 * time that is running (a crashed run, or one that lost its lock), succeeded
 * or failed (a failed firing is not re-run by the other instance: it is the
 * same firing). A run stopped by a shutdown ("aborted") or marked
 * "abandoned" rolled back, and does not count. *WHO gets "host pid N" of
 * that run. 1 yes, 0 no, -1 error. */
int history_firing_taken(db *conn, const char *job, long long scheduled_for, char who[300], strbuf *err);
/* The newest run of JOB that ended: status and start time (UTC epoch).
 * 1 found, 0 none, -1 error. */
int history_last(db *conn, const char *job, char status[16], long long *started_epoch, long long *last_success_epoch,
                 strbuf *err);

#endif
