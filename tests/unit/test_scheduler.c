/* test_scheduler.c - unit tests for the scheduler's pure rules: the
 * startup catch-up window and out-of-date policy (catchup.h) with a fake
 * clock, the previous due time of a schedule, and the run queue's merge and
 * start rules (run_queue.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* timegm, setenv */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "catchup.h"
#include "config.h"
#include "log.h"
#include "run_queue.h"

#include <pthread.h>

static time_t utc(const char *iso)
{
    time_t t = 0;
    if (!catchup_parse_timestamp(iso, &t))
        fail_msg("bad timestamp in test: %s", iso);
    return t;
}

static int tod(const char *s)
{
    int secs = -1;
    assert_true(catchup_parse_time_of_day(s, &secs));
    return secs;
}

/* ---- catch-up window ---------------------------------------------------- */

struct window_case {
    const char *now, *earliest, *latest;
    bool inside;
};

static void test_window_default(void **state)
{
    (void)state;
    static const struct window_case t[] = {
        {"2030-01-10T00:00:00Z", "00:00:00", "07:00:00", true},
        {"2030-01-10T03:00:00Z", "00:00:00", "07:00:00", true},
        {"2030-01-10T06:59:59Z", "00:00:00", "07:00:00", true},
        {"2030-01-10T07:00:00Z", "00:00:00", "07:00:00", false},
        {"2030-01-10T12:00:00Z", "00:00:00", "07:00:00", false},
        {"2030-01-09T23:59:59Z", "00:00:00", "07:00:00", false},
        /* leap day, year end */
        {"2028-02-29T01:00:00Z", "00:00:00", "07:00:00", true},
        {"2030-12-31T23:00:00Z", "00:00:00", "07:00:00", false},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (catchup_in_window(utc(t[i].now), tod(t[i].earliest), tod(t[i].latest)) != t[i].inside)
            fail_msg("%s in [%s, %s): expected %s", t[i].now, t[i].earliest, t[i].latest,
                     t[i].inside ? "inside" : "outside");
}

static void test_window_custom(void **state)
{
    (void)state;
    static const struct window_case t[] = {
        {"2030-01-10T01:59:59Z", "02:00", "05:30", false},
        {"2030-01-10T02:00:00Z", "02:00", "05:30", true},
        {"2030-01-10T05:29:59Z", "02:00", "05:30", true},
        {"2030-01-10T05:30:00Z", "02:00", "05:30", false},
        /* wraps midnight */
        {"2030-01-10T22:00:00Z", "22:00:00", "06:00:00", true},
        {"2030-01-10T23:59:59Z", "22:00:00", "06:00:00", true},
        {"2030-01-10T00:00:00Z", "22:00:00", "06:00:00", true},
        {"2030-01-10T06:00:00Z", "22:00:00", "06:00:00", false},
        {"2030-01-10T12:00:00Z", "22:00:00", "06:00:00", false},
        /* the whole day, and an empty window (the rule turned off) */
        {"2030-01-10T23:59:59Z", "00:00:00", "24:00:00", true},
        {"2030-01-10T03:00:00Z", "03:00:00", "03:00:00", false},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (catchup_in_window(utc(t[i].now), tod(t[i].earliest), tod(t[i].latest)) != t[i].inside)
            fail_msg("%s in [%s, %s): expected %s", t[i].now, t[i].earliest, t[i].latest,
                     t[i].inside ? "inside" : "outside");
}

/* The firing a catch-up stands for: the opening of the window NOW is in,
 * the same for every instance starting in that window. */
static void test_window_opening(void **state)
{
    (void)state;
    static const struct {
        const char *now, *earliest, *opening;
    } t[] = {
        {"2030-01-10T00:00:00Z", "00:00:00", "2030-01-10T00:00:00Z"},
        {"2030-01-10T06:59:59Z", "00:00:00", "2030-01-10T00:00:00Z"},
        {"2030-01-10T03:00:00Z", "02:30", "2030-01-10T02:30:00Z"},
        /* a window wrapping midnight opened the day before */
        {"2030-01-10T01:00:00Z", "22:00", "2030-01-09T22:00:00Z"},
        {"2030-01-10T23:00:00Z", "22:00", "2030-01-10T22:00:00Z"},
        {"2031-01-01T00:30:00Z", "23:00", "2030-12-31T23:00:00Z"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        assert_int_equal(catchup_window_opening(utc(t[i].now), tod(t[i].earliest)), (long long)utc(t[i].opening));
}

static void test_parsers(void **state)
{
    (void)state;
    int s;
    assert_true(catchup_parse_time_of_day("07:00", &s) && s == 7 * 3600);
    assert_true(catchup_parse_time_of_day("7:00:30", &s) && s == 7 * 3600 + 30);
    assert_true(catchup_parse_time_of_day("24:00:00", &s) && s == 86400);
    assert_false(catchup_parse_time_of_day("24:00:01", &s));
    assert_false(catchup_parse_time_of_day("07:60", &s));
    assert_false(catchup_parse_time_of_day("07:00:", &s));
    assert_false(catchup_parse_time_of_day("07", &s));
    assert_false(catchup_parse_time_of_day("07:00x", &s));
    /* strict: exactly what the configuration accepts (one parser) */
    assert_false(catchup_parse_time_of_day("07:00 ", &s));
    assert_false(catchup_parse_time_of_day(" 7:00", &s));
    assert_false(catchup_parse_time_of_day("+7:00", &s));
    assert_false(catchup_parse_time_of_day("-0:00", &s));
    assert_false(catchup_parse_time_of_day("07: 0", &s));
    assert_false(catchup_parse_time_of_day("07:0", &s));
    assert_false(catchup_parse_time_of_day("07:00:0", &s));
    assert_false(catchup_parse_time_of_day("007:00", &s));
    assert_false(catchup_parse_time_of_day(":00", &s));
    assert_false(catchup_parse_time_of_day("", &s));
    assert_false(catchup_parse_time_of_day(NULL, &s));
    assert_true(catchup_parse_time_of_day("7:05", &s) && s == 7 * 3600 + 300);
    assert_true(catchup_parse_time_of_day("23:59:59", NULL));
    time_t t;
    assert_true(catchup_parse_timestamp("2030-01-10T03:00:00Z", &t) && t == (time_t)1894244400);
    assert_false(catchup_parse_timestamp("2030-01-10 03:00:00", &t));
    assert_false(catchup_parse_timestamp("2030-02-30T03:00:00Z", &t));
    assert_false(catchup_parse_timestamp("2030-01-10T24:00:00Z", &t));
    assert_false(catchup_parse_timestamp("2030-01-10T03:00:00Zjunk", &t));
    job_policy p = {POLICY_RUN_ONCE, 100};
    assert_true(job_policy_parse("skip", &p) && p.policy == POLICY_SKIP && p.grace == 100);
    assert_true(job_policy_parse("run_once", &p) && p.policy == POLICY_RUN_ONCE && p.grace == 100);
    assert_true(job_policy_parse("run_once:7200", &p) && p.grace == 7200);
    assert_false(job_policy_parse("run_once:", &p));
    assert_false(job_policy_parse("run_once:-1", &p));
    assert_false(job_policy_parse("run_twice", &p));
    assert_false(job_policy_parse("run_onceX", &p));
}

/* ---- previous due time -------------------------------------------------- */

static void check_prev(const char *expr, const char *now, const char *expected)
{
    char err[256];
    cron_expr *e = cron_parse(expr, err, sizeof err);
    assert_non_null(e);
    time_t got = cron_prev(e, utc(now));
    cron_free(e);
    time_t want = expected ? utc(expected) : (time_t)-1;
    if (got != want)
        fail_msg("cron_prev('%s', %s): got %lld, expected %s", expr, now, (long long)got, expected ? expected : "none");
}

static void test_cron_prev(void **state)
{
    (void)state;
    setenv("TZ", "UTC0", 1);
    tzset();
    check_prev("0 05 0 * * *", "2030-01-10T12:00:00Z", "2030-01-10T00:05:00Z");
    check_prev("0 05 0 * * *", "2030-01-10T00:05:00Z", "2030-01-10T00:05:00Z"); /* at or before */
    check_prev("0 05 0 * * *", "2030-01-10T00:04:59Z", "2030-01-09T00:05:00Z");
    check_prev("*/3 * * * * *", "2030-01-10T12:00:04Z", "2030-01-10T12:00:03Z");
    check_prev("0 0 0 1 1 *", "2030-06-01T00:00:00Z", "2030-01-01T00:00:00Z");
    check_prev("0 0 0 29 2 *", "2030-06-01T00:00:00Z", "2028-02-29T00:00:00Z");
    check_prev("0 0 0 30 2 *", "2030-06-01T00:00:00Z", NULL);
}

/* ---- out-of-date policy ------------------------------------------------- */

struct ood_case {
    const char *name;
    job_record rec;        /* epochs filled from the strings below */
    const char *last_started, *last_success;
    const char *now, *due; /* due NULL: the schedule never fired */
    job_policy policy;
    ood_verdict expected;
};

static long long opt_time(const char *iso)
{
    return iso ? (long long)utc(iso) : 0;
}

static void check_ood(const struct ood_case *c)
{
    job_record rec = c->rec;
    rec.last_started = opt_time(c->last_started);
    rec.last_success = opt_time(c->last_success);
    strbuf why;
    sb_init(&why);
    ood_verdict v = catchup_decide(&rec, c->due ? (long long)utc(c->due) : -1, (long long)utc(c->now), &c->policy,
                                   &why);
    if (v != c->expected)
        fail_msg("%s: got verdict %d, expected %d (%s)", c->name, (int)v, (int)c->expected, why.data);
    assert_true(why.len > 0);
    sb_free(&why);
}

static void test_out_of_date(void **state)
{
    (void)state;
    const job_policy run6h = {POLICY_RUN_ONCE, 6 * 3600}, skip = {POLICY_SKIP, 6 * 3600},
                     run12h = {POLICY_RUN_ONCE, 12 * 3600};
    const char *now = "2030-01-10T12:00:00Z", *due = "2030-01-10T01:19:00Z";
    const struct ood_case t[] = {
        {"succeeded after its due time", {true, true, 0, 0}, "2030-01-10T01:19:00Z", "2030-01-10T01:19:00Z", now, due,
         run6h, OOD_CURRENT},
        {"succeeded by hand after its due time", {true, true, 0, 0}, "2030-01-10T09:00:00Z", "2030-01-10T09:00:00Z",
         now, due, run6h, OOD_CURRENT},
        {"last run failed 2 h ago", {true, false, 0, 0}, "2030-01-10T10:00:00Z", "2030-01-10T01:19:00Z", now, due,
         run6h, OOD_RUN},
        {"last run failed 2 h ago, policy skip", {true, false, 0, 0}, "2030-01-10T10:00:00Z", "2030-01-10T01:19:00Z",
         now, due, skip, OOD_SKIP_POLICY},
        {"last run failed 10 h ago", {true, false, 0, 0}, "2030-01-10T02:00:00Z", "2030-01-09T01:19:00Z", now, due,
         run6h, OOD_SKIP_GRACE},
        {"missed its run 10h41 ago", {true, true, 0, 0}, "2030-01-09T01:19:00Z", "2030-01-09T01:19:00Z", now, due,
         run6h, OOD_SKIP_GRACE},
        {"missed its run 10h41 ago, grace 12 h", {true, true, 0, 0}, "2030-01-09T01:19:00Z", "2030-01-09T01:19:00Z",
         now, due, run12h, OOD_RUN},
        {"missed its run 40 min ago", {true, true, 0, 0}, "2030-01-09T01:19:00Z", "2030-01-09T01:19:00Z",
         "2030-01-10T01:59:00Z", due, run6h, OOD_RUN},
        {"missed, policy skip", {true, true, 0, 0}, "2030-01-09T01:19:00Z", "2030-01-09T01:19:00Z",
         "2030-01-10T01:59:00Z", due, skip, OOD_SKIP_POLICY},
        {"never ran, due 40 min ago", {false, false, 0, 0}, NULL, NULL, "2030-01-10T01:59:00Z", due, run6h, OOD_RUN},
        {"never ran, schedule never fired", {false, false, 0, 0}, NULL, NULL, now, NULL, run6h, OOD_CURRENT},
        {"grace boundary: exactly 6 h", {true, false, 0, 0}, "2030-01-10T06:00:00Z", "2030-01-10T01:19:00Z", now, due,
         run6h, OOD_RUN},
        {"grace boundary: 6 h 1 s", {true, false, 0, 0}, "2030-01-10T05:59:59Z", "2030-01-10T01:19:00Z", now, due,
         run6h, OOD_SKIP_GRACE},
        /* failed long ago but also missed recently: the later reason counts */
        {"failed 2 days ago, missed 40 min ago", {true, false, 0, 0}, "2030-01-08T01:19:00Z", "2030-01-07T01:19:00Z",
         "2030-01-10T01:59:00Z", due, run6h, OOD_RUN},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        check_ood(&t[i]);
}

/* ---- run queue ---------------------------------------------------------- */

#define B(j) JOB_BIT(j)

static void test_queue_merges_overlapping_triggers(void **state)
{
    (void)state;
    run_queue q;
    rq_init(&q);
    int a = -1, b = -1, c = -1;
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_OWNER), JOB_PERSON_OWNER, TRIGGER_CRON, 100, NULL, &a), RQ_NEW);
    /* the same job again: merged, not queued twice */
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_OWNER), JOB_PERSON_OWNER, TRIGGER_CRON, 103, NULL, &b), RQ_MERGED);
    assert_int_equal(a, b);
    assert_int_equal(q.items[a].scheduled, 103); /* the latest firing */
    /* owner with dependents overlaps: the queued run becomes the union */
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_OWNER) | B(JOB_PERSON_SEARCH), JOB_PERSON_OWNER, TRIGGER_API, 0, NULL, &b),
                     RQ_MERGED);
    assert_int_equal(q.items[a].jobs, B(JOB_PERSON_OWNER) | B(JOB_PERSON_SEARCH));
    assert_int_equal(q.items[a].scheduled, 0); /* an API trigger wants a fresh run */
    assert_int_equal(q.items[a].trigger, TRIGGER_CRON);
    /* a disjoint trigger is a run of its own */
    assert_int_equal(rq_submit(&q, B(JOB_POST_TRUST_EMPLOYING), JOB_POST_TRUST_EMPLOYING, TRIGGER_CRON, 100, NULL, &c),
                     RQ_NEW);
    assert_int_not_equal(a, c);
    /* a trigger bridging two queued runs folds them into one */
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_SEARCH) | B(JOB_POST_TRUST_EMPLOYING), -1, TRIGGER_API, 0, NULL, &b),
                     RQ_MERGED);
    assert_int_equal(b, a);
    assert_int_equal(q.items[a].jobs, B(JOB_PERSON_OWNER) | B(JOB_PERSON_SEARCH) | B(JOB_POST_TRUST_EMPLOYING));
    assert_int_equal(q.items[c].state, RQ_FREE);
    assert_int_equal(rq_next_startable(&q), a);
}

