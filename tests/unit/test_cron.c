/* test_cron.c - unit tests for cron.h: parsing, next fire times (UTC and
 * DST zones) and error messages. Times in the tables are UTC ISO 8601. */
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

#include "cron.h"

struct next_case {
    const char *expr;
    const char *tz;
    const char *after;    /* UTC */
    const char *expected; /* UTC, or "none" for (time_t)-1 */
};

struct error_case {
    const char *expr;
    const char *message; /* expected substring of the error */
};

static time_t iso_to_time(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int n = sscanf(iso, "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon,
                   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    assert_int_equal(n, 6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static void time_to_iso(time_t t, char *buf, size_t len)
{
    struct tm tm;
    if (t == (time_t)-1) {
        snprintf(buf, len, "none");
        return;
    }
    assert_non_null(gmtime_r(&t, &tm));
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void use_tz(const char *tz)
{
    assert_int_equal(setenv("TZ", tz, 1), 0);
    tzset();
}

static void check_next(const struct next_case *c)
{
    char err[256] = "";
    char got[64];
    use_tz(c->tz);
    cron_expr *e = cron_parse(c->expr, err, sizeof err);
    if (!e)
        fail_msg("'%s' rejected: %s", c->expr, err);
    time_to_iso(cron_next(e, iso_to_time(c->after)), got, sizeof got);
    if (strcmp(got, c->expected) != 0)
        fail_msg("'%s' in %s after %s: got %s, expected %s", c->expr, c->tz,
                 c->after, got, c->expected);
    cron_free(e);
}

static void check_next_table(const struct next_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_next(&cases[i]);
}

#define CHECK_TABLE(t) check_next_table((t), sizeof(t) / sizeof((t)[0]))

static void check_error(const struct error_case *c)
{
    char err[256] = "";
    cron_expr *e = cron_parse(c->expr, err, sizeof err);
    if (e) {
        cron_free(e);
        fail_msg("'%s' accepted, expected error '%s'", c->expr, c->message);
    }
    if (!strstr(err, c->message))
        fail_msg("'%s': error '%s' lacks '%s'", c->expr, err, c->message);
}

/* The six SPEC default schedules, in UTC. */
static void test_spec_defaults(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        { "0 05 0 * * *", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T00:05:00Z" },
        { "0 09 0 * * *", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T00:09:00Z" },
        { "0 29 0 * * *", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T00:29:00Z" },
        { "0 09 1 * * *", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T01:09:00Z" },
        { "0 19 1 * * *", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T01:19:00Z" },
        { "0 29 1 * * *", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T01:29:00Z" },
        /* strictly after: at the fire time itself, the next is tomorrow */
        { "0 05 0 * * *", "UTC", "2026-01-15T00:05:00Z", "2026-01-16T00:05:00Z" },
        { "0 05 0 * * *", "UTC", "2026-01-15T00:04:59Z", "2026-01-15T00:05:00Z" },
        { "0 29 1 * * *", "UTC0", "2026-01-15T01:00:00Z", "2026-01-15T01:29:00Z" },
        /* year rollover */
        { "0 09 1 * * *", "UTC", "2026-12-31T01:09:00Z", "2027-01-01T01:09:00Z" },
    };
    CHECK_TABLE(t);
}

static void test_five_field(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        { "5 0 * * *", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T00:05:00Z" },
        { "5 0 * * *", "UTC", "2026-01-15T00:04:00Z", "2026-01-15T00:05:00Z" },
        { "*/20 * * * *", "UTC", "2026-01-15T12:00:30Z", "2026-01-15T12:20:00Z" },
        { "0 12 1 1 *", "UTC", "2026-06-01T00:00:00Z", "2027-01-01T12:00:00Z" },
        /* surrounding and repeated whitespace */
        { "  5\t0  * *   *  ", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T00:05:00Z" },
    };
    CHECK_TABLE(t);
}

static void test_steps_lists_ranges(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        { "0 0/5 * * * ?", "UTC", "2026-01-15T12:03:00Z", "2026-01-15T12:05:00Z" },
        { "0 0/5 * * * ?", "UTC", "2026-01-15T12:55:00Z", "2026-01-15T13:00:00Z" },
        { "0 */15 * * * *", "UTC", "2026-01-15T12:15:00Z", "2026-01-15T12:30:00Z" },
        { "*/10 * * * * *", "UTC", "2026-01-15T12:00:05Z", "2026-01-15T12:00:10Z" },
        { "* * * * * *", "UTC", "2026-01-15T12:00:05Z", "2026-01-15T12:00:06Z" },
        { "0 0 9-17/4 * * *", "UTC", "2026-01-15T12:00:00Z", "2026-01-15T13:00:00Z" },
        { "0 0 9-17/4 * * *", "UTC", "2026-01-15T17:00:00Z", "2026-01-16T09:00:00Z" },
        { "0 15,45 * * * *", "UTC", "2026-01-15T12:20:00Z", "2026-01-15T12:45:00Z" },
        { "0 15,45 * * * *", "UTC", "2026-01-15T12:45:00Z", "2026-01-15T13:15:00Z" },
        { "0 0 8-10 * * *", "UTC", "2026-01-15T10:00:00Z", "2026-01-16T08:00:00Z" },
        { "30 10-12,40 6 * * *", "UTC", "2026-01-15T06:11:00Z", "2026-01-15T06:11:30Z" },
        { "30 10-12,40 6 * * *", "UTC", "2026-01-15T06:12:30Z", "2026-01-15T06:40:30Z" },
        { "0 0 0 1/10 * *", "UTC", "2026-01-11T00:00:00Z", "2026-01-21T00:00:00Z" },
        { "0 0 0 1/10 * *", "UTC", "2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z" },
    };
    CHECK_TABLE(t);
}

/* 2026-01-15 is a Thursday. */
static void test_names(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        { "0 0 12 * JAN,JUL MON-FRI", "UTC", "2026-01-30T13:00:00Z", "2026-07-01T12:00:00Z" },
        { "0 0 12 * JAN,JUL MON-FRI", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T12:00:00Z" },
        { "0 0 12 * jan,Jul mon-fri", "UTC", "2026-01-16T12:00:00Z", "2026-01-19T12:00:00Z" },
        { "0 0 0 1 MAR-MAY *", "UTC", "2026-05-01T00:00:00Z", "2027-03-01T00:00:00Z" },
        /* SUN ending a range is 7 */
        { "0 0 8 * * FRI-SUN", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T08:00:00Z" },
        { "0 0 8 * * FRI-SUN", "UTC", "2026-01-17T09:00:00Z", "2026-01-18T08:00:00Z" },
        { "0 0 8 * * FRI-SUN", "UTC", "2026-01-18T09:00:00Z", "2026-01-23T08:00:00Z" },
        { "0 0 8 * * SUN-TUE", "UTC", "2026-01-15T12:00:00Z", "2026-01-18T08:00:00Z" },
        /* SUN-SUN and SUN-7 are Sunday alone, as Spring reads them (issue
         * 10, defect 3: they fired every day); 2026-01-19 is a Monday */
        { "0 0 12 * * SUN-SUN", "UTC", "2026-01-18T13:00:00Z", "2026-01-25T12:00:00Z" },
        { "0 0 12 * * SUN-7", "UTC", "2026-01-18T13:00:00Z", "2026-01-25T12:00:00Z" },
        { "0 0 12 * * sun-sun", "UTC", "2026-01-15T12:00:00Z", "2026-01-18T12:00:00Z" },
        { "0 0 12 * * 0-7", "UTC", "2026-01-18T13:00:00Z", "2026-01-19T12:00:00Z" },
    };
    CHECK_TABLE(t);
}

static void test_sunday(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        { "0 0 8 * * 0", "UTC", "2026-01-15T12:00:00Z", "2026-01-18T08:00:00Z" },
        { "0 0 8 * * 7", "UTC", "2026-01-15T12:00:00Z", "2026-01-18T08:00:00Z" },
        { "0 0 8 * * SUN", "UTC", "2026-01-15T12:00:00Z", "2026-01-18T08:00:00Z" },
        { "0 8 * * 0", "UTC", "2026-01-15T12:00:00Z", "2026-01-18T08:00:00Z" },
        { "0 8 * * 7", "UTC", "2026-01-18T08:00:00Z", "2026-01-25T08:00:00Z" },
        { "0 0 8 * * 5-7", "UTC", "2026-01-17T09:00:00Z", "2026-01-18T08:00:00Z" },
        { "0 0 8 * * 0-1", "UTC", "2026-01-18T08:00:00Z", "2026-01-19T08:00:00Z" },
    };
    CHECK_TABLE(t);
}

static void test_calendar(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        /* the 31st skips short months */
        { "0 0 0 31 * *", "UTC", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z" },
        { "0 0 0 31 * *", "UTC", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z" },
        { "0 0 0 31 * *", "UTC", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z" },
        /* leap day */
        { "0 0 0 29 2 *", "UTC", "2025-01-01T00:00:00Z", "2028-02-29T00:00:00Z" },
        { "0 0 0 29 2 *", "UTC", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z" },
        { "0 0 0 29 FEB ?", "UTC", "2099-03-01T00:00:00Z", "2104-02-29T00:00:00Z" },
        /* never within 5 years */
        { "0 0 0 30 2 *", "UTC", "2026-01-15T12:00:00Z", "none" },
        { "0 0 0 31 APR *", "UTC", "2026-01-15T12:00:00Z", "none" },
        { "0 0 0 31 4 *", "Europe/London", "2026-01-15T12:00:00Z", "none" },
    };
    CHECK_TABLE(t);
}

/* 6 fields: Spring ANDs day of month and day of week. 5 fields: classic
 * cron ORs them when both are restricted. */
static void test_day_rules(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        /* Friday the 13th: 2026-02-13 and 2026-03-13 */
        { "0 0 0 13 * FRI", "UTC", "2026-01-01T00:00:00Z", "2026-02-13T00:00:00Z" },
        { "0 0 0 13 * FRI", "UTC", "2026-02-13T00:00:00Z", "2026-03-13T00:00:00Z" },
        /* 13th or Friday: Fri 2, Fri 9, Tue 13 */
        { "0 0 13 * 5", "UTC", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z" },
        { "0 0 13 * 5", "UTC", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z" },
        /* dom starting with '*': both must match (odd day and Monday) */
        { "0 0 */2 * 1", "UTC", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z" },
        { "0 0 * * 1", "UTC", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z" },
        { "0 0 0 ? * MON", "UTC", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z" },
        { "0 0 0 1 * ?", "UTC", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z" },
    };
    CHECK_TABLE(t);
}

/* Europe/London: 2026-03-29 01:00 UTC clocks go 01:00 GMT -> 02:00 BST;
 * 2026-10-25 01:00 UTC clocks go 02:00 BST -> 01:00 GMT. */
static void test_dst_london(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        /* fixed-time job in the gap fires once at the end of the gap */
        { "0 30 1 * * *", "Europe/London", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z" },
        { "0 30 1 * * *", "Europe/London", "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z" },
        { "0 30 1 * * *", "Europe/London", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z" },
        { "30 1 * * *", "Europe/London", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z" },
        { "0 0,30 1 * * *", "Europe/London", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z" },
        { "0 0,30 1 * * *", "Europe/London", "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z" },
        /* fixed-time by Debian's rule (hour does not start with '*'), though
         * a range: the skipped 01:30 runs at the end of the gap, then 02:30 BST */
        { "0 30 0-3 * * *", "Europe/London", "2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z" },
        { "0 30 0-3 * * *", "Europe/London", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z" },
        /* periodic job (minute or hour starts with '*'): no firings in the gap */
        { "0 */15 * * * *", "Europe/London", "2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z" },
        { "0 30 * * * *", "Europe/London", "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z" },
        { "0 30 */1 * * *", "Europe/London", "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z" },
        { "*/30 30 1 * * *", "Europe/London", "2026-03-29T00:00:00Z", "2026-03-30T00:30:00Z" },
        /* a midnight job is untouched, then moves to 23:00 UTC */
        { "0 0 0 * * *", "Europe/London", "2026-03-28T12:00:00Z", "2026-03-29T00:00:00Z" },
        { "0 0 0 * * *", "Europe/London", "2026-03-29T00:00:00Z", "2026-03-29T23:00:00Z" },
        /* fixed-time job in the repeated hour fires at the first 01:30 only */
        { "0 30 1 * * *", "Europe/London", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z" },
        { "0 30 1 * * *", "Europe/London", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z" },
        { "0 30 1 * * *", "Europe/London", "2026-10-25T01:10:00Z", "2026-10-26T01:30:00Z" },
        { "0 30 1 * * *", "Europe/London", "2026-10-25T00:59:59Z", "2026-10-26T01:30:00Z" },
        /* periodic jobs run at matching wall times on both passes */
        { "0 */15 * * * *", "Europe/London", "2026-10-25T00:30:00Z", "2026-10-25T00:45:00Z" },
        { "0 */15 * * * *", "Europe/London", "2026-10-25T00:45:00Z", "2026-10-25T01:00:00Z" },
        { "0 */15 * * * *", "Europe/London", "2026-10-25T00:50:00Z", "2026-10-25T01:00:00Z" },
        { "0 */15 * * * *", "Europe/London", "2026-10-25T01:00:00Z", "2026-10-25T01:15:00Z" },
        { "0 30 * * * *", "Europe/London", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z" },
        /* a fixed-time range does not repeat the hour: 01:30 BST, then 02:30 GMT */
        { "0 30 0-3 * * *", "Europe/London", "2026-10-25T00:30:00Z", "2026-10-25T02:30:00Z" },
        /* summer time in effect: 00:05 BST is 23:05 UTC the day before */
        { "0 05 0 * * *", "Europe/London", "2026-07-01T00:00:00Z", "2026-07-01T23:05:00Z" },
    };
    CHECK_TABLE(t);
}

/* Debian cron's fixed-time rule: minute, hour (and Spring's seconds) not
 * starting with '*'. Europe/London 2024-03-31 01:00 UTC: 01:00 GMT -> 02:00
 * BST; 2024-10-27 01:00 UTC: 02:00 BST -> 01:00 GMT. */
static void test_dst_fixed_time_rule(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        /* the skipped 01:15 runs right after the change, then 02:15 BST */
        { "0 15 1-2 * * *", "Europe/London", "2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z" },
        { "0 15 1-2 * * *", "Europe/London", "2024-03-31T01:00:00Z", "2024-03-31T01:15:00Z" },
        { "15 1-2 * * *", "Europe/London", "2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z" },
        { "0 0/20 1 * * *", "Europe/London", "2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z" },
        { "0 10-50/20 1 * * *", "Europe/London", "2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z" },
        { "0 10-50/20 1 * * *", "Europe/London", "2024-03-31T01:00:00Z", "2024-04-01T00:10:00Z" },
        /* fall back: 01:15 BST (00:15 UTC) runs, 01:15 GMT does not; 02:15 GMT does */
        { "0 15 1-2 * * *", "Europe/London", "2024-10-26T12:00:00Z", "2024-10-27T00:15:00Z" },
        { "0 15 1-2 * * *", "Europe/London", "2024-10-27T00:15:00Z", "2024-10-27T02:15:00Z" },
        /* periodic: seconds, minute or hour starting with '*' */
        { "*/30 15 1 * * *", "Europe/London", "2024-03-31T00:00:00Z", "2024-04-01T00:15:00Z" },
        { "0 * 1 * * *", "Europe/London", "2024-03-31T00:00:00Z", "2024-04-01T00:00:00Z" },
        { "0 15 * * * *", "Europe/London", "2024-10-27T00:15:00Z", "2024-10-27T01:15:00Z" },
    };
    CHECK_TABLE(t);
}

/* Spring 5.3 macros and "-" (Spring's "disabled"). */
static void test_macros_and_disabled(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        { "@yearly", "UTC", "2026-01-15T12:00:00Z", "2027-01-01T00:00:00Z" },
        { "@annually", "UTC", "2026-01-15T12:00:00Z", "2027-01-01T00:00:00Z" },
        { "@monthly", "UTC", "2026-01-15T12:00:00Z", "2026-02-01T00:00:00Z" },
        { "@weekly", "UTC", "2026-01-15T12:00:00Z", "2026-01-18T00:00:00Z" }, /* Sunday */
        { "@daily", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T00:00:00Z" },
        { "@midnight", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T00:00:00Z" },
        { "@hourly", "UTC", "2026-01-15T12:00:00Z", "2026-01-15T13:00:00Z" },
        { " @DAILY ", "UTC", "2026-01-15T12:00:00Z", "2026-01-16T00:00:00Z" },
        /* @hourly is periodic, @daily fixed-time: London 2026-03-29 */
        { "@hourly", "Europe/London", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z" },
        { "@daily", "Europe/London", "2026-03-28T12:00:00Z", "2026-03-29T00:00:00Z" },
        /* disabled: never */
        { "-", "UTC", "2026-01-15T12:00:00Z", "none" },
        { " - ", "Europe/London", "2026-01-15T12:00:00Z", "none" },
    };
    CHECK_TABLE(t);
    cron_expr *e = cron_parse("-", NULL, 0);
    assert_non_null(e);
    assert_true(cron_disabled(e));
    cron_free(e);
    e = cron_parse("@daily", NULL, 0);
    assert_false(cron_disabled(e));
    cron_free(e);
    assert_false(cron_disabled(NULL));
    static const struct error_case bad[] = {
        { "@reboot", "position 1: unknown macro '@reboot' (expected @yearly" },
        { "@daily 0", "position 1: unknown macro '@daily'" },
        { "@", "unknown macro '@'" },
        { "--", "expected 5 or 6 fields, found 1" },
        { "- *", "expected 5 or 6 fields, found 2" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_error(&bad[i]);
}

/* America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC);
 * 2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC). */
static void test_dst_new_york(void **state)
{
    (void)state;
    static const struct next_case t[] = {
        { "0 30 2 * * *", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-08T07:00:00Z" },
        { "0 30 2 * * *", "America/New_York", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z" },
        { "0 30 1 * * *", "America/New_York", "2026-11-01T04:00:00Z", "2026-11-01T05:30:00Z" },
        { "0 30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z" },
        { "0 0/20 * * * ?", "America/New_York", "2026-11-01T05:40:00Z", "2026-11-01T06:00:00Z" },
    };
    CHECK_TABLE(t);
}

/* Consecutive firings of a periodic job through the London fall-back come
 * every 15 real minutes: the repeated hour is run on both passes. */
static void test_dst_sequence(void **state)
{
    (void)state;
    char err[128];
    use_tz("Europe/London");
    cron_expr *e = cron_parse("0 */15 * * * *", err, sizeof err);
    assert_non_null(e);
    time_t t = iso_to_time("2026-10-24T23:00:00Z");
    for (int i = 0; i < 16; i++) {
        time_t next = cron_next(e, t);
        assert_int_equal(next - t, 900);
        t = next;
    }
    assert_int_equal(t, iso_to_time("2026-10-25T03:00:00Z"));
    cron_free(e);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct error_case t[] = {
        { "0 0 0 *", "position 8: expected 5 or 6 fields, found 4" },
        { "0 0 0 * * * *", "position 13: expected 5 or 6 fields, found 7" },
        { "", "position 1: expected 5 or 6 fields, found 0" },
        { "   ", "expected 5 or 6 fields, found 0" },
        { "60 0 0 * * *", "position 1: expected a number from 0 to 59, found '60'" },
        { "0 61 0 * * *", "position 3: expected a number from 0 to 59, found '61'" },
        { "0 0 24 * * *", "position 5: expected a number from 0 to 23, found '24'" },
        { "0 0 0 0 * *", "position 7: expected a number from 1 to 31, found '0'" },
        { "0 0 0 * 13 *", "position 9: expected a number from 1 to 12 or a month name JAN-DEC, found '13'" },
        { "0 0 0 * * 8", "position 11: expected a number from 0 to 7 or a day name SUN-SAT, found '8'" },
        { "0 0 0 * FOO *", "position 9: expected a number from 1 to 12 or a month name JAN-DEC, found 'FOO'" },
        { "0 0 0 * * MONDAY", "found 'MONDAY'" },
        { "0 0 0 L * ?", "position 7: 'L' (last day) is not supported" },
        { "0 0 0 ? * 5L", "position 12: 'L' (last day) is not supported" },
        { "0 0 0 15W * ?", "position 9: 'W' (nearest weekday) is not supported" },
        { "0 0 0 LW * ?", "position 7: 'L' (last day) is not supported" },
        { "0 0 0 ? * 5#3", "position 12: '#' (nth weekday of the month) is not supported" },
        { "0 0 0 ? * FRI#2", "position 14: '#' (nth weekday of the month) is not supported" },
        { "0 5-1 * * * *", "position 3: range '5-1' is reversed" },
        { "0 0 0 * * SAT-MON", "position 11: range 'SAT-MON' is reversed" },
        { "*/0 * * * * *", "position 3: expected a step from 1 to 59, found '0'" },
        { "0 0/ * * * *", "position 5: expected a step from 1 to 59, found nothing" },
        { "0 */60 * * * *", "position 5: expected a step from 1 to 59, found '60'" },
        { "hello world x y z", "position 1: expected a number from 0 to 59, found 'hello'" },
        { "0 0 0 * * *x", "position 12: expected ',' or the end of the field, found 'x'" },
        { "0 0 0 1,,2 * *", "position 9: expected a number from 1 to 31, found ','" },
        { "0 0 0 1- * *", "position 9: expected a number from 1 to 31, found nothing" },
        { "0 0 ? * * *", "position 5: '?' is only allowed, alone, in the day-of-month" },
        { "0 0 0 ?/2 * *", "position 7: '?' is only allowed" },
        { "0 0 0 * * -1", "position 11: expected a number from 0 to 7" },
        { "0 0 12 * JAN,JUL MON-", "position 22: expected a number from 0 to 7 or a day name SUN-SAT, found nothing" },
        { "99999999999999999999 * * * *", "found '99999999999999999999'" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        check_error(&t[i]);
}

static void test_error_buffer(void **state)
{
    (void)state;
    char small[12];
    memset(small, 'x', sizeof small);
    assert_null(cron_parse("0 0 24 * * *", small, sizeof small));
    assert_string_equal(small, "position 5:");
    memset(small, 'x', sizeof small);
    assert_null(cron_parse("0 0 24 * * *", small, 1));
    assert_int_equal(small[0], '\0');
    assert_int_equal(small[1], 'x');
    assert_null(cron_parse("0 0 24 * * *", NULL, 0));
    assert_null(cron_parse(NULL, NULL, 0));
    char err[64];
    assert_null(cron_parse(NULL, err, sizeof err));
    assert_string_equal(err, "position 1: expected 5 or 6 fields, found 0");
    cron_free(NULL);
}

/* A far-future schedule must be found without scanning second by second. */
static void test_efficiency(void **state)
{
    (void)state;
    use_tz("Europe/London");
    cron_expr *e = cron_parse("0 0 0 29 2 MON", NULL, 0);
    assert_non_null(e);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    time_t none = cron_next(e, iso_to_time("2026-01-01T00:00:00Z"));
    time_t found = cron_next(e, iso_to_time("2040-03-01T00:00:00Z"));
    clock_gettime(CLOCK_MONOTONIC, &b);
    /* 29 Feb falls on Tue 2028, Sun 2032, Fri 2036, Wed 2040, Mon 2044 */
    assert_int_equal(none, (time_t)-1);
    assert_int_equal(found, iso_to_time("2044-02-29T00:00:00Z"));
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
                (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    assert_true(ms < 500.0);
    cron_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_defaults),
        cmocka_unit_test(test_five_field),
        cmocka_unit_test(test_steps_lists_ranges),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_sunday),
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_day_rules),
        cmocka_unit_test(test_dst_london),
        cmocka_unit_test(test_dst_new_york),
        cmocka_unit_test(test_dst_sequence),
        cmocka_unit_test(test_dst_fixed_time_rule),
        cmocka_unit_test(test_macros_and_disabled),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_buffer),
        cmocka_unit_test(test_efficiency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
