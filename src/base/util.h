/* util.h - small helpers every module uses: checked allocation, a growable
 * byte buffer, and string utilities.
 *
 * Allocation failure is fatal (the daemon cannot do anything useful without
 * memory, and every job is atomic so aborting loses nothing). */
#ifndef TIS_UTIL_H
#define TIS_UTIL_H

#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xstrdup, or NULL for NULL. */
char *xstrdup_or_null(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable NUL-terminated byte buffer. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
void sb_reserve(strbuf *sb, size_t extra);
void sb_append(strbuf *sb, const char *s, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_putc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap);
/* Detaches the buffer; the caller frees it. */
char *sb_steal(strbuf *sb);

bool str_ieq(const char *a, const char *b);
/* Trims ASCII white space in place; returns s. */
char *str_trim(char *s);
/* Parses a whole decimal integer in [min, max]; false on any junk. */
bool parse_long(const char *s, long long min, long long max, long long *out);
/* Valid YYYY-MM-DD calendar date. */
bool parse_date(const char *s, int *y, int *m, int *d);
/* DATE (YYYY-MM-DD) plus DAYS (may be negative) into out[11]; false for a
 * bad DATE. */
bool date_add_days(const char *date, int days, char out[11]);
/* The current UTC date as YYYY-MM-DD into buf[11]. */
void utc_today(char buf[11]);
/* Monotonic seconds, for durations. */
double monotonic_seconds(void);
/* Epoch seconds T as 'YYYY-MM-DD HH:MM:SS' (UTC) into buf[32]. */
void utc_format_seconds(long long t, char buf[32]);
/* Wall clock as ISO-8601 UTC with milliseconds into buf[32]. */
void utc_timestamp(char buf[32]);
/* Wall clock as 'YYYY-MM-DD HH:MM:SS.mmm' UTC (a DATETIME(3) literal) into
 * buf[32]. */
void utc_db_timestamp(char buf[32]);

#endif
