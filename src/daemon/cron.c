/* cron.c - parses cron expressions and computes their next fire time.
 *
 * This file owns everything behind cron.h: the parser for Spring's 6-field
 * form (sec min hour dom mon dow) and the classic 5-field form (min hour dom
 * mon dow, seconds = 0), and cron_next(). It is hand-written because no
 * Debian package offers a C library that parses Spring's cron dialect
 * (seconds field, '?') and computes next fire times; the cron daemons parse
 * crontabs internally and expose nothing.
 *
 * Syntax: per field '*', numbers (leading zeros allowed), ranges a-b, a step
 * /n after '*', a or a-b (a/n runs from a to the field's maximum), and comma
 * lists of those. Months take JAN-DEC, days of week SUN-SAT (any case).
 * Day of week is 0-7 where both 0 and 7 are Sunday; SUN is 0 except as the
 * end of a range, where it is 7, so both SUN-TUE and FRI-SUN work, and
 * SUN-SUN and SUN-7 are Sunday alone (Spring's SUN is 7). '?' is
 * allowed, alone, in the day-of-month and day-of-week fields and means '*'.
 * Reversed ranges (5-1) are rejected, as Spring does. Quartz/Spring
 * specials L, W and # are rejected with a message saying so.
 *
 * Day rule: in a 6-field (Spring) expression a day must match both the
 * day-of-month and the day-of-week field (Spring ANDs them, so
 * "0 0 0 13 * FRI" is Friday the 13th). In a 5-field expression we use the
 * classic Vixie/Debian cron rule: when both fields are restricted (neither
 * starts with '*' or '?') a day matches when EITHER matches; otherwise both
 * must match (the unrestricted one always does).
 *
 * Time zone: fire times are wall-clock times in the process's local zone
 * (TZ). Between two UTC-offset changes, wall time is a plain shift of UTC,
 * so cron_next() works one constant-offset segment at a time: it finds the
 * first matching wall time field by field (month, day, hour, minute,
 * second - never second by second), maps it back to UTC and checks that no
 * offset change lies in between; if one does, it restarts from that change.
 *
 * Macros (Spring 5.3): @yearly and @annually ("0 0 0 1 1 *"), @monthly
 * ("0 0 0 1 * *"), @weekly ("0 0 0 * * 0"), @daily and @midnight
 * ("0 0 0 * * *"), @hourly ("0 0 * * * *"), in any case. "-" is Spring's
 * "disabled": it parses, and cron_next() never fires it.
 *
 * DST, after Debian cron. A job is "fixed-time" when none of its second,
 * minute and hour fields starts with '*' (Debian's test on minute and hour,
 * extended to Spring's seconds field), e.g. "0 30 1 * * *", "0 15 1-2 * * *"
 * or "0 0,30 9-17 * * *"; every other job is "periodic", e.g.
 * "0 0/15 * * * *" or "0 30 * * * *". In a 5-field expression the seconds
 * are 0, so minute and hour decide.
 *  - Skipped wall times (spring forward): a fixed-time job whose time falls
 *    in the gap fires once, at the first instant after the change (01:30 in
 *    Europe/London on the last Sunday of March fires at 02:00 BST, 01:00
 *    UTC; several skipped times collapse into that one firing). A periodic
 *    job simply has no firings at times that do not exist.
 *  - Repeated wall times (fall back): a fixed-time job fires once, at the
 *    first occurrence. A periodic job fires at every matching wall time on
 *    both passes, so it keeps its real-time rhythm through the change.
 * Offset changes are found by sampling the offset every 12 hours and
 * bisecting, so two changes less than 12 hours apart would be missed; no
 * real zone does that.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* tm_gmtoff, strncasecmp */
#endif
#include "cron.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { F_SEC, F_MIN, F_HOUR, F_DOM, F_MON, F_DOW, NFIELDS };

struct cron_expr {
    uint64_t bits[NFIELDS]; /* bit v set: value v matches (dow: 0-6) */
    bool classic;           /* 5-field: Vixie OR rule for days */
    bool dom_star;          /* dom starts with '*' or '?' */
    bool dow_star;          /* dow starts with '*' or '?' */
    bool fixed_time;        /* none of sec, min and hour starts with '*' */
    bool disabled;          /* "-": never fires */
};

/* ------------------------------------------------------------------ */
/* Parsing                                                              */
/* ------------------------------------------------------------------ */

