/* cron.h - cron expressions: Spring's 6-field form (sec min hour dom mon
 * dow) and the classic 5-field form (min hour dom mon dow, seconds = 0).
 * Next fire times are computed in the process's local time zone: the
 * service sets TZ once at start-up ("UTC0" unless a zone is configured), so
 * one zone applies everywhere. With a zone that has DST, behaviour is that
 * of Debian cron: a time that falls in a skipped hour fires once right
 * after the change; a time in a repeated hour fires once, not twice. */
#ifndef TIS_CRON_H
#define TIS_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct cron_expr cron_expr;

/* Returns NULL on error and writes "position N: what was expected" into
 * err (N is the 1-based character position in TEXT). Also accepts Spring's
 * macros (@daily, @hourly, ...) and "-", Spring's "disabled". */
cron_expr *cron_parse(const char *text, char *err, size_t errlen);
void cron_free(cron_expr *expr);
/* True for "-": the job is never scheduled. */
bool cron_disabled(const cron_expr *expr);
/* The first fire time strictly after AFTER, or (time_t)-1 if none within
 * the next 5 years (e.g. 30 FEB) or the expression is disabled. */
time_t cron_next(const cron_expr *expr, time_t after);

#endif
