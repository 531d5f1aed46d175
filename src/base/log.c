/* log.c - the log sink.
 *
 * Globals: the level, the optional log file and the mutex that serialises
 * lines from worker threads. They are process-wide by nature (one log per
 * process) and set once at start-up or on SIGHUP. The level is an atomic:
 * every thread reads it on every line, and a reload (SIGHUP) changes it
 * while workers log. */
#include "log.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static atomic_int current_level = LOG_INFO;
static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

bool log_level_parse(const char *s, log_level *out)
{
    for (int i = 0; i <= LOG_DEBUG; i++) {
        if (str_ieq(s, level_names[i])) {
            *out = (log_level)i;
            return true;
        }
    }
    if (str_ieq(s, "WARNING")) {
        *out = LOG_WARN;
        return true;
    }
    if (str_ieq(s, "TRACE")) {
        *out = LOG_DEBUG;
        return true;
    }
    /* Legacy Spring levels: errors are always logged, so FATAL and OFF
     * keep only them (operators must still see a failing job). */
    if (str_ieq(s, "FATAL") || str_ieq(s, "OFF")) {
        *out = LOG_ERROR;
        return true;
    }
    return false;
}

void log_set_level(log_level level)
{
    atomic_store_explicit(&current_level, (int)level, memory_order_relaxed);
}

bool log_open_file(const char *dir)
{
    char *path = xasprintf("%s/sync.log", dir);
    mkdir(dir, 0755);
    FILE *f = fopen(path, "a");
    int saved = errno;
    free(path);
    if (!f) {
        errno = saved;
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = f;
    pthread_mutex_unlock(&log_lock);
    return true;
}

void log_close_file(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = NULL;
    pthread_mutex_unlock(&log_lock);
}

/* Messages quote what others wrote (database values, request paths, an
 * engine's errors): a control character in one could forge or break a log
 * line, so each is written as an escape and every message is one line. */
static void append_one_line(strbuf *line, const strbuf *message)
{
    for (size_t i = 0; i < message->len; i++) {
        unsigned char c = (unsigned char)message->data[i];
        if (c == '\n')
            sb_puts(line, "\\n");
        else if (c == '\r')
            sb_puts(line, "\\r");
        else if (c < 0x20 || c == 0x7f)
            sb_printf(line, "\\x%02x", c);
        else
            sb_putc(line, (char)c);
    }
}

/* The calling thread's sink (a thread-local: each job runs on a thread of
 * its own). */
static _Thread_local log_sink_fn thread_sink;
static _Thread_local void *thread_sink_arg;

void log_set_thread_sink(log_sink_fn fn, void *arg)
{
    thread_sink = fn;
    thread_sink_arg = arg;
}

const char *log_level_name(log_level level)
{
    return level_names[level];
}

void log_msg(log_level level, const char *fmt, ...)
{
    bool to_log = (int)level <= atomic_load_explicit(&current_level, memory_order_relaxed);
    if (!to_log && !thread_sink)
        return;
    strbuf message, text;
    sb_init(&message);
    sb_init(&text);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&message, fmt, ap);
    va_end(ap);
    append_one_line(&text, &message);
    sb_free(&message);
    if (thread_sink)
        thread_sink(thread_sink_arg, level, text.data ? text.data : "");
    if (!to_log) {
        sb_free(&text);
        return;
    }
    char stamp[32];
    utc_timestamp(stamp);
    strbuf line;
    sb_init(&line);
    sb_printf(&line, "%s %-5s ", stamp, level_names[level]);
    sb_append(&line, text.data ? text.data : "", text.len);
    sb_free(&text);
    sb_putc(&line, '\n');
    pthread_mutex_lock(&log_lock);
    fwrite(line.data, 1, line.len, stderr);
    if (log_file)
        fwrite(line.data, 1, line.len, log_file);
    pthread_mutex_unlock(&log_lock);
    sb_free(&line);
}
