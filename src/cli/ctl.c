/* ctl.c - `tis-sync ctl`: the operator's client of the service's API v1,
 * from any host that reaches it (it replaces the legacy runbook's JDK and
 * jmxterm in the container):
 *
 *   ctl status                      every job: state, progress, last and next run
 *   ctl run JOB... [--with-dependents] [--today D] [--wait]
 *   ctl chain [--wait]              the nightly chain
 *   ctl history [JOB] [--limit N]   the run history, newest first
 *   ctl log RUN                     a run's log (live while it runs)
 *   ctl cancel RUN                  on whichever instance runs it
 *   ctl pause JOB, ctl resume JOB
 *
 * The service is at --url (default: http.listen, https with http.tls_cert);
 * the token comes from TIS_SYNC_TOKEN or --token-file and is never printed.
 * --wait follows the runs until they end: on a terminal a progress bar per
 * run (rows, percent, ETA), otherwise one line per change. Exit status: 0
 * every run succeeded (or the change was made), 1 a run did not succeed or
 * the service refused, 2 usage, 3 already running. */
#include "api_client.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { WAIT_POLL_MS = 1000, PROGRESS_LINE_S = 5, BAR_WIDTH = 28, TOKEN_FILE_MAX = 4096 };

static int ctl_usage(const char *why)
{
    fprintf(stderr,
            "tis-sync ctl: %s\n"
            "usage: tis-sync ctl status | run JOB... [--with-dependents] [--today D] [--wait] | chain [--wait]\n"
            "                  | history [JOB] [--limit N] | log RUN | cancel RUN | pause JOB | resume JOB\n"
            "       [--url URL] [--token-file FILE] [--ca-file FILE]  (token: TIS_SYNC_TOKEN or --token-file)\n",
            why);
    return EXIT_USAGE;
}

/* ---- connecting --------------------------------------------------------- */

/* http(s)://HOST:PORT from http.listen: a wildcard address means this host. */
static char *default_url(const config *cfg)
{
    const char *listen = cfg_str(cfg, CFG_HTTP_LISTEN);
    const char *colon = strrchr(listen, ':');
    const char *scheme = cfg_str(cfg, CFG_HTTP_TLS_CERT) ? "https" : "http";
    if (!colon)
        return xasprintf("%s://127.0.0.1:8080", scheme);
    int hostlen = (int)(colon - listen);
    const char *host = listen;
    if (hostlen == 0 || (hostlen == 1 && *listen == '*') || strncmp(listen, "0.0.0.0", (size_t)hostlen) == 0) {
        host = "127.0.0.1";
        hostlen = 9;
    } else if (strncmp(listen, "[::]", (size_t)hostlen) == 0) {
        host = "[::1]";
        hostlen = 5;
    }
    return xasprintf("%s://%.*s%s", scheme, hostlen, host, colon);
}

/* The token: TIS_SYNC_TOKEN, or the first line of --token-file; NULL for
 * none (a service with http.auth = none). -1 when the file cannot be read. */
static int read_token(const cli_options *o, char **out)
{
    *out = NULL;
    if (!o->token_file) {
        const char *env = getenv("TIS_SYNC_TOKEN");
        *out = env && *env ? xstrdup(env) : NULL;
        return 0;
    }
    FILE *f = fopen(o->token_file, "r");
    char line[TOKEN_FILE_MAX];
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr, "tis-sync ctl: cannot read the token file %s\n", o->token_file);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    *out = xstrdup(line);
    memset(line, 0, sizeof line);
    return 0;
}