static void test_queue_one_worker_per_job(void **state)
{
    (void)state;
    run_queue q;
    rq_init(&q);
    int chain = -1, post = -1, owner = -1, slot = -1;
    assert_int_equal(rq_submit(&q, JOB_SET_ALL, -1, TRIGGER_STARTUP, 0, NULL, &chain), RQ_NEW);
    assert_int_equal(rq_next_startable(&q), chain);
    rq_start(&q, chain);
    rq_job_started(&q, chain, JOB_PERSON_OWNER);
    /* cron for a job the running chain has yet to reach: merged into it */
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_SEARCH), JOB_PERSON_SEARCH, TRIGGER_CRON, 100, NULL, &slot), RQ_MERGED);
    assert_int_equal(slot, chain);
    /* ... but not an API trigger into a chain started for a firing */
    /* API for the job it is running now: Already running */
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_OWNER), JOB_PERSON_OWNER, TRIGGER_API, 0, NULL, &slot), RQ_BUSY);
    /* a cron firing of that job starts at once and meets the lock */
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_OWNER), JOB_PERSON_OWNER, TRIGGER_CRON, 100, NULL, &owner), RQ_NEW);
    assert_true(q.items[owner].immediate);
    assert_int_equal(rq_next_startable(&q), owner);
    rq_start(&q, owner);
    rq_finish(&q, owner);
    /* the chain moves on: Post jobs still ahead of it, so a Post run waits */
    rq_job_started(&q, chain, JOB_PERSON_TRUST_TRAINING);
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_OWNER), JOB_PERSON_OWNER, TRIGGER_API, 0, NULL, &owner), RQ_NEW);
    assert_int_equal(rq_submit(&q, B(JOB_POST_TRUST_EMPLOYING) | B(JOB_PERSON_OWNER), JOB_POST_TRUST_EMPLOYING,
                               TRIGGER_API, 0, NULL, &post),
                     RQ_MERGED); /* overlaps the queued owner run */
    assert_int_equal(post, owner);
    assert_int_equal(rq_next_startable(&q), -1);
    rq_job_started(&q, chain, JOB_PERSON_SEARCH); /* done with the Post jobs */
    assert_int_equal(rq_next_startable(&q), owner);
    rq_finish(&q, chain);
    assert_int_equal(rq_running_count(&q), 0);
}