struct field_spec {
    int min, max;
    const char *const *names; /* 3-letter names for min..max, or NULL */
    const char *expected;     /* "a number from 0 to 59" */
    bool question_ok;
};

static const char *const month_names[] = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
    "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL
};
static const char *const day_names[] = {
    "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL
};

static const struct field_spec specs[NFIELDS] = {
    [F_SEC] = { 0, 59, NULL, "a number from 0 to 59", false },
    [F_MIN] = { 0, 59, NULL, "a number from 0 to 59", false },
    [F_HOUR] = { 0, 23, NULL, "a number from 0 to 23", false },
    [F_DOM] = { 1, 31, NULL, "a number from 1 to 31", true },
    [F_MON] = { 1, 12, month_names,
                "a number from 1 to 12 or a month name JAN-DEC", false },
    [F_DOW] = { 0, 7, day_names,
                "a number from 0 to 7 or a day name SUN-SAT", true },
};

struct parser {
    const char *text; /* whole expression, for positions */
    char *err;
    size_t errlen;
};

/* One field's text: [p, end). */
struct cursor {
    const char *p;
    const char *end;
};

static bool fail(const struct parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(const struct parser *ps, const char *at, const char *fmt, ...)
{
    if (!ps->err || ps->errlen == 0)
        return false;
    int n = snprintf(ps->err, ps->errlen, "position %d: ",
                     (int)(at - ps->text) + 1);
    if (n < 0 || (size_t)n >= ps->errlen)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static bool at_end(const struct cursor *c)
{
    return c->p >= c->end;
}

static int peek(const struct cursor *c)
{
    return at_end(c) ? '\0' : (unsigned char)*c->p;
}

/* Length of the token starting at S for "found '...'" messages: up to the
 * next ',', '-', '/' or the end of the field. */
static int token_len(const char *s, const char *end)
{
    const char *q = s;
    while (q < end && *q != ',' && *q != '-' && *q != '/')
        q++;
    if (q == s && q < end)
        q++; /* show at least the offending delimiter */
    return (int)(q - s);
}

static bool fail_found(const struct parser *ps, const struct cursor *c,
                       const char *what)
{
    int len = token_len(c->p, c->end);
    if (len == 0)
        return fail(ps, c->p, "expected %s, found nothing", what);
    return fail(ps, c->p, "expected %s, found '%.*s'", what, len, c->p);
}

static bool is_special(int ch)
{
    ch = toupper(ch);
    return ch == 'L' || ch == 'W' || ch == '#';
}

static bool fail_special(const struct parser *ps, const char *at)
{
    switch (toupper((unsigned char)*at)) {
    case 'L':
        return fail(ps, at, "'L' (last day) is not supported");
    case 'W':
        return fail(ps, at, "'W' (nearest weekday) is not supported");
    default:
        return fail(ps, at, "'#' (nth weekday of the month) is not supported");
    }
}

static bool parse_number(const struct parser *ps, struct cursor *c,
                         const struct field_spec *fs, int *out)
{
    const char *start = c->p;
    long v = 0;
    while (isdigit(peek(c))) {
        if (v < 1000000)
            v = v * 10 + (*c->p - '0');
        c->p++;
    }
    if (v < fs->min || v > fs->max) {
        struct cursor at = { start, c->end };
        return fail_found(ps, &at, fs->expected);
    }
    *out = (int)v;
    return true;
}

static bool parse_name(const struct parser *ps, struct cursor *c,
                       const struct field_spec *fs, int *out)
{
    const char *start = c->p;
    bool only_special = true;
    while (isalpha(peek(c))) {
        if (!is_special(peek(c)))
            only_special = false;
        c->p++;
    }
    size_t len = (size_t)(c->p - start);
    if (only_special)
        return fail_special(ps, start);
    for (int i = 0; fs->names && fs->names[i]; i++) {
        if (len == 3 && strncasecmp(start, fs->names[i], 3) == 0) {
            *out = fs->min + i;
            return true;
        }
    }
    struct cursor at = { start, c->end };
    return fail_found(ps, &at, fs->expected);
}

/* A single value: a number in range or, where allowed, a name. */
static bool parse_value(const struct parser *ps, struct cursor *c,
                        const struct field_spec *fs, int *out)
{
    int ch = peek(c);
    if (isdigit(ch))
        return parse_number(ps, c, fs, out);
    if (isalpha(ch))
        return parse_name(ps, c, fs, out);
    if (ch == '#')
        return fail_special(ps, c->p);
    return fail_found(ps, c, fs->expected);
}

static bool parse_step(const struct parser *ps, struct cursor *c,
                       const struct field_spec *fs, int *step)
{
    *step = 1;
    if (peek(c) != '/')
        return true;
    c->p++;
    const char *start = c->p;
    long v = 0;
    while (isdigit(peek(c))) {
        if (v < 1000000)
            v = v * 10 + (*c->p - '0');
        c->p++;
    }
    if (c->p == start || v < 1 || v > fs->max) {
        char what[40];
        snprintf(what, sizeof what, "a step from 1 to %d", fs->max);
        struct cursor at = { start, c->end };
        return fail_found(ps, &at, what);
    }
    *step = (int)v;
    return true;
}

/* '*', 'a', 'a-b', each optionally followed by '/n'. */
static bool parse_item(const struct parser *ps, struct cursor *c,
                       const struct field_spec *fs, uint64_t *bits)
{
    const char *start = c->p;
    int lo = fs->min, hi = fs->max, step;
    if (peek(c) == '*') {
        c->p++;
    } else {
        bool named_lo = isalpha(peek(c));
        if (!parse_value(ps, c, fs, &lo))
            return false;
        if (peek(c) == '-') {
            c->p++;
            bool named = isalpha(peek(c));
            if (!parse_value(ps, c, fs, &hi))
                return false;
            if (fs->names == day_names && named && hi == 0)
                hi = 7; /* SUN ending a range: FRI-SUN */
            if (fs->names == day_names && named_lo && lo == 0 && hi == 7)
                lo = 7; /* SUN-SUN, SUN-7: Spring reads SUN as 7, so Sunday alone */
            if (lo > hi)
                return fail(ps, start, "range '%.*s' is reversed: the start "
                            "must not be greater than the end",
                            (int)(c->p - start), start);
        } else if (peek(c) != '/') {
            hi = lo;
        }
    }
    if (!parse_step(ps, c, fs, &step))
        return false;
    for (int v = lo; v <= hi; v += step)
        *bits |= UINT64_C(1) << v;
    return true;
}

static bool parse_list(const struct parser *ps, struct cursor *c,
                       const struct field_spec *fs, uint64_t *bits)
{
    for (;;) {
        if (!parse_item(ps, c, fs, bits))
            return false;
        if (at_end(c))
            return true;
        if (peek(c) != ',') {
            if (is_special(peek(c)))
                return fail_special(ps, c->p);
            return fail(ps, c->p, "expected ',' or the end of the field, "
                        "found '%c'", *c->p);
        }
        c->p++;
    }
}

static bool parse_field(const struct parser *ps, const char *p, size_t len,
                        int field, uint64_t *bits)
{
    const struct field_spec *fs = &specs[field];
    struct cursor c = { p, p + len };
    *bits = 0;
    if (memchr(p, '?', len)) {
        if (len == 1 && fs->question_ok) {
            *bits = ~UINT64_C(0);
            return true;
        }
        return fail(ps, (const char *)memchr(p, '?', len),
                    "'?' is only allowed, alone, in the day-of-month and "
                    "day-of-week fields");
    }
    if (!parse_list(ps, &c, fs, bits))
        return false;
    if (field == F_DOW && (*bits & (UINT64_C(1) << 7)))
        *bits = (*bits | 1) & ~(UINT64_C(1) << 7);
    return true;
}

/* Splits TEXT at whitespace; stores up to 7 field starts and lengths. */
static int split_fields(const char *text, const char *start[7], size_t len[7])
{
    int n = 0;
    const char *p = text;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            return n;
        const char *s = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (n < 7) {
            start[n] = s;
            len[n] = (size_t)(p - s);
        }
        n++;
    }
}

/* Debian cron's test for a fixed-time field: it does not start with '*'. */
static bool is_fixed(const char *p, size_t len)
{
    return len > 0 && p[0] != '*';
}

static bool parse_fields(const struct parser *ps, struct cron_expr *e)
{
    const char *start[7];
    size_t len[7];
    int n = split_fields(ps->text, start, len);
    if (n != 5 && n != 6) {
        const char *at = n > 6 ? start[6] : ps->text + strlen(ps->text);
        return fail(ps, at, "expected 5 or 6 fields, found %d", n);
    }
    int skip = n == 5 ? 1 : 0; /* 5-field: no seconds */
    e->classic = n == 5;
    e->bits[F_SEC] = 1;
    for (int i = 0; i < n; i++)
        if (!parse_field(ps, start[i], len[i], i + skip, &e->bits[i + skip]))
            return false;
    e->dom_star = *start[F_DOM - skip] == '*' || *start[F_DOM - skip] == '?';
    e->dow_star = *start[F_DOW - skip] == '*' || *start[F_DOW - skip] == '?';
    e->fixed_time = true;
    for (int i = 0; i < F_DOM - skip; i++)
        e->fixed_time = e->fixed_time && is_fixed(start[i], len[i]);
    return true;
}

static const char *const macros[][2] = {
    { "@yearly", "0 0 0 1 1 *" },  { "@annually", "0 0 0 1 1 *" },
    { "@monthly", "0 0 0 1 * *" }, { "@weekly", "0 0 0 * * 0" },
    { "@daily", "0 0 0 * * *" },   { "@midnight", "0 0 0 * * *" },
    { "@hourly", "0 0 * * * *" },
};

/* TEXT without surrounding white space equals WORD (any case). */
static bool is_word(const char *text, const char *word)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(word);
    if (strncasecmp(text, word, n) != 0)
        return false;
    for (text += n; isspace((unsigned char)*text);)
        text++;
    return *text == '\0';
}

