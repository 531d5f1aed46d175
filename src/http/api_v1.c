/* api_v1.c - API v1 (JSON under /api/v1), described by api/openapi.json,
 * which is served at /api/v1/openapi.json and which every answer in the
 * tests is checked against:
 *
 *   GET  /api/v1/jobs                   every job: schedule, next run, paused, dependencies, the run
 *                                       going now on any instance (with progress and ETA), the last run
 *   GET  /api/v1/runs?job=&status=&since=&limit=&cursor=
 *                                       the history, newest first; nextCursor pages on (keyset)
 *   GET  /api/v1/runs/{id}              one run
 *   GET  /api/v1/runs/{id}/log          its log lines, as text
 *   POST /api/v1/jobs/{name}/runs       {"withDependents":bool,"today":"YYYY-MM-DD","dateOfChange":"ANY|date"}
 *                                       202 {"runs":[...]} + Location; 409 {"error","run"} when the job
 *                                       runs on any instance; 404 unknown job
 *   POST /api/v1/chain/runs             the nightly chain; 409 while a chain is queued or running
 *   POST /api/v1/runs/{id}/cancel       202; the instance running it rolls back and records "cancelled"
 *   POST /api/v1/jobs/{name}/pause      200 {"job","paused"}: no schedule or catch-up starts it
 *   POST /api/v1/jobs/{name}/resume
 *   GET  /api/v1/instances              the instances seen in the last day: up or not, the runs each has going
 *
 * Reads need a viewer token, changes an operator's; every change is
 * audited. */
#include "embedded.h"
#include "heartbeat.h"
#include "history.h"
#include "instances.h"
#include "job_state.h"
#include "log.h"
#include "start_runs.h"
#include "status_cache.h"
#include "version.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum {
    RUNS_DEFAULT_LIMIT = 50,
    RUNS_MAX_LIMIT = 500,
    INSTANCES_SHOWN_S = 24 * 3600, /* instances seen in the last day are listed */
    INSTANCE_UP_S = 3 * HEARTBEAT_S, /* up: a heartbeat in the last three beats */
};

/* ---- JSON of runs and jobs ---------------------------------------------- */

static json_t *time_or_null(long long ms)
{
    if (ms <= 0)
        return json_null();
    char text[32];
    history_format_ms(ms, text);
    return json_string(text);
}

static json_t *text_or_null(const char *s)
{
    return http_json_text(s && *s ? s : NULL);
}

static json_t *count_or_null(long long n)
{
    return n >= 0 ? json_integer(n) : json_null();
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Seconds left for a running run, from its rate so far; null if unknown. */
static json_t *eta(const run_row *r)
{
    if (strcmp(r->status, RUN_STATUS_RUNNING) != 0 || r->rows_done <= 0 || r->rows_expected <= 0 || r->started_ms <= 0)
        return json_null();
    double elapsed = (double)(now_ms() - r->started_ms) / 1000.0;
    double left = r->rows_expected > r->rows_done ? (double)(r->rows_expected - r->rows_done) : 0;
    return json_real(elapsed * left / (double)r->rows_done);
}

static json_t *run_json(const run_row *r)
{
    bool ended = r->finished_ms > 0;
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "id", (json_int_t)r->id, "job", r->job, "status", r->status, "trigger", r->trigger, "startedBy",
                     text_or_null(r->started_by), "instance", text_or_null(r->instance), "startedAt",
                     time_or_null(r->started_ms), "finishedAt", time_or_null(r->finished_ms), "durationSeconds",
                     ended && r->started_ms > 0 ? json_real((double)(r->finished_ms - r->started_ms) / 1000.0)
                                                : json_null(),
                     "rowsWritten", r->has_rows_written ? json_integer(r->rows_written) : json_null(), "rowsDone",
                     count_or_null(r->rows_done), "rowsExpected", count_or_null(r->rows_expected), "etaSeconds",
                     eta(r), "today", text_or_null(r->today), "argument", text_or_null(r->argument), "tcsSchema",
                     text_or_null(r->tcs_schema), "cancelRequestedBy", text_or_null(r->cancel_requested_by),
                     "error", text_or_null(r->error));
}