static void test_queue_running_firing_and_api(void **state)
{
    (void)state;
    run_queue q;
    rq_init(&q);
    int cron = -1, slot = -1;
    assert_int_equal(
        rq_submit(&q, B(JOB_POST_TRUST_EMPLOYING), JOB_POST_TRUST_EMPLOYING, TRIGGER_CRON, 100, NULL, &cron), RQ_NEW);
    rq_start(&q, cron); /* started, its job not begun yet */
    /* a run started for a firing may be skipped as already run elsewhere:
     * an API trigger does not join it but waits for it */
    assert_int_equal(
        rq_submit(&q, B(JOB_POST_TRUST_EMPLOYING), JOB_POST_TRUST_EMPLOYING, TRIGGER_API, 0, NULL, &slot), RQ_NEW);
    assert_int_not_equal(slot, cron);
    assert_int_equal(rq_next_startable(&q), -1);
    /* another firing may join it */
    assert_int_equal(
        rq_submit(&q, B(JOB_POST_TRUST_EMPLOYING), JOB_POST_TRUST_EMPLOYING, TRIGGER_CRON, 103, NULL, &slot),
        RQ_MERGED);
    assert_int_equal(rq_drop_queued(&q), B(JOB_POST_TRUST_EMPLOYING));
    rq_finish(&q, cron);
    assert_int_equal(rq_next_startable(&q), -1);
}

