/* http_request.h - what every handler of the HTTP API gets: the request
 * (method, path, body, path parameters, who is asking with which role),
 * the service it acts on, and the ways to answer. The server core
 * (http_api.c) authenticates and routes; the handlers live in
 * legacy_api.c, api_v1.c, api_events.c and metrics.c. */
#ifndef TIS_HTTP_REQUEST_H
#define TIS_HTTP_REQUEST_H

#include "auth.h"
#include "scheduler.h"
#include "sessions.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>

enum { HTTP_MAX_PARAMS = 2, HTTP_PARAM_MAX = 128, HTTP_WHO_MAX = TOKEN_NAME_MAX + 8 };

typedef struct api_db_pool api_db_pool;
typedef struct status_cache status_cache;

/* The service the handlers act on (shared by every request). */
typedef struct {
    scheduler *sched;
    const config *cfg; /* the configuration serve started with (database, HTTP settings) */
    api_db_pool *pool; /* database connections for reading the history */
    status_cache *status; /* the jobs' state, read at most once a second */
    double started;       /* process start (epoch seconds) */
    atomic_bool closing;  /* the server is stopping: long answers (event streams) end */
    http_auth *auth;      /* NULL: http.auth = none */
    session_store *sessions; /* the console's sign-ins */
    bool tls;             /* served over HTTPS (session cookies are Secure) */
} http_service;

/* True once the server or the service is stopping. */
bool http_service_stopping(http_service *svc);

typedef struct {
    struct MHD_Connection *conn;
    http_service *service;
    const char *method;
    const char *path;
    const strbuf *body;
    char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX + 1]; /* the {…} parts of the route's path */
    char client[64];          /* the remote address */
    char who[HTTP_WHO_MAX];   /* "api:<token name>", or "api" without authentication */
    token_role role;
    bool by_session;          /* authenticated by the console's session cookie */
} http_request;

typedef enum MHD_Result (*http_handler)(http_request *req);

/* One endpoint. PATTERN is a path whose "{}" parts match one segment each
 * (into params). */
typedef struct {
    const char *method;   /* GET (also answers HEAD), PUT or POST */
    const char *pattern;
    token_role role;      /* the least role it needs; ROLE_NONE: anyone (no token) */
    http_handler handler;
    bool trailing_slash;  /* also matches with one trailing slash (the legacy endpoints) */
    bool metrics;         /* needs a token only when http.metrics_auth = viewer */
} http_route;

typedef struct {
    const http_route *routes;
    size_t count;
} http_routes;

/* Each module's endpoints. */
extern const http_routes legacy_api_routes, api_v1_routes, api_events_routes, metrics_routes, session_routes,
    console_routes;

api_db_pool *api_db_pool_new(void);
void api_db_pool_free(api_db_pool *p);

/* Answers with DOC (stolen) as JSON. */
enum MHD_Result http_reply_json(http_request *req, unsigned status, json_t *doc);
/* The same with one more header. */
enum MHD_Result http_reply_json_header(http_request *req, unsigned status, json_t *doc, const char *name,
                                       const char *value);
/* {"error": MESSAGE} with STATUS. */
enum MHD_Result http_reply_error(http_request *req, unsigned status, const char *message);
/* The answer to a token or session refused: 401 with WWW-Authenticate
 * (MESSAGE says why), 429 with Retry-After for AUTH_LIMITED, 503 for
 * AUTH_ERROR. */
enum MHD_Result http_reply_refused(http_request *req, auth_result r, const char *message);
/* A store that failed: logs "API: METHOD PATH: <ERR>" (ERR is freed) and
 * answers 503 {"error": MESSAGE}. */
enum MHD_Result http_reply_unavailable(http_request *req, strbuf *err, const char *message);
/* TEXT (copied) with CONTENT_TYPE. */
enum MHD_Result http_reply_text(http_request *req, unsigned status, const char *content_type, const char *text,
                                size_t len);
/* STATUS with no body. */
enum MHD_Result http_reply_empty(http_request *req, unsigned status);
/* Answers with R (destroyed here) after adding the headers every answer
 * has. The other http_reply_* go through it. */
enum MHD_Result http_reply(http_request *req, unsigned status, struct MHD_Response *r);

/* S as a JSON string (invalid UTF-8 replaced), or null for NULL. */
json_t *http_json_text(const char *s);

/* The session cookie's name. */
#define SESSION_COOKIE "tis_sync_session"

/* The query parameter NAME, or NULL. */
const char *http_query(const http_request *req, const char *name);
/* The request body as a JSON object: NULL (and answered 400) when it is
 * not one. An empty body is an empty object. */
json_t *http_body_object(http_request *req, enum MHD_Result *answered);

/* Logs a change asked for (start, cancel, pause, resume) as an audit line:
 * who, from where, what, and what came of it. */
void http_audit(const http_request *req, const char *what, const char *outcome);

/* A database connection for reading (from the pool), or NULL having
 * answered 503. */
db *http_db(http_request *req, enum MHD_Result *answered);
void http_db_release(http_request *req, db *conn);

#endif
