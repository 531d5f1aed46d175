/* http_api.c - the HTTP API (see http_api.h). Handlers run on
 * libmicrohttpd's one internal thread; they never block: a trigger only
 * queues a run with the scheduler, and the status comes from the runner's
 * live table.
 *
 * The legacy endpoints answer exactly as the legacy service (Spring Boot
 * 2.4) did, because its own web page and operators' scripts are clients:
 * a path matches with or without one trailing slash, PUT /jobs answers 200
 * with no body, and PUT /job/personRecordStatusJob reads the dateOverride
 * of its JSON body. */
#include "http_api.h"
#include "log.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

enum {
    MAX_BODY = 64 * 1024,          /* past this a request is refused */
    MAX_CONNECTIONS = 64,
    CONNECTION_TIMEOUT_S = 15,
    CONNECTION_MEMORY = 32 * 1024, /* bounds the request line and headers */
    MAX_JOB_NAME = 128,
};

#define API_PREFIX "/sync/api"

struct http_api {
    struct MHD_Daemon *daemon;
    scheduler *sched;
    unsigned port;
};

typedef struct {
    strbuf body;
    size_t body_bytes;
} request_state;

/* ---- responses ---------------------------------------------------------- */

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, json_t *doc, const char *allow)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        return MHD_NO;
    size_t len = strlen(text);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *message)
{
    return reply_json(c, status, json_pack("{s:s}", "error", message), NULL);
}

/* 200 with no body (the legacy PUT /jobs). */
static enum MHD_Result reply_empty(struct MHD_Connection *c)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain;charset=UTF-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply_method_not_allowed(struct MHD_Connection *c, const char *allow)
{
    return reply_json(c, MHD_HTTP_METHOD_NOT_ALLOWED, json_pack("{s:s}", "error", "Method not allowed"), allow);
}

/* ---- handlers ----------------------------------------------------------- */

/* Every available job (the reval jobs only with a broker, as the legacy
 * service under its nimdta profile). */
static enum MHD_Result get_status(http_api *api, struct MHD_Connection *c)
{
    job_set available = scheduler_jobs_available(api->sched);
    json_t *doc = json_object();
    for (int j = 0; j < JOB_COUNT; j++)
        if (available & JOB_BIT(j))
            json_object_set_new(doc, job_table[j].status_key, json_boolean(runner_is_running((job_id)j, NULL, NULL)));
    return reply_json(c, MHD_HTTP_OK, doc, NULL);
}

/* The legacy active profile, as plain text: its page hides the
 * revalidation panel when it holds "nimdta". */
static enum MHD_Result get_profile(http_api *api, struct MHD_Connection *c)
{
    char profile[256] = "";
    scheduler_setting(api->sched, CFG_PROFILE, profile, sizeof profile);
    return reply_text(c, profile);
}

static enum MHD_Result get_progress(struct MHD_Connection *c)
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
    return reply_json(c, MHD_HTTP_OK, json_pack("{s:o}", "running", running), NULL);
}

static enum MHD_Result get_health(http_api *api, struct MHD_Connection *c)
{
    bool stopping = scheduler_stopping(api->sched);
    json_t *running = json_array();
    for (int j = 0; j < JOB_COUNT; j++)
        if (runner_is_running((job_id)j, NULL, NULL))
            json_array_append_new(running, json_string(job_table[j].name));
    return reply_json(c, stopping ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK,
                      json_pack("{s:s, s:o}", "status", stopping ? "stopping" : "ok", "running", running), NULL);
}

static void log_trigger(struct MHD_Connection *c, const char *method, const char *url, const char *outcome)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char addr[INET6_ADDRSTRLEN] = "?";
    if (info && info->client_addr) {
        const struct sockaddr *sa = info->client_addr;
        const void *raw = sa->sa_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                                                    : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
        inet_ntop(sa->sa_family, raw, addr, sizeof addr);
    }
    log_info("API: %s %s from %s: %s", method, url, addr, outcome);
}

/* Queues JOBS (with ARGUMENT, or NULL); logs what was queued, and the jobs
 * it queued are in /sync/api/jobs/progress while they run. Returns the
 * scheduler's answer; REFUSED has been answered with 503 already. */
