/* http_request.c - answering, reading the request, the audit log and the
 * database connections of the handlers (see http_request.h).
 *
 * The pool keeps a few idle connections so that a busy console does not
 * open one per request, and bounds how many are open at once: requests
 * beyond that wait a moment for one, then get a 503, so that no number of
 * clients can take the database's connections from the jobs. */
#include "http_request.h"
#include "json_writer.h"
#include "log.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

enum { POOL_IDLE_MAX = 8, POOL_OPEN_MAX = 16, POOL_WAIT_S = 5 };

struct api_db_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    db *idle[POOL_IDLE_MAX];
    int nidle;
    int in_use;
};

api_db_pool *api_db_pool_new(void)
{
    api_db_pool *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->freed, NULL);
    return p;
}

void api_db_pool_free(api_db_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nidle; i++)
        db_close(p->idle[i]);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Waits (mu held) for room to use one more connection; false after POOL_WAIT_S. */
static bool wait_for_room(api_db_pool *p)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += POOL_WAIT_S;
    while (p->in_use >= POOL_OPEN_MAX)
        if (pthread_cond_timedwait(&p->freed, &p->mu, &until) != 0)
            return false;
    return true;
}

db *http_db(http_request *req, enum MHD_Result *answered)
{
    api_db_pool *p = req->service->pool;
    pthread_mutex_lock(&p->mu);
    bool room = wait_for_room(p);
    db *conn = room && p->nidle ? p->idle[--p->nidle] : NULL;
    p->in_use += room;
    pthread_mutex_unlock(&p->mu);
    if (!room) {
        *answered = http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "Too many requests are reading the database");
        return NULL;
    }
    if (conn)
        return conn;
    db_options opts = cfg_db_options(req->service->cfg, false);
    char *err = NULL;
    conn = db_connect(cfg_db_url(req->service->cfg), &opts, &err);
    if (!conn) {
        log_error("API: %s %s: %s", req->method, req->path, err);
        *answered = http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The database cannot be reached");
        free(err);
        http_db_release(req, NULL);
    }
    return conn;
}

void http_db_release(http_request *req, db *conn)
{
    api_db_pool *p = req->service->pool;
    pthread_mutex_lock(&p->mu);
    p->in_use--;
    if (conn && p->nidle < POOL_IDLE_MAX) {
        p->idle[p->nidle++] = conn;
        conn = NULL;
    }
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
    db_close(conn);
}

bool http_service_stopping(http_service *svc)
{
    return atomic_load(&svc->closing) || scheduler_stopping(svc->sched);
}

/* ---- answers ------------------------------------------------------------ */

enum MHD_Result http_reply(http_request *req, unsigned status, struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    /* On every answer: the console's pages run only their own files (no
     * inline script or style), in no frame, and nothing is cached. */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    enum MHD_Result rc = MHD_queue_response(req->conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

enum MHD_Result http_reply_text(http_request *req, unsigned status, const char *content_type, const char *text,
                                size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (r && content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return http_reply(req, status, r);
}

enum MHD_Result http_reply_json(http_request *req, unsigned status, json_t *doc)
{
    return http_reply_json_header(req, status, doc, NULL, NULL);
}

enum MHD_Result http_reply_json_header(http_request *req, unsigned status, json_t *doc, const char *name,
                                       const char *value)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(doc);
    if (!text) {
        log_error("API: %s %s: an answer could not be built", req->method, req->path);
        static const char failed[] = "{\"error\":\"The answer could not be built\"}";
        struct MHD_Response *r = MHD_create_response_from_buffer(sizeof failed - 1, (void *)failed,
                                                                 MHD_RESPMEM_PERSISTENT);
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        return http_reply(req, MHD_HTTP_INTERNAL_SERVER_ERROR, r);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (name)
        MHD_add_response_header(r, name, value);
    return http_reply(req, status, r);
}

enum MHD_Result http_reply_error(http_request *req, unsigned status, const char *message)
{
    return http_reply_json(req, status, json_pack("{s:s}", "error", message));
}

enum MHD_Result http_reply_unavailable(http_request *req, strbuf *err, const char *message)
{
    log_error("API: %s %s: %s", req->method, req->path, err->data);
    sb_free(err);
    return http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, message);
}

enum MHD_Result http_reply_refused(http_request *req, auth_result r, const char *message)
{
    if (r == AUTH_LIMITED)
        return http_reply_json_header(req, MHD_HTTP_TOO_MANY_REQUESTS,
                                      json_pack("{s:s}", "error", "Too many failed attempts from this address"),
                                      MHD_HTTP_HEADER_RETRY_AFTER, "6");
    if (r == AUTH_ERROR)
        return http_reply_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "The tokens cannot be read");
    return http_reply_json_header(req, MHD_HTTP_UNAUTHORIZED, json_pack("{s:s}", "error", message),
                                  MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"tis-sync\"");
}

enum MHD_Result http_reply_empty(http_request *req, unsigned status)
{
    return http_reply(req, status, MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT));
}

json_t *http_json_text(const char *s)
{
    if (!s)
        return json_null();
    json_t *v = json_string(s);
    if (v)
        return v;
    strbuf valid; /* history text (a database's or an engine's error) may hold invalid UTF-8 */
    sb_init(&valid);
    utf8_repair_append(&valid, s, strlen(s));
    v = json_string(valid.data ? valid.data : "");
    sb_free(&valid);
    return v;
}

/* ---- reading ------------------------------------------------------------ */

const char *http_query(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

json_t *http_body_object(http_request *req, enum MHD_Result *answered)
{
    if (req->body->len == 0)
        return json_object();
    json_error_t error;
    json_t *doc = json_loadb(req->body->data, req->body->len, JSON_REJECT_DUPLICATES, &error);
    if (json_is_object(doc))
        return doc;
    json_decref(doc);
    *answered = http_reply_error(req, MHD_HTTP_BAD_REQUEST, "The body must be a JSON object");
    return NULL;
}

void http_audit(const http_request *req, const char *what, const char *outcome)
{
    log_info("Audit: %s from %s: %s: %s", req->who, req->client, what, outcome);
}
