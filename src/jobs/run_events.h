/* run_events.h - the runs of this process as a stream of events (started,
 * progress, finished), for the API's Server-Sent Events and the console.
 *
 * The runner publishes; any number of readers, up to a bound, follow the
 * stream at their own pace. The last RUN_EVENTS_KEPT events are kept; a
 * reader that falls further behind is told how many it missed and carries
 * on from the oldest kept event (it can read the rest from the history). */
#ifndef TIS_RUN_EVENTS_H
#define TIS_RUN_EVENTS_H

#include "jobs.h"

enum { RUN_EVENTS_KEPT = 512 };

typedef enum { RUN_EVENT_STARTED, RUN_EVENT_PROGRESS, RUN_EVENT_FINISHED } run_event_kind;

typedef struct {
    run_event_kind kind;
    unsigned long long seq; /* 1, 2, ... in publishing order */
    long long run_id;
    job_id job;
    long long rows_done;
    long long rows_expected; /* 0: unknown */
    char status[16];         /* finished: the run's status as recorded */
    long long at_ms;         /* UTC epoch milliseconds */
} run_event;

const char *run_event_kind_name(run_event_kind kind);

/* Fills seq and at_ms and wakes the readers. */
void run_events_publish(run_event event);

typedef struct run_events_reader run_events_reader;

/* A new reader that will see events published from now on; NULL when
 * MAX readers are already following. */
run_events_reader *run_events_follow(int max);
/* Waits up to TIMEOUT_MS for the next event. 1: *out is it; 0: none yet;
 * 2: events were missed (*missed says how many), *out is the oldest kept. */
int run_events_next(run_events_reader *r, run_event *out, int timeout_ms, unsigned long long *missed);
void run_events_unfollow(run_events_reader *r);

#endif