static json_t *job_names(bool dependents_of, job_id job)
{
    json_t *list = json_array();
    for (int j = 0; j < JOB_COUNT; j++) {
        const job_def *from = dependents_of ? &job_table[job] : &job_table[j];
        job_id target = dependents_of ? (job_id)j : job;
        for (int d = 0; d < from->ndependents; d++)
            if (from->dependents[d] == target)
                json_array_append_new(list, json_string(job_table[j].name));
    }
    return list;
}

static json_t *job_json(const status_snapshot *s, job_id j)
{
    const job_def *def = &job_table[j];
    const job_status_view *v = &s->jobs[j];
    json_t *legacy = json_pack("[s, s, s]", def->bean, def->method, def->status_key);
    return json_pack("{s:s, s:o, s:b, s:s, s:s, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name", def->name,
                     "legacyNames", legacy, "available", v->available, "schedule", v->schedule, "timeZone",
                     s->time_zone, "nextRun", time_or_null(v->next_run_ms), "paused", v->paused, "pausedBy",
                     v->paused ? text_or_null(v->paused_by) : json_null(), "pausedAt",
                     v->paused ? time_or_null(v->paused_at_ms) : json_null(), "readsFrom", job_names(false, j),
                     "dependents", job_names(true, j), "running",
                     v->has_running ? run_json(&v->running) : json_null(), "queued",
                     v->has_queued ? run_json(&v->queued) : json_null(), "lastRun",
                     v->has_last ? run_json(&v->last) : json_null(), "lastSuccessAt",
                     time_or_null(v->last_success_ms));
}

/* ---- reads -------------------------------------------------------------- */

static enum MHD_Result get_jobs(http_request *req)
{
    strbuf err;
    sb_init(&err);
    status_snapshot *s = status_acquire(req->service, &err);
    if (!s) {
        return http_reply_unavailable(req, &err, "The run history cannot be read");
    }
    sb_free(&err);
    json_t *jobs = json_array();
    for (int j = 0; j < JOB_COUNT; j++)
        json_array_append_new(jobs, job_json(s, (job_id)j));
    status_release(req->service, s);
    return http_reply_json(req, MHD_HTTP_OK,
                           json_pack("{s:o, s:s, s:s}", "jobs", jobs, "instance", history_instance(), "version",
                                     TIS_SYNC_VERSION));
}

/* A whole positive number of at most 18 digits, or -1. */
static long long positive(const char *text)
{
    long long v;
    return text && parse_long(text, 1, 999999999999999999LL, &v) ? v : -1;
}

/* Reads the runs filter; NULL, or the message of a 400 answer. */
static const char *runs_filter(http_request *req, run_filter *f)
{
    *f = (run_filter){.limit = RUNS_DEFAULT_LIMIT};
    const char *job = http_query(req, "job"), *status = http_query(req, "status"), *since = http_query(req, "since"),
               *limit = http_query(req, "limit"), *cursor = http_query(req, "cursor");
    if (job && *job) {
        const job_def *def = job_find(job);
        if (!def)
            return "Unknown job";
        f->job = def->name;
    }
    static const char *const statuses[] = {"queued", "running",  "succeeded", "failed",   "skipped",
                                           "cancelled", "aborted", "abandoned", "crashed"};
    if (status && *status) {
        for (size_t i = 0; i < sizeof statuses / sizeof statuses[0] && !f->status; i++)
            if (strcmp(status, statuses[i]) == 0)
                f->status = statuses[i];
        if (!f->status)
            return "status must be one of queued, running, succeeded, failed, skipped, cancelled, aborted, abandoned, crashed";
    }
    if (since && *since) {
        char text[32];
        snprintf(text, sizeof text, "%s", since);
        if (text[10] == 'T')
            text[10] = ' ';
        f->since_ms = history_parse_ms(text);
        if (!f->since_ms)
            return "since must be a UTC time YYYY-MM-DDTHH:MM:SS[.mmm]Z";
    }
    if (limit && (f->limit = (int)positive(limit)) <= 0)
        return "limit must be a whole number from 1 to 500";
    if (f->limit > RUNS_MAX_LIMIT)
        f->limit = RUNS_MAX_LIMIT;
    if (cursor && (f->before_id = positive(cursor)) <= 0)
        return "cursor must be the nextCursor of a previous page";
    return NULL;
}