/* Says why the API refused; returns the exit status. */
static int refused(long status, json_t *doc, const strbuf *err)
{
    const char *message = json_string_value(json_object_get(doc, "error"));
    if (status < 0)
        fprintf(stderr, "tis-sync ctl: cannot reach the service: %s\n", err->data);
    else if (status == 401)
        fprintf(stderr, "tis-sync ctl: the service refused the token (401: %s); set TIS_SYNC_TOKEN or --token-file "
                        "to a token made by `tis-sync token new`\n",
                message ? message : "no token");
    else if (status == 403)
        fprintf(stderr, "tis-sync ctl: this needs an operator token (403)\n");
    else
        fprintf(stderr, "tis-sync ctl: %s (HTTP %ld)\n", message ? message : err->len ? err->data : "refused",
                status);
    return status == 409 ? EXIT_ALREADY_RUNNING : EXIT_FAILED;
}

/* Calls the API; returns the answer when its status is EXPECTED, else
 * NULL having said why (*rc: the exit status). */
static json_t *call(api_client *api, const char *method, const char *path, json_t *body, long expected, int *rc)
{
    long status;
    strbuf err;
    sb_init(&err);
    json_t *doc = api_call_json(api, method, path, body, &status, &err);
    if (status != expected) {
        *rc = refused(status, doc, &err);
        json_decref(doc);
        doc = NULL;
    }
    sb_free(&err);
    return doc;
}

/* ---- printing ----------------------------------------------------------- */