static void test_queue_argument_is_a_run_of_its_own(void **state)
{
    (void)state;
    run_queue q;
    rq_init(&q);
    int chain = -1, status = -1, plain = -1;
    assert_int_equal(rq_submit(&q, JOB_SET_ALL, -1, TRIGGER_API, 0, NULL, &chain), RQ_NEW);
    /* a date of change is not merged into the queued chain (which would
     * run PersonRecordStatusJob for today) */
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_RECORD_STATUS), JOB_PERSON_RECORD_STATUS, TRIGGER_API, 0, &(rq_params){.argument = "ANY"},
                               &status),
                     RQ_NEW);
    assert_int_not_equal(status, chain);
    assert_string_equal(q.items[status].argument, "ANY");
    assert_string_equal(q.items[chain].argument, "");
    /* and nothing is merged into it: a plain trigger joins the chain */
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_RECORD_STATUS), JOB_PERSON_RECORD_STATUS, TRIGGER_API, 0, NULL,
                               &plain),
                     RQ_MERGED);
    assert_int_equal(plain, chain);
    /* they overlap: the dated run waits for the chain, which came first */
    assert_int_equal(rq_next_startable(&q), chain);
    rq_start(&q, chain);
    assert_int_equal(rq_next_startable(&q), -1);
    rq_finish(&q, chain);
    assert_int_equal(rq_next_startable(&q), status);
}

