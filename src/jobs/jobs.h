/* jobs.h - the eleven jobs: their public names, legacy aliases, default
 * schedules, and the dependency table (SPEC 1, SPEC-2026 2). This table is
 * the only place that knows who must re-run after whom; the chain,
 * --with-dependents, the scheduler and the locks all read it. */
#ifndef TIS_JOBS_H
#define TIS_JOBS_H

#include "config.h"
#include "db.h"
#include "tcs_schema.h"
#include "util.h"

#include <stdatomic.h>
#include <stdbool.h>

/* In nightly chain order (SPEC-2026 2): the chain, and every list of jobs
 * built from a set, run them in this order. */
typedef enum {
    JOB_PERSON_OWNER,
    JOB_PERSON_TRUST_EMPLOYING,
    JOB_PERSON_TRUST_TRAINING,
    JOB_POST_TRUST_EMPLOYING,
    JOB_POST_TRUST_TRAINING,
    JOB_PERSON_RECORD_STATUS,
    JOB_PERSON_SEARCH,
    JOB_REVAL_PM,
    JOB_POST_FUNDING_STATUS,
    JOB_REVAL_PLACEMENT,
    JOB_POST_SEARCH,
    JOB_COUNT
} job_id;

typedef unsigned job_set; /* bit J set: job J is in the set */
#define JOB_BIT(j) (1u << (unsigned)(j))
#define JOB_SET_ALL ((1u << JOB_COUNT) - 1u)

struct job_lock;

/* What a running job shares with its runner. Counters are atomics: the
 * scheduler, the log ticker and the HTTP API read them from other threads. */
typedef struct job_ctx {
    const config *cfg;
    job_id job;
    char today[11];                 /* YYYY-MM-DD */
    atomic_llong rows_done;         /* rows read or produced so far */
    atomic_llong rows_expected;     /* 0 when unknown */
    tcs_shape shape;                /* the TCS schema shape found at the start of the run */
    const char *argument;           /* PersonRecordStatusJob's date of change (NULL: today) */
    bool force;                     /* run --force: switch to an index below search.min_ratio */
    atomic_int *cancel;             /* set when the job must stop: the service stops, or an operator cancels */
    char cancelled_by[129];         /* the operator who cancelled ("api:<token>"), set before *cancel */
    struct job_lock *lock;          /* the job's lease, held by the runner */
    struct job_lock *target_lock;   /* the lease on the table it writes ("writes-<Table>"), or NULL */
    long long records;              /* rows the job produced (the log's "records") */
    long long rows_written;         /* rows inserted + deleted, or documents indexed */
    long long rows_committed;       /* of those, the rows already committed (the status jobs commit in batches) */
    long long warnings;
    strbuf error;                   /* "step: message" when the job fails */
} job_ctx;

typedef int (*job_fn)(job_ctx *ctx);

typedef struct {
    job_id id;
    const char *name;         /* public name */
    const char *bean;         /* legacy bean name */
    const char *method;       /* legacy method name */
    const char *status_key;   /* lower-camel key of GET /jobs/status */
    cfg_key schedule;         /* its cron setting */
    cfg_key policy;           /* its startup.policy.<job> setting */
    const char *target;       /* what it writes; jobs with one target never run at once (NULL: none) */
    job_id dependents[2];     /* re-run after it, in order */
    int ndependents;
    const char *const *requires; /* TCS tables and Table.columns it needs beyond the 2019 schema, or NULL */
    bool needs_broker;        /* exists only when a RabbitMQ broker is configured (rabbitmq.host) */
    job_fn run;
} job_def;

extern const job_def job_table[JOB_COUNT];

/* Finds a job by name, legacy bean, legacy method or status-map key
 * (case-insensitive). */
const job_def *job_find(const char *name);
/* Whether the job exists under CFG: the reval jobs need a broker. */
bool job_available(const config *cfg, job_id job);
/* The jobs that exist under CFG (the whole chain). */
job_set jobs_available(const config *cfg);
/* True if B must re-run after A (B is in A's dependents, transitively). */
bool job_depends_on(job_id b, job_id a);
/* Job ids of SET in chain order into OUT; returns how many. */
size_t job_set_to_list(job_set set, job_id out[JOB_COUNT]);
/* "A, B, C" into SB. */
void job_set_describe(job_set set, strbuf *sb);
/* Appends "name (also bean, method, status key)" lines of every job, for
 * error messages. */
void job_list_names(strbuf *out);

/* Sets ctx->error to "STEP: message" (replacing any earlier one); returns -1. */
int job_fail(job_ctx *ctx, const char *step, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* True (and sets the error) when the job was asked to stop, or its lease
 * was lost. */
bool job_cancelled(job_ctx *ctx);
/* Right before a job makes its result visible: with CONN, in its open
 * transaction just before the commit, fences the commit with the job's
 * leases (lock.h); without (the alias switch), checks the job's lease is
 * still ours. 0 when it is, else -1 with the error set: do not commit. */
int job_fence(job_ctx *ctx, db *conn);
/* Tests only (debug.pause_*_ms): holds the job at one point (a table's
 * diff, an alias switch: WHAT) so that a test can act in between (it waits
 * for the log line); a cancel ends the pause. */
void debug_pause(job_ctx *ctx, cfg_key key, const char *what);
/* Opens a database connection for a job; on failure sets the error. */
db *job_connect(job_ctx *ctx, const char *step);
/* The SQL file NAME for the connection's dialect and the run's TCS shape
 * (see tcs_sql_text). */
const char *job_sql(const job_ctx *ctx, const db *conn, const char *name);

/* The job implementations. */
int job_person_owner(job_ctx *ctx);
int job_person_trust_employing(job_ctx *ctx);
int job_person_trust_training(job_ctx *ctx);
int job_post_trust_employing(job_ctx *ctx);
int job_post_trust_training(job_ctx *ctx);
int job_person_search(job_ctx *ctx);
int job_person_record_status(job_ctx *ctx);
int job_post_funding_status(job_ctx *ctx);
int job_reval_pm(job_ctx *ctx);
int job_reval_placement(job_ctx *ctx);
int job_post_search(job_ctx *ctx);

#endif
