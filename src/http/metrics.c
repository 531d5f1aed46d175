/* metrics.c - GET /metrics in the Prometheus text exposition format
 * (version 0.0.4), checked by promtool in the tests. The job families come
 * from the shared run history (status_cache.h), so blue and green
 * instances report the same values; the process_* ones are this process.
 * packaging/prometheus/tis-sync.rules.yml holds the alerts built on them.
 *
 * http.metrics_auth = none opens it to any client (a Prometheus without
 * a bearer token); by default it needs a viewer token. */
#include "status_cache.h"
#include "version.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static const double duration_buckets[HISTORY_BUCKET_COUNT] = HISTORY_DURATION_BUCKETS;

static void family(strbuf *out, const char *name, const char *type, const char *help)
{
    sb_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the format wants it: \\, \" and \n escaped. */
static void label_value(strbuf *out, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            sb_putc(out, '\\');
        if (*p == '\n')
            sb_puts(out, "\\n");
        else
            sb_putc(out, *p);
    }
}

static void job_sample(strbuf *out, const char *name, const char *job, double value)
{
    sb_printf(out, "%s{job=\"", name);
    label_value(out, job);
    sb_printf(out, "\"} %.17g\n", value);
}

static void job_runs(strbuf *out, const status_snapshot *s)
{
    family(out, "tis_sync_job_runs_total", "counter",
           "Runs of each job that ended (or did not start), by status, from the shared run history.");
    for (size_t i = 0; i < s->ncounts; i++) {
        sb_puts(out, "tis_sync_job_runs_total{job=\"");
        label_value(out, s->counts[i].job);
        sb_puts(out, "\",status=\"");
        label_value(out, s->counts[i].status);
        sb_printf(out, "\"} %lld\n", s->counts[i].count);
    }
}

static void job_durations(strbuf *out, const status_snapshot *s)
{
    family(out, "tis_sync_job_duration_seconds", "histogram",
           "How long the runs of each job that ran took (succeeded, failed, cancelled or aborted).");
    for (size_t i = 0; i < s->ndurations; i++) {
        const duration_histogram *h = &s->durations[i];
        for (int b = 0; b < HISTORY_BUCKET_COUNT; b++) {
            sb_puts(out, "tis_sync_job_duration_seconds_bucket{job=\"");
            label_value(out, h->job);
            sb_printf(out, "\",le=\"%g\"} %lld\n", duration_buckets[b], h->le[b]);
        }
        sb_puts(out, "tis_sync_job_duration_seconds_bucket{job=\"");
        label_value(out, h->job);
        sb_printf(out, "\",le=\"+Inf\"} %lld\n", h->count);
        job_sample(out, "tis_sync_job_duration_seconds_sum", h->job, h->sum);
        job_sample(out, "tis_sync_job_duration_seconds_count", h->job, (double)h->count);
    }
}

