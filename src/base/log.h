/* log.h - the service log: every line to stderr and, when configured, to
 * LOG_DIR/sync.log. Thread-safe. Operators grep the job lines (SPEC 4);
 * runner.c alone writes them, so their wording lives in one place. */
#ifndef TIS_LOG_H
#define TIS_LOG_H

#include <stdbool.h>

typedef enum { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG } log_level;

/* ERROR, WARN, INFO, DEBUG (any case), and the legacy Spring names:
 * WARNING = WARN, TRACE = DEBUG, FATAL and OFF = ERROR (errors are always
 * logged). */
bool log_level_parse(const char *s, log_level *out);
/* Thread-safe: a reload may change the level while other threads log. */
void log_set_level(log_level level);
/* Opens (appends to) DIR/sync.log. Returns false with errno set on failure. */
bool log_open_file(const char *dir);
void log_close_file(void);

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A receiver of the lines one thread logs, as well as the log: a running
 * job's lines are kept with its run (runner.c). LINE is the one-line
 * message (control characters escaped), without stamp or level; it is
 * passed whatever the log level. */
typedef void (*log_sink_fn)(void *arg, log_level level, const char *line);
/* Sets (or, with NULL, clears) the calling thread's sink. */
void log_set_thread_sink(log_sink_fn fn, void *arg);
const char *log_level_name(log_level level);
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