static void test_queue_one_chain_and_run_ids(void **state)
{
    (void)state;
    run_queue q;
    rq_init(&q);
    int chain = -1, slot = -1, own = -1;
    const rq_params nightly = {.chain = true};
    assert_int_equal(rq_submit(&q, JOB_SET_ALL, -1, TRIGGER_API, 0, &nightly, &chain), RQ_NEW);
    /* a second chain while one waits: refused, nothing queued */
    assert_int_equal(rq_submit(&q, JOB_SET_ALL, -1, TRIGGER_API, 0, &nightly, &slot), RQ_BUSY);
    /* the rows made for the chain's jobs are its */
    long long ids[JOB_COUNT] = {0}, spare[JOB_COUNT];
    ids[JOB_PERSON_OWNER] = 10;
    ids[JOB_PERSON_SEARCH] = 11;
    rq_take_ids(&q, chain, ids, spare);
    assert_int_equal(q.items[chain].queued_id[JOB_PERSON_OWNER], 10);
    assert_int_equal(q.items[chain].queued_id[JOB_PERSON_SEARCH], 11);
    assert_int_equal(spare[JOB_PERSON_OWNER], 0);
    /* a job asked for again merges into the chain and is given its run */
    long long again[JOB_COUNT] = {0};
    again[JOB_PERSON_OWNER] = 20;
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_OWNER), JOB_PERSON_OWNER, TRIGGER_API, 0, NULL, &slot), RQ_MERGED);
    assert_int_equal(slot, chain);
    rq_take_ids(&q, slot, again, spare);
    assert_int_equal(again[JOB_PERSON_OWNER], 10);
    assert_int_equal(spare[JOB_PERSON_OWNER], 20);
    /* run 10 was cancelled while queued: the job asked again gets row 20 */
    assert_true(rq_replace_id(&q, 10, 20));
    assert_int_equal(q.items[chain].queued_id[JOB_PERSON_OWNER], 20);
    assert_false(rq_replace_id(&q, 10, 21));
    /* its own today makes a run of its own */
    const rq_params dated = {.today = "2026-01-02"};
    assert_int_equal(rq_submit(&q, B(JOB_POST_TRUST_EMPLOYING), JOB_POST_TRUST_EMPLOYING, TRIGGER_API, 0, &dated, &own),
                     RQ_NEW);
    assert_int_not_equal(own, chain);
    assert_string_equal(q.items[own].today, "2026-01-02");
    assert_string_equal(q.items[chain].today, "");
    /* still refused while the chain runs; another may come once it ended */
    rq_start(&q, chain);
    rq_job_started(&q, chain, JOB_PERSON_OWNER);
    assert_false(rq_replace_id(&q, 20, 22)); /* its worker has begun it */
    assert_true(rq_replace_id(&q, 11, 23));  /* the search job is still ahead */
    assert_int_equal(rq_submit(&q, JOB_SET_ALL, -1, TRIGGER_API, 0, &nightly, &slot), RQ_BUSY);
    rq_finish(&q, chain);
    assert_int_equal(rq_submit(&q, JOB_SET_ALL, -1, TRIGGER_API, 0, &nightly, &slot), RQ_NEW); /* not into the dated run */
    assert_int_not_equal(slot, own);
}

