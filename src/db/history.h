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
#define RUN_STATUS_ABANDONED "abandoned" /* queued, and never started: its process ended first */
#define RUN_STATUS_CRASHED "crashed"     /* running when its process died: it committed nothing */
#define RUN_STATUS_ABORTED "aborted" /* stopped by a shutdown; rolled back */
#define RUN_STATUS_QUEUED "queued"   /* asked for through the API, not started yet */
#define RUN_STATUS_CANCELLED "cancelled" /* cancelled by an operator; rolled back */

/* What the history records about a run when it starts. */
typedef struct {
    const char *job;
    const char *trigger;
    const char *today;          /* YYYY-MM-DD, or NULL */
    long long scheduled_for;    /* the cron fire time (UTC epoch) the run is for, or 0 */
    const char *tcs_schema;     /* the TCS schema shape found ("2019", "2026"), or NULL */
    const char *argument;       /* the job's argument (PersonRecordStatusJob's date), or NULL */
    const char *started_by;     /* cli, schedule, catch-up, api:<token name> */
    long long queued_id;        /* the row history_queue made for this run, or 0 */
} history_run;

/* This instance as the history names it: "<host>:<pid>". */
const char *history_instance(void);
/* When this process started (UTC, as the database stores times). */
const char *history_started(void);
/* True when INSTANCE ("<host>:<pid>", started at STARTED) is of this host
 * and its process has ended (crashed, killed); false when it may live. */
bool history_instance_ended(const char *instance, const char *started);

/* Records a run asked for through the API before it starts (status
 * queued), so that its id can be given at once; returns the id, or -1. */
long long history_queue(db *conn, const history_run *run, strbuf *err);
/* Records the start of a run (its queued row, or a new one); returns its
 * id, 0 when its queued row was cancelled meanwhile, or -1 (err set). Rows left "running" for the same job by a process
 * that no longer holds its lease are marked crashed first (the caller holds
 * the job's lease). */
long long history_start(db *conn, const history_run *run, strbuf *err);
int history_finish(db *conn, long long id, const char *status, long long rows, const char *error, strbuf *err);
/* Marks crashed the rows left running by a process that died (on any
 * host): those whose job's lease is no longer held. *MARKED counts them. */
int history_mark_crashed(db *conn, int *marked, strbuf *err);
/* Records a run that did not start (skipped, or cancelled before it
 * started: STATUS), in its queued row or a new one. */
int history_not_run(db *conn, const history_run *run, const char *status, const char *reason, strbuf *err);
/* Forgets the queued row ID made for a run that was not queued after all
 * (merged into another run's row, or refused). */
int history_drop_queued(db *conn, long long id, strbuf *err);
/* Marks queued rows abandoned: this process's (AT_STOP: the service stops
 * before starting them), or those a process on this host that has ended
 * left (a live blue or green instance keeps its own). */
int history_abandon_queued(db *conn, bool at_stop, strbuf *err);

/* The progress of a running run, for every instance to show. */
int history_progress(db *conn, long long id, long long done, long long expected, strbuf *err);
/* Cancels run ID on any instance: a queued run is recorded cancelled at
 * once (2); a running one is flagged (1) for the instance running it
 * (history_cancel_requested), which rolls it back and records it. 0: no
 * such run still queued or running; -1: error. */
int history_request_cancel(db *conn, long long id, const char *who, strbuf *err);
/* 1 and *WHO when a cancel was asked for run ID, 0 not, -1 error. */
int history_cancel_requested(db *conn, long long id, char who[129], strbuf *err);

/* One log line of a run. */
typedef struct {
    char at[32];   /* 'YYYY-MM-DD HH:MM:SS.mmm' UTC */
    char level[6];
    char *text;
} run_log_line;

/* Appends lines FIRST_SEQ.. of run ID's log, and keeps only its last KEEP
 * lines. 0 or -1 (err). */
int history_log_append(db *conn, long long id, long long first_seq, const run_log_line *lines, size_t n,
                       long long keep, strbuf *err);
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
