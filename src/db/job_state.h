/* job_state.h - what an operator set on a job that every instance on the
 * database must honour (table tis_sync_job_state): for now, paused. A
 * paused job is not started by its schedule or by start-up catch-up; it
 * can still be run by hand. */
#ifndef TIS_JOB_STATE_H
#define TIS_JOB_STATE_H

#include "db.h"
#include "util.h"

typedef struct {
    char job[65];
    bool paused;
    char changed_by[129]; /* "api:<token>", "cli" */
    char changed_at[32];  /* 'YYYY-MM-DD HH:MM:SS.mmm' UTC */
} job_state;

/* Every job with a state row into *out (caller frees). 0 or -1 (*err). */
int job_state_read(db *conn, job_state **out, size_t *n, strbuf *err);
/* 1 and *STATE when JOB is paused, 0 when not, -1 error. */
int job_state_paused(db *conn, const char *job, job_state *state, strbuf *err);
/* Pauses or resumes JOB, recording BY. 1 changed, 0 already so, -1 error. */
int job_state_set(db *conn, const char *job, bool paused, const char *by, strbuf *err);

#endif
