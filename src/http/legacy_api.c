/* legacy_api.c - the endpoints of the legacy service under /sync/api
 * (SPEC 4, SPEC-2026), answered exactly as it (Spring Boot 2.4) did,
 * because its own web page and operators' scripts are their clients:
 *
 *   GET  /sync/api/jobs/status    {"personOwnerRebuildJob":false, ...}: every available job (the reval
 *                                 jobs only with a broker), true while it runs
 *   PUT  /sync/api/job/{name}     [?withDependents=true] 200 {"status":"Just started"} or
 *                                 {"status":"Already running"}; unknown or unavailable job: 400
 *                                 {"error":"Job not found"}. personRecordStatusJob reads
 *                                 {"dateOverride":"..."} (400 {"error":"The date is not correct: X"}, or
 *                                 {"error":"Unable to extract the dateOverride property"})
 *   PUT  /sync/api/jobs           the nightly chain: 200 with no body, or {"status":"Already running"}
 *                                 while a chain runs or waits
 *   GET  /sync/api/sys/profile    the legacy active profile (service.profile), as text
 *   GET  /sync/api/jobs/progress  rows done / expected of each job running here
 *
 * A path matches with or without one trailing slash. GET needs a viewer
 * token, PUT an operator's (the newest legacy service's View and Update
 * permissions). */
#include "log.h"
#include "start_runs.h"

#include <stdio.h>
#include <string.h>

enum { MAX_JOB_NAME = HTTP_PARAM_MAX };

/* Every available job (the reval jobs only with a broker, as the legacy
 * service under its nimdta profile). */
static enum MHD_Result get_status(http_request *req)
{
    job_set available = scheduler_jobs_available(req->service->sched);
    json_t *doc = json_object();
    for (int j = 0; j < JOB_COUNT; j++)
        if (available & JOB_BIT(j))
            json_object_set_new(doc, job_table[j].status_key, json_boolean(runner_is_running((job_id)j, NULL, NULL)));
    return http_reply_json(req, MHD_HTTP_OK, doc);
}

/* The legacy active profile, as plain text: its page hides the
 * revalidation panel when it holds "nimdta". */
static enum MHD_Result get_profile(http_request *req)
{
    char profile[256] = "";
    scheduler_setting(req->service->sched, CFG_PROFILE, profile, sizeof profile);
    return http_reply_text(req, MHD_HTTP_OK, "text/plain;charset=UTF-8", profile, strlen(profile));
}

static enum MHD_Result get_progress(http_request *req)
{
    json_t *running = json_array();
    for (int j = 0; j < JOB_COUNT; j++) {
        long long done = 0, expected = 0;
        if (!runner_is_running((job_id)j, &done, &expected))
            continue;
        json_array_append_new(running, json_pack("{s:s, s:I, s:o}", "job", job_table[j].name, "rowsDone",
                                                 (json_int_t)done, "rowsExpected",
                                                 expected > 0 ? json_integer(expected) : json_null()));
    }
    return http_reply_json(req, MHD_HTTP_OK, json_pack("{s:o}", "running", running));
}

static enum MHD_Result already_running(http_request *req)
{
    return http_reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "status", "Already running"));
}

/* The chain: 200 with no body when queued, as the legacy service answered. */
static enum MHD_Result put_chain(http_request *req)
{
    start_outcome out;
    enum MHD_Result answered = MHD_NO;
    rq_params params = {.chain = true};
    if (start_runs(req, "PUT /sync/api/jobs (the chain)", JOB_SET_ALL, -1, &params, &out, &answered) != 0)
        return answered;
    if (out.result == TRIG_REFUSED)
        return http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The service is stopping or too busy");
    if (out.result == TRIG_ALREADY_RUNNING)
        return already_running(req);
    return http_reply_empty(req, MHD_HTTP_OK);
}

static int parse_with_dependents(http_request *req, bool *out)
{
    const char *v = http_query(req, "withDependents");
    *out = false;
    if (!v)
        return 0;
    if (str_ieq(v, "true") || strcmp(v, "1") == 0 || str_ieq(v, "yes") || *v == '\0')
        *out = true;
    else if (!(str_ieq(v, "false") || strcmp(v, "0") == 0 || str_ieq(v, "no")))
        return -1;
    return 0;
}