static trigger_result trigger(http_api *api, struct MHD_Connection *c, const char *url, job_set jobs, int primary,
                              const char *argument, enum MHD_Result *refused)
{
    trigger_result r = scheduler_trigger(api->sched, jobs, primary, TRIGGER_API, argument);
    if (r == TRIG_REFUSED) {
        log_trigger(c, "PUT", url, "refused (stopping or too many runs queued)");
        *refused = reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "The service is stopping or too busy");
        return r;
    }
    strbuf outcome;
    sb_init(&outcome);
    sb_puts(&outcome, r == TRIG_ALREADY_RUNNING ? "Already running" : "Just started");
    if (r != TRIG_ALREADY_RUNNING) {
        sb_puts(&outcome, ": ");
        job_set_describe(jobs, &outcome);
        if (argument)
            sb_printf(&outcome, " (date of change %s)", argument);
    }
    log_trigger(c, "PUT", url, outcome.data);
    sb_free(&outcome);
    return r;
}

/* The legacy PUT /jobs: the chain, answered 200 with no body. */
static enum MHD_Result put_chain(http_api *api, struct MHD_Connection *c, const char *url)
{
    enum MHD_Result refused = MHD_NO;
    if (trigger(api, c, url, scheduler_jobs_available(api->sched), -1, NULL, &refused) == TRIG_REFUSED)
        return refused;
    return reply_empty(c);
}