static enum MHD_Result get_runs(http_request *req)
{
    run_filter f;
    const char *bad = runs_filter(req, &f);
    if (bad)
        return http_reply_error(req, MHD_HTTP_BAD_REQUEST, bad);
    enum MHD_Result answered = MHD_NO;
    db *conn = http_db(req, &answered);
    if (!conn)
        return answered;
    run_row *rows;
    size_t n;
    strbuf err;
    sb_init(&err);
    int rc = history_query_runs(conn, &f, &rows, &n, &err);
    http_db_release(req, conn);
    if (rc != 0) {
        return http_reply_unavailable(req, &err, "The run history cannot be read");
    }
    sb_free(&err);
    json_t *runs = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(runs, run_json(&rows[i]));
    char next[24];
    snprintf(next, sizeof next, "%lld", n ? rows[n - 1].id : 0);
    bool more = n == (size_t)f.limit && rows[n - 1].id > 1;
    run_rows_free(rows, n);
    return http_reply_json(req, MHD_HTTP_OK, json_pack("{s:o, s:o}", "runs", runs, "nextCursor",
                                                       more ? json_string(next) : json_null()));
}

/* Reads run {id} of the path: 1 found (*out), else answered. */
static int load_run(http_request *req, db *conn, run_row *out, enum MHD_Result *answered)
{
    long long id = positive(req->params[0]);
    strbuf err;
    sb_init(&err);
    int rc = id > 0 ? history_query_run(conn, id, out, &err) : 0;
    if (rc < 0) {
        log_error("API: %s %s: %s", req->method, req->path, err.data);
        *answered = http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The run history cannot be read");
    } else if (rc == 0) {
        *answered = http_reply_error(req, MHD_HTTP_NOT_FOUND, "No such run");
    }
    sb_free(&err);
    return rc;
}

/* A connection and run {id} of the path: 1 with both (release the
 * connection, free run->error), else answered with neither. */
static int open_run(http_request *req, db **conn, run_row *run, enum MHD_Result *answered)
{
    *conn = http_db(req, answered);
    if (!*conn)
        return 0;
    int rc = load_run(req, *conn, run, answered);
    if (rc != 1) {
        http_db_release(req, *conn);
        *conn = NULL;
    }
    return rc == 1;
}

static enum MHD_Result get_run(http_request *req)
{
    enum MHD_Result answered = MHD_NO;
    db *conn;
    run_row run;
    if (!open_run(req, &conn, &run, &answered))
        return answered;
    http_db_release(req, conn);
    json_t *doc = run_json(&run);
    free(run.error);
    return http_reply_json(req, MHD_HTTP_OK, doc);
}

static enum MHD_Result get_run_log(http_request *req)
{
    enum MHD_Result answered = MHD_NO;
    db *conn;
    run_row run;
    if (!open_run(req, &conn, &run, &answered))
        return answered;
    free(run.error);
    strbuf text, err;
    sb_init(&text);
    sb_init(&err);
    int rc = history_query_log(conn, run.id, &text, &err);
    http_db_release(req, conn);
    if (rc != 0) {
        log_error("API: GET %s: %s", req->path, err.data);
        answered = http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The run's log cannot be read");
    } else {
        answered = http_reply_text(req, MHD_HTTP_OK, "text/plain;charset=UTF-8", text.data ? text.data : "", text.len);
    }
    sb_free(&text);
    sb_free(&err);
    return answered;
}