/* "-" (disabled) or a macro: true with *E filled, or false with an error
 * for an unknown '@' word. Sets *HANDLED when TEXT was one of these. */
static bool parse_special(const struct parser *ps, struct cron_expr *e,
                          bool *handled)
{
    const char *p = ps->text;
    while (isspace((unsigned char)*p))
        p++;
    *handled = true;
    if (is_word(p, "-")) {
        e->disabled = true;
        return true;
    }
    if (*p != '@') {
        *handled = false;
        return true;
    }
    for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++) {
        if (is_word(p, macros[i][0])) {
            struct parser mp = { macros[i][1], NULL, 0 };
            return parse_fields(&mp, e);
        }
    }
    int len = 0;
    while (p[len] && !isspace((unsigned char)p[len]))
        len++;
    return fail(ps, p, "unknown macro '%.*s' (expected @yearly, @annually, "
                "@monthly, @weekly, @daily, @midnight or @hourly)", len, p);
}

cron_expr *cron_parse(const char *text, char *err, size_t errlen)
{
    static const char empty[] = "";
    struct parser ps = { text ? text : empty, err, errlen };
    struct cron_expr e;
    memset(&e, 0, sizeof e);
    if (err && errlen)
        err[0] = '\0';
    bool handled;
    if (!parse_special(&ps, &e, &handled))
        return NULL;
    if (!handled && !parse_fields(&ps, &e))
        return NULL;
    cron_expr *out = malloc(sizeof *out);
    if (!out) {
        fail(&ps, ps.text, "out of memory");
        return NULL;
    }
    *out = e;
    return out;
}

