/* status_cache.h - the state of every job as the operator interface shows
 * it (GET /api/v1/jobs, GET /metrics): its schedule and next run, paused
 * or not, the run going now on any instance, the last run and last
 * success, and the run counts and durations. It is read from the shared
 * history and the scheduler at most once a second, however many clients
 * ask: 200 consoles and a Prometheus cost the database one read a second. */
#ifndef TIS_STATUS_CACHE_H
#define TIS_STATUS_CACHE_H

#include "history_query.h"
#include "http_request.h"

enum { STATUS_MAX_AGE_MS = 1000 };

typedef struct {
    bool available;        /* exists under the configuration (the reval jobs need a broker) */
    char schedule[128];
    long long next_run_ms; /* 0: never */
    bool paused;
    char paused_by[129];
    long long paused_at_ms;
    bool has_running, has_queued, has_last;
    run_row running; /* a run going now, on any instance */
    run_row queued;  /* the oldest run queued for it */
    run_row last;    /* the newest run that ended */
    long long last_success_ms; /* 0: never */
} job_status_view;

typedef struct {
    long long built_ms;
    char time_zone[64];
    job_status_view jobs[JOB_COUNT];
    run_count *counts;
    size_t ncounts;
    duration_histogram *durations;
    size_t ndurations;
    int refs; /* guarded by the cache's mutex */
} status_snapshot;

status_cache *status_cache_new(void);
void status_cache_free(status_cache *c);
/* The current snapshot (rebuilt when older than STATUS_MAX_AGE_MS), or NULL
 * with *err set when the history cannot be read. Release it when done. */
status_snapshot *status_acquire(http_service *svc, strbuf *err);
void status_release(http_service *svc, status_snapshot *s);
/* Forgets the snapshot: the next reader sees a change just made. */
void status_invalidate(http_service *svc);

/* Whether ROW (status running) is still going: this process runs it, or
 * the job's lease is live (lock.h), or, when the lease cannot be read, its
 * process is alive (same host). A row left by a crashed process is not. */
bool status_run_alive(db *conn, const run_row *row);

#endif