static void test_queue_full(void **state)
{
    (void)state;
    run_queue q;
    rq_init(&q);
    int slot;
    assert_int_equal(rq_submit(&q, B(JOB_PERSON_OWNER), JOB_PERSON_OWNER, TRIGGER_API, 0, NULL, &slot), RQ_NEW);
    rq_start(&q, slot);
    rq_job_started(&q, slot, JOB_PERSON_OWNER);
    /* firings of a running job make immediate runs until the table is full */
    int created = 0;
    while (rq_submit(&q, B(JOB_PERSON_OWNER), JOB_PERSON_OWNER, TRIGGER_CRON, 1, NULL, &slot) == RQ_NEW)
        created++;
    assert_int_equal(created, RQ_MAX - 1);
    assert_int_equal(
        rq_submit(&q, B(JOB_POST_TRUST_EMPLOYING), JOB_POST_TRUST_EMPLOYING, TRIGGER_API, 0, NULL, &slot), RQ_FULL);
}

static void test_job_sets(void **state)
{
    (void)state;
    job_id list[JOB_COUNT];
    assert_int_equal(job_set_to_list(B(JOB_PERSON_SEARCH) | B(JOB_PERSON_OWNER), list), 2);
    assert_int_equal(list[0], JOB_PERSON_OWNER); /* chain order */
    assert_int_equal(list[1], JOB_PERSON_SEARCH);
    strbuf sb;
    sb_init(&sb);
    job_set_describe(B(JOB_POST_TRUST_EMPLOYING) | B(JOB_POST_TRUST_TRAINING), &sb);
    assert_string_equal(sb.data, "PostEmployingBodyTrustJob, PostTrainingBodyTrustJob");
    sb_free(&sb);
}