/* The instances seen in the last day, and the runs each has going. */
static enum MHD_Result get_instances(http_request *req)
{
    enum MHD_Result answered = MHD_NO;
    db *conn = http_db(req, &answered);
    if (!conn)
        return answered;
    instance_row *inst = NULL;
    run_row *runs = NULL;
    size_t ninst = 0, nruns = 0;
    strbuf err;
    sb_init(&err);
    long long now = now_ms();
    int rc = instances_read(conn, now - INSTANCES_SHOWN_S * 1000LL, &inst, &ninst, &err);
    if (rc == 0)
        rc = history_query_active(conn, &runs, &nruns, &err);
    json_t *list = json_array();
    for (size_t i = 0; rc == 0 && i < ninst; i++) {
        json_t *going = json_array();
        for (size_t k = 0; k < nruns; k++)
            if (strcmp(runs[k].instance, inst[i].instance) == 0 && strcmp(runs[k].status, RUN_STATUS_RUNNING) == 0 &&
                status_run_alive(conn, &runs[k]))
                json_array_append_new(going, run_json(&runs[k]));
        json_array_append_new(
            list, json_pack("{s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o}", "instance",
                            http_json_text(inst[i].instance), "host", http_json_text(inst[i].host), "pid",
                            (json_int_t)inst[i].pid, "version", http_json_text(inst[i].version), "httpListen",
                            text_or_null(inst[i].http_listen), "databaseNode", text_or_null(inst[i].db_node),
                            "startedAt", time_or_null(inst[i].started_ms),
                            "lastSeenAt", time_or_null(inst[i].last_seen_ms), "up",
                            now - inst[i].last_seen_ms < INSTANCE_UP_S * 1000LL, "this",
                            strcmp(inst[i].instance, history_instance()) == 0, "running", going));
    }
    http_db_release(req, conn);
    free(inst);
    run_rows_free(runs, nruns);
    if (rc != 0) {
        json_decref(list);
        return http_reply_unavailable(req, &err, "The instances cannot be read");
    }
    sb_free(&err);
    return http_reply_json(req, MHD_HTTP_OK, json_pack("{s:o}", "instances", list));
}

static enum MHD_Result get_openapi(http_request *req)
{
    const char *doc = embedded_find(api_files, api_files_count, "openapi.json");
    return http_reply_text(req, MHD_HTTP_OK, "application/json", doc, strlen(doc));
}

/* ---- changes ------------------------------------------------------------ */

/* The job {name} of the path, available under the configuration; NULL
 * having answered 404. */
static const job_def *path_job(http_request *req, enum MHD_Result *answered)
{
    const job_def *def = job_find(req->params[0]);
    if (!def || !(scheduler_jobs_available(req->service->sched) & JOB_BIT(def->id))) {
        *answered = http_reply_error(req, MHD_HTTP_NOT_FOUND,
                                     def ? "The job is not available: it needs a RabbitMQ broker" : "Unknown job");
        return NULL;
    }
    return def;
}

static enum MHD_Result accepted(http_request *req, const start_outcome *out, int primary)
{
    json_t *runs = json_array();
    long long first = 0;
    for (int j = 0; j < JOB_COUNT; j++) {
        if (!out->ids[j])
            continue;
        json_array_append_new(runs, json_pack("{s:I, s:s}", "id", (json_int_t)out->ids[j], "job", job_table[j].name));
        if (!first || j == primary)
            first = out->ids[j];
    }
    char location[64];
    snprintf(location, sizeof location, "/api/v1/runs/%lld", first);
    json_t *doc = json_pack("{s:o, s:s}", "runs", runs, "location", location);
    return http_reply_json_header(req, MHD_HTTP_ACCEPTED, doc, MHD_HTTP_HEADER_LOCATION, location);
}

/* 409 with the run going now. */
static enum MHD_Result conflict(http_request *req, const char *message, const run_row *run)
{
    return http_reply_json(req, MHD_HTTP_CONFLICT,
                           json_pack("{s:s, s:o}", "error", message, "run", run ? run_json(run) : json_null()));
}

/* 1 and 409 answered when DEF runs on any instance; 0 not; -1 answered 503. */
static int refuse_if_running(http_request *req, const job_def *def, enum MHD_Result *answered)
{
    db *conn = http_db(req, answered);
    if (!conn)
        return -1;
    run_row run;
    int found = find_running_run(conn, def->id, &run);
    http_db_release(req, conn);
    if (found < 0) {
        *answered = http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The run history cannot be read");
    } else if (found == 1) {
        char message[512];
        snprintf(message, sizeof message, "%s is already running (run %lld on %s)", def->name, run.id, run.instance);
        http_audit(req, def->name, message);
        *answered = conflict(req, message, &run);
        free(run.error);
    }
    return found;
}

/* What a run body may ask: {"withDependents", "today", "dateOfChange"}. */
typedef struct {
    bool with_dependents;
    char today[RQ_TODAY_MAX];
    char date[RQ_ARGUMENT_MAX];
} run_options;

/* Reads BODY into *O (each property optional; DEF: the job, NULL for the
 * chain); NULL, or the message of a 400 answer. */
