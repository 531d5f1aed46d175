/* catchup.c - the startup catch-up rules (see catchup.h). No I/O, no
 * clock: serve.c feeds in its clock and the history. */
#include "catchup.h"

#include <stdio.h>
#include <string.h>

/* N decimal digits at *P (exactly N, or 1 to N when LOOSE), into *OUT. */
static bool take_digits(const char **p, int n, bool loose, int *out)
{
    int v = 0, i = 0;
    for (; i < n && **p >= '0' && **p <= '9'; i++, (*p)++)
        v = v * 10 + (**p - '0');
    *out = v;
    return loose ? i > 0 : i == n;
}

/* Strict: H or HH, ':', MM, optionally ':' SS, and nothing else (no signs,
 * spaces or trailing characters; the configuration validates with this
 * very function, so whatever it accepts, serve can use). */
bool catchup_parse_time_of_day(const char *s, int *seconds)
{
    int h, m, sec = 0;
    if (!s || !take_digits(&s, 2, true, &h) || *s++ != ':' || !take_digits(&s, 2, false, &m))
        return false;
    if (*s == ':' && (s++, !take_digits(&s, 2, false, &sec)))
        return false;
    if (*s != '\0')
        return false;
    if (h > 24 || m > 59 || sec > 59 || (h == 24 && (m || sec)))
        return false;
    if (seconds)
        *seconds = h * 3600 + m * 60 + sec;
    return true;
}

bool catchup_parse_timestamp(const char *s, time_t *out)
{
    int y, mo, d, h, mi, sec, used = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 || s[used] ||
        used != 20)
        return false;
    char date[16];
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, mo, d);
    if (!parse_date(date, NULL, NULL, NULL) || h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    if (out)
        *out = timegm(&tm);
    return true;
}

bool catchup_in_window(time_t now, int earliest, int latest)
{
    int t = (int)(((long long)now % 86400 + 86400) % 86400);
    if (earliest < latest)
        return t >= earliest && t < latest;
    if (earliest > latest) /* wraps midnight */
        return t >= earliest || t < latest;
    return false;
}

long long catchup_window_opening(time_t now, int earliest)
{
    long long day = (long long)now - (((long long)now % 86400) + 86400) % 86400;
    return day + earliest <= (long long)now ? day + earliest : day + earliest - 86400;
}

bool job_policy_parse(const char *s, job_policy *out)
{
    job_policy p = out ? *out : (job_policy){POLICY_RUN_ONCE, 0};
    if (!s)
        return false;
    if (strcmp(s, "skip") == 0) {
        p.policy = POLICY_SKIP;
    } else if (strncmp(s, "run_once", 8) == 0 && (s[8] == '\0' || s[8] == ':')) {
        p.policy = POLICY_RUN_ONCE;
        if (s[8] == ':' && !parse_long(s + 9, 0, 31LL * 86400, &p.grace))
            return false;
    } else {
        return false;
    }
    if (out)
        *out = p;
    return true;
}

void catchup_format_utc(long long t, char buf[32])
{
    char when[32];
    utc_format_seconds(t, when);
    if (t <= 0)
        snprintf(buf, 32, "never");
    else
        snprintf(buf, 32, "%.27s UTC", when);
}

/* Why the job is out of date, and since when (the later of the two
 * reasons: the moment its data should last have been rebuilt). */
static long long describe_staleness(const job_record *rec, long long last_due, strbuf *why)
{
    bool failed = rec->any_run && !rec->last_ok;
    bool missed = last_due >= 0 && rec->last_success < last_due;
    char a[32], b[32];
    long long since = 0;
    if (failed) {
        catchup_format_utc(rec->last_started, a);
        sb_printf(why, "its last run (started %s) did not succeed", a);
        since = rec->last_started;
    }
    if (missed) {
        catchup_format_utc(last_due, a);
        catchup_format_utc(rec->last_success, b);
        sb_printf(why, "%shas not succeeded since its run due at %s (last success: %s)", failed ? "; it " : "it ", a,
                  b);
        since = last_due > since ? last_due : since;
    }
    return since;
}

ood_verdict catchup_decide(const job_record *rec, long long last_due, long long now, const job_policy *policy,
                           strbuf *why)
{
    bool failed = rec->any_run && !rec->last_ok;
    bool missed = last_due >= 0 && rec->last_success < last_due;
    if (!failed && !missed) {
        char a[32];
        catchup_format_utc(rec->last_success, a);
        sb_printf(why, "up to date (last success %s)", a);
        return OOD_CURRENT;
    }
    sb_puts(why, "out of date: ");
    long long since = describe_staleness(rec, last_due, why);
    if (policy->policy == POLICY_SKIP) {
        sb_puts(why, "; policy skip: its next scheduled run will rebuild it");
        return OOD_SKIP_POLICY;
    }
    if (now - since > policy->grace) {
        sb_printf(why, "; out of date for %lld s, longer than the run_once grace of %lld s: waiting for its next "
                       "scheduled run", now - since, policy->grace);
        return OOD_SKIP_GRACE;
    }
    sb_puts(why, "; policy run_once: running it now");
    return OOD_RUN;
}

time_t cron_prev(const cron_expr *expr, time_t now)
{
    /* Widening look-back windows keep this cheap for every-second
     * schedules and still find a yearly one. */
    static const long long windows[] = {60, 3600, 86400, 8 * 86400LL, 32 * 86400LL, 367 * 86400LL,
                                        5 * 366 * 86400LL};
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
        time_t f = cron_next(expr, now - (time_t)windows[i]);
        if (f == (time_t)-1 || f > now)
            continue;
        for (;;) {
            time_t n = cron_next(expr, f);
            if (n == (time_t)-1 || n > now)
                return f;
            f = n;
        }
    }
    return (time_t)-1;
}