void cron_free(cron_expr *expr)
{
    free(expr);
}

bool cron_disabled(const cron_expr *expr)
{
    return expr && expr->disabled;
}

/* ------------------------------------------------------------------ */
/* Wall-clock matching (pure calendar arithmetic, no time zone)         */
/* ------------------------------------------------------------------ */

/* Wall times are seconds since 1970-01-01 00:00 as read on the clock. */
struct civil {
    int64_t day; /* days since 1970-01-01 */
    int year, mon, mday, hour, min, sec, wday;
};

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Howard Hinnant's days_from_civil. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void to_civil(int64_t w, struct civil *c)
{
    int64_t z = floor_div(w, 86400);
    int64_t sod = w - z * 86400;
    c->day = z;
    c->wday = (int)(((z + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    c->hour = (int)(sod / 3600);
    c->min = (int)(sod / 60 % 60);
    c->sec = (int)(sod % 60);
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    c->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    c->year = (int)(yoe + era * 400 + (c->mon <= 2));
}

static bool has(uint64_t bits, int v)
{
    return (bits >> v) & 1;
}

/* Lowest set bit >= FROM, or -1. */
static int next_bit(uint64_t bits, int from)
{
    uint64_t rest = bits & (~UINT64_C(0) << from);
    return rest ? __builtin_ctzll(rest) : -1;
}

static bool day_matches(const cron_expr *e, const struct civil *c)
{
    bool dom = has(e->bits[F_DOM], c->mday);
    bool dow = has(e->bits[F_DOW], c->wday);
    if (e->classic && !e->dom_star && !e->dow_star)
        return dom || dow;
    return dom && dow;
}

/* W itself if it matches, else the earliest wall time after W that could. */
static int64_t advance(const cron_expr *e, int64_t w)
{
    struct civil c;
    to_civil(w, &c);
    int64_t day = c.day * 86400;
    if (!has(e->bits[F_MON], c.mon)) {
        int y = c.year + (c.mon == 12), m = c.mon % 12 + 1;
        return days_from_civil(y, m, 1) * 86400;
    }
    if (!day_matches(e, &c))
        return day + 86400;
    int h = next_bit(e->bits[F_HOUR], c.hour);
    if (h != c.hour)
        return h < 0 ? day + 86400 : day + h * 3600;
    int64_t hour = day + h * 3600;
    int m = next_bit(e->bits[F_MIN], c.min);
    if (m != c.min)
        return m < 0 ? hour + 3600 : hour + m * 60;
    int64_t minute = hour + m * 60;
    int s = next_bit(e->bits[F_SEC], c.sec);
    if (s != c.sec)
        return s < 0 ? minute + 60 : minute + s;
    return w;
}

/* First matching wall time in [from, to], stored in *out. */
static bool find_wall(const cron_expr *e, int64_t from, int64_t to,
                      int64_t *out)
{
    int64_t w = from;
    while (w <= to) {
        int64_t next = advance(e, w);
        if (next == w) {
            *out = w;
            return true;
        }
        w = next;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* Time zone: UTC offsets and their changes                             */
/* ------------------------------------------------------------------ */

#define STEP (12 * 3600)       /* offset sampling interval */
#define LOOKBACK (24 * 3600)   /* how far back a fall-back can matter */
#define HORIZON ((5 * 365 + 2) * (int64_t)86400)

static long offset_at(time_t t)
{
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    return tm.tm_gmtoff;
}

/* Given offset(lo) != offset(hi) and lo < hi: the first instant in
 * (lo, hi] whose offset differs from offset(lo). */
static time_t bisect(time_t lo, time_t hi)
{
    long off = offset_at(lo);
    while (hi - lo > 1) {
        time_t mid = lo + (hi - lo) / 2;
        if (offset_at(mid) == off)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* The first offset change in (t, until], or -1 if none. */
static time_t next_change(time_t t, time_t until)
{
    long off = offset_at(t);
    for (time_t lo = t; lo < until;) {
        time_t hi = until - lo > STEP ? lo + STEP : until;
        if (offset_at(hi) != off)
            return bisect(lo, hi);
        lo = hi;
    }
    return -1;
}

/* For a fixed-time job at instant T with offset OFF: the first wall time
 * that has not already been shown by the clock before T (a fall back
 * within LOOKBACK repeats wall times). */
static int64_t first_unseen_wall(time_t t, long off)
{
    int64_t wall = (int64_t)t + off;
    time_t back = t - LOOKBACK;
    if (offset_at(back) == off)
        return wall;
    time_t change = bisect(back, t);
    long before = offset_at(change - 1);
    int64_t seen = (int64_t)change + before;
    return seen > wall ? seen : wall;
}

/* Fixed-time jobs: if T is the instant right after a spring-forward gap
 * that hides a matching wall time, the job fires at T. */
static bool fires_after_gap(const cron_expr *e, time_t t, long off)
{
    long before = offset_at(t - 1);
    int64_t unused;
    if (before >= off)
        return false;
    return find_wall(e, (int64_t)t + before, (int64_t)t + off - 1, &unused);
}

time_t cron_next(const cron_expr *expr, time_t after)
{
    if (!expr || expr->disabled || after > (time_t)(INT64_MAX - 2 * HORIZON) ||
        after < (time_t)(INT64_MIN + 2 * HORIZON))
        return (time_t)-1;
    tzset();
    time_t limit = after + (time_t)HORIZON;
    time_t t = after + 1;
    while (t <= limit) {
        long off = offset_at(t);
        if (expr->fixed_time && fires_after_gap(expr, t, off))
            return t;
        int64_t from = expr->fixed_time ? first_unseen_wall(t, off)
                                        : (int64_t)t + off;
        int64_t wall;
        if (!find_wall(expr, from, (int64_t)limit + off, &wall))
            return (time_t)-1;
        time_t cand = (time_t)(wall - off);
        time_t change = next_change(t, cand);
        if (change < 0)
            return cand;
        t = change; /* the wall time lies past an offset change: retry */
    }
    return (time_t)-1;
}