static const char *parse_run_options(json_t *body, const job_def *def, run_options *o)
{
    const char *key;
    json_t *value;
    int y;
    *o = (run_options){0};
    json_object_foreach(body, key, value)
    {
        const char *text = json_string_value(value);
        if (strcmp(key, "withDependents") == 0 && def) {
            if (!json_is_boolean(value))
                return "withDependents must be true or false";
            o->with_dependents = json_is_true(value);
        } else if (strcmp(key, "today") == 0) {
            if (!text || strlen(text) != 10 || !parse_date(text, &y, NULL, NULL))
                return "today must be a date YYYY-MM-DD";
            snprintf(o->today, sizeof o->today, "%s", text);
        } else if (strcmp(key, "dateOfChange") == 0 && def && def->id == JOB_PERSON_RECORD_STATUS) {
            if (!text || !(str_ieq(text, "ANY") || (strlen(text) == 10 && parse_date(text, &y, NULL, NULL))))
                return "dateOfChange must be ANY or a date YYYY-MM-DD";
            snprintf(o->date, sizeof o->date, "%s", str_ieq(text, "ANY") ? "ANY" : text);
        } else {
            return "Unknown property in the body";
        }
    }
    return NULL;
}

/* The request's run options into *O and the queue's parameters into
 * *PARAMS; false having answered 400. */
static bool read_run_options(http_request *req, const job_def *def, run_options *o, rq_params *params,
                             enum MHD_Result *answered)
{
    json_t *body = http_body_object(req, answered);
    if (!body)
        return false;
    const char *bad = parse_run_options(body, def, o);
    json_decref(body);
    if (bad) {
        *answered = http_reply_error(req, MHD_HTTP_BAD_REQUEST, bad);
        return false;
    }
    *params = (rq_params){.argument = o->date[0] ? o->date : NULL, .today = o->today[0] ? o->today : NULL,
                          .chain = !def};
    return true;
}

/* The answer to a start_runs that did not fail. */
static enum MHD_Result started(http_request *req, const start_outcome *out, const job_def *def)
{
    if (out->result == TRIG_REFUSED)
        return http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The service is stopping or too busy");
    if (out->result == TRIG_ALREADY_RUNNING && !def)
        return conflict(req, "The nightly chain is already queued or running", NULL);
    if (out->result == TRIG_ALREADY_RUNNING) {
        enum MHD_Result answered = MHD_NO;
        if (refuse_if_running(req, def, &answered) != 0)
            return answered;
        return conflict(req, "The job is already running here", NULL);
    }
    return accepted(req, out, def ? (int)def->id : -1);
}

static enum MHD_Result post_job_runs(http_request *req)
{
    enum MHD_Result answered = MHD_NO;
    const job_def *def = path_job(req, &answered);
    run_options o;
    rq_params params;
    if (!def || !read_run_options(req, def, &o, &params, &answered) || refuse_if_running(req, def, &answered) != 0)
        return answered;
    char what[160];
    snprintf(what, sizeof what, "run %s%s", def->name, o.with_dependents ? " with dependents" : "");
    start_outcome out;
    if (start_runs(req, what, job_with_dependents(def->id, o.with_dependents), (int)def->id, &params, &out,
                   &answered) != 0)
        return answered;
    return started(req, &out, def);
}

static enum MHD_Result post_chain_runs(http_request *req)
{
    enum MHD_Result answered = MHD_NO;
    run_options o;
    rq_params params;
    start_outcome out;
    if (!read_run_options(req, NULL, &o, &params, &answered) ||
        start_runs(req, "run the nightly chain", JOB_SET_ALL, -1, &params, &out, &answered) != 0)
        return answered;
    return started(req, &out, NULL);
}