/* ---- configuration: the values serve relies on --------------------------- */

static const char *const test_env[] = {"APPLICATION_JOBS_RUNONSTARTUP_EARLIEST", "APPLICATION_JOBS_RUNONSTARTUP_LATEST",
                                       "LOG_LEVEL", "APPLICATION_CRON_POSTTRAININGBODYTRUSTJOB",
                                       "APPLICATION_CRON_PERSONOWNERREBUILDJOB"};

static void clear_test_env(void)
{
    for (size_t i = 0; i < sizeof test_env / sizeof test_env[0]; i++)
        unsetenv(test_env[i]);
}

/* Builds a configuration from the environment NAME=VALUE; returns whether
 * it was accepted and the error in *ERR (caller frees). */
static bool config_with(const char *name, const char *value, char **err)
{
    clear_test_env();
    setenv(name, value, 1);
    config *cfg = config_new();
    strbuf sb;
    sb_init(&sb);
    bool ok = config_load_env(cfg, &sb) == 0 && config_finish(cfg, &sb) == 0;
    *err = xstrdup(sb.data ? sb.data : "");
    sb_free(&sb);
    config_free(cfg);
    clear_test_env();
    return ok;
}

static void expect_config(const char *name, const char *value, bool accepted, const char *needle)
{
    char *err = NULL;
    bool ok = config_with(name, value, &err);
    if (ok != accepted || (needle && !strstr(err, needle)))
        fail_msg("%s='%s': %s (%s), expected %s%s%s", name, value, ok ? "accepted" : "refused", err,
                 accepted ? "accepted" : "refused", needle ? " naming " : "", needle ? needle : "");
    free(err);
}

/* The catch-up window is validated with catchup_parse_time_of_day, the
 * parser serve uses: a value serve cannot read never gets that far. */
static void test_config_time_of_day(void **state)
{
    (void)state;
    const char *earliest = "APPLICATION_JOBS_RUNONSTARTUP_EARLIEST", *latest = "APPLICATION_JOBS_RUNONSTARTUP_LATEST";
    expect_config(earliest, "07:00", true, NULL);
    expect_config(earliest, "7:00:30", true, NULL);
    expect_config(latest, "24:00:00", true, NULL);
    expect_config(earliest, "07:00x", false, "bad value '07:00x' for startup.earliest");
    expect_config(earliest, "07:00 ", false, "startup.earliest");
    expect_config(latest, " 7:00", false, "startup.latest");
    expect_config(latest, "7:0", false, "expected a time of day HH:MM[:SS]");
}

