/* run_events.c - the run event stream (see run_events.h).
 *
 * Global: `stream`, a ring of the last events under one mutex and
 * condition variable. It is process-wide by nature: one process, one
 * stream of its runs. */
#include "run_events.h"

#include <pthread.h>
#include <time.h>

struct run_events_reader {
    unsigned long long next; /* the seq it reads next */
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t published;
    run_event ring[RUN_EVENTS_KEPT];
    unsigned long long last_seq; /* 0: nothing published yet */
    int readers;
} stream = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {{0}}, 0, 0};

const char *run_event_kind_name(run_event_kind kind)
{
    static const char *const names[] = {"started", "progress", "finished"};
    return names[kind];
}

void run_events_publish(run_event event)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    event.at_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    pthread_mutex_lock(&stream.mu);
    event.seq = ++stream.last_seq;
    stream.ring[event.seq % RUN_EVENTS_KEPT] = event;
    pthread_cond_broadcast(&stream.published);
    pthread_mutex_unlock(&stream.mu);
}

run_events_reader *run_events_follow(int max)
{
    pthread_mutex_lock(&stream.mu);
    run_events_reader *r = NULL;
    if (stream.readers < max) {
        r = xcalloc(1, sizeof *r);
        r->next = stream.last_seq + 1;
        stream.readers++;
    }
    pthread_mutex_unlock(&stream.mu);
    return r;
}

int run_events_next(run_events_reader *r, run_event *out, int timeout_ms, unsigned long long *missed)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&stream.mu);
    while (r->next > stream.last_seq)
        if (pthread_cond_timedwait(&stream.published, &stream.mu, &until) != 0)
            break;
    int rc = 0;
    if (r->next <= stream.last_seq) {
        unsigned long long oldest = stream.last_seq >= RUN_EVENTS_KEPT ? stream.last_seq - RUN_EVENTS_KEPT + 1 : 1;
        rc = 1;
        if (r->next < oldest) {
            *missed = oldest - r->next;
            r->next = oldest;
            rc = 2;
        }
        *out = stream.ring[r->next % RUN_EVENTS_KEPT];
        r->next++;
    }
    pthread_mutex_unlock(&stream.mu);
    return rc;
}

void run_events_unfollow(run_events_reader *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&stream.mu);
    stream.readers--;
    pthread_mutex_unlock(&stream.mu);
    free(r);
}
