/* batch_update.h - sets one column on the rows an ordered query selects, in
 * short transactions (PersonRecordStatusJob, PostFundingStatusSyncJob).
 *
 * A job describes its change as one query streaming (id, new value) in
 * ascending id order for the rows that need it (one set-based read, no
 * query per row), and one UPDATE that names the value as ?1 (and the time
 * of the change as ?2) and whose WHERE also requires the column to differ.
 * The engine commits at most `batch_rows` ids at a time (keyset by id: each
 * batch is the next run of ids), one UPDATE per distinct value, so a TCS
 * user's edit of those rows waits for one short batch, never for the job.
 * Because every UPDATE re-checks the value, the job is idempotent: a re-run
 * completes a failed or cancelled one, and a row edited meanwhile by TCS is
 * only touched if it still differs. */
#ifndef TIS_BATCH_UPDATE_H
#define TIS_BATCH_UPDATE_H

#include "jobs.h"

typedef struct {
    const char *table;           /* for messages */
    const char *select_sql;      /* job_sql name: (id, value) ORDER BY id */
    const db_param *params;      /* of the select */
    size_t nparams;
    const char *update_sql;      /* job_sql name; the engine appends "(id, id, ...)" */
    bool stamp;                  /* bind ?2 to the current UTC time, milliseconds */
    size_t batch_rows;           /* ids per transaction */
} batch_update;

/* Runs the update. 0, or -1 with the job's error set (batches committed
 * before the failure stay: the next run completes them). */
int batch_update_run(job_ctx *ctx, const batch_update *u);

#endif