static int parse_with_dependents(struct MHD_Connection *c, bool *out)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "withDependents");
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
static const char *date_override(http_api *api, const strbuf *body, char out[RQ_ARGUMENT_MAX], char *bad, size_t badlen)
{
    out[0] = '\0';
    if (body->len == 0)
        return NULL;
    json_t *doc = json_loadb(body->data, body->len, 0, NULL);
    const char *message = NULL;
    if (!json_is_object(doc) || !json_object_get(doc, "dateOverride")) {
        message = "Unable to extract the dateOverride property";
    } else {
        const char *value = json_string_value(json_object_get(doc, "dateOverride"));
        char configured[RQ_ARGUMENT_MAX] = "";
        if (value && str_ieq(value, "NONE"))
            value = scheduler_setting(api->sched, CFG_DATE_OF_CHANGE_OVERRIDE, configured, sizeof configured)
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

static enum MHD_Result put_job(http_api *api, struct MHD_Connection *c, const char *url, const char *name,
                               const strbuf *body)
{
    const job_def *def = strlen(name) <= MAX_JOB_NAME && !strchr(name, '/') ? job_find(name) : NULL;
    if (!def || !(scheduler_jobs_available(api->sched) & JOB_BIT(def->id))) {
        log_trigger(c, "PUT", url, "400 Job not found");
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "Job not found");
    }
    bool with_dependents;
    if (parse_with_dependents(c, &with_dependents) != 0)
        return reply_error(c, MHD_HTTP_BAD_REQUEST, "withDependents must be true or false");
    /* The legacy service answered "Already running" before it read the body. */
    if (runner_is_running(def->id, NULL, NULL)) {
        log_trigger(c, "PUT", url, "Already running");
        return reply_json(c, MHD_HTTP_OK, json_pack("{s:s}", "status", "Already running"), NULL);
    }
    char argument[RQ_ARGUMENT_MAX] = "", bad[512];
    const char *invalid =
        def->id == JOB_PERSON_RECORD_STATUS ? date_override(api, body, argument, bad, sizeof bad) : NULL;
    if (invalid) {
        log_trigger(c, "PUT", url, invalid);
        return reply_error(c, MHD_HTTP_BAD_REQUEST, invalid);
    }
    job_set jobs = JOB_BIT(def->id);
    if (with_dependents) {
        job_id self = def->id, all[JOB_COUNT];
        size_t n = runner_expand_dependents(&self, 1, all);
        for (size_t i = 0; i < n; i++)
            jobs |= JOB_BIT(all[i]);
    }
    enum MHD_Result refused = MHD_NO;
    trigger_result r = trigger(api, c, url, jobs, (int)def->id, argument[0] ? argument : NULL, &refused);
    if (r == TRIG_REFUSED)
        return refused;
    /* Exactly these bodies: legacy clients compare them whole. */
    const char *status = r == TRIG_ALREADY_RUNNING ? "Already running" : "Just started";
    return reply_json(c, MHD_HTTP_OK, json_pack("{s:s}", "status", status), NULL);
}

/* URL is PATH, or PATH with one trailing slash (as Spring matched it). */
static bool path_is(const char *url, const char *path)
{
    size_t n = strlen(path);
    return strncmp(url, path, n) == 0 && (url[n] == '\0' || (url[n] == '/' && url[n + 1] == '\0'));
}

static enum MHD_Result route(http_api *api, struct MHD_Connection *c, const char *url, const char *method,
                             const strbuf *body)
{
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    bool put = strcmp(method, MHD_HTTP_METHOD_PUT) == 0;
    if (strcmp(url, "/health") == 0)
        return get ? get_health(api, c) : reply_method_not_allowed(c, "GET, HEAD");
    if (path_is(url, API_PREFIX "/jobs/status"))
        return get ? get_status(api, c) : reply_method_not_allowed(c, "GET, HEAD");
    if (path_is(url, API_PREFIX "/jobs/progress"))
        return get ? get_progress(c) : reply_method_not_allowed(c, "GET, HEAD");
    if (path_is(url, API_PREFIX "/sys/profile"))
        return get ? get_profile(api, c) : reply_method_not_allowed(c, "GET, HEAD");
    if (path_is(url, API_PREFIX "/jobs"))
        return put ? put_chain(api, c, url) : reply_method_not_allowed(c, "PUT");
    static const char job_prefix[] = API_PREFIX "/job/";
    if (strncmp(url, job_prefix, sizeof job_prefix - 1) == 0) {
        if (!put)
            return reply_method_not_allowed(c, "PUT");
        char name[MAX_JOB_NAME + 2];
        snprintf(name, sizeof name, "%s", url + sizeof job_prefix - 1);
        size_t n = strlen(name);
        if (n > 0 && name[n - 1] == '/')
            name[n - 1] = '\0';
        return put_job(api, c, url, name, body);
    }
    return reply_error(c, MHD_HTTP_NOT_FOUND, "Not found");
}

/* libmicrohttpd calls this once with the headers, then once per body
 * chunk, then once more with no data: answer on that last call. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    (void)version;
    request_state *st = *req_cls;
    if (!st) {
        st = xcalloc(1, sizeof *st);
        sb_init(&st->body);
        *req_cls = st;
        return MHD_YES;
    }
    if (*upload_data_size) {
        st->body_bytes += *upload_data_size;
        if (st->body_bytes <= MAX_BODY)
            sb_append(&st->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->body_bytes > MAX_BODY)
        return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request body too large");
    return route(cls, c, url ? url : "", method ? method : "", &st->body);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request_state *st = *req_cls;
    if (st) {
        sb_free(&st->body);
        free(st);
    }
    *req_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    strbuf sb;
    sb_init(&sb);
    sb_vprintf(&sb, fmt, ap);
    while (sb.len && (sb.data[sb.len - 1] == '\n' || sb.data[sb.len - 1] == '\r'))
        sb.data[--sb.len] = '\0';
    log_debug("HTTP: %s", sb.data);
    sb_free(&sb);
}

/* ---- start and stop ----------------------------------------------------- */

/* Splits "HOST:PORT" / "[V6]:PORT" and resolves it for binding. */
static struct addrinfo *resolve_listen(const char *listen, strbuf *err)
{
    char *copy = xstrdup(listen), *host = copy, *colon = strrchr(copy, ':');
    struct addrinfo *res = NULL;
    long long port;
    if (!colon || !parse_long(colon + 1, 0, 65535, &port)) {
        sb_printf(err, "bad value '%s' for http.listen: expected HOST:PORT or [IPV6]:PORT", listen);
        free(copy);
        return NULL;
    }
    *colon = '\0';
    if (*host == '[' && colon > host && colon[-1] == ']') {
        host++;
        colon[-1] = '\0';
    }
    struct addrinfo hints = {.ai_flags = AI_PASSIVE, .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int rc = getaddrinfo(*host && strcmp(host, "*") != 0 ? host : NULL, colon + 1, &hints, &res);
    if (rc != 0)
        sb_printf(err, "http.listen '%s': %s", listen, gai_strerror(rc));
    free(copy);
    return rc == 0 ? res : NULL;
}

http_api *http_api_start(const char *listen, scheduler *sched, strbuf *err)
{
    struct addrinfo *addr = resolve_listen(listen, err);
    if (!addr)
        return NULL;
    http_api *api = xcalloc(1, sizeof *api);
    api->sched = sched;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (addr->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    api->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, api, MHD_OPTION_SOCK_ADDR, addr->ai_addr,
                                   MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
                                   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                   MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_END);
    freeaddrinfo(addr);
    if (!api->daemon) {
        sb_printf(err, "cannot listen on %s (http.listen): address in use or not available", listen);
        free(api);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_BIND_PORT);
    api->port = info ? info->port : 0;
    return api;
}

unsigned http_api_port(const http_api *api)
{
    return api->port;
}

void http_api_stop(http_api *api)
{
    if (!api)
        return;
    MHD_stop_daemon(api->daemon);
    free(api);
}