/* PersonRecordStatusJob's date of change from the legacy body
 * {"dateOverride":"..."}, as the legacy service read it: no body, "", null
 * or a non-text value mean today (*OUT empty); ANY (any case) every
 * person; NONE (any case) the configured jobs.date_of_change_override
 * (itself empty, ANY or a date); anything else must be a date YYYY-MM-DD.
 * Returns NULL, or the message of a 400 answer. */
static const char *date_override(http_request *req, char out[RQ_ARGUMENT_MAX], char *bad, size_t badlen)
{
    out[0] = '\0';
    if (req->body->len == 0)
        return NULL;
    json_t *doc = json_loadb(req->body->data, req->body->len, 0, NULL);
    const char *message = NULL;
    if (!json_is_object(doc) || !json_object_get(doc, "dateOverride")) {
        message = "Unable to extract the dateOverride property";
    } else {
        const char *value = json_string_value(json_object_get(doc, "dateOverride"));
        char configured[RQ_ARGUMENT_MAX] = "";
        if (value && str_ieq(value, "NONE"))
            value = scheduler_setting(req->service->sched, CFG_DATE_OF_CHANGE_OVERRIDE, configured,
                                      sizeof configured)
                        ? configured
                        : "";
        int y;
        if (value && str_ieq(value, "ANY"))
            snprintf(out, RQ_ARGUMENT_MAX, "ANY");
        else if (value && *value && parse_date(value, &y, NULL, NULL))
            snprintf(out, RQ_ARGUMENT_MAX, "%s", value);
        else if (value && *value) {
            snprintf(bad, badlen, "The date is not correct: %s", value);
            message = bad;
        }
    }
    json_decref(doc);
    return message;
}

/* Whatever follows /sync/api/job/ is the name, as Spring matched it (one
 * trailing slash allowed): anything else is "Job not found". */
static enum MHD_Result put_job(http_request *req)
{
    char *name = req->params[0];
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '/')
        name[n - 1] = '\0';
    const job_def *def = n < MAX_JOB_NAME ? job_find(name) : NULL;
    if (!def || !(scheduler_jobs_available(req->service->sched) & JOB_BIT(def->id))) {
        char what[MAX_JOB_NAME + 32];
        snprintf(what, sizeof what, "PUT /sync/api/job/%s", name);
        http_audit(req, what, "400 Job not found"); /* the log escapes what the client sent */
        return http_reply_error(req, MHD_HTTP_BAD_REQUEST, "Job not found");
    }
    bool with_dependents;
    if (parse_with_dependents(req, &with_dependents) != 0)
        return http_reply_error(req, MHD_HTTP_BAD_REQUEST, "withDependents must be true or false");
    /* The legacy service answered "Already running" before it read the body. */
    if (runner_is_running(def->id, NULL, NULL)) {
        http_audit(req, def->name, "already running");
        return already_running(req);
    }
    char argument[RQ_ARGUMENT_MAX] = "", bad[512];
    const char *invalid = def->id == JOB_PERSON_RECORD_STATUS ? date_override(req, argument, bad, sizeof bad) : NULL;
    if (invalid) {
        http_audit(req, def->name, invalid);
        return http_reply_error(req, MHD_HTTP_BAD_REQUEST, invalid);
    }
    rq_params params = {.argument = argument[0] ? argument : NULL};
    start_outcome out;
    enum MHD_Result answered = MHD_NO;
    char what[200];
    snprintf(what, sizeof what, "PUT /sync/api/job/%s%s", def->name, with_dependents ? " with dependents" : "");
    if (start_runs(req, what, job_with_dependents(def->id, with_dependents), (int)def->id, &params, &out,
                   &answered) != 0)
        return answered;
    if (out.result == TRIG_REFUSED)
        return http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The service is stopping or too busy");
    /* Exactly these bodies: legacy clients compare them whole. */
    if (out.result == TRIG_ALREADY_RUNNING)
        return already_running(req);
    return http_reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "status", "Just started"));
}

static const http_route routes[] = {
    {"GET", "/sync/api/jobs/status", ROLE_VIEWER, get_status, true, false},
    {"GET", "/sync/api/jobs/progress", ROLE_VIEWER, get_progress, true, false},
    {"GET", "/sync/api/sys/profile", ROLE_VIEWER, get_profile, true, false},
    {"PUT", "/sync/api/jobs", ROLE_OPERATOR, put_chain, true, false},
    {"PUT", "/sync/api/job/{*}", ROLE_OPERATOR, put_job, false, false},
};

const http_routes legacy_api_routes = {routes, sizeof routes / sizeof routes[0]};