/* Settings the legacy (Spring) service accepted must not stop the start. */
static void test_config_legacy_values(void **state)
{
    (void)state;
    static const char *const levels[] = {"FATAL", "fatal", "OFF", "TRACE", "WARNING", "error", "Info"};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        expect_config("LOG_LEVEL", levels[i], true, NULL);
    expect_config("LOG_LEVEL", "LOUD", false, "log.level");
    log_level level = LOG_DEBUG;
    assert_true(log_level_parse("FATAL", &level) && level == LOG_ERROR);
    level = LOG_DEBUG;
    assert_true(log_level_parse("off", &level) && level == LOG_ERROR);
    static const char *const crons[] = {"-", "@yearly", "@annually", "@monthly", "@weekly",
                                        "@daily", "@midnight", "@hourly", "@HOURLY"};
    for (size_t i = 0; i < sizeof crons / sizeof crons[0]; i++)
        expect_config("APPLICATION_CRON_POSTTRAININGBODYTRUSTJOB", crons[i], true, NULL);
    expect_config("APPLICATION_CRON_PERSONOWNERREBUILDJOB", "@reboot", false,
                  "schedule.PersonOwnerRebuildJob (from environment variable APPLICATION_CRON_PERSONOWNERREBUILDJOB): "
                  "expected a cron expression");
}

/* Every job names its own settings: no arithmetic over two enums. */
static void test_job_settings(void **state)
{
    (void)state;
    for (int j = 0; j < JOB_COUNT; j++) {
        char want[128];
        snprintf(want, sizeof want, "startup.policy.%s", job_table[j].name);
        assert_string_equal(cfg_name(job_table[j].policy), want);
        snprintf(want, sizeof want, "schedule.%s", job_table[j].name);
        assert_string_equal(cfg_name(job_table[j].schedule), want);
    }
}

/* ---- the log level is read by every thread ------------------------------ */

static void *log_reader(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++)
        log_debug("never printed %d", i); /* reads the level, prints nothing */
    return NULL;
}

/* A reload (SIGHUP) sets the level while workers log. Meaningful under
 * ThreadSanitizer (make unit-tsan, run by scripts/test.sh), which fails it
 * on a data race on a plain variable. */
static void test_log_level_concurrent(void **state)
{
    (void)state;
    pthread_t readers[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&readers[i], NULL, log_reader, NULL), 0);
    for (int i = 0; i < 20000; i++)
        log_set_level(i % 2 ? LOG_WARN : LOG_ERROR);
    for (int i = 0; i < 3; i++)
        pthread_join(readers[i], NULL);
    log_set_level(LOG_INFO);
}

int main(void)
{
    setenv("TZ", "UTC0", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_default),
        cmocka_unit_test(test_window_custom),
        cmocka_unit_test(test_window_opening),
        cmocka_unit_test(test_parsers),
        cmocka_unit_test(test_cron_prev),
        cmocka_unit_test(test_out_of_date),
        cmocka_unit_test(test_queue_merges_overlapping_triggers),
        cmocka_unit_test(test_queue_one_worker_per_job),
        cmocka_unit_test(test_queue_running_firing_and_api),
        cmocka_unit_test(test_queue_argument_is_a_run_of_its_own),
        cmocka_unit_test(test_queue_one_chain_and_run_ids),
        cmocka_unit_test(test_queue_full),
        cmocka_unit_test(test_job_sets),
        cmocka_unit_test(test_config_time_of_day),
        cmocka_unit_test(test_config_legacy_values),
        cmocka_unit_test(test_job_settings),
        cmocka_unit_test(test_log_level_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