/* The gauges with one sample per job. */
static void job_gauges(strbuf *out, const status_snapshot *s)
{
    family(out, "tis_sync_job_running", "gauge", "1 while a run of the job is going on any instance.");
    for (int j = 0; j < JOB_COUNT; j++)
        job_sample(out, "tis_sync_job_running", job_table[j].name, s->jobs[j].has_running);
    family(out, "tis_sync_job_run_started_timestamp_seconds", "gauge",
           "When the run going now started (only while one is going).");
    for (int j = 0; j < JOB_COUNT; j++)
        if (s->jobs[j].has_running)
            job_sample(out, "tis_sync_job_run_started_timestamp_seconds", job_table[j].name,
                       (double)s->jobs[j].running.started_ms / 1000.0);
    family(out, "tis_sync_job_last_success_timestamp_seconds", "gauge",
           "When the job's last successful run ended (jobs that ever succeeded).");
    for (int j = 0; j < JOB_COUNT; j++)
        if (s->jobs[j].last_success_ms > 0)
            job_sample(out, "tis_sync_job_last_success_timestamp_seconds", job_table[j].name,
                       (double)s->jobs[j].last_success_ms / 1000.0);
    family(out, "tis_sync_job_last_run_timestamp_seconds", "gauge", "When the job's last run that ended, ended.");
    for (int j = 0; j < JOB_COUNT; j++)
        if (s->jobs[j].has_last)
            job_sample(out, "tis_sync_job_last_run_timestamp_seconds", job_table[j].name,
                       (double)s->jobs[j].last.finished_ms / 1000.0);
    family(out, "tis_sync_job_last_run_success", "gauge", "1 when the job's last run that ended succeeded, else 0.");
    for (int j = 0; j < JOB_COUNT; j++)
        if (s->jobs[j].has_last)
            job_sample(out, "tis_sync_job_last_run_success", job_table[j].name,
                       strcmp(s->jobs[j].last.status, "succeeded") == 0);
    family(out, "tis_sync_job_last_rows", "gauge", "Rows written (or documents indexed) by the job's last run.");
    for (int j = 0; j < JOB_COUNT; j++)
        if (s->jobs[j].has_last)
            job_sample(out, "tis_sync_job_last_rows", job_table[j].name, (double)s->jobs[j].last.rows_written);
    family(out, "tis_sync_job_next_run_timestamp_seconds", "gauge",
           "When the job's schedule fires next on this instance (jobs with a schedule).");
    for (int j = 0; j < JOB_COUNT; j++)
        if (s->jobs[j].next_run_ms > 0)
            job_sample(out, "tis_sync_job_next_run_timestamp_seconds", job_table[j].name,
                       (double)s->jobs[j].next_run_ms / 1000.0);
    family(out, "tis_sync_job_paused", "gauge", "1 when an operator paused the job (no schedule starts it).");
    for (int j = 0; j < JOB_COUNT; j++)
        job_sample(out, "tis_sync_job_paused", job_table[j].name, s->jobs[j].paused);
}

static long count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    long n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

static void process_metrics(strbuf *out, double started)
{
    struct rusage use;
    getrusage(RUSAGE_SELF, &use);
    double cpu = (double)use.ru_utime.tv_sec + (double)use.ru_utime.tv_usec / 1e6 + (double)use.ru_stime.tv_sec +
                 (double)use.ru_stime.tv_usec / 1e6;
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            pages = resident = 0;
        fclose(f);
    }
    long page = sysconf(_SC_PAGESIZE);
    struct rlimit limit = {0};
    getrlimit(RLIMIT_NOFILE, &limit);
    family(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    sb_printf(out, "process_cpu_seconds_total %.6f\n", cpu);
    family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    sb_printf(out, "process_resident_memory_bytes %ld\n", resident * page);
    family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    sb_printf(out, "process_virtual_memory_bytes %ld\n", pages * page);
    family(out, "process_open_fds", "gauge", "Number of open file descriptors.");
    sb_printf(out, "process_open_fds %ld\n", count_open_fds());
    family(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
    sb_printf(out, "process_max_fds %llu\n", (unsigned long long)limit.rlim_cur);
    family(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    sb_printf(out, "process_start_time_seconds %.3f\n", started);
}

static enum MHD_Result get_metrics(http_request *req)
{
    strbuf err;
    sb_init(&err);
    status_snapshot *s = status_acquire(req->service, &err);
    sb_free(&err);
    if (!s)
        return http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The run history cannot be read");
    strbuf out;
    sb_init(&out);
    job_runs(&out, s);
    job_durations(&out, s);
    job_gauges(&out, s);
    status_release(req->service, s);
    family(&out, "tis_sync_build_info", "gauge", "The tis-sync version, as a label; always 1.");
    sb_printf(&out, "tis_sync_build_info{version=\"%s\"} 1\n", TIS_SYNC_VERSION);
    process_metrics(&out, req->service->started);
    enum MHD_Result rc = http_reply_text(req, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", out.data,
                                         out.len);
    sb_free(&out);
    return rc;
}

static const http_route routes[] = {
    {"GET", "/metrics", ROLE_VIEWER, get_metrics, false, true},
};

const http_routes metrics_routes = {routes, sizeof routes / sizeof routes[0]};