static const char *text_of(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static long long int_of(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* 'YYYY-MM-DDTHH:MM:SS.mmmZ' as 'YYYY-MM-DD HH:MM:SS'. */
static void short_time(const char *iso, char out[20])
{
    snprintf(out, 20, "%.19s", iso && *iso ? iso : "-");
    if (strlen(out) > 10 && out[10] == 'T')
        out[10] = ' ';
}

static bool run_ended(const char *status)
{
    return strcmp(status, "queued") != 0 && strcmp(status, "running") != 0;
}

/* "running 45% ETA 12s" / "queued" / "paused" / "idle" for a job. */
static void job_state(const json_t *job, char *out, size_t size)
{
    const json_t *running = json_object_get(job, "running");
    if (json_is_object(running)) {
        long long done = int_of(running, "rowsDone"), expected = int_of(running, "rowsExpected");
        json_t *eta = json_object_get(running, "etaSeconds");
        if (expected > 0 && done >= 0)
            snprintf(out, size, "running %lld%%", done * 100 / expected);
        else
            snprintf(out, size, "running");
        if (json_is_number(eta))
            snprintf(out + strlen(out), size - strlen(out), " ETA %.0fs", json_number_value(eta));
    } else if (json_is_object(json_object_get(job, "queued"))) {
        snprintf(out, size, "queued");
    } else {
        snprintf(out, size, "%s", json_is_true(json_object_get(job, "paused")) ? "paused" : "idle");
    }
}

static int ctl_status(api_client *api)
{
    int rc = EXIT_OK;
    json_t *doc = call(api, "GET", "/api/v1/jobs", NULL, 200, &rc);
    if (!doc)
        return rc;
    printf("%-38s %-22s %-42s %s\n", "job", "state", "last run", "next run (UTC)");
    size_t i;
    json_t *job;
    json_array_foreach(json_object_get(doc, "jobs"), i, job)
    {
        if (!json_is_true(json_object_get(job, "available")))
            continue;
        char state[64], last[96] = "never", started[20], next[20];
        job_state(job, state, sizeof state);
        const json_t *lr = json_object_get(job, "lastRun");
        if (json_is_object(lr)) {
            short_time(text_of(lr, "startedAt"), started);
            json_t *d = json_object_get(lr, "durationSeconds");
            snprintf(last, sizeof last, "%s %s (%.1f s)", text_of(lr, "status"), started,
                     json_is_number(d) ? json_number_value(d) : 0.0);
        }
        short_time(text_of(job, "nextRun"), next);
        printf("%-38s %-22s %-42s %s\n", text_of(job, "name"), state, last, next);
    }
    json_decref(doc);
    return rc;
}

static int ctl_history(api_client *api, const cli_options *o)
{
    char path[256];
    char *job = o->nargs > 1 ? api_escape(o->args[1]) : NULL;
    snprintf(path, sizeof path, "/api/v1/runs?limit=%lld%s%s", o->limit, job ? "&job=" : "", job ? job : "");
    free(job);
    int rc = EXIT_OK;
    json_t *doc = call(api, "GET", path, NULL, 200, &rc);
    if (!doc)
        return rc;
    printf("%-7s %-38s %-10s %-16s %-19s %10s %10s  %s\n", "run", "job", "status", "started by", "started (UTC)",
           "seconds", "rows", "error");
    size_t i;
    json_t *run;
    json_array_foreach(json_object_get(doc, "runs"), i, run)
    {
        char started[20], seconds[16] = "-", rows[24] = "-";
        short_time(text_of(run, "startedAt"), started);
        json_t *d = json_object_get(run, "durationSeconds");
        if (json_is_number(d))
            snprintf(seconds, sizeof seconds, "%.1f", json_number_value(d));
        if (int_of(run, "rowsWritten") >= 0)
            snprintf(rows, sizeof rows, "%lld", int_of(run, "rowsWritten"));
        printf("%-7lld %-38s %-10s %-16s %-19s %10s %10s  %s\n", int_of(run, "id"), text_of(run, "job"),
               text_of(run, "status"), text_of(run, "startedBy"), started, seconds, rows, text_of(run, "error"));
    }
    json_decref(doc);
    return rc;
}

static int ctl_log(api_client *api, const char *run)
{
    char *id = api_escape(run), *path = xasprintf("/api/v1/runs/%s/log", id);
    strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    long status = api_call(api, "GET", path, NULL, &out, &err);
    int rc = EXIT_OK;
    if (status == 200) {
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
    } else {
        json_t *doc = json_loadb(out.data ? out.data : "", out.len, 0, NULL);
        rc = refused(status, doc, &err);
        json_decref(doc);
    }
    sb_free(&out);
    sb_free(&err);
    free(path);
    free(id);
    return rc;
}

static int ctl_cancel(api_client *api, const char *run)
{
    char *id = api_escape(run), *path = xasprintf("/api/v1/runs/%s/cancel", id);
    int rc = EXIT_OK;
    json_t *doc = call(api, "POST", path, NULL, 202, &rc);
    if (doc) {
        const json_t *r = json_object_get(doc, "run");
        printf("run %lld (%s): %s\n", int_of(r, "id"), text_of(r, "job"),
               strcmp(text_of(r, "status"), "cancelled") == 0 ? "cancelled" : "cancel asked; it rolls back");
    }
    json_decref(doc);
    free(path);
    free(id);
    return rc == EXIT_ALREADY_RUNNING ? EXIT_FAILED : rc; /* its 409 means "it has ended" */
}

static int ctl_pause(api_client *api, const char *job, bool pause)
{
    char *name = api_escape(job), *path = xasprintf("/api/v1/jobs/%s/%s", name, pause ? "pause" : "resume");
    int rc = EXIT_OK;
    json_t *doc = call(api, "POST", path, NULL, 200, &rc);
    if (doc)
        printf("%s %s%s\n", text_of(doc, "job"), pause ? "paused" : "resumed",
               json_is_true(json_object_get(doc, "changed")) ? "" : " (it already was)");
    json_decref(doc);
    free(path);
    free(name);
    return rc;
}

/* ---- following runs ----------------------------------------------------- */

typedef struct {
    long long id;
    char job[65];
    char status[16];
    long long done, expected;
    double eta; /* -1: unknown */
    double last_line;
    char error[256];
    double seconds;
} followed_run;

static void read_run(const json_t *doc, followed_run *r)
{
    snprintf(r->status, sizeof r->status, "%s", text_of(doc, "status"));
    r->done = int_of(doc, "rowsDone");
    r->expected = int_of(doc, "rowsExpected");
    json_t *eta = json_object_get(doc, "etaSeconds"), *d = json_object_get(doc, "durationSeconds");
    r->eta = json_is_number(eta) ? json_number_value(eta) : -1;
    r->seconds = json_is_number(d) ? json_number_value(d) : 0;
    snprintf(r->error, sizeof r->error, "%s", text_of(doc, "error"));
}

static void draw_bar(const followed_run *r)
{
    int percent = r->expected > 0 && r->done >= 0 ? (int)(r->done * 100 / r->expected) : 0;
    if (strcmp(r->status, "succeeded") == 0)
        percent = 100;
    percent = percent > 100 ? 100 : percent;
    char bar[BAR_WIDTH + 1];
    int filled = percent * BAR_WIDTH / 100;
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    printf("\033[2K%-36.36s [%s] %3d%% ", r->job, bar, percent);
    if (r->done >= 0 && r->expected > 0)
        printf("%lld/%lld rows ", r->done, r->expected);
    else if (r->done >= 0)
        printf("%lld rows ", r->done);
    if (strcmp(r->status, "running") == 0 && r->eta >= 0)
        printf("ETA %.0fs ", r->eta);
    printf("%s\n", r->status);
}

/* One line per change: started, every PROGRESS_LINE_S of progress, ended. */
static void print_change(followed_run *r, const char *before)
{
    double now = monotonic_seconds();
    bool changed = strcmp(before, r->status) != 0;
    if (!changed && !(strcmp(r->status, "running") == 0 && now - r->last_line >= PROGRESS_LINE_S))
        return;
    r->last_line = now;
    printf("run %lld %s: %s", r->id, r->job, r->status);
    if (strcmp(r->status, "running") == 0 && r->done >= 0) {
        printf(", %lld", r->done);
        if (r->expected > 0)
            printf(" of %lld rows (%lld%%)", r->expected, r->done * 100 / r->expected);
        else
            printf(" rows");
        if (r->eta >= 0)
            printf(", ETA %.0f s", r->eta);
    }
    if (run_ended(r->status))
        printf(" in %.1f s%s%s", r->seconds, r->error[0] ? ": " : "", r->error);
    printf("\n");
    fflush(stdout);
}

/* Follows RUNS until every one ended; 0 when they all succeeded. */
static int wait_runs(api_client *api, followed_run *runs, size_t n)
{
    bool tty = isatty(STDOUT_FILENO);
    size_t ended = 0;
    bool drawn = false;
    while (ended < n) {
        ended = 0;
        for (size_t i = 0; i < n; i++) {
            if (run_ended(runs[i].status)) {
                ended++;
                continue;
            }
            char path[64], before[16];
            snprintf(path, sizeof path, "/api/v1/runs/%lld", runs[i].id);
            snprintf(before, sizeof before, "%s", runs[i].status);
            int rc = EXIT_OK;
            json_t *doc = call(api, "GET", path, NULL, 200, &rc);
            if (!doc)
                return rc;
            read_run(doc, &runs[i]);
            json_decref(doc);
            if (!tty)
                print_change(&runs[i], before);
            ended += run_ended(runs[i].status);
        }
        if (tty) {
            if (drawn)
                printf("\033[%zuA", n);
            for (size_t i = 0; i < n; i++)
                draw_bar(&runs[i]);
            fflush(stdout);
            drawn = true;
        }
        if (ended < n) {
            struct timespec ts = {WAIT_POLL_MS / 1000, (WAIT_POLL_MS % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    int failed = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(runs[i].status, "succeeded") != 0) {
            failed++;
            if (tty)
                fprintf(stderr, "run %lld %s: %s%s%s\n", runs[i].id, runs[i].job, runs[i].status,
                        runs[i].error[0] ? ": " : "", runs[i].error);
        }
    return failed ? EXIT_FAILED : EXIT_OK;
}

/* ---- starting runs ------------------------------------------------------ */

/* Adds the runs of an accepted start to RUNS (unless already there). */
static void add_runs(const json_t *doc, followed_run *runs, size_t *n)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "runs"), i, r)
    {
        long long id = int_of(r, "id");
        bool known = false;
        for (size_t k = 0; k < *n; k++)
            known |= runs[k].id == id;
        if (known || *n == 64)
            continue;
        followed_run *f = &runs[(*n)++];
        *f = (followed_run){.id = id, .done = -1, .expected = -1, .eta = -1};
        snprintf(f->job, sizeof f->job, "%s", text_of(r, "job"));
        snprintf(f->status, sizeof f->status, "queued");
        printf("%s: run %lld queued\n", f->job, id);
    }
    fflush(stdout);
}

static int ctl_start(api_client *api, const cli_options *o, const config *cfg, bool chain)
{
    followed_run runs[64];
    size_t n = 0;
    int rc = EXIT_OK;
    int first = chain ? 0 : 1, last = chain ? 0 : o->nargs - 1;
    for (int a = first; a <= last && rc == EXIT_OK; a++) {
        json_t *body = json_object();
        if (!chain && o->with_dependents)
            json_object_set_new(body, "withDependents", json_true());
        if (cfg_str(cfg, CFG_TODAY))
            json_object_set_new(body, "today", json_string(cfg_str(cfg, CFG_TODAY)));
        char *name = chain ? NULL : api_escape(o->args[a]);
        char *path = chain ? xstrdup("/api/v1/chain/runs") : xasprintf("/api/v1/jobs/%s/runs", name);
        json_t *doc = call(api, "POST", path, body, 202, &rc);
        if (doc)
            add_runs(doc, runs, &n);
        json_decref(doc);
        json_decref(body);
        free(path);
        free(name);
    }
    if (rc == EXIT_OK && o->wait)
        rc = wait_runs(api, runs, n);
    return rc;
}

/* ---- the command -------------------------------------------------------- */

static int check_args(const cli_options *o, const char *sub)
{
    int n = o->nargs - 1;
    if (!strcmp(sub, "status") || !strcmp(sub, "chain"))
        return n == 0 ? 0 : ctl_usage("status and chain take no argument");
    if (!strcmp(sub, "run"))
        return n >= 1 ? 0 : ctl_usage("run needs at least one job");
    if (!strcmp(sub, "history"))
        return n <= 1 ? 0 : ctl_usage("history takes at most one job");
    if (!strcmp(sub, "log") || !strcmp(sub, "cancel") || !strcmp(sub, "pause") || !strcmp(sub, "resume"))
        return n == 1 ? 0 : ctl_usage("log, cancel, pause and resume take one argument");
    return ctl_usage(*sub ? "unknown ctl command" : "which ctl command?");
}

int cmd_ctl(const cli_options *o, const config *cfg)
{
    const char *sub = o->nargs > 0 ? o->args[0] : "";
    int rc = check_args(o, sub);
    if (rc != 0)
        return rc;
    if (o->wait && strcmp(sub, "run") != 0 && strcmp(sub, "chain") != 0)
        return ctl_usage("--wait goes with run and chain");
    char *token = NULL;
    if (read_token(o, &token) != 0)
        return EXIT_USAGE;
    char *url = o->url ? xstrdup(o->url) : default_url(cfg);
    api_client *api = api_client_new(url, token, o->ca_file);
    if (token)
        memset(token, 0, strlen(token));
    free(token);
    if (!strcmp(sub, "status"))
        rc = ctl_status(api);
    else if (!strcmp(sub, "run") || !strcmp(sub, "chain"))
        rc = ctl_start(api, o, cfg, !strcmp(sub, "chain"));
    else if (!strcmp(sub, "history"))
        rc = ctl_history(api, o);
    else if (!strcmp(sub, "log"))
        rc = ctl_log(api, o->args[1]);
    else if (!strcmp(sub, "cancel"))
        rc = ctl_cancel(api, o->args[1]);
    else
        rc = ctl_pause(api, o->args[1], !strcmp(sub, "pause"));
    api_client_free(api);
    free(url);
    return rc;
}
