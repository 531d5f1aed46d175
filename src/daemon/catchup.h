/* catchup.h - what `serve` runs when it starts (SPEC 1, "Startup catch-up
 * rule"), as pure functions of a clock value and the run history, so that
 * every rule is unit-tested with a fake clock:
 *
 *  - inside the catch-up window [earliest, latest) UTC the whole chain runs
 *    once, in order;
 *  - otherwise a job is out of date when its newest run did not succeed, or
 *    when it has not succeeded since its last due time; its policy (skip, or
 *    run_once within a grace period) decides whether it runs now.
 *
 * Also the small parsers the configuration validates these settings with. */
#ifndef TIS_CATCHUP_H
#define TIS_CATCHUP_H

#include "cron.h"
#include "util.h"

#include <stdbool.h>
#include <time.h>

/* "HH:MM" or "HH:MM:SS" (24:00:00 allowed, as an exclusive end) into
 * seconds since midnight. */
bool catchup_parse_time_of_day(const char *s, int *seconds);
/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) into an epoch. */
bool catchup_parse_timestamp(const char *s, time_t *out);

/* Whether NOW falls in [EARLIEST, LATEST) (seconds of the UTC day). A
 * window with EARLIEST > LATEST wraps midnight (22:00 to 06:00); EARLIEST ==
 * LATEST is an empty window, which turns the rule off. */
bool catchup_in_window(time_t now, int earliest, int latest);
/* When the window NOW is in opened (an epoch): the firing its catch-up
 * stands for, so that instances starting in the same window run the chain
 * once between them, as they run a cron firing once. */
long long catchup_window_opening(time_t now, int earliest);

typedef enum { POLICY_SKIP, POLICY_RUN_ONCE } ood_policy;

typedef struct {
    ood_policy policy;
    long long grace; /* seconds: run_once only runs a job out of date for at most this long */
} job_policy;

/* "skip", "run_once" or "run_once:SECONDS"; a bare run_once keeps the
 * grace already in *out (the global default). */
bool job_policy_parse(const char *s, job_policy *out);

/* What the history says about one job (epochs; 0 = none). */
typedef struct {
    bool any_run;           /* a run of it has ended */
    bool last_ok;           /* the newest ended run succeeded */
    long long last_started; /* start of the newest ended run */
    long long last_success; /* start of the newest successful run */
} job_record;

typedef enum {
    OOD_CURRENT,     /* up to date: nothing to do */
    OOD_RUN,         /* out of date, and the policy runs it now */
    OOD_SKIP_POLICY, /* out of date, policy skip: the next scheduled run fixes it */
    OOD_SKIP_GRACE,  /* out of date for longer than the grace period */
} ood_verdict;

/* Decides for one job. LAST_DUE is its latest scheduled time at or before
 * NOW (-1 if none). WHY receives a sentence for the log. */
ood_verdict catchup_decide(const job_record *rec, long long last_due, long long now, const job_policy *policy,
                           strbuf *why);

/* The latest fire time of EXPR at or before NOW, or -1 if none in the
 * previous five years. */
time_t cron_prev(const cron_expr *expr, time_t now);

/* Formats an epoch as "YYYY-MM-DD HH:MM:SS UTC" into buf[32] ("never" for
 * -1 or 0). */
void catchup_format_utc(long long t, char buf[32]);

#endif