static enum MHD_Result post_cancel(http_request *req)
{
    enum MHD_Result answered = MHD_NO;
    db *conn;
    run_row run;
    if (!open_run(req, &conn, &run, &answered))
        return answered;
    char what[96];
    snprintf(what, sizeof what, "cancel run %lld (%s)", run.id, run.job);
    if (strcmp(run.status, RUN_STATUS_RUNNING) == 0 && !status_run_alive(conn, &run)) {
        http_db_release(req, conn);
        http_audit(req, what, "refused: its process has ended");
        answered = conflict(req, "The run is not going anywhere: the process running it ended (the next run of its "
                                 "job records it abandoned)", &run);
        free(run.error);
        return answered;
    }
    /* This instance's own run is stopped at once, before the history is
     * written (on SQLite that write waits for the job's transaction,
     * which the cancel ends); another instance's sees the flag. */
    bool here = strcmp(run.status, RUN_STATUS_RUNNING) == 0 && runner_cancel(run.id, req->who);
    strbuf err;
    sb_init(&err);
    int rc = history_request_cancel(conn, run.id, req->who, &err);
    if (here && rc == 0)
        rc = 1; /* it ended (cancelled) before the flag was written */
    free(run.error);
    run.error = NULL;
    int again = rc >= 0 ? history_query_run(conn, run.id, &run, &err) : -1;
    http_db_release(req, conn);
    if (rc < 0 || again != 1) {
        log_error("API: POST %s: %s", req->path, err.data);
        sb_free(&err);
        http_audit(req, what, "failed: the run history cannot be written");
        return http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The run history cannot be written");
    }
    sb_free(&err);
    status_invalidate(req->service);
    http_audit(req, what, rc == 2 ? "cancelled before it started" : rc == 1 ? "cancel asked" : "already ended");
    if (rc == 0) {
        char message[128];
        snprintf(message, sizeof message, "Run %lld has already ended (%s)", run.id, run.status);
        answered = conflict(req, message, &run);
    } else {
        answered = http_reply_json(req, MHD_HTTP_ACCEPTED, json_pack("{s:o}", "run", run_json(&run)));
    }
    free(run.error);
    return answered;
}

static enum MHD_Result set_paused(http_request *req, bool paused)
{
    enum MHD_Result answered = MHD_NO;
    const job_def *def = path_job(req, &answered);
    db *conn = def ? http_db(req, &answered) : NULL;
    if (!conn)
        return answered;
    strbuf err;
    sb_init(&err);
    int rc = job_state_set(conn, def->name, paused, req->who, &err);
    http_db_release(req, conn);
    char what[96];
    snprintf(what, sizeof what, "%s %s", paused ? "pause" : "resume", def->name);
    if (rc < 0) {
        log_error("API: POST %s: %s", req->path, err.data);
        http_audit(req, what, "failed: the job state cannot be written");
        answered = http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The job state cannot be written");
    } else {
        http_audit(req, what, rc == 1 ? "done" : paused ? "already paused" : "not paused");
        status_invalidate(req->service);
        answered = http_reply_json(req, MHD_HTTP_OK,
                                   json_pack("{s:s, s:b, s:b}", "job", def->name, "paused", paused, "changed", rc == 1));
    }
    sb_free(&err);
    return answered;
}

static enum MHD_Result post_pause(http_request *req)
{
    return set_paused(req, true);
}

static enum MHD_Result post_resume(http_request *req)
{
    return set_paused(req, false);
}

static const http_route routes[] = {
    {"GET", "/api/v1/jobs", ROLE_VIEWER, get_jobs, false, false},
    {"GET", "/api/v1/runs", ROLE_VIEWER, get_runs, false, false},
    {"GET", "/api/v1/runs/{}", ROLE_VIEWER, get_run, false, false},
    {"GET", "/api/v1/runs/{}/log", ROLE_VIEWER, get_run_log, false, false},
    {"GET", "/api/v1/openapi.json", ROLE_VIEWER, get_openapi, false, false},
    {"GET", "/api/v1/instances", ROLE_VIEWER, get_instances, false, false},
    {"POST", "/api/v1/jobs/{}/runs", ROLE_OPERATOR, post_job_runs, false, false},
    {"POST", "/api/v1/chain/runs", ROLE_OPERATOR, post_chain_runs, false, false},
    {"POST", "/api/v1/runs/{}/cancel", ROLE_OPERATOR, post_cancel, false, false},
    {"POST", "/api/v1/jobs/{}/pause", ROLE_OPERATOR, post_pause, false, false},
    {"POST", "/api/v1/jobs/{}/resume", ROLE_OPERATOR, post_resume, false, false},
};

const http_routes api_v1_routes = {routes, sizeof routes / sizeof routes[0]};
